import { Case, Principal, evaluate, requestContext, sessionArnOf } from './evaluate';
import { PolicyDocument } from './model';
import { Json } from './template';
import { evaluateIdentityPolicy, policyStatements } from '../../../src/local/iam';
import type { IamVerdict } from '../../../src/local/iam';
import type { PolicyStatementModel } from '../../../src/local/model';

/**
 * The package's evaluator against the offline evaluator (iam-simulate), case by case: both see the same request,
 * with the same context, from the same role session.
 */

export type Decision = IamVerdict['decision'];

const FROM_SIMULATOR: { [got: string]: Decision } = {
  Allowed: 'Allow',
  ImplicitlyDenied: 'ImplicitDeny',
  ExplicitlyDenied: 'ExplicitDeny',
};

export interface Comparison {
  readonly case: Case;
  readonly simulator: Decision | 'Error';
  readonly local: IamVerdict;
  readonly detail?: string;
}

/** Every statement of the principal's policies, as the local API reads them. */
export const statementsOf = (principal: Principal): PolicyStatementModel[] =>
  principal.policies.flatMap((p) => policyStatements(p.document, `${principal.name} ${p.name}`));

/** Both decisions on one case; a case iam-simulate cannot evaluate (an error, an ignored key) is an `Error`. */
export async function compare(
  principal: Principal,
  statements: readonly PolicyStatementModel[],
  c: Case,
): Promise<Comparison> {
  const outcome = await evaluate(principal, { ...c, resourcePolicy: allowsOnly(c.resourcePolicy) });
  const local = evaluateIdentityPolicy(statements, {
    action: c.action,
    resource: c.resource,
    principalArn: sessionArnOf(principal.arn),
    context: requestContext(principal, c),
  });
  return {
    case: c,
    simulator: outcome.got === 'Error' ? 'Error' : FROM_SIMULATOR[outcome.got],
    local,
    ...(outcome.detail ? { detail: outcome.detail } : {}),
  };
}

/**
 * The package's evaluator decides on identity policies alone. A KMS key's policy must still reach the simulator, since
 * KMS lets nothing through that the key policy does not allow, but only for what it allows: its Deny statements (the
 * API's keys deny grants to all but AWS services) are the least-privilege tests' concern, not this comparison's.
 */
function allowsOnly(policy: PolicyDocument | undefined): PolicyDocument | undefined {
  if (!policy) return undefined;
  const statements = ([] as unknown[]).concat(policy.Statement ?? []);
  return { ...policy, Statement: statements.filter((s) => (s as { Effect?: unknown }).Effect !== 'Deny') as Json[] };
}

/** One line per case where the two evaluators disagree. */
export function disagreements(comparisons: readonly Comparison[]): string[] {
  return comparisons
    .filter((c) => c.simulator !== c.local.decision)
    .map(({ case: c, simulator, local, detail }) => {
      const keys = JSON.stringify(c.context);
      return `${c.action} on ${c.resource} ${keys}: iam-simulate ${simulator}${detail ? ` (${detail})` : ''}, local ${local.decision} (${local.reason})`;
    });
}

/** Counts for the suite's summary line. */
export function tallyDecisions(comparisons: readonly Comparison[]): string {
  const count = (d: Decision) => comparisons.filter((c) => c.local.decision === d).length;
  return `allow ${count('Allow')}, implicit deny ${count('ImplicitDeny')}, explicit deny ${count('ExplicitDeny')}`;
}
