import { ASSUME_ROLE, TAG_SESSION, requestTagsOf, sessionTagsOf } from './cases-caller';
import { Case, Decision as SimulatorDecision, Principal, evaluate } from './evaluate';
import { localAppOf } from './local-app';
import { FunctionUnderTest, RoleUnderTest, StackModel } from './model';
import type { TableAuthorizer } from '../../../src/local/contracts';
import {
  createTableAuthorizer,
  evaluateIdentityPolicy,
  functionPrincipal,
  sessionContext,
} from '../../../src/local/iam';
import { RoleSessions } from '../../../src/local/iam/role-sessions';
import type { LocalAppModel } from '../../../src/local/model';

/**
 * The local STS (`RoleSessions.assumeRole`) and the local table endpoint (`createTableAuthorizer` with those sessions)
 * against iam-simulate: each `AssumeRole` a case describes is made through the local STS, and each request of a
 * caller role's session is signed with the credentials it handed out.
 */

/** A trust case: `AssumeRole` or `TagSession` decided with the role's trust policy. */
export const isTrustCase = (c: Case): boolean =>
  (c.action === ASSUME_ROLE || c.action === TAG_SESSION) && c.resourcePolicy !== undefined;

/** One request both sides decided: allowed or not. */
export interface SessionComparison {
  readonly what: string;
  readonly simulator: SimulatorDecision | SimulatorDecision[];
  readonly simulatorAllows: boolean;
  readonly localAllows: boolean;
  /** How the local side decided: `sts`, `table endpoint`, `evaluator` (a request no DynamoDB call makes). */
  readonly via: 'sts' | 'table endpoint' | 'evaluator';
  readonly localReason?: string;
}

export const disagreeing = (comparisons: readonly SessionComparison[]): string[] =>
  comparisons
    .filter((c) => c.simulatorAllows !== c.localAllows)
    .map(
      (c) =>
        `${c.what}: iam-simulate ${JSON.stringify(c.simulator)}, local (${c.via}) ${c.localAllows ? 'Allow' : 'Deny'}${c.localReason ? ` (${c.localReason})` : ''}`,
    );

const principalOf = (role: RoleUnderTest): Principal => ({
  name: role.logicalId,
  arn: role.arn,
  policies: role.policies,
});

/** The local API's view of a stack: its STS, its table endpoint, and each function's access key id. */
export class LocalSessions {
  public readonly app: LocalAppModel;
  public readonly sessions: RoleSessions;
  public readonly authorizer: TableAuthorizer;
  private readonly identities: Map<string, string>;

  constructor(model: StackModel) {
    this.app = localAppOf(model, 'CallerBound');
    this.identities = new Map(Object.keys(this.app.functions).map((id) => [this.keyOf(id), id]));
    this.sessions = new RoleSessions(this.app, (accessKeyId) => {
      const id = this.identities.get(accessKeyId);
      const fn = id === undefined ? undefined : this.app.functions[id];
      return fn && { fn, principal: functionPrincipal(this.app, fn) };
    });
    this.authorizer = createTableAuthorizer(this.app, this.identities, this.sessions);
  }

  /** The access key id a function signs with. */
  public keyOf(functionId: string): string {
    return `AKID${functionId.replace(/[^A-Z0-9]/gi, '').toUpperCase()}`;
  }

  /**
   * The trust cases of a function's role, one `AssumeRole` per distinct request (its tags, on one role): iam-simulate
   * allows it when it allows each of its actions (`TagSession` too when tags are passed); the local STS, when it
   * hands out credentials.
   */
  public async compareTrust(role: RoleUnderTest, cases: readonly Case[]): Promise<SessionComparison[]> {
    const fn = role.function!;
    const requests = new Map<string, Case[]>();
    for (const c of cases.filter(isTrustCase)) {
      const key = `${c.resource} ${JSON.stringify(c.context)}`;
      requests.set(key, [...(requests.get(key) ?? []), c]);
    }
    const comparisons: SessionComparison[] = [];
    for (const [what, group] of requests) {
      const decisions = await Promise.all(group.map(async (c) => (await evaluate(principalOf(role), c)).got));
      const outcome = this.sessions.assumeRole(this.keyOf(fn.logicalId), {
        roleArn: group[0].resource,
        sessionName: 'agreement',
        tags: requestTagsOf(group[0]),
      });
      comparisons.push({
        what: `${fn.logicalId} AssumeRole ${what}`,
        simulator: decisions,
        simulatorAllows: decisions.every((d) => d === 'Allowed'),
        localAllows: outcome.ok,
        via: 'sts',
        ...(outcome.ok ? {} : { localReason: outcome.reason }),
      });
    }
    return comparisons;
  }

  /**
   * A caller role's cases, grouped by the session tags they carry: the function takes a session with those tags
   * through the local STS; where it gets one, each request is signed with it (through the table endpoint when a
   * DynamoDB call on a table of the stack makes it, else through the evaluator the endpoint uses, with the session's
   * own context); where the STS refuses the session, no request of it can be made, so the local side denies it.
   */
  public async compareSessions(role: RoleUnderTest, cases: readonly Case[]): Promise<SessionComparison[]> {
    const owner = role.assumedBy!;
    const bySession = new Map<string, Case[]>();
    for (const c of cases.filter((x) => !isTrustCase(x))) {
      const key = JSON.stringify(Object.entries(sessionTagsOf(c)).sort());
      bySession.set(key, [...(bySession.get(key) ?? []), c]);
    }
    const comparisons: SessionComparison[] = [];
    for (const [tags, group] of bySession) {
      const outcome = this.sessions.assumeRole(this.keyOf(owner.logicalId), {
        roleArn: role.arn,
        sessionName: 'agreement',
        tags: JSON.parse(tags),
      });
      for (const c of group) {
        const simulator = (await evaluate(principalOf(role), c)).got;
        const what = `${role.logicalId} session ${tags}: ${c.action} on ${c.resource} ${JSON.stringify(c.context)}`;
        const base = { what, simulator, simulatorAllows: simulator === 'Allowed' };
        if (!outcome.ok) {
          comparisons.push({ ...base, localAllows: false, via: 'sts', localReason: outcome.reason });
          // Had such a session been handed out, its role would still deny: the evaluator sees the case's tags.
          comparisons.push({ ...base, what: `${what} (the role alone)`, ...this.decideUntrusted(role, c) });
          continue;
        }
        comparisons.push({ ...base, ...this.decideLocally(outcome.accessKeyId, c) });
      }
    }
    return comparisons;
  }

  /** A function role's caller-bound cases, signed with the function's own credentials at the table endpoint. */
  public async compareFunction(role: RoleUnderTest, cases: readonly Case[]): Promise<SessionComparison[]> {
    const fn: FunctionUnderTest = role.function!;
    const comparisons: SessionComparison[] = [];
    for (const c of cases.filter((x) => x.callerBound && !isTrustCase(x))) {
      const simulator = (await evaluate(principalOf(role), c)).got;
      const what = `${role.logicalId}: ${c.action} on ${c.resource} ${JSON.stringify(c.context)}`;
      comparisons.push({
        what,
        simulator,
        simulatorAllows: simulator === 'Allowed',
        ...this.decideLocally(this.keyOf(fn.logicalId), c),
      });
    }
    return comparisons;
  }

  /** The role's own decision on a request of a session with the case's tags, which the STS would not hand out. */
  private decideUntrusted(
    role: RoleUnderTest,
    c: Case,
  ): Pick<SessionComparison, 'localAllows' | 'via' | 'localReason'> {
    const principal = {
      arn: `arn:aws:sts::${this.app.accountId}:assumed-role/${role.arn.split('/').pop()}/agreement`,
      accountId: this.app.accountId,
      region: this.app.region,
      roleArn: role.arn,
    };
    const verdict = evaluateIdentityPolicy(this.app.roles![role.arn].statements, {
      action: c.action,
      resource: c.resource,
      principalArn: principal.arn,
      context: { ...sessionContext(principal), ...c.context },
    });
    return { localAllows: verdict.decision === 'Allow', via: 'evaluator', localReason: verdict.reason };
  }

  private decideLocally(accessKeyId: string, c: Case): Pick<SessionComparison, 'localAllows' | 'via' | 'localReason'> {
    const tableArn = c.resource.split('/index/')[0];
    if (c.call && this.app.tables.some((t) => t.arn === tableArn)) {
      const decision = this.authorizer.authorize({ accessKeyId, operation: c.call.operation, input: c.call.input });
      return {
        localAllows: decision.allowed,
        via: 'table endpoint',
        ...(decision.allowed ? {} : { localReason: decision.reason }),
      };
    }
    const session = this.sessions.session(accessKeyId);
    const fnId = this.identities.get(accessKeyId);
    const principal = session?.principal ?? functionPrincipal(this.app, this.app.functions[fnId!]);
    const statements = session?.role.statements ?? this.app.functions[fnId!].role.statements;
    const verdict = evaluateIdentityPolicy(statements, {
      action: c.action,
      resource: c.resource,
      principalArn: principal.arn,
      // The session's own context; the case's keys besides the session's tags are the request's.
      context: {
        ...sessionContext(principal),
        ...Object.fromEntries(Object.entries(c.context).filter(([k]) => !k.startsWith('aws:PrincipalTag/'))),
      },
    });
    return { localAllows: verdict.decision === 'Allow', via: 'evaluator', localReason: verdict.reason };
  }
}
