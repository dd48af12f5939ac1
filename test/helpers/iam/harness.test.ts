import { FixtureTemplate, contractTemplate, statementsOf } from './fixtures/contract-template';
import { loadStack } from './model';
import { RoleResult, checkRole, report } from './run';
import { JsonObject } from './template';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Table';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/TableKey';

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

/** Changes a statement of a role's inline policy, found by one of its actions (and a text in its resource). */
function edit(
  template: FixtureTemplate,
  roleId: string,
  action: string,
  change: (s: JsonObject) => void,
  on = '',
): FixtureTemplate {
  const statement = statementsOf(template, roleId).find(
    (s) => [s.Action].flat().includes(action) && JSON.stringify(s.Resource).includes(on),
  );
  if (!statement) throw new Error(`no statement with ${action} on ${on} in ${roleId}`);
  change(statement);
  return template;
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
  test.each<[string, (t: FixtureTemplate) => FixtureTemplate, string, string[]]>([
    [
      'no Null guard: a request without a key passes ForAllValues',
      (t) => edit(t, 'tasksRole', 'dynamodb:GetItem', (s) => delete (s.Condition as JsonObject).Null),
      'tasksRole',
      [`dynamodb:GetItem ${TABLE} "-" -> Allowed`, `dynamodb:PutItem ${TABLE} "-" -> Allowed`],
    ],
    [
      'ForAnyValue instead of ForAllValues: one inside key carries an outside one',
      (t) =>
        edit(t, 'tasksRole', 'dynamodb:GetItem', (s) => {
          const condition = s.Condition as JsonObject;
          condition['ForAnyValue:StringLike'] = condition['ForAllValues:StringLike'];
          delete condition['ForAllValues:StringLike'];
        }),
      'tasksRole',
      [`dynamodb:BatchGetItem ${TABLE} ["PROJECT#p-123","OTHER#p-123"] -> Allowed`],
    ],
    [
      'a pattern without its separator lets a prefix lookalike in',
      (t) =>
        edit(
          t,
          'tasksRole',
          'dynamodb:GetItem',
          (s) => ((s.Condition as JsonObject)['ForAllValues:StringLike'] = { 'dynamodb:LeadingKeys': ['PROJECT*'] }),
        ),
      'tasksRole',
      [`dynamodb:GetItem ${TABLE} ["PROJECTX#p-123"] -> Allowed`],
    ],
    [
      'an index pattern broader than its shape',
      (t) =>
        edit(
          t,
          'tasksRole',
          'dynamodb:Query',
          (s) => ((s.Condition as JsonObject)['ForAllValues:StringLike'] = { 'dynamodb:LeadingKeys': ['STATUS#*'] }),
          'index/byStatus',
        ),
      'tasksRole',
      [`dynamodb:Query ${TABLE}/index/byStatus ["STATUS#p-123Zs-123"] -> Allowed`],
    ],
    [
      'Scan and BatchWriteItem added to the table statement',
      (t) =>
        edit(
          t,
          'tasksRole',
          'dynamodb:GetItem',
          (s) => (s.Action = [s.Action, 'dynamodb:Scan', 'dynamodb:BatchWriteItem'].flat()),
        ),
      'tasksRole',
      [`dynamodb:BatchWriteItem ${TABLE} ["PROJECT#p-123"] -> Allowed`],
    ],
    [
      'dynamodb:* on every table',
      (t) => (statementsOf(t, 'healthRole').push({ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }), t),
      'healthRole',
      [
        `dynamodb:Scan ${TABLE} "-" -> Allowed`,
        `dynamodb:DeleteTable ${TABLE} "-" -> Allowed`,
        'dynamodb:ListTables * "-" -> Allowed',
      ],
    ],
    [
      'every index instead of the declared one',
      (t) => edit(t, 'tasksRole', 'dynamodb:Query', (s) => (s.Resource = `${TABLE}/index/*`), 'index/byStatus'),
      'tasksRole',
      [
        `dynamodb:Query ${TABLE}/index/byOwner ["STATUS#p-123#s-123"] -> Allowed`,
        `dynamodb:Query ${TABLE}/index/UndeclaredIndex ["STATUS#p-123#s-123"] -> Allowed`,
      ],
    ],
    [
      'KMS without the kms:ViaService condition',
      (t) => edit(t, 'tasksRole', 'kms:Decrypt', (s) => delete s.Condition),
      'tasksRole',
      [`kms:Decrypt ${KEY} "-" -> Allowed`, `kms:Encrypt ${KEY} "s3.us-east-1.amazonaws.com" -> Allowed`],
    ],
    [
      'write KMS actions for a read-only function',
      (t) =>
        edit(t, 'reportsRole', 'kms:Decrypt', (s) => (s.Action = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt'])),
      'reportsRole',
      [`kms:Encrypt ${KEY} "dynamodb.us-east-1.amazonaws.com" -> Allowed`],
    ],
    [
      'a declared operation left out (under-privilege)',
      (t) =>
        edit(
          t,
          'tasksRole',
          'dynamodb:PutItem',
          (s) => (s.Action = [s.Action].flat().filter((a) => a !== 'dynamodb:PutItem')),
        ),
      'tasksRole',
      [`dynamodb:PutItem ${TABLE} ["PROJECT#p-123"] -> ImplicitlyDenied`],
    ],
    [
      'an attached policy resource granting what the inline policy does not',
      (t) => {
        const tracing = t.Resources.reportsTracing.Properties as { PolicyDocument: { Statement: JsonObject[] } };
        tracing.PolicyDocument.Statement.push({ Effect: 'Allow', Action: 'dynamodb:Query', Resource: TABLE });
        return t;
      },
      'reportsRole',
      [`dynamodb:Query ${TABLE} ["ITEM#i-123"] -> Allowed`, `dynamodb:Query ${TABLE} "-" -> Allowed`],
    ],
    [
      'an invoke role for every function',
      (t) => {
        const invoke = t.Resources.InvokeRole.Properties as {
          Policies: { PolicyDocument: { Statement: JsonObject[] } }[];
        };
        invoke.Policies[0].PolicyDocument.Statement[0].Resource = 'arn:aws:lambda:us-east-1:123456789012:function:*';
        return t;
      },
      'InvokeRole',
      ['lambda:InvokeFunction arn:aws:lambda:us-east-1:123456789012:function:SomeOtherFunction "-" -> Allowed'],
    ],
    [
      'logs on every log group',
      (t) => edit(t, 'healthRole', 'logs:PutLogEvents', (s) => (s.Resource = '*')),
      'healthRole',
      [
        'logs:PutLogEvents arn:aws:logs:us-east-1:123456789012:log-group:tasksLogs:log-stream:2026/01/01/[$LATEST]abc "-" -> Allowed',
      ],
    ],
  ])('%s', async (_, change, roleId, expected) => {
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
