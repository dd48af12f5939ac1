import { Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import type { UserPoolClientOptions } from './user-pool-client-options';
import { fail } from '../../private/validation';
import { ApiType } from '../api-type';

/** A user pool an authorization created, with its app clients and the resource servers of the routes' scopes. */
export interface CreatedUserPool {
  readonly userPool: cognito.UserPool;
  /** The default app client (`clients.default`). */
  readonly userPoolClient: cognito.UserPoolClient;
  /** Every app client the API created, by name, the default one included. */
  readonly clients: { [name: string]: cognito.IUserPoolClient };
  /** Adds an app client, checked like the `clients` prop; its tokens are accepted. */
  addClient(name: string, options: UserPoolClientOptions): cognito.IUserPoolClient;
  /** Records the scopes of a route, which become resource-server scopes. */
  useScopes(scopes: readonly string[]): void;
  /** The ids of every app client of the pool, resolved at synth: the audience of an HTTP API's JWT authorizer. */
  audience(): string[];
}

/** Where a Lambda authorizer's function comes from: a handler file to bundle (with its variables), or an existing function. */
export interface AuthorizerFunctionSource {
  readonly entry?: string;
  readonly authorizerFunction?: lambda.IFunction;
  readonly environment?: { [key: string]: string };
  readonly secrets?: { [envName: string]: secretsmanager.ISecret };
}

/** What an authorization builds its authorizer with, on either kind of API. */
export interface AuthorizerContext {
  /** Where the authorizer and its function are created. */
  readonly scope: Construct;
  /** The role API Gateway assumes to invoke Lambda authorizers. */
  readonly invokeRole: iam.IRole;
  /** The user pool this authorization created; undefined when it imports one or has none. */
  readonly createdUserPool?: CreatedUserPool;
  /**
   * The construct id and name of the next authorizer with this id prefix: the first keeps the unsuffixed
   * id, so adding another authorizer never renames an existing one.
   */
  next(prefix: string): { id: string; name: string };
  /**
   * The function of a Lambda authorizer, bundled from `entry` or given, which the invoke role may invoke:
   * API Gateway calls it through that role, so it needs no Lambda permission.
   */
  authorizerFunction(id: string, authorizerName: string, source: AuthorizerFunctionSource): lambda.IFunction;
}

export interface HttpAuthorizerContext extends AuthorizerContext {
  readonly api: apigwv2.HttpApi;
}

export interface RestAuthorizerContext extends AuthorizerContext {
  readonly api: apigateway.RestApi;
}

/** How the routes of an HTTP API with one authorization are authorized. */
export interface HttpRouteAuthorization {
  /** The route's CloudFormation `AuthorizationType`. */
  readonly authorizationType: string;
  /** The authorizer; undefined for kinds API Gateway checks without one. */
  readonly authorizer?: apigwv2.HttpAuthorizer;
}

/** A REST authorizer as the methods use it, with the request values that identify the caller. */
export interface RestAuthorizer extends apigateway.IAuthorizer {
  /** The method request parameters holding the caller's identity, which key the response cache. */
  readonly identityParameters: string[];
  /** The CloudFormation properties, which redeploy the stage when they change. */
  readonly deploymentProps: unknown;
}

/** How the methods of a REST API with one authorization are authorized. */
export interface RestMethodAuthorization {
  /** The method's authorization type when it has no authorizer. */
  readonly authorizationType: apigateway.AuthorizationType;
  /** The authorizer; undefined for kinds API Gateway checks without one. */
  readonly authorizer?: RestAuthorizer;
}

/**
 * One kind of authorization: what its settings must be, where it may be used, and how it binds to an HTTP
 * or a REST API. `ApiAuthorization`'s factories make one per object; a new kind is a subclass in its own file.
 */
export abstract class AuthorizationKind {
  /** The factory the kind is made with, as messages name it: `ApiAuthorization.jwt()`. */
  public abstract readonly factory: string;
  /** Whether the authorizer checks a route's `authorizationScopes`. */
  public readonly checksScopes: boolean = false;
  /** Whether callers sign requests with AWS credentials, so `grantInvoke()` applies. */
  public readonly iamAuthorized: boolean = false;

  /** Checks the kind's settings, wherever it is used (`prop` names where). */
  public validate(_prop: string): void {}

  /** Checks the kind may be the API-wide `authorization`. */
  public validateApiWide(_prop: string): void {}

  /** Checks the kind may be a route's own authorization; `apiWide` when it is the API-wide object too. */
  public validateOnRoute(_prop: string, _apiWide: boolean): void {}

  /** What to use instead on an API of `type` that lacks the kind; undefined when it has it. */
  public unsupportedOn(_type: ApiType): string | undefined {
    return undefined;
  }

  /** Checks a route's non-empty `authorizationScopes` against the kind. */
  public validateScopes(prop: string, scopes: string[]): void {
    if (!this.checksScopes) {
      fail(
        prop,
        `be left out on a route authorized by ${this.factory}: only jwt() and cognito() authorizers check scopes`,
        scopes,
      );
    }
  }

  /** Checks that a REST route's response cache can be keyed per caller with the kind. */
  public validateRouteCache(_prop: string, _cache: object): void {}

  /** Creates the user pool the kind accepts tokens of, when it imports none. */
  public createUserPool(_scope: Construct): CreatedUserPool | undefined {
    return undefined;
  }

  /** Builds what the HTTP API's routes with this authorization need, once per API. */
  public bindHttp(_context: HttpAuthorizerContext): HttpRouteAuthorization {
    throw new Error(`${this.factory} has no authorizer on an HTTP API`);
  }

  /** Builds what the REST API's methods with this authorization need, once per API. */
  public bindRest(_context: RestAuthorizerContext): RestMethodAuthorization {
    throw new Error(`${this.factory} has no authorizer on a REST API`);
  }

  /** Acknowledges the cdk-nag findings the API owner chose with the kind, on a route's resource. */
  public acknowledgeRoute(_resource: IConstruct, _routeKey: string, _type: ApiType): void {}
}

/** Acknowledges AwsSolutions-COG4 (no Cognito authorizer) on a REST method authorized another way. */
export function acknowledgeWithoutCognito(resource: IConstruct, routeKey: string, reason: string): void {
  Validations.of(resource).acknowledge({
    id: 'AwsSolutions-COG4',
    reason: `${routeKey} is ${reason}; Cognito user pool authorizers are one choice among several.`,
  });
}

/**
 * A REST authorizer resource. The methods refer to it by id, so it is a single `AWS::ApiGateway::Authorizer`
 * invoked through the API's invoke role, with no Lambda permission or extra policy.
 */
export function restAuthorizer(
  scope: Construct,
  id: string,
  authorizationType: apigateway.AuthorizationType,
  identityParameters: string[],
  props: apigateway.CfnAuthorizerProps,
): RestAuthorizer {
  const resource = new apigateway.CfnAuthorizer(scope, id, props);
  return {
    authorizerId: resource.ref,
    authorizationType,
    identityParameters: identityParameters.filter((source) => source.startsWith('method.request.')),
    deploymentProps: props,
  };
}
