/**
 * AWS Signature Version 4 with `node:crypto`: the canonical request, the string to sign and the signature, for
 * services other than S3 (each path segment encoded twice, the path normalised).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import * as crypto from 'crypto';
import { decodeComponent } from './identity-source';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** A request as signed: the path and query as sent on the wire (still percent-encoded). */
export interface SignableRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  /** Header names lower-cased; every value of a repeated header. */
  readonly headers: { readonly [name: string]: readonly string[] | undefined };
  readonly body: Buffer;
}

export interface SigningScope {
  /** `20150830T123600Z`. */
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
}

export function canonicalRequest(request: SignableRequest, signedHeaders: readonly string[]): string {
  return [
    request.method.toUpperCase(),
    canonicalPath(request.rawPath),
    canonicalQuery(request.rawQueryString),
    ...signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request.headers[name])}`),
    '',
    signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n');
}

export function credentialScope(scope: SigningScope): string {
  return `${scope.amzDate.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`;
}

export function stringToSign(scope: SigningScope, canonical: string): string {
  return [SIGV4_ALGORITHM, scope.amzDate, credentialScope(scope), sha256Hex(canonical)].join('\n');
}

export function signature(secretAccessKey: string, scope: SigningScope, toSign: string): string {
  const dateKey = hmac(`AWS4${secretAccessKey}`, scope.amzDate.slice(0, 8));
  const regionKey = hmac(dateKey, scope.region);
  const serviceKey = hmac(regionKey, scope.service);
  const signingKey = hmac(serviceKey, 'aws4_request');
  return crypto.createHmac('sha256', signingKey).update(toSign, 'utf8').digest('hex');
}

/** `20150830T123600Z` of an instant. */
export function amzDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * The path normalised (empty, `.` and `..` segments resolved) and each segment URI-encoded again: the wire path is
 * already encoded once, so the canonical path is the decoded path encoded twice.
 */
export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/** Parameters decoded, then encoded strictly, sorted by name and then value; `X-Amz-Signature` left out. */
export function canonicalQuery(rawQueryString: string): string {
  if (!rawQueryString) return '';
  return rawQueryString
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = uriEncode(decodeComponent(equals < 0 ? pair : pair.slice(0, equals)));
      const value = uriEncode(decodeComponent(equals < 0 ? '' : pair.slice(equals + 1)));
      return [name, value] as const;
    })
    .filter(([name]) => name.toLowerCase() !== 'x-amz-signature')
    .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Values trimmed, inner runs of spaces collapsed, repeated values comma-joined. */
export function canonicalHeaderValue(values: readonly string[] | undefined): string {
  return (values ?? []).map((value) => value.trim().replace(/\s+/g, ' ')).join(',');
}

/** RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~`. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Byte order, as AWS sorts (not locale order). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
