import { entityTagOf } from './representation';
import type { ApiRequest } from './request';
import { API_CORS_ENV } from '../shared/env';

/** What a route returns: a status, an optional JSON body and headers. */
export interface ApiResult {
  readonly status: number;
  /** Serialized as JSON; no body when undefined. */
  readonly body?: unknown;
  readonly headers?: { readonly [name: string]: string };
}

/** The Lambda proxy result both API types accept. */
export interface ProxyResult {
  statusCode: number;
  headers: { [name: string]: string };
  body: string;
  isBase64Encoded?: boolean;
}

/**
 * A JSON response. Like `ok()` and `created()`, a 2xx whose body is an item the toolkit returned (or one tagged by
 * `withVersionOf()`) carries that item's version as `ETag: "<version>"`, unless `headers` set one.
 */
export function json(status: number, body: unknown, headers?: { readonly [name: string]: string }): ApiResult {
  return { status, body, headers };
}

/** 200 with a JSON body. */
export function ok(body: unknown): ApiResult {
  return { status: 200, body };
}

/** 201 with the created resource, and its address in `Location` when given. */
export function created(body: unknown, location?: string): ApiResult {
  return { status: 201, body, headers: location === undefined ? undefined : { location } };
}

/** 204 without a body. */
export function noContent(): ApiResult {
  return { status: 204 };
}

/**
 * Renders a result; problem documents get `application/problem+json`. A 2xx whose body carries an item's version
 * gets it as a strong `ETag` (RFC 9110, section 8.8.3): the validator a client sends back in `If-Match`.
 */
export function toProxyResult(result: ApiResult, contentType = 'application/json'): ProxyResult {
  const headers: { [name: string]: string } = {};
  const given = result.headers;
  if (given !== undefined) for (const name in given) headers[name.toLowerCase()] = given[name];
  if (result.body === undefined) return { statusCode: result.status, headers, body: '' };
  headers['content-type'] ??= contentType;
  const etag = result.status >= 200 && result.status < 300 && isObject(result.body) && entityTagOf(result.body);
  if (etag) headers.etag ??= etag;
  return { statusCode: result.status, headers, body: JSON.stringify(result.body) };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** The CORS settings `ServerlessApi` gives the functions of a REST API (`SERVERLESS_API_CORS`). */
interface CorsSettings {
  readonly allowOrigins: readonly string[];
  readonly allowCredentials?: boolean;
  readonly exposeHeaders?: readonly string[];
}

/** Reads the REST API's CORS settings, once per cold start. */
export function readCorsSettings(env: NodeJS.ProcessEnv = process.env): CorsSettings | undefined {
  const raw = env[API_CORS_ENV];
  if (raw === undefined || raw === '') return undefined;
  try {
    const parsed = JSON.parse(raw) as CorsSettings;
    return Array.isArray(parsed.allowOrigins) ? parsed : undefined;
  } catch {
    throw new Error(`environment variable ${API_CORS_ENV} is not valid JSON: ServerlessApi sets it from \`cors\``);
  }
}

/**
 * Adds the CORS headers a REST API leaves to its functions (an HTTP API adds them itself): the request's origin
 * when it is allowed, or `*` when every origin is.
 */
export function addCorsHeaders(result: ProxyResult, request: ApiRequest, cors: CorsSettings | undefined): void {
  if (cors === undefined || request.format !== 'rest') return;
  const origin = request.headers.origin;
  if (cors.allowOrigins.includes('*')) {
    result.headers['access-control-allow-origin'] = '*';
  } else if (origin !== undefined && cors.allowOrigins.includes(origin)) {
    result.headers['access-control-allow-origin'] = origin;
    result.headers.vary = result.headers.vary ? `${result.headers.vary}, Origin` : 'Origin';
    if (cors.allowCredentials) result.headers['access-control-allow-credentials'] = 'true';
  } else {
    return;
  }
  if (cors.exposeHeaders?.length) result.headers['access-control-expose-headers'] = cors.exposeHeaders.join(', ');
}
