import fc from 'fast-check';
import { leadingKeysPattern } from '../../../src/shared/key-shape';
import { Comparison, compare, disagreements, statementsOf } from '../../helpers/iam/agreement';
import { Case } from '../../helpers/iam/evaluate';
import { JsonObject } from '../../helpers/iam/template';

/**
 * Generated agreement: random partition keys (with `#`, `*`, `?`, `$`, braces, empty values, accents, CJK and
 * astral characters) against the statements the construct writes, and random string conditions against random
 * requests, decided by iam-simulate and by the package's evaluator.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 *
 * Two deliberate differences stay out of the generated values (unit tests in wildcards.test.ts pin them): a line
 * break, which iam-simulate's `*` and `?` do not match, and a lone `?` against an astral character, which
 * iam-simulate counts as two characters.
 */

const ROLE = 'arn:aws:iam::123456789012:role/tasksRole';
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Tasks';

const CHARACTERS = [
  'a',
  'Z',
  '0',
  '#',
  '-',
  '_',
  '.',
  '/',
  ':',
  '*',
  '?',
  '$',
  '{',
  '}',
  '\\',
  'é',
  'ß',
  '中',
  '\u0301',
];
const ASTRAL = '😀';

/** One principal with these statements, as the harness runs it. */
const principalWith = (statements: JsonObject[]) => ({
  name: 'tasksRole',
  arn: ROLE,
  policies: [{ name: 'access', document: { Version: '2012-10-17', Statement: statements } }],
});

async function decideBoth(statements: JsonObject[], c: Case): Promise<Comparison> {
  const principal = principalWith(statements);
  return compare(principal, statementsOf(principal), c);
}

const batchGet = (keys: readonly string[], extra: { [key: string]: string } = {}): Case => ({
  action: 'dynamodb:BatchGetItem',
  resource: TABLE,
  context: { ...(keys.length ? { 'dynamodb:LeadingKeys': [...keys] } : {}), ...extra },
  expected: 'Denied',
  why: 'generated',
});

/** A key shape as the construct accepts it: literal text (no wildcard, brace or space) and `{param}`s between. */
const literal = fc.string({
  unit: fc.constantFrom('A', 'b', '9', '#', '-', '_', '.', 'é', '中', ASTRAL),
  minLength: 1,
  maxLength: 4,
});
const shape = fc
  .array(literal, { minLength: 1, maxLength: 3 })
  .map((literals) => literals.map((l, i) => (i < literals.length - 1 ? `${l}{p${i}}` : l)).join(''))
  .chain((s) => fc.constantFrom(s, `${s}{last}`));
const paramValue = fc.string({ unit: fc.constantFrom(...CHARACTERS, ASTRAL), maxLength: 3 });

/** Fills each `{param}` (or wildcard) with a value, an empty one included: the boundaries a pattern must get right. */
const fill = (template: string, holes: RegExp, values: readonly string[]) => {
  let i = 0;
  return template.replace(holes, () => values[i++ % values.length] ?? '');
};

describe("GIVEN the construct's statement shape (ForAllValues:StringLike LeadingKeys with the Null guard)", () => {
  test('WHEN random keys, inside and outside the shapes, are requested THEN both evaluators decide alike', async () => {
    const anyKey = fc.string({ unit: fc.constantFrom(...CHARACTERS, ASTRAL), maxLength: 8 });
    const keyFor = (shapes: string[]) =>
      fc.oneof(
        anyKey,
        fc
          .tuple(fc.constantFrom(...shapes), fc.array(paramValue, { minLength: 1, maxLength: 4 }))
          .map(([s, values]) => fill(s, /\{[^}]+\}/g, values)),
      );
    const scenario = fc
      .array(shape, { minLength: 1, maxLength: 3 })
      .chain((shapes) => fc.tuple(fc.constant(shapes), fc.array(keyFor(shapes), { maxLength: 3 })));
    let allowed = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ([shapes, keys]) => {
        const statement = {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
          Resource: TABLE,
          Condition: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': shapes.map(leadingKeysPattern) },
            Null: { 'dynamodb:LeadingKeys': 'false' },
          },
        };
        const comparison = await decideBoth([statement], batchGet(keys));
        if (comparison.local.decision === 'Allow') allowed++;
        expect(disagreements([comparison])).toEqual([]);
      }),
      { numRuns: 250 },
    );
    // The generator reaches both outcomes, so the property tests matching, not only refusing.
    expect(allowed).toBeGreaterThan(20);
  });
});

describe('GIVEN random string conditions (operators, set prefixes, IfExists, wildcards, variables)', () => {
  const bmp = fc.string({ unit: fc.constantFrom(...CHARACTERS), maxLength: 5 });
  const policyValue = fc
    .array(
      fc.oneof(
        bmp,
        fc.constantFrom(
          '*',
          '?',
          '${*}',
          '${?}',
          '${$}',
          '${aws:username}',
          '${aws:PrincipalAccount}',
          "${aws:username, 'a'}",
        ),
      ),
      {
        maxLength: 3,
      },
    )
    .map((parts) => parts.join(''));
  const operator = fc
    .tuple(
      fc.constantFrom('', 'ForAllValues:', 'ForAnyValue:'),
      fc.constantFrom(
        'StringLike',
        'StringNotLike',
        'StringEquals',
        'StringNotEquals',
        'StringEqualsIgnoreCase',
        'StringNotEqualsIgnoreCase',
      ),
      fc.boolean(),
    )
    // IfExists under a set prefix is left out: iam-simulate ignores it there (see conditions.test.ts).
    .map(([set, base, ifExists]) => `${set}${base}${ifExists && !set ? 'IfExists' : ''}`);
  const statement = fc
    .record({
      effect: fc.constantFrom('Allow', 'Deny'),
      operator,
      key: fc.constantFrom('dynamodb:LeadingKeys', 'dynamodb:Select', 'aws:PrincipalType'),
      values: fc.array(policyValue, { minLength: 1, maxLength: 3 }),
    })
    // The special variables ${*}, ${?} and ${$} under the Equals operators are left out: iam-simulate never matches
    // them there, where the docs make them the literal character (see wildcards.test.ts).
    .filter((s) => !(/Equals/.test(s.operator) && s.values.some((v) => /\$\{[*?$]\}/.test(v))));
  /** A request value near one of the policy's: its wildcards and variables filled with zero, one or two characters. */
  const near = (values: readonly string[]) =>
    fc
      .tuple(
        fc.constantFrom(...values),
        fc.array(fc.string({ unit: fc.constantFrom(...CHARACTERS), maxLength: 2 }), { minLength: 1, maxLength: 3 }),
      )
      .map(([value, fills]) => fill(value, /\$\{[^}]*\}|[*?]/g, fills));
  const request = (values: readonly string[]) =>
    fc.record({
      keys: fc.array(fc.oneof({ arbitrary: near(values), weight: 3 }, bmp), { maxLength: 3 }),
      select: fc.option(fc.oneof({ arbitrary: near(values), weight: 3 }, bmp, fc.constantFrom('ALL_ATTRIBUTES')), {
        nil: undefined,
      }),
    });

  test('WHEN a random statement decides a random request THEN both evaluators decide alike', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        statement.chain((s) => fc.tuple(fc.constant(s), request(s.values))),
        async ([s, r]) => {
          const conditioned = {
            Effect: s.effect,
            Action: 'dynamodb:BatchGetItem',
            Resource: TABLE,
            Condition: { [s.operator]: { [s.key]: s.values } },
          };
          // A Deny only shows next to an Allow it can override.
          const statements =
            s.effect === 'Deny'
              ? [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }, conditioned]
              : [conditioned];
          const c = batchGet(r.keys, r.select === undefined ? {} : { 'dynamodb:Select': r.select });
          const comparison = await decideBoth(statements, c);
          seen.add(comparison.local.decision);
          expect(disagreements([comparison])).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
    expect([...seen].sort()).toEqual(['Allow', 'ExplicitDeny', 'ImplicitDeny']);
  });
});
