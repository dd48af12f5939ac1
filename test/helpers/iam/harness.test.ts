import { FixtureTemplate, contractTemplate } from './fixtures/contract-template';
import { KEY, POLICY_VARIANTS, TABLE } from './fixtures/variants';
import { loadStack } from './model';
import { RoleResult, checkRole, report } from './run';
import { JsonObject } from './template';

async function check(template: FixtureTemplate, roleId: string): Promise<RoleResult> {
  return checkRole(loadStack(template), roleId);
}

/** The failing cases, as `action resource keys -> got` lines that tests can match. */
function failures(result: RoleResult): string[] {
  return result.outcomes
    .filter((o) => !o.ok)
    .map((o) => {
      const keys = o.case.context['dynamodb:LeadingKeys'] ?? o.case.context['kms:ViaService'] ?? '-';
      return `${o.case.action} ${o.case.resource} ${JSON.stringify(keys)} -> ${o.got}`;
    });
}

describe('GIVEN the hand-written contract fixture', () => {
  test.each(['tasksRole', 'reportsRole', 'healthRole', 'InvokeRole'])(
    'WHEN %s is evaluated as written THEN every case comes out as expected',
    async (roleId) => {
      const result = await check(contractTemplate(), roleId);
      expect(result.cases.length).toBeGreaterThan(200);
      expect(report(result)).toBe('');
    },
  );

  test('THEN the cases include allowed requests, so a role granting nothing would fail', async () => {
    const result = await check(contractTemplate(), 'tasksRole');
    const allowed = result.cases.filter((c) => c.expected === 'Allowed').map((c) => `${c.action} ${c.resource}`);
    expect(allowed).toEqual(
      expect.arrayContaining([
        `dynamodb:GetItem ${TABLE}`,
        `dynamodb:BatchGetItem ${TABLE}`,
        `dynamodb:Query ${TABLE}/index/byStatus`,
        `kms:GenerateDataKey ${KEY}`,
      ]),
    );
  });

  test('THEN an attached AWS::IAM::Policy is evaluated with the inline policies', async () => {
    const result = await check(contractTemplate(), 'reportsRole');
    expect(result.role.policies.map((p) => p.name)).toEqual(['inline:access', 'reportsTracing']);
  });
});

describe('GIVEN an over-broad or wrong policy THEN the checker reports the failing cases', () => {
  test.each(POLICY_VARIANTS)('%s', async (_, change, roleId, expected) => {
    const result = await check(change(contractTemplate()), roleId);
    expect(failures(result)).toEqual(expect.arrayContaining(expected));
    expect(report(result)).toContain('cases not as expected');
  });

  test('a function whose role grants DynamoDB without TABLE_ACCESS_PATTERNS is a problem, named', async () => {
    const template = contractTemplate();
    const variables = (template.Resources.tasksFunction.Properties as { Environment: { Variables: JsonObject } })
      .Environment.Variables;
    delete variables.TABLE_ACCESS_PATTERNS;
    const result = await check(template, 'tasksRole');
    expect(result.problems).toEqual([
      'function tasksFunction has no TABLE_ACCESS_PATTERNS, yet its role grants DynamoDB or KMS',
    ]);
    // Keys inside what the role grants probe it, so the undeclared grant shows up case by case.
    expect(failures(result)).toContain(`dynamodb:GetItem ${TABLE} ["PROJECT#xx1"] -> Allowed`);
  });

  test('a pattern naming an index the table does not have is a problem, named', async () => {
    const template = contractTemplate();
    const variables = (template.Resources.tasksFunction.Properties as { Environment: { Variables: JsonObject } })
      .Environment.Variables;
    variables.TABLE_ACCESS_PATTERNS = JSON.stringify({
      byDue: { operation: 'Query', index: 'byDue', partitionKey: ['GSI3PK', 'DUE#{day}'] },
      byOwner: { operation: 'Query', index: 'byOwner', partitionKey: ['GSI1PK', 'OWNER#{userId}'] },
    });
    const result = await check(template, 'tasksRole');
    expect(result.problems).toEqual([
      'function tasksFunction pattern "byDue": byDue is not an index of the table',
      'function tasksFunction pattern "byOwner": partitionKey GSI1PK is not byOwner\'s key GSI2PK',
    ]);
  });

  test('an AWS managed policy cannot be evaluated offline, and says so', async () => {
    const template = contractTemplate();
    (template.Resources.healthRole.Properties as JsonObject).ManagedPolicyArns = [
      'arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess',
    ];
    const result = await check(template, 'healthRole');
    expect(result.problems).toEqual([
      'role healthRole attaches arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess: not evaluable offline',
    ]);
  });
});
