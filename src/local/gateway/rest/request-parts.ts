/**
 * How a REST API reads the parts of a request: the stage in front of the path, the query string, headers by name and
 * media types against `binaryMediaTypes`.
 */
import type { GatewayRequest } from '../../contracts';

/** The path of a request to a stage, as the proxy event and `$context.path` carry it. */
export interface StagePath {
  /** After the stage, still percent-encoded, leading slashes merged: the event's `path`. */
  readonly path: string;
  /** With the stage, as sent after it: `$context.path` and `requestContext.path`. */
  readonly contextPath: string;
  /** The segments a resource is matched against: `path` without its trailing slashes. */
  readonly segments: readonly string[];
}

/**
 * Splits `/prod/items/1` into the stage's path; undefined when the path does not start with the stage (API Gateway
 * answers 403 Forbidden then). Leading slashes are merged before and after the stage and a trailing slash is ignored
 * when matching, as LocalStack's AWS-validated tests record (`//stage/x`, `/stage//x`, `/stage/x/`).
 */
export function stagePath(rawPath: string, stageName: string): StagePath | undefined {
  const raw = rawPath.replace(/^\/+/, '/');
  const prefix = `/${stageName}`;
  let rest: string;
  if (raw === prefix) rest = '';
  else if (raw.startsWith(`${prefix}/`)) rest = raw.slice(prefix.length);
  else return undefined;
  const path = rest.replace(/^\/+/, '/') || '/';
  const trimmed = path.replace(/\/+$/, '');
  return { path, contextPath: `${prefix}${rest}`, segments: trimmed === '' ? [] : trimmed.slice(1).split('/') };
}

/** Percent-decodes, keeping the text as sent when it is not valid percent-encoding (never throws). */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The query string's parameters, decoded (`+` is a space), every value of a repeated name in order. */
export function parseQuery(rawQueryString: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = safeDecode((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : safeDecode(pair.slice(eq + 1).replace(/\+/g, ' '));
    if (name === '') continue;
    const values = params.get(name) ?? [];
    values.push(value);
    params.set(name, values);
  }
  return params;
}

/** The last value of a header (names are lower-cased by the server), or undefined. */
export function headerOf(request: GatewayRequest, name: string): string | undefined {
  const values = request.headers[name.toLowerCase()];
  return values && values.length > 0 ? values[values.length - 1] : undefined;
}

/** `application/json` from `application/json; charset=utf-8`, lower-cased. */
export function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/**
 * Whether a media type is one of `binaryMediaTypes`, which may use wildcards (`image/*`, `*\/*`) and may still be
 * written as the API stores them (`image~1png`).
 */
export function isBinaryMediaType(mediaType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (!mediaType) return false;
  const [type, subtype] = mediaTypeOf(mediaType).split('/');
  return binaryMediaTypes.some((pattern) => {
    const [pType, pSubtype] = pattern.replace(/~1/g, '/').toLowerCase().split('/');
    return (pType === '*' || pType === type) && (pSubtype === '*' || pSubtype === subtype);
  });
}
