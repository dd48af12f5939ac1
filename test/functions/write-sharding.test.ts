import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, ServerlessApi } from '../../src';
import { MAX_SHARDS } from '../../src/shared/key-shape';
import { ENV, fn, getAtt, inlineStatements, jwt, logicalId, newStack, route, functionIds } from '../helpers/api';
import { modelOf, writeShardedOrders } from '../helpers/iam/apps';
import { roleCases } from '../helpers/iam/cases';
import { evaluate, evaluateAll } from '../helpers/iam/evaluate';
import { StackModel } from '../helpers/iam/model';
import { report, checkRole } from '../helpers/iam/run';

/**
 * The role of a function with write-sharded patterns reaches exactly the declared shards: `dynamodb:LeadingKeys` lists
 * each shard's partition key (`ORDERS#0` ... `ORDERS#9`) instead of the `ORDERS#?*` wildcard an unsharded shape gets,
 * so neither a shard past the count nor another partition of the prefix is allowed.
 * Condition keys: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */

const GET = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem'];
const ORDER_SHARDS = Array.from({ length: 10 }, (_, shard) => `ORDERS#${shard}`);

describe('GIVEN functions with write-sharded patterns', () => {
  const stack = writeShardedOrders();
  const template = Template.fromStack(stack);
  const model: StackModel = modelOf(stack);
  const tableArn = getAtt(logicalId(template, 'AWS::DynamoDB::GlobalTable', 'OrdersTable'));
  const roleOf = (name: string) => {
    const fnId = template.findResources('AWS::Lambda::Function');
    const id = Object.keys(fnId).find((key) => key.startsWith(`OrdersFunctions${name}Function`))!;
    const roleId = fnId[id].Properties.Role['Fn::GetAtt'][0];
    return { roleId, role: model.roles.find((r) => r.logicalId === roleId)! };
  };

  test('THEN each statement lists the exact shard keys, with the Null guard', () => {
    const statements = inlineStatements(template, roleOf('checkout').roleId).filter((s) =>
      JSON.stringify(s.Action).includes('dynamodb:'),
    );
    expect(statements).toEqual([
      {
        Action: [...GET, 'dynamodb:PutItem'],
        Effect: 'Allow',
        Resource: tableArn,
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ORDER_SHARDS },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      },
    ]);
  });

  test('THEN the shards of a shape with other parameters keep those as ?*, and the shard exact', () => {
    const statements = inlineStatements(template, roleOf('events').roleId).filter((s) =>
      JSON.stringify(s.Action).includes('dynamodb:'),
    );
    expect(statements.map((s) => [s.Action, s.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys']])).toEqual([
      [
        ['dynamodb:PutItem', 'dynamodb:Query'],
        ['TENANT#?*#EVENTS#0', 'TENANT#?*#EVENTS#1', 'TENANT#?*#EVENTS#2', 'TENANT#?*#EVENTS#3'],
      ],
      [GET, ['TENANT#?*']],
    ]);
  });

  test.each(['checkout', 'fulfilment', 'events'])(
    'WHEN every case of the %s role is evaluated THEN each shard is allowed and every key beside them denied',
    async (name) => {
      const result = await checkRole(model, roleOf(name).roleId);
      expect(report(result)).toBe('');
      const beyond = result.outcomes.filter((o) => o.case.why.includes('is no shard of'));
      expect(beyond.length).toBeGreaterThan(0);
      expect(beyond.every((o) => o.got !== 'Allowed')).toBe(true);
      // Each sharded read is allowed its first and last shard in one BatchGetItem.
      const pairs = result.outcomes.filter((o) => o.case.why.startsWith('the first and the last shard'));
      expect(pairs.every((o) => o.got === 'Allowed')).toBe(true);
    },
    // The first evaluation loads the evaluator; on a busy machine that alone can take seconds.
    30_000,
  );

  test('WHEN the fulfilment role asks for shard 9, shard 10, a non-number or the bare prefix THEN only shard 9 is allowed', async () => {
    const { role } = roleOf('fulfilment');
    const principal = { name: role.logicalId, arn: role.arn, policies: role.policies };
    const arn = model.tables[0].arn;
    const decide = async (key: string) =>
      (
        await evaluate(principal, {
          action: 'dynamodb:UpdateItem',
          resource: arn,
          context: { 'dynamodb:LeadingKeys': [key] },
          expected: 'Allowed',
          why: key,
        })
      ).got;
    expect(await decide('ORDERS#9')).toBe('Allowed');
    expect(await decide('ORDERS#0')).toBe('Allowed');
    for (const key of ['ORDERS#10', 'ORDERS#90', 'ORDERS#01', 'ORDERS#-1', 'ORDERS#x', 'ORDERS#', 'ORDERS#9#x']) {
      expect([key, await decide(key)]).toEqual([key, 'ImplicitlyDenied']);
    }
  });

  test('WHEN the exact shard keys are widened to the ORDERS#?* wildcard THEN the cases beyond the shards fail: the proof can fail', async () => {
    const { role } = roleOf('fulfilment');
    const widened = JSON.parse(JSON.stringify(role.policies).replace(/\["ORDERS#0"(,"ORDERS#\d")*\]/, '["ORDERS#?*"]'));
    expect(JSON.stringify(widened)).not.toBe(JSON.stringify(role.policies));
    const cases = roleCases(model, role).cases.filter((c) => c.why.includes('is no shard of'));
    const outcomes = await evaluateAll({ name: role.logicalId, arn: role.arn, policies: widened }, cases);
    const allowed = outcomes.filter((o) => o.got === 'Allowed').map((o) => o.case.context['dynamodb:LeadingKeys']);
    expect(allowed).toEqual(
      expect.arrayContaining([['ORDERS#10'], ['ORDERS#100'], ['ORDERS#-1'], ['ORDERS#00'], ['ORDERS#s-123']]),
    );
  });
});

describe('GIVEN a function using the most shards on several partition keys', () => {
  test('THEN its inline policies stay well within the 10,240 characters IAM allows a role', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (whitespace is not counted)
    const stack = newStack({ env: ENV });
    const prefixes = ['ORDERS', 'PAYMENTS', 'SHIPMENTS', 'CLICKSTREAM'];
    const patterns = Object.fromEntries(
      prefixes.flatMap((prefix) => {
        const key = { partitionKey: `TENANT#{tenantId}#${prefix}#{shard}`, shards: MAX_SHARDS };
        return [
          [`put${prefix}`, AccessPattern.putItem({ ...key, sortKey: 'ITEM#{itemId}' })],
          [`get${prefix}`, AccessPattern.getItem({ ...key, sortKey: 'ITEM#{itemId}' })],
          [`list${prefix}`, AccessPattern.query(key)],
        ];
      }),
    );
    new ServerlessApi(stack, 'Api', {
      authorization: jwt(),
      accessPatterns: patterns,
      functions: { busy: fn([route(HttpMethod.POST, '/busy')], { accessPatterns: Object.keys(patterns) }) },
    });
    const template = Template.fromStack(stack);
    const roleId = functionIds(template, 'busy').role;
    const role = modelOf(stack).roles.find((r) => r.logicalId === roleId)!;
    const size = role.policies.reduce((total, policy) => total + JSON.stringify(policy.document).length, 0);
    const shardKeys = inlineStatements(template, roleId).flatMap(
      (s) => s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [],
    );
    expect(shardKeys).toHaveLength(prefixes.length * MAX_SHARDS);
    expect(size).toBeLessThan(10_240 / 2);
  });
});
