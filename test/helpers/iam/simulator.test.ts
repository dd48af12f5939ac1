import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Case, ContextValues, evaluate } from './evaluate';
import { JsonObject } from './template';

/**
 * Self-tests of the offline evaluator on hand-written policies: the least-privilege suite relies on
 * these semantics, and these tests show both that they hold and that the harness can fail.
 */

const ACCOUNT = '123456789012';
const TABLE = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/Tasks`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/tasks`;
const VIA_DYNAMODB = 'dynamodb.eu-west-1.amazonaws.com';

const policy = (...statements: JsonObject[]): JsonObject => ({ Version: '2012-10-17', Statement: statements });
const onProjects = (condition: JsonObject): JsonObject => ({
  Effect: 'Allow',
  Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan'],
  Resource: TABLE,
  Condition: condition,
});
const FOR_ALL_PROJECTS = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PROJECT#*'] } };
const NULL_GUARD = { Null: { 'dynamodb:LeadingKeys': 'false' } };
const DELEGATING_KEY_POLICY = policy({
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:*',
  Resource: '*',
});

async function decide(
  identity: JsonObject,
  action: string,
  resource: string,
  context: ContextValues = {},
  resourcePolicy?: JsonObject,
): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/tasks/session`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [{ name: 'access', policy: identity }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  return response.resultType === 'error' ? `error: ${response.errors.message}` : response.overallResult;
}

const leadingKeys = (...keys: string[]) => ({ 'dynamodb:LeadingKeys': keys });

describe('GIVEN a statement conditioned on ForAllValues:StringLike dynamodb:LeadingKeys and the Null guard', () => {
  const guarded = policy(onProjects({ ...FOR_ALL_PROJECTS, ...NULL_GUARD }));

  test.each<[string, string, string[]]>([
    ['a key inside the pattern', 'Allowed', ['PROJECT#1']],
    ['two keys inside the pattern (BatchGetItem)', 'Allowed', ['PROJECT#1', 'PROJECT#2']],
    ['a key outside the pattern', 'ImplicitlyDenied', ['USER#1']],
    ['one key inside and one outside (multi-valued)', 'ImplicitlyDenied', ['PROJECT#1', 'USER#1']],
    ['a prefix lookalike', 'ImplicitlyDenied', ['PROJECTX#1']],
    ['another case (StringLike is case-sensitive)', 'ImplicitlyDenied', ['project#1']],
    ['the pattern preceded by other text', 'ImplicitlyDenied', ['XPROJECT#1']],
  ])('WHEN the request carries %s THEN it is %s', async (_, expected, keys) => {
    expect(await decide(guarded, 'dynamodb:BatchGetItem', TABLE, leadingKeys(...keys))).toBe(expected);
  });

  test('WHEN the request carries no leading key THEN the Null guard denies it', async () => {
    expect(await decide(guarded, 'dynamodb:GetItem', TABLE)).toBe('ImplicitlyDenied');
    expect(await decide(guarded, 'dynamodb:Scan', TABLE)).toBe('ImplicitlyDenied');
  });

  test('WHEN the request is on an index of the table THEN the table statement does not cover it', async () => {
    expect(await decide(guarded, 'dynamodb:Scan', `${TABLE}/index/byStatus`)).toBe('ImplicitlyDenied');
  });
});

describe('GIVEN the same statement without the Null guard', () => {
  const unguarded = policy(onProjects(FOR_ALL_PROJECTS));

  test('WHEN the request carries no leading key THEN ForAllValues is vacuously true: the hole', async () => {
    expect(await decide(unguarded, 'dynamodb:GetItem', TABLE)).toBe('Allowed');
    expect(await decide(unguarded, 'dynamodb:Scan', TABLE)).toBe('Allowed');
  });

  test('WHEN a key is outside THEN it is still denied', async () => {
    expect(await decide(unguarded, 'dynamodb:GetItem', TABLE, leadingKeys('USER#1'))).toBe('ImplicitlyDenied');
  });
});

describe('GIVEN ForAnyValue instead of ForAllValues', () => {
  test('WHEN one key is inside and one outside THEN it is allowed: the wrong operator lets it through', async () => {
    const anyValue = policy(onProjects({ 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['PROJECT#*'] } }));
    expect(await decide(anyValue, 'dynamodb:BatchGetItem', TABLE, leadingKeys('PROJECT#1', 'USER#1'))).toBe('Allowed');
  });
});

describe('GIVEN a KMS statement conditioned on kms:ViaService', () => {
  const kms = policy({
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: KEY,
    Condition: { StringEquals: { 'kms:ViaService': VIA_DYNAMODB } },
  });

  test.each<[string, string, ContextValues]>([
    ['through DynamoDB', 'Allowed', { 'kms:ViaService': VIA_DYNAMODB }],
    ['through S3', 'ImplicitlyDenied', { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }],
    ['directly', 'ImplicitlyDenied', {}],
  ])('WHEN the key is used %s THEN it is %s', async (_, expected, context) => {
    expect(await decide(kms, 'kms:Decrypt', KEY, context, DELEGATING_KEY_POLICY)).toBe(expected);
  });

  test('WHEN the key policy does not delegate to IAM THEN the identity policy alone allows nothing', async () => {
    expect(await decide(kms, 'kms:Decrypt', KEY, { 'kms:ViaService': VIA_DYNAMODB })).toBe('ImplicitlyDenied');
  });
});

describe('GIVEN an explicit Deny', () => {
  test('THEN it wins over an Allow', async () => {
    const withDeny = policy(
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
      { Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: TABLE },
    );
    expect(await decide(withDeny, 'dynamodb:DeleteTable', TABLE)).toBe('ExplicitlyDenied');
  });
});

describe('GIVEN the harness wrapper', () => {
  const principal = {
    name: 'tasks',
    arn: ROLE,
    policies: [{ name: 'access', document: policy(onProjects(FOR_ALL_PROJECTS)) }],
  };
  const scan: Case = { action: 'dynamodb:Scan', resource: TABLE, context: {}, expected: 'Denied', why: 'test' };

  test('WHEN the decision differs from the expected one THEN the case fails', async () => {
    expect(await evaluate(principal, scan)).toMatchObject({ got: 'Allowed', ok: false });
  });

  test('WHEN the action does not exist THEN the case fails with an error, never passes as denied', async () => {
    expect(await evaluate(principal, { ...scan, action: 'dynamodb:ExecuteStatement' })).toMatchObject({
      got: 'Error',
      ok: false,
    });
  });

  test('WHEN a context key does not apply to the action THEN the case fails: it would not test what it says', async () => {
    const outcome = await evaluate(principal, { ...scan, context: leadingKeys('USER#1') });
    expect(outcome).toMatchObject({
      got: 'Error',
      ok: false,
      detail: 'context keys ignored for dynamodb:Scan: dynamodb:LeadingKeys',
    });
  });
});
