import { Logger } from '@aws-lambda-powertools/logger';
import { withCaller } from './caller';
import { FINAL_WRITE_RESERVE_MS, isDeadlineAbort, withDeadline, withReserve } from './deadline';
import { httpErrorOf } from './dynamodb-errors';
import { Idempotency, IDEMPOTENT_REPLAY_HEADER, type IdempotencyOptions } from './idempotency';
import type { Principal } from './principal';
import { HttpError, problemDocument } from './problem';
import { RateLimiter, rateLimitHeaders, type RateLimitOptions, type RateLimitState } from './rate-limit';
import { DEFAULT_MAX_BODY_BYTES, parseJsonBody, readApiEvent, validate, type ApiRequest } from './request';
import { addCorsHeaders, readCorsSettings, toProxyResult, type ApiResult, type ProxyResult } from './response';
import type { StandardSchemaV1 } from './standard-schema';
import type { Table } from './table';
import { withIdempotentWrites } from './write-ids';

/** The part of the Lambda context the wrapper reads. */
export interface LambdaContextLike {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

type Output<S, Otherwise> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : Otherwise;
type Strings = { readonly [name: string]: string | undefined };

/** What a route's handler receives: the request with its parts parsed and validated. */
export interface RouteInput<Body, Query, Params> {
  readonly request: ApiRequest;
  /** The JSON body, validated by the route's `body` schema (`undefined` for a route without one). */
  readonly body: Body;
  readonly query: Query;
  readonly params: Params;
  readonly principal: Principal;
  readonly logger: Logger;
}

/** A route: optional schemas for its parts, and the function that answers it. */
export interface RouteDefinition<
  B extends StandardSchemaV1 | undefined = undefined,
  Q extends StandardSchemaV1 | undefined = undefined,
  P extends StandardSchemaV1 | undefined = undefined,
> {
  /** Schema of the JSON body. Without one, the route takes no body. */
  readonly body?: B;
  /** Schema of the query string parameters (an object of strings). */
  readonly query?: Q;
  /** Schema of the path parameters (an object of strings). */
  readonly params?: P;
  /**
   * Checks the caller before anything else runs: before rate limiting, before the body is parsed and before any
   * record is written.
   * Throw an `HttpError` (401, 403) to refuse; e.g. a webhook's signature check.
   */
  readonly authenticate?: (request: ApiRequest) => void | Promise<void>;
  /** Run once per idempotency key (requires the handler's `idempotency`). Default false. */
  readonly idempotent?: boolean;
  /** Count this route against the caller's rate limit (requires the handler's `rateLimit`). Default true. */
  readonly rateLimited?: boolean;
  readonly handle: (
    input: RouteInput<Output<B, undefined>, Output<Q, Strings>, Output<P, Strings>>,
  ) => Promise<ApiResult>;
}

/** Declares a route, inferring its input types from its schemas. */
export function route<
  B extends StandardSchemaV1 | undefined = undefined,
  Q extends StandardSchemaV1 | undefined = undefined,
  P extends StandardSchemaV1 | undefined = undefined,
>(definition: RouteDefinition<B, Q, P>): RouteDefinition<B, Q, P> {
  return definition;
}

/** Options of `apiHandler()`. */
export interface ApiHandlerOptions {
  /** Routes by route key, exactly as declared in the stack: `'POST /projects/{projectId}/tasks'`. */
  readonly routes: { readonly [routeKey: string]: RouteDefinition<any, any, any> };
  /** Largest request body accepted, in bytes: larger is a 413. Default 65,536. */
  readonly maxBodyBytes?: number;
  /**
   * The table, for idempotency and rate limiting. Its clock (`TableOptions.clock`) is the time of idempotency locks
   * and rate-limit windows, as of the expiries its patterns read and write.
   */
  readonly table?: Table;
  /** Idempotency of the routes marked `idempotent`. */
  readonly idempotency?: IdempotencyOptions;
  /** Per-caller rate limit of every route not marked `rateLimited: false`. */
  readonly rateLimit?: RateLimitOptions;
  /** A Powertools logger. Default: a new one (level from `POWERTOOLS_LOG_LEVEL`, else INFO). */
  readonly logger?: Logger;
  /**
   * A Powertools `Metrics` (or anything with its `addMetric` and `publishStoredMetrics`) to count what the toolkit
   * decides: `RateLimited`, `IdempotentReplay`, `IdempotencyInProgress`, `DatabaseUnavailable`, `UnhandledError`.
   * Default: none, so no custom metric is billed unless asked for.
   */
  readonly metrics?: ToolkitMetrics;
}

/** The part of a Powertools `Metrics` the wrapper uses. */
export interface ToolkitMetrics {
  addMetric(name: string, unit: 'Count', value: number): void;
  publishStoredMetrics(): void;
}

/** The toolkit's metric for a response, if it is one of the outcomes the toolkit decides. */
function outcomeMetric(result: ProxyResult): string | undefined {
  if (result.headers[IDEMPOTENT_REPLAY_HEADER] !== undefined) return 'IdempotentReplay';
  switch (result.statusCode) {
    case 429:
      return 'RateLimited';
    case 503:
      return 'DatabaseUnavailable';
    case 500:
      return 'UnhandledError';
    case 409:
      return result.headers['retry-after'] !== undefined ? 'IdempotencyInProgress' : undefined;
    default:
      return undefined;
  }
}

/** A Lambda handler for API Gateway proxy events of either API type. */
export type ApiHandler = (event: unknown, context?: LambdaContextLike) => Promise<ProxyResult>;

/**
 * Wraps routes into a Lambda handler for an HTTP API (payload 2.0) or a REST API (proxy) event:
 * - routes by route key (404 for an unknown one: a deployment mismatch, logged);
 * - counts the caller against the rate limit (429 with `Retry-After`);
 * - parses the JSON body within `maxBodyBytes` and validates body, query and path parameters (400, 413, 415);
 * - runs `idempotent` routes once per key (replay, 409 in progress, 422 for another payload);
 * - answers errors as problem documents: an `HttpError` with its status and detail; a database still
 *   throttled or unreachable after the SDK's retries, or still silent when the invocation's time (from the Lambda
 *   context, less a margin to answer) runs out, with 503 and `Retry-After`; anything else with a 500
 *   whose body says nothing of the cause, logged in full with the request id.
 */
export function apiHandler(options: ApiHandlerOptions): ApiHandler {
  const logger = options.logger ?? new Logger();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const cors = readCorsSettings();
  const needsTable = (what: string) => {
    if (!options.table) throw new Error(`apiHandler: \`${what}\` needs \`table\` (Table.fromEnvironment())`);
    return options.table;
  };
  const idempotency = options.idempotency ? new Idempotency(needsTable('idempotency'), options.idempotency) : undefined;
  const rateLimiter = options.rateLimit ? new RateLimiter(needsTable('rateLimit'), options.rateLimit) : undefined;
  for (const [routeKey, definition] of Object.entries(options.routes)) {
    if (!/^[A-Z]+ \/\S*$/.test(routeKey)) {
      throw new Error(`apiHandler: route key must be "METHOD /path" as declared in the stack, got: ${routeKey}`);
    }
    if (definition.idempotent && !idempotency) {
      throw new Error(`apiHandler: route "${routeKey}" is idempotent: pass \`idempotency\` (and \`table\`)`);
    }
  }

  // Every database call of an invocation is cut off shortly before Lambda's timeout (see `DEADLINE_MARGIN_MS`), so
  // a stalled database is answered 503 by this function rather than by Lambda killing it.
  return (event, context) => withDeadline(context?.getRemainingTimeInMillis?.(), () => invoke(event, context));

  async function invoke(event: unknown, context?: LambdaContextLike): Promise<ProxyResult> {
    // The function's name, request id and cold start on every line, as Powertools adds them from the context.
    if (context && typeof (context as { functionName?: unknown }).functionName === 'string') {
      logger.addContext(context as Parameters<Logger['addContext']>[0]);
    }
    const request = readApiEvent(event);
    let rateLimit: RateLimitState | undefined;
    let result: ProxyResult;
    try {
      const definition = routeFor(request);
      if (definition === undefined) {
        logger.warn('no route matches the request', { requestId: request.requestId, routeKey: request.routeKey });
        throw new HttpError(404, `no route matches ${request.method} ${request.path}`);
      }
      await definition.authenticate?.(request);
      if (rateLimiter && definition.rateLimited !== false) rateLimit = await rateLimiter.admit(request);
      // Caller-bound access patterns read the caller from here, never from the request.
      result = await withCaller(request.principal, () => run(request, definition, context));
    } catch (error) {
      result = errorResult(error, request, logger);
    }
    const metric = options.metrics && outcomeMetric(result);
    if (metric) {
      options.metrics!.addMetric(metric, 'Count', 1);
      options.metrics!.publishStoredMetrics();
    }
    if (rateLimit) Object.assign(result.headers, rateLimitHeaders(rateLimit));
    addCorsHeaders(result, request, cors);
    return result;
  }

  /** The route of a request; on a REST API, a method without its own route falls back to the resource's ANY. */
  function routeFor(request: ApiRequest): RouteDefinition<any, any, any> | undefined {
    if (Object.hasOwn(options.routes, request.routeKey)) return options.routes[request.routeKey];
    if (request.format !== 'rest') return undefined;
    const any = `ANY ${request.routeKey.slice(request.routeKey.indexOf(' ') + 1)}`;
    return Object.hasOwn(options.routes, any) ? options.routes[any] : undefined;
  }

  async function run(request: ApiRequest, definition: RouteDefinition<any, any, any>, context?: LambdaContextLike) {
    const hasBody = definition.body !== undefined;
    if (!hasBody && request.bodyText.length > 0) {
      throw new HttpError(400, `${request.routeKey} takes no request body: send none`);
    }
    let body = hasBody ? validate(definition.body, parseJsonBody(request, maxBodyBytes), 'body') : undefined;
    if (body instanceof Promise) body = await body;
    let query = definition.query ? validate(definition.query, request.query, 'query') : request.query;
    if (query instanceof Promise) query = await query;
    let params = definition.params
      ? validate(definition.params, request.pathParameters, 'path')
      : request.pathParameters;
    if (params instanceof Promise) params = await params;
    const input: RouteInput<any, any, any> = { request, body, query, params, principal: request.principal, logger };
    const key = definition.idempotent ? idempotency!.keyOf(request, body) : undefined;
    if (key === undefined) return toProxyResult(await definition.handle(input));

    const outcome = await idempotency!.begin(request, key, context?.getRemainingTimeInMillis?.());
    if (outcome.kind === 'replay') return outcome.response;
    // The route's calls end early enough for the write after them, which stores the response or frees the key;
    // its writes carry ids every run of this request shares, so a run after a lost answer finds them done.
    const response = await withIdempotentWrites(outcome.seed, () =>
      withReserve(FINAL_WRITE_RESERVE_MS, async () => {
        try {
          return toProxyResult(await definition.handle(input));
        } catch (error) {
          return errorResult(error, request, logger);
        }
      }),
    );
    try {
      await outcome.claim.complete(response);
    } catch (error) {
      // The request ran, but its response could not be stored: the claim expires after its lock, and until
      // then retries are told to wait. Answering with the real result is still right.
      logger.error('could not store the idempotent response', { requestId: request.requestId, error });
    }
    return response;
  }
}

function errorResult(error: unknown, request: ApiRequest, logger: Logger): ProxyResult {
  const httpError = httpErrorOf(error);
  if (httpError && httpError.status !== 503) {
    return toProblem(httpError, request);
  }
  if (httpError) {
    // A 503 the toolkit raised itself (a secret it could not fetch) carries the failure as its cause.
    const failure = error instanceof HttpError && error.cause !== undefined ? error.cause : error;
    const why = isDeadlineAbort(failure)
      ? "a dependency had not answered when the function's time ran out"
      : 'a dependency stayed throttled or unreachable after retries';
    logger.warn(`answered 503: ${why}`, {
      requestId: request.requestId,
      routeKey: request.routeKey,
      error: error as Error,
    });
    return toProblem(httpError, request);
  }
  logger.error('request failed', { requestId: request.requestId, routeKey: request.routeKey, error: error as Error });
  return toProblem(new HttpError(500, 'the request failed; quote the request id when reporting it'), request);
}

function toProblem(error: HttpError, request: ApiRequest): ProxyResult {
  return toProxyResult(
    { status: error.status, body: problemDocument(error, request.requestId), headers: error.headers },
    'application/problem+json',
  );
}
