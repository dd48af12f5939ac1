/** Who is calling, as the API's authorizer established it, handed to handlers typed. */
import { HttpError } from './problem';

/** A caller authenticated by a JWT: the HTTP API's JWT authorizer, or a REST API's Cognito user pool authorizer. */
export interface JwtPrincipal {
  readonly kind: 'jwt';
  /** The `sub` claim, or the authorizer-supplied id when there is none. */
  readonly id: string;
  /** The token's claims as the authorizer passed them (REST passes every claim as a string). */
  readonly claims: { readonly [claim: string]: unknown };
  /** OAuth scopes the token carries (the `scope` claim split on spaces, or the authorizer's list). */
  readonly scopes: readonly string[];
}

/** A caller that signed the request with AWS credentials (SigV4, `AWS_IAM` authorization). */
export interface IamPrincipal {
  readonly kind: 'iam';
  /** The caller's ARN (`userArn`), e.g. `arn:aws:sts::123456789012:assumed-role/app/session`. */
  readonly id: string;
  readonly accountId: string;
  readonly userArn: string;
  /** The principal id part of the caller, e.g. `AROA...:session`. */
  readonly callerId?: string;
  readonly accessKey?: string;
  readonly principalOrgId?: string;
  readonly cognitoIdentityId?: string;
}

/** A caller a Lambda authorizer let in, with the context the authorizer returned. */
export interface LambdaPrincipal {
  readonly kind: 'lambda';
  /** The authorizer's `principalId` (REST) or the context's `principalId`/`sub` (HTTP); `unknown` when absent. */
  readonly id: string;
  readonly context: { readonly [key: string]: unknown };
}

/** No authorizer ran: a route made public, or a webhook authenticated inside the handler. */
export interface AnonymousPrincipal {
  readonly kind: 'anonymous';
  /** Always undefined: rate limits and client idempotency keys fall back to the source IP address. */
  readonly id?: undefined;
}

export type Principal = JwtPrincipal | IamPrincipal | LambdaPrincipal | AnonymousPrincipal;

type Json = { readonly [key: string]: unknown };

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function scopesOf(listed: unknown, claims: Json): string[] {
  if (Array.isArray(listed)) return listed.filter((scope): scope is string => typeof scope === 'string');
  const claim = claims.scope ?? claims.scp;
  if (typeof claim === 'string') return claim.split(' ').filter((scope) => scope !== '');
  if (Array.isArray(claim)) return claim.filter((scope): scope is string => typeof scope === 'string');
  return [];
}

function jwtPrincipal(claims: Json, listedScopes: unknown): JwtPrincipal {
  return {
    kind: 'jwt',
    id: text(claims.sub) ?? text(claims.username) ?? text(claims['cognito:username']) ?? 'unknown',
    claims,
    scopes: scopesOf(listedScopes, claims),
  };
}

function iamPrincipal(identity: Json): IamPrincipal | undefined {
  const userArn = text(identity.userArn);
  if (userArn === undefined) return undefined;
  return {
    kind: 'iam',
    id: userArn,
    userArn,
    accountId: text(identity.accountId) ?? '',
    callerId: text(identity.callerId) ?? text(identity.caller),
    accessKey: text(identity.accessKey),
    principalOrgId: text(identity.principalOrgId),
    cognitoIdentityId: text(identity.cognitoIdentityId) ?? text(object(identity.cognitoIdentity)?.identityId),
  };
}

/** The principal of an HTTP API (payload format 2.0) request. */
export function httpApiPrincipal(requestContext: Json): Principal {
  const authorizer = object(requestContext.authorizer);
  const jwt = object(authorizer?.jwt);
  if (jwt) return jwtPrincipal(object(jwt.claims) ?? {}, jwt.scopes);
  const iam = object(authorizer?.iam);
  if (iam) return iamPrincipal(iam) ?? { kind: 'anonymous' };
  const lambda = object(authorizer?.lambda);
  if (lambda) {
    return { kind: 'lambda', id: text(lambda.principalId) ?? text(lambda.sub) ?? 'unknown', context: lambda };
  }
  return { kind: 'anonymous' };
}

/** The principal of a REST API (Lambda proxy) request. */
export function restApiPrincipal(requestContext: Json): Principal {
  const authorizer = object(requestContext.authorizer);
  const claims = object(authorizer?.claims);
  if (claims) return jwtPrincipal(claims, authorizer?.scopes);
  if (authorizer && text(authorizer.principalId)) {
    const { principalId, integrationLatency: _latency, ...context } = authorizer;
    return { kind: 'lambda', id: principalId as string, context };
  }
  return iamPrincipal(object(requestContext.identity) ?? {}) ?? { kind: 'anonymous' };
}

/**
 * The principal of a route that needs to know its caller: a 401 when no authorizer identified one (a route made
 * public, or a token without a subject).
 */
export function requireCaller(principal: Principal): Exclude<Principal, AnonymousPrincipal> {
  if (principal.kind === 'anonymous' || principal.id === 'unknown') {
    throw new HttpError(401, 'this route needs an authenticated caller: send a valid token or signed request');
  }
  return principal;
}

/** A 403 unless the caller's token carries `scope`. */
export function requireScope(principal: Principal, scope: string): void {
  const caller = requireCaller(principal);
  if (caller.kind !== 'jwt' || !caller.scopes.includes(scope)) {
    throw new HttpError(403, `this route needs the "${scope}" scope, which the caller's token does not carry`);
  }
}
