/**
 * The `execute-api` ARN of a request: what a Lambda authorizer receives as `methodArn` (REST) or `routeArn` (HTTP)
 * and what its policy's `Resource` is matched against:
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
 */
import type { MatchedRequest } from '../contracts';
import type { LocalAppModel } from '../model';

/** The API's id in local ARNs and events, as the reader made it up for `Ref`. */
export function localApiId(app: LocalAppModel): string {
  return app.api.apiId;
}

/**
 * The ARN of the request's method and path: the route's path with the request's path parameters (decoded, a greedy
 * parameter keeping its slashes), without the leading `/`; the request's own method on an `ANY` route.
 */
export function requestArn(app: LocalAppModel, matched: MatchedRequest): string {
  const path = matched.route.routeKey === '$default' ? matched.request.rawPath : resolvedPath(matched);
  return executeApiArn(app, matched.request.method.toUpperCase(), path);
}

export function executeApiArn(app: LocalAppModel, method: string, path: string): string {
  const relative = path.startsWith('/') ? path.slice(1) : path;
  return `arn:aws:execute-api:${app.region}:${app.accountId}:${localApiId(app)}/${app.api.stageName}/${method}/${relative}`;
}

function resolvedPath(matched: MatchedRequest): string {
  return matched.route.path.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => matched.pathParameters[name] ?? '');
}
