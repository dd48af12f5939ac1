import { Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiAuthorization, AuthorizationType, CognitoAuthorizationProps } from './api-authorization';
import { createUserPool, CreatedUserPool } from './user-pool';
import { AuthorizerFunction } from '../../functions/authorizer-function';
import { FunctionDefaults } from '../../functions/function-options';

/** Where JWT, Cognito and Lambda authorizers read the caller's credentials unless told otherwise. */
export const DEFAULT_IDENTITY_SOURCE = ['$request.header.Authorization'];

/** How long a Lambda authorizer's answer is cached unless told otherwise. */
export const DEFAULT_RESULTS_CACHE_TTL = Duration.minutes(5);

/** The longest API Gateway caches a Lambda authorizer's answer. */
export const MAX_RESULTS_CACHE_TTL = Duration.hours(1);

/** The route's CloudFormation `AuthorizationType` for each kind of authorization. */
const ROUTE_AUTHORIZATION_TYPES: { [type in AuthorizationType]: string } = {
  [AuthorizationType.JWT]: 'JWT',
  [AuthorizationType.COGNITO]: 'JWT',
  [AuthorizationType.LAMBDA]: 'CUSTOM',
  [AuthorizationType.LAMBDA_TOKEN]: 'CUSTOM',
  [AuthorizationType.IAM]: 'AWS_IAM',
  [AuthorizationType.NONE]: 'NONE',
};

export function routeAuthorizationType(type: AuthorizationType): string {
  return ROUTE_AUTHORIZATION_TYPES[type];
}

/** Kinds whose authorizer checks the route's `authorizationScopes`. */
export function checksScopes(type: AuthorizationType): boolean {
  return type === AuthorizationType.JWT || type === AuthorizationType.COGNITO;
}

export interface AuthorizersProps {
  /** The role API Gateway assumes to invoke functions, Lambda authorizers included. */
  readonly invokeRole: iam.IRole;
  /** Adds a function to what `invokeRole` may invoke. */
  readonly allowInvoke: (fn: lambda.IFunction) => void;
  readonly logRetention: logs.RetentionDays;
  readonly functionDefaults?: FunctionDefaults;
}

/**
 * Builds one API Gateway authorizer per `ApiAuthorization` object, when a route first needs it; the
 * subclasses build them for their kind of API.
 *
 * Construct ids and names count per kind: the first of a kind keeps the unsuffixed id (`JwtAuthorizer`,
 * `CognitoAuthorizer`, `LambdaAuthorizer`), so adding another authorizer never renames an existing one.
 * IAM and public routes have no authorizer.
 */
export abstract class AuthorizerRegistry<A> {
  protected readonly scope: Construct;
  protected readonly props: AuthorizersProps;
  private readonly built = new Map<ApiAuthorization, A>();
  private readonly counts = new Map<AuthorizationType, number>();
  private readonly userPools = new Map<ApiAuthorization, CreatedUserPool>();

  constructor(scope: Construct, props: AuthorizersProps) {
    this.scope = scope;
    this.props = props;
  }

  /** The user pool created for a Cognito authorization that imports none (once per authorization). */
  public createdUserPool(authorization: ApiAuthorization): CreatedUserPool | undefined {
    const props = authorization.cognitoProps;
    if (authorization.type !== AuthorizationType.COGNITO || props?.userPool) return undefined;
    let created = this.userPools.get(authorization);
    if (!created) {
      created = createUserPool(this.scope, props ?? {});
      this.userPools.set(authorization, created);
    }
    return created;
  }

  /** The authorizer of `authorization`, built on first use; undefined for IAM and public routes. */
  public authorizerFor(authorization: ApiAuthorization): A | undefined {
    let authorizer = this.built.get(authorization);
    if (authorizer) return authorizer;
    authorizer = this.build(authorization);
    if (authorizer) this.built.set(authorization, authorizer);
    return authorizer;
  }

  /** Builds the authorizer of an authorization met for the first time. */
  protected abstract build(authorization: ApiAuthorization): A | undefined;

  protected next(type: AuthorizationType, kind: string): { id: string; name: string } {
    const count = (this.counts.get(type) ?? 0) + 1;
    this.counts.set(type, count);
    const suffix = count === 1 ? '' : `${count}`;
    return { id: `${kind}Authorizer${suffix}`, name: `${kind.toLowerCase()}${suffix}` };
  }

  /** The user pool and app clients whose tokens a Cognito authorization accepts. */
  protected userPoolOf(
    authorization: ApiAuthorization,
    props: CognitoAuthorizationProps,
  ): { userPool: cognito.IUserPool; clients: cognito.IUserPoolClient[] } {
    const created = this.createdUserPool(authorization);
    return {
      userPool: created?.userPool ?? props.userPool!,
      clients: created ? [created.userPoolClient] : (props.userPoolClients ?? []),
    };
  }

  /**
   * The function of a Lambda authorizer, bundled from `entry` or given, which the invoke role may invoke:
   * API Gateway calls it through that role, so it needs no Lambda permission.
   */
  protected authorizerFunction(
    id: string,
    authorizerName: string,
    source: { entry?: string; authorizerFunction?: lambda.IFunction },
  ): lambda.IFunction {
    const fn =
      source.authorizerFunction ??
      new AuthorizerFunction(this.scope, `${id}Function`, {
        entry: source.entry!,
        defaults: this.props.functionDefaults,
        logRetention: this.props.logRetention,
        description: `the Lambda authorizer "${authorizerName}" of ${this.scope.node.path}`,
      }).lambdaFunction;
    this.props.allowInvoke(fn);
    return fn;
  }
}
