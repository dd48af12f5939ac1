import { ACCESS_PATTERNS_ENV, TABLE_NAME_ENV } from '../helpers/iam/access-patterns';
import { AppUnderTest, appsUnderTest } from '../helpers/iam/apps';
import { roleCases } from '../helpers/iam/cases';
import { Tally, evaluateAll } from '../helpers/iam/evaluate';
import { PolicyDocument, RoleUnderTest, StackModel } from '../helpers/iam/model';
import { checkRole, describeRole, report } from '../helpers/iam/run';
import { JsonObject } from '../helpers/iam/template';

/**
 * Least privilege, proven by evaluation: every role of every app under test is evaluated with an
 * offline IAM evaluator against cases derived from what its function declares (TABLE_ACCESS_PATTERNS):
 * a function's role is granted its unbound patterns, the caller role it assumes with its caller's session
 * tags its caller-bound ones. Each role is one test; a failure lists every case that did not come out as expected.
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

test('GIVEN the shop with its route functions in nested stacks THEN its roles are read from the nested templates: the same functions and roles, an invoke role per nested stack', () => {
  const plain = APPS.find((a) => a.name === 'caller-bound-shop')!.model;
  const nested = APPS.find((a) => a.name === 'caller-bound-shop-nested')!.model;
  // logical ids in a nested template are relative to the nested stack: `cartFunction<hash>`, not `ShopFunctionscart...`
  const names = (model: StackModel) =>
    model.functions.map((f) => f.logicalId.replace(/^ShopFunctions/, '').replace(/[0-9A-F]{8}$/, '')).sort();
  expect(names(nested)).toEqual(['cartFunction', 'ordersFunction', 'preferencesFunction', 'sessionsFunction']);
  expect(names(nested)).toEqual(names(plain));
  const invokeRoles = (model: StackModel) => model.roles.filter((r) => r.invokes.length > 0).length;
  expect(invokeRoles(plain)).toBe(1);
  expect(invokeRoles(nested)).toBeGreaterThan(1);
  // AND besides them the same roles, plus the API's own invoke role, which invokes nothing here
  expect(nested.roles.length - invokeRoles(nested)).toBe(plain.roles.length - invokeRoles(plain) + 1);
});

test.each(ROLES)(
  '$name: every case comes out as least privilege expects',
  async ({ app, role }) => {
    const result = await checkRole(app.model, role.logicalId);
    tally.add(app.name, role.logicalId, result.outcomes, result.kind === 'caller');
    expect(result.cases.length).toBeGreaterThan(0);
    const problems = report(result);
    if (problems) throw new Error(`${role.logicalId} in ${app.name}:\n${problems}`);
    // A role is evaluated against a few hundred cases; the first one also loads the evaluator.
  },
  30_000,
);

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

/**
 * Caller-bound partitions: each weakening of a caller role, of its trust policy or of the function's own role must
 * fail exactly the cases that prove what it gave away, allowed where they expect a denial.
 * Session tags: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
 * aws:PrincipalTag, aws:RequestTag, aws:TagKeys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
 */
describe('GIVEN the caller-bound app with one of its roles weakened', () => {
  const app = APPS.find((a) => a.name === 'caller-bound-shop')!;
  const callerRole = app.model.roles.find((r) => r.assumedBy?.logicalId.includes('orders'))!;
  const functionRole = app.model.roles.find((r) => r.function === callerRole.assumedBy)!;

  /** The model with `role` changed as its JSON text, through `edit`. */
  function weakened(role: RoleUnderTest, edit: (json: string) => string): StackModel {
    const changed: RoleUnderTest = JSON.parse(edit(JSON.stringify(role)));
    expect(JSON.stringify(changed)).not.toBe(JSON.stringify(role));
    const roles = app.model.roles.map((r) =>
      r === role ? { ...changed, function: r.function, assumedBy: r.assumedBy } : r,
    );
    return { ...app.model, roles };
  }

  /** The reasons of the caller-bound cases that failed, each allowed where a denial was expected. */
  async function failures(model: StackModel, roleId: string): Promise<string[]> {
    const role = model.roles.find((r) => r.logicalId === roleId)!;
    const cases = roleCases(model, role).cases.filter((c) => c.callerBound);
    const failed = (await evaluateAll({ name: roleId, arn: role.arn, policies: role.policies }, cases)).filter(
      (o) => !o.ok,
    );
    expect(failed.every((o) => o.got === 'Allowed' && o.case.expected === 'Denied')).toBe(true);
    return [...new Set(failed.map((o) => o.case.why))].sort();
  }

  test("WHEN the caller role's LeadingKeys no longer name the session tags THEN other callers' partitions are allowed", async () => {
    const model = weakened(callerRole, (json) => json.replace(/\$\{aws:PrincipalTag\/\w+\}/g, '?*'));
    expect(await failures(model, callerRole.logicalId)).toEqual([
      "TENANT#t-123#USER#u-124 is another caller's partition",
      "TENANT#t-124 is another caller's partition",
      "TENANT#t-124#USER#u-123 is another caller's partition",
      "TENANT#t-124#USER#u-124 is another caller's partition",
    ]);
  });

  test('WHEN the trust policy no longer limits the tag keys THEN a session with a tag key more is allowed', async () => {
    const model = weakened(callerRole, (json) =>
      json.replace(/"ForAllValues:StringEquals":\{"aws:TagKeys":\[[^\]]*\]\},?/, ''),
    );
    expect(await failures(model, functionRole.logicalId)).toEqual(['tag key role is not declared']);
  });

  test('WHEN the trust policy no longer requires each tag THEN untagged sessions, missing and empty tags are allowed', async () => {
    const model = weakened(callerRole, (json) =>
      json.replace(/"Null":\{"aws:RequestTag[^}]*\},?/, '').replace(/,?"StringLike":\{"aws:RequestTag[^}]*\}/, ''),
    );
    expect(await failures(model, functionRole.logicalId)).toEqual([
      'an untagged session',
      'tag tenantId empty',
      'tag tenantId missing',
      'tag userId empty',
      'tag userId missing',
    ]);
  });

  test("WHEN the trust policy also names another function's role THEN that role may take the caller sessions", async () => {
    const other = app.model.roles.find((r) => r.function?.logicalId.includes('cart'))!;
    const model = weakened(callerRole, (json) =>
      json.replace(/"AWS":"([^"]+)"/, (_, owner: string) => `"AWS":${JSON.stringify([owner, other.arn])}`),
    );
    expect(await failures(model, other.logicalId)).toEqual([
      `the caller role of ${callerRole.assumedBy!.logicalId}, not of this role`,
    ]);
  });

  test('WHEN a function with caller-bound patterns does not name its caller role THEN both roles report it', () => {
    const owner = callerRole.assumedBy!;
    const { TABLE_CALLER_ROLE_ARN: _named, ...environment } = owner.environment;
    const unnamed = { ...owner, environment };
    const roles = app.model.roles.map((r) =>
      r === callerRole ? { ...r, assumedBy: unnamed } : r === functionRole ? { ...r, function: unnamed } : r,
    );
    const model = { ...app.model, roles, functions: app.model.functions.map((f) => (f === owner ? unnamed : f)) };
    const problem = (roleId: string) =>
      `role ${roleId}: function ${owner.logicalId} has 2 caller-bound patterns and TABLE_CALLER_ROLE_ARN (unset), and the roles trusting its role are [${callerRole.arn}]`;
    const problemsOf = (roleId: string) =>
      roleCases(
        model,
        roles.find((r) => r.logicalId === roleId)!,
      ).problems;
    expect(problemsOf(callerRole.logicalId)).toEqual([problem(callerRole.logicalId)]);
    expect(problemsOf(functionRole.logicalId)).toEqual([problem(functionRole.logicalId)]);
  });

  test("WHEN the function's own role is granted its caller-bound patterns unbound THEN either caller's partition is allowed to it", async () => {
    // What granting them to the function's role would write: `TENANT#?*` where the caller role names the tag.
    const unbound: PolicyDocument = JSON.parse(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: callerRole.policies
          .flatMap((p) => [p.document.Statement ?? []].flat() as JsonObject[])
          .filter((statement) => JSON.stringify(statement).includes('dynamodb:LeadingKeys'))
          .map(({ Condition, ...statement }) => {
            const { 'ForAllValues:StringLike': leadingKeys } = Condition as JsonObject;
            return {
              ...statement,
              Condition: { 'ForAllValues:StringLike': leadingKeys, Null: { 'dynamodb:LeadingKeys': 'false' } },
            };
          }),
      }).replace(/\$\{aws:PrincipalTag\/\w+\}/g, '?*'),
    );
    const model = weakened(functionRole, (json) => {
      const role: RoleUnderTest = JSON.parse(json);
      return JSON.stringify({ ...role, policies: [...role.policies, { name: 'inline:bound', document: unbound }] });
    });
    expect(await failures(model, functionRole.logicalId)).toEqual([
      'placeOrder is caller-bound: only a session of the caller role reaches TENANT#t-123#USER#u-123',
      'placeOrder is caller-bound: only a session of the caller role reaches TENANT#t-124#USER#u-124',
      'tenantOrders is caller-bound: only a session of the caller role reaches TENANT#t-123',
      'tenantOrders is caller-bound: only a session of the caller role reaches TENANT#t-124',
    ]);
  });
});
