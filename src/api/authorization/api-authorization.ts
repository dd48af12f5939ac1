import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The kinds of authorization a route can have. */
export enum AuthorizationType {
  /** A JSON Web Token checked by API Gateway against an OpenID Connect issuer. */
  JWT = 'JWT',
  /** A JSON Web Token issued by a Cognito user pool, checked by API Gateway. */
  COGNITO = 'COGNITO',
  /** A Lambda function decides from the request (a Lambda request authorizer). */
  LAMBDA = 'LAMBDA',
  /** A Lambda function decides from one header's token (a Lambda token authorizer, REST APIs only). */
  LAMBDA_TOKEN = 'LAMBDA_TOKEN',
  /** The request must be signed with AWS credentials (SigV4) allowed to call `execute-api:Invoke`. */
  IAM = 'IAM',
  /** No authorization: the route is public. */
  NONE = 'NONE',
}

/** A JWT authorizer: API Gateway validates the token's signature, issuer, audience and expiry. */
export interface JwtAuthorizationProps {
  /** The token issuer, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc123`. */
  readonly issuer: string;
  /** Accepted values of the token's `aud` (or `client_id`) claim; at least one. */
  readonly audience: string[];
  /**
   * Where the token is read from.
   *
   * @default ['$request.header.Authorization']
   */
  readonly identitySource?: string[];
  /**
   * Name of the authorizer in API Gateway.
   *
   * @default 'jwt'
   */
  readonly authorizerName?: string;
}

/**
 * A Cognito user pool authorizer: API Gateway validates the pool's ID or access tokens.
 *
 * Import a pool with `userPool` and `userPoolClients`, or leave both out and the API creates a pool
 * and an app client with secure defaults (`ServerlessApi.userPool`, `ServerlessApi.userPoolClient`).
 */
export interface CognitoAuthorizationProps {
  /**
   * An existing user pool whose tokens are accepted.
   *
   * @default - a new user pool: sign-in by email, passwords of at least 12 characters with upper and
   * lower case letters, digits and symbols, MFA required (TOTP), recovery by email only, no self sign-up,
   * threat protection enforced, deletion protection, retained on delete
   */
  readonly userPool?: cognito.IUserPool;
  /**
   * The app clients of `userPool` whose tokens are accepted; required with `userPool`.
   *
   * @default - the client created with the new user pool: no secret, SRP sign-in, no user existence errors
   */
  readonly userPoolClients?: cognito.IUserPoolClient[];
  /**
   * Whether anyone may sign up to the new user pool. Only for a pool the API creates.
   *
   * @default false
   */
  readonly selfSignUp?: boolean;
  /**
   * Whether the new user pool is on the Plus feature plan with standard threat protection enforced
   * (compromised credentials and risky sign-ins blocked). Only for a pool the API creates.
   *
   * Plus is billed for every monthly active user, with no free tier (about USD 0.02 each in us-east-1
   * when this was written, see https://aws.amazon.com/cognito/pricing/); `false` selects the Essentials plan.
   *
   * @default true
   */
  readonly threatProtection?: boolean;
  /**
   * What happens to the new user pool when it leaves the stack. Deletion protection is on unless
   * this is `RemovalPolicy.DESTROY`. Only for a pool the API creates.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Name of the authorizer in API Gateway.
   *
   * @default 'cognito'
   */
  readonly authorizerName?: string;
}

/** A Lambda request authorizer: a function reads the request and answers `{ isAuthorized: boolean }`. */
export interface LambdaAuthorizationProps {
  /**
   * Path of the TypeScript or JavaScript file exporting `handler`, bundled with esbuild like the
   * route functions, with its own log group and a role limited to logs and X-Ray.
   * Give either `entry` or `authorizerFunction`.
   *
   * @default - use `authorizerFunction`
   */
  readonly entry?: string;
  /**
   * An existing function to call instead of bundling `entry`. Give either `entry` or `authorizerFunction`.
   *
   * @default - a function bundled from `entry`
   */
  readonly authorizerFunction?: lambda.IFunction;
  /**
   * The request values the function receives; a request missing any of them gets 401 without a call.
   * They are also the cache key, so they may be empty only when `resultsCacheTtl` is zero.
   *
   * @default ['$request.header.Authorization']
   */
  readonly identitySource?: string[];
  /**
   * How long API Gateway caches the function's answer for the same identity sources; at most 1 hour,
   * `Duration.seconds(0)` turns caching off.
   *
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * Name of the authorizer in API Gateway.
   *
   * @default 'lambda'
   */
  readonly authorizerName?: string;
}

/** A Lambda token authorizer (REST APIs only): a function reads one header's token and answers an IAM policy. */
export interface LambdaTokenAuthorizationProps {
  /**
   * Path of the TypeScript or JavaScript file exporting `handler`, bundled like the route functions.
   * Give either `entry` or `authorizerFunction`.
   *
   * @default - use `authorizerFunction`
   */
  readonly entry?: string;
  /**
   * An existing function to call instead of bundling `entry`. Give either `entry` or `authorizerFunction`.
   *
   * @default - a function bundled from `entry`
   */
  readonly authorizerFunction?: lambda.IFunction;
  /**
   * The header carrying the token; a request without it gets 401 without a call.
   *
   * @default 'Authorization'
   */
  readonly header?: string;
  /**
   * A regular expression the token must match, checked by API Gateway before calling the function.
   *
   * @default - any token is passed to the function
   */
  readonly validationRegex?: string;
  /**
   * How long API Gateway caches the function's answer for the same token; at most 1 hour,
   * `Duration.seconds(0)` turns caching off. A cached policy applies to every route, so it should allow
   * all the routes the caller may call.
   *
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * Name of the authorizer in API Gateway.
   *
   * @default 'lambdatoken'
   */
  readonly authorizerName?: string;
}

/**
 * Who may call a route.
 *
 * The API's `authorization` applies to every route; a route may use another one, and opts out only
 * by saying `authorization: ApiAuthorization.none()`, which marks it public. One `ApiAuthorization`
 * object is one authorizer in API Gateway, however many routes use it.
 */
export class ApiAuthorization {
  /** Requests must carry a valid JWT from the issuer. HTTP APIs only (REST APIs have no JWT authorizer). */
  public static jwt(props: JwtAuthorizationProps): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.JWT, props);
  }

  /**
   * Requests must carry a valid token of a Cognito user pool's app client: an imported pool, or one the
   * API creates with secure defaults. Only the API-wide `authorization` may create a pool.
   *
   * HTTP APIs accept tokens of the listed app clients only; REST APIs' Cognito authorizers accept tokens of
   * any app client of the pool.
   */
  public static cognito(props: CognitoAuthorizationProps = {}): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.COGNITO, undefined, props);
  }

  /**
   * A Lambda function authorizes each request (answers cached by identity source). On an HTTP API it
   * answers `{ isAuthorized }`; on a REST API, an IAM policy (`{ principalId, policyDocument }`).
   */
  public static lambdaRequest(props: LambdaAuthorizationProps): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.LAMBDA, undefined, undefined, props);
  }

  /**
   * A Lambda function authorizes each request from one header's token (answers cached by token) and
   * answers an IAM policy. REST APIs only.
   */
  public static lambdaToken(props: LambdaTokenAuthorizationProps): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.LAMBDA_TOKEN, undefined, undefined, undefined, props);
  }

  /**
   * Requests must be signed (SigV4) by an AWS principal allowed to call the route, e.g. through
   * `ServerlessApi.grantInvoke()`.
   */
  public static iam(): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.IAM);
  }

  /**
   * No authorization: anyone on the internet may call the route.
   *
   * Only for routes that authenticate requests themselves (e.g. webhooks with signatures) or serve
   * public data. Every public route is listed in the example summary and acknowledged to cdk-nag.
   */
  public static none(): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.NONE);
  }

  /** The kind of authorization. */
  public readonly type: AuthorizationType;
  /** The JWT settings, for `AuthorizationType.JWT`. */
  public readonly jwtProps?: JwtAuthorizationProps;
  /** The Cognito settings, for `AuthorizationType.COGNITO`. */
  public readonly cognitoProps?: CognitoAuthorizationProps;
  /** The Lambda authorizer settings, for `AuthorizationType.LAMBDA`. */
  public readonly lambdaProps?: LambdaAuthorizationProps;
  /** The Lambda token authorizer settings, for `AuthorizationType.LAMBDA_TOKEN`. */
  public readonly lambdaTokenProps?: LambdaTokenAuthorizationProps;

  private constructor(
    type: AuthorizationType,
    jwtProps?: JwtAuthorizationProps,
    cognitoProps?: CognitoAuthorizationProps,
    lambdaProps?: LambdaAuthorizationProps,
    lambdaTokenProps?: LambdaTokenAuthorizationProps,
  ) {
    this.type = type;
    this.jwtProps = jwtProps;
    this.cognitoProps = cognitoProps;
    this.lambdaProps = lambdaProps;
    this.lambdaTokenProps = lambdaTokenProps;
  }
}
