import { Case, Principal, evaluate, requestContext, sessionArnOf } from './evaluate';
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
  const outcome = await evaluate(principal, c);
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
