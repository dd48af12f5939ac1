import { RoleCases, roleCases, roleKind } from './cases';
import { Outcome, evaluateAll, formatFailures } from './evaluate';
import { RoleUnderTest, StackModel } from './model';

export interface RoleResult extends RoleCases {
  readonly outcomes: Outcome[];
}

/** Generates and evaluates the cases of one role of the stack. */
export async function checkRole(model: StackModel, roleId: string): Promise<RoleResult> {
  const role = model.roles.find((r) => r.logicalId === roleId);
  if (!role) throw new Error(`no role ${roleId} in the stack`);
  const generated = roleCases(model, role);
  const outcomes = await evaluateAll({ name: role.logicalId, arn: role.arn, policies: role.policies }, generated.cases);
  return { ...generated, outcomes };
}

/** Everything wrong with a role's result, or '' when every case came out as expected. */
export function report(result: RoleResult): string {
  const failures = formatFailures(result.outcomes);
  const failed = result.outcomes.filter((o) => !o.ok).length;
  return [
    ...result.problems,
    ...(failed ? [`${failed} of ${result.outcomes.length} cases not as expected:\n${failures}`] : []),
  ].join('\n');
}

/** A readable test name for a role: what it is for, and its logical id. */
export function describeRole(role: RoleUnderTest): string {
  const kind = roleKind(role);
  if (kind === 'function') return `function role ${role.logicalId} (of ${role.function!.logicalId})`;
  if (kind === 'caller') return `caller role ${role.logicalId} (assumed by ${role.assumedBy!.logicalId})`;
  return `${kind === 'invoke' ? 'invoke role' : 'role'} ${role.logicalId}`;
}
