/**
 * A request as an HTTP API sees it once received: the path decoded, headers lower-cased with repeated values
 * comma-joined, the `Cookie` header split into cookies, query values decoded and comma-joined.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { randomBytes } from 'crypto';
import type { GatewayRequest } from '../../contracts';

export interface RequestView {
  readonly request: GatewayRequest;
  /** The decoded path, with the stage when the stage is a named one (`rawPath` of the event). */
  readonly path: string;
  /** The decoded path without the stage, which routes are matched against; undefined when the stage is not in it. */
  readonly routePath?: string;
  /** Every header but `cookie`, lower-case, repeated values comma-joined. */
  readonly headers: { readonly [name: string]: string };
  readonly cookies: readonly string[];
  readonly queryStringParameters: { readonly [name: string]: string };
  /** `Host` as the client sent it (`127.0.0.1:3000`), the API's domain name locally. */
  readonly domainName: string;
  readonly domainPrefix: string;
  readonly userAgent?: string;
}

/** Decodes percent-escapes, leaving a malformed escape as it was sent instead of failing the request. */
export function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

function parseQuery(raw: string): { [name: string]: string } {
  const parameters: { [name: string]: string } = {};
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeLoosely(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeLoosely(pair.slice(equals + 1));
    if (name === '') continue;
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

function splitCookies(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');
}

/** The part of the path routes see: the named stage's prefix removed; the `$default` stage takes every path. */
function stripStage(path: string, stageName: string): string | undefined {
  if (stageName === '$default') return path;
  const prefix = `/${stageName}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

/**
 * The headers API Gateway adds on its way to the integration (as a deployed API's events show them): the client's
 * address appended to `x-forwarded-for`, the port and protocol it came in on, and an X-Ray trace id.
 */
function addForwardingHeaders(headers: { [name: string]: string }, request: GatewayRequest, domainName: string): void {
  const forwarded = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwarded ? `${forwarded}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-port'] = /:(\d+)$/.exec(domainName)?.[1] ?? '80';
  headers['x-forwarded-proto'] = 'http';
  if (!headers['x-amzn-trace-id']) {
    const seconds = Math.floor(request.timeEpoch / 1000).toString(16);
    headers['x-amzn-trace-id'] = `Root=1-${seconds}-${randomBytes(12).toString('hex')}`;
  }
}

export function viewRequest(request: GatewayRequest, stageName: string): RequestView {
  const domainName = request.headers.host?.[0] ?? '127.0.0.1';
  const headers: { [name: string]: string } = {};
  for (const [name, values] of Object.entries(request.headers)) {
    if (name !== 'cookie') headers[name] = values.join(',');
  }
  addForwardingHeaders(headers, request, domainName);
  const path = decodeLoosely(request.rawPath);
  return {
    request,
    path,
    routePath: path.startsWith('/') ? stripStage(path, stageName) : undefined,
    headers,
    cookies: splitCookies(request.headers.cookie ?? []),
    queryStringParameters: parseQuery(request.rawQueryString),
    domainName,
    domainPrefix: domainName.replace(/:\d+$/, '').split('.')[0],
    userAgent: headers['user-agent'],
  };
}
