/**
 * An HTTP API (`AWS::ApiGatewayV2::*`): its stage, routes, integrations, authorizers and CORS configuration.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_ApiGatewayV2.html
 */

import {
  ApiReading,
  booleanOf,
  describeResource,
  invokedFunction,
  numberOf,
  propsOf,
  ReadContext,
  refersTo,
} from './context';
import { throttleOf } from './throttle';
import { UsageError } from '../../assembly/assembly';
import { JsonObject, obj, refOf, T } from '../../assembly/template';
import {
  ACCOUNT_THROTTLE,
  LocalAuthorizerModel,
  LocalCorsModel,
  LocalRouteAuthorization,
  LocalRouteModel,
  ThrottleModel,
} from '../model';

/** HTTP APIs wait at most 30 seconds for an integration. https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html */
const HTTP_INTEGRATION_TIMEOUT_MS = 30_000;

/** The stage requests reach: `$default` when the API has one (it is served without a path prefix). */
function stageOf(ctx: ReadContext, apiId: string): [string, JsonObject] {
  const stages = ctx.index
    .ofType(T.stage)
    .filter(([, stage]) => refersTo(ctx, stage.Properties?.ApiId, apiId))
    .map(([id, stage]): [string, JsonObject] => [id, stage.Properties ?? {}]);
  const name = (props: JsonObject) => ctx.resolver.string(props.StageName, 'StageName');
  const stage = stages.find(([, props]) => name(props) === '$default') ?? stages[0];
  if (stage === undefined) {
    throw new UsageError(
      `HTTP API ${describeResource(ctx, apiId)} has no stage (AWS::ApiGatewayV2::Stage): add one, such as the $default stage ServerlessApi creates`,
    );
  }
  return stage;
}

function corsOf(ctx: ReadContext, apiId: string, config: unknown): LocalCorsModel | undefined {
  if (config === undefined) return undefined;
  const cors = obj(ctx.resolver.resolve(config));
  const where = `HTTP API ${apiId} CorsConfiguration`;
  return {
    allowOrigins: ctx.resolver.strings(cors.AllowOrigins, `${where}.AllowOrigins`),
    allowMethods: ctx.resolver.strings(cors.AllowMethods, `${where}.AllowMethods`),
    allowHeaders: ctx.resolver.strings(cors.AllowHeaders, `${where}.AllowHeaders`),
    exposeHeaders: ctx.resolver.strings(cors.ExposeHeaders, `${where}.ExposeHeaders`),
    allowCredentials: booleanOf(ctx, cors.AllowCredentials) ?? false,
    maxAgeSeconds: numberOf(ctx, cors.MaxAge, `${where}.MaxAge`),
  };
}

function authorizerOf(ctx: ReadContext, id: string, props: JsonObject): LocalAuthorizerModel {
  const where = `authorizer ${describeResource(ctx, id)}`;
  const name = ctx.resolver.optionalString(props.Name, `${where} Name`) ?? ctx.index.name(id);
  const identitySource = ctx.resolver.strings(props.IdentitySource, `${where} IdentitySource`);
  const type = ctx.resolver.string(props.AuthorizerType, `${where} AuthorizerType`);
  if (type === 'JWT') {
    const jwt = obj(props.JwtConfiguration);
    return {
      kind: 'jwt',
      id,
      name,
      issuer: ctx.resolver.string(jwt.Issuer, `${where} JwtConfiguration.Issuer`),
      audience: ctx.resolver.strings(jwt.Audience, `${where} JwtConfiguration.Audience`),
      identitySource,
    };
  }
  if (type !== 'REQUEST') {
    throw new UsageError(`${where} has AuthorizerType ${type}: an HTTP API's authorizers are JWT or REQUEST`);
  }
  const functionId = invokedFunction(ctx, props.AuthorizerUri, `${where} AuthorizerUri`);
  if (functionId === undefined) {
    throw new UsageError(
      `${where} invokes ${ctx.resolver.string(props.AuthorizerUri, `${where} AuthorizerUri`)}, which is not a Lambda function of stack ${ctx.stack.displayName}: the local API runs only the stack's own functions`,
    );
  }
  const version = ctx.resolver.optionalString(props.AuthorizerPayloadFormatVersion, `${where} payload format`);
  return {
    kind: 'lambda-request',
    id,
    name,
    functionId,
    identitySource,
    // AWS documents no default for an HTTP API: caching off is the choice that never serves a stale answer.
    resultTtlSeconds: numberOf(ctx, props.AuthorizerResultTtlInSeconds, `${where} AuthorizerResultTtlInSeconds`) ?? 0,
    payloadFormatVersion: version === '1.0' || version === '2.0' ? version : undefined,
    simpleResponses: booleanOf(ctx, props.EnableSimpleResponses) ?? false,
  };
}

const AUTHORIZER_TYPES = ['JWT', 'CUSTOM'];

function authorizationOf(
  ctx: ReadContext,
  where: string,
  props: JsonObject,
  authorizers: { [id: string]: LocalAuthorizerModel },
): LocalRouteAuthorization {
  const type = ctx.resolver.optionalString(props.AuthorizationType, `${where} AuthorizationType`) ?? 'NONE';
  if (type === 'NONE') return { type: 'NONE' };
  if (type === 'AWS_IAM') return { type: 'IAM' };
  if (!AUTHORIZER_TYPES.includes(type)) {
    throw new UsageError(`${where} has AuthorizationType ${type}: expected NONE, JWT, CUSTOM or AWS_IAM`);
  }
  const authorizerId =
    refOf(props.AuthorizerId) ?? Object.keys(authorizers).find((id) => refersTo(ctx, props.AuthorizerId, id));
  if (authorizerId === undefined || authorizers[authorizerId] === undefined) {
    throw new UsageError(`${where} has AuthorizationType ${type} without an authorizer of its API (AuthorizerId)`);
  }
  return { type: 'AUTHORIZER', authorizerId };
}

/** The integration a route's `Target` (`integrations/<id>`) names. */
function integrationOf(ctx: ReadContext, target: unknown, where: string): string | undefined {
  const resolved = ctx.resolver.optionalString(target, `${where} Target`);
  return ctx.index
    .ofType(T.integration)
    .map(([id]) => id)
    .find((id) => resolved === `integrations/${ctx.resolver.ref(id)}`);
}

function routeOf(
  ctx: ReadContext,
  id: string,
  props: JsonObject,
  stage: { props: JsonObject; throttle?: ThrottleModel },
  authorizers: { [id: string]: LocalAuthorizerModel },
): LocalRouteModel | undefined {
  const routeKey = ctx.resolver.string(props.RouteKey, `route ${id} RouteKey`);
  const where = `route ${routeKey} (${id})`;
  const integrationId = integrationOf(ctx, props.Target, where);
  const integration = propsOf(ctx, integrationId);
  const functionId =
    integrationId === undefined ? undefined : invokedFunction(ctx, integration.IntegrationUri, `${where} integration`);
  if (functionId === undefined) {
    ctx.warnings.push(
      `${where}: its target is not a Lambda function of this stack, so the local API leaves the route out`,
    );
    return undefined;
  }
  // `$default` catches what no other route matches, whatever the method.
  const [method, path] = routeKey === '$default' ? ['ANY', '$default'] : routeKey.split(' ');
  const settings = obj(obj(ctx.resolver.resolve(stage.props.RouteSettings))[routeKey]);
  const timeout = numberOf(ctx, integration.TimeoutInMillis, `${where} integration TimeoutInMillis`);
  return {
    method,
    path,
    routeKey,
    functionId,
    authorization: authorizationOf(ctx, where, props, authorizers),
    scopes: ctx.resolver.strings(props.AuthorizationScopes, `${where} AuthorizationScopes`),
    throttle: throttleOf(
      ctx,
      settings.ThrottlingRateLimit,
      settings.ThrottlingBurstLimit,
      `${where} route settings`,
      stage.throttle ?? ACCOUNT_THROTTLE,
    ),
    ...(timeout === undefined ? {} : { integrationTimeoutMs: timeout }),
    apiKeyRequired: false,
    requiredParameters: { querystrings: [], headers: [] },
  };
}

export function readHttpApi(ctx: ReadContext, apiId: string): ApiReading {
  const props = propsOf(ctx, apiId);
  const [stageId, stageProps] = stageOf(ctx, apiId);
  const defaults = obj(ctx.resolver.resolve(stageProps.DefaultRouteSettings));
  const throttle = throttleOf(
    ctx,
    defaults.ThrottlingRateLimit,
    defaults.ThrottlingBurstLimit,
    `stage ${stageId} DefaultRouteSettings`,
  );
  const authorizers: { [id: string]: LocalAuthorizerModel } = {};
  for (const [id, authorizer] of ctx.index.ofType(T.authorizer)) {
    if (refersTo(ctx, authorizer.Properties?.ApiId, apiId)) {
      authorizers[id] = authorizerOf(ctx, id, authorizer.Properties ?? {});
    }
  }
  const routes = ctx.index
    .ofType(T.route)
    .filter(([, route]) => refersTo(ctx, route.Properties?.ApiId, apiId))
    .map(([id, route]) => routeOf(ctx, id, route.Properties ?? {}, { props: stageProps, throttle }, authorizers))
    .filter((route): route is LocalRouteModel => route !== undefined);
  const functionIds = new Set(routes.map((route) => route.functionId));
  for (const authorizer of Object.values(authorizers)) {
    if (authorizer.kind === 'lambda-request') functionIds.add(authorizer.functionId);
  }
  return {
    api: {
      type: 'HTTP',
      logicalId: apiId,
      apiId: ctx.resolver.string({ Ref: apiId }, `HTTP API ${apiId} id`),
      name: ctx.resolver.optionalString(props.Name, `HTTP API ${apiId} Name`) ?? ctx.index.name(apiId),
      stageName: ctx.resolver.string(stageProps.StageName, `stage ${stageId} StageName`),
      routes,
      throttle,
      cors: corsOf(ctx, apiId, props.CorsConfiguration),
      authorizers,
      usagePlans: [],
      apiKeys: [],
      binaryMediaTypes: [],
      accessLogFormat: ctx.resolver.optionalString(
        obj(stageProps.AccessLogSettings).Format,
        `stage ${stageId} AccessLogSettings.Format`,
      ),
      integrationTimeoutMs: HTTP_INTEGRATION_TIMEOUT_MS,
    },
    functionIds,
  };
}
