/** HTTP APIs, their stages, authorizers and routes. */

import { ApiDomainFields, apiDomainFields } from './domains';
import {
  getAttOf,
  isObject,
  joinParts,
  JsonObject,
  list,
  num,
  obj,
  refOf,
  str,
  T,
  TemplateIndex,
} from '../../assembly/template';

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

export interface ApiSummary extends ApiDomainFields {
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

export function summarizeApis(index: TemplateIndex): ApiSummary[] {
  const httpApis = index.ofType(T.api).map(([id, api]) => ({
    logicalId: id,
    name: index.render(api.Properties?.Name ?? index.name(id)),
    protocol: str(api.Properties?.ProtocolType) ?? 'HTTP',
    stages: stagesOf(index, id).map((stage) => summarizeStage(index, stage)),
    authorizers: index
      .ofType(T.authorizer)
      .filter(([, authorizer]) => refOf(authorizer.Properties?.ApiId) === id)
      .map(([authorizerId, authorizer]) => summarizeAuthorizer(index, authorizerId, authorizer.Properties ?? {})),
    ...apiDomainFields(index, id, api.Properties ?? {}),
  }));
  // REST APIs are listed so that they are not silently missed; their methods are not parsed here.
  const restApis = index.ofType(T.restApi).map(([id, api]) => ({
    logicalId: id,
    name: index.render(api.Properties?.Name ?? index.name(id)),
    protocol: 'REST',
    stages: [],
    authorizers: [],
    ...apiDomainFields(index, id, api.Properties ?? {}),
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
  const functionId = index.functionIn(integration.IntegrationUri);
  if (functionId !== undefined) return index.name(functionId);
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

export function summarizeRoutes(index: TemplateIndex, apis: ApiSummary[]): RouteSummary[] {
  const apiNames = new Map(apis.map((api) => [api.logicalId, api.name]));
  return index
    .ofType(T.route)
    .map(([, route]) => summarizeRoute(index, apiNames, route.Properties ?? {}))
    .sort((a, b) => compare(a.api, b.api) || compare(a.path, b.path) || compare(a.method, b.method));
}

/** A RouteSettings key that matches no route is a typo: the override it meant to set does not apply. */
export function unmatchedRouteSettings(index: TemplateIndex): string[] {
  const routeKeys = new Set(index.ofType(T.route).map(([, route]) => index.render(route.Properties?.RouteKey)));
  return index
    .ofType(T.stage)
    .flatMap(([, stage]) => Object.keys(obj(stage.Properties?.RouteSettings)))
    .filter((key) => !routeKeys.has(key))
    .map((key) => `stage RouteSettings key "${key}" matches no route`);
}
