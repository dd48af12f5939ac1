/**
 * How a REST API answers a request its authorizer refused, by the kind of authorization the method uses:
 * - Cognito user pools: 401 Unauthorized for a missing or invalid token and for an access token without the
 *   method's scopes (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html);
 * - Lambda authorizers: 401 Unauthorized when the identity source is missing or the function says `Unauthorized`,
 *   403 on a Deny (https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer,
 *   https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer), 500 with `{"message":null}` when it
 *   fails (LocalStack's AWS-validated `gateway_response.py`);
 * - IAM: 403 with the SigV4 messages of https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden.
 */
import { GatewayError, gatewayError } from './gateway-responses';
import type { AuthFailure } from '../../contracts';
import type { LocalApiModel, LocalRouteModel } from '../../model';

/** The kind of authorization a method uses, as its failures differ. */
export type AuthorizationKind = 'iam' | 'cognito' | 'lambda';

export function authorizationKindOf(route: LocalRouteModel, api: LocalApiModel): AuthorizationKind | undefined {
  const authorization = route.authorization;
  if (authorization.type === 'NONE') return undefined;
  if (authorization.type === 'IAM') return 'iam';
  const authorizer = api.authorizers[authorization.authorizerId];
  return authorizer?.kind === 'cognito' || authorizer?.kind === 'jwt' ? 'cognito' : 'lambda';
}

const UNAUTHORIZED = (): GatewayError => gatewayError('UNAUTHORIZED', 'Unauthorized', 'UnauthorizedException');
const AUTHORIZER_ERROR = (): GatewayError =>
  gatewayError('AUTHORIZER_CONFIGURATION_ERROR', null, 'AuthorizerConfigurationException');

const EXPLICIT_DENY = 'User is not authorized to access this resource with an explicit deny';
const NO_ALLOW = 'User is not authorized to access this resource';

/** The Lambda authorizer's deny message: the authorizer's own when it is one of API Gateway's, else by its wording. */
function lambdaDenyMessage(message: string): string {
  if (message.startsWith(NO_ALLOW)) return message;
  return /explicit deny/i.test(message) ? EXPLICIT_DENY : NO_ALLOW;
}

function iamFailure(failure: AuthFailure, message: string): GatewayError {
  if (failure === 'missing') {
    return gatewayError(
      'MISSING_AUTHENTICATION_TOKEN',
      'Missing Authentication Token',
      'MissingAuthenticationTokenException',
    );
  }
  if (failure === 'invalid') {
    if (/security token included in the request is expired/i.test(message)) {
      return gatewayError('EXPIRED_TOKEN', message, 'ExpiredTokenException');
    }
    // The knowledge-center page gives this message with AccessDeniedException; a bad or expired signature is an
    // InvalidSignatureException.
    const errorType = /security token included in the request is invalid/i.test(message)
      ? 'AccessDeniedException'
      : 'InvalidSignatureException';
    return gatewayError(
      'INVALID_SIGNATURE',
      message || 'The request signature we calculated does not match the signature you provided.',
      errorType,
    );
  }
  if (failure === 'authorizer-error') return AUTHORIZER_ERROR();
  return gatewayError(
    'ACCESS_DENIED',
    message || 'User: anonymous is not authorized to perform: execute-api:Invoke',
    'AccessDeniedException',
    {
      messageKey: 'Message',
    },
  );
}

/** The gateway error for an authorization failure of a method using `kind`. */
export function authFailureError(kind: AuthorizationKind, failure: AuthFailure, message: string): GatewayError {
  if (kind === 'iam') return iamFailure(failure, message);
  if (failure === 'authorizer-error') return AUTHORIZER_ERROR();
  if (kind === 'lambda' && failure === 'denied') {
    return gatewayError('ACCESS_DENIED', lambdaDenyMessage(message), 'AccessDeniedException', {
      messageKey: 'Message',
    });
  }
  return UNAUTHORIZED();
}
