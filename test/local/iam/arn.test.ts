import { resourceMatches, splitArn } from '../../../src/local/iam/arn';

/**
 * The Resource element: ARNs with wildcards in any segment, variables only in the resource part, no wildcard in the
 * resource type.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-resourceelement
 */

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Tasks';
const INDEX = `${TABLE}/index/byStatus`;
const matches = (policy: string, request: string, context = {}) => resourceMatches(policy, request, context);

describe('GIVEN a request on a table or an index', () => {
  test.each<[string, string, string]>([
    ['*', TABLE, 'match'],
    [TABLE, TABLE, 'match'],
    [TABLE, INDEX, 'nomatch'],
    [`${TABLE}*`, INDEX, 'match'],
    [`${TABLE}/index/*`, INDEX, 'match'],
    [`${TABLE}/index/*`, TABLE, 'nomatch'],
    ['arn:aws:dynamodb:*:*:table/Tasks', TABLE, 'match'],
    ['arn:aws:dynamodb:us-*:123456789012:table/Tasks', TABLE, 'match'],
    ['arn:aws:dynamodb:eu-west-1:123456789012:table/Tasks', TABLE, 'nomatch'],
    ['arn:aws:dynamodb:us-east-1:999999999999:table/Tasks', TABLE, 'nomatch'],
    ['arn:aws:dynamodb:us-east-1:123456789012:table/Task?', TABLE, 'match'],
    ['arn:aws:dynamodb:us-east-1:123456789012:table/tasks', TABLE, 'nomatch'],
    ['arn:aws:dynamodb:us-east-1:123456789012:table/*', TABLE, 'match'],
    ['arn:aws:dynamodb:us-east-1:123456789012:*', TABLE, 'match'],
  ])('WHEN the statement names %s THEN the request %s is a %s', (policy, request, expected) => {
    expect(matches(policy, request)).toBe(expected);
  });

  test('WHEN a wildcard stands in the resource type ("can\'t use a wildcard in the portion ... that specifies the resource type") THEN it is literal', () => {
    expect(matches('arn:aws:dynamodb:us-east-1:123456789012:ta*le/Tasks', TABLE)).toBe('nomatch');
  });

  test('WHEN the policy ARN is cut short THEN its missing segments read as *', () => {
    expect(matches('arn:aws:dynamodb', TABLE)).toBe('match');
    expect(matches('arn:aws:s3', TABLE)).toBe('nomatch');
  });

  test('WHEN the statement names something that is not an ARN THEN it covers nothing', () => {
    expect(matches('Tasks', TABLE)).toBe('nomatch');
  });
});

describe('GIVEN an action without resource-level permissions (requested on *)', () => {
  test('THEN only Resource "*" covers it', () => {
    expect(matches('*', '*')).toBe('match');
    expect(matches('arn:aws:dynamodb:*:*:*', '*')).toBe('nomatch');
  });
});

describe('GIVEN variables in the Resource element', () => {
  test('WHEN the resource part holds one the request carries THEN it is filled in', () => {
    const context = { 'aws:PrincipalTag/team': 'Tasks' };
    expect(matches('arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/team}', TABLE, context)).toBe('match');
    expect(
      matches('arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/team}', TABLE, { 'aws:PrincipalTag/team': 'Other' }),
    ).toBe('nomatch');
  });

  test('WHEN the request lacks it THEN the entry cannot be compared ("any attempt to match it fails")', () => {
    expect(matches('arn:aws:dynamodb:*:*:table/${aws:username}', TABLE)).toBe('invalid');
  });

  test('WHEN a variable stands before the fifth colon THEN it is not filled in ("only in the resource portion")', () => {
    const context = { 'aws:PrincipalAccount': '123456789012' };
    expect(matches('arn:aws:dynamodb:us-east-1:${aws:PrincipalAccount}:table/Tasks', TABLE, context)).toBe('nomatch');
  });
});

describe('GIVEN ARNs to split', () => {
  test("THEN the resource part keeps its colons, and a variable's colon separates nothing", () => {
    expect(splitArn('arn:aws:logs:us-east-1:1:log-group:/aws/lambda/x:*')).toEqual([
      'aws',
      'logs',
      'us-east-1',
      '1',
      'log-group:/aws/lambda/x:*',
    ]);
    expect(splitArn('arn:aws:iam::${aws:PrincipalAccount}:role/x')).toEqual([
      'aws',
      'iam',
      '',
      '${aws:PrincipalAccount}',
      'role/x',
    ]);
    expect(splitArn('arn:aws:iam')).toBeUndefined();
    expect(splitArn('urn:aws:iam::1:role/x')).toBeUndefined();
  });
});
