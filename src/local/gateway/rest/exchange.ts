/**
 * One request's passage through the REST gateway: its ids, what was matched, the `$context` variables the access
 * log reads (every variable of the construct's REST access-log format, `src/api/access-log.ts`), and the rendering
 * of its answer, the gateway's own errors included.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference
 */
import { errorBody, GatewayError, renderError } from './gateway-responses';
import { extendedRequestIdOf, requestTimeOf, resourceIdOf } from './ids';
import type { RestResource } from './match';
import { headerOf, type StagePath } from './request-parts';
import type { GatewayRequest, GatewayResponse, GatewayResult } from '../../contracts';
import type { LocalApiModel } from '../../model';

type Variables = { [variable: string]: string | number | undefined };

/** The variables a request may not reach (no resource, no integration...): present, and logged as `-`. */
const LATER_VARIABLES = [
  'resourcePath',
  'resourceId',
  'identity.apiKey',
  'identity.apiKeyId',
  'authorizer.principalId',
  'authorizer.error',
  'authorizer.latency',
  'integrationLatency',
  'integration.latency',
  'integrationStatus',
  'integration.integrationStatus',
  'integration.status',
  'integration.error',
  'integrationErrorMessage',
  'error.message',
  'error.messageString',
  'error.responseType',
  'error.validationErrorString',
  'waf.status',
];

/** Sets a header, replacing any spelling of the same name. */
export function setHeader(headers: { [name: string]: string[] }, name: string, value: string): void {
  for (const existing of Object.keys(headers)) {
    if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
  }
  headers[name] = [value];
}

export class Exchange {
  public readonly extendedRequestId: string;
  public stagePath?: StagePath;
  public pathParameters?: { readonly [name: string]: string };
  private readonly variables: Variables;

  constructor(
    public readonly request: GatewayRequest,
    private readonly api: LocalApiModel,
    private readonly apiId: string,
    private readonly startedAt: number,
  ) {
    this.extendedRequestId = extendedRequestIdOf(request.requestId);
    const domainName = headerOf(request, 'host');
    this.variables = {
      ...Object.fromEntries(LATER_VARIABLES.map((name) => [name, undefined])),
      apiId: apiId,
      requestId: request.requestId,
      extendedRequestId: this.extendedRequestId,
      requestTime: requestTimeOf(request.timeEpoch),
      requestTimeEpoch: request.timeEpoch,
      httpMethod: request.method,
      path: request.rawPath,
      protocol: 'HTTP/1.1',
      stage: api.stageName,
      domainName: domainName,
      domainPrefix: domainName?.split('.')[0],
      'identity.sourceIp': request.sourceIp,
      'identity.userAgent': headerOf(request, 'user-agent'),
    };
  }

  public get ids(): { requestId: string; extendedRequestId: string } {
    return { requestId: this.request.requestId, extendedRequestId: this.extendedRequestId };
  }

  /** Records `$context` variables (undefined values are logged as `-`). */
  public set(variables: Variables): void {
    Object.assign(this.variables, variables);
  }

  public atStage(stagePath: StagePath): void {
    this.stagePath = stagePath;
    this.set({ path: stagePath.contextPath });
  }

  public atResource(resource: RestResource, pathParameters: { readonly [name: string]: string }): void {
    this.pathParameters = pathParameters;
    this.set({ resourcePath: resource.path, resourceId: resourceIdOf(this.apiId, resource.path) });
  }

  /** The answer to a gateway error, through the API's gateway responses. */
  public error(error: GatewayError): GatewayResponse {
    this.recordError(error);
    return renderError(error, this.api, this.ids, {
      request: this.request,
      pathParameters: this.pathParameters,
      context: this.variables,
    });
  }

  /** An error API Gateway answers before it reaches an API's stage, which no gateway response changes. */
  public plainError(error: GatewayError): GatewayResponse {
    this.recordError(error);
    return {
      statusCode: error.statusCode,
      headers: {
        'Content-Type': ['application/json'],
        'x-amzn-RequestId': [this.request.requestId],
        'x-amz-apigw-id': [this.extendedRequestId],
        'x-amzn-ErrorType': [error.errorType],
      },
      body: Buffer.from(errorBody(error)),
    };
  }

  /** The access log's view of the request, once answered with `response` at `endedAt`. */
  public result(response: GatewayResponse, endedAt: number): GatewayResult {
    this.set({
      status: response.statusCode,
      responseLength: response.body.length,
      responseLatency: Math.max(0, endedAt - this.startedAt),
    });
    return { response, context: { ...this.variables } };
  }

  private recordError(error: GatewayError): void {
    this.set({
      'error.message': error.message ?? undefined,
      'error.messageString': JSON.stringify(error.message),
      'error.responseType': error.type,
      'error.validationErrorString': error.validationError,
    });
  }
}
