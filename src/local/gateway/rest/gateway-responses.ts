/**
 * API Gateway's own answers on a REST API: each error has a gateway response type with a default status, which the
 * API's gateway responses may override (status and headers), a specific type first, then `DEFAULT_4XX` /
 * `DEFAULT_5XX`. The body is the default template `{"message":$context.error.messageString}`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
 */
import { headerOf, parseQuery } from './request-parts';
import type { GatewayRequest, GatewayResponse } from '../../contracts';
import type { LocalApiModel } from '../../model';

/** The REST gateway response types and their default status codes. */
export const GATEWAY_RESPONSE_STATUS = {
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  EXPIRED_TOKEN: 403,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  INVALID_SIGNATURE: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WAF_FILTERED: 403,
} as const;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_STATUS | 'DEFAULT_4XX' | 'DEFAULT_5XX';

/** One error API Gateway answers itself. */
export interface GatewayError {
  readonly type: GatewayResponseType;
  /** The status API Gateway sends for this case when no gateway response changes it. */
  readonly statusCode: number;
  /** `$context.error.message`; `null` where API Gateway sends `{"message":null}`. */
  readonly message: string | null;
  /** The `x-amzn-ErrorType` header. */
  readonly errorType: string;
  /** ACCESS_DENIED answers `{"Message":...}` with a capital M (LocalStack's AWS-validated `gateway_exception.py`). */
  readonly messageKey?: 'message' | 'Message';
  /** The body when API Gateway sends another than the default template's. */
  readonly body?: string;
  /** `$context.error.validationErrorString`. */
  readonly validationError?: string;
}

/** An error of `type` with the type's default status. */
export function gatewayError(
  type: keyof typeof GATEWAY_RESPONSE_STATUS,
  message: string | null,
  errorType: string,
  extra: Partial<Pick<GatewayError, 'statusCode' | 'messageKey' | 'body' | 'validationError'>> = {},
): GatewayError {
  return { type, statusCode: GATEWAY_RESPONSE_STATUS[type], message, errorType, ...extra };
}

/** What a gateway response's header mapping expressions may read. */
export interface ResponseParameterSource {
  readonly request: GatewayRequest;
  readonly pathParameters?: { readonly [name: string]: string };
  /** `$context` variables, for `context.*` expressions. */
  readonly context?: { readonly [name: string]: string | number | undefined };
}

/**
 * The value of a `gatewayresponse.header.*` mapping expression: a quoted literal (`'*'`), a request header, query
 * string or path parameter, or a context variable; undefined when the request has no such value (the header is left
 * out). An unquoted text that is none of those is taken as the literal a model reader may have unquoted already.
 */
export function resolveMappingExpression(expression: string, source: ResponseParameterSource): string | undefined {
  const literal = /^'(.*)'$/s.exec(expression);
  if (literal) return literal[1];
  const parameter = /^method\.request\.(header|multivalueheader|querystring|multivaluequerystring|path)\.(.+)$/.exec(
    expression,
  );
  if (parameter) {
    const [, where, name] = parameter;
    if (where === 'header') return headerOf(source.request, name);
    if (where === 'multivalueheader') return source.request.headers[name.toLowerCase()]?.join(',');
    if (where === 'path') return source.pathParameters?.[name];
    const values = parseQuery(source.request.rawQueryString).get(name);
    return where === 'querystring' ? values?.[values.length - 1] : values?.join(',');
  }
  if (expression.startsWith('stageVariables.')) return undefined;
  if (expression.startsWith('context.')) {
    const value = source.context?.[expression.slice('context.'.length)];
    return value === undefined ? undefined : String(value);
  }
  return expression;
}

/**
 * The status, headers and body the API's gateway responses give an error, the specific type first. A type left
 * uncustomized while `DEFAULT_4XX`/`DEFAULT_5XX` is customized "defaults to the DEFAULT_4XX type": it takes that
 * response's default template too, so ACCESS_DENIED's own `{"Message":...}` becomes `{"message":...}` (the page's
 * inheritance rule; no capture of that case exists).
 */
export function customize(
  error: GatewayError,
  responses: LocalApiModel['gatewayResponses'],
): { statusCode: number; headers: { readonly [name: string]: string }; body: string } {
  const specific = responses?.[error.type];
  const fallback = responses?.[error.statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
  const inherited = !specific && fallback !== undefined;
  return {
    statusCode: specific?.statusCode ?? fallback?.statusCode ?? error.statusCode,
    headers: (specific ?? fallback)?.headers ?? {},
    body: inherited ? JSON.stringify({ message: error.message }) : errorBody(error),
  };
}

/** The body of an error: its type's default template, or the body API Gateway sends for that case. */
export function errorBody(error: GatewayError): string {
  return error.body ?? JSON.stringify({ [error.messageKey ?? 'message']: error.message });
}

/**
 * The response of an error, with the headers every REST error carries (`x-amzn-RequestId`, `x-amz-apigw-id`,
 * `x-amzn-ErrorType`) and those of the API's gateway response for its type.
 */
export function renderError(
  error: GatewayError,
  api: LocalApiModel,
  ids: { requestId: string; extendedRequestId: string },
  source: ResponseParameterSource,
): GatewayResponse {
  const { statusCode, headers: mapped, body } = customize(error, api.gatewayResponses);
  const headers: { [name: string]: string[] } = {
    'Content-Type': ['application/json'],
    'x-amzn-RequestId': [ids.requestId],
    'x-amz-apigw-id': [ids.extendedRequestId],
    'x-amzn-ErrorType': [error.errorType],
  };
  for (const [name, expression] of Object.entries(mapped)) {
    const value = resolveMappingExpression(expression, source);
    if (value !== undefined) headers[name.replace(/^gatewayresponse\.header\./, '')] = [value];
  }
  return { statusCode, headers, body: Buffer.from(body) };
}
