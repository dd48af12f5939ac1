import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { AuthorizationKind, HttpAuthorizerContext, HttpRouteAuthorization } from './authorization-kind';
import { DEFAULT_IDENTITY_SOURCE, validateIdentitySource } from './identity-source';
import { fail, isLiteral } from '../../private/validation';
import { ApiType } from '../api-type';

const JWT_SOURCE = /^\$request\.(header|querystring)\.\S+$/;

/** A JWT authorizer: API Gateway validates the token's signature, issuer, audience and expiry. */
export interface JwtAuthorizationProps {
  /** The token issuer, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc123`. */
  readonly issuer: string;
  /** Accepted values of the token's `aud` (or `client_id`) claim; at least one. */
  readonly audience: string[];
  /**
   * Where the token is read from: exactly one header or query string selection expression.
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

/** `ApiAuthorization.jwt()`: HTTP APIs check the token themselves; REST APIs have no such authorizer. */
export class JwtAuthorization extends AuthorizationKind {
  public readonly factory = 'ApiAuthorization.jwt()';
  public readonly checksScopes = true;

  constructor(public readonly props: JwtAuthorizationProps) {
    super();
  }

  public validate(prop: string): void {
    const jwt = this.props;
    if (isLiteral(jwt.issuer) && !/^https:\/\/[^\s/]+(\/\S*)?$/.test(jwt.issuer)) {
      fail(`${prop}.issuer`, 'be an https URL of the token issuer', jwt.issuer);
    }
    if (!jwt.audience || jwt.audience.length === 0) {
      fail(`${prop}.audience`, 'list at least one accepted audience (client id)', jwt.audience ?? []);
    }
    jwt.audience.forEach((audience, i) => {
      if (isLiteral(audience) && audience.trim() === '') fail(`${prop}.audience[${i}]`, 'not be empty', audience);
    });
    validateIdentitySource(`${prop}.identitySource`, jwt.identitySource ?? []);
    validateJwtIdentitySource(`${prop}.identitySource`, jwt.identitySource);
  }

  public unsupportedOn(type: ApiType): string | undefined {
    return type === ApiType.REST
      ? 'REST APIs have no JWT authorizer, only HTTP APIs do: use ApiAuthorization.cognito() for a Cognito issuer or ApiAuthorization.lambdaToken() for another, or `apiType: ApiType.HTTP`'
      : undefined;
  }

  public bindHttp(context: HttpAuthorizerContext): HttpRouteAuthorization {
    const { id, name } = context.next('Jwt');
    const { authorizerName, issuer, audience, identitySource } = this.props;
    return {
      authorizationType: 'JWT',
      authorizer: httpJwtAuthorizer(context, id, authorizerName ?? name, issuer, audience, identitySource),
    };
  }
}

/**
 * A JWT authorizer reads the token from "a single entry ... Currently only header-based and query parameter-based
 * selections are supported" (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html).
 */
function validateJwtIdentitySource(prop: string, sources: string[] | undefined): void {
  if (sources === undefined) return;
  if (sources.length !== 1) {
    fail(
      prop,
      'list exactly one header or query string the token is read from, such as "$request.header.Authorization", or be left out',
      sources,
    );
  }
  if (isLiteral(sources[0]) && !JWT_SOURCE.test(sources[0])) {
    fail(
      `${prop}[0]`,
      'be a header or a query string ("$request.header.<name>" or "$request.querystring.<name>"): a JWT authorizer reads the token from nowhere else',
      sources[0],
    );
  }
}

/** An HTTP API's JWT authorizer, for any issuer (Cognito user pools included). */
export function httpJwtAuthorizer(
  context: HttpAuthorizerContext,
  id: string,
  name: string,
  issuer: string,
  audience: string[],
  identitySource: string[] | undefined,
): apigwv2.HttpAuthorizer {
  return new apigwv2.HttpAuthorizer(context.scope, id, {
    httpApi: context.api,
    type: apigwv2.HttpAuthorizerType.JWT,
    authorizerName: name,
    identitySource: identitySource ?? DEFAULT_IDENTITY_SOURCE,
    jwtIssuer: issuer,
    jwtAudience: audience,
  });
}
