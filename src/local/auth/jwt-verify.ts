/**
 * Reading and verifying a bearer token against the local dev key, the one key the local API trusts: what API Gateway
 * does with the issuer's `jwks_uri` (only RSA algorithms, the header's `kid` must name the key).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
import { compactVerify } from 'jose';
import { devPublicKey, type DevKeys } from './dev-keys';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Claims of a token whose signature is good. */
export type JwtClaims = { readonly [name: string]: unknown };

export type TokenCheck =
  | { readonly ok: true; readonly claims: JwtClaims }
  | {
      readonly ok: false;
      /** Short, as API Gateway's `error_description`; safe in a header (no quotes, no line breaks). */
      readonly description: string;
      /** What the developer can do, for the local log. */
      readonly detail: string;
    };

/** The token of an identity source value: raw, or after `Bearer ` (any case, as RFC 6750 allows). */
export function bearerToken(value: string): string {
  const trimmed = value.trim();
  return /^bearer\s+/i.test(trimmed) ? trimmed.replace(/^bearer\s+/i, '').trim() : trimmed;
}

/** Verifies `token`'s form, algorithm, key and signature; never throws. */
export async function verifyDevToken(keys: DevKeys, token: string): Promise<TokenCheck> {
  const parts = token.split('.');
  // The signature part may be empty here so that an unsigned (`alg: none`) token is refused for its algorithm.
  if (
    parts.length !== 3 ||
    !BASE64URL.test(parts[0]) ||
    !BASE64URL.test(parts[1]) ||
    !/^[A-Za-z0-9_-]*$/.test(parts[2])
  ) {
    return refuse(
      'the token is not a valid JWT',
      `a JWT is three base64url parts joined by dots; got ${parts.length} part(s) in ${token.length} characters`,
    );
  }
  const header = decodeJson(parts[0]);
  if (!isObject(header)) {
    return refuse('the token is not a valid JWT', 'its header is not a base64url-encoded JSON object');
  }
  if (header.alg !== 'RS256') {
    // The description goes into a `www-authenticate` header: only a plain algorithm name is echoed.
    const name = typeof header.alg === 'string' && /^[A-Za-z0-9]{1,16}$/.test(header.alg) ? `${header.alg} ` : '';
    return refuse(
      `signing method ${name}is invalid`,
      `the local API trusts RS256 tokens signed with its dev key only (alg "none" and HMAC are refused); got alg ${JSON.stringify(header.alg)}`,
    );
  }
  if (header.kid !== keys.kid) {
    return refuse(
      'the token has an invalid key id',
      `its kid ${JSON.stringify(header.kid)} is not the local dev key's (${keys.kid}): sign it with \`serverless-api token\` or the test kit's token()`,
    );
  }
  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(token, devPublicKey(keys), { algorithms: ['RS256'] }));
  } catch {
    return refuse('the token has an invalid signature', 'its signature does not verify with the local dev key');
  }
  const claims = parseJson(Buffer.from(payloadBytes).toString('utf8'));
  if (!isObject(claims)) return refuse('the token is not a valid JWT', 'its payload is not a JSON object');
  return { ok: true, claims };
}

/** `exp` after now, `nbf` and `iat` not after now (API Gateway allows no clock skew that it documents). */
export function checkTimes(claims: JwtClaims, nowMs: number): TokenCheck | undefined {
  const nowSeconds = nowMs / 1000;
  if (typeof claims.exp !== 'number') {
    return refuse('the token has no valid expiry', `its exp claim is ${JSON.stringify(claims.exp)}, not a number`);
  }
  if (claims.exp <= nowSeconds) {
    return refuse('the token has expired', `it expired at ${isoSeconds(claims.exp)}; issue a new one`);
  }
  for (const name of ['nbf', 'iat'] as const) {
    const value = claims[name];
    if (value === undefined) continue;
    if (typeof value !== 'number') {
      return refuse(`the token has an invalid ${name}`, `its ${name} claim is ${JSON.stringify(value)}, not a number`);
    }
    if (value > nowSeconds) {
      return refuse(
        name === 'nbf' ? 'the token is not valid yet' : 'the token was issued in the future',
        `its ${name} is ${isoSeconds(value)}, after now (${new Date(nowMs).toISOString()})`,
      );
    }
  }
  return undefined;
}

/** The token's scopes: `scp` (a list or a space-separated string), else `scope` (space-separated). */
export function tokenScopes(claims: JwtClaims): string[] {
  const split = (value: unknown): string[] | undefined => {
    if (typeof value === 'string') return value.split(' ').filter((scope) => scope.length > 0);
    if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string');
    return undefined;
  };
  return split(claims.scp) ?? split(claims.scope) ?? [];
}

export function refuse(description: string, detail: string): TokenCheck & { ok: false } {
  return { ok: false, description, detail };
}

export function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeJson(part: string): unknown {
  return parseJson(Buffer.from(part, 'base64url').toString('utf8'));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isoSeconds(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  return Number.isNaN(date.getTime()) ? String(epochSeconds) : date.toISOString();
}
