import { runSimulation } from '@cloud-copilot/iam-simulate';
import { PolicyDocument } from './model';
import { sessionContext } from '../../../src/local/iam';

export type Expected = 'Allowed' | 'Denied';
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | 'Error';
export type ContextValues = { [key: string]: string | string[] };

/** One request a role makes, and the decision least privilege expects for it. */
export interface Case {
  readonly action: string;
  readonly resource: string;
  readonly context: ContextValues;
  readonly expected: Expected;
  /** Why this is the expected decision, for the failure listing. */
  readonly why: string;
  /** The resource's own policy (a KMS key policy, a role's trust policy), when the service evaluates one. */
  readonly resourcePolicy?: PolicyDocument;
  /** The DynamoDB call that makes this request, when one does: the local table endpoint is asked with it. */
  readonly call?: { readonly operation: string; readonly input: { readonly [key: string]: unknown } };
  /** Whether the case proves a caller-bound partition: a caller role's case, or a request its binding keeps out. */
  readonly callerBound?: boolean;
}

export interface Principal {
  readonly name: string;
  readonly arn: string;
  readonly policies: { readonly name: string; readonly document: PolicyDocument }[];
}

export interface Outcome {
  readonly role: string;
  readonly case: Case;
  readonly got: Decision;
  readonly ok: boolean;
  readonly detail?: string;
}

const accountOf = (arn: string): string => arn.split(':')[4] ?? '';

/** The session a role's Lambda function or API Gateway integration calls AWS with. */
export const sessionArnOf = (roleArn: string): string =>
  `arn:aws:sts::${accountOf(roleArn)}:assumed-role/${roleArn.split('/').pop()}/session`;

/**
 * The context every request from the role's session carries: the package's own session context (the one the local
 * API evaluates with), sent to the resource's region.
 */
export function requestContext(principal: Principal, c: Case): ContextValues {
  const region = c.resource.split(':')[3];
  const session = sessionContext({
    arn: sessionArnOf(principal.arn),
    accountId: accountOf(principal.arn),
    roleArn: principal.arn,
    ...(region ? { region } : {}),
  });
  return { ...session, ...c.context };
}

/** Evaluates one request of `principal` with iam-simulate; errors and ignored context keys count as failures. */
export async function evaluate(principal: Principal, c: Case): Promise<Outcome> {
  const response = await runSimulation(
    {
      request: {
        principal: sessionArnOf(principal.arn),
        action: c.action,
        resource: { resource: c.resource, accountId: accountOf(c.resource) || accountOf(principal.arn) },
        contextVariables: requestContext(principal, c),
      },
      identityPolicies: principal.policies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: c.resourcePolicy,
    },
    {},
  );
  const outcome = (got: Decision, detail?: string): Outcome => ({
    role: principal.name,
    case: c,
    got,
    ok: got !== 'Error' && (got === 'Allowed') === (c.expected === 'Allowed'),
    detail,
  });
  if (response.resultType === 'error') return outcome('Error', JSON.stringify(response.errors));
  if (response.resultType === 'wildcard') return outcome('Error', 'the request resource must not contain a wildcard');
  // A key the action does not support is dropped before evaluation: the case would not test what it says.
  const ignored = (response.result.ignoredContextKeys ?? []).filter((k) => k in c.context);
  if (ignored.length) return outcome('Error', `context keys ignored for ${c.action}: ${ignored.join(', ')}`);
  return outcome(response.overallResult);
}

export async function evaluateAll(principal: Principal, cases: readonly Case[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const c of cases) outcomes.push(await evaluate(principal, c));
  return outcomes;
}

/** One line per failing case: role, action, resource, keys, expected, got. */
export function formatFailures(outcomes: readonly Outcome[]): string {
  return outcomes
    .filter((o) => !o.ok)
    .map((o) => {
      const { action, resource, context, expected, why } = o.case;
      const keys = Object.keys(context).length ? ` ${JSON.stringify(context)}` : ' (no context keys)';
      const detail = o.detail ? ` (${o.detail})` : '';
      return `${o.role}: ${action} on ${resource}${keys}: expected ${expected}, got ${o.got}${detail} [${why}]`;
    })
    .join('\n');
}

/** Cases counted, as expected, and expected allowed or denied. */
class Count {
  public cases = 0;
  public asExpected = 0;
  public allowed = 0;
  public denied = 0;

  public add(o: Outcome): void {
    this.cases++;
    if (o.ok) this.asExpected++;
    if (o.case.expected === 'Allowed') this.allowed++;
    else this.denied++;
  }

  public toString(): string {
    return `${this.cases} cases, ${this.asExpected} as expected (allowed ${this.allowed}, denied ${this.denied})`;
  }
}

/** Counts cases across tests for the suite's summary: all of them, and those proving caller-bound partitions. */
export class Tally {
  private readonly all = new Count();
  private readonly callerBound = new Count();
  private readonly roles = new Set<string>();
  private readonly callerRoles = new Set<string>();
  private readonly apps = new Set<string>();

  /** `callerRole` marks a role that a function assumes with its caller's session tags. */
  public add(app: string, role: string, outcomes: readonly Outcome[], callerRole = false): void {
    this.apps.add(app);
    this.roles.add(`${app}/${role}`);
    if (callerRole) this.callerRoles.add(`${app}/${role}`);
    for (const o of outcomes) {
      this.all.add(o);
      if (o.case.callerBound) this.callerBound.add(o);
    }
  }

  public summary(): string {
    return (
      `IAM evaluation: ${this.all} across ${this.roles.size} roles in ${this.apps.size} apps\n` +
      `caller-bound: ${this.callerBound} across ${this.callerRoles.size} caller roles and the roles they keep out`
    );
  }
}
