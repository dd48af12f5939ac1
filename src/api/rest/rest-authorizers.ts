import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import {
  ApiAuthorization,
  AuthorizationType,
  CognitoAuthorizationProps,
  LambdaAuthorizationProps,
  LambdaTokenAuthorizationProps,
} from '../authorization/api-authorization';
import {
  AuthorizerRegistry,
  AuthorizersProps,
  DEFAULT_IDENTITY_SOURCE,
  DEFAULT_RESULTS_CACHE_TTL,
} from '../authorization/authorizer-registry';
import { lambdaInvocationUri } from '../invoke';

/** The header a Lambda token authorizer reads unless told otherwise. */
export const DEFAULT_TOKEN_HEADER = 'Authorization';

/** HTTP API selection expressions, which routes and authorizers take on both kinds, and their REST form. */
const REST_IDENTITY_SOURCE_PREFIXES: [string, string][] = [
  ['$request.header.', 'method.request.header.'],
  ['$request.querystring.', 'method.request.querystring.'],
  ['$context.', 'context.'],
  ['$stageVariables.', 'stageVariables.'],
];

/** An identity source written as on HTTP APIs (`$request.header.Authorization`) in REST's form. */
export function restIdentitySource(source: string): string {
  for (const [http, rest] of REST_IDENTITY_SOURCE_PREFIXES) {
    if (source.startsWith(http)) return rest + source.slice(http.length);
  }
  return source;
}

/** A REST authorizer as the methods use it, with the request values that identify the caller. */
export interface RestAuthorizer extends apigateway.IAuthorizer {
  /** The method request parameters holding the caller's identity, which key the response cache. */
  readonly identityParameters: string[];
  /** The CloudFormation properties, which redeploy the stage when they change. */
  readonly deploymentProps: unknown;
}

export interface RestAuthorizersProps extends AuthorizersProps {
  readonly api: apigateway.RestApi;
}

/**
 * The REST API's authorizers: Cognito user pool, Lambda request and Lambda token authorizers, each invoked
 * through the API's invoke role like the integrations. The methods refer to them by id, so each is a
 * single `AWS::ApiGateway::Authorizer` with no Lambda permission or extra policy.
 */
export class RestAuthorizers extends AuthorizerRegistry<RestAuthorizer> {
  private readonly api: apigateway.RestApi;

  constructor(scope: Construct, props: RestAuthorizersProps) {
    super(scope, props);
    this.api = props.api;
  }

  protected build(authorization: ApiAuthorization): RestAuthorizer | undefined {
    const { cognitoProps, lambdaProps, lambdaTokenProps } = authorization;
    switch (authorization.type) {
      case AuthorizationType.COGNITO:
        return this.cognitoAuthorizer(authorization, cognitoProps ?? {});
      case AuthorizationType.LAMBDA:
        return this.requestAuthorizer(lambdaProps!);
      case AuthorizationType.LAMBDA_TOKEN:
        return this.tokenAuthorizer(lambdaTokenProps!);
      default:
        return undefined;
    }
  }

  /** Accepts ID and access tokens of the pool (access tokens only on routes with `authorizationScopes`). */
  private cognitoAuthorizer(authorization: ApiAuthorization, props: CognitoAuthorizationProps): RestAuthorizer {
    const { userPool } = this.userPoolOf(authorization, props);
    const { id, name } = this.next(AuthorizationType.COGNITO, 'Cognito');
    const identitySource = restIdentitySource(DEFAULT_IDENTITY_SOURCE[0]);
    return this.authorizer(id, apigateway.AuthorizationType.COGNITO, [identitySource], {
      name: props.authorizerName ?? name,
      restApiId: this.api.restApiId,
      type: 'COGNITO_USER_POOLS',
      providerArns: [userPool.userPoolArn],
      identitySource,
    });
  }

  /** Answers an IAM policy for the request values in `identitySource`, cached by those values. */
  private requestAuthorizer(props: LambdaAuthorizationProps): RestAuthorizer {
    const { id, name } = this.next(AuthorizationType.LAMBDA, 'Lambda');
    const authorizerName = props.authorizerName ?? name;
    const fn = this.authorizerFunction(id, authorizerName, props);
    const sources = (props.identitySource ?? DEFAULT_IDENTITY_SOURCE).map(restIdentitySource);
    return this.authorizer(id, apigateway.AuthorizationType.CUSTOM, sources, {
      name: authorizerName,
      restApiId: this.api.restApiId,
      type: 'REQUEST',
      authorizerUri: lambdaInvocationUri(this.scope, fn),
      authorizerCredentials: this.props.invokeRole.roleArn,
      authorizerResultTtlInSeconds: (props.resultsCacheTtl ?? DEFAULT_RESULTS_CACHE_TTL).toSeconds(),
      // Without caching a request authorizer may read nothing up front; CloudFormation wants the property absent.
      identitySource: sources.length ? sources.join(',') : undefined,
    });
  }

  /** Answers an IAM policy for the token in one header, cached by that token. */
  private tokenAuthorizer(props: LambdaTokenAuthorizationProps): RestAuthorizer {
    const { id, name } = this.next(AuthorizationType.LAMBDA_TOKEN, 'LambdaToken');
    const authorizerName = props.authorizerName ?? name;
    const fn = this.authorizerFunction(id, authorizerName, props);
    const identitySource = `method.request.header.${props.header ?? DEFAULT_TOKEN_HEADER}`;
    return this.authorizer(id, apigateway.AuthorizationType.CUSTOM, [identitySource], {
      name: authorizerName,
      restApiId: this.api.restApiId,
      type: 'TOKEN',
      authorizerUri: lambdaInvocationUri(this.scope, fn),
      authorizerCredentials: this.props.invokeRole.roleArn,
      authorizerResultTtlInSeconds: (props.resultsCacheTtl ?? DEFAULT_RESULTS_CACHE_TTL).toSeconds(),
      identitySource,
      identityValidationExpression: props.validationRegex,
    });
  }

  private authorizer(
    id: string,
    authorizationType: apigateway.AuthorizationType,
    identityParameters: string[],
    props: apigateway.CfnAuthorizerProps,
  ): RestAuthorizer {
    const resource = new apigateway.CfnAuthorizer(this.scope, id, props);
    return {
      authorizerId: resource.ref,
      authorizationType,
      identityParameters: identityParameters.filter((source) => source.startsWith('method.request.')),
      deploymentProps: props,
    };
  }
}
