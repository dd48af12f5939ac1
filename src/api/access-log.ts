import { ApiType } from './api-type';

/**
 * The access log, one JSON object per request, with the same fields on both kinds of API so that metric
 * filters, queries and the dashboard work on either. Every value is a string, because API Gateway writes
 * "-" for an absent value: metric filters match e.g. `{ $.status = "429" }`.
 */
export const ACCESS_LOG_FORMAT = {
  apiId: '$context.apiId',
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  principalId: '$context.authorizer.principalId',
  errorMessage: '$context.error.message',
};

/**
 * The REST API's access log: the same fields, from REST's context variables, and what only REST has (the
 * API key, WAF's verdict, the gateway response type and request validation errors).
 */
export const REST_ACCESS_LOG_FORMAT = {
  ...ACCESS_LOG_FORMAT,
  routeKey: '$context.httpMethod $context.resourcePath',
  integrationStatus: '$context.integration.status',
  integrationError: '$context.integration.error',
  apiKeyId: '$context.identity.apiKeyId',
  wafStatus: '$context.waf.status',
  errorType: '$context.error.responseType',
  validationError: '$context.error.validationErrorString',
};

/** The access log format of a kind of API, as API Gateway takes it. */
export function accessLogFormat(type: ApiType = ApiType.HTTP): string {
  return JSON.stringify(type === ApiType.REST ? REST_ACCESS_LOG_FORMAT : ACCESS_LOG_FORMAT);
}
