import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { AuthorizationKind, AuthorizerContext, HttpRouteAuthorization } from '../authorization/authorization-kind';
import { AuthorizerRegistry, AuthorizersProps } from '../authorization/authorizer-registry';

export interface HttpAuthorizersProps extends AuthorizersProps {
  readonly api: apigwv2.HttpApi;
}

/** The HTTP API's authorizers: JWT (also for Cognito pools) and Lambda request authorizers. */
export class HttpAuthorizers extends AuthorizerRegistry<HttpRouteAuthorization> {
  private readonly api: apigwv2.HttpApi;

  constructor(scope: Construct, props: HttpAuthorizersProps) {
    super(scope, props);
    this.api = props.api;
  }

  protected bindKind(kind: AuthorizationKind, context: AuthorizerContext): HttpRouteAuthorization {
    return kind.bindHttp({ ...context, api: this.api });
  }
}
