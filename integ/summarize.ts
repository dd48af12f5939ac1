/**
 * Prints what a synthesized cloud assembly really defines for a serverless API, so a reviewer can audit it.
 *
 * It reads the CloudFormation templates only, never the CDK source: the point is to report what was
 * synthesized, not what the code meant to synthesize.
 *
 * Usage: ts-node --project tsconfig.dev.json integ/summarize.ts <cloud-assembly-dir> [--json]
 */
import * as fs from 'fs';
import * as path from 'path';

/** A JSON object from a template; values stay `unknown` until a reader checks their shape. */
export type JsonObject = Record<string, unknown>;

/** One resource of a CloudFormation template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
  readonly Metadata?: JsonObject;
  readonly DeletionPolicy?: string;
}

/** The part of a CloudFormation template this tool reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
}

/** Requests per second and burst; a missing value means no limit was set at that level. */
export interface ThrottleSummary {
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

export interface AuthorizerSummary {
  readonly logicalId: string;
  readonly name: string;
  readonly type: string;
  readonly issuer?: string;
  readonly audience: string[];
}

export interface StageSummary {
  readonly name: string;
  /** Undefined when the stage sets no default throttling. */
  readonly throttle?: ThrottleSummary;
  /** Name of the access log group, or the rendered destination ARN; undefined when access logging is off. */
  readonly accessLogGroup?: string;
  readonly accessLogRetentionDays?: number;
  /** Field names when the format is JSON, else the raw format. */
  readonly accessLogFormat?: string;
}

export interface ApiSummary {
  readonly logicalId: string;
  readonly name: string;
  readonly protocol: string;
  readonly stages: StageSummary[];
  readonly authorizers: AuthorizerSummary[];
}

export interface RouteSummary {
  readonly api: string;
  readonly method: string;
  readonly path: string;
  /** Display name of the Lambda function, or a description of a non-Lambda integration. */
  readonly target: string;
  /** `PUBLIC`, `JWT`, `IAM` or `CUSTOM`. */
  readonly authorization: string;
  readonly authorizer?: string;
  readonly scopes: string[];
  /** The stage's per-route override; undefined means the stage default applies. */
  readonly throttle?: ThrottleSummary;
}

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
}

export interface FunctionSummary {
  readonly logicalId: string;
  readonly name: string;
  readonly runtime: string;
  readonly architecture: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
  readonly logGroup?: string;
  /** Undefined when the log group never expires or is not managed by this template. */
  readonly logRetentionDays?: number;
  readonly logFormat: string;
  readonly dynamodb: DynamoStatementSummary[];
  /** Non-DynamoDB actions, e.g. `logs:PutLogEvents`. */
  readonly otherActions: string[];
  readonly managedPolicies: string[];
  readonly warnings: string[];
}

export interface IndexSummary {
  readonly name: string;
  readonly kind: 'GSI' | 'LSI';
  readonly keys: string;
  readonly projection: string;
}

export interface TableSummary {
  readonly logicalId: string;
  readonly name: string;
  readonly type: string;
  readonly keys: string;
  readonly billingMode: string;
  readonly indexes: IndexSummary[];
  readonly ttlAttribute?: string;
  readonly pointInTimeRecovery: boolean;
  readonly deletionProtection: boolean;
  readonly encryption: string;
  readonly deletionPolicy: string;
  readonly replicas: string[];
}

export interface LogGroupSummary {
  readonly logicalId: string;
  readonly name: string;
  /** Undefined means the log group never expires. */
  readonly retentionDays?: number;
  readonly usedBy: string[];
}

export interface AlarmSummary {
  readonly logicalId: string;
  readonly description: string;
  readonly kind: 'metric' | 'composite';
  readonly condition: string;
  readonly actions: number;
}

export interface ResourceCountSummary {
  readonly total: number;
  readonly byType: Record<string, number>;
  readonly routes: number;
  readonly functions: number;
}

export interface StackSummary {
  readonly stackName: string;
  readonly apis: ApiSummary[];
  readonly routes: RouteSummary[];
  readonly functions: FunctionSummary[];
  readonly tables: TableSummary[];
  readonly logGroups: LogGroupSummary[];
  readonly alarms: AlarmSummary[];
  readonly resources: ResourceCountSummary;
  /** Every warning of the stack, prefixed with where it was found. */
  readonly warnings: string[];
}

const T = {
  api: 'AWS::ApiGatewayV2::Api',
  restApi: 'AWS::ApiGateway::RestApi',
  route: 'AWS::ApiGatewayV2::Route',
  authorizer: 'AWS::ApiGatewayV2::Authorizer',
  integration: 'AWS::ApiGatewayV2::Integration',
  stage: 'AWS::ApiGatewayV2::Stage',
  function: 'AWS::Lambda::Function',
  role: 'AWS::IAM::Role',
  policy: 'AWS::IAM::Policy',
  managedPolicy: 'AWS::IAM::ManagedPolicy',
  logGroup: 'AWS::Logs::LogGroup',
  logRetention: 'Custom::LogRetention',
  alarm: 'AWS::CloudWatch::Alarm',
  compositeAlarm: 'AWS::CloudWatch::CompositeAlarm',
  globalTable: 'AWS::DynamoDB::GlobalTable',
  table: 'AWS::DynamoDB::Table',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Reading untyped template values
// ---------------------------------------------------------------------------------------------------------------

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

/** IAM and CloudFormation accept a single value where a list is expected, so every list read goes through here. */
function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value)) ? Number(value) : undefined;
}

function refOf(value: unknown): string | undefined {
  return isObject(value) ? str(value.Ref) : undefined;
}

/** `Fn::GetAtt` has an array form and a dotted string form. */
function getAttOf(value: unknown): [string, string] | undefined {
  if (!isObject(value)) return undefined;
  const att = value['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return [att[0], String(att[1])];
  if (typeof att === 'string' && att.includes('.')) return [att.split('.')[0], att.split('.').slice(1).join('.')];
  return undefined;
}

function joinParts(value: unknown): unknown[] | undefined {
  if (!isObject(value)) return undefined;
  const join = value['Fn::Join'];
  return Array.isArray(join) && Array.isArray(join[1]) ? join[1] : undefined;
}

/** Looks a key up case-insensitively: IAM condition keys are case-insensitive. */
function lookupCi(record: JsonObject, key: string): unknown {
  const found = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : record[found];
}

// ---------------------------------------------------------------------------------------------------------------
// Template index: resources by type and readable names
// ---------------------------------------------------------------------------------------------------------------

/** Path segments below the stack, without the ids L2 constructs add for their L1 child. */
function pathSegments(resource: CfnResource): string[] | undefined {
  const cdkPath = str(resource.Metadata?.['aws:cdk:path']);
  if (cdkPath === undefined) return undefined;
  const segments = cdkPath.split('/').slice(1);
  while (segments.length > 1 && ['Resource', 'Default'].includes(segments[segments.length - 1])) segments.pop();
  // A route function usually lives at `<Route>/Function`: the route's id is the readable part.
  if (resource.Type === T.function && segments.length > 1 && segments[segments.length - 1] === 'Function') {
    segments.pop();
  }
  return segments.length > 0 ? segments : undefined;
}

/** Shortest path tails that are unique within each resource type; the logical id when the path is missing. */
function displayNames(resources: Record<string, CfnResource>): Map<string, string> {
  const names = new Map<string, string>();
  const byType = new Map<string, Array<[string, string[]]>>();
  for (const [id, resource] of Object.entries(resources)) {
    const segments = pathSegments(resource);
    if (segments === undefined) names.set(id, id);
    else byType.set(resource.Type, [...(byType.get(resource.Type) ?? []), [id, segments]]);
  }
  for (const entries of byType.values()) {
    const maxDepth = Math.max(...entries.map(([, segments]) => segments.length));
    for (let depth = 1; depth <= maxDepth; depth++) {
      const tail = (segments: string[]) => segments.slice(-depth).join('/');
      const open = entries.filter(([id]) => !names.has(id));
      for (const [id, segments] of open) {
        const clashes = open.filter(([, other]) => tail(other) === tail(segments)).length;
        if (clashes === 1 || depth >= segments.length) names.set(id, clashes === 1 ? tail(segments) : id);
      }
    }
  }
  return names;
}

class TemplateIndex {
  private readonly resources: Record<string, CfnResource>;
  private readonly names: Map<string, string>;

  constructor(template: CfnTemplate) {
    this.resources = template.Resources ?? {};
    this.names = displayNames(this.resources);
  }

  public all(): Array<[string, CfnResource]> {
    return Object.entries(this.resources);
  }

  public ofType(...types: string[]): Array<[string, CfnResource]> {
    return this.all().filter(([, resource]) => types.includes(resource.Type));
  }

  public get(id: string | undefined): CfnResource | undefined {
    return id === undefined ? undefined : this.resources[id];
  }

  public props(id: string | undefined): JsonObject {
    return this.get(id)?.Properties ?? {};
  }

  public name(id: string): string {
    return this.names.get(id) ?? id;
  }

  /** Renders intrinsics readably, e.g. `https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}`. */
  public render(value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    const ref = refOf(value);
    if (ref !== undefined) return `\${${this.name(ref)}}`;
    const att = getAttOf(value);
    if (att !== undefined) return `\${${this.name(att[0])}.${att[1]}}`;
    const parts = joinParts(value);
    if (parts !== undefined) {
      const separator = str((obj(value)['Fn::Join'] as unknown[])[0]) ?? '';
      return parts.map((part) => this.render(part)).join(separator);
    }
    const sub = obj(value)['Fn::Sub'];
    if (sub !== undefined) return this.render(Array.isArray(sub) ? sub[0] : sub);
    return JSON.stringify(value);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// API, stages and routes
// ---------------------------------------------------------------------------------------------------------------

function throttleOf(settings: unknown): ThrottleSummary | undefined {
  const rateLimit = num(obj(settings).ThrottlingRateLimit);
  const burstLimit = num(obj(settings).ThrottlingBurstLimit);
  return rateLimit === undefined && burstLimit === undefined ? undefined : { rateLimit, burstLimit };
}

function accessLogFormat(format: unknown): string | undefined {
  if (typeof format !== 'string') return format === undefined ? undefined : JSON.stringify(format);
  try {
    const parsed: unknown = JSON.parse(format);
    if (isObject(parsed)) return `JSON: ${Object.keys(parsed).join(', ')}`;
  } catch {
    // Not JSON (CLF or a custom line): show it as written.
  }
  return format;
}

function summarizeStage(index: TemplateIndex, stage: JsonObject): StageSummary {
  const accessLog = obj(stage.AccessLogSettings);
  const destination = accessLog.DestinationArn;
  const logGroupId = getAttOf(destination)?.[0];
  return {
    name: index.render(stage.StageName ?? '$default'),
    throttle: throttleOf(stage.DefaultRouteSettings),
    accessLogGroup:
      destination === undefined ? undefined : logGroupId ? index.name(logGroupId) : index.render(destination),
    accessLogRetentionDays: num(index.props(logGroupId).RetentionInDays),
    accessLogFormat: accessLogFormat(accessLog.Format),
  };
}

function stagesOf(index: TemplateIndex, apiId: string): JsonObject[] {
  return index
    .ofType(T.stage)
    .map(([, stage]) => stage.Properties ?? {})
    .filter((stage) => refOf(stage.ApiId) === apiId);
}

function summarizeApis(index: TemplateIndex): ApiSummary[] {
  const httpApis = index.ofType(T.api).map(([id, api]) => ({
    logicalId: id,
    name: index.render(api.Properties?.Name ?? index.name(id)),
    protocol: str(api.Properties?.ProtocolType) ?? 'HTTP',
    stages: stagesOf(index, id).map((stage) => summarizeStage(index, stage)),
    authorizers: index
      .ofType(T.authorizer)
      .filter(([, authorizer]) => refOf(authorizer.Properties?.ApiId) === id)
      .map(([authorizerId, authorizer]) => summarizeAuthorizer(index, authorizerId, authorizer.Properties ?? {})),
  }));
  // REST APIs are listed so that they are not silently missed; their methods are not parsed here.
  const restApis = index.ofType(T.restApi).map(([id, api]) => ({
    logicalId: id,
    name: index.render(api.Properties?.Name ?? index.name(id)),
    protocol: 'REST',
    stages: [],
    authorizers: [],
  }));
  return [...httpApis, ...restApis];
}

function summarizeAuthorizer(index: TemplateIndex, id: string, props: JsonObject): AuthorizerSummary {
  const jwt = obj(props.JwtConfiguration);
  return {
    logicalId: id,
    name: index.render(props.Name ?? index.name(id)),
    type: str(props.AuthorizerType) ?? 'unknown',
    issuer: jwt.Issuer === undefined ? undefined : index.render(jwt.Issuer),
    audience: list(jwt.Audience).map((audience) => index.render(audience)),
  };
}

function routeTarget(index: TemplateIndex, target: unknown): string {
  const integrationId = (joinParts(target) ?? []).map(refOf).find((id) => id !== undefined);
  if (integrationId === undefined) return target === undefined ? '-' : index.render(target);
  const integration = index.props(integrationId);
  const functionId = getAttOf(integration.IntegrationUri)?.[0] ?? refOf(integration.IntegrationUri);
  if (functionId !== undefined && index.get(functionId)?.Type === T.function) return index.name(functionId);
  const kind = str(integration.IntegrationSubtype) ?? str(integration.IntegrationType) ?? 'integration';
  return integration.IntegrationUri === undefined ? kind : `${kind} ${index.render(integration.IntegrationUri)}`;
}

const AUTHORIZATION_LABELS: Record<string, string> = { NONE: 'PUBLIC', AWS_IAM: 'IAM', JWT: 'JWT', CUSTOM: 'CUSTOM' };

function summarizeRoute(index: TemplateIndex, apiNames: Map<string, string>, props: JsonObject): RouteSummary {
  const routeKey = index.render(props.RouteKey);
  // `$default` has no method.
  const [method, ...pathParts] = routeKey.includes(' ') ? routeKey.split(' ') : ['', routeKey];
  const apiId = refOf(props.ApiId) ?? '';
  const authorizerId = refOf(props.AuthorizerId);
  // CloudFormation's default for a missing AuthorizationType is NONE.
  const type = str(props.AuthorizationType) ?? 'NONE';
  const override = stagesOf(index, apiId)
    .map((stage) => throttleOf(obj(stage.RouteSettings)[routeKey]))
    .find((throttle) => throttle !== undefined);
  return {
    api: apiNames.get(apiId) ?? apiId,
    method,
    path: pathParts.join(' '),
    target: routeTarget(index, props.Target),
    authorization: AUTHORIZATION_LABELS[type] ?? type,
    authorizer: authorizerId === undefined ? undefined : index.render(index.props(authorizerId).Name ?? authorizerId),
    scopes: list(props.AuthorizationScopes).map((scope) => index.render(scope)),
    throttle: override,
  };
}

/** Code-point order: localeCompare ignores punctuation, which would mix `$default` in among the paths. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function summarizeRoutes(index: TemplateIndex, apis: ApiSummary[]): RouteSummary[] {
  const apiNames = new Map(apis.map((api) => [api.logicalId, api.name]));
  return index
    .ofType(T.route)
    .map(([, route]) => summarizeRoute(index, apiNames, route.Properties ?? {}))
    .sort((a, b) => compare(a.api, b.api) || compare(a.path, b.path) || compare(a.method, b.method));
}

/** A RouteSettings key that matches no route is a typo: the override it meant to set does not apply. */
function unmatchedRouteSettings(index: TemplateIndex): string[] {
  const routeKeys = new Set(index.ofType(T.route).map(([, route]) => index.render(route.Properties?.RouteKey)));
  return index
    .ofType(T.stage)
    .flatMap(([, stage]) => Object.keys(obj(stage.Properties?.RouteSettings)))
    .filter((key) => !routeKeys.has(key))
    .map((key) => `stage RouteSettings key "${key}" matches no route`);
}

// ---------------------------------------------------------------------------------------------------------------
// IAM: statements of a function's role
// ---------------------------------------------------------------------------------------------------------------

function statementsOf(document: unknown): JsonObject[] {
  return list(obj(document).Statement).filter(isObject);
}

/** Inline policies, separate AWS::IAM::Policy resources and in-template managed policies all apply to the role. */
function roleStatements(index: TemplateIndex, roleId: string): { statements: JsonObject[]; managed: string[] } {
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

function dynamoWarnings(actions: string[], targets: string[], condition: LeadingKeysCondition): string[] {
  const warnings: string[] = [];
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

interface RoleAccess {
  readonly dynamodb: DynamoStatementSummary[];
  readonly otherActions: string[];
  readonly managedPolicies: string[];
  readonly warnings: string[];
}

function summarizeRoleAccess(index: TemplateIndex, roleId: string | undefined): RoleAccess {
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

// ---------------------------------------------------------------------------------------------------------------
// Functions and log groups
// ---------------------------------------------------------------------------------------------------------------

interface FunctionLogGroup {
  readonly name?: string;
  readonly retention?: number;
  /**
   * `resource`: an AWS::Logs::LogGroup, which the log group section reports; `retention`: a Custom::LogRetention;
   * `external`: not in this template, so its retention is unknown here.
   */
  readonly source: 'resource' | 'retention' | 'external';
}

/** The function's log group: LoggingConfig, else a Custom::LogRetention on `/aws/lambda/<function>`. */
function functionLogGroup(index: TemplateIndex, id: string, props: JsonObject): FunctionLogGroup {
  const logGroupId = refOf(obj(props.LoggingConfig).LogGroup);
  if (logGroupId !== undefined) {
    return {
      name: index.name(logGroupId),
      retention: num(index.props(logGroupId).RetentionInDays),
      source: 'resource',
    };
  }
  const retention = index
    .ofType(T.logRetention)
    .find(([, resource]) => JSON.stringify(resource.Properties?.LogGroupName ?? '').includes(`{"Ref":"${id}"}`));
  if (retention !== undefined) {
    const retentionProps = retention[1].Properties ?? {};
    return {
      name: index.render(retentionProps.LogGroupName),
      retention: num(retentionProps.RetentionInDays),
      source: 'retention',
    };
  }
  return { name: str(obj(props.LoggingConfig).LogGroup), source: 'external' };
}

function summarizeFunction(index: TemplateIndex, id: string, props: JsonObject): FunctionSummary {
  const access = summarizeRoleAccess(index, getAttOf(props.Role)?.[0]);
  const logGroup = functionLogGroup(index, id, props);
  const warnings = [...access.warnings];
  if (logGroup.name === undefined) {
    warnings.push('WARNING: no managed log group: logs go to /aws/lambda/<name>, which never expires');
  } else if (logGroup.source === 'external') {
    warnings.push(`WARNING: log group ${logGroup.name} is not in this template: its retention is unknown`);
  } else if (logGroup.source === 'retention' && logGroup.retention === undefined) {
    // An AWS::Logs::LogGroup without retention is flagged once, in the log group section.
    warnings.push(`WARNING: log group ${logGroup.name} never expires`);
  }
  return {
    logicalId: id,
    name: index.name(id),
    // Container-image functions have no Runtime.
    runtime: props.Runtime === undefined ? (str(props.PackageType) ?? 'unknown') : index.render(props.Runtime),
    // Lambda's own defaults when the template leaves these out.
    architecture: str(list(props.Architectures)[0]) ?? 'x86_64',
    memoryMb: num(props.MemorySize) ?? 128,
    timeoutSeconds: num(props.Timeout) ?? 3,
    reservedConcurrency: num(props.ReservedConcurrentExecutions),
    logGroup: logGroup.name,
    logRetentionDays: logGroup.retention,
    logFormat: str(obj(props.LoggingConfig).LogFormat) ?? 'Text',
    dynamodb: access.dynamodb,
    otherActions: access.otherActions,
    managedPolicies: access.managedPolicies,
    warnings,
  };
}

function logGroupUsers(index: TemplateIndex, logGroupId: string): string[] {
  const functions = index
    .ofType(T.function)
    .filter(([, fn]) => refOf(obj(fn.Properties?.LoggingConfig).LogGroup) === logGroupId)
    .map(([id]) => `function ${index.name(id)}`);
  const stages = index
    .ofType(T.stage)
    .filter(([, stage]) => getAttOf(obj(stage.Properties?.AccessLogSettings).DestinationArn)?.[0] === logGroupId)
    .map(([, stage]) => `access log of stage ${index.render(stage.Properties?.StageName ?? '$default')}`);
  return [...functions, ...stages];
}

function summarizeLogGroups(index: TemplateIndex): LogGroupSummary[] {
  return index.ofType(T.logGroup).map(([id, logGroup]) => ({
    logicalId: id,
    name: index.name(id),
    retentionDays: num(logGroup.Properties?.RetentionInDays),
    usedBy: logGroupUsers(index, id),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------------------------

function keysOf(keySchema: unknown, attributeTypes: Map<string, string>): string {
  return list(keySchema)
    .map(obj)
    .map((key) => {
      const name = str(key.AttributeName) ?? '?';
      return `${name} (${attributeTypes.get(name) ?? '?'}, ${key.KeyType === 'RANGE' ? 'sort' : 'partition'})`;
    })
    .join(', ');
}

function indexesOf(props: JsonObject, attributeTypes: Map<string, string>): IndexSummary[] {
  const describe = (kind: 'GSI' | 'LSI') => (value: unknown) => ({
    name: str(obj(value).IndexName) ?? '?',
    kind,
    keys: keysOf(obj(value).KeySchema, attributeTypes),
    projection: str(obj(obj(value).Projection).ProjectionType) ?? 'KEYS_ONLY',
  });
  return [
    ...list(props.GlobalSecondaryIndexes).map(describe('GSI')),
    ...list(props.LocalSecondaryIndexes).map(describe('LSI')),
  ];
}

function encryptionOf(index: TemplateIndex, props: JsonObject, replicas: JsonObject[]): string {
  const sse = obj(props.SSESpecification);
  const keyId = sse.KMSMasterKeyId ?? replicas.map((r) => obj(r.SSESpecification).KMSMasterKeyId).find((k) => k);
  if (keyId !== undefined) return `customer-managed KMS key ${index.render(keyId)}`;
  if (sse.SSEEnabled === true || sse.SSEEnabled === 'true') return 'AWS managed KMS key';
  return 'AWS owned key';
}

function summarizeTable(index: TemplateIndex, id: string, table: CfnResource): TableSummary {
  const props = table.Properties ?? {};
  const attributeTypes = new Map(
    list(props.AttributeDefinitions).map((a) => [str(obj(a).AttributeName) ?? '', str(obj(a).AttributeType) ?? '?']),
  );
  const isGlobal = table.Type === T.globalTable;
  const replicas = list(props.Replicas).map(obj);
  // A global table's PITR and deletion protection are per replica; report them on only when every replica has them.
  const everyReplica = (read: (replica: JsonObject) => unknown) =>
    replicas.length > 0 && replicas.every((replica) => String(read(replica)) === 'true');
  const ttl = obj(props.TimeToLiveSpecification);
  return {
    logicalId: id,
    name: index.name(id),
    type: isGlobal ? 'GlobalTable' : 'Table',
    keys: keysOf(props.KeySchema, attributeTypes),
    billingMode: str(props.BillingMode) ?? 'PROVISIONED',
    indexes: indexesOf(props, attributeTypes),
    ttlAttribute: String(ttl.Enabled) === 'true' ? str(ttl.AttributeName) : undefined,
    pointInTimeRecovery: isGlobal
      ? everyReplica((r) => obj(r.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled)
      : String(obj(props.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled) === 'true',
    deletionProtection: isGlobal
      ? everyReplica((r) => r.DeletionProtectionEnabled)
      : String(props.DeletionProtectionEnabled) === 'true',
    encryption: encryptionOf(index, props, replicas),
    // CloudFormation deletes a resource without a DeletionPolicy.
    deletionPolicy: table.DeletionPolicy ?? 'Delete',
    replicas: replicas.map((replica) => index.render(replica.Region)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Alarms
// ---------------------------------------------------------------------------------------------------------------

const COMPARISON: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

function describeMetric(index: TemplateIndex, metric: JsonObject, stat: unknown): string {
  const dimensions = list(metric.Dimensions)
    .map(obj)
    .map((d) => `${index.render(d.Name)}=${index.render(d.Value).replace(/^\$\{(.*)\}$/, '$1')}`);
  const suffix = dimensions.length > 0 ? ` (${dimensions.join(', ')})` : '';
  return `${index.render(metric.Namespace)} ${index.render(metric.MetricName)} ${index.render(stat ?? '?')}${suffix}`;
}

/** The returned entry of metric math: ReturnData true, or the expression that leaves ReturnData out. */
function describeMetrics(index: TemplateIndex, metrics: JsonObject[]): { text: string; period?: number } {
  const returned =
    metrics.find((m) => m.ReturnData === true) ?? metrics.find((m) => m.ReturnData === undefined && !m.MetricStat);
  if (returned === undefined) return { text: '?' };
  const stat = obj(returned.MetricStat);
  if (returned.MetricStat !== undefined) {
    return { text: describeMetric(index, obj(stat.Metric), stat.Stat), period: num(stat.Period) };
  }
  const inputs = metrics.filter((m) => m !== returned && m.MetricStat !== undefined);
  const inputText = inputs.map(
    (m) => `${m.Id}=${describeMetric(index, obj(obj(m.MetricStat).Metric), obj(m.MetricStat).Stat)}`,
  );
  return {
    text: `${index.render(returned.Expression)} [${inputText.join('; ')}]`,
    period: num(returned.Period) ?? num(obj(inputs[0]?.MetricStat).Period),
  };
}

function metricAlarmCondition(index: TemplateIndex, props: JsonObject): string {
  const metric = Array.isArray(props.Metrics)
    ? describeMetrics(index, props.Metrics.map(obj))
    : { text: describeMetric(index, props, props.Statistic ?? props.ExtendedStatistic), period: num(props.Period) };
  const operator = str(props.ComparisonOperator) ?? '?';
  const threshold =
    props.Threshold !== undefined ? index.render(props.Threshold) : `band ${index.render(props.ThresholdMetricId)}`;
  const periods = num(props.EvaluationPeriods) ?? 1;
  const datapoints = num(props.DatapointsToAlarm) ?? periods;
  const missing = str(props.TreatMissingData) ?? 'missing';
  return (
    `${metric.text} ${COMPARISON[operator] ?? operator} ${threshold} ` +
    `for ${datapoints} of ${periods} x ${metric.period ?? '?'}s, missing data: ${missing}`
  );
}

function summarizeAlarms(index: TemplateIndex): AlarmSummary[] {
  return index.ofType(T.alarm, T.compositeAlarm).map(([id, alarm]) => {
    const props = alarm.Properties ?? {};
    const composite = alarm.Type === T.compositeAlarm;
    return {
      logicalId: id,
      description: props.AlarmDescription === undefined ? index.name(id) : index.render(props.AlarmDescription),
      kind: composite ? 'composite' : 'metric',
      condition: composite ? `rule ${index.render(props.AlarmRule)}` : metricAlarmCondition(index, props),
      actions: list(props.AlarmActions).length,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Stack summary
// ---------------------------------------------------------------------------------------------------------------

function countResources(index: TemplateIndex): ResourceCountSummary {
  const byType: Record<string, number> = {};
  for (const [, resource] of index.all()) byType[resource.Type] = (byType[resource.Type] ?? 0) + 1;
  return {
    total: index.all().length,
    byType,
    routes: byType[T.route] ?? 0,
    functions: byType[T.function] ?? 0,
  };
}

function collectWarnings(summary: Omit<StackSummary, 'warnings'>, index: TemplateIndex): string[] {
  const warnings: string[] = [];
  for (const api of summary.apis) {
    if (api.protocol === 'REST') warnings.push(`api ${api.name}: REST API routes are not summarized by this tool`);
    for (const stage of api.stages) {
      if (!stage.throttle) warnings.push(`api ${api.name}: WARNING: stage ${stage.name} has no default throttling`);
      if (!stage.accessLogGroup) warnings.push(`api ${api.name}: WARNING: stage ${stage.name} has no access log`);
    }
  }
  warnings.push(...unmatchedRouteSettings(index).map((w) => `WARNING: ${w}`));
  for (const fn of summary.functions) {
    warnings.push(...fn.warnings.map((w) => `function ${fn.name}: ${w}`));
    for (const statement of fn.dynamodb) {
      const where = `function ${fn.name}: ${statement.actions.join(', ')} on ${statement.targets.join(', ')}`;
      warnings.push(...statement.warnings.map((w) => `${where}: ${w}`));
    }
  }
  for (const logGroup of summary.logGroups.filter((group) => group.retentionDays === undefined)) {
    warnings.push(`log group ${logGroup.name}: WARNING: no RetentionInDays (never expires)`);
  }
  return warnings;
}

/** Summarizes the serverless API that one CloudFormation template defines. */
export function summarizeTemplate(template: CfnTemplate, stackName = 'Stack'): StackSummary {
  const index = new TemplateIndex(template);
  const apis = summarizeApis(index);
  const partial = {
    stackName,
    apis,
    routes: summarizeRoutes(index, apis),
    functions: index.ofType(T.function).map(([id, fn]) => summarizeFunction(index, id, fn.Properties ?? {})),
    tables: index.ofType(T.globalTable, T.table).map(([id, table]) => summarizeTable(index, id, table)),
    logGroups: summarizeLogGroups(index),
    alarms: summarizeAlarms(index),
    resources: countResources(index),
  };
  return { ...partial, warnings: collectWarnings(partial, index) };
}

// ---------------------------------------------------------------------------------------------------------------
// Text output
// ---------------------------------------------------------------------------------------------------------------

/** Left-aligned columns separated by two spaces; the last column is not padded so lines carry no trailing blanks. */
export function formatTable(headers: string[], rows: string[][], indent = '  '): string[] {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [headers, ...rows].map(
    (row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '),
  );
}

function formatThrottle(throttle: ThrottleSummary | undefined): string {
  if (throttle === undefined) return 'stage default';
  return `${throttle.rateLimit ?? 'unlimited'} req/s, burst ${throttle.burstLimit ?? 'unlimited'}`;
}

function formatRetention(days: number | undefined): string {
  return days === undefined ? 'NEVER EXPIRES' : `${days} days`;
}

function formatApis(summary: StackSummary): string[] {
  const lines = ['API'];
  if (summary.apis.length === 0) lines.push('  (none)');
  for (const api of summary.apis) {
    lines.push(`  ${api.name} (${api.protocol}, ${api.logicalId})`);
    for (const stage of api.stages) {
      const throttle = stage.throttle ? formatThrottle(stage.throttle) : 'WARNING: no throttling';
      lines.push(`    stage ${stage.name}: ${throttle}`);
      const retention = stage.accessLogGroup ? ` (${formatRetention(stage.accessLogRetentionDays)})` : '';
      const format = stage.accessLogFormat ? `, ${stage.accessLogFormat}` : '';
      lines.push(`    access log: ${stage.accessLogGroup ?? 'WARNING: none'}${retention}${format}`);
    }
    for (const authorizer of api.authorizers) {
      const audience = authorizer.audience.length > 0 ? `, audience ${authorizer.audience.join(', ')}` : '';
      const issuer = authorizer.issuer ? `: issuer ${authorizer.issuer}` : '';
      lines.push(`    authorizer ${authorizer.name} (${authorizer.type})${issuer}${audience}`);
    }
  }
  return lines;
}

function formatAuthorization(route: RouteSummary): string {
  if (route.authorization === 'PUBLIC' || route.authorization === 'IAM') return route.authorization;
  const scopes = route.scopes.length > 0 ? ` [${route.scopes.join(', ')}]` : '';
  return `${route.authorization} ${route.authorizer ?? '?'}${scopes}`;
}

function formatRoutes(summary: StackSummary): string[] {
  const multipleApis = summary.apis.length > 1;
  const headers = [...(multipleApis ? ['API'] : []), 'ROUTE', 'FUNCTION', 'AUTHORIZATION', 'THROTTLE'];
  const rows = summary.routes.map((route) => [
    ...(multipleApis ? [route.api] : []),
    `${route.method} ${route.path}`.trim(),
    route.target,
    formatAuthorization(route),
    formatThrottle(route.throttle),
  ]);
  return [`Routes (${rows.length})`, ...(rows.length > 0 ? formatTable(headers, rows) : ['  (none)'])];
}

function formatDynamoStatement(statement: DynamoStatementSummary): string[] {
  const actions = statement.actions.map((action) => action.replace(/^dynamodb:/i, '')).join(', ');
  const deny = statement.effect === 'Allow' ? '' : `${statement.effect.toUpperCase()} `;
  const keys = statement.leadingKeys.length > 0 ? `; keys ${statement.leadingKeys.join(', ')}` : '';
  const others = statement.otherConditions.length > 0 ? `; conditions ${statement.otherConditions.join(', ')}` : '';
  return [
    `    dynamodb: ${deny}${actions} on ${statement.targets.join(', ')}${keys}${others}`,
    ...statement.warnings.map((warning) => `      ${warning}`),
  ];
}

function formatOtherActions(actions: string[]): string {
  const byService = new Map<string, string[]>();
  for (const action of actions) {
    const [service, name] = action.includes(':') ? action.split(':') : ['*', action];
    byService.set(service, [...(byService.get(service) ?? []), name]);
  }
  return [...byService].map(([service, names]) => `${service}: ${names.join(', ')}`).join('; ');
}

function formatFunctions(summary: StackSummary): string[] {
  const lines = [`Functions (${summary.functions.length})`];
  for (const fn of summary.functions) {
    const reserved = fn.reservedConcurrency === undefined ? '' : `, reserved concurrency ${fn.reservedConcurrency}`;
    lines.push(`  ${fn.name} (${fn.logicalId})`);
    lines.push(`    ${fn.runtime}, ${fn.architecture}, ${fn.memoryMb} MB, ${fn.timeoutSeconds} s timeout${reserved}`);
    const logGroup = fn.logGroup ? `${fn.logGroup}, ${formatRetention(fn.logRetentionDays)}` : 'none managed';
    lines.push(`    logs: ${logGroup}, format ${fn.logFormat}`);
    if (fn.dynamodb.length === 0) lines.push('    dynamodb: none');
    lines.push(...fn.dynamodb.flatMap(formatDynamoStatement));
    if (fn.otherActions.length > 0) lines.push(`    other actions: ${formatOtherActions(fn.otherActions)}`);
    if (fn.managedPolicies.length > 0) lines.push(`    managed policies: ${fn.managedPolicies.join(', ')}`);
    lines.push(...fn.warnings.map((warning) => `    ${warning}`));
  }
  return lines;
}

function formatTables(summary: StackSummary): string[] {
  const lines = [`Tables (${summary.tables.length})`];
  const onOff = (value: boolean) => (value ? 'on' : 'off');
  for (const table of summary.tables) {
    const replicas = table.replicas.length > 0 ? `, replicas ${table.replicas.join(', ')}` : '';
    lines.push(`  ${table.name} (${table.type}, ${table.logicalId}${replicas})`);
    lines.push(`    keys: ${table.keys}`);
    lines.push(`    billing: ${table.billingMode}`);
    for (const idx of table.indexes) {
      lines.push(`    ${idx.kind} ${idx.name}: ${idx.keys}; projection ${idx.projection}`);
    }
    lines.push(`    ttl: ${table.ttlAttribute ?? 'off'}`);
    lines.push(`    point-in-time recovery: ${onOff(table.pointInTimeRecovery)}`);
    lines.push(`    deletion protection: ${onOff(table.deletionProtection)}`);
    lines.push(`    encryption: ${table.encryption}`);
    lines.push(`    deletion policy: ${table.deletionPolicy}`);
  }
  return lines;
}

function formatLogGroups(summary: StackSummary): string[] {
  const rows = summary.logGroups.map((group) => [
    group.name,
    formatRetention(group.retentionDays),
    group.usedBy.join(', ') || '-',
  ]);
  const table = rows.length > 0 ? formatTable(['LOG GROUP', 'RETENTION', 'USED BY'], rows) : ['  (none)'];
  return [`Log groups (${rows.length})`, ...table];
}

function formatAlarms(summary: StackSummary): string[] {
  const lines = [`Alarms (${summary.alarms.length})`];
  for (const alarm of summary.alarms) {
    const actions = alarm.actions === 0 ? ' (no actions)' : '';
    lines.push(`  ${alarm.description}: ${alarm.condition}${actions}`);
  }
  return lines;
}

function formatResources(summary: StackSummary): string[] {
  const { total, byType, routes, functions } = summary.resources;
  const rows = Object.entries(byType)
    .sort(([typeA, a], [typeB, b]) => b - a || typeA.localeCompare(typeB))
    .map(([type, count]) => [type, String(count)]);
  return [
    `Resources (${total} total; routes: ${routes}, functions: ${functions})`,
    ...formatTable(['TYPE', 'COUNT'], rows),
  ];
}

/** Renders one stack summary as plain aligned text. */
export function formatSummary(summary: StackSummary): string {
  const sections = [
    [`Stack ${summary.stackName}`, '='.repeat(`Stack ${summary.stackName}`.length)],
    formatApis(summary),
    formatRoutes(summary),
    formatFunctions(summary),
    formatTables(summary),
    formatLogGroups(summary),
    formatAlarms(summary),
    formatResources(summary),
    [`Warnings (${summary.warnings.length})`, ...summary.warnings.map((warning) => `  - ${warning}`)],
  ];
  return sections.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// Cloud assembly and command line
// ---------------------------------------------------------------------------------------------------------------

/** An error the command line reports as a message, without a stack trace. */
export class UsageError extends Error {}

export interface AssemblyStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

/** Stacks of a cloud assembly, without nested assemblies and integ-tests assertion stacks. */
export function loadAssemblyStacks(assemblyDir: string): AssemblyStack[] {
  if (!fs.existsSync(assemblyDir) || !fs.statSync(assemblyDir).isDirectory()) {
    throw new UsageError(`cloud assembly directory not found: ${assemblyDir}`);
  }
  const manifestPath = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new UsageError(
      `no manifest.json in ${assemblyDir}: pass a cdk.out or *.snapshot directory (run synth first)`,
    );
  }
  const artifacts = obj(obj(JSON.parse(fs.readFileSync(manifestPath, 'utf-8'))).artifacts);
  return Object.entries(artifacts)
    .map(([id, artifact]) => ({ id, artifact: obj(artifact) }))
    .filter(({ artifact }) => artifact.type === 'aws:cloudformation:stack')
    .filter(({ id, artifact }) => ![id, str(artifact.displayName) ?? ''].some((name) => name.includes('DeployAssert')))
    .map(({ id, artifact }) => {
      const templateFile = str(obj(artifact.properties).templateFile);
      const templatePath = path.join(assemblyDir, templateFile ?? `${id}.template.json`);
      if (!fs.existsSync(templatePath)) throw new UsageError(`template of stack ${id} not found: ${templatePath}`);
      const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8')) as CfnTemplate;
      return { stackName: str(artifact.displayName) ?? id, template };
    });
}

const USAGE = 'usage: ts-node --project tsconfig.dev.json integ/summarize.ts <cloud-assembly-dir> [--json]';

/** Runs the command line and returns its exit code; output goes through the writers so tests can capture it. */
export function main(
  args: string[],
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (text: string) => void = (text) => process.stderr.write(text),
): number {
  const json = args.includes('--json');
  const positional = args.filter((arg) => !arg.startsWith('--'));
  const unknown = args.filter((arg) => arg.startsWith('--') && arg !== '--json');
  if (positional.length !== 1 || unknown.length > 0) {
    err(`${USAGE}\n`);
    return 1;
  }
  try {
    const stacks = loadAssemblyStacks(positional[0]);
    if (stacks.length === 0) throw new UsageError(`no CloudFormation stacks in ${positional[0]}`);
    const summaries = stacks.map((stack) => summarizeTemplate(stack.template, stack.stackName));
    out(json ? `${JSON.stringify(summaries, undefined, 2)}\n` : summaries.map(formatSummary).join('\n'));
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof SyntaxError)) throw e;
    err(`error: ${e.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
