import { ACCESS_PATTERNS_ENV, TABLE_NAME_ENV } from '../helpers/iam/access-patterns';
import { AppUnderTest, appsUnderTest } from '../helpers/iam/apps';
import { Tally } from '../helpers/iam/evaluate';
import { RoleUnderTest } from '../helpers/iam/model';
import { checkRole, describeRole, report } from '../helpers/iam/run';

/**
 * Least privilege, proven by evaluation: every role of every app under test is evaluated with an
 * offline IAM evaluator against cases derived from what its function declares (TABLE_ACCESS_PATTERNS).
 * Each role is one test; a failure lists every case that did not come out as expected.
 */

const APPS = appsUnderTest();
const ROLES: { name: string; app: AppUnderTest; role: RoleUnderTest }[] = APPS.flatMap((app) =>
  app.model.roles.map((role) => ({
    name: `${app.name}: ${describeRole(role)}`,
    app,
    role,
  })),
);
const tally = new Tally();

afterAll(() => process.stdout.write(`${tally.summary()}\n`));

describe.each(APPS)('GIVEN the app $name', ({ model }) => {
  test('THEN every function using the table declares its access patterns', () => {
    const undeclared = model.functions
      .filter((f) => TABLE_NAME_ENV in f.environment && !(ACCESS_PATTERNS_ENV in f.environment))
      .map((f) => `function ${f.logicalId} has no ${ACCESS_PATTERNS_ENV}`);
    expect(undeclared).toEqual([]);
  });

  test('THEN it has an API role, and a role for each function', () => {
    expect(model.roles.some((r) => r.invokes.length > 0)).toBe(true);
    expect(model.functions.every((f) => model.roles.some((r) => r.function === f))).toBe(true);
  });
});

test.each(ROLES)('$name: every case comes out as least privilege expects', async ({ app, role }) => {
  const result = await checkRole(app.model, role.logicalId);
  tally.add(app.name, role.logicalId, result.outcomes);
  expect(result.cases.length).toBeGreaterThan(0);
  const problems = report(result);
  if (problems) throw new Error(`${role.logicalId} in ${app.name}:\n${problems}`);
});

test('GIVEN a real role with its Null guard removed THEN its keyless cases fail: the suite can fail on real apps', async () => {
  const app = APPS[0];
  const role = app.model.roles.find((r) => r.function && JSON.stringify(r.policies).includes('"Null"'))!;
  const weakened = JSON.parse(JSON.stringify(role.policies).replace(/,"Null":\{"dynamodb:LeadingKeys":"false"\}/g, ''));
  const model = { ...app.model, roles: app.model.roles.map((r) => (r === role ? { ...r, policies: weakened } : r)) };
  const result = await checkRole(model, role.logicalId);
  const failed = result.outcomes.filter((o) => !o.ok);
  expect(failed.length).toBeGreaterThan(0);
  expect(failed.every((o) => o.got === 'Allowed' && !('dynamodb:LeadingKeys' in o.case.context))).toBe(true);
});
