import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiAuthorization } from './api-authorization';
import { AuthorizationKind, AuthorizerContext, AuthorizerFunctionSource, CreatedUserPool } from './authorization-kind';
import { AuthorizerFunction, authorizerTimeout } from '../../functions/authorizer-function';
import { FunctionDefaults } from '../../functions/function-options';

/** A Lambda authorizer's function, bundled or given, as the alarms and the dashboard watch it. */
export interface LambdaAuthorizerFunction {
  /** The authorizer's construct id (`LambdaAuthorizer`, `LambdaTokenAuthorizer2`): unique in the API, a name in ids. */
  readonly id: string;
  /** The authorizer's name in API Gateway. */
  readonly name: string;
  readonly lambdaFunction: lambda.IFunction;
  /** How long API Gateway can wait for it: its own timeout, at most API Gateway's 10 seconds. */
  readonly timeout: Duration;
}

/** The Lambda authorizers' functions of an API, as they are built. */
export interface AuthorizerFunctions {
  /** Calls `listener` with each Lambda authorizer's function, those built already and those built later. */
  onFunction(listener: (authorizer: LambdaAuthorizerFunction) => void): void;
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
 * Binds each `ApiAuthorization` object to one API once, when a route first needs it: one API Gateway
 * authorizer per object, however many routes use it; IAM and public routes have none. The subclasses bind
 * for their kind of API.
 *
 * Construct ids and names count per kind: the first of a kind keeps the unsuffixed id (`JwtAuthorizer`,
 * `CognitoAuthorizer`, `LambdaAuthorizer`), so adding another authorizer never renames an existing one.
 */
export abstract class AuthorizerRegistry<B> implements AuthorizerFunctions {
  protected readonly scope: Construct;
  private readonly functions: LambdaAuthorizerFunction[] = [];
  private readonly listeners: ((authorizer: LambdaAuthorizerFunction) => void)[] = [];
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

  public onFunction(listener: (authorizer: LambdaAuthorizerFunction) => void): void {
    this.listeners.push(listener);
    this.functions.forEach(listener);
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
    const given = source.authorizerFunction;
    const bundled = given
      ? undefined
      : new AuthorizerFunction(this.scope, `${id}Function`, {
          entry: source.entry!,
          environment: source.environment,
          secrets: source.secrets,
          serviceName: authorizerName,
          defaults: this.props.functionDefaults,
          logRetention: this.props.logRetention,
          description: `the Lambda authorizer "${authorizerName}" of ${this.scope.node.path}`,
        });
    const fn = given ?? bundled!.lambdaFunction;
    this.props.allowInvoke(fn);
    const timeout = bundled?.timeout ?? authorizerTimeout(given instanceof lambda.Function ? given.timeout : undefined);
    const authorizer = { id, name: authorizerName, lambdaFunction: fn, timeout };
    this.functions.push(authorizer);
    this.listeners.forEach((listener) => listener(authorizer));
    return fn;
  }
}
