/**
 * The answers an HTTP API gives itself, each `{"message": ...}` with `apigw-requestid`, and which authorization
 * failure becomes which answer.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
import type { AuthFailure, GatewayResponse } from '../../contracts';

export interface GatewayError {
  readonly statusCode: number;
  /** The body's `message`, and `$context.error.message`. */
  readonly message: string;
  /** `$context.error.responseType`: the REST gateway response type of the same answer, HTTP APIs having none. */
  readonly responseType: string;
  readonly headers?: { readonly [name: string]: readonly string[] };
}

export const NOT_FOUND: GatewayError = { statusCode: 404, message: 'Not Found', responseType: 'RESOURCE_NOT_FOUND' };
export const TOO_MANY_REQUESTS: GatewayError = {
  statusCode: 429,
  message: 'Too Many Requests',
  responseType: 'THROTTLED',
};
export const INTEGRATION_FAILURE: GatewayError = {
  statusCode: 500,
  message: 'Internal Server Error',
  responseType: 'INTEGRATION_FAILURE',
};
export const INTEGRATION_TIMEOUT: GatewayError = {
  statusCode: 503,
  message: 'Service Unavailable',
  responseType: 'INTEGRATION_TIMEOUT',
};
const UNAUTHORIZED: GatewayError = { statusCode: 401, message: 'Unauthorized', responseType: 'UNAUTHORIZED' };
const FORBIDDEN: GatewayError = { statusCode: 403, message: 'Forbidden', responseType: 'ACCESS_DENIED' };
const AUTHORIZER_ERROR: GatewayError = {
  statusCode: 500,
  message: 'Internal Server Error',
  responseType: 'AUTHORIZER_CONFIGURATION_ERROR',
};

/** The kind of authorization that refused a request, as each kind answers differently. */
export type AuthorizationKind = 'jwt' | 'lambda' | 'iam';

/** A header value cannot hold line breaks, and a quoted parameter cannot hold an unescaped quote. */
function quoted(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/["\\]/g, (c) => `\\${c}`);
}

function jwtFailure(failure: AuthFailure, message: string): GatewayError {
  switch (failure) {
    case 'missing':
    case 'invalid':
    case 'unauthorized':
      return {
        ...UNAUTHORIZED,
        headers: {
          'www-authenticate': [`Bearer scope="" error="invalid_token" error_description="${quoted(message)}"`],
        },
      };
    case 'insufficient-scope':
    case 'denied':
      // The answer to a valid token without the route's scopes is undocumented: 403 Forbidden, as
      // serverless-offline answers it, and without a www-authenticate header, for which no evidence was found.
      return FORBIDDEN;
    case 'authorizer-error':
      return AUTHORIZER_ERROR;
  }
}

function lambdaFailure(failure: AuthFailure): GatewayError {
  switch (failure) {
    case 'missing':
    case 'invalid':
    case 'unauthorized':
      // An identity source absent: 401 without invoking the authorizer (documented). An authorizer that throws
      // "Unauthorized" is answered 401 as REST APIs answer it; HTTP APIs leave it undocumented.
      return UNAUTHORIZED;
    case 'denied':
    case 'insufficient-scope':
      return FORBIDDEN;
    case 'authorizer-error':
      return AUTHORIZER_ERROR;
  }
}

function iamFailure(failure: AuthFailure, message: string): GatewayError {
  // HTTP APIs document only that an IAM-authorized route refuses the request "similar to REST": REST's 403 answers.
  if (failure === 'authorizer-error') return AUTHORIZER_ERROR;
  if (failure === 'missing') {
    return { statusCode: 403, message: 'Missing Authentication Token', responseType: 'MISSING_AUTHENTICATION_TOKEN' };
  }
  return { statusCode: 403, message, responseType: failure === 'invalid' ? 'INVALID_SIGNATURE' : 'ACCESS_DENIED' };
}

/** The answer to a request its route's authorization refused. */
export function authorizationError(kind: AuthorizationKind, failure: AuthFailure, message: string): GatewayError {
  if (kind === 'jwt') return jwtFailure(failure, message);
  if (kind === 'iam') return iamFailure(failure, message);
  return lambdaFailure(failure);
}

/** The response of a gateway answer. */
export function gatewayResponse(error: GatewayError, requestId: string): GatewayResponse {
  return {
    statusCode: error.statusCode,
    headers: {
      ...error.headers,
      'content-type': ['application/json'],
      'apigw-requestid': [requestId],
    },
    body: Buffer.from(JSON.stringify({ message: error.message }), 'utf8'),
  };
}
