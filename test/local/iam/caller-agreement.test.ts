import { LocalSessions, SessionComparison, disagreeing } from '../../helpers/iam/agreement-sessions';
import { callerBoundPartners, callerBoundShop, modelOf } from '../../helpers/iam/apps';
import { roleCases } from '../../helpers/iam/cases';
import { RoleUnderTest, StackModel } from '../../helpers/iam/model';

/**
 * Caller-bound partitions, decided by the local API as iam-simulate decides them. A function takes a session of its
 * caller role through the local STS (`AssumeRole` with the caller's values as session tags, authorized by the role's
 * trust policy and the function role's identity policy), then signs its table requests with that session's
 * credentials; the table endpoint evaluates them with `aws:PrincipalTag/<key>` set from the session.
 * Every trust case and every case of every caller role the least-privilege suite generates
 * (test/helpers/iam/cases-caller.ts) is made that way and must come out as iam-simulate decides it.
 * Session tags, and what AssumeRole needs to pass them: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
 * aws:PrincipalTag, aws:RequestTag, aws:TagKeys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
 */

const all: SessionComparison[] = [];

afterAll(() => {
  const count = (via: SessionComparison['via']) => all.filter((c) => c.via === via).length;
  process.stdout.write(
    `caller-bound agreement: ${all.length} requests (${count('sts')} decided by the local STS, ${count('table endpoint')} by the table endpoint, ${count('evaluator')} by its evaluator), ${disagreeing(all).length} disagreements\n`,
  );
});

const APPS: [string, StackModel][] = [
  ['shop (JWT id and claim)', modelOf(callerBoundShop())],
  ['partners (Lambda authorizer context)', modelOf(callerBoundPartners())],
];

describe.each(APPS)('GIVEN the caller-bound app %s', (_, model) => {
  const local = new LocalSessions(model);
  const callerRoles = model.roles.filter((r) => r.assumedBy);
  const functionRoles = model.roles.filter((r) => r.function);
  const owners = functionRoles.filter((r) => callerRoles.some((c) => c.assumedBy!.roleArn === r.arn));
  const named = (roles: RoleUnderTest[]) => roles.map((r) => [r.logicalId, r] as const);

  test('THEN each function with caller-bound patterns has its caller role', () => {
    expect(callerRoles.map((r) => r.assumedBy!.logicalId).sort()).toEqual(
      model.functions
        .filter((f) => 'TABLE_CALLER_ROLE_ARN' in f.environment)
        .map((f) => f.logicalId)
        .sort(),
    );
    expect(callerRoles.length).toBeGreaterThan(0);
  });

  test.each(named(functionRoles))(
    'WHEN %s asks the local STS for sessions of each caller role, with each tag set THEN it gets credentials exactly when iam-simulate allows it',
    async (__, role) => {
      const comparisons = await local.compareTrust(role, roleCases(model, role).cases);
      all.push(...comparisons);
      expect(comparisons.length).toBeGreaterThanOrEqual(callerRoles.length);
      expect(disagreeing(comparisons)).toEqual([]);
      // Only the owner of a caller role gets a session of it, and then only with its declared tags.
      const owns = callerRoles.filter((c) => c.assumedBy!.roleArn === role.arn).length;
      expect(comparisons.filter((c) => c.localAllows).length).toBe(owns);
    },
  );

  test.each(named(callerRoles))(
    'WHEN %s is used from sessions tagged as each case says THEN the local API decides each request as iam-simulate does',
    async (__, role) => {
      const comparisons = await local.compareSessions(role, roleCases(model, role).cases);
      all.push(...comparisons);
      expect(disagreeing(comparisons)).toEqual([]);
      // Alice's session is handed out and reaches her partitions through the table endpoint; untagged ones are not.
      expect(comparisons.some((c) => c.via === 'table endpoint' && c.localAllows)).toBe(true);
      expect(comparisons.some((c) => c.via === 'sts' && !c.localAllows)).toBe(true);
    },
  );

  test.each(named(owners))(
    "WHEN %s signs requests for either caller's partition of its caller-bound patterns with its own credentials THEN the table endpoint denies them as iam-simulate does",
    async (__, role) => {
      const comparisons = await local.compareFunction(role, roleCases(model, role).cases);
      all.push(...comparisons);
      expect(comparisons.length).toBeGreaterThan(0);
      expect(comparisons.every((c) => c.via === 'table endpoint' && !c.localAllows)).toBe(true);
      expect(disagreeing(comparisons)).toEqual([]);
    },
  );
});

describe('GIVEN session tag values that would stretch a LeadingKeys pattern over other partitions', () => {
  const [, model] = APPS[0];
  const local = new LocalSessions(model);
  const role = model.roles.find((r) => r.assumedBy?.logicalId.includes('cart'))!;

  // https://docs.aws.amazon.com/STS/latest/APIReference/API_Tag.html: a value matches [\p{L}\p{Z}\p{N}_.:/=+\-@]*
  test.each(['u-1#CART', 'u-*', 'u-?'])(
    'WHEN the function passes userId %s THEN the STS refuses it as STS does',
    (value) => {
      const outcome = local.sessions.assumeRole(local.keyOf(role.assumedBy!.logicalId), {
        roleArn: role.arn,
        sessionName: 'agreement',
        tags: [['userId', value]],
      });
      expect(outcome).toEqual({
        ok: false,
        status: 400,
        code: 'ValidationError',
        message: `1 validation error detected: Value '${value}' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`,
        reason: `1 validation error detected: Value '${value}' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`,
      });
    },
  );
});
