import { Size } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiType } from './api-type';
import { ApiAuthorization } from './authorization/api-authorization';
import { CorsOptions } from './cors';
import { REST_ONLY_PROPS } from './rest/rest-only-props';
import { ApiCacheSize, RestApiOptions, UsagePlanOptions } from './rest/rest-options';
import { RouteOptions } from './route';
import {
  checkInteger,
  checkOneOf,
  checkPattern,
  checkPositive,
  checkUnique,
  fail,
  isLiteral,
} from '../private/validation';

/** The API-wide props that depend on the kind of API. */
export interface ApiFeatureProps extends RestApiOptions {
  readonly apiType?: ApiType;
  readonly authorization: ApiAuthorization;
  readonly cors?: CorsOptions;
}

/** What a route is checked against: the kind of API and the API-wide features its options depend on. */
export interface RouteFeatureContext {
  readonly apiType: ApiType;
  readonly hasUsagePlans: boolean;
  readonly hasCache: boolean;
  readonly hasCors: boolean;
}

/** The REST-only options of a route, named as in messages. */
const REST_ONLY_ROUTE_OPTIONS: [keyof RouteOptions, string][] = [
  ['requestModel', 'request body validation'],
  ['requiredParameters', 'request parameter validation'],
  ['apiKeyRequired', 'API keys'],
  ['cache', 'response caching'],
];

const PLAN_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const PARAMETER_NAME = /^[A-Za-z0-9._~!$&'*+^`|-]{1,128}$/;
const CACHE_KEY = /^(querystring|header)\.[A-Za-z0-9._~!$&'*+^`|-]{1,128}$/;
const WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:(regional|global)\/webacl\/[A-Za-z0-9_-]+\/[a-f0-9-]+$/;
const MAX_COMPRESSION_SIZE = Size.mebibytes(10);
const MAX_CACHE_TTL_SECONDS = 3600;
/** CloudFormation's `QuotaSettings.Limit` is a 32-bit integer. */
const MAX_QUOTA_LIMIT = 2147483647;

export function apiTypeOf(props: { apiType?: ApiType }): ApiType {
  return props.apiType ?? ApiType.HTTP;
}

/** Validates the API-wide props against the kind of API, then the REST-only ones. */
export function validateApiFeatures(props: ApiFeatureProps): void {
  const types: unknown[] = Object.values(ApiType);
  // Not even a token: the kind of API decides what is built, so it must be known at synth.
  if (props.apiType !== undefined && !types.includes(props.apiType)) {
    fail('apiType', `be one of ${types.map((t) => `ApiType.${t}`).join(', ')}`, props.apiType);
  }
  const type = apiTypeOf(props);
  validateAuthorizationType('authorization', props.authorization, type);
  if (type === ApiType.HTTP) {
    for (const [name, feature] of Object.entries(REST_ONLY_PROPS)) {
      const value = props[name as keyof RestApiOptions];
      if (value !== undefined) fail(name, restOnly(feature), value);
    }
    return;
  }
  Object.entries(props.usagePlans ?? {}).forEach(([name, plan]) => validateUsagePlan(`usagePlans.${name}`, name, plan));
  const keyNames = Object.values(props.usagePlans ?? {}).flatMap((plan) => plan.apiKeys ?? []);
  Object.entries(props.usagePlans ?? {}).forEach(([name, plan]) =>
    checkUnique(`usagePlans.${name}.apiKeys`, plan.apiKeys ?? [], (key) => key),
  );
  keyNames.forEach((key, i) => {
    if (keyNames.indexOf(key) !== i) {
      fail('usagePlans', 'give each API key one plan: API Gateway lets a key use one plan per stage', key);
    }
  });
  const arn = props.webAclArn;
  if (isLiteral(arn) && !WEB_ACL_ARN.test(arn!)) {
    fail(
      'webAclArn',
      'be the ARN of an AWS WAF (wafv2) web ACL, arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>',
      arn,
    );
  }
  if (isLiteral(arn) && arn!.includes(':global/webacl/')) {
    fail(
      'webAclArn',
      'be a REGIONAL web ACL: a CLOUDFRONT-scope (global) web ACL cannot be associated with an API stage',
      arn,
    );
  }
  const size = props.minCompressionSize;
  if (size && !size.isUnresolved() && size.toBytes() > MAX_COMPRESSION_SIZE.toBytes()) {
    fail('minCompressionSize', 'be at most 10 MiB (10485760 bytes)', size);
  }
  const sizes = Object.values(ApiCacheSize);
  checkOneOf('cache.size', props.cache?.size, sizes, `be an ApiCacheSize (${sizes.join(', ')} GB)`);
  const level = props.executionLogging?.level;
  if (level === apigateway.MethodLoggingLevel.OFF) {
    fail(
      'executionLogging.level',
      'be ERROR or INFO: leave `executionLogging` out to turn execution logging off',
      level,
    );
  }
  checkOneOf('executionLogging.level', level, ['ERROR', 'INFO'], 'be apigateway.MethodLoggingLevel.ERROR or INFO');
}

/** An authorization the kind of API has (`prop` names where it is used). */
export function validateAuthorizationType(prop: string, authorization: ApiAuthorization, type: ApiType): void {
  const kind = authorization._kind;
  const instead = kind.unsupportedOn(type);
  if (instead) fail(prop, `not be ${kind.factory} on ${article(type)} API: ${instead}`, `ApiType.${type}`);
}

/** A route's type-dependent options. */
export function validateRouteFeatures(
  prop: string,
  route: RouteOptions,
  authorization: ApiAuthorization,
  context: RouteFeatureContext,
): void {
  validateAuthorizationType(`${prop}.authorization`, authorization, context.apiType);
  if (context.apiType === ApiType.HTTP) {
    for (const [name, feature] of REST_ONLY_ROUTE_OPTIONS) {
      if (route[name] !== undefined) fail(`${prop}.${name}`, restOnly(feature), route[name]);
    }
    return;
  }
  if (context.hasCors && route.method === apigwv2.HttpMethod.OPTIONS) {
    fail(
      `${prop}.method`,
      'not be OPTIONS on a REST API with `cors`: API Gateway answers preflight requests itself',
      route.method,
    );
  }
  if (route.apiKeyRequired && !context.hasUsagePlans) {
    fail(
      `${prop}.apiKeyRequired`,
      'come with `usagePlans`: API Gateway accepts only the keys of a usage plan of the stage, so no request could pass',
      true,
    );
  }
  const model = route.requestModel;
  if (model !== undefined) {
    if (typeof model !== 'object' || model === null || Array.isArray(model)) {
      fail(
        `${prop}.requestModel`,
        'be a JSON schema object, such as { type: JsonSchemaType.OBJECT, required: ["title"] }',
        model,
      );
    }
    if (route.method === apigwv2.HttpMethod.GET || route.method === apigwv2.HttpMethod.HEAD) {
      fail(`${prop}.requestModel`, `be left out on a ${route.method} route: such requests carry no body`, route.method);
    }
  }
  const required = route.requiredParameters;
  if (required) {
    const { querystrings = [], headers = [] } = required;
    if (querystrings.length + headers.length === 0) {
      fail(`${prop}.requiredParameters`, 'list at least one query string or header, or be left out', required);
    }
    querystrings.forEach((name, i) =>
      checkPattern(
        `${prop}.requiredParameters.querystrings[${i}]`,
        name,
        PARAMETER_NAME,
        'be a query string parameter name',
      ),
    );
    headers.forEach((name, i) =>
      checkPattern(`${prop}.requiredParameters.headers[${i}]`, name, PARAMETER_NAME, 'be a header name'),
    );
  }
  if (route.cache) validateRouteCache(`${prop}.cache`, route, authorization, context);
}

function validateRouteCache(
  prop: string,
  route: RouteOptions,
  authorization: ApiAuthorization,
  context: RouteFeatureContext,
): void {
  const cache = route.cache!;
  if (!context.hasCache) fail(prop, 'come with the API-wide `cache`, which creates the cache it uses', cache);
  if (route.method !== apigwv2.HttpMethod.GET) {
    fail(prop, 'be set on GET routes only: a cached write would not reach the function', route.method);
  }
  authorization._kind.validateRouteCache(prop, cache);
  const ttl = cache.ttl;
  if (isLiteral(ttl)) {
    const ms = ttl.toMilliseconds();
    if (ms < 1000 || ms % 1000 !== 0 || ms > MAX_CACHE_TTL_SECONDS * 1000) {
      fail(`${prop}.ttl`, 'be a whole number of seconds from 1 second to 1 hour', ttl);
    }
  }
  (cache.keyParameters ?? []).forEach((key, i) =>
    checkPattern(
      `${prop}.keyParameters[${i}]`,
      key,
      CACHE_KEY,
      'be "querystring.<name>" or "header.<name>" (path parameters are always in the key)',
    ),
  );
}

function validateUsagePlan(prop: string, name: string, plan: UsagePlanOptions): void {
  checkPattern('usagePlans', name, PLAN_NAME, 'have names of 1 to 64 letters, digits, "-" and "_"');
  if (plan.throttle) {
    checkPositive(`${prop}.throttle.rateLimit`, plan.throttle.rateLimit);
    checkInteger(`${prop}.throttle.burstLimit`, plan.throttle.burstLimit, 1, 5000);
  }
  if (plan.quota) {
    checkInteger(`${prop}.quota.limit`, plan.quota.limit, 1, MAX_QUOTA_LIMIT);
    const periods = Object.values(apigateway.Period);
    checkOneOf(`${prop}.quota.period`, plan.quota.period, periods, `be an apigateway.Period (${periods.join(', ')})`);
  }
  (plan.apiKeys ?? []).forEach((key, i) =>
    checkPattern(`${prop}.apiKeys[${i}]`, key, PLAN_NAME, 'be 1 to 64 letters, digits, "-" and "_"'),
  );
}

function restOnly(feature: string): string {
  return `be left out on an HTTP API: only REST APIs have ${feature} (set \`apiType: ApiType.REST\`)`;
}

function article(type: ApiType): string {
  return type === ApiType.HTTP ? 'an HTTP' : 'a REST';
}
