import { Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, CallerAttribute, ServerlessApi } from '../../src';
import { formatSummary, summarizeTemplate, type CfnTemplate } from '../../src/cli/summary';
import { MAX_SHARDS, shardLeadingKeysPatterns } from '../../src/shared/key-shape';
import { fn, functionIds, jwt, logicalId, newStack, resources, route } from '../helpers/api';

/**
 * Write sharding: one logical partition spread over `shards` partitions through the `{shard}` parameter, with the
 * shard of an item calculated from its sort key (a calculated suffix, not a random one, so items can be read by key).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-sharding.html
 */

const ORDER = { partitionKey: 'ORDERS#{shard}', sortKey: 'ORDER#{orderId}' };

function synth(patterns: { [name: string]: AccessPattern }) {
  const stack = newStack();
  new ServerlessApi(stack, 'Api', {
    authorization: jwt(),
    accessPatterns: patterns,
    functions: { orders: fn([route(HttpMethod.POST, '/orders')], { accessPatterns: Object.keys(patterns) }) },
  });
  return stack;
}

describe('GIVEN a sharded pattern that is declared wrongly', () => {
  test.each([
    [
      'one shard',
      { p: AccessPattern.putItem({ ...ORDER, shards: 1 }) },
      '`accessPatterns.p.shards` must be a whole number between 2 and 32, got: 1',
    ],
    [
      'more than the maximum',
      { p: AccessPattern.putItem({ ...ORDER, shards: MAX_SHARDS + 1 }) },
      '`accessPatterns.p.shards` must be a whole number between 2 and 32, got: 33',
    ],
    [
      'a fraction',
      { p: AccessPattern.query({ partitionKey: 'ORDERS#{shard}', shards: 2.5 }) },
      '`accessPatterns.p.shards` must be a whole number between 2 and 32, got: 2.5',
    ],
    [
      'no {shard} in the partition key',
      { p: AccessPattern.putItem({ partitionKey: 'ORDERS', sortKey: 'ORDER#{orderId}', shards: 10 }) },
      '`accessPatterns.p.partitionKey` must have the {shard} parameter when `shards` is set, such as "ORDERS#{shard}": the toolkit fills it in with 0 to 9, got: "ORDERS"',
    ],
    [
      '{shard} without a shard count',
      { p: AccessPattern.getItem(ORDER) },
      '`accessPatterns.p.shards` must be set when the partition key has the {shard} parameter, which the toolkit fills in for write-sharded patterns (or name the parameter otherwise), got: undefined',
    ],
    [
      'a singleton',
      { p: AccessPattern.putItem({ ...ORDER, shards: 10, singleton: true }) },
      '`accessPatterns.p.singleton` must be left out with `shards`: a sharded pattern spreads over 10 partitions, got: true',
    ],
    [
      'a caller-bound partition',
      {
        p: AccessPattern.query({
          partitionKey: 'USER#{userId}#{shard}',
          shards: 4,
          callerBound: { userId: CallerAttribute.id() },
        }),
      },
      '`accessPatterns.p.callerBound` must be left out with `shards`: a caller-bound partition is one per caller already, and its session tags name it exactly, got: {"userId":{"source":"id"}}',
    ],
    [
      'an index',
      { p: AccessPattern.query({ partitionKey: 'ORDERS#{shard}', indexName: 'byDay', shards: 4 }) },
      '`accessPatterns.p.indexName` must be left out with `shards`: an index\'s keys are attributes the handler writes, so the toolkit cannot shard them; shard the table\'s partition key, got: "byDay"',
    ],
    [
      'an item pattern whose sort key is constant',
      { p: AccessPattern.updateItem({ partitionKey: 'COUNTER#{shard}', sortKey: 'TOTAL', shards: 4 }) },
      '`accessPatterns.p.sortKey` must have a parameter when `shards` is set: an item\'s shard is a hash of its sort key, so a constant sort key puts every item in one shard, got: "TOTAL"',
    ],
    [
      'a query that gathers fewer shards than the puts spread over',
      {
        put: AccessPattern.putItem({ ...ORDER, shards: 10 }),
        list: AccessPattern.query({ partitionKey: 'ORDERS#{shard}', shards: 8 }),
      },
      '`accessPatterns.list.shards` must be 10 like `accessPatterns.put.shards`: patterns of the partition key "ORDERS#{shard}" read and write the same shards, got: 8',
    ],
    [
      'a get of the same partitions under other parameter names, with another count',
      {
        put: AccessPattern.putItem({ partitionKey: 'T#{t}#O#{shard}', sortKey: 'X#{x}', shards: 10 }),
        get: AccessPattern.getItem({ partitionKey: 'T#{tenantId}#O#{shard}', sortKey: 'X#{id}', shards: 12 }),
      },
      '`accessPatterns.get.shards` must be 10 like `accessPatterns.put.shards`: patterns of the partition key "T#{tenantId}#O#{shard}" read and write the same shards, got: 12',
    ],
  ])('WHEN it has %s THEN synth refuses it, naming the prop', (_, patterns, message) => {
    expect(() => synth(patterns)).toThrow(new Error(message));
  });

  test('WHEN the count is a token THEN synth refuses it: the count decides the keys IAM allows', () => {
    const shards = Token.asNumber({ Ref: 'ShardCount' });
    expect(() => synth({ p: AccessPattern.putItem({ ...ORDER, shards }) })).toThrow(
      /^`accessPatterns\.p\.shards` must be a number known at synth: it decides the partition keys the role may reach, got: "\$\{Token\[TOKEN\.\d+\]\}"$/,
    );
  });
});

describe('GIVEN orders written over 10 shards and listed across them', () => {
  const stack = synth({
    placeOrder: AccessPattern.putItem({ ...ORDER, shards: 10 }),
    getOrder: AccessPattern.getItem({ partitionKey: 'ORDERS#{shard}', sortKey: 'ORDER#{id}', shards: 10 }),
    listOrders: AccessPattern.query({ partitionKey: 'ORDERS#{shard}', sortKeyPrefix: 'ORDER#', shards: 10 }),
  });
  const template = Template.fromStack(stack);
  const shardKeys = Array.from({ length: 10 }, (_, shard) => `ORDERS#${shard}`);

  test("THEN the function's descriptors carry the shard count, so the toolkit computes and gathers the shards", () => {
    const variables = resources(template)[functionIds(template, 'orders').function].Properties.Environment.Variables;
    expect(JSON.parse(variables[ServerlessApi.TABLE_ACCESS_PATTERNS_ENV])).toEqual({
      placeOrder: {
        operation: 'PutItem',
        partitionKey: ['PK', 'ORDERS#{shard}'],
        sortKey: ['SK', 'ORDER#{orderId}'],
        shards: 10,
      },
      getOrder: {
        operation: 'GetItem',
        partitionKey: ['PK', 'ORDERS#{shard}'],
        sortKey: ['SK', 'ORDER#{id}'],
        shards: 10,
      },
      listOrders: { operation: 'Query', partitionKey: ['PK', 'ORDERS#{shard}'], sortKey: ['SK', 'ORDER#'], shards: 10 },
    });
  });

  test('THEN the access-pattern table lists the exact shard keys and the count', () => {
    const api = logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
    const rows = resources(template)[api].Metadata[ServerlessApi.ACCESS_PATTERNS_METADATA_KEY];
    expect(rows[2]).toEqual({
      name: 'listOrders',
      operation: 'Query',
      keyCondition: 'PK = ORDERS#{shard} AND begins_with(SK, ORDER#)',
      leadingKeys: shardKeys.join(', '),
      partitionPrefix: 'ORDERS#',
      shards: 10,
      actions: ['dynamodb:Query'],
      functions: ['orders'],
    });
  });

  test('THEN no hot-partition warning: the load spreads over the shards', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('THEN the summary says how many shards each pattern spreads over, and warns about none', () => {
    const summary = summarizeTemplate(template.toJSON() as CfnTemplate, 'Test');
    const text = formatSummary(summary);
    expect(text).toMatch(/placeOrder +PutItem +- +PK = ORDERS#\{shard\} AND SK = ORDER#\{orderId\} +10 shards +orders/);
    expect(text).toMatch(
      /listOrders +Query +- +PK = ORDERS#\{shard\} AND begins_with\(SK, ORDER#\) +10 shards +orders/,
    );
    expect(summary.warnings.filter((w) => w.includes('partition'))).toEqual([]);
  });
});

describe('the LeadingKeys values of a sharded shape', () => {
  test('THEN each shard number is exact and every other parameter stays ?*', () => {
    expect(shardLeadingKeysPatterns('ORDERS#{shard}', 3)).toEqual(['ORDERS#0', 'ORDERS#1', 'ORDERS#2']);
    expect(shardLeadingKeysPatterns('TENANT#{tenantId}#EVENTS#{shard}', 2)).toEqual([
      'TENANT#?*#EVENTS#0',
      'TENANT#?*#EVENTS#1',
    ]);
    expect(shardLeadingKeysPatterns('DAY#{shard}#{day}', 2)).toEqual(['DAY#0#?*', 'DAY#1#?*']);
  });
});
