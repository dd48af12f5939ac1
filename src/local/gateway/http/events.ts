/**
 * The events an HTTP API sends to Lambda: the payload format 2.0 integration event, and the Lambda authorizer's
 * REQUEST event in payload format 2.0 or 1.0.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
import { requestTime } from './request-time';
import type { RequestView } from './request-view';
import type { RouteMatch } from './routes';
import type { LocalAppModel } from '../../model';

/** Which API, stage and account a request reached. */
export interface ApiIdentity {
  readonly apiId: string;
  readonly accountId: string;
  readonly region: string;
  readonly stageName: string;
}

/**
 * The API's identity locally. CloudFormation would generate the API id; a stable one, derived from the stack and the
 * API's logical id, keeps ARNs and logs the same from one run to the next.
 */
export function apiIdentity(app: LocalAppModel): ApiIdentity {
  return { apiId: app.api.apiId, accountId: app.accountId, region: app.region, stageName: app.api.stageName };
}

/**
 * Content types whose bodies reach the function as text; every other body, one without a content type included, is
 * base64-encoded. The documentation does not list them: this is what a deployed HTTP API does (captured against AWS
 * in github.com/ministackorg/ministack/pull/766).
 */
function isTextBody(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type.startsWith('text/') || ['application/json', 'application/xml', 'application/javascript'].includes(type);
}

function nonEmpty<T extends object>(map: T): T | undefined {
  return Object.keys(map).length > 0 ? map : undefined;
}

/** The event without its absent fields: API Gateway leaves them out rather than sending them empty. */
function present(fields: { readonly [key: string]: unknown }): { readonly [key: string]: unknown } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** `requestContext` of both 2.0 events, without `authorizer`. */
function requestContext(view: RequestView, match: RouteMatch, api: ApiIdentity) {
  const { request } = view;
  return {
    accountId: api.accountId,
    apiId: api.apiId,
    domainName: view.domainName,
    domainPrefix: view.domainPrefix,
    http: {
      method: request.method,
      path: view.path,
      protocol: 'HTTP/1.1',
      sourceIp: request.sourceIp,
      userAgent: view.userAgent ?? '',
    },
    requestId: request.requestId,
    routeKey: match.route.routeKey,
    stage: api.stageName,
    time: requestTime(request.timeEpoch),
    timeEpoch: request.timeEpoch,
  };
}

/** The fields both 2.0 events share, in the order the documentation shows them. */
function requestFields(view: RequestView, match: RouteMatch) {
  return {
    routeKey: match.route.routeKey,
    rawPath: view.path,
    rawQueryString: view.request.rawQueryString,
    cookies: view.cookies.length > 0 ? view.cookies : undefined,
    headers: view.headers,
    queryStringParameters: nonEmpty(view.queryStringParameters),
  };
}

/** The payload format 2.0 event of a Lambda proxy integration. */
export function integrationEvent(
  view: RequestView,
  match: RouteMatch,
  api: ApiIdentity,
  authorizer: { readonly [key: string]: unknown } | undefined,
): { readonly [key: string]: unknown } {
  const { body } = view.request;
  const text = body.length > 0 && isTextBody(view.headers['content-type']);
  return present({
    version: '2.0',
    ...requestFields(view, match),
    pathParameters: nonEmpty(match.pathParameters),
    requestContext: present({ ...requestContext(view, match, api), authorizer }),
    body: body.length === 0 ? undefined : text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !text,
  });
}

/** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<method>/<path>`, the resource an authorizer's policy names. */
export function executeApiArn(view: RequestView, api: ApiIdentity): string {
  const path = (view.routePath ?? view.path).replace(/^\//, '');
  return `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stageName}/${view.request.method}/${path}`;
}

/** The Lambda authorizer's event, payload format 2.0: the integration event's fields without the body. */
export function lambdaAuthorizerEventV2(
  view: RequestView,
  match: RouteMatch,
  api: ApiIdentity,
  type: string,
  identitySource: readonly string[],
): { readonly [key: string]: unknown } {
  return present({
    version: '2.0',
    type,
    routeArn: executeApiArn(view, api),
    identitySource,
    ...requestFields(view, match),
    requestContext: requestContext(view, match, api),
    pathParameters: nonEmpty(match.pathParameters),
  });
}

/** The Lambda authorizer's event, payload format 1.0: the REST API's REQUEST shape, identity sources comma-joined. */
export function lambdaAuthorizerEventV1(
  view: RequestView,
  match: RouteMatch,
  api: ApiIdentity,
  type: string,
  identitySource: readonly string[],
): { readonly [key: string]: unknown } {
  const { request } = view;
  const routePath = view.routePath ?? view.path;
  const resource = match.route.path || match.route.routeKey;
  return present({
    version: '1.0',
    type,
    methodArn: executeApiArn(view, api),
    identitySource: identitySource.join(','),
    authorizationToken: identitySource.join(','),
    resource,
    path: routePath,
    httpMethod: request.method,
    headers: view.headers,
    queryStringParameters: nonEmpty(view.queryStringParameters),
    pathParameters: nonEmpty(match.pathParameters),
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      domainName: view.domainName,
      domainPrefix: view.domainPrefix,
      extendedRequestId: request.requestId,
      httpMethod: request.method,
      identity: { sourceIp: request.sourceIp, userAgent: view.userAgent ?? '' },
      path: view.path,
      protocol: 'HTTP/1.1',
      requestId: request.requestId,
      requestTime: requestTime(request.timeEpoch),
      requestTimeEpoch: request.timeEpoch,
      resourceId: match.route.routeKey,
      resourcePath: resource,
      stage: api.stageName,
    },
  });
}
