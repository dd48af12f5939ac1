import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import {
  ApiAuthorization,
  AuthorizationType,
  CognitoAuthorizationProps,
  LambdaAuthorizationProps,
} from '../authorization/api-authorization';
import {
  AuthorizerRegistry,
  AuthorizersProps,
  DEFAULT_IDENTITY_SOURCE,
  DEFAULT_RESULTS_CACHE_TTL,
} from '../authorization/authorizer-registry';
import { lambdaInvocationUri } from '../invoke';

export interface HttpAuthorizersProps extends AuthorizersProps {
  readonly api: apigwv2.HttpApi;
}

/** The HTTP API's authorizers: JWT (also for Cognito pools) and Lambda request authorizers. */
export class HttpAuthorizers extends AuthorizerRegistry<apigwv2.HttpAuthorizer> {
  private readonly api: apigwv2.HttpApi;

  constructor(scope: Construct, props: HttpAuthorizersProps) {
    super(scope, props);
    this.api = props.api;
  }

  protected build(authorization: ApiAuthorization): apigwv2.HttpAuthorizer | undefined {
    const { jwtProps, cognitoProps, lambdaProps } = authorization;
    if (authorization.type === AuthorizationType.JWT && jwtProps) {
      const { id, name } = this.next(AuthorizationType.JWT, 'Jwt');
      return this.jwtAuthorizer(
        id,
        jwtProps.authorizerName ?? name,
        jwtProps.issuer,
        jwtProps.audience,
        jwtProps.identitySource,
      );
    }
    if (authorization.type === AuthorizationType.COGNITO) {
      return this.cognitoAuthorizer(authorization, cognitoProps ?? {});
    }
    if (authorization.type === AuthorizationType.LAMBDA && lambdaProps) return this.lambdaAuthorizer(lambdaProps);
    return undefined;
  }

  private jwtAuthorizer(
    id: string,
    name: string,
    issuer: string,
    audience: string[],
    identitySource: string[] | undefined,
  ): apigwv2.HttpAuthorizer {
    return new apigwv2.HttpAuthorizer(this.scope, id, {
      httpApi: this.api,
      type: apigwv2.HttpAuthorizerType.JWT,
      authorizerName: name,
      identitySource: identitySource ?? DEFAULT_IDENTITY_SOURCE,
      jwtIssuer: issuer,
      jwtAudience: audience,
    });
  }

  /** A JWT authorizer for the pool's issuer: the same check as aws-cdk-lib's HttpUserPoolAuthorizer. */
  private cognitoAuthorizer(authorization: ApiAuthorization, props: CognitoAuthorizationProps): apigwv2.HttpAuthorizer {
    const { userPool, clients } = this.userPoolOf(authorization, props);
    const { id, name } = this.next(AuthorizationType.COGNITO, 'Cognito');
    return this.jwtAuthorizer(
      id,
      props.authorizerName ?? name,
      `https://cognito-idp.${userPool.env.region}.amazonaws.com/${userPool.userPoolId}`,
      clients.map((client) => client.userPoolClientId),
      undefined,
    );
  }

  /**
   * A request authorizer answering `{ isAuthorized }` (simple responses, payload 2.0), invoked through
   * the API's invoke role like the integrations, so it needs no Lambda permission.
   */
  private lambdaAuthorizer(props: LambdaAuthorizationProps): apigwv2.HttpAuthorizer {
    const { id, name } = this.next(AuthorizationType.LAMBDA, 'Lambda');
    const authorizerName = props.authorizerName ?? name;
    const fn = this.authorizerFunction(id, authorizerName, props);
    const identitySource = props.identitySource ?? DEFAULT_IDENTITY_SOURCE;
    const authorizer = new apigwv2.HttpAuthorizer(this.scope, id, {
      httpApi: this.api,
      type: apigwv2.HttpAuthorizerType.LAMBDA,
      authorizerName,
      identitySource,
      authorizerUri: lambdaInvocationUri(this.scope, fn),
      payloadFormatVersion: apigwv2.AuthorizerPayloadVersion.VERSION_2_0,
      enableSimpleResponses: true,
      resultsCacheTtl: props.resultsCacheTtl ?? DEFAULT_RESULTS_CACHE_TTL,
      role: this.props.invokeRole,
    });
    if (identitySource.length === 0) {
      // Without caching a request authorizer may read nothing up front; CloudFormation wants the property absent.
      (authorizer.node.defaultChild as apigwv2.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
    }
    return authorizer;
  }
}
