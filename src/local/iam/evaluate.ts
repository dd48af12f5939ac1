/**
 * Identity-based policy evaluation: an explicit Deny wins, then an Allow; otherwise the request is implicitly denied.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *
 * Only the function role's identity policies are evaluated: that is what the construct generates and what decides a
 * route function's access to its own account's table. Resource-based policies, service and resource control
 * policies, permissions boundaries and session policies are out of scope: the local API has none of them.
 */
import type { PolicyStatementModel } from '../model';
import { resourceMatches } from './arn';
import { describeFailure, failedCondition } from './conditions';
import type { IamRequest, IamVerdict } from './types';
import { matchesWildcard } from './wildcards';

/** Action names are case-insensitive; the service prefix is never a wildcard. */
function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  const colon = pattern.indexOf(':');
  const requestColon = action.indexOf(':');
  if (colon === -1 || requestColon === -1) return false;
  if (pattern.slice(0, colon).toLowerCase() !== action.slice(0, requestColon).toLowerCase()) return false;
  return matchesWildcard(pattern.slice(colon + 1), action.slice(requestColon + 1), true);
}

function statementHasAction(statement: PolicyStatementModel, action: string): boolean {
  if (statement.Action) return statement.Action.some((a) => actionMatches(a, action));
  if (statement.NotAction) return !statement.NotAction.some((a) => actionMatches(a, action));
  return false;
}

/**
 * `Resource`: any entry covers the request. `NotResource`: no entry does. An entry with a variable the request
 * cannot fill makes the statement not apply either way.
 */
function statementHasResource(statement: PolicyStatementModel, request: IamRequest): boolean {
  if (statement.Resource) {
    return statement.Resource.some((r) => resourceMatches(r, request.resource, request.context) === 'match');
  }
  if (statement.NotResource) {
    return statement.NotResource.every((r) => resourceMatches(r, request.resource, request.context) === 'nomatch');
  }
  return true;
}

const label = (statements: readonly PolicyStatementModel[], index: number): string =>
  `statement ${index}${statements[index].Sid ? ` (${statements[index].Sid})` : ''}`;

/** Evaluates the request against the statements of one principal's identity policies. */
export function evaluateIdentityPolicy(statements: readonly PolicyStatementModel[], request: IamRequest): IamVerdict {
  const { action, resource } = request;
  let allow: number | undefined;
  let closest: { index: number; why: string } | undefined;
  const elsewhere: number[] = [];
  for (let index = 0; index < statements.length; index++) {
    const statement = statements[index];
    if (!statementHasAction(statement, action)) continue;
    if (!statementHasResource(statement, request)) {
      if (statement.Effect === 'Allow') elsewhere.push(index);
      continue;
    }
    const failure = failedCondition(statement.Condition, request.context);
    if (failure) {
      if (statement.Effect === 'Allow' && !closest) closest = { index, why: describeFailure(failure) };
      continue;
    }
    if (statement.Effect === 'Deny') {
      return {
        decision: 'ExplicitDeny',
        statementIndex: index,
        reason: `${label(statements, index)} denies ${action} on ${resource}`,
      };
    }
    allow ??= index;
  }
  if (allow !== undefined) {
    return {
      decision: 'Allow',
      statementIndex: allow,
      reason: `${label(statements, allow)} allows ${action} on ${resource}`,
    };
  }
  const denied = `no statement allows ${action} on ${resource}`;
  if (closest) {
    return {
      decision: 'ImplicitDeny',
      statementIndex: closest.index,
      reason: `${denied}: ${label(statements, closest.index)} has the action and resource, but its condition ${closest.why}`,
    };
  }
  if (elsewhere.length) {
    const where = elsewhere.map((i) => `${label(statements, i)} on ${statementResources(statements[i])}`);
    return {
      decision: 'ImplicitDeny',
      reason: `${denied}: the action is allowed only elsewhere (${where.join('; ')})`,
    };
  }
  return { decision: 'ImplicitDeny', reason: `${denied}: no statement names the action` };
}

function statementResources(statement: PolicyStatementModel): string {
  if (statement.Resource) return statement.Resource.join(', ');
  return `everything but ${(statement.NotResource ?? []).join(', ')}`;
}
