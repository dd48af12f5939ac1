import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiType } from './api-type';
import { ApiAuthorization } from './authorization';
import { RouteOptions, ThrottleOptions } from './route';
import { CreatedUserPool } from './user-pool';
import { ApiMetricSource } from '../monitoring/metrics';
import { LAMBDA_INVOKE_ACTIONS } from '../private/iam-actions';

/** The documented defaults of the stage throttling, in one place. */
export const DEFAULT_THROTTLE: Required<ThrottleOptions> = { rateLimit: 100, burstLimit: 200 };

/**
 * A throttle with what it leaves out taken from `fallback`: the stage's from the defaults, and a route's or a
 * usage plan's from the stage's.
 */
export function resolveThrottle(
  throttle: ThrottleOptions | undefined,
  fallback: Required<ThrottleOptions>,
): Required<ThrottleOptions> {
  return {
    rateLimit: throttle?.rateLimit ?? fallback.rateLimit,
    burstLimit: throttle?.burstLimit ?? fallback.burstLimit,
  };
}

/** The URI through which API Gateway invokes a function: a route's integration or a Lambda authorizer. */
export function lambdaInvocationUri(scope: Construct, fn: lambda.IFunction): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`;
}

/**
 * What `ServerlessApi` needs from either kind of API: both builders give the same parts (an access log, one
 * invoke role, authorizers, routes to functions, IAM-route ARNs, metrics), so the construct wires one way.
 */
export interface ApiBuilder {
  readonly type: ApiType;
  /** The API's id. */
  readonly apiId: string;
  /** The URL of the API's stage. */
  readonly url: string;
  /** The API's CloudFormation resource, which carries the access-pattern metadata. */
  readonly apiResource: CfnResource;
  readonly accessLogGroup: logs.ILogGroup;
  /** The role API Gateway assumes to invoke the functions and Lambda authorizers. */
  readonly invokeRole: iam.IRole;
  /** The API's CloudWatch metrics. */
  readonly metrics: ApiMetricSource;
  /** Whether any route so far is authorized with ApiAuthorization.iam(). */
  readonly hasIamRoutes: boolean;
  /** The user pool created for a Cognito authorization that imports none. */
  createdUserPool(authorization: ApiAuthorization): CreatedUserPool | undefined;
  /** Routes `routes` to `fn`; `scope` is the function's construct. */
  addFunction(scope: Construct, fn: lambda.IFunction, routes: readonly RouteOptions[]): void;
  /** The `execute-api` ARNs of the IAM-authorized routes, resolved at synth. */
  iamRouteArns(): string[];
}

/**
 * The one role through which API Gateway invokes every function and Lambda authorizer of the API, with the
 * statement the builders add each function to: one resource per API instead of a Lambda permission per route.
 */
export function createInvokeRole(scope: Construct): { role: iam.Role; statement: iam.PolicyStatement } {
  const statement = new iam.PolicyStatement({ actions: [...LAMBDA_INVOKE_ACTIONS] });
  const role = new iam.Role(scope, 'InvokeRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'Lets the API invoke its route functions, and nothing else',
    inlinePolicies: { invoke: new iam.PolicyDocument({ statements: [statement] }) },
  });
  return { role, statement };
}

/** The `execute-api` resource path of a route, each path parameter as `*`. */
export function executeApiPath(path: string): string {
  return path.replace(/\{[^}]*\}/g, '*');
}
