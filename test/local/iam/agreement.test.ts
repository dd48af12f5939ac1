import { Comparison, compare, disagreements, statementsOf, tallyDecisions } from '../../helpers/iam/agreement';
import { appsUnderTest } from '../../helpers/iam/apps';
import { roleCases } from '../../helpers/iam/cases';
import {
  FixtureTemplate,
  contractTemplate,
  statementsOf as fixtureStatements,
} from '../../helpers/iam/fixtures/contract-template';
import { POLICY_VARIANTS } from '../../helpers/iam/fixtures/variants';
import { StackModel, loadStack } from '../../helpers/iam/model';
import { JsonObject } from '../../helpers/iam/template';

/**
 * The agreement test: every case the least-privilege tests generate (test/helpers/iam/cases*.ts) over every app they
 * evaluate (apps.ts), over the hand-written contract fixture and its over-broad variants, and over policies with
 * the shapes users add (explicit Deny, NotAction, NotResource, variables, IfExists, attribute conditions), is
 * decided by iam-simulate and by the package's evaluator, and both must decide the same.
 * Semantics: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Table';
const all: Comparison[] = [];

/**
 * Compares every case of the roles (all, or `only` the one a variant changes, and then only the cases of the
 * services its change touches: the other cases are the unchanged policy's, compared in full above).
 */
async function compareModel(
  model: StackModel,
  only?: { role: string; services: readonly string[] },
): Promise<Comparison[]> {
  const comparisons: Comparison[] = [];
  for (const role of model.roles.filter((r) => !only || r.logicalId === only.role)) {
    const principal = { name: role.logicalId, arn: role.arn, policies: role.policies };
    const statements = statementsOf(principal);
    const cases = roleCases(model, role).cases.filter((c) => !only || only.services.includes(c.action.split(':')[0]));
    for (const c of cases) comparisons.push(await compare(principal, statements, c));
  }
  all.push(...comparisons);
  return comparisons;
}

afterAll(() => {
  process.stdout.write(
    `IAM agreement: ${all.length} cases, ${disagreements(all).length} disagreements (${tallyDecisions(all)})\n`,
  );
});

// Apps with caller roles are compared in caller-agreement.test.ts: their trust cases are the local STS's to decide,
// and their caller roles' requests are made with the sessions it hands out.
describe.each(appsUnderTest().filter(({ model }) => !model.roles.some((r) => r.assumedBy)))(
  'GIVEN the app $name',
  ({ model }) => {
    test('WHEN every generated case of every role is decided by both evaluators THEN they agree on each', async () => {
      const comparisons = await compareModel(model);
      expect(comparisons.length).toBeGreaterThan(400);
      expect(disagreements(comparisons)).toEqual([]);
    });
  },
);

describe('GIVEN the contract fixture and its over-broad variants', () => {
  test('WHEN decided as written THEN both evaluators agree, allowing and denying alike', async () => {
    const comparisons = await compareModel(loadStack(contractTemplate()));
    expect(disagreements(comparisons)).toEqual([]);
    expect(comparisons.some((c) => c.local.decision === 'Allow')).toBe(true);
  });

  test.each(POLICY_VARIANTS)('WHEN the policy has %s THEN both evaluators agree', async (_, change, role, failing) => {
    const services = [...new Set(failing.map((line) => line.split(':')[0]))];
    const comparisons = await compareModel(loadStack(change(contractTemplate())), { role, services });
    expect(comparisons.length).toBeGreaterThan(0);
    expect(disagreements(comparisons)).toEqual([]);
  });
});

/** The contract fixture with statements a user adds to the tasks function's role. */
function withStatements(...statements: JsonObject[]): FixtureTemplate {
  const template = contractTemplate();
  fixtureStatements(template, 'tasksRole').push(...statements);
  return template;
}

const USER_SHAPES: [string, JsonObject[]][] = [
  [
    'an explicit Deny of deletes and scans',
    [{ Effect: 'Deny', Action: ['dynamodb:DeleteItem', 'dynamodb:Scan'], Resource: '*' }],
  ],
  [
    'an explicit Deny of some partitions (ForAnyValue:StringLike)',
    [
      {
        Effect: 'Deny',
        Action: 'dynamodb:*',
        Resource: `${TABLE}*`,
        Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['PROJECT#p-1*', 'OTHER#*'] } },
      },
    ],
  ],
  [
    'NotAction with the LeadingKeys guard',
    [
      {
        Effect: 'Allow',
        NotAction: ['dynamodb:Delete*', 'dynamodb:Scan', 'dynamodb:PartiQL*', 'kms:*', 'logs:*'],
        Resource: TABLE,
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OTHER#*'] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      },
    ],
  ],
  ['NotResource on every index', [{ Effect: 'Allow', Action: 'dynamodb:Get*', NotResource: `${TABLE}/index/*` }]],
  [
    'a single-valued operator on LeadingKeys (matches no multivalued key)',
    [
      {
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: TABLE,
        Condition: { StringLike: { 'dynamodb:LeadingKeys': 'PROJECT#*' } },
      },
    ],
  ],
  [
    'variables: the principal in a condition, a missing aws:username in the resource',
    [
      {
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: TABLE,
        Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::${aws:PrincipalAccount}:role/tasks*' } },
      },
      { Effect: 'Allow', Action: 'dynamodb:Scan', Resource: 'arn:aws:dynamodb:*:*:table/${aws:username}' },
    ],
  ],
  [
    'attribute-level access (the DynamoDB guide example 2)',
    [
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: TABLE,
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['PK', 'SK', 'v'] },
          StringEqualsIfExists: {
            'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
            'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD'],
          },
        },
      },
    ],
  ],
  [
    'ARN, Bool and negated operators on the session',
    [
      {
        Effect: 'Allow',
        Action: 'dynamodb:BatchWriteItem',
        Resource: TABLE,
        Condition: {
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/tasks?ole' },
          Bool: { 'aws:SecureTransport': 'true' },
          StringNotEquals: { 'aws:PrincipalType': 'User' },
        },
      },
    ],
  ],
];

describe('GIVEN statements users add (explicit Deny, NotAction, NotResource, variables, attribute conditions)', () => {
  test.each(USER_SHAPES)('WHEN the role adds %s THEN both evaluators agree on every case', async (_, statements) => {
    const comparisons = await compareModel(loadStack(withStatements(...statements)), {
      role: 'tasksRole',
      services: ['dynamodb'],
    });
    expect(disagreements(comparisons)).toEqual([]);
  });

  test('THEN the shapes reach every decision: explicit denies among them', () => {
    expect(all.filter((c) => c.local.decision === 'ExplicitDeny').length).toBeGreaterThan(10);
  });
});
