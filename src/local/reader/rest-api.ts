/**
 * A REST API (`AWS::ApiGateway::*`): its stage and method settings, the resource tree, the methods with their
 * authorization, API-key requirement and request validation, and what `rest-*.ts` read beside them.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_ApiGateway.html
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
import { readRestAuthorizers } from './rest-authorizers';
import { isPreflight, preflightCors, readGatewayResponses } from './rest-cors';
import { readUsagePlans } from './rest-plans';
import { throttleOf } from './throttle';
import { UsageError } from '../../assembly/assembly';
import { isObject, JsonObject, list, obj, refOf, T } from '../../assembly/template';
import {
  LocalAuthorizerModel,
  LocalCorsModel,
  LocalRouteAuthorization,
  LocalRouteModel,
  ThrottleModel,
} from '../model';

/**
 * REST APIs wait at most 29 seconds for an integration unless the account's quota is raised.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
const REST_INTEGRATION_TIMEOUT_MS = 29_000;

/** A stage method setting: `path` and `method` are `*` where it applies to every resource or method. */
interface MethodSetting {
  readonly path: string;
  readonly method: string;
  readonly throttle: ThrottleModel;
}

/** CloudFormation writes a setting's path with `/` escaped: `/~1tasks~1{taskId}`; `/*` is every resource. */
function settingPath(resourcePath: string): string {
  if (resourcePath === '/*') return '*';
  if (resourcePath === '/') return '/';
  return resourcePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
}

function stageOf(ctx: ReadContext, apiId: string): [string, JsonObject] {
  const stage = ctx.index
    .ofType(T.restStage)
    .find(([, candidate]) => refersTo(ctx, candidate.Properties?.RestApiId, apiId));
  if (stage === undefined) {
    throw new UsageError(
      `REST API ${describeResource(ctx, apiId)} has no stage (AWS::ApiGateway::Stage): deploy it to a stage, as ServerlessApi does (prod)`,
    );
  }
  return [stage[0], stage[1].Properties ?? {}];
}

function methodSettingsOf(ctx: ReadContext, stageId: string, settings: unknown): MethodSetting[] {
  return list(ctx.resolver.resolve(settings))
    .filter(isObject)
    .flatMap((setting) => {
      const path = settingPath(
        ctx.resolver.string(setting.ResourcePath, `stage ${stageId} MethodSettings ResourcePath`),
      );
      const method = ctx.resolver.string(setting.HttpMethod, `stage ${stageId} MethodSettings HttpMethod`);
      const where = `stage ${stageId} method setting ${method} ${path}`;
      const throttle = throttleOf(ctx, setting.ThrottlingRateLimit, setting.ThrottlingBurstLimit, where);
      return throttle === undefined ? [] : [{ path, method, throttle }];
    });
}

/**
 * The throttle of the most specific setting that matches the method: its path and method, its path, its method;
 * the `/*` `*` setting is the stage's own. A method setting replaces the stage's, it does not merge with it.
 */
function methodThrottle(settings: readonly MethodSetting[], path: string, method: string): ThrottleModel | undefined {
  // An ANY method's own setting is written with the method `*`.
  const settingMethod = method === 'ANY' ? '*' : method;
  const rank = (setting: MethodSetting) =>
    (setting.path === path ? 2 : setting.path === '*' ? 0 : -10) +
    (setting.method === '*' ? 0 : setting.method === settingMethod ? 1 : -10);
  const best = settings.filter((setting) => rank(setting) > 0).sort((a, b) => rank(b) - rank(a))[0];
  return best?.throttle;
}

/** Full paths of the API's resources, from each `ParentId` and `PathPart` up to the root (`/`). */
function resourcePaths(ctx: ReadContext, apiId: string): (resourceId: unknown, where: string) => string {
  const root = ctx.resolver.getAtt(apiId, 'RootResourceId');
  const byId = new Map(
    ctx.index
      .ofType(T.restResource)
      .filter(([, resource]) => refersTo(ctx, resource.Properties?.RestApiId, apiId))
      .map(([id, resource]) => [ctx.resolver.ref(id) as string, [id, resource.Properties ?? {}] as const]),
  );
  const pathOf = (value: unknown, where: string, depth: number): string => {
    const resolved = ctx.resolver.string(value, where);
    if (resolved === root) return '/';
    const resource = byId.get(resolved);
    if (resource === undefined || depth > byId.size) {
      throw new UsageError(`${where} is not a resource of REST API ${describeResource(ctx, apiId)}: ${resolved}`);
    }
    const [id, props] = resource;
    const parent = pathOf(props.ParentId, `resource ${id} ParentId`, depth + 1);
    const part = ctx.resolver.string(props.PathPart, `resource ${id} PathPart`);
    return parent === '/' ? `/${part}` : `${parent}/${part}`;
  };
  return (value, where) => pathOf(value, where, 0);
}

function authorizationOf(
  ctx: ReadContext,
  where: string,
  props: JsonObject,
  authorizers: { [id: string]: LocalAuthorizerModel },
): LocalRouteAuthorization {
  const type = ctx.resolver.optionalString(props.AuthorizationType, `${where} AuthorizationType`) ?? 'NONE';
  if (props.AuthorizerId === undefined) {
    if (type === 'NONE') return { type: 'NONE' };
    if (type === 'AWS_IAM') return { type: 'IAM' };
    throw new UsageError(`${where} has AuthorizationType ${type} without an authorizer (AuthorizerId)`);
  }
  const authorizerId =
    refOf(props.AuthorizerId) ?? Object.keys(authorizers).find((id) => refersTo(ctx, props.AuthorizerId, id));
  if (authorizerId === undefined || authorizers[authorizerId] === undefined) {
    throw new UsageError(
      `${where} names an authorizer that is not one of its API's: ${JSON.stringify(props.AuthorizerId)}`,
    );
  }
  return { type: 'AUTHORIZER', authorizerId };
}

/**
 * What API Gateway validates before the function runs: only what the method's request validator turns on, the
 * `application/json` model's schema for the body and the parameters marked required.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 */
function validationOf(
  ctx: ReadContext,
  where: string,
  props: JsonObject,
): Pick<LocalRouteModel, 'requestModel' | 'requiredParameters'> {
  const validatorId = ctx.index
    .ofType(T.requestValidator)
    .map(([id]) => id)
    .find((id) => refersTo(ctx, props.RequestValidatorId, id));
  const validator = propsOf(ctx, validatorId);
  const querystrings: string[] = [];
  const headers: string[] = [];
  if (booleanOf(ctx, validator.ValidateRequestParameters)) {
    for (const [name, required] of Object.entries(obj(ctx.resolver.resolve(props.RequestParameters)))) {
      if (required !== true && required !== 'true') continue;
      if (name.startsWith('method.request.querystring.')) {
        querystrings.push(name.slice('method.request.querystring.'.length));
      }
      if (name.startsWith('method.request.header.')) headers.push(name.slice('method.request.header.'.length));
    }
  }
  let requestModel: { [key: string]: unknown } | undefined;
  const modelRef = obj(props.RequestModels)['application/json'];
  if (booleanOf(ctx, validator.ValidateRequestBody) && modelRef !== undefined) {
    const modelId = ctx.index
      .ofType(T.restModel)
      .map(([id]) => id)
      .find((id) => refersTo(ctx, modelRef, id));
    const schema = ctx.resolver.resolve(propsOf(ctx, modelId).Schema);
    // API Gateway's built-in `Empty` model (and any model not in this template) constrains nothing here.
    if (typeof schema === 'string') requestModel = obj(JSON.parse(schema));
    else if (isObject(schema)) requestModel = schema;
    else if (modelId !== undefined) throw new UsageError(`${where}: model ${modelId} has no Schema`);
  }
  return { requestModel, requiredParameters: { querystrings, headers } };
}

export function readRestApi(ctx: ReadContext, apiId: string): ApiReading {
  const props = propsOf(ctx, apiId);
  const [stageId, stageProps] = stageOf(ctx, apiId);
  const stageName = ctx.resolver.string(stageProps.StageName, `stage ${stageId} StageName`);
  const settings = methodSettingsOf(ctx, stageId, stageProps.MethodSettings);
  const authorizers = readRestAuthorizers(ctx, apiId);
  const pathOf = resourcePaths(ctx, apiId);
  const routes: LocalRouteModel[] = [];
  const preflights: Array<{ path: string; cors: LocalCorsModel }> = [];
  for (const [id, resource] of ctx.index.ofType(T.restMethod)) {
    const method = resource.Properties ?? {};
    if (!refersTo(ctx, method.RestApiId, apiId)) continue;
    const path = pathOf(method.ResourceId, `method ${id} ResourceId`);
    if (isPreflight(ctx, method)) {
      preflights.push({ path, cors: preflightCors(ctx, id, method) });
      continue;
    }
    const httpMethod = ctx.resolver.string(method.HttpMethod, `method ${id} HttpMethod`);
    const routeKey = `${httpMethod} ${path}`;
    const where = `method ${routeKey} (${id})`;
    const integration = obj(method.Integration);
    const functionId = invokedFunction(ctx, integration.Uri, `${where} integration Uri`);
    if (functionId === undefined) {
      ctx.warnings.push(
        `${where}: its integration is not a Lambda function of this stack, so the local API leaves the method out`,
      );
      continue;
    }
    const timeout = numberOf(ctx, integration.TimeoutInMillis, `${where} integration TimeoutInMillis`);
    routes.push({
      method: httpMethod,
      path,
      routeKey,
      functionId,
      authorization: authorizationOf(ctx, where, method, authorizers),
      scopes: ctx.resolver.strings(method.AuthorizationScopes, `${where} AuthorizationScopes`),
      throttle: methodThrottle(settings, path, httpMethod),
      ...(timeout === undefined ? {} : { integrationTimeoutMs: timeout }),
      apiKeyRequired: booleanOf(ctx, method.ApiKeyRequired) ?? false,
      ...validationOf(ctx, where, method),
    });
  }
  const stageThrottle = settings.find((setting) => setting.path === '*' && setting.method === '*')?.throttle;
  const plans = readUsagePlans(ctx, { apiId, stageId, stageName });
  const functionIds = new Set(routes.map((route) => route.functionId));
  for (const authorizer of Object.values(authorizers)) {
    if (authorizer.kind === 'lambda-request' || authorizer.kind === 'lambda-token') {
      functionIds.add(authorizer.functionId);
    }
  }
  return {
    api: {
      type: 'REST',
      logicalId: apiId,
      apiId: ctx.resolver.string({ Ref: apiId }, `REST API ${apiId} id`),
      name: ctx.resolver.optionalString(props.Name, `REST API ${apiId} Name`) ?? ctx.index.name(apiId),
      stageName,
      routes,
      throttle: stageThrottle,
      // aws-cdk-lib gives every resource the same preflight; the root's speaks for the API.
      cors: (preflights.find((preflight) => preflight.path === '/') ?? preflights[0])?.cors,
      authorizers,
      usagePlans: plans.usagePlans,
      apiKeys: plans.apiKeys,
      // CloudFormation escapes a media type's `/` as `~1` (`image~1png`).
      binaryMediaTypes: ctx.resolver
        .strings(props.BinaryMediaTypes, `REST API ${apiId} BinaryMediaTypes`)
        .map((type) => type.replace(/~1/g, '/')),
      accessLogFormat: ctx.resolver.optionalString(
        obj(stageProps.AccessLogSetting).Format,
        `stage ${stageId} AccessLogSetting.Format`,
      ),
      integrationTimeoutMs: REST_INTEGRATION_TIMEOUT_MS,
      gatewayResponses: readGatewayResponses(ctx, apiId),
    },
    functionIds,
  };
}
