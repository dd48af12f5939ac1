/**
 * HTTP API JWT authorizer, with the local dev key as the issuer's only key. Checks in AWS's order: the token from
 * the identity source (raw or `Bearer <token>`), its signature and `kid`, `iss` (exact), `aud` (or `client_id` when
 * there is no `aud`), `exp`, `nbf`, `iat`, then the route's scopes (`scope` or `scp` must hold one).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
 */
import type { AuthOutcome, MatchedRequest } from '../contracts';
import type { LocalAppModel, LocalJwtAuthorizerModel } from '../model';
import { httpApiClaims } from './claims';
import type { DevKeys } from './dev-keys';
import { identitySourceValue } from './identity-source';
import { bearerToken, checkTimes, tokenScopes, verifyDevToken, type JwtClaims, type TokenCheck } from './jwt-verify';

export interface TokenAuthorizerContext {
  readonly app: LocalAppModel;
  readonly keys: DevKeys;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

export async function authorizeJwt(
  context: TokenAuthorizerContext,
  model: LocalJwtAuthorizerModel,
  matched: MatchedRequest,
): Promise<AuthOutcome> {
  const fail = (
    failure: 'missing' | 'invalid' | 'insufficient-scope',
    description: string,
    detail: string,
  ): AuthOutcome => {
    context.log(`JWT authorizer ${model.name}: ${description}: ${detail}`);
    return { ok: false, failure, message: description };
  };
  const sources = model.identitySource.length > 0 ? model.identitySource : ['$request.header.Authorization'];
  const value = sources.map((source) => identitySourceValue(source, context.app, matched)).find((v) => !!v);
  const token = value === undefined ? '' : bearerToken(value);
  if (!token) {
    return fail(
      'missing',
      'the request has no token',
      `send one in ${sources.join(' or ')} (raw or as "Bearer <token>")`,
    );
  }
  const verified = await verifyDevToken(context.keys, token);
  if (!verified.ok) return fail('invalid', verified.description, verified.detail);
  const claimCheck = checkIssuerAndAudience(model, verified.claims) ?? checkTimes(verified.claims, context.now());
  if (claimCheck && !claimCheck.ok) return fail('invalid', claimCheck.description, claimCheck.detail);

  const routeScopes = matched.route.scopes;
  const scopes = tokenScopes(verified.claims);
  if (routeScopes.length > 0 && !allScopes(verified.claims).some((scope) => routeScopes.includes(scope))) {
    return fail(
      'insufficient-scope',
      'the token does not have the required scopes',
      `the route needs one of [${routeScopes.join(', ')}]; the token has [${scopes.join(', ')}]`,
    );
  }
  return {
    ok: true,
    // Evidence of the shape: the aws-lambda-go and Powertools captures cited in claims.ts. `scopes` is null on a
    // route without scopes, else the token's scopes (floci-io/floci HttpApiJwtAuthorizerScopesTest, measured).
    authorizer: { jwt: { claims: httpApiClaims(verified.claims), scopes: routeScopes.length > 0 ? scopes : null } },
    principalId: typeof verified.claims.sub === 'string' ? verified.claims.sub : undefined,
  };
}

function checkIssuerAndAudience(model: LocalJwtAuthorizerModel, claims: JwtClaims): TokenCheck | undefined {
  if (claims.iss !== model.issuer) {
    return {
      ok: false,
      description: 'the token does not have a valid issuer',
      detail: `its iss ${JSON.stringify(claims.iss)} is not the authorizer's issuer ${JSON.stringify(model.issuer)} (compared exactly, trailing "/" included)`,
    };
  }
  // API Gateway reads client_id only when the token has no aud.
  const audiences = claims.aud !== undefined ? toList(claims.aud) : toList(claims.client_id);
  if (!audiences.some((audience) => model.audience.includes(audience))) {
    return {
      ok: false,
      description: 'the token does not have a valid audience',
      detail: `its ${claims.aud !== undefined ? 'aud' : 'client_id'} ${JSON.stringify(claims.aud ?? claims.client_id)} is none of the authorizer's audiences [${model.audience.join(', ')}]`,
    };
  }
  return undefined;
}

/** Every scope the token names, in `scp` or `scope`: either satisfies a route. */
function allScopes(claims: JwtClaims): string[] {
  return [...tokenScopes({ scp: claims.scp }), ...tokenScopes({ scope: claims.scope })];
}

function toList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}
