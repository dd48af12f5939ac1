/**
 * A dev token for one app: signed with the local dev key and carrying the issuer and audience (JWT) or the pool's
 * issuer and a client (Cognito) the app's authorizer checks, so the local API accepts it. The test kit's
 * `LocalApi.token()` and `serverless-api token` both issue tokens here.
 */
import { issueDevToken, type DevKeys } from './auth';
import type {
  LocalAppModel,
  LocalCognitoAuthorizerModel,
  LocalJwtAuthorizerModel,
  LocalRouteAuthorization,
} from './model';
import { UsageError } from '../assembly/assembly';

/** The authorizers a dev token is for. */
export type TokenAuthorizerModel = LocalJwtAuthorizerModel | LocalCognitoAuthorizerModel;

/** The client id of Cognito dev tokens: API Gateway's Cognito authorizer checks the pool, not the app client. */
export const LOCAL_COGNITO_CLIENT_ID = 'local-client';

/** The claims of a dev token, and which authorizer it is for. */
export interface AppTokenOptions {
  readonly sub: string;
  readonly scopes?: readonly string[];
  /** More claims, set last: they may replace the standard ones. */
  readonly claims?: { readonly [name: string]: unknown };
  /** @default 3600 */
  readonly expiresInSeconds?: number;
  /** The authorizer's name or logical id, needed when the API has several JWT or Cognito authorizers. */
  readonly authorizer?: string;
  /** @default - `access` when scopes are given, `id` otherwise */
  readonly tokenUse?: 'id' | 'access';
  /** How the caller spells the option that names the authorizer, for error messages. @default `authorizer` */
  readonly authorizerOptionName?: string;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** A token the app's JWT or Cognito authorizer accepts, signed with the local dev key. */
export async function issueAppToken(app: LocalAppModel, keys: DevKeys, options: AppTokenOptions): Promise<string> {
  const authorizer = tokenAuthorizer(app, options.authorizer, options.authorizerOptionName);
  const common = {
    sub: options.sub,
    scopes: options.scopes ? [...options.scopes] : undefined,
    claims: options.claims ? { ...options.claims } : undefined,
    expiresInSeconds: options.expiresInSeconds,
    tokenUse: options.tokenUse,
    now: options.now,
  };
  if (authorizer.kind === 'jwt') {
    return issueDevToken(keys, { ...common, issuer: authorizer.issuer, audience: authorizer.audience[0] });
  }
  return issueDevToken(keys, { ...common, issuer: authorizer.issuers[0], clientId: LOCAL_COGNITO_CLIENT_ID });
}

/** The JWT and Cognito authorizers of the app's API. */
export function tokenAuthorizers(app: LocalAppModel): TokenAuthorizerModel[] {
  return Object.values(app.api.authorizers).filter(
    (a): a is TokenAuthorizerModel => a.kind === 'jwt' || a.kind === 'cognito',
  );
}

/** The authorizer `name` names (by name or logical id), or the API's only JWT or Cognito authorizer. */
export function tokenAuthorizer(app: LocalAppModel, name?: string, optionName = '`authorizer`'): TokenAuthorizerModel {
  const candidates = tokenAuthorizers(app);
  if (candidates.length === 0) {
    const kinds = [...new Set(app.api.routes.map((route) => authorizationKind(app, route.authorization)))];
    throw new UsageError(
      `stack ${app.stackName} has no JWT or Cognito authorizer, so no route takes a token (its routes are: ${kinds.join(', ') || 'none'})`,
    );
  }
  const chosen = name === undefined ? candidates : candidates.filter((a) => a.name === name || a.id === name);
  if (chosen.length === 1) return chosen[0];
  const names = candidates.map((a) => a.name).join(', ');
  throw new UsageError(
    name === undefined
      ? `${optionName} must name one of the API's JWT or Cognito authorizers (${names}), got: none`
      : `${optionName} must be one of ${names}, got: "${name}"`,
  );
}

const AUTHORIZER_KINDS: { readonly [kind: string]: string } = {
  'lambda-request': 'Lambda REQUEST authorizer',
  'lambda-token': 'Lambda TOKEN authorizer',
};

function authorizationKind(app: LocalAppModel, authorization: LocalRouteAuthorization): string {
  if (authorization.type === 'NONE') return 'public';
  if (authorization.type === 'IAM') return 'IAM';
  const kind = app.api.authorizers[authorization.authorizerId]?.kind;
  return AUTHORIZER_KINDS[kind ?? ''] ?? `${kind} authorizer`;
}
