/**
 * Signs a request for an IAM route of the local API with the local credentials (Signature Version 4 for
 * `execute-api`), as an AWS SDK would: for the test kit and any client that has no SDK at hand.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import type { DevKeys } from './dev-keys';
import { amzDate, canonicalRequest, credentialScope, signature, SIGV4_ALGORITHM, stringToSign } from './sigv4';

export interface IamSignableRequest {
  readonly method: string;
  /** The full URL the request goes to; its host (with the port) is signed as `host`. */
  readonly url: string;
  /** Headers sent with the request, signed too (except those SDKs never sign, such as `user-agent`). */
  readonly headers?: { readonly [name: string]: string | readonly string[] };
  readonly body?: string | Buffer;
  /** The API's region, which the credential scope names. */
  readonly region: string;
}

/** Headers an SDK leaves unsigned because proxies change them. */
const UNSIGNED_HEADERS = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

/** The headers to add to the request: `authorization` and `x-amz-date`. */
export function signIamRequest(
  keys: DevKeys,
  request: IamSignableRequest,
  now: number = Date.now(),
): { authorization: string; 'x-amz-date': string } {
  const url = new URL(request.url);
  const date = amzDate(now);
  const headers: { [name: string]: string[] } = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const lower = name.toLowerCase();
    if (UNSIGNED_HEADERS.has(lower) || /^(proxy-|sec-)/.test(lower)) continue;
    headers[lower] = [...(headers[lower] ?? []), ...(typeof value === 'string' ? [value] : value)];
  }
  headers.host = [url.host];
  headers['x-amz-date'] = [date];
  const signedHeaders = Object.keys(headers).sort();
  const scope = { amzDate: date, region: request.region, service: 'execute-api' };
  const canonical = canonicalRequest(
    {
      method: request.method,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      body: typeof request.body === 'string' ? Buffer.from(request.body) : (request.body ?? Buffer.alloc(0)),
    },
    signedHeaders,
  );
  const signed = signature(keys.iamCredentials.secretAccessKey, scope, stringToSign(scope, canonical));
  return {
    authorization: `${SIGV4_ALGORITHM} Credential=${keys.iamCredentials.accessKeyId}/${credentialScope(scope)}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signed}`,
    'x-amz-date': date,
  };
}
