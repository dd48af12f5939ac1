import { runSimulation } from '@cloud-copilot/iam-simulate';
import { evaluateIdentityPolicy } from '../../../src/local/iam';
import { matchesSegments, matchesWildcard } from '../../../src/local/iam/wildcards';

/**
 * IAM wildcards: `*` matches any combination of characters (none included), `?` any single character.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */

describe('GIVEN a pattern with * and ?', () => {
  test.each<[string, string, boolean]>([
    ['USER#*', 'USER#', true],
    ['USER#*', 'USER#bob', true],
    ['USER#*', 'USER', false],
    ['USER#?*', 'USER#', false],
    ['USER#?*', 'USER#b', true],
    ['A?C', 'ABC', true],
    ['A?C', 'AC', false],
    ['A?C', 'ABBC', false],
    ['*', '', true],
    ['*#*', 'a#b#c', true],
    ['user#*', 'USER#bob', false],
  ])('WHEN %s is matched against %j THEN it is %s (case-sensitive)', (pattern, value, expected) => {
    expect(matchesWildcard(pattern, value)).toBe(expected);
  });

  test('WHEN the pattern holds regular-expression characters THEN they are literal text', () => {
    for (const text of ['a.b', 'a+b', '(a)', '[a]', 'a\\b', '^a$', 'a|b', 'a/b', 'a{2}']) {
      expect(matchesWildcard(text, text)).toBe(true);
      expect(matchesWildcard(`${text}*`, `${text}x`)).toBe(true);
    }
    expect(matchesWildcard('a.b', 'axb')).toBe(false);
    expect(matchesWildcard('a+', 'aa')).toBe(false);
  });

  test('WHEN matching ignores case (actions) THEN any case matches', () => {
    expect(matchesWildcard('get*', 'GetItem', true)).toBe(true);
    expect(matchesWildcard('GETITEM', 'getitem', true)).toBe(true);
  });

  test('WHEN wildcards are not active (StringEquals) THEN * and ? are literal characters', () => {
    const segments = [{ literal: 'USER#' }, { wildcard: '*' as const }];
    expect(matchesSegments(segments, 'USER#*', { wildcards: false })).toBe(true);
    expect(matchesSegments(segments, 'USER#bob', { wildcards: false })).toBe(false);
    expect(matchesSegments(segments, 'USER#bob', { wildcards: true })).toBe(true);
  });
});

describe('GIVEN the places the local evaluator reads the docs differently from iam-simulate', () => {
  const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/T';
  const policy = (pattern: string, operator = 'StringLike') => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: TABLE,
        Condition: { [`ForAllValues:${operator}`]: { 'dynamodb:LeadingKeys': [pattern] } },
      },
    ],
  });
  async function simulate(pattern: string, key: string, operator?: string): Promise<string> {
    const response = await runSimulation(
      {
        request: {
          principal: 'arn:aws:sts::123456789012:assumed-role/r/s',
          action: 'dynamodb:GetItem',
          resource: { resource: TABLE, accountId: '123456789012' },
          contextVariables: { 'dynamodb:LeadingKeys': [key] },
        },
        identityPolicies: [{ name: 'p', policy: policy(pattern, operator) }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    return response.resultType === 'single' ? response.overallResult : response.resultType;
  }
  const local = (pattern: string, key: string, operator?: string) =>
    evaluateIdentityPolicy(
      [
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem'],
          Resource: [TABLE],
          Condition: policy(pattern, operator).Statement[0].Condition,
        },
      ],
      {
        action: 'dynamodb:GetItem',
        resource: TABLE,
        principalArn: 'arn:aws:sts::123456789012:assumed-role/r/s',
        context: { 'dynamodb:LeadingKeys': [key] },
      },
    ).decision;

  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars:
  // ${*}, ${?} and ${$} stand for the literal character "in string comparisons in the Condition element".
  test.each(['StringEquals', 'StringEqualsIgnoreCase'])(
    'WHEN %s compares ${$}, ${*} or ${?} THEN it matches the literal character; iam-simulate never matches it',
    async (operator) => {
      for (const [variable, literal] of [
        ['${$}', '$'],
        ['${*}', '*'],
        ['${?}', '?'],
      ]) {
        expect(await simulate(variable, literal, operator)).toBe('ImplicitlyDenied');
        expect(local(variable, literal, operator)).toBe('Allow');
        expect(local(variable, 'x', operator)).toBe('ImplicitDeny');
      }
    },
  );

  test('WHEN a key holds a line break THEN * matches it ("any combination of characters"); iam-simulate stops at it', async () => {
    expect(matchesWildcard('NOTE#*', 'NOTE#line one\nline two')).toBe(true);
    expect(local('NOTE#*', 'NOTE#a\nb')).toBe('Allow');
    expect(await simulate('NOTE#*', 'NOTE#a\nb')).toBe('ImplicitlyDenied');
  });

  test('WHEN ? meets a character outside the Basic Multilingual Plane THEN it matches one character; iam-simulate sees two', async () => {
    expect(matchesWildcard('EMOJI#?', 'EMOJI#😀')).toBe(true);
    expect(local('EMOJI#?', 'EMOJI#😀')).toBe('Allow');
    expect(await simulate('EMOJI#?', 'EMOJI#😀')).toBe('ImplicitlyDenied');
    // The construct's own patterns (`?*`) are unaffected: both evaluators allow.
    expect(local('EMOJI#?*', 'EMOJI#😀')).toBe('Allow');
    expect(await simulate('EMOJI#?*', 'EMOJI#😀')).toBe('Allowed');
  });
});
