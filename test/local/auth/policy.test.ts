/**
 * A Lambda authorizer's policy against the request's execute-api ARN.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { evaluatePolicy, parsePolicyDocument } from '../../../src/local/auth/policy';

const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/projects/p1';

function verdict(statement: object | object[]) {
  const parsed = parsePolicyDocument({ Version: '2012-10-17', Statement: statement });
  if (!parsed.ok) throw new Error(parsed.reason);
  return evaluatePolicy(parsed.policy, ARN);
}

describe('matching', () => {
  test.each([
    ['the exact ARN', true, ARN],
    ['`*` across segments', true, 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*'],
    ['`*` for the stage and method', true, 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*/*/projects/*'],
    ['`?` for one character', true, 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/projects/p?'],
    [
      '`?` is exactly one character',
      false,
      'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/projects/?',
    ],
    ['another method', false, 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/projects/p1'],
    [
      'resources compare case-sensitively',
      false,
      'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/get/projects/p1',
    ],
    ['a prefix is not a match', false, 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/projects'],
    [
      'regex characters are literal',
      false,
      'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/projects/p.',
    ],
  ])('an Allow for %s: allowed %p', (_, allowed, resource) => {
    expect(verdict({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: resource }).allowed).toBe(allowed);
  });

  test.each([
    ['execute-api:Invoke', true],
    ['EXECUTE-API:invoke', true],
    ['execute-api:*', true],
    ['*', true],
    ['execute-api:ManageConnections', false],
  ])('the action %p (actions compare case-insensitively): allowed %p', (action, allowed) => {
    expect(verdict({ Effect: 'Allow', Action: action, Resource: '*' }).allowed).toBe(allowed);
  });

  test('NotResource and NotAction apply to everything they do not name', () => {
    expect(verdict({ Effect: 'Allow', Action: '*', NotResource: '*/POST/*' }).allowed).toBe(true);
    expect(verdict({ Effect: 'Allow', Action: '*', NotResource: '*/GET/*' }).allowed).toBe(false);
    expect(verdict({ Effect: 'Allow', NotAction: 'execute-api:ManageConnections', Resource: '*' }).allowed).toBe(true);
  });

  test('an explicit Deny wins over any Allow; a single Statement object is read like a list of one', () => {
    expect(
      verdict([
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: ARN },
      ]),
    ).toEqual({
      allowed: false,
      message: 'User is not authorized to access this resource with an explicit deny',
    });
    expect(verdict({ Effect: 'Deny', Action: '*', Resource: [ARN] }).allowed).toBe(false);
  });

  test('GIVEN a matching statement with a Condition THEN the stricter outcome, with a note for the log', () => {
    const conditionalAllow = verdict({
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    });
    const conditionalDeny = verdict([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ]);

    expect(conditionalAllow).toMatchObject({ allowed: false, note: expect.stringContaining('does not evaluate') });
    expect(conditionalDeny).toMatchObject({ allowed: false, note: expect.stringContaining('does not evaluate') });
  });
});

describe('documents API Gateway cannot use', () => {
  test.each([
    ['a string', 'Allow everything', '`policyDocument` is not an object'],
    ['no Statement', {}, '`policyDocument.Statement` is missing or empty'],
    ['a statement that is a string', { Statement: ['Allow'] }, '`policyDocument.Statement[0]` is not an object'],
    [
      'both Action and NotAction',
      { Statement: { Effect: 'Allow', Action: '*', NotAction: 'x', Resource: '*' } },
      'exactly one of Action and NotAction',
    ],
    ['no Resource', { Statement: { Effect: 'Allow', Action: '*' } }, 'exactly one of Resource and NotResource'],
    [
      'a Resource that is a number',
      { Statement: { Effect: 'Allow', Action: '*', Resource: 7 } },
      'not a string or a list of strings',
    ],
  ])('%s', (_, document, reason) => {
    expect(parsePolicyDocument(document)).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
});
