import {
  ACCESS_PATTERNS_ENV,
  AccessPattern,
  CALLER_ROLE_ENV,
  TABLE_NAME_ENV,
  callerTagKeys,
  parseAccessPatterns,
  sampleTags,
} from './access-patterns';
import { boundKeyDenials, callerSessionCases, trustCases, withSessionTags } from './cases-caller';
import { keyedCases, kmsCases, tableCases } from './cases-dynamodb';
import { secretCases } from './cases-secrets';
import { sqsCases } from './cases-sqs';
import { Case } from './evaluate';
import { FunctionUnderTest, RoleUnderTest, StackModel, TableUnderTest } from './model';

/** A role's cases, and what keeps it from being evaluated as declared (each problem fails the test). */
export interface RoleCases {
  readonly role: RoleUnderTest;
  /**
   * `function` for a Lambda function's role, `caller` for the role a function assumes with its caller's session tags,
   * `invoke` for an API Gateway credentials role, else `other`.
   */
  readonly kind: 'function' | 'caller' | 'invoke' | 'other';
  /** The patterns the role is granted: a function role's unbound ones, a caller role's caller-bound ones. */
  readonly patterns: readonly AccessPattern[];
  readonly problems: string[];
  readonly cases: Case[];
}

const LAMBDA_OTHER_ACTIONS = ['UpdateFunctionCode', 'UpdateFunctionConfiguration', 'GetFunctionConfiguration'].map(
  (a) => `lambda:${a}`,
);
const LOGS_OWN_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const LOGS_GROUP_ACTIONS = ['CreateLogGroup', 'DeleteLogGroup', 'PutRetentionPolicy', 'FilterLogEvents'].map(
  (a) => `logs:${a}`,
);
const XRAY_WRITE = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

const allowed = (action: string, resource: string, why: string): Case => ({
  action,
  resource,
  context: {},
  expected: 'Allowed',
  why,
});
const denied = (action: string, resource: string, why: string): Case => ({
  action,
  resource,
  context: {},
  expected: 'Denied',
  why,
});

/** Whether any statement of the role could grant a DynamoDB or KMS action (wildcards and NotAction included). */
function grantsData(role: RoleUnderTest): boolean {
  const statements = role.policies.flatMap((p) => [p.document.Statement ?? []].flat());
  return statements.some((s) => {
    const statement = s as { Action?: string | string[]; NotAction?: unknown };
    if (statement.NotAction !== undefined) return true;
    return [statement.Action ?? []].flat().some((a) => /^(\*|dynamodb:|kms:|[a-z0-9-]*\*)/i.test(a));
  });
}

export function roleKind(role: RoleUnderTest): RoleCases['kind'] {
  if (role.function) return 'function';
  return role.assumedBy ? 'caller' : role.invokes.length ? 'invoke' : 'other';
}

/**
 * A sample key inside each `dynamodb:LeadingKeys` value the role's policies name (`USER#*` -> `USER#x1`, and
 * `USER#${aws:PrincipalTag/userId}` -> the key of the session's `tags`): probing with them finds grants wider than the
 * declaration, whatever shape the declaration has.
 */
export function grantedKeys(role: RoleUnderTest, tags: { readonly [key: string]: string } = {}): string[] {
  const values = new Set<string>();
  const visit = (node: unknown, underKey: boolean): void => {
    if (typeof node === 'string' && underKey) {
      const tagged = node.replace(/\$\{aws:PrincipalTag\/([^}]+)\}/g, (_, key: string) => tags[key] ?? '');
      values.add(tagged.replace(/\*/g, 'x1').replace(/\?/g, 'x'));
    } else if (Array.isArray(node)) {
      node.forEach((n) => visit(n, underKey));
    } else if (node && typeof node === 'object') {
      Object.entries(node).forEach(([k, v]) => visit(v, underKey || k === 'dynamodb:LeadingKeys'));
    }
  };
  role.policies.forEach((p) => visit(p.document, false));
  return [...values].sort();
}

/**
 * Every case for one role of the stack. A function role is granted its function's unbound patterns and denied the
 * partitions of its caller-bound ones; a caller role is granted the caller-bound ones, from a session tagged with
 * alice's values, and nothing else.
 */
export function roleCases(model: StackModel, role: RoleUnderTest): RoleCases {
  const problems = role.unevaluatedPolicies.map(
    (arn) => `role ${role.logicalId} attaches ${arn}: not evaluable offline`,
  );
  const owner = role.function ?? role.assumedBy;
  const declared = owner ? declaredPatterns(owner, grantsData(role), problems) : [];
  const bound = declared.filter((p) => p.caller);
  const unbound = declared.filter((p) => !p.caller);
  const patterns = role.assumedBy ? bound : unbound;
  const table = owner && declared.length ? tableOf(model, owner, declared, problems) : undefined;
  if (owner) problems.push(...callerRoleProblems(model, role, owner, bound));
  const tags = role.assumedBy ? sampleTags(callerTagKeys(bound)) : {};
  const tables = table && !model.tables.includes(table) ? [...model.tables, table] : model.tables;
  const keyed = (t: TableUnderTest) => keyedCases(model, tables, t)(t);
  const generated = [
    ...tableCases(model, table, patterns, grantedKeys(role, tags), role.function?.streams),
    ...kmsCases(model, table, patterns),
    ...secretCases(model, role),
    ...sqsCases(model, role, problems),
    ...lambdaCases(model, role),
    ...iamCases(model),
    ...trustCases(model, role),
    ...(owner ? logsCases(model, owner, role.function !== undefined) : []),
  ];
  // Every request of a caller role comes from a session tagged with a caller's values.
  const cases = role.assumedBy
    ? [
        ...generated.map((c) => withSessionTags(c, tags)),
        ...(table ? callerSessionCases(keyed(table), table, bound) : []),
      ]
    : [...generated, ...(table ? boundKeyDenials(keyed(table), table, bound, unbound) : [])];
  return { role, kind: roleKind(role), patterns, problems, cases };
}

/**
 * A function with caller-bound patterns names its caller role in its environment, and that role trusts the function's
 * role; a function without them has none, and a caller role belongs to a function that has them.
 */
function callerRoleProblems(
  model: StackModel,
  role: RoleUnderTest,
  owner: FunctionUnderTest,
  bound: readonly AccessPattern[],
): string[] {
  const named = owner.environment[CALLER_ROLE_ENV];
  const trusting = model.roles.filter((r) => r.assumedBy?.logicalId === owner.logicalId).map((r) => r.arn);
  const consistent = bound.length
    ? named !== undefined && trusting.length === 1 && trusting[0] === named
    : named === undefined && trusting.length === 0;
  if (consistent) return [];
  return [
    `role ${role.logicalId}: function ${owner.logicalId} has ${bound.length} caller-bound patterns and ${CALLER_ROLE_ENV} ${named ?? '(unset)'}, and the roles trusting its role are [${trusting.join(', ')}]`,
  ];
}

/** The function's declared patterns; a missing declaration is a problem when its role grants data access. */
function declaredPatterns(fn: FunctionUnderTest, grants: boolean, problems: string[]): AccessPattern[] {
  try {
    const parsed = parseAccessPatterns(fn.logicalId, fn.environment);
    if (parsed === undefined && grants) {
      problems.push(`function ${fn.logicalId} has no ${ACCESS_PATTERNS_ENV}, yet its role grants DynamoDB or KMS`);
    }
    return parsed ?? [];
  } catch (e) {
    problems.push((e as Error).message);
    return [];
  }
}

/** The table the function's `TABLE_NAME` names, checked against the indexes its patterns use. */
function tableOf(
  model: StackModel,
  fn: FunctionUnderTest,
  patterns: readonly AccessPattern[],
  problems: string[],
): TableUnderTest | undefined {
  const name = fn.environment[TABLE_NAME_ENV];
  const table = model.tables.find((t) => t.name === name) ?? existingTable(model, name, patterns);
  if (!table) {
    problems.push(`function ${fn.logicalId} has no ${TABLE_NAME_ENV}`);
    return undefined;
  }
  for (const p of patterns.filter((x) => x.index !== undefined)) {
    const attribute = table.indexes[p.index!];
    if (attribute === undefined) {
      problems.push(`function ${fn.logicalId} pattern "${p.name}": ${p.index} is not an index of the table`);
    } else if (p.partitionKey && attribute !== p.partitionKey[0]) {
      problems.push(
        `function ${fn.logicalId} pattern "${p.name}": partitionKey ${p.partitionKey[0]} is not ${p.index}'s key ${attribute}`,
      );
    }
  }
  return table;
}

/** A table outside the stack (an existing table): its indexes are the ones the patterns name. */
function existingTable(
  model: StackModel,
  name: string | undefined,
  patterns: readonly AccessPattern[],
): TableUnderTest | undefined {
  if (name === undefined) return undefined;
  const { partition, region, account } = model.env;
  const indexes = Object.fromEntries(patterns.flatMap((p) => (p.index ? [[p.index, p.partitionKey?.[0] ?? '']] : [])));
  const partitionKey = patterns.find((p) => !p.index && p.partitionKey)?.partitionKey?.[0];
  const sortKey = patterns.find((p) => !p.index && p.sortKey)?.sortKey?.[0];
  return {
    logicalId: name,
    arn: `arn:${partition}:dynamodb:${region}:${account}:table/${name}`,
    name,
    ...(partitionKey === undefined ? {} : { partitionKey }),
    ...(sortKey === undefined ? {} : { sortKey }),
    indexes,
  };
}

/** Only an invoke role calls functions, and only the ones its API integrates; nobody changes them. */
function lambdaCases(model: StackModel, role: RoleUnderTest): Case[] {
  const { partition, region, account } = model.env;
  const foreign = `arn:${partition}:lambda:${region}:${account}:function:SomeOtherFunction`;
  const cases: Case[] = [];
  for (const arn of [...model.functions.map((f) => f.arn), foreign]) {
    cases.push(
      role.invokes.includes(arn)
        ? allowed('lambda:InvokeFunction', arn, 'a function the API integrates with this role')
        : denied('lambda:InvokeFunction', arn, 'not a function this role invokes for the API'),
    );
    cases.push(...LAMBDA_OTHER_ACTIONS.map((a) => denied(a, arn, 'no role changes or reads functions')));
  }
  return cases;
}

/** No role passes roles, nor assumes any but caller roles (see `trustCases`). */
function iamCases(model: StackModel): Case[] {
  const { partition, account } = model.env;
  const foreign = `arn:${partition}:iam::${account}:role/SomeOtherRole`;
  return [...model.roles, { arn: foreign, assumedBy: undefined }].flatMap((r) => [
    denied('iam:PassRole', r.arn, 'no role passes roles'),
    ...(r.assumedBy ? [] : [denied('sts:AssumeRole', r.arn, 'no role assumes roles but caller roles')]),
  ]);
}

/**
 * A function's role writes its own log streams and traces; nothing else in CloudWatch Logs. Its caller role (`writes`
 * false) writes none of them.
 */
function logsCases(model: StackModel, fn: FunctionUnderTest, writes: boolean): Case[] {
  const { partition, region, account } = model.env;
  const foreign = `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/SomeOtherFunction:*`;
  const groups = [...new Set([fn.logGroupArn, ...model.logGroupArns, foreign])];
  const cases: Case[] = [];
  for (const group of groups) {
    const own = group === fn.logGroupArn;
    const stream = group.replace(/:\*$/, ':log-stream:2026/01/01/[$LATEST]abc');
    for (const action of LOGS_OWN_ACTIONS) {
      if (!writes) cases.push(denied(action, stream, 'a caller role writes no logs'));
      else cases.push(own ? allowed(action, stream, 'its own log group') : denied(action, stream, 'another log group'));
    }
    cases.push(...LOGS_GROUP_ACTIONS.map((a) => denied(a, group.replace(/:\*$/, ''), 'log group administration')));
  }
  for (const action of XRAY_WRITE) {
    if (!writes) cases.push(denied(action, '*', 'a caller role writes no traces'));
    else cases.push(fn.tracing ? allowed(action, '*', 'active tracing') : denied(action, '*', 'tracing is off'));
  }
  cases.push(denied('xray:GetTraceSummaries', '*', 'functions write traces, never read them'));
  return cases;
}
