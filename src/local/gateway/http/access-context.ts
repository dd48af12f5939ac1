/**
 * The `$context` variables of one HTTP API request, for its access-log line.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
import type { ApiIdentity } from './events';
import type { GatewayError } from './gateway-errors';
import { requestTime } from './request-time';
import type { RequestView } from './request-view';
import type { GatewayResponse, GatewayResult } from '../../contracts';

type Context = { [variable: string]: string | number | undefined };

/** What happened to a request on its way through the gateway, as far as it went. */
export interface RequestRecord {
  readonly view: RequestView;
  readonly api: ApiIdentity;
  /** When the gateway began handling the request (its clock's milliseconds). */
  readonly startedAt: number;
  routeKey?: string;
  auth?: {
    /** The authorizer's reason for refusing, `$context.authorizer.error`. */
    readonly error?: string;
    readonly principalId?: string;
    readonly authorizer?: { readonly [key: string]: unknown };
  };
  integration?: {
    readonly latencyMs: number;
    /** Lambda's own status for the invocation (200 even when the function failed; 429 when Lambda throttled). */
    readonly serviceStatus?: number;
    /** The `statusCode` the function returned. */
    readonly functionStatus?: number;
    readonly errorMessage?: string;
  };
  error?: GatewayError;
}

function isScalar(value: unknown): value is string | number | boolean {
  return ['string', 'number', 'boolean'].includes(typeof value);
}

/** `$context.authorizer.*` and, for IAM, `$context.identity.*` of the caller. */
function authorizerVariables(authorizer: { readonly [key: string]: unknown }, context: Context): void {
  const { jwt, lambda, iam } = authorizer as { jwt?: { claims?: unknown }; lambda?: unknown; iam?: unknown };
  if (jwt && typeof jwt.claims === 'object' && jwt.claims !== null) {
    for (const [name, value] of Object.entries(jwt.claims)) {
      if (isScalar(value)) context[`authorizer.claims.${name}`] = String(value);
    }
  }
  if (typeof lambda === 'object' && lambda !== null) {
    for (const [name, value] of Object.entries(lambda)) {
      if (isScalar(value)) context[`authorizer.${name}`] = String(value);
    }
  }
  if (typeof iam === 'object' && iam !== null) {
    const caller = iam as { [key: string]: unknown };
    const fields = {
      accessKey: 'accessKey',
      accountId: 'accountId',
      caller: 'callerId',
      user: 'userId',
      userArn: 'userArn',
    };
    for (const [variable, field] of Object.entries(fields)) {
      if (isScalar(caller[field])) context[`identity.${variable}`] = String(caller[field]);
    }
  }
}

export function accessLogContext(
  record: RequestRecord,
  response: GatewayResponse,
  finishedAt: number,
): GatewayResult['context'] {
  const { view, api, integration, error, auth } = record;
  const { request } = view;
  const context: Context = {
    apiId: api.apiId,
    requestId: request.requestId,
    extendedRequestId: request.requestId,
    requestTime: requestTime(request.timeEpoch),
    requestTimeEpoch: request.timeEpoch,
    domainName: view.domainName,
    domainPrefix: view.domainPrefix,
    stage: api.stageName,
    httpMethod: request.method,
    path: view.path,
    protocol: 'HTTP/1.1',
    routeKey: record.routeKey,
    status: response.statusCode,
    responseLength: response.body.length,
    responseLatency: finishedAt - record.startedAt,
    'identity.sourceIp': request.sourceIp,
    'identity.userAgent': view.userAgent,
    'error.message': error?.message,
    'error.messageString': error ? JSON.stringify(error.message) : undefined,
    'error.responseType': error?.responseType,
    'authorizer.error': auth?.error,
    'authorizer.principalId': auth?.principalId,
  };
  if (integration) {
    Object.assign(context, {
      integrationLatency: integration.latencyMs,
      'integration.latency': integration.latencyMs,
      integrationStatus: integration.serviceStatus,
      'integration.integrationStatus': integration.serviceStatus,
      'integration.status': integration.functionStatus,
      integrationErrorMessage: integration.errorMessage,
      'integration.error': integration.errorMessage,
    });
  }
  if (auth?.authorizer) authorizerVariables(auth.authorizer, context);
  return context;
}
