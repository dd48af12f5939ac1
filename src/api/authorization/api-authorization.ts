import { AuthorizationKind } from './authorization-kind';
import { CognitoAuthorization, CognitoAuthorizationProps } from './cognito';
import { IamAuthorization } from './iam';
import { JwtAuthorization, JwtAuthorizationProps } from './jwt';
import { LambdaAuthorizationProps, LambdaRequestAuthorization } from './lambda-request';
import { LambdaTokenAuthorization, LambdaTokenAuthorizationProps } from './lambda-token';
import { NoAuthorization } from './none';

export type { CognitoAuthorizationProps } from './cognito';
export { OAuthGrant } from './user-pool-client-options';
export type { UserPoolClientOptions } from './user-pool-client-options';
export { UserPoolMfa } from './user-pool-mfa';
export { UserPoolSignInDomain } from './user-pool-sign-in-domain';
export type { JwtAuthorizationProps } from './jwt';
export type { LambdaAuthorizationProps } from './lambda-request';
export type { LambdaTokenAuthorizationProps } from './lambda-token';

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
    return new ApiAuthorization(AuthorizationType.JWT, new JwtAuthorization(props));
  }

  /**
   * Requests must carry a valid token of a Cognito user pool's app client: an imported pool, or one the
   * API creates with secure defaults (MFA, OAuth clients, a sign-in domain and the resource servers of the
   * routes' scopes as you choose). Only the API-wide `authorization` may create a pool.
   *
   * HTTP APIs accept tokens of the listed app clients of an imported pool, and of every client of a created
   * pool (clients added later included); REST APIs' Cognito authorizers accept tokens of any app client of the pool.
   */
  public static cognito(props: CognitoAuthorizationProps = {}): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.COGNITO, new CognitoAuthorization(props));
  }

  /**
   * A Lambda function authorizes each request (answers cached by identity source). On an HTTP API it
   * answers `{ isAuthorized }`; on a REST API, an IAM policy (`{ principalId, policyDocument }`).
   */
  public static lambdaRequest(props: LambdaAuthorizationProps): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.LAMBDA, new LambdaRequestAuthorization(props));
  }

  /**
   * A Lambda function authorizes each request from one header's token (answers cached by token) and
   * answers an IAM policy. REST APIs only.
   */
  public static lambdaToken(props: LambdaTokenAuthorizationProps): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.LAMBDA_TOKEN, new LambdaTokenAuthorization(props));
  }

  /**
   * Requests must be signed (SigV4) by an AWS principal allowed to call the route, e.g. through
   * `ServerlessApi.grantInvoke()`.
   */
  public static iam(): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.IAM, new IamAuthorization());
  }

  /**
   * No authorization: anyone on the internet may call the route.
   *
   * Only for routes that authenticate requests themselves (e.g. webhooks with signatures) or serve
   * public data. Every public route is listed in the example summary and acknowledged to cdk-nag.
   */
  public static none(): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.NONE, new NoAuthorization());
  }

  /** The kind of authorization. */
  public readonly type: AuthorizationType;
  /**
   * What the kind does: its validation and its binding to either kind of API.
   *
   * @internal
   */
  public readonly _kind: AuthorizationKind;

  private constructor(type: AuthorizationType, kind: AuthorizationKind) {
    this.type = type;
    this._kind = kind;
  }
}
