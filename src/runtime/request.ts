import { httpApiPrincipal, restApiPrincipal, type Principal } from './principal';
import { badRequest, HttpError, type FieldError } from './problem';
import type { StandardSchemaV1 } from './standard-schema';

/** Which API Gateway event a request came from. */
export type ApiEventFormat = 'http' | 'rest';

/**
 * A request, the same whichever API type delivered it: an HTTP API (payload format 2.0) or a REST API
 * (Lambda proxy integration).
 */
export interface ApiRequest {
  readonly format: ApiEventFormat;
  /** `METHOD /resource/{param}`: the route template, as declared in the stack. */
  readonly routeKey: string;
  readonly method: string;
  /** The request path as the client sent it. */
  readonly path: string;
  /** API Gateway's request id, also in every log line of the request. */
  readonly requestId: string;
  /** Header names in lower case; repeated headers joined with "," (HTTP API) or ", " (REST API); `cookie` included. */
  readonly headers: { readonly [name: string]: string | undefined };
  /** Query string parameters; repeated ones joined with ",". */
  readonly query: { readonly [name: string]: string | undefined };
  readonly pathParameters: { readonly [name: string]: string | undefined };
  readonly sourceIp: string;
  /** Who is calling, as the route's authorizer established it. */
  readonly principal: Principal;
  /** The body bytes exactly as the client sent them (API Gateway base64-encodes some bodies in transit). */
  readonly rawBody: Buffer;
  /** The body as UTF-8 text. */
  readonly bodyText: string;
  /** The event as API Gateway sent it. */
  readonly event: unknown;
}

type Json = { readonly [key: string]: unknown };
type StringMap = { [name: string]: string };

function stringMap(value: unknown): StringMap {
  const result: StringMap = {};
  if (typeof value !== 'object' || value === null) return result;
  for (const name in value as Json) {
    const item = (value as Json)[name];
    if (typeof item === 'string') result[name] = item;
  }
  return result;
}

/** Multi-value headers or query parameters (REST), each name's values joined the way HTTP APIs join them. */
function joinedMap(multi: unknown, single: unknown, separator: string, lowerCase: boolean): StringMap {
  const result: StringMap = {};
  const source = (typeof multi === 'object' && multi !== null ? multi : (single ?? {})) as Json;
  for (const name in source) {
    const value = source[name];
    const text = Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(separator) : value;
    if (typeof text !== 'string') continue;
    const key = lowerCase ? name.toLowerCase() : name;
    result[key] = result[key] === undefined ? text : `${result[key]}${separator}${text}`;
  }
  return result;
}

/** Fields of a request that are read straight off the event. */
interface RequestFields {
  readonly format: ApiEventFormat;
  readonly routeKey: string;
  readonly method: string;
  readonly path: string;
  readonly requestId: string;
  readonly headers: StringMap;
  readonly query: StringMap;
  readonly pathParameters: StringMap;
  readonly sourceIp: string;
  readonly requestContext: Json;
  readonly body: string;
  readonly base64: boolean;
  readonly event: unknown;
}

/**
 * A request whose principal and raw body are worked out only when something asks for them (a rate limit, a
 * signature check, an idempotency fingerprint): many requests need neither.
 */
class ProxyRequest implements ApiRequest {
  public readonly format: ApiEventFormat;
  public readonly routeKey: string;
  public readonly method: string;
  public readonly path: string;
  public readonly requestId: string;
  public readonly headers: StringMap;
  public readonly query: StringMap;
  public readonly pathParameters: StringMap;
  public readonly sourceIp: string;
  public readonly bodyText: string;
  public readonly event: unknown;
  private readonly requestContext: Json;
  private readonly body: string;
  private readonly base64: boolean;
  private cachedPrincipal?: Principal;
  private cachedRawBody?: Buffer;

  constructor(fields: RequestFields) {
    this.format = fields.format;
    this.routeKey = fields.routeKey;
    this.method = fields.method;
    this.path = fields.path;
    this.requestId = fields.requestId;
    this.headers = fields.headers;
    this.query = fields.query;
    this.pathParameters = fields.pathParameters;
    this.sourceIp = fields.sourceIp;
    this.event = fields.event;
    this.requestContext = fields.requestContext;
    this.body = fields.body;
    this.base64 = fields.base64;
    this.bodyText = fields.base64 ? Buffer.from(fields.body, 'base64').toString('utf8') : fields.body;
  }

  public get principal(): Principal {
    return (this.cachedPrincipal ??=
      this.format === 'http' ? httpApiPrincipal(this.requestContext) : restApiPrincipal(this.requestContext));
  }

  public get rawBody(): Buffer {
    return (this.cachedRawBody ??= Buffer.from(this.body, this.base64 ? 'base64' : 'utf8'));
  }
}

/** API Gateway sends only strings in these maps; a copy is made only when something must be added. */
function passStrings(value: unknown): StringMap {
  return typeof value === 'object' && value !== null ? (value as StringMap) : {};
}

/**
 * Reads an API Gateway proxy event. Anything that is not one is a wiring mistake (the function invoked
 * directly, or by another event source), which surfaces as an error rather than a guessed request.
 */
export function readApiEvent(event: unknown): ApiRequest {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Json;
  const requestContext = (e.requestContext ?? {}) as Json;
  const body = typeof e.body === 'string' ? e.body : '';
  const base64 = e.isBase64Encoded === true;
  if (e.version === '2.0' && typeof e.routeKey === 'string') {
    const http = (requestContext.http ?? {}) as Json;
    // Payload 2.0 sends header names in lower case, repeated headers joined with commas, and cookies apart.
    let headers = passStrings(e.headers);
    if (Array.isArray(e.cookies) && e.cookies.length) headers = { ...stringMap(headers), cookie: e.cookies.join('; ') };
    return new ProxyRequest({
      format: 'http',
      routeKey: e.routeKey,
      method: typeof http.method === 'string' ? http.method : e.routeKey.slice(0, e.routeKey.indexOf(' ')),
      path: String(e.rawPath ?? http.path ?? ''),
      requestId: String(requestContext.requestId ?? ''),
      headers,
      query: passStrings(e.queryStringParameters),
      pathParameters: passStrings(e.pathParameters),
      sourceIp: String(http.sourceIp ?? ''),
      requestContext,
      body,
      base64,
      event,
    });
  }
  if (typeof e.httpMethod === 'string' && typeof e.resource === 'string') {
    const identity = (requestContext.identity ?? {}) as Json;
    return new ProxyRequest({
      format: 'rest',
      routeKey: `${e.httpMethod.toUpperCase()} ${e.resource}`,
      method: e.httpMethod.toUpperCase(),
      path: String(e.path ?? ''),
      requestId: String(requestContext.requestId ?? ''),
      headers: joinedMap(e.multiValueHeaders, e.headers, ', ', true),
      query: joinedMap(e.multiValueQueryStringParameters, e.queryStringParameters, ',', false),
      pathParameters: passStrings(e.pathParameters),
      sourceIp: String(identity.sourceIp ?? ''),
      requestContext,
      body,
      base64,
      event,
    });
  }
  throw new Error('the event is not an API Gateway proxy event (HTTP API payload 2.0 or REST API proxy)');
}

/** The default limit on a request body: large enough for any item DynamoDB stores (400 KB), with headroom. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * The body parsed as JSON, or a 4xx: 413 over `maxBytes`, 415 when `content-type` says it is not JSON,
 * 400 when empty or malformed.
 */
export function parseJsonBody(request: ApiRequest, maxBytes: number): unknown {
  const text = request.bodyText;
  // A UTF-8 string is at least as many bytes as characters: measure exactly only when it could be over.
  const size = text.length * 3 > maxBytes ? request.rawBody.length : text.length;
  if (size > maxBytes) {
    throw new HttpError(413, `the request body is ${size} bytes; send at most ${maxBytes} bytes`);
  }
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && !JSON_CONTENT_TYPE.test(contentType)) {
    throw new HttpError(415, `\`content-type\` must be application/json, got: ${contentType.slice(0, 100)}`);
  }
  if (!/\S/.test(text)) throw badRequest('the request body is empty: send a JSON document');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

function fieldName(where: string, path: StandardSchemaV1.Issue['path']): string {
  const parts = (path ?? []).map((segment) =>
    String(typeof segment === 'object' && segment !== null ? segment.key : segment),
  );
  return [where, ...parts].join('.');
}

/**
 * Validates `value` with a Standard Schema (Zod, Valibot, ArkType...). A failure is a 400 whose `errors`
 * name each bad field (`body.title`, `query.limit`) with the validator's message. Synchronous schemas answer
 * synchronously.
 */
export function validate<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
  where: string,
): StandardSchemaV1.InferOutput<S> | Promise<StandardSchemaV1.InferOutput<S>> {
  const result = schema['~standard'].validate(value);
  return result instanceof Promise ? result.then((r) => outputOf(r, where)) : outputOf(result, where);
}

/** A validator's issues as field errors (`body.title`), the first 20, and a one-line summary of them. */
export function fieldErrorsOf(
  issues: ReadonlyArray<StandardSchemaV1.Issue>,
  where: string,
): { readonly errors: FieldError[]; readonly summary: string } {
  const errors: FieldError[] = issues.slice(0, 20).map((issue) => ({
    field: fieldName(where, issue.path),
    message: issue.message,
  }));
  return { errors, summary: errors.map((error) => `\`${error.field}\`: ${error.message}`).join('; ') };
}

function outputOf<T>(result: StandardSchemaV1.Result<T>, where: string): T {
  if (result.issues) {
    const { errors, summary } = fieldErrorsOf(result.issues, where);
    throw badRequest(`the request ${where} is invalid: ${summary}`, errors);
  }
  return result.value;
}
