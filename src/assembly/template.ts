/** Reading a CloudFormation template: untyped values, intrinsic functions, resources by type and readable names. */

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
  readonly Parameters?: Record<string, JsonObject>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, JsonObject>;
}

/** The CloudFormation resource types this tool reads. */
export const T = {
  api: 'AWS::ApiGatewayV2::Api',
  restApi: 'AWS::ApiGateway::RestApi',
  route: 'AWS::ApiGatewayV2::Route',
  integration: 'AWS::ApiGatewayV2::Integration',
  authorizer: 'AWS::ApiGatewayV2::Authorizer',
  stage: 'AWS::ApiGatewayV2::Stage',
  restResource: 'AWS::ApiGateway::Resource',
  restMethod: 'AWS::ApiGateway::Method',
  restStage: 'AWS::ApiGateway::Stage',
  restAuthorizer: 'AWS::ApiGateway::Authorizer',
  restModel: 'AWS::ApiGateway::Model',
  requestValidator: 'AWS::ApiGateway::RequestValidator',
  usagePlan: 'AWS::ApiGateway::UsagePlan',
  usagePlanKey: 'AWS::ApiGateway::UsagePlanKey',
  apiKey: 'AWS::ApiGateway::ApiKey',
  gatewayResponse: 'AWS::ApiGateway::GatewayResponse',
  role: 'AWS::IAM::Role',
  secret: 'AWS::SecretsManager::Secret',
  userPool: 'AWS::Cognito::UserPool',
  function: 'AWS::Lambda::Function',
  queue: 'AWS::SQS::Queue',
  eventInvokeConfig: 'AWS::Lambda::EventInvokeConfig',
  eventSourceMapping: 'AWS::Lambda::EventSourceMapping',
  eventBus: 'AWS::Events::EventBus',
  eventArchive: 'AWS::Events::Archive',
  eventRule: 'AWS::Events::Rule',
  policy: 'AWS::IAM::Policy',
  managedPolicy: 'AWS::IAM::ManagedPolicy',
  logGroup: 'AWS::Logs::LogGroup',
  logRetention: 'Custom::LogRetention',
  alarm: 'AWS::CloudWatch::Alarm',
  compositeAlarm: 'AWS::CloudWatch::CompositeAlarm',
  dashboard: 'AWS::CloudWatch::Dashboard',
  metricFilter: 'AWS::Logs::MetricFilter',
  topic: 'AWS::SNS::Topic',
  subscription: 'AWS::SNS::Subscription',
  kmsKey: 'AWS::KMS::Key',
  globalTable: 'AWS::DynamoDB::GlobalTable',
  table: 'AWS::DynamoDB::Table',
  rule: 'AWS::Events::Rule',
  lambdaPermission: 'AWS::Lambda::Permission',
} as const;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

/** IAM and CloudFormation accept a single value where a list is expected, so every list read goes through here. */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value)) ? Number(value) : undefined;
}

export function refOf(value: unknown): string | undefined {
  return isObject(value) ? str(value.Ref) : undefined;
}

/** `Fn::GetAtt` has an array form and a dotted string form. */
export function getAttOf(value: unknown): [string, string] | undefined {
  if (!isObject(value)) return undefined;
  const att = value['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return [att[0], String(att[1])];
  if (typeof att === 'string' && att.includes('.')) return [att.split('.')[0], att.split('.').slice(1).join('.')];
  return undefined;
}

export function joinParts(value: unknown): unknown[] | undefined {
  if (!isObject(value)) return undefined;
  const join = value['Fn::Join'];
  return Array.isArray(join) && Array.isArray(join[1]) ? join[1] : undefined;
}

/** Looks a key up case-insensitively: IAM condition keys are case-insensitive. */
export function lookupCi(record: JsonObject, key: string): unknown {
  const found = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : record[found];
}

/** Where a template's resources sit in the construct tree, when the template itself does not say. */
export interface TemplateIndexOptions {
  /** The stack's construct path (`Beta/Svc` for a stack in a stage), stripped from `aws:cdk:path` metadata. */
  readonly stackPath?: string;
  /** Construct paths below the stack by logical id, for templates without `aws:cdk:path` metadata. */
  readonly constructPaths?: ReadonlyMap<string, string>;
}

/** Path segments below the stack, without the ids L2 constructs add for their L1 child. */
function pathSegments(id: string, resource: CfnResource, options: TemplateIndexOptions): string[] | undefined {
  const cdkPath = str(resource.Metadata?.['aws:cdk:path']);
  let segments: string[];
  if (cdkPath !== undefined) {
    const stackPrefix = options.stackPath === undefined ? undefined : `${options.stackPath}/`;
    segments =
      stackPrefix !== undefined && cdkPath.startsWith(stackPrefix)
        ? cdkPath.slice(stackPrefix.length).split('/')
        : cdkPath.split('/').slice(1);
  } else {
    const known = options.constructPaths?.get(id);
    if (known === undefined) return undefined;
    segments = known.split('/');
  }
  while (segments.length > 1 && ['Resource', 'Default'].includes(segments[segments.length - 1])) segments.pop();
  // A route function usually lives at `<Route>/Function`, a queue at `<name>/Queue`: the parent's id is the readable part.
  const kind = { [T.function]: 'Function', [T.queue]: 'Queue' }[resource.Type];
  if (kind !== undefined && segments.length > 1 && segments[segments.length - 1] === kind) segments.pop();
  return segments.length > 0 ? segments : undefined;
}

/** Shortest path tails that are unique within each resource type; the logical id when the path is missing. */
function displayNames(resources: Record<string, CfnResource>, options: TemplateIndexOptions): Map<string, string> {
  const names = new Map<string, string>();
  const byType = new Map<string, Array<[string, string[]]>>();
  for (const [id, resource] of Object.entries(resources)) {
    const segments = pathSegments(id, resource, options);
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

export class TemplateIndex {
  private readonly resources: Record<string, CfnResource>;
  private readonly names: Map<string, string>;
  private readonly options: TemplateIndexOptions;

  constructor(template: CfnTemplate, options: TemplateIndexOptions = {}) {
    this.resources = template.Resources ?? {};
    this.options = options;
    this.names = displayNames(this.resources, options);
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

  /** The whole construct path below the stack, for resources whose short name says too little (`Topic`). */
  public path(id: string): string {
    const resource = this.get(id);
    return (resource && pathSegments(id, resource, this.options)?.join('/')) ?? id;
  }

  /**
   * The Lambda function of this template a value points at: `Fn::GetAtt [fn, Arn]` or `Ref fn`, alone or inside
   * the `arn:...:lambda:path/2015-03-31/functions/<arn>/invocations` URI of an integration or a Lambda authorizer.
   */
  public functionIn(value: unknown): string | undefined {
    const id = getAttOf(value)?.[0] ?? refOf(value);
    if (id !== undefined && this.get(id)?.Type === T.function) return id;
    const sub = isObject(value) ? value['Fn::Sub'] : undefined;
    const subVariables = Array.isArray(sub) ? Object.values(obj(sub[1])) : [];
    for (const part of [...(joinParts(value) ?? []), ...subVariables]) {
      const found = this.functionIn(part);
      if (found !== undefined) return found;
    }
    return undefined;
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
