/**
 * An HTTP API's CORS configuration: API Gateway answers preflight requests itself and puts the configured headers on
 * responses to CORS requests, ignoring the CORS headers the integration returns.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */
import type { GatewayRequest } from '../../contracts';
import type { LocalCorsModel } from '../../model';

type Headers = { [name: string]: string[] };

/** A preflight request: `OPTIONS` with `Origin` and `Access-Control-Request-Method`, as the page above requires. */
export function isPreflight(request: GatewayRequest): boolean {
  return (
    request.method === 'OPTIONS' &&
    request.headers.origin !== undefined &&
    request.headers['access-control-request-method'] !== undefined
  );
}

/** The `Access-Control-Allow-Origin` value for `origin`, or undefined when the configuration does not allow it. */
function allowedOrigin(cors: LocalCorsModel, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  if (cors.allowOrigins.includes('*')) return '*';
  const lower = origin.toLowerCase();
  return cors.allowOrigins.some((allowed) => allowed.toLowerCase() === lower) ? origin : undefined;
}

/** The CORS headers of a response to a request from `origin`: none when the request has no allowed `Origin`. */
export function corsResponseHeaders(cors: LocalCorsModel, origin: string | undefined): Headers {
  const allowOrigin = allowedOrigin(cors, origin);
  if (!allowOrigin) return {};
  const headers: Headers = { 'access-control-allow-origin': [allowOrigin] };
  if (cors.allowCredentials) headers['access-control-allow-credentials'] = ['true'];
  if (cors.exposeHeaders.length > 0) headers['access-control-expose-headers'] = [cors.exposeHeaders.join(',')];
  return headers;
}

/**
 * The headers of the answer to a preflight. For an origin the configuration does not allow, API Gateway's answer is
 * undocumented: it is answered here like an allowed one but without any CORS header, which a browser reads as a
 * refusal, and the function is still not invoked.
 */
export function preflightHeaders(cors: LocalCorsModel, origin: string | undefined): Headers {
  const headers = corsResponseHeaders(cors, origin);
  if (!headers['access-control-allow-origin']) return {};
  delete headers['access-control-expose-headers'];
  if (cors.allowMethods.length > 0) headers['access-control-allow-methods'] = [cors.allowMethods.join(',')];
  if (cors.allowHeaders.length > 0) headers['access-control-allow-headers'] = [cors.allowHeaders.join(',')];
  if (cors.maxAgeSeconds !== undefined) headers['access-control-max-age'] = [String(cors.maxAgeSeconds)];
  return headers;
}

/** `headers` without the integration's own CORS headers, with the configured ones for `origin`. */
export function withCorsHeaders(
  headers: { readonly [name: string]: readonly string[] },
  cors: LocalCorsModel,
  origin: string | undefined,
): Headers {
  const result: Headers = {};
  for (const [name, values] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith('access-control-')) result[name] = [...values];
  }
  return { ...result, ...corsResponseHeaders(cors, origin) };
}
