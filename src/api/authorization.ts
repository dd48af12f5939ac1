/** The kinds of authorization a route can have. */
export enum AuthorizationType {
  /** A JSON Web Token checked by API Gateway against an OpenID Connect issuer. */
  JWT = 'JWT',
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
 * Who may call a route.
 *
 * The API's `authorization` applies to every route; a route opts out only by saying
 * `authorization: ApiAuthorization.none()`, which marks it public.
 */
export class ApiAuthorization {
  /** Requests must carry a valid JWT from the issuer. */
  public static jwt(props: JwtAuthorizationProps): ApiAuthorization {
    return new ApiAuthorization(AuthorizationType.JWT, props);
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

  private constructor(type: AuthorizationType, jwtProps?: JwtAuthorizationProps) {
    this.type = type;
    this.jwtProps = jwtProps;
  }
}
