import { conditionMatches } from '../../../src/local/iam/conditions';
import { contextValue, resolvePolicyString } from '../../../src/local/iam/variables';

/**
 * Policy variables, their defaults and the escapes ${*}, ${?}, ${$}.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */

const CONTEXT = {
  'aws:PrincipalTag/team': 'blue',
  'aws:userid': 'AROAEXAMPLE:tasks',
  'dynamodb:LeadingKeys': ['a', 'b'],
  'test:star': 'a*b',
};

const resolve = (value: string) => resolvePolicyString(value, CONTEXT, { variables: true });

describe('GIVEN a policy string with variables', () => {
  test('WHEN the request carries the key THEN the variable becomes its value, as literal text', () => {
    expect(resolve('TEAM#${aws:PrincipalTag/team}#*')).toEqual({
      segments: [{ literal: 'TEAM#blue#' }, { wildcard: '*' }],
    });
  });

  test('WHEN the key is written in another case THEN it still resolves ("key names are case-insensitive")', () => {
    expect(resolve('${AWS:UserId}')).toEqual({ segments: [{ literal: 'AROAEXAMPLE:tasks' }] });
    expect(contextValue(CONTEXT, 'AWS:PRINCIPALTAG/TEAM')).toBe('blue');
  });

  test('WHEN the value holds * THEN it is a literal star, never a wildcard', () => {
    expect(resolve('${test:star}')).toEqual({ segments: [{ literal: 'a*b' }] });
    expect(conditionMatches('StringLike', 'test:value', ['${test:star}'], { ...CONTEXT, 'test:value': 'aXXb' })).toBe(
      false,
    );
    expect(conditionMatches('StringLike', 'test:value', ['${test:star}'], { ...CONTEXT, 'test:value': 'a*b' })).toBe(
      true,
    );
  });

  test('WHEN the request lacks the key THEN the string is unresolved ("not present ... any attempt to match it fails")', () => {
    expect(resolve('USER#${aws:username}')).toEqual({ unresolved: 'aws:username', why: 'missing' });
  });

  test('WHEN the key is multivalued THEN it cannot stand for one value and is unresolved', () => {
    expect(resolve('${dynamodb:LeadingKeys}')).toEqual({ unresolved: 'dynamodb:LeadingKeys', why: 'multivalued' });
  });

  test("WHEN the variable names a default ('company-wide') THEN a missing key takes it, a present one keeps its value", () => {
    expect(resolve("TEAM#${aws:PrincipalTag/site, 'company-wide'}")).toEqual({
      segments: [{ literal: 'TEAM#company-wide' }],
    });
    expect(resolve("TEAM#${aws:PrincipalTag/team, 'company-wide'}")).toEqual({ segments: [{ literal: 'TEAM#blue' }] });
  });

  test('WHEN the string holds ${*}, ${?} or ${$} THEN they are the characters themselves', () => {
    expect(resolve('a${*}b${?}c${$}')).toEqual({ segments: [{ literal: 'a*b?c$' }] });
    expect(conditionMatches('StringLike', 'test:value', ['a${*}'], { 'test:value': 'a*' })).toBe(true);
    expect(conditionMatches('StringLike', 'test:value', ['a${*}'], { 'test:value': 'ab' })).toBe(false);
  });

  test('WHEN ${ is not closed THEN it is literal text', () => {
    expect(resolve('cost$ {x} ${unclosed')).toEqual({ segments: [{ literal: 'cost$ {x} ${unclosed' }] });
  });

  test('WHEN the operator takes no variables (Numeric, Bool) THEN ${...} stays literal text', () => {
    expect(resolvePolicyString('${aws:userid}', CONTEXT, { variables: false })).toEqual({
      segments: [{ literal: '${aws:userid}' }],
    });
  });
});
