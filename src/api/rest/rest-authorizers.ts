import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { AuthorizationKind, AuthorizerContext, RestMethodAuthorization } from '../authorization/authorization-kind';
import { AuthorizerRegistry, AuthorizersProps } from '../authorization/authorizer-registry';

export interface RestAuthorizersProps extends AuthorizersProps {
  readonly api: apigateway.RestApi;
}

/**
 * The REST API's authorizers: Cognito user pool, Lambda request and Lambda token authorizers, each invoked
 * through the API's invoke role like the integrations.
 */
export class RestAuthorizers extends AuthorizerRegistry<RestMethodAuthorization> {
  private readonly api: apigateway.RestApi;

  constructor(scope: Construct, props: RestAuthorizersProps) {
    super(scope, props);
    this.api = props.api;
  }

  protected bindKind(kind: AuthorizationKind, context: AuthorizerContext): RestMethodAuthorization {
    return kind.bindRest({ ...context, api: this.api });
  }
}
