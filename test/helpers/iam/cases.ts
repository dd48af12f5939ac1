import { ACCESS_PATTERNS_ENV, AccessPattern, TABLE_NAME_ENV, parseAccessPatterns } from './access-patterns';
import { kmsCases, tableCases } from './cases-dynamodb';
import { secretCases } from './cases-secrets';
import { Case } from './evaluate';
import { FunctionUnderTest, RoleUnderTest, StackModel, TableUnderTest } from './model';

/** A role's cases, and what keeps it from being evaluated as declared (each problem fails the test). */
export interface RoleCases {
  readonly role: RoleUnderTest;
  /** `function` for a Lambda function's role, `invoke` for an API Gateway credentials role, else `other`. */
  readonly kind: 'function' | 'invoke' | 'other';
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
  return role.function ? 'function' : role.invokes.length ? 'invoke' : 'other';
}

/**
 * A sample key inside each `dynamodb:LeadingKeys` value the role's policies name (`USER#*` -> `USER#x1`):
 * probing with them finds grants wider than the declaration, whatever shape the declaration has.
 */
export function grantedKeys(role: RoleUnderTest): string[] {
  const values = new Set<string>();
  const visit = (node: unknown, underKey: boolean): void => {
    if (typeof node === 'string' && underKey) {
      values.add(node.replace(/\*/g, 'x1').replace(/\?/g, 'x'));
    } else if (Array.isArray(node)) {
      node.forEach((n) => visit(n, underKey));
    } else if (node && typeof node === 'object') {
      Object.entries(node).forEach(([k, v]) => visit(v, underKey || k === 'dynamodb:LeadingKeys'));
    }
  };
  role.policies.forEach((p) => visit(p.document, false));
  return [...values].sort();
}

/** Every case for one role of the stack. */
export function roleCases(model: StackModel, role: RoleUnderTest): RoleCases {
  const problems = role.unevaluatedPolicies.map(
    (arn) => `role ${role.logicalId} attaches ${arn}: not evaluable offline`,
  );
  const fn = role.function;
  const patterns = fn ? declaredPatterns(fn, grantsData(role), problems) : [];
  const table = fn && patterns.length ? tableOf(model, fn, patterns, problems) : undefined;
  const cases = [
    ...tableCases(model, table, patterns, grantedKeys(role)),
    ...kmsCases(model, table, patterns),
    ...secretCases(model, role),
    ...lambdaCases(model, role),
    ...iamCases(model),
    ...(fn ? logsCases(model, role) : []),
  ];
  return { role, kind: roleKind(role), patterns, problems, cases };
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

function iamCases(model: StackModel): Case[] {
  const { partition, account } = model.env;
  const foreign = `arn:${partition}:iam::${account}:role/SomeOtherRole`;
  return [...model.roles.map((r) => r.arn), foreign].flatMap((arn) => [
    denied('iam:PassRole', arn, 'no role passes roles'),
    denied('sts:AssumeRole', arn, 'no role assumes roles'),
  ]);
}

/** A function writes its own log streams and traces; nothing else in CloudWatch Logs. */
function logsCases(model: StackModel, role: RoleUnderTest): Case[] {
  const fn = role.function!;
  const { partition, region, account } = model.env;
  const foreign = `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/SomeOtherFunction:*`;
  const groups = [...new Set([fn.logGroupArn, ...model.logGroupArns, foreign])];
  const cases: Case[] = [];
  for (const group of groups) {
    const own = group === fn.logGroupArn;
    const stream = group.replace(/:\*$/, ':log-stream:2026/01/01/[$LATEST]abc');
    for (const action of LOGS_OWN_ACTIONS) {
      cases.push(own ? allowed(action, stream, 'its own log group') : denied(action, stream, 'another log group'));
    }
    cases.push(...LOGS_GROUP_ACTIONS.map((a) => denied(a, group.replace(/:\*$/, ''), 'log group administration')));
  }
  for (const action of XRAY_WRITE) {
    cases.push(fn.tracing ? allowed(action, '*', 'active tracing') : denied(action, '*', 'tracing is off'));
  }
  cases.push(denied('xray:GetTraceSummaries', '*', 'functions write traces, never read them'));
  return cases;
}
