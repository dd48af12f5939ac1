import { Case, ContextValues, evaluateAll, formatFailures, Principal } from './evaluate';
import { StackModel } from './model';

/**
 * Hand-written least-privilege cases for one role of a stack (an event publisher, an event worker, a stream worker),
 * evaluated with iam-simulate: what the role must be allowed, and the nearest requests it must be denied.
 */

export const allow = (action: string, resource: string, why: string, context: ContextValues = {}): Case => ({
  action,
  resource,
  context,
  expected: 'Allowed',
  why,
});

export const deny = (action: string, resource: string, why: string, context: ContextValues = {}): Case => ({
  action,
  resource,
  context,
  expected: 'Denied',
  why,
});

/** The role of the stack whose logical id starts with `prefix`, as the evaluator's principal. */
export function principalOf(model: StackModel, prefix: string): Principal {
  const roles = model.roles.filter((role) => role.logicalId.startsWith(prefix));
  if (roles.length !== 1) {
    throw new Error(`expected one role starting ${prefix}, found: ${roles.map((r) => r.logicalId)}`);
  }
  const [role] = roles;
  if (role.unevaluatedPolicies.length) throw new Error(`${role.logicalId} attaches ${role.unevaluatedPolicies}`);
  return { name: role.logicalId, arn: role.arn, policies: role.policies };
}

/** The failing cases, one per line: empty when every case comes out as expected. */
export async function failuresOf(principal: Principal, cases: readonly Case[]): Promise<string> {
  return formatFailures(await evaluateAll(principal, cases));
}
