/**
 * The events a REST API sends to Lambda: the proxy integration's input (payload 1.0) and the TOKEN and REQUEST
 * authorizers' input. Empty maps are `null`, a repeated query parameter or header keeps its last value in the
 * single-value map and every value in the `multiValue*` one, `path` and `pathParameters` keep their
 * percent-encoding, and the body is base64 only when its `Content-Type` is one of the API's binary media types.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
 */
import { deploymentIdOf, requestTimeOf, resourceIdOf } from './ids';
import type { RestResource } from './match';
import { headerOf, isBinaryMediaType, type StagePath } from './request-parts';
import type { GatewayRequest } from '../../contracts';
import type { LocalAppModel } from '../../model';

type Json = { [key: string]: unknown };

/**
 * Headers API Gateway never passes to an integration (LocalStack's AWS-validated `header_utils.py`: a proxy event
 * has no `Content-Length` or `Connection`).
 */
const DROPPED_HEADERS = new Set([
  'connection',
  'content-length',
  'content-md5',
  'expect',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'te',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'www-authenticate',
]);

/** What the events of one request are built from. */
export interface RequestFacts {
  readonly app: LocalAppModel;
  readonly apiId: string;
  readonly request: GatewayRequest;
  readonly stagePath: StagePath;
  readonly resource: RestResource;
  /** As sent: percent-encoded. */
  readonly pathParameters: { readonly [name: string]: string };
  readonly query: ReadonlyMap<string, readonly string[]>;
  readonly extendedRequestId: string;
  /** For a method that requires an API key: the key sent and its id, `null` when absent or unknown. */
  readonly apiKey?: { readonly value: string | null; readonly id: string | null };
}

/** What authorization adds to `requestContext`. */
export interface AuthorizationFacts {
  readonly authorizer?: { readonly [key: string]: unknown };
  readonly identity?: { readonly [key: string]: unknown };
}

function nullIfEmpty<T>(map: { [key: string]: T }): { [key: string]: T } | null {
  return Object.keys(map).length > 0 ? map : null;
}

/** The headers and query parameters of the event, single-value and multi-value. */
function requestMaps(facts: RequestFacts) {
  const headers: { [name: string]: string } = {};
  const multiValueHeaders: { [name: string]: string[] } = {};
  for (const [name, values] of Object.entries(facts.request.headers)) {
    if (DROPPED_HEADERS.has(name) || values.length === 0) continue;
    headers[name] = values[values.length - 1];
    multiValueHeaders[name] = [...values];
  }
  const queryStringParameters: { [name: string]: string } = {};
  const multiValueQueryStringParameters: { [name: string]: string[] } = {};
  for (const [name, values] of facts.query) {
    queryStringParameters[name] = values[values.length - 1];
    multiValueQueryStringParameters[name] = [...values];
  }
  return {
    headers: nullIfEmpty(headers),
    multiValueHeaders: nullIfEmpty(multiValueHeaders),
    queryStringParameters: nullIfEmpty(queryStringParameters),
    multiValueQueryStringParameters: nullIfEmpty(multiValueQueryStringParameters),
    pathParameters: nullIfEmpty({ ...facts.pathParameters }),
  };
}

/** `requestContext.domainName`: the `Host` the client called, else the execute-api domain. */
function domainNameOf(facts: RequestFacts): string {
  return headerOf(facts.request, 'host') ?? `${facts.apiId}.execute-api.${facts.app.region}.amazonaws.com`;
}

/** `requestContext` of the proxy event and of a REQUEST authorizer's event. */
export function requestContextOf(facts: RequestFacts, auth: AuthorizationFacts = {}): Json {
  const { request, app, apiId } = facts;
  const domainName = domainNameOf(facts);
  const identity: Json = {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp: request.sourceIp,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent: headerOf(request, 'user-agent') ?? null,
    user: null,
    ...(facts.apiKey ? { apiKey: facts.apiKey.value, apiKeyId: facts.apiKey.id } : {}),
    ...auth.identity,
  };
  return {
    resourceId: resourceIdOf(apiId, facts.resource.path),
    resourcePath: facts.resource.path,
    httpMethod: request.method,
    extendedRequestId: facts.extendedRequestId,
    requestTime: requestTimeOf(request.timeEpoch),
    path: facts.stagePath.contextPath,
    accountId: app.accountId,
    protocol: 'HTTP/1.1',
    stage: app.api.stageName,
    domainPrefix: domainName.split('.')[0],
    requestTimeEpoch: request.timeEpoch,
    requestId: request.requestId,
    identity,
    domainName,
    deploymentId: deploymentIdOf(apiId),
    apiId,
    ...(auth.authorizer ? { authorizer: auth.authorizer } : {}),
  };
}

/** The proxy integration's event (payload format 1.0). */
export function proxyEventOf(facts: RequestFacts, requestContext: Json): Json {
  const { request } = facts;
  const binary = isBinaryMediaType(headerOf(request, 'content-type'), facts.app.api.binaryMediaTypes);
  const hasBody = request.body.length > 0;
  return {
    resource: facts.resource.path,
    path: facts.stagePath.path,
    httpMethod: request.method,
    ...requestMaps(facts),
    stageVariables: null,
    requestContext,
    body: hasBody ? request.body.toString(binary ? 'base64' : 'utf8') : null,
    isBase64Encoded: hasBody && binary,
  };
}

/** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`, as an authorizer receives it. */
export function methodArnOf(facts: RequestFacts): string {
  const { app, apiId, request } = facts;
  const path = facts.stagePath.path.replace(/^\//, '');
  return `arn:aws:execute-api:${app.region}:${app.accountId}:${apiId}/${app.api.stageName}/${request.method}/${path}`;
}

/** The TOKEN authorizer's event: the token is the identity source header's value. */
export function tokenAuthorizerEvent(facts: RequestFacts, identitySource: readonly string[]): Json {
  const source = identitySource[0] ?? 'method.request.header.Authorization';
  const header = /^method\.request\.header\.(.+)$/.exec(source)?.[1] ?? 'Authorization';
  return { type: 'TOKEN', authorizationToken: headerOf(facts.request, header) ?? '', methodArn: methodArnOf(facts) };
}

/** The REQUEST authorizer's event: the request without its body. */
export function requestAuthorizerEvent(facts: RequestFacts, requestContext: Json): Json {
  return {
    type: 'REQUEST',
    methodArn: methodArnOf(facts),
    resource: facts.resource.path,
    path: facts.stagePath.path,
    httpMethod: facts.request.method,
    ...requestMaps(facts),
    stageVariables: null,
    requestContext,
  };
}
