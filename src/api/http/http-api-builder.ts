import { CfnResource, Duration, Lazy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accessLogFormat } from '../access-log';
import { ApiBuilder, ApiCommonProps, executeApiPath, RouteTarget } from '../api-builder';
import { ApiType } from '../api-type';
import { ApiAuthorization } from '../authorization/api-authorization';
import { CreatedUserPool } from '../authorization/authorization-kind';
import { IamRoute } from '../authorization/iam-grant';
import { httpCorsPreflight } from '../cors-config';
import { ApiCustomDomain } from '../domain/api-custom-domain';
import { createInvokeRole } from '../invoke';
import { RouteOptions } from '../route';
import { routeKey } from '../route-validation';
import { ThrottleOptions } from '../throttle';
import { DEFAULT_THROTTLE, resolveThrottle } from '../throttle-config';
import { HttpAuthorizers } from './http-authorizers';
import { ApiMetricSource } from '../../monitoring/metrics';

/** HTTP APIs give up on an integration after 30 seconds. */
export const HTTP_API_INTEGRATION_TIMEOUT = Duration.seconds(30);

export interface HttpApiBuilderProps extends Omit<ApiCommonProps, 'apiName'> {
  readonly apiName?: string;
  readonly description?: string;
}

/**
 * Builds the HTTP API side: the API, its `$default` stage with throttling and a JSON access log,
 * one authorizer per authorization, one integration per function and one route per route.
 *
 * All integrations and Lambda authorizers share one credentials role that may invoke exactly their
 * functions, instead of a Lambda permission per route: that keeps the template at one resource per route.
 */
export class HttpApiBuilder implements ApiBuilder {
  public readonly type = ApiType.HTTP;
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly invokeRole: iam.Role;
  public readonly authorizers: HttpAuthorizers;
  public readonly customDomain?: ApiCustomDomain;
  private readonly authorization: ApiAuthorization;
  private readonly invokeStatement: iam.PolicyStatement;
  private readonly iamAuthorizedRoutes: RouteOptions[] = [];
  private readonly routeThrottles: { [routeKey: string]: unknown } = {};
  private readonly routesScope: Construct;
  private readonly stageThrottle: Required<ThrottleOptions>;

  constructor(scope: Construct, props: HttpApiBuilderProps) {
    this.api = new apigwv2.HttpApi(scope, 'HttpApi', {
      apiName: props.apiName,
      description: props.description,
      createDefaultStage: false,
      corsPreflight: props.cors ? httpCorsPreflight(props.cors) : undefined,
      disableExecuteApiEndpoint: props.domain?.disableExecuteApiEndpoint || undefined,
    });
    this.authorization = props.authorization;
    this.accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', { retention: props.logRetention });
    this.stageThrottle = resolveThrottle(props.throttle, DEFAULT_THROTTLE);
    this.stage = new apigwv2.HttpStage(scope, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: this.stageThrottle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(accessLogFormat(ApiType.HTTP)),
      },
    });
    if (props.domain) {
      this.customDomain = new ApiCustomDomain(scope, 'Domain', props.domain, {
        http: { api: this.api, stage: this.stage },
      });
    }

    const invoke = createInvokeRole(scope);
    this.invokeRole = invoke.role;
    this.invokeStatement = invoke.statement;
    this.authorizers = new HttpAuthorizers(scope, {
      api: this.api,
      invokeRole: this.invokeRole,
      allowInvoke: (fn) => this.invokeStatement.addResources(fn.functionArn),
      logRetention: props.logRetention,
      functionDefaults: props.functionDefaults,
    });
    this.routesScope = new Construct(scope, 'Routes');
  }

  public get apiId(): string {
    return this.api.apiId;
  }

  public get url(): string {
    return this.stage.url;
  }

  public get apiResource(): CfnResource {
    return this.api.node.defaultChild as CfnResource;
  }

  public get metrics(): ApiMetricSource {
    return this.api;
  }

  public createdUserPool(authorization: ApiAuthorization): CreatedUserPool | undefined {
    return this.authorizers.createdUserPool(authorization);
  }

  /**
   * A nested stack's own invoke role and routes: one role for every function of the API would pass IAM's 10,240
   * characters of inline policy per role near 100 functions, and a route in the API's stack would count there.
   */
  public routeTarget(scope: Construct): RouteTarget {
    const invoke = createInvokeRole(scope);
    return { routes: new Construct(scope, 'Routes'), invokeRole: invoke.role, invokeStatement: invoke.statement };
  }

  /** One integration per function, and one route per route. */
  public addFunction(
    scope: Construct,
    fn: lambda.IFunction,
    routes: readonly RouteOptions[],
    target?: RouteTarget,
  ): void {
    const integration = this.addIntegration(scope, fn, target);
    routes.forEach((route) => this.addRoute(route, integration, target?.routes ?? this.routesScope));
  }

  /** The integration through which the routes of one function reach it. */
  private addIntegration(scope: Construct, fn: lambda.IFunction, target?: RouteTarget): apigwv2.HttpIntegration {
    (target?.invokeStatement ?? this.invokeStatement).addResources(fn.functionArn);
    return new apigwv2.HttpIntegration(scope, 'Integration', {
      httpApi: this.api,
      integrationType: apigwv2.HttpIntegrationType.AWS_PROXY,
      integrationUri: fn.functionArn,
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      credentials: apigwv2.IntegrationCredentials.fromRole(target?.invokeRole ?? this.invokeRole),
    });
  }

  private addRoute(route: RouteOptions, integration: apigwv2.HttpIntegration, routesScope: Construct): void {
    const key = routeKey(route);
    const authorization = route.authorization ?? this.authorization;
    const binding = this.authorizers.bind(authorization, route.authorizationScopes);
    const cfnRoute = new apigwv2.CfnRoute(routesScope, key, {
      apiId: this.api.apiId,
      routeKey: key,
      target: `integrations/${integration.integrationId}`,
      authorizationType: binding.authorizationType,
      authorizerId: binding.authorizer?.authorizerId,
      authorizationScopes: route.authorizationScopes,
    });
    if (authorization._kind.iamAuthorized) this.iamAuthorizedRoutes.push(route);
    authorization._kind.acknowledgeRoute(cfnRoute, key, ApiType.HTTP);
    if (route.throttle) {
      const throttle = resolveThrottle(route.throttle, this.stageThrottle);
      this.routeThrottles[key] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
      const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
      cfnStage.addPropertyOverride('RouteSettings', this.routeThrottles);
      // Route settings name a route by key: the route must exist before the stage refers to it.
      cfnStage.node.addDependency(cfnRoute);
    }
  }

  public get hasIamRoutes(): boolean {
    return this.iamAuthorizedRoutes.length > 0;
  }

  /**
   * The `execute-api` ARNs of the IAM-authorized routes, path parameters as `*`. Resolved at synth, so
   * routes added after the call are included.
   */
  public iamRouteArns(): string[] {
    return Lazy.list({ produce: () => this.iamRoutes().map((route) => route.arn) });
  }

  public iamRoutes(): IamRoute[] {
    return this.iamAuthorizedRoutes.map((route) => ({
      key: routeKey(route),
      arn: this.api.arnForExecuteApi(route.method, executeApiPath(route.path), '$default'),
    }));
  }
}
