/**
 * The event a route's Lambda authorizer receives, in the payload format version its authorizer declares (2.0 unless
 * it says 1.0).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
import { apiIdentity, lambdaAuthorizerEventV1, lambdaAuthorizerEventV2 } from './events';
import { viewRequest, type RequestView } from './request-view';
import type { RouteMatch } from './routes';
import type { MatchedRequest } from '../../contracts';
import type { LocalAppModel } from '../../model';

export function authorizerEventFor(
  app: LocalAppModel,
  view: RequestView,
  match: RouteMatch,
  type: 'TOKEN' | 'REQUEST',
  identitySource: readonly string[],
): { readonly [key: string]: unknown } {
  const authorization = match.route.authorization;
  const authorizer = authorization.type === 'AUTHORIZER' ? app.api.authorizers[authorization.authorizerId] : undefined;
  const version = authorizer?.kind === 'lambda-request' ? authorizer.payloadFormatVersion : undefined;
  const build = version === '1.0' ? lambdaAuthorizerEventV1 : lambdaAuthorizerEventV2;
  return build(view, match, apiIdentity(app), type, identitySource);
}

/**
 * The Lambda authorizer event of `matched` on an HTTP API of `app`, as the gateway builds it for
 * `AuthorizationInput.lambdaAuthorizerEvent`.
 */
export function httpLambdaAuthorizerEvent(
  app: LocalAppModel,
  matched: MatchedRequest,
  type: 'TOKEN' | 'REQUEST',
  identitySource: readonly string[],
): { readonly [key: string]: unknown } {
  const view = viewRequest(matched.request, app.api.stageName);
  return authorizerEventFor(app, view, matched, type, identitySource);
}
