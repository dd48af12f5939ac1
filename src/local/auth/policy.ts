/**
 * The IAM policy a Lambda authorizer returns, evaluated as API Gateway does for `execute-api:Invoke` on the
 * request's ARN: an explicit Deny wins, else an Allow is needed, else the request is denied. `*` and `?` are
 * wildcards in actions (case-insensitive) and resources (case-sensitive).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { isObject } from './jwt-verify';

interface Statement {
  readonly allow: boolean;
  readonly actions?: readonly RegExp[];
  readonly notActions?: readonly RegExp[];
  readonly resources?: readonly RegExp[];
  readonly notResources?: readonly RegExp[];
  readonly conditional: boolean;
}

export interface AuthorizerPolicy {
  readonly statements: readonly Statement[];
}

export type PolicyParse =
  { readonly ok: true; readonly policy: AuthorizerPolicy } | { readonly ok: false; readonly reason: string };

export interface PolicyVerdict {
  readonly allowed: boolean;
  /** API Gateway's message for a denial. */
  readonly message?: string;
  /** How the local evaluation differs from AWS's for this policy, for the local log. */
  readonly note?: string;
}

const INVOKE = 'execute-api:Invoke';

/** Reads `policyDocument`; a reason when API Gateway could not use it (its answer then is a 500). */
export function parsePolicyDocument(document: unknown): PolicyParse {
  if (!isObject(document)) return { ok: false, reason: '`policyDocument` is not an object' };
  const raw = document.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) return { ok: false, reason: '`policyDocument.Statement` is missing or empty' };
  const statements: Statement[] = [];
  for (const [index, entry] of list.entries()) {
    const where = `\`policyDocument.Statement[${index}]\``;
    if (!isObject(entry)) return { ok: false, reason: `${where} is not an object` };
    if (entry.Effect !== 'Allow' && entry.Effect !== 'Deny') {
      return { ok: false, reason: `${where}.Effect must be "Allow" or "Deny", got: ${JSON.stringify(entry.Effect)}` };
    }
    const actions = patterns(entry.Action, 'i');
    const notActions = patterns(entry.NotAction, 'i');
    const resources = patterns(entry.Resource, '');
    const notResources = patterns(entry.NotResource, '');
    if (actions === null || notActions === null || resources === null || notResources === null) {
      return {
        ok: false,
        reason: `${where} has an Action, NotAction, Resource or NotResource that is not a string or a list of strings`,
      };
    }
    if (!actions === !notActions) return { ok: false, reason: `${where} needs exactly one of Action and NotAction` };
    if (!resources === !notResources) {
      return { ok: false, reason: `${where} needs exactly one of Resource and NotResource` };
    }
    statements.push({
      allow: entry.Effect === 'Allow',
      actions,
      notActions,
      resources,
      notResources,
      conditional: entry.Condition !== undefined,
    });
  }
  return { ok: true, policy: { statements } };
}

/** The verdict of `policy` on invoking `arn`. */
export function evaluatePolicy(policy: AuthorizerPolicy, arn: string): PolicyVerdict {
  const applying = policy.statements.filter((statement) => applies(statement, arn));
  // Conditions are not evaluated locally: a conditional Deny is taken to apply and a conditional Allow not to.
  const note = applying.some((statement) => statement.conditional)
    ? 'a matching statement has a Condition, which the local API does not evaluate: a conditional Deny is taken to apply, a conditional Allow not to'
    : undefined;
  if (applying.some((statement) => !statement.allow)) {
    return { allowed: false, message: 'User is not authorized to access this resource with an explicit deny', note };
  }
  if (applying.some((statement) => statement.allow && !statement.conditional)) return { allowed: true, note };
  return { allowed: false, message: 'User is not authorized to access this resource', note };
}

function applies(statement: Statement, arn: string): boolean {
  const actionMatches = statement.actions
    ? statement.actions.some((pattern) => pattern.test(INVOKE))
    : !statement.notActions!.some((pattern) => pattern.test(INVOKE));
  const resourceMatches = statement.resources
    ? statement.resources.some((pattern) => pattern.test(arn))
    : !statement.notResources!.some((pattern) => pattern.test(arn));
  return actionMatches && resourceMatches;
}

/** Wildcard patterns of a string or list of strings; undefined when absent, null when not strings. */
function patterns(value: unknown, flags: string): RegExp[] | undefined | null {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) return null;
  return (list as string[]).map((item) => wildcard(item, flags));
}

function wildcard(pattern: string, flags: string): RegExp {
  const body = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, `s${flags}`);
}
