import { evaluateIdentityPolicy } from '../../../src/local/iam';
import type { IamRequest } from '../../../src/local/iam';
import type { PolicyStatementModel } from '../../../src/local/model';

/**
 * Identity-based policy evaluation: an explicit Deny overrides any Allow; without an Allow the request is implicitly
 * denied.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * Action/NotAction: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
 * NotResource: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
 */

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Tasks';
const request = (action: string, resource = TABLE, context: IamRequest['context'] = {}): IamRequest => ({
  action,
  resource,
  principalArn: 'arn:aws:sts::123456789012:assumed-role/tasksRole/tasks',
  context,
});
const allow = (
  Action: string[],
  Resource = [TABLE],
  more: Partial<PolicyStatementModel> = {},
): PolicyStatementModel => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...more,
});
const USER_KEYS: PolicyStatementModel['Condition'] = {
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#alice'] },
  Null: { 'dynamodb:LeadingKeys': ['false'] },
};

describe('GIVEN statements that allow and deny', () => {
  test('WHEN a statement allows the action on the resource THEN the verdict is Allow, naming it', () => {
    const verdict = evaluateIdentityPolicy(
      [allow(['dynamodb:Scan']), allow(['dynamodb:GetItem'], [TABLE], { Sid: 'Reads' })],
      request('dynamodb:GetItem'),
    );
    expect(verdict).toEqual({
      decision: 'Allow',
      statementIndex: 1,
      reason: `statement 1 (Reads) allows dynamodb:GetItem on ${TABLE}`,
    });
  });

  test('WHEN a Deny matches too, before or after the Allow THEN the explicit deny wins', () => {
    const deny: PolicyStatementModel = { Effect: 'Deny', Action: ['dynamodb:*'], Resource: ['*'] };
    for (const statements of [
      [allow(['dynamodb:GetItem']), deny],
      [deny, allow(['dynamodb:GetItem'])],
    ]) {
      expect(evaluateIdentityPolicy(statements, request('dynamodb:GetItem'))).toMatchObject({
        decision: 'ExplicitDeny',
        statementIndex: statements.indexOf(deny),
        reason: `statement ${statements.indexOf(deny)} denies dynamodb:GetItem on ${TABLE}`,
      });
    }
  });

  test("WHEN a Deny's condition does not hold THEN it does not apply, and the Allow stands", () => {
    const deny: PolicyStatementModel = {
      Effect: 'Deny',
      Action: ['dynamodb:*'],
      Resource: ['*'],
      Condition: { Bool: { 'aws:SecureTransport': ['false'] } },
    };
    const verdict = evaluateIdentityPolicy(
      [deny, allow(['dynamodb:GetItem'])],
      request('dynamodb:GetItem', TABLE, { 'aws:SecureTransport': 'true' }),
    );
    expect(verdict.decision).toBe('Allow');
  });

  test('WHEN nothing names the action THEN the verdict is an implicit deny that says so', () => {
    expect(evaluateIdentityPolicy([allow(['dynamodb:GetItem'])], request('dynamodb:Scan'))).toEqual({
      decision: 'ImplicitDeny',
      reason: `no statement allows dynamodb:Scan on ${TABLE}: no statement names the action`,
    });
  });

  test('WHEN there are no statements at all THEN the request is implicitly denied', () => {
    expect(evaluateIdentityPolicy([], request('dynamodb:GetItem')).decision).toBe('ImplicitDeny');
  });
});

describe('GIVEN the closest statement', () => {
  test('WHEN a statement has the action and resource but its LeadingKeys condition fails THEN the reason shows the condition and the keys', () => {
    const statements = [
      allow(['logs:PutLogEvents'], ['*']),
      allow(['dynamodb:PutItem'], [TABLE], { Condition: USER_KEYS }),
    ];
    const verdict = evaluateIdentityPolicy(
      statements,
      request('dynamodb:PutItem', TABLE, { 'dynamodb:LeadingKeys': ['USER#bob'] }),
    );
    expect(verdict).toEqual({
      decision: 'ImplicitDeny',
      statementIndex: 1,
      reason: `no statement allows dynamodb:PutItem on ${TABLE}: statement 1 has the action and resource, but its condition ForAllValues:StringLike dynamodb:LeadingKeys ["USER#alice"] did not match ["USER#bob"]`,
    });
  });

  test('WHEN the request carries no key (Scan, a keyless PartiQL statement) THEN the reason names the Null guard', () => {
    const verdict = evaluateIdentityPolicy(
      [allow(['dynamodb:PartiQLSelect'], [TABLE], { Condition: USER_KEYS })],
      request('dynamodb:PartiQLSelect'),
    );
    expect(verdict.reason).toBe(
      `no statement allows dynamodb:PartiQLSelect on ${TABLE}: statement 0 has the action and resource, but its condition Null dynamodb:LeadingKeys ["false"] did not match: the request carries no dynamodb:LeadingKeys`,
    );
  });

  test('WHEN the action is allowed only on other resources THEN the reason lists them', () => {
    const verdict = evaluateIdentityPolicy(
      [allow(['dynamodb:Query'], [`${TABLE}/index/byStatus`])],
      request('dynamodb:Query', `${TABLE}/index/byOwner`),
    );
    expect(verdict.reason).toBe(
      `no statement allows dynamodb:Query on ${TABLE}/index/byOwner: the action is allowed only elsewhere (statement 0 on ${TABLE}/index/byStatus)`,
    );
  });
});

describe('GIVEN Action and NotAction', () => {
  test.each<[string, boolean]>([
    ['dynamodb:GetItem', true],
    ['DynamoDB:getitem', true],
    ['dynamodb:Get*', true],
    ['dynamodb:?etItem', true],
    ['dynamodb:*', true],
    ['*', true],
    ['dynamodb:Put*', false],
    ['s3:GetItem', false],
    ['GetItem', false],
  ])(
    'WHEN the statement lists %s THEN dynamodb:GetItem is covered: %s (action names are case-insensitive)',
    (action, covered) => {
      expect(evaluateIdentityPolicy([allow([action])], request('dynamodb:GetItem')).decision).toBe(
        covered ? 'Allow' : 'ImplicitDeny',
      );
    },
  );

  test('WHEN a statement uses NotAction THEN it covers every action it does not list', () => {
    const statement: PolicyStatementModel = {
      Effect: 'Allow',
      NotAction: ['dynamodb:Delete*', 'dynamodb:Scan'],
      Resource: [TABLE],
    };
    expect(evaluateIdentityPolicy([statement], request('dynamodb:GetItem')).decision).toBe('Allow');
    expect(evaluateIdentityPolicy([statement], request('dynamodb:DeleteItem')).decision).toBe('ImplicitDeny');
    expect(evaluateIdentityPolicy([statement], request('dynamodb:Scan')).decision).toBe('ImplicitDeny');
  });

  test('WHEN a Deny uses NotAction THEN it denies everything it does not list', () => {
    const statements: PolicyStatementModel[] = [
      allow(['dynamodb:*']),
      { Effect: 'Deny', NotAction: ['dynamodb:GetItem'], Resource: ['*'] },
    ];
    expect(evaluateIdentityPolicy(statements, request('dynamodb:GetItem')).decision).toBe('Allow');
    expect(evaluateIdentityPolicy(statements, request('dynamodb:PutItem')).decision).toBe('ExplicitDeny');
  });
});

describe('GIVEN Resource and NotResource', () => {
  test('WHEN a statement uses NotResource THEN it covers every resource it does not list', () => {
    const statement: PolicyStatementModel = {
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      NotResource: [`${TABLE}/index/*`],
    };
    expect(evaluateIdentityPolicy([statement], request('dynamodb:Query')).decision).toBe('Allow');
    expect(evaluateIdentityPolicy([statement], request('dynamodb:Query', `${TABLE}/index/byStatus`)).decision).toBe(
      'ImplicitDeny',
    );
  });

  test('WHEN a NotResource entry holds a variable the request lacks THEN the statement does not apply', () => {
    const statement: PolicyStatementModel = {
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      NotResource: ['arn:aws:dynamodb:*:*:table/${aws:username}'],
    };
    expect(evaluateIdentityPolicy([statement], request('dynamodb:Query')).decision).toBe('ImplicitDeny');
  });

  test('WHEN a Resource entry holds a variable the request carries THEN it is filled in', () => {
    const statement = allow(['dynamodb:GetItem'], ['arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/table}']);
    expect(
      evaluateIdentityPolicy([statement], request('dynamodb:GetItem', TABLE, { 'aws:PrincipalTag/table': 'Tasks' }))
        .decision,
    ).toBe('Allow');
    expect(evaluateIdentityPolicy([statement], request('dynamodb:GetItem')).decision).toBe('ImplicitDeny');
  });
});
