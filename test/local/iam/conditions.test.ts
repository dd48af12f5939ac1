import type { RequestContext } from '../../../src/local/iam';
import { conditionMatches, describeFailure, failedCondition } from '../../../src/local/iam/conditions';

/**
 * Condition operators, one rule per test.
 * Operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * Set prefixes: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 * Multiple values and keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
 */

const match = (operator: string, values: string[], value: string | string[] | undefined, extra: RequestContext = {}) =>
  conditionMatches(operator, 'test:key', values, { ...(value === undefined ? {} : { 'test:key': value }), ...extra });

describe('GIVEN the string operators', () => {
  test.each<[string, string[], string, boolean]>([
    ['StringEquals', ['USER#bob'], 'USER#bob', true],
    ['StringEquals', ['USER#bob'], 'user#bob', false],
    ['StringEquals', ['USER#*'], 'USER#bob', false],
    ['StringNotEquals', ['USER#bob'], 'USER#alice', true],
    ['StringNotEquals', ['USER#bob'], 'USER#bob', false],
    ['StringEqualsIgnoreCase', ['USER#Bob'], 'user#BOB', true],
    ['StringNotEqualsIgnoreCase', ['USER#Bob'], 'user#BOB', false],
    ['StringLike', ['USER#*'], 'USER#bob', true],
    ['StringLike', ['USER#?'], 'USER#bo', false],
    ['StringNotLike', ['USER#*'], 'PROJECT#1', true],
    ['StringNotLike', ['USER#*'], 'USER#1', false],
  ])('WHEN %s %j meets %j THEN it is %s', (operator, values, value, expected) => {
    expect(match(operator, values, value)).toBe(expected);
  });

  test('WHEN a condition lists several values THEN any one matching is enough (values are OR-ed)', () => {
    expect(match('StringEquals', ['a', 'b', 'c'], 'b')).toBe(true);
    expect(match('StringEquals', ['a', 'b', 'c'], 'd')).toBe(false);
  });

  test('WHEN a negated operator lists several values THEN none may match', () => {
    expect(match('StringNotEquals', ['a', 'b'], 'c')).toBe(true);
    expect(match('StringNotEquals', ['a', 'b'], 'b')).toBe(false);
  });

  test('WHEN the operator name is written in another case THEN it is the same operator', () => {
    expect(match('stringlike', ['a*'], 'abc')).toBe(true);
  });
});

describe('GIVEN the numeric operators', () => {
  test.each<[string, string, string, boolean]>([
    ['NumericEquals', '10', '10', true],
    ['NumericEquals', '10', '10.0', true],
    ['NumericNotEquals', '10', '11', true],
    ['NumericLessThan', '10', '9', true],
    ['NumericLessThan', '10', '10', false],
    ['NumericLessThanEquals', '10', '10', true],
    ['NumericGreaterThan', '10', '11', true],
    ['NumericGreaterThan', '10', '10', false],
    ['NumericGreaterThanEquals', '10', '10', true],
    ['NumericGreaterThanEquals', '1e3', '1000', true],
  ])('WHEN %s %s meets %s THEN it is %s', (operator, policy, value, expected) => {
    expect(match(operator, [policy], value)).toBe(expected);
  });

  test('WHEN either side is not a number THEN neither the operator nor its negation matches', () => {
    expect(match('NumericEquals', ['10'], '10abc')).toBe(false);
    expect(match('NumericNotEquals', ['10'], 'ten')).toBe(false);
    expect(match('NumericLessThan', ['${aws:userid}'], '1', { 'aws:userid': '5' })).toBe(false);
  });
});

describe('GIVEN Bool', () => {
  test('WHEN true or false is compared THEN case does not matter', () => {
    expect(match('Bool', ['true'], 'TRUE')).toBe(true);
    expect(match('Bool', ['false'], 'true')).toBe(false);
  });

  test('WHEN the value is not a boolean THEN it does not match; Bool takes no variables ("can\'t use a policy variable with ... Boolean")', () => {
    expect(match('Bool', ['yes'], 'yes')).toBe(false);
    expect(match('Bool', ['${test:flag}'], 'true', { 'test:flag': 'true' })).toBe(false);
  });
});

describe('GIVEN the ARN operators ("each of the six colon-delimited components of the ARN is checked separately")', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/tasks';
  test.each<[string, string, boolean]>([
    ['ArnLike', 'arn:aws:iam::123456789012:role/*', true],
    ['ArnLike', 'arn:aws:iam::*:role/t?sks', true],
    ['ArnEquals', 'arn:aws:iam::*:role/tasks', true],
    ['ArnLike', 'arn:aws:iam::123456789012:role/Tasks', false],
    ['ArnLike', 'arn:aws:*:123456789012:role/tasks', false],
    ['ArnNotLike', 'arn:aws:iam::*:role/admin*', true],
    ['ArnNotEquals', 'arn:aws:iam::123456789012:role/tasks', false],
  ])('WHEN %s %s meets the role ARN THEN it is %s', (operator, policy, expected) => {
    expect(match(operator, [policy], ROLE)).toBe(expected);
  });

  test('WHEN the request value is not an ARN THEN neither ArnLike nor ArnNotLike matches', () => {
    expect(match('ArnLike', ['arn:aws:iam::*:role/*'], 'tasks')).toBe(false);
    expect(match('ArnNotLike', ['arn:aws:iam::*:role/*'], 'tasks')).toBe(false);
  });

  test('WHEN the ARN holds a variable THEN it is filled in', () => {
    expect(
      match('ArnLike', ['arn:aws:iam::${aws:PrincipalAccount}:role/*'], ROLE, {
        'aws:PrincipalAccount': '123456789012',
      }),
    ).toBe(true);
    expect(match('ArnLike', ['arn:aws:iam::${aws:PrincipalAccount}:role/*'], ROLE)).toBe(false);
  });
});

describe('GIVEN a key the request does not carry', () => {
  test('THEN a positive operator does not match, a negated one does ("If the key ... is not present ... the condition is true" for Not operators)', () => {
    expect(match('StringEquals', ['a'], undefined)).toBe(false);
    expect(match('StringNotEquals', ['a'], undefined)).toBe(true);
    expect(match('ArnNotLike', ['arn:*'], undefined)).toBe(true);
  });

  test('THEN ...IfExists evaluates to true ("If the key is not present, evaluate the condition element as true")', () => {
    expect(match('StringEqualsIfExists', ['SPECIFIC_ATTRIBUTES'], undefined)).toBe(true);
    expect(match('StringEqualsIfExists', ['SPECIFIC_ATTRIBUTES'], 'ALL_ATTRIBUTES')).toBe(false);
    expect(match('StringEqualsIfExists', ['SPECIFIC_ATTRIBUTES'], 'SPECIFIC_ATTRIBUTES')).toBe(true);
  });

  test('THEN ForAllValues is true (vacuously, "if there are no context keys in the request") and ForAnyValue false', () => {
    expect(match('ForAllValues:StringLike', ['USER#*'], undefined)).toBe(true);
    expect(match('ForAnyValue:StringLike', ['USER#*'], undefined)).toBe(false);
  });

  test('THEN ForAnyValue with IfExists is true, as IfExists says for an absent key', () => {
    expect(match('ForAnyValue:StringLikeIfExists', ['USER#*'], undefined)).toBe(true);
  });

  test('THEN Null true matches and Null false does not ("Null": is the key absent)', () => {
    expect(match('Null', ['true'], undefined)).toBe(true);
    expect(match('Null', ['false'], undefined)).toBe(false);
    expect(match('Null', ['false'], ['USER#1'])).toBe(true);
    expect(match('Null', ['true'], 'x')).toBe(false);
  });
});

describe('GIVEN a multivalued key (dynamodb:LeadingKeys)', () => {
  test('THEN ForAllValues needs every value to match one of the policy values', () => {
    expect(match('ForAllValues:StringLike', ['USER#*', 'TEAM#*'], ['USER#1', 'TEAM#2'])).toBe(true);
    expect(match('ForAllValues:StringLike', ['USER#*'], ['USER#1', 'PROJECT#2'])).toBe(false);
  });

  test('THEN ForAnyValue needs one value to match', () => {
    expect(match('ForAnyValue:StringLike', ['USER#*'], ['USER#1', 'PROJECT#2'])).toBe(true);
    expect(match('ForAnyValue:StringLike', ['USER#*'], ['PROJECT#2'])).toBe(false);
  });

  test('THEN a negated operator under a set prefix applies to each value', () => {
    expect(match('ForAllValues:StringNotLike', ['SECRET*'], ['a', 'b'])).toBe(true);
    expect(match('ForAllValues:StringNotLike', ['SECRET*'], ['a', 'SECRET1'])).toBe(false);
    expect(match('ForAnyValue:StringNotLike', ['SECRET*'], ['a', 'SECRET1'])).toBe(true);
  });

  test('THEN an empty set satisfies ForAllValues and not ForAnyValue', () => {
    expect(match('ForAllValues:StringEquals', ['a'], [])).toBe(true);
    expect(match('ForAnyValue:StringEquals', ['a'], [])).toBe(false);
  });

  test('THEN an operator without a set prefix never matches it, negated or not ("use ForAllValues or ForAnyValue")', () => {
    expect(match('StringLike', ['USER#*'], ['USER#1'])).toBe(false);
    expect(match('StringNotLike', ['USER#*'], ['PROJECT#1'])).toBe(false);
  });

  test('THEN a set prefix on a single-valued key treats the value as a set of one', () => {
    expect(match('ForAllValues:StringEquals', ['ALL_ATTRIBUTES'], 'ALL_ATTRIBUTES')).toBe(true);
  });
});

describe('GIVEN a condition block', () => {
  const block = {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] },
    Null: { 'dynamodb:LeadingKeys': ['false'] },
    StringEquals: { 'aws:PrincipalType': ['AssumedRole'], 'aws:PrincipalAccount': ['123456789012'] },
  };
  const context = {
    'dynamodb:LeadingKeys': ['USER#1'],
    'aws:PrincipalType': 'AssumedRole',
    'aws:PrincipalAccount': '123456789012',
  };

  test('WHEN every operator and every key holds THEN the block holds (operators and keys are AND-ed)', () => {
    expect(failedCondition(block, context)).toBeUndefined();
  });

  test('WHEN one key of one operator fails THEN the block fails on it, and says which', () => {
    const failure = failedCondition(block, { ...context, 'aws:PrincipalAccount': '999999999999' });
    expect(failure).toMatchObject({ operator: 'StringEquals', key: 'aws:PrincipalAccount' });
    expect(describeFailure(failure!)).toBe(
      'StringEquals aws:PrincipalAccount ["123456789012"] did not match "999999999999"',
    );
  });

  test('WHEN the key is absent THEN the failure says the request carries none', () => {
    const failure = failedCondition(block, { ...context, 'dynamodb:LeadingKeys': undefined! });
    expect(describeFailure(failure!)).toBe(
      'Null dynamodb:LeadingKeys ["false"] did not match: the request carries no dynamodb:LeadingKeys',
    );
  });

  test('WHEN a values list fails THEN the failure shows the request values', () => {
    const failure = failedCondition(block, { ...context, 'dynamodb:LeadingKeys': ['USER#1', 'PROJECT#2'] });
    expect(describeFailure(failure!)).toBe(
      'ForAllValues:StringLike dynamodb:LeadingKeys ["USER#*"] did not match ["USER#1","PROJECT#2"]',
    );
  });

  test('WHEN the operator is one the local evaluator does not evaluate (dates) THEN the condition fails and says so', () => {
    const failure = failedCondition(
      { DateGreaterThan: { 'aws:CurrentTime': ['2020-01-01T00:00:00Z'] } },
      { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
    );
    expect(describeFailure(failure!)).toBe(
      'DateGreaterThan aws:CurrentTime ["2020-01-01T00:00:00Z"] uses an operator the local evaluator does not support',
    );
  });
});
