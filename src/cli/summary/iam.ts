/** IAM: the statements of a function's role, with DynamoDB access read closely. */

import {
  getAttOf,
  isObject,
  joinParts,
  JsonObject,
  list,
  lookupCi,
  obj,
  refOf,
  str,
  T,
  TemplateIndex,
} from '../../assembly/template';

export interface DynamoStatementSummary {
  readonly effect: string;
  readonly actions: string[];
  /** `Table`, `Table index byStatus`, `Table (all indexes)`, or the rendered resource. */
  readonly targets: string[];
  /** Patterns of the `dynamodb:LeadingKeys` condition; empty means the statement is table-wide. */
  readonly leadingKeys: string[];
  /** Other condition keys, e.g. `dynamodb:Attributes`. */
  readonly otherConditions: string[];
  readonly warnings: string[];
  /** Granted to the function's caller role: used only with a session tagged with the caller's values. */
  readonly asCaller?: boolean;
}

function statementsOf(document: unknown): JsonObject[] {
  return list(obj(document).Statement).filter(isObject);
}

/** Inline policies, separate AWS::IAM::Policy resources and in-template managed policies all apply to the role. */
export function roleStatements(index: TemplateIndex, roleId: string): { statements: JsonObject[]; managed: string[] } {
  const role = index.props(roleId);
  const inline = list(role.Policies).flatMap((policy) => statementsOf(obj(policy).PolicyDocument));
  const attached = index
    .ofType(T.policy, T.managedPolicy)
    .filter(([, policy]) => list(policy.Properties?.Roles).some((r) => refOf(r) === roleId))
    .flatMap(([, policy]) => statementsOf(policy.Properties?.PolicyDocument));
  const managed: string[] = [];
  for (const arn of list(role.ManagedPolicyArns)) {
    const ref = refOf(arn);
    if (ref !== undefined && index.get(ref)?.Type === T.managedPolicy) {
      attached.push(...statementsOf(index.props(ref).PolicyDocument));
    } else {
      managed.push(index.render(arn).replace(/^.*:policy\//, ''));
    }
  }
  return { statements: [...inline, ...attached], managed };
}

function dynamoTarget(index: TemplateIndex, resource: unknown): string {
  const att = getAttOf(resource);
  if (att !== undefined) {
    return att[1] === 'StreamArn' ? `${index.name(att[0])} (stream)` : index.name(att[0]);
  }
  const parts = joinParts(resource);
  const tableId = parts === undefined ? undefined : getAttOf(parts[0])?.[0];
  if (parts !== undefined && tableId !== undefined) {
    const suffix = parts
      .slice(1)
      .map((part) => index.render(part))
      .join('');
    const indexName = /^\/index\/(.+)$/.exec(suffix)?.[1];
    if (indexName === '*') return `${index.name(tableId)} (all indexes)`;
    if (indexName !== undefined) return `${index.name(tableId)} index ${indexName}`;
    return `${index.name(tableId)}${suffix}`;
  }
  return index.render(resource);
}

interface LeadingKeysCondition {
  readonly patterns: string[];
  readonly others: string[];
  readonly forAllValues: boolean;
  readonly nullGuard: boolean;
}

function leadingKeysCondition(index: TemplateIndex, condition: JsonObject): LeadingKeysCondition {
  const patterns: string[] = [];
  const others = new Set<string>();
  let forAllValues = false;
  for (const [operator, clause] of Object.entries(condition)) {
    for (const [key, value] of Object.entries(obj(clause))) {
      if (key.toLowerCase() !== 'dynamodb:leadingkeys') {
        others.add(key);
      } else if (operator !== 'Null') {
        patterns.push(...list(value).map((pattern) => index.render(pattern)));
        forAllValues ||= operator.startsWith('ForAllValues:');
      }
    }
  }
  const nullGuard = String(lookupCi(obj(condition.Null), 'dynamodb:LeadingKeys')) === 'false';
  return { patterns, others: [...others], forAllValues, nullGuard };
}

/**
 * Reading a table's stream: no item key to bound by `dynamodb:LeadingKeys`, and ListStreams supports no resource-level
 * permission (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html).
 */
const STREAM_ACTIONS = ['dynamodb:describestream', 'dynamodb:getrecords', 'dynamodb:getsharditerator'];
const LIST_STREAMS = 'dynamodb:liststreams';

function dynamoWarnings(actions: string[], targets: string[], condition: LeadingKeysCondition): string[] {
  const warnings: string[] = [];
  const streamActions = actions.map((action) => action.toLowerCase());
  if (streamActions.every((action) => action === LIST_STREAMS)) return [];
  if (streamActions.every((action) => STREAM_ACTIONS.includes(action) || action === LIST_STREAMS)) {
    return targets.includes('*') ? ['WARNING: Resource "*" (the stream records of every table in the account)'] : [];
  }
  if (condition.patterns.length === 0) warnings.push('WARNING: table-wide (no dynamodb:LeadingKeys condition)');
  // ForAllValues holds for an empty set, so without the Null guard a request that names no key passes.
  if (condition.forAllValues && !condition.nullGuard) {
    warnings.push('WARNING: ForAllValues on LeadingKeys without {"Null": {"dynamodb:LeadingKeys": "false"}}');
  }
  const lower = actions.map((action) => action.toLowerCase());
  if (lower.includes('dynamodb:scan')) warnings.push('WARNING: dynamodb:Scan reads every item');
  if (lower.some((action) => action.startsWith('dynamodb:partiql'))) {
    warnings.push('WARNING: PartiQL action (statements are not bounded by key)');
  }
  if (actions.some((action) => action.includes('*'))) warnings.push('WARNING: wildcard action');
  if (targets.includes('*')) warnings.push('WARNING: Resource "*" (every table in the account)');
  return warnings;
}

function summarizeDynamoStatement(
  index: TemplateIndex,
  statement: JsonObject,
  actions: string[],
): DynamoStatementSummary {
  const effect = str(statement.Effect) ?? 'Allow';
  const targets = list(statement.Resource).map((resource) => dynamoTarget(index, resource));
  const condition = leadingKeysCondition(index, obj(statement.Condition));
  return {
    effect,
    actions,
    targets,
    leadingKeys: condition.patterns,
    otherConditions: condition.others,
    warnings: effect === 'Allow' ? dynamoWarnings(actions, targets, condition) : [],
  };
}

export interface RoleAccess {
  readonly dynamodb: DynamoStatementSummary[];
  readonly otherActions: string[];
  readonly managedPolicies: string[];
  readonly warnings: string[];
}

export function summarizeRoleAccess(index: TemplateIndex, roleId: string | undefined): RoleAccess {
  if (roleId === undefined) return { dynamodb: [], otherActions: [], managedPolicies: [], warnings: [] };
  const { statements, managed } = roleStatements(index, roleId);
  const dynamodb: DynamoStatementSummary[] = [];
  const other = new Set<string>();
  const warnings: string[] = [];
  for (const statement of statements) {
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
      warnings.push('WARNING: NotAction/NotResource statement (grants everything not listed)');
    }
    const actions = list(statement.Action).map((action) => index.render(action));
    const dynamoActions = actions.filter((action) => action.toLowerCase().startsWith('dynamodb:'));
    if (dynamoActions.length > 0) dynamodb.push(summarizeDynamoStatement(index, statement, dynamoActions));
    for (const action of actions.filter((a) => !dynamoActions.includes(a))) {
      if (action === '*' || action.endsWith(':*')) warnings.push(`WARNING: wildcard action ${action}`);
      other.add(action);
    }
  }
  return { dynamodb, otherActions: [...other].sort(), managedPolicies: managed, warnings };
}
