import { Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { validateClientScope } from './user-pool-scopes';
import { checkOneOf, fail, isLiteral } from '../../private/validation';

/**
 * How an app client of a created user pool gets tokens over OAuth 2.0. The implicit grant is not offered: OAuth 2.1
 * drops it (tokens in the URL fragment leak through history and referrers); browser apps use the authorization code
 * grant with PKCE instead.
 */
export enum OAuthGrant {
  /**
   * Users sign in on the hosted sign-in pages, which send them back to a callback URL with a code that the app
   * exchanges for tokens. Apps without a secret (browsers, mobile) send a PKCE code challenge, as the OAuth
   * libraries (Amplify, oidc-client) do by default.
   */
  AUTHORIZATION_CODE = 'code',
  /**
   * A machine client exchanges its id and secret for an access token holding route scopes, without a user. Cognito
   * bills it per app client and per token request (https://aws.amazon.com/cognito/pricing/).
   */
  CLIENT_CREDENTIALS = 'client_credentials',
}

/** An app client of the user pool the API creates: a web or mobile app, a back-office app or a machine client. */
export interface UserPoolClientOptions {
  /**
   * The OAuth grant the client uses; it needs the pool's `signInDomain`.
   *
   * @default - `OAuthGrant.AUTHORIZATION_CODE` when `callbackUrls` are given, else none: the app signs users in
   * itself with SRP (the password never leaves the device)
   */
  readonly oauthGrant?: OAuthGrant;
  /**
   * Where the hosted sign-in pages may send users back with a code: https URLs, `http://localhost` for testing, or
   * an app's own scheme (`myapp://callback`); no fragment. Only with the authorization code grant.
   *
   * @default - none; at least one is required with `OAuthGrant.AUTHORIZATION_CODE`
   */
  readonly callbackUrls?: string[];
  /**
   * Where the hosted sign-in domain's `/logout` may send users after signing them out; the same rules as
   * `callbackUrls`. Only with the authorization code grant.
   *
   * @default - none: `/logout` cannot redirect
   */
  readonly logoutUrls?: string[];
  /**
   * Whether the client has a secret. Only apps that keep it on a server (a back end, a machine client) have one:
   * an app in a browser or on a phone cannot keep it.
   *
   * @default - true with `OAuthGrant.CLIENT_CREDENTIALS`, false otherwise
   */
  readonly generateSecret?: boolean;
  /**
   * The OAuth scopes the client may request: scopes the API's routes use (`shop/orders.read`) and, with the
   * authorization code grant, Cognito's `openid`, `email`, `phone` and `profile`. Only with an `oauthGrant`.
   *
   * @default - every scope the API's routes use, plus `openid`, `email` and `profile` with the authorization code grant
   */
  readonly scopes?: string[];
  /**
   * The identity providers users may sign in with on the hosted pages. Add a provider to `api.userPool` and make the
   * client depend on it (`client.node.addDependency(provider)`).
   *
   * @default [UserPoolClientIdentityProvider.COGNITO]
   */
  readonly identityProviders?: cognito.UserPoolClientIdentityProvider[];
  /**
   * How long access tokens are valid: 5 minutes to 1 day.
   *
   * @default Duration.hours(1)
   */
  readonly accessTokenValidity?: Duration;
  /**
   * How long ID tokens are valid: 5 minutes to 1 day.
   *
   * @default Duration.hours(1)
   */
  readonly idTokenValidity?: Duration;
  /**
   * How long refresh tokens are valid: 1 hour to 10 years, and not shorter than the access and ID tokens.
   *
   * @default Duration.days(30)
   */
  readonly refreshTokenValidity?: Duration;
}

/** The grant a client uses: its own, or the authorization code grant when it has callback URLs. */
export function clientGrant(options: UserPoolClientOptions): OAuthGrant | undefined {
  return options.oauthGrant ?? (options.callbackUrls !== undefined ? OAuthGrant.AUTHORIZATION_CODE : undefined);
}

/** Checks an app client's options; `hasDomain` when the pool has a sign-in domain, which OAuth grants need. */
export function validateUserPoolClient(prop: string, options: UserPoolClientOptions, hasDomain: boolean): void {
  // JavaScript callers get no type check.
  if (typeof options !== 'object' || options === null) fail(prop, "be the app client's options, or {}", options);
  const grants = Object.values(OAuthGrant);
  checkOneOf(
    `${prop}.oauthGrant`,
    options.oauthGrant,
    grants,
    'be OAuthGrant.AUTHORIZATION_CODE or OAuthGrant.CLIENT_CREDENTIALS (OAuth 2.1 drops the implicit grant)',
  );
  const grant = clientGrant(options);
  if (grant !== undefined && !hasDomain) {
    fail(
      'authorization.signInDomain',
      `be set for \`${prop}\`'s OAuth grant (${grant}): the authorize and token endpoints are served on it, e.g. UserPoolSignInDomain.cognitoPrefix('my-shop')`,
      undefined,
    );
  }
  if (grant === OAuthGrant.AUTHORIZATION_CODE && (options.callbackUrls ?? []).length === 0) {
    fail(
      `${prop}.callbackUrls`,
      'list at least one URL the hosted sign-in pages send users back to with the code',
      options.callbackUrls ?? [],
    );
  }
  if (grant !== OAuthGrant.AUTHORIZATION_CODE) {
    for (const name of ['callbackUrls', 'logoutUrls'] as const) {
      if (options[name] !== undefined) {
        fail(
          `${prop}.${name}`,
          'be left out unless the client uses OAuthGrant.AUTHORIZATION_CODE: only the hosted sign-in pages redirect',
          options[name],
        );
      }
    }
  }
  if (grant === OAuthGrant.CLIENT_CREDENTIALS && options.generateSecret === false) {
    fail(
      `${prop}.generateSecret`,
      'be true (or left out) with OAuthGrant.CLIENT_CREDENTIALS: the client proves who it is with its secret',
      false,
    );
  }
  if (grant === undefined && options.scopes !== undefined) {
    fail(
      `${prop}.scopes`,
      'be left out without an `oauthGrant`: tokens from SRP sign-in carry no route scopes',
      options.scopes,
    );
  }
  (options.scopes ?? []).forEach((scope, i) => validateClientScope(`${prop}.scopes[${i}]`, scope, grant!));
  validateRedirectUrls(`${prop}.callbackUrls`, options.callbackUrls);
  validateRedirectUrls(`${prop}.logoutUrls`, options.logoutUrls);
  validateValidity(
    `${prop}.accessTokenValidity`,
    options.accessTokenValidity,
    5,
    24 * 60,
    'between 5 minutes and 1 day',
  );
  validateValidity(`${prop}.idTokenValidity`, options.idTokenValidity, 5, 24 * 60, 'between 5 minutes and 1 day');
  validateValidity(
    `${prop}.refreshTokenValidity`,
    options.refreshTokenValidity,
    60,
    3650 * 24 * 60,
    'between 1 hour and 3650 days',
  );
  const refresh = options.refreshTokenValidity;
  for (const name of ['accessTokenValidity', 'idTokenValidity'] as const) {
    const validity = options[name];
    if (
      refresh &&
      validity &&
      isLiteral(refresh) &&
      isLiteral(validity) &&
      validity.toMinutes({ integral: false }) > refresh.toMinutes({ integral: false })
    ) {
      fail(`${prop}.${name}`, `not be longer than \`refreshTokenValidity\` (${refresh.toHumanString()})`, validity);
    }
  }
}

/**
 * Redirect URLs as Cognito takes them: "Be an absolute URI ... Not include a fragment component ... Amazon Cognito
 * requires HTTPS over HTTP except for http://localhost for testing purposes only. App callback URLs such as
 * myapp://example are also supported." At most 100, each up to 1024 characters
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html).
 */
export function validateRedirectUrls(prop: string, urls: string[] | undefined): void {
  if (urls === undefined) return;
  if (urls.length > 100) fail(prop, 'list at most 100 URLs', urls.length);
  urls.forEach((url, i) => {
    const at = `${prop}[${i}]`;
    if (!isLiteral(url)) return;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      fail(at, 'be an absolute URL, such as "https://shop.example.com/callback" or "myapp://callback"', url);
    }
    if (url.length > 1024) fail(at, 'be at most 1024 characters long', url);
    if (url.includes('#')) fail(at, 'have no fragment ("#..."): Cognito refuses redirect URLs with one', url);
    if (parsed.protocol === 'http:' && parsed.hostname !== 'localhost') {
      fail(at, 'use https: Cognito accepts http only for http://localhost, for testing', url);
    }
  });
}

function validateValidity(prop: string, value: Duration | undefined, min: number, max: number, range: string): void {
  if (value === undefined || !isLiteral(value)) return;
  const minutes = value.toMinutes({ integral: false });
  if (minutes < min || minutes > max) fail(prop, `be ${range}`, value);
  // Cognito counts token lifetimes in whole minutes at the finest.
  if (!Number.isInteger(minutes)) fail(prop, 'be whole minutes', value);
}
