/**
 * Tokens the local API accepts, shaped as Amazon Cognito's: access tokens carry `client_id`, `scope` and
 * `token_use: access`; ID tokens carry `aud` and `token_use: id`.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
 */
import * as crypto from 'crypto';
import { SignJWT } from 'jose';
import type { DevKeys } from './dev-keys';

export interface DevTokenOptions {
  /** `iss`: the authorizer's issuer (a Cognito pool's `https://cognito-idp.<region>.amazonaws.com/<poolId>`). */
  readonly issuer: string;
  /** `aud` of an ID token (or of an access token, for issuers that put one there). */
  readonly audience?: string | readonly string[];
  /** `client_id` of an access token; an ID token takes it as `aud` when no `audience` is given. */
  readonly clientId?: string;
  readonly sub: string;
  /** OAuth scopes (`scope`, space-separated) of an access token. */
  readonly scopes?: readonly string[];
  /** More claims, set last (they may replace the standard ones, e.g. to make a token invalid on purpose). */
  readonly claims?: { readonly [name: string]: unknown };
  /** @default 3600 */
  readonly expiresInSeconds?: number;
  /** @default - `access` when `scopes` are given, `id` otherwise */
  readonly tokenUse?: 'id' | 'access';
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** A signed RS256 token with the dev key's `kid`. */
export async function issueDevToken(keys: DevKeys, options: DevTokenOptions): Promise<string> {
  const expiresIn = options.expiresInSeconds ?? 3600;
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
    throw new Error(`\`expiresInSeconds\` must be a positive whole number of seconds, got: ${expiresIn}`);
  }
  const issuedAt = Math.floor((options.now ?? Date.now)() / 1000);
  const tokenUse = options.tokenUse ?? (options.scopes && options.scopes.length > 0 ? 'access' : 'id');
  const audience = options.audience ?? (tokenUse === 'id' ? options.clientId : undefined);
  const standard: { [name: string]: unknown } = {
    sub: options.sub,
    iss: options.issuer,
    ...(audience !== undefined ? { aud: typeof audience === 'string' ? audience : [...audience] } : {}),
    ...(tokenUse === 'access' && options.clientId !== undefined ? { client_id: options.clientId } : {}),
    token_use: tokenUse,
    ...(tokenUse === 'access' ? { scope: (options.scopes ?? []).join(' '), username: options.sub } : {}),
    ...(tokenUse === 'id' ? { 'cognito:username': options.sub } : {}),
    auth_time: issuedAt,
    iat: issuedAt,
    exp: issuedAt + expiresIn,
    jti: crypto.randomUUID(),
  };
  return new SignJWT({ ...standard, ...options.claims })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .sign(keys.privateKey);
}

const UNIT_SECONDS: { readonly [unit: string]: number } = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in a `--expires` value: `3600`, `45s`, `30m`, `1h` or `2d`. */
export function parseExpiresIn(value: string): number {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(value);
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's'] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new Error(
      `\`--expires\` must be a positive duration in seconds (3600) or with a unit s, m, h or d (45s, 30m, 1h, 2d), got: ${JSON.stringify(value)}`,
    );
  }
  return seconds;
}
