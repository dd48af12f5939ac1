import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiAuthorization } from './api-authorization';
import { AuthorizationKind, AuthorizerContext, AuthorizerFunctionSource, CreatedUserPool } from './authorization-kind';
import { AuthorizerFunction } from '../../functions/authorizer-function';
import { FunctionDefaults } from '../../functions/function-options';

export interface AuthorizersProps {
  /** The role API Gateway assumes to invoke functions, Lambda authorizers included. */
  readonly invokeRole: iam.IRole;
  /** Adds a function to what `invokeRole` may invoke. */
  readonly allowInvoke: (fn: lambda.IFunction) => void;
  readonly logRetention: logs.RetentionDays;
  readonly functionDefaults?: FunctionDefaults;
}

/**
 * Binds each `ApiAuthorization` object to one API once, when a route first needs it: one API Gateway
 * authorizer per object, however many routes use it; IAM and public routes have none. The subclasses bind
 * for their kind of API.
 *
 * Construct ids and names count per kind: the first of a kind keeps the unsuffixed id (`JwtAuthorizer`,
 * `CognitoAuthorizer`, `LambdaAuthorizer`), so adding another authorizer never renames an existing one.
 */
export abstract class AuthorizerRegistry<B> {
  protected readonly scope: Construct;
  private readonly props: AuthorizersProps;
  private readonly bindings = new Map<ApiAuthorization, B>();
  private readonly counts = new Map<string, number>();
  private readonly userPools = new Map<ApiAuthorization, CreatedUserPool>();

  constructor(scope: Construct, props: AuthorizersProps) {
    this.scope = scope;
    this.props = props;
  }

  /** The user pool created for an authorization that imports none (once per authorization). */
  public createdUserPool(authorization: ApiAuthorization): CreatedUserPool | undefined {
    let created = this.userPools.get(authorization);
    if (!created) {
      created = authorization._kind.createUserPool(this.scope);
      if (created) this.userPools.set(authorization, created);
    }
    return created;
  }

  /**
   * How routes with `authorization` are authorized, built on first use. A route's `scopes` become resource-server
   * scopes of the user pool the authorization created, if any.
   */
  public bind(authorization: ApiAuthorization, scopes?: readonly string[]): B {
    let binding = this.bindings.get(authorization);
    if (!binding) {
      binding = this.bindKind(authorization._kind, this.context(authorization));
      this.bindings.set(authorization, binding);
    }
    if (scopes) this.userPools.get(authorization)?.useScopes(scopes);
    return binding;
  }

  /** Binds a kind met for the first time to this kind of API. */
  protected abstract bindKind(kind: AuthorizationKind, context: AuthorizerContext): B;

  private context(authorization: ApiAuthorization): AuthorizerContext {
    return {
      scope: this.scope,
      invokeRole: this.props.invokeRole,
      createdUserPool: this.createdUserPool(authorization),
      next: (prefix) => this.next(prefix),
      authorizerFunction: (id, authorizerName, source) => this.authorizerFunction(id, authorizerName, source),
    };
  }

  private next(prefix: string): { id: string; name: string } {
    const count = (this.counts.get(prefix) ?? 0) + 1;
    this.counts.set(prefix, count);
    const suffix = count === 1 ? '' : `${count}`;
    return { id: `${prefix}Authorizer${suffix}`, name: `${prefix.toLowerCase()}${suffix}` };
  }

  private authorizerFunction(id: string, authorizerName: string, source: AuthorizerFunctionSource): lambda.IFunction {
    const fn =
      source.authorizerFunction ??
      new AuthorizerFunction(this.scope, `${id}Function`, {
        entry: source.entry!,
        environment: source.environment,
        secrets: source.secrets,
        serviceName: authorizerName,
        defaults: this.props.functionDefaults,
        logRetention: this.props.logRetention,
        description: `the Lambda authorizer "${authorizerName}" of ${this.scope.node.path}`,
      }).lambdaFunction;
    this.props.allowInvoke(fn);
    return fn;
  }
}
