import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiType } from './api-type';
import { ApiAuthorization } from './authorization/api-authorization';
import { CreatedUserPool } from './authorization/authorization-kind';
import { AuthorizerFunctions } from './authorization/authorizer-registry';
import { IamRoute } from './authorization/iam-grant';
import { CorsOptions } from './cors';
import { DomainModel } from './domain/domain-model';
import { IApiCustomDomain } from './domain/domain-options';
import { RouteOptions } from './route';
import { ThrottleOptions } from './throttle';
import { FunctionDefaults } from '../functions/function-options';
import { ApiMetricSource } from '../monitoring/metrics';

/** What both kinds of API are built from: the API-wide props, resolved. */
export interface ApiCommonProps {
  readonly apiName: string;
  /** The API-wide authorization, for routes that name none. */
  readonly authorization: ApiAuthorization;
  readonly throttle?: ThrottleOptions;
  readonly logRetention: logs.RetentionDays;
  /** Settings of a Lambda authorizer bundled from its entry, like the route functions'. */
  readonly functionDefaults?: FunctionDefaults;
  readonly cors?: CorsOptions;
  /** The custom domain name, checked. */
  readonly domain?: DomainModel;
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
  /** The functions of its Lambda authorizers, as routes first use them. */
  readonly authorizers: AuthorizerFunctions;
  /** The custom domain name; undefined without `domain`. */
  readonly customDomain?: IApiCustomDomain;
  /** Whether any route so far is authorized with ApiAuthorization.iam(). */
  readonly hasIamRoutes: boolean;
  /** The user pool created for a Cognito authorization that imports none. */
  createdUserPool(authorization: ApiAuthorization): CreatedUserPool | undefined;
  /**
   * Routes `routes` to `fn`; `scope` is the function's construct. With `target` (a nested stack's) the routes and the
   * invoke permission go there instead of the API's.
   */
  addFunction(scope: Construct, fn: lambda.IFunction, routes: readonly RouteOptions[], target?: RouteTarget): void;
  /** Where a nested stack's routes (HTTP) or methods (REST) go, and the role invoking its functions. */
  routeTarget(scope: Construct): RouteTarget;
  /** The `execute-api` ARNs of the IAM-authorized routes, resolved at synth. */
  iamRouteArns(): string[];
  /** The IAM-authorized routes so far, with their `execute-api` ARNs. */
  iamRoutes(): IamRoute[];
}

/** Where the routes of a nested stack's functions go, and the role through which the API invokes those functions. */
export interface RouteTarget {
  readonly routes: Construct;
  readonly invokeRole: iam.IRole;
  /** The invoke role's statement, which each function's ARN joins. */
  readonly invokeStatement: iam.PolicyStatement;
}

/** The `execute-api` resource path of a route, each path parameter as `*`. */
export function executeApiPath(path: string): string {
  return path.replace(/\{[^}]*\}/g, '*');
}
