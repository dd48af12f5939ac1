/**
 * The REST API gateway (Lambda proxy integrations, payload 1.0). A request goes through the steps API Gateway takes,
 * in its order:
 * 1. the stage and the resource and method (403 Missing Authentication Token when none matches);
 * 2. the CORS preflight mock, on OPTIONS where the API declares one;
 * 3. authorization (Cognito, Lambda authorizer or IAM): the authorizer runs before the API key is checked, since a
 *    usage plan may take its key from the authorizer's `usageIdentifierKey`
 *    (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html) and the execution
 *    log completes the authorizer before "Verifying Usage Plan for request";
 * 4. the API key and its usage plan's throttle and quota, then the stage's and method's throttle, in the order
 *    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html lists them;
 * 5. request validation, which fails the request "before proceeding with the integration request"
 *    (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html);
 * 6. the integration, and its result read as a proxy response.
 */
import { createHash } from 'crypto';
import type {
  AuthOutcome,
  GatewayOptions,
  Gateway,
  GatewayRequest,
  GatewayResponse,
  GatewayResult,
} from '../../contracts';
import type { LocalApiModel, LocalRouteModel } from '../../model';
import { TokenBuckets } from '../token-bucket';
import { authFailureError, authorizationKindOf } from './auth-failures';
import { preflightResponse } from './cors-preflight';
import {
  type AuthorizationFacts,
  proxyEventOf,
  type RequestFacts,
  requestAuthorizerEvent,
  requestContextOf,
  tokenAuthorizerEvent,
  methodArnOf,
} from './event';
import { Exchange, setHeader } from './exchange';
import { GatewayError, gatewayError } from './gateway-responses';
import { localRestApiId, traceIdOf } from './ids';
import { badGateway, failedIntegration, LAMBDA_PAYLOAD_LIMIT_BYTES, runIntegration } from './integration';
import { ResourceTree, type RestResource } from './match';
import { headerOf, parseQuery, safeDecode, stagePath } from './request-parts';
import { readProxyResult } from './result';
import { UsagePlans } from './usage-plans';
import { RequestValidation } from './validation';

/** API Gateway's payload quota: a larger request is refused before anything else, with a plain-text body. */
const REQUEST_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/** The gateway of a REST API read from a cloud assembly. */
export function createRestGateway(options: GatewayOptions): Gateway {
  return new RestGateway(options);
}

/**
 * 403 for a path or method the API does not have. With an `Authorization` header that is not key=value pairs,
 * API Gateway reads it as a malformed SigV4 header and says so, hashing the header's value
 * (github.com/HumanCellAtlas/data-store/issues/328; the hashed wording of current captures).
 */
function missingAuthenticationToken(request: GatewayRequest): GatewayError {
  const authorization = headerOf(request, 'authorization')?.trim();
  const pairs = authorization?.split(/\s+/).slice(1).join(' ').split(',') ?? [];
  if (authorization && pairs.some((pair) => pair.trim() !== '' && !pair.includes('='))) {
    const hash = createHash('sha256').update(authorization).digest('base64');
    const message = `Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '${hash}'.`;
    return gatewayError('MISSING_AUTHENTICATION_TOKEN', message, 'IncompleteSignatureException');
  }
  return gatewayError(
    'MISSING_AUTHENTICATION_TOKEN',
    'Missing Authentication Token',
    'MissingAuthenticationTokenException',
  );
}

class RestGateway implements Gateway {
  private readonly api: LocalApiModel;
  private readonly apiId: string;
  private readonly tree: ResourceTree;
  private readonly validation: RequestValidation;
  private readonly buckets: TokenBuckets;
  private readonly usagePlans: UsagePlans;
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: GatewayOptions) {
    const { app } = options;
    if (app.api.type !== 'REST') {
      throw new Error(
        `createRestGateway serves REST APIs, got: the ${app.api.type} API "${app.api.name}" of stack "${app.stackName}". Serve it with the HTTP API gateway.`,
      );
    }
    this.api = app.api;
    this.apiId = localRestApiId(app);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.tree = new ResourceTree(this.api.routes, this.api.cors !== undefined);
    this.validation = new RequestValidation(this.api.routes);
    this.buckets = new TokenBuckets(this.now);
    this.usagePlans = new UsagePlans(this.api, this.buckets, this.now);
  }

  public async handle(request: GatewayRequest): Promise<GatewayResult> {
    const exchange = new Exchange(request, this.api, this.apiId, this.now());
    let response: GatewayResponse;
    try {
      response = await this.process(exchange);
    } catch (e) {
      this.explain(exchange, `the gateway failed: ${(e as Error)?.stack ?? String(e)}`);
      response = exchange.error(
        gatewayError('API_CONFIGURATION_ERROR', 'Internal server error', 'InternalServerErrorException'),
      );
    }
    return exchange.result(response, this.now());
  }

  private explain(exchange: Exchange, reason: string): void {
    this.log(`${exchange.request.requestId} ${exchange.request.method} ${exchange.request.rawPath}: ${reason}`);
  }

  private refuse(exchange: Exchange, error: GatewayError, reason: string): GatewayResponse {
    this.explain(exchange, `${error.type} ${error.statusCode}: ${reason}`);
    return exchange.error(error);
  }

  private async process(exchange: Exchange): Promise<GatewayResponse> {
    const { request } = exchange;
    if (request.body.length > REQUEST_BODY_LIMIT_BYTES) {
      this.explain(exchange, `413: the body has ${request.body.length} bytes, over API Gateway's 10 MB`);
      // Sent by API Gateway's front end, not through a gateway response (github.com/koki-develop/lgtm-generator/issues/10).
      return {
        statusCode: 413,
        headers: { 'Content-Type': ['text; charset=utf-8'] },
        body: Buffer.from(`HTTP content length exceeded ${REQUEST_BODY_LIMIT_BYTES} bytes.`),
      };
    }
    const path = stagePath(request.rawPath, this.api.stageName);
    if (!path) {
      this.explain(exchange, `403: the path does not start with the stage: call /${this.api.stageName}/...`);
      return exchange.plainError({
        type: 'DEFAULT_4XX',
        statusCode: 403,
        message: 'Forbidden',
        errorType: 'ForbiddenException',
      });
    }
    exchange.atStage(path);
    const match = this.tree.match(request.method, path.segments);
    if (match.kind === 'none') {
      return this.refuse(
        exchange,
        missingAuthenticationToken(request),
        `no resource of the API has ${request.method} ${path.path}; it has ${this.declaredMethods()}`,
      );
    }
    exchange.atResource(match.resource, match.pathParameters);
    if (match.kind === 'preflight') {
      if (this.api.throttle && !this.buckets.tryTake(`method ${match.resource.path} OPTIONS`, this.api.throttle)) {
        return this.refuse(exchange, throttled(), `the stage throttles OPTIONS ${match.resource.path}`);
      }
      return preflightResponse(this.api.cors!, headerOf(request, 'origin'), exchange.ids);
    }
    return this.invokeRoute(exchange, match.route, match.resource, match.pathParameters);
  }

  /** The API's methods, for the log line of a request none of them answers. */
  private declaredMethods(): string {
    const methods = this.api.routes.map((r) => `${r.method} ${r.path}`);
    return methods.length > 12
      ? `${methods.slice(0, 12).join(', ')} and ${methods.length - 12} more`
      : methods.join(', ') || 'none';
  }

  private async invokeRoute(
    exchange: Exchange,
    route: LocalRouteModel,
    resource: RestResource,
    pathParameters: { readonly [name: string]: string },
  ): Promise<GatewayResponse> {
    const { request } = exchange;
    const query = parseQuery(request.rawQueryString);
    const apiKeyValue = route.apiKeyRequired ? headerOf(request, 'x-api-key') : undefined;
    const knownKey = this.usagePlans.lookup(apiKeyValue);
    const facts: RequestFacts = {
      app: this.options.app,
      apiId: this.apiId,
      request,
      stagePath: exchange.stagePath!,
      resource,
      pathParameters,
      query,
      extendedRequestId: exchange.extendedRequestId,
      apiKey: route.apiKeyRequired ? { value: apiKeyValue ?? null, id: knownKey?.key.id ?? null } : undefined,
    };

    const authorization = await this.authorize(exchange, route, facts);
    if ('refused' in authorization) return authorization.refused;

    if (route.apiKeyRequired) {
      const verdict = this.usagePlans.admit(apiKeyValue, `${route.path}/${route.method}`);
      if (!verdict.ok) return this.refuse(exchange, verdict.error, verdict.reason);
      exchange.set({ 'identity.apiKey': verdict.accepted.key.value, 'identity.apiKeyId': verdict.accepted.key.id });
    }
    const throttle = route.throttle ?? this.api.throttle;
    if (throttle && !this.buckets.tryTake(`method ${route.path} ${route.method}`, throttle)) {
      return this.refuse(
        exchange,
        throttled(),
        `${route.throttle ? 'the method' : 'the stage'} throttles ${route.method} ${route.path} (rate ${throttle.rateLimit}/s, burst ${throttle.burstLimit})`,
      );
    }
    const validation = this.validation.validate(route, request, query);
    if (!validation.ok) {
      return this.refuse(exchange, validation.error, validation.error.validationError ?? 'the request is not valid');
    }

    const event = proxyEventOf(facts, requestContextOf(facts, authorization.facts));
    if (
      request.body.length > LAMBDA_PAYLOAD_LIMIT_BYTES / 2 &&
      Buffer.byteLength(JSON.stringify(event)) > LAMBDA_PAYLOAD_LIMIT_BYTES
    ) {
      return this.refuse(
        exchange,
        gatewayError('REQUEST_TOO_LARGE', 'Request Too Long', 'BadRequestException', {
          body: '{"message": "Request Too Long"}',
        }),
        "the proxy event is over Lambda's 6 MB invocation payload",
      );
    }
    return this.integrate(exchange, route, event);
  }

  /** Runs the method's authorization; `refused` holds the answer when the request may not go on. */
  private async authorize(
    exchange: Exchange,
    route: LocalRouteModel,
    facts: RequestFacts,
  ): Promise<{ facts: AuthorizationFacts } | { refused: GatewayResponse }> {
    const kind = authorizationKindOf(route, this.api);
    if (!kind) return { facts: {} };
    const decoded = Object.fromEntries(Object.entries(facts.pathParameters).map(([k, v]) => [k, safeDecode(v)]));
    const started = this.now();
    let outcome: AuthOutcome;
    try {
      outcome = await this.options.authorizer.authorize({
        matched: { request: facts.request, route, pathParameters: decoded },
        requestArn: methodArnOf(facts),
        lambdaAuthorizerEvent: (type, identitySource) =>
          type === 'TOKEN'
            ? tokenAuthorizerEvent(facts, identitySource)
            : requestAuthorizerEvent(facts, requestContextOf(facts)),
      });
    } catch (e) {
      outcome = {
        ok: false,
        failure: 'authorizer-error',
        message: `the authorizer failed: ${(e as Error)?.message ?? e}`,
      };
    }
    exchange.set({ 'authorizer.latency': this.now() - started });
    if (!outcome.ok) {
      if (kind !== 'iam') exchange.set({ 'authorizer.error': outcome.message });
      const error = authFailureError(kind, outcome.failure, outcome.message);
      return { refused: this.refuse(exchange, error, `${kind} authorization: ${outcome.failure}: ${outcome.message}`) };
    }
    exchange.set({ 'authorizer.principalId': outcome.principalId });
    return { facts: { authorizer: outcome.authorizer, identity: outcome.identity } };
  }

  private async integrate(exchange: Exchange, route: LocalRouteModel, event: unknown): Promise<GatewayResponse> {
    const { request } = exchange;
    const run = await runIntegration(this.options.invoker, route.functionId, event, {
      timeoutMs: this.api.integrationTimeoutMs,
      requestId: request.requestId,
      now: this.now,
    });
    exchange.set({ integrationLatency: run.latencyMs, 'integration.latency': run.latencyMs });
    const outcome = run.outcome;
    if (outcome.status !== 'ok') {
      const timeoutSeconds = this.options.app.functions[route.functionId]?.timeoutSeconds ?? 3;
      const failed = failedIntegration(outcome, timeoutSeconds);
      exchange.set({
        integrationStatus: failed.integrationStatus,
        'integration.integrationStatus': failed.integrationStatus,
        'integration.error': failed.integrationError,
        integrationErrorMessage: failed.integrationError,
      });
      return this.refuse(
        exchange,
        failed.error,
        `the function ${route.functionId}: ${outcome.status}: ${failed.integrationError}`,
      );
    }
    exchange.set({ integrationStatus: 200, 'integration.integrationStatus': 200 });
    const result = readProxyResult(outcome.payload, headerOf(request, 'accept'), this.api.binaryMediaTypes);
    if (!result.ok) {
      const error =
        result.problem === 'malformed'
          ? badGateway()
          : gatewayError('API_CONFIGURATION_ERROR', 'Internal server error', 'InternalServerErrorException');
      exchange.set({ 'integration.error': result.reason, integrationErrorMessage: result.reason });
      return this.refuse(exchange, error, `Malformed Lambda proxy response from ${route.functionId}: ${result.reason}`);
    }
    exchange.set({ 'integration.status': result.statusCode });
    const headers = result.headers;
    setHeader(headers, 'x-amzn-RequestId', request.requestId);
    setHeader(headers, 'x-amz-apigw-id', exchange.extendedRequestId);
    setHeader(
      headers,
      'X-Amzn-Trace-Id',
      traceIdOf(request.requestId, request.timeEpoch, headerOf(request, 'x-amzn-trace-id')),
    );
    return { statusCode: result.statusCode, headers, body: result.body };
  }
}

function throttled(): GatewayError {
  return gatewayError('THROTTLED', 'Too Many Requests', 'TooManyRequestsException');
}
