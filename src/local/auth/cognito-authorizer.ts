/**
 * REST API Cognito user pool authorizer, with the local dev key as every pool's key. Without OAuth scopes on the
 * method the token must be an ID token (an access token is refused); with scopes it must be an access token holding
 * one of them. The issuer must be one of the pools'.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
 * https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized
 */
import type { AuthOutcome, MatchedRequest } from '../contracts';
import type { LocalCognitoAuthorizerModel } from '../model';
import { restCognitoClaims } from './claims';
import { identitySourceValue } from './identity-source';
import type { TokenAuthorizerContext } from './jwt-authorizer';
import { bearerToken, checkTimes, tokenScopes, verifyDevToken } from './jwt-verify';

export async function authorizeCognito(
  context: TokenAuthorizerContext,
  model: LocalCognitoAuthorizerModel,
  matched: MatchedRequest,
): Promise<AuthOutcome> {
  const fail = (
    failure: 'missing' | 'invalid' | 'insufficient-scope',
    description: string,
    detail: string,
  ): AuthOutcome => {
    context.log(`Cognito authorizer ${model.name}: ${description}: ${detail}`);
    return { ok: false, failure, message: description };
  };
  const source = model.identitySource || 'method.request.header.Authorization';
  const value = identitySourceValue(source, context.app, matched);
  const token = value === undefined ? '' : bearerToken(value);
  if (!token) return fail('missing', 'the request has no token', `send one in ${source}`);

  const verified = await verifyDevToken(context.keys, token);
  if (!verified.ok) return fail('invalid', verified.description, verified.detail);
  const claims = verified.claims;
  if (typeof claims.iss !== 'string' || !model.issuers.includes(claims.iss)) {
    return fail(
      'invalid',
      "the token was not issued by the authorizer's user pools",
      `its iss ${JSON.stringify(claims.iss)} is none of [${model.issuers.join(', ')}]`,
    );
  }
  const times = checkTimes(claims, context.now());
  if (times && !times.ok) return fail('invalid', times.description, times.detail);

  const methodScopes = matched.route.scopes;
  if (methodScopes.length === 0) {
    if (claims.token_use !== 'id') {
      return fail(
        'invalid',
        'the token is not an ID token',
        `a method without OAuth scopes takes ID tokens; this one has token_use ${JSON.stringify(claims.token_use)}`,
      );
    }
    // The model does not list the pools' app clients, so any client is accepted locally; AWS checks aud against them.
    if (typeof claims.aud !== 'string' || claims.aud.length === 0) {
      return fail('invalid', 'the ID token has no audience', 'an ID token names its app client in aud');
    }
  } else {
    if (claims.token_use !== 'access') {
      return fail(
        'invalid',
        'the token is not an access token',
        `a method with OAuth scopes [${methodScopes.join(', ')}] takes access tokens; this one has token_use ${JSON.stringify(claims.token_use)}`,
      );
    }
    const scopes = tokenScopes(claims);
    if (!scopes.some((scope) => methodScopes.includes(scope))) {
      return fail(
        'insufficient-scope',
        'the token does not have the required scopes',
        `the method needs one of [${methodScopes.join(', ')}]; the token has [${scopes.join(', ')}]`,
      );
    }
  }
  return {
    ok: true,
    authorizer: { claims: restCognitoClaims(claims) },
    principalId: typeof claims.sub === 'string' ? claims.sub : undefined,
  };
}
