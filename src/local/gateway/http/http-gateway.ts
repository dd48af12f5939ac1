/**
 * The gateway of an HTTP API: matches the route, answers CORS preflights, throttles, authorizes, invokes the route's
 * function with the payload format 2.0 event within the integration timeout, and reads its result.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api.html
 */
import type {
  AuthOutcome,
  GatewayOptions,
  Gateway,
  GatewayRequest,
  GatewayResponse,
  GatewayResult,
  InvokeOutcome,
  MatchedRequest,
} from '../../contracts';
import { ACCOUNT_THROTTLE, type LocalAppModel, type LocalRouteModel } from '../../model';
import { TokenBuckets } from '../token-bucket';
import { accessLogContext, type RequestRecord } from './access-context';
import { isPreflight, preflightHeaders, withCorsHeaders } from './cors';
import { apiIdentity, executeApiArn, integrationEvent, type ApiIdentity } from './events';
import {
  authorizationError,
  gatewayResponse,
  INTEGRATION_FAILURE,
  INTEGRATION_TIMEOUT,
  NOT_FOUND,
  TOO_MANY_REQUESTS,
  type AuthorizationKind,
  type GatewayError,
} from './gateway-errors';
import { authorizerEventFor } from './lambda-authorizer-event';
import { readLambdaResult } from './lambda-result';
import { viewRequest } from './request-view';
import { HttpRouteTable, type RouteMatch } from './routes';

type Authorized = { readonly ok: true; readonly authorizer?: { readonly [key: string]: unknown } } | GatewayError;

export class HttpGateway implements Gateway {
  private readonly app: LocalAppModel;
  private readonly api: ApiIdentity;
  private readonly routes: HttpRouteTable;
  private readonly buckets: TokenBuckets;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: GatewayOptions) {
    this.app = options.app;
    this.api = apiIdentity(options.app);
    this.routes = new HttpRouteTable(options.app.api.routes);
    this.now = options.now ?? Date.now;
    this.buckets = new TokenBuckets(this.now);
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  public async handle(request: GatewayRequest): Promise<GatewayResult> {
    const record: RequestRecord = {
      view: viewRequest(request, this.api.stageName),
      api: this.api,
      startedAt: this.now(),
    };
    const response = await this.answer(record);
    return { response, context: accessLogContext(record, response, this.now()) };
  }

  private async answer(record: RequestRecord): Promise<GatewayResponse> {
    const { request, routePath } = record.view;
    const match = routePath === undefined ? undefined : this.routes.match(request.method, routePath);
    const cors = this.app.api.cors;
    if (!match && cors && isPreflight(request)) {
      // Answered by API Gateway itself: no route takes this OPTIONS request.
      const headers = preflightHeaders(cors, request.headers.origin?.[0]);
      return {
        statusCode: 204,
        headers: { ...headers, 'apigw-requestid': [request.requestId] },
        body: Buffer.alloc(0),
      };
    }
    const response = match ? await this.route(record, match) : this.fail(record, NOT_FOUND);
    if (!cors) return response;
    return { ...response, headers: withCorsHeaders(response.headers, cors, request.headers.origin?.[0]) };
  }

  private async route(record: RequestRecord, match: RouteMatch): Promise<GatewayResponse> {
    record.routeKey = match.route.routeKey;
    if (!this.takeToken(match.route)) return this.fail(record, TOO_MANY_REQUESTS);
    const authorized = await this.authorize(record, match);
    if (!('ok' in authorized)) return this.fail(record, authorized);
    return this.integrate(record, match, authorized.authorizer);
  }

  /** Route settings override the stage's default route settings, which apply to each route on its own. */
  private takeToken(route: LocalRouteModel): boolean {
    const limits = route.throttle ?? this.app.api.throttle;
    if (limits && !this.buckets.tryTake(`route ${route.routeKey}`, limits)) return false;
    return this.buckets.tryTake('account', ACCOUNT_THROTTLE);
  }

  private authorizationKind(route: LocalRouteModel): AuthorizationKind {
    const authorization = route.authorization;
    if (authorization.type === 'IAM') return 'iam';
    if (authorization.type === 'AUTHORIZER' && this.app.api.authorizers[authorization.authorizerId]?.kind === 'jwt') {
      return 'jwt';
    }
    return 'lambda';
  }

  private async authorize(record: RequestRecord, match: RouteMatch): Promise<Authorized> {
    const { route } = match;
    if (route.authorization.type === 'NONE') return { ok: true };
    const matched: MatchedRequest = { request: record.view.request, route, pathParameters: match.pathParameters };
    let outcome: AuthOutcome;
    try {
      outcome = await this.options.authorizer.authorize({
        matched,
        requestArn: executeApiArn(record.view, this.api),
        lambdaAuthorizerEvent: (type, identitySource) =>
          authorizerEventFor(this.app, record.view, match, type, identitySource),
      });
    } catch (error) {
      outcome = { ok: false, failure: 'authorizer-error', message: `the authorizer failed: ${describe(error)}` };
    }
    if (!outcome.ok) {
      record.auth = { error: outcome.message };
      const answer = authorizationError(this.authorizationKind(route), outcome.failure, outcome.message);
      if (answer.statusCode >= 500) {
        this.explain(record, `authorization of ${route.routeKey} failed: ${outcome.message}`);
      }
      return answer;
    }
    const claims = (outcome.authorizer?.jwt as { claims?: { sub?: unknown } } | undefined)?.claims;
    const principalId = outcome.principalId ?? (typeof claims?.sub === 'string' ? claims.sub : undefined);
    record.auth = { principalId, authorizer: outcome.authorizer };
    return { ok: true, authorizer: outcome.authorizer };
  }

  private async integrate(
    record: RequestRecord,
    match: RouteMatch,
    authorizer: { readonly [key: string]: unknown } | undefined,
  ): Promise<GatewayResponse> {
    const { request } = record.view;
    const functionId = match.route.functionId;
    const event = integrationEvent(record.view, match, this.api, authorizer);
    const invokedAt = this.now();
    const outcome = await this.invokeWithin(functionId, event, request.requestId);
    const latencyMs = this.now() - invokedAt;
    if (outcome === 'integration-timeout') {
      const seconds = this.app.api.integrationTimeoutMs / 1000;
      record.integration = { latencyMs, errorMessage: `The integration did not answer within ${seconds} seconds.` };
      this.explain(record, `${functionId} did not answer within the integration timeout of ${seconds} s: 503`);
      return this.fail(record, INTEGRATION_TIMEOUT);
    }
    if (outcome.status !== 'ok') {
      const failure = this.invocationFailure(functionId, outcome);
      record.integration = { latencyMs, serviceStatus: failure.serviceStatus, errorMessage: failure.message };
      this.explain(record, `${functionId}: ${failure.message}`);
      return this.fail(record, INTEGRATION_FAILURE);
    }
    const reading = readLambdaResult(outcome.payload);
    if (!reading.ok) {
      const message = `The response from the Lambda function doesn't match the format that API Gateway expects: ${reading.problem}.`;
      record.integration = { latencyMs, serviceStatus: 200, errorMessage: message };
      this.explain(record, `${functionId}: ${message} See ${RESULT_FORMAT_PAGE}`);
      return this.fail(record, INTEGRATION_FAILURE);
    }
    const { response } = reading;
    record.integration = { latencyMs, serviceStatus: 200, functionStatus: response.statusCode };
    return { ...response, headers: { ...response.headers, 'apigw-requestid': [request.requestId] } };
  }

  /**
   * Lambda's failures, each answered 500. A throttled function (no execution environment left) is undocumented for
   * HTTP APIs: it is answered like the other invocation failures, and logged with Lambda's status, 429.
   */
  private invocationFailure(
    functionId: string,
    outcome: Exclude<InvokeOutcome, { status: 'ok' }>,
  ): { readonly serviceStatus: number; readonly message: string } {
    switch (outcome.status) {
      case 'throttled':
        return {
          serviceStatus: 429,
          message: 'Rate Exceeded. Lambda throttled the invocation (reserved concurrency reached).',
        };
      case 'timeout': {
        const seconds = (this.app.functions[functionId]?.timeoutSeconds ?? outcome.durationMs / 1000).toFixed(2);
        return { serviceStatus: 200, message: lambdaErrorMessage(`Task timed out after ${seconds} seconds`) };
      }
      case 'error':
        return { serviceStatus: 200, message: lambdaErrorMessage(`${outcome.errorType}: ${outcome.errorMessage}`) };
    }
  }

  /** The function's outcome, or `integration-timeout` once the API stops waiting (the function may still run). */
  private async invokeWithin(
    functionId: string,
    event: unknown,
    requestId: string,
  ): Promise<InvokeOutcome | 'integration-timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'integration-timeout'>((resolve) => {
      timer = setTimeout(() => resolve('integration-timeout'), this.app.api.integrationTimeoutMs);
    });
    const invocation = this.options.invoker.invoke(functionId, event, { requestId }).catch((error): InvokeOutcome => ({
      status: 'error',
      errorType: 'Lambda.ServiceException',
      errorMessage: `the local Lambda service failed: ${describe(error)}`,
      durationMs: 0,
    }));
    try {
      return await Promise.race([invocation, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private fail(record: RequestRecord, error: GatewayError): GatewayResponse {
    record.error = error;
    return gatewayResponse(error, record.view.request.requestId);
  }

  private explain(record: RequestRecord, reason: string): void {
    const { request } = record.view;
    this.log(`${request.method} ${record.view.path} (request ${request.requestId}): ${reason}`);
  }
}

const RESULT_FORMAT_PAGE =
  'https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html';

function lambdaErrorMessage(error: string): string {
  return `The Lambda function returned the following error: ${error}. Check your Lambda function code and try again.`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
