import { CfnResource, Duration, Lazy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ApiMetricSource, restApiMetrics } from '../../monitoring/metrics';
import { accessLogFormat } from '../access-log';
import { ApiBuilder, ApiCommonProps, executeApiPath, RouteTarget } from '../api-builder';
import { ApiType } from '../api-type';
import { ApiCacheSize, RestApiOptions } from './rest-options';
import { ApiAuthorization } from '../authorization/api-authorization';
import { CreatedUserPool, RestAuthorizer } from '../authorization/authorization-kind';
import { IamRoute } from '../authorization/iam-grant';
import { restCorsPreflight, restGatewayResponseHeaders } from '../cors-config';
import { ApiCustomDomain } from '../domain/api-custom-domain';
import { createInvokeRole, lambdaInvocationUri } from '../invoke';
import { RouteOptions } from '../route';
import { routeKey } from '../route-validation';
import { ThrottleOptions } from '../throttle';
import { DEFAULT_THROTTLE, resolveThrottle } from '../throttle-config';
import { RestAuthorizers } from './rest-authorizers';
import { RestPaths } from './rest-path-stacks';
import {
  acknowledgeStageFindings,
  createExecutionLogGroup,
  createUsagePlans,
  REST_STAGE_NAME,
  setAccountCloudWatchRole,
} from './rest-stage';

/** REST APIs give up on an integration after 29 seconds (a quota only regional and private APIs may raise). */
export const REST_API_INTEGRATION_TIMEOUT = Duration.seconds(29);

/** API Gateway's own error responses, which carry the CORS headers: every 4xx and every 5xx. */
const CORS_GATEWAY_RESPONSES: [string, apigateway.ResponseType][] = [
  ['Default4xx', apigateway.ResponseType.DEFAULT_4XX],
  ['Default5xx', apigateway.ResponseType.DEFAULT_5XX],
];

export interface RestApiBuilderProps extends ApiCommonProps {
  /** The REST-only features, as the API's props give them. */
  readonly options: RestApiOptions;
  /** Whether a route declared in the props asks API Gateway to validate requests. */
  readonly validatesRequests: boolean;
  /** How many nested stacks the path resources hash into; 0 keeps them in the API's stack. */
  readonly pathStackCount: number;
}

/**
 * Builds the REST API side: the API with one regional stage (throttled, JSON access log, X-Ray), one
 * authorizer per authorization, one method per route with its validation, API-key requirement, throttle and
 * cache settings, and the REST-only features the props ask for (usage plans, WAF, compression, cache,
 * execution logging, CORS error responses).
 *
 * Like the HTTP side, all integrations and Lambda authorizers share one invoke role, so a route costs one
 * `AWS::ApiGateway::Method` (plus one `AWS::ApiGateway::Resource` per new path segment).
 */
export class RestApiBuilder implements ApiBuilder {
  public readonly type = ApiType.REST;
  public readonly api: apigateway.RestApi;
  public readonly stage: apigateway.Stage;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly invokeRole: iam.Role;
  public readonly authorizers: RestAuthorizers;
  public readonly metrics: ApiMetricSource;
  public readonly usagePlans: { [name: string]: apigateway.UsagePlan };
  public readonly apiKeys: { [name: string]: apigateway.IApiKey };
  public readonly customDomain?: ApiCustomDomain;
  /** The execution log group, created with a bounded retention before API Gateway would create it unbounded. */
  public readonly executionLogGroup?: logs.LogGroup;
  private readonly props: RestApiBuilderProps;
  private readonly invokeStatement: iam.PolicyStatement;
  private readonly cfnStage: apigateway.CfnStage;
  private readonly stageThrottle: Required<ThrottleOptions>;
  private readonly iamAuthorizedRoutes: RouteOptions[] = [];
  private readonly hasUsagePlans: boolean;
  private readonly paths: RestPaths;
  private validator?: apigateway.RequestValidator;

  constructor(scope: Construct, props: RestApiBuilderProps) {
    this.props = props;
    this.accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', { retention: props.logRetention });
    this.stageThrottle = resolveThrottle(props.throttle, DEFAULT_THROTTLE);
    const logging = props.options.executionLogging;
    // The stage traces when the functions do.
    const tracing = props.functionDefaults?.tracing ?? true;
    this.api = new apigateway.RestApi(scope, 'RestApi', {
      restApiName: props.apiName,
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      disableExecuteApiEndpoint: props.domain?.disableExecuteApiEndpoint || undefined,
      // The account-wide CloudWatch role is opt-in (setAccountCloudWatchRole), never a side effect.
      cloudWatchRole: false,
      minCompressionSize: props.options.minCompressionSize,
      apiKeySourceType: apigateway.ApiKeySourceType.HEADER,
      defaultCorsPreflightOptions: props.cors ? restCorsPreflight(props.cors) : undefined,
      deployOptions: {
        stageName: REST_STAGE_NAME,
        tracingEnabled: tracing,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(accessLogFormat(ApiType.REST)),
        throttlingRateLimit: this.stageThrottle.rateLimit,
        throttlingBurstLimit: this.stageThrottle.burstLimit,
        loggingLevel: logging ? (logging.level ?? apigateway.MethodLoggingLevel.ERROR) : undefined,
        dataTraceEnabled: logging?.dataTrace ?? false,
        cacheClusterEnabled: props.options.cache ? true : undefined,
        cacheClusterSize: props.options.cache ? (props.options.cache.size ?? ApiCacheSize.GB_0_5) : undefined,
        // Only the routes that set `cache` are cached.
        cachingEnabled: props.options.cache ? false : undefined,
        cacheDataEncrypted: props.options.cache ? true : undefined,
      },
    });
    // RestApi adds an `Endpoint` output; outputs are the app's to choose, as on HTTP APIs.
    this.api.node.tryRemoveChild('Endpoint');
    this.stage = this.api.deploymentStage;
    this.paths = new RestPaths(scope, this.api, props.pathStackCount);
    this.cfnStage = this.stage.node.defaultChild as apigateway.CfnStage;
    this.metrics = restApiMetrics(this.api);
    if (props.domain) {
      this.customDomain = new ApiCustomDomain(scope, 'Domain', props.domain, {
        rest: { api: this.api, stage: this.stage },
      });
    }

    const invoke = createInvokeRole(scope);
    this.invokeRole = invoke.role;
    this.invokeStatement = invoke.statement;
    this.authorizers = new RestAuthorizers(scope, {
      api: this.api,
      invokeRole: this.invokeRole,
      allowInvoke: (fn) => this.invokeStatement.addResources(fn.functionArn),
      logRetention: props.logRetention,
      functionDefaults: props.functionDefaults,
    });

    if (logging) this.executionLogGroup = createExecutionLogGroup(scope, this.api, props.logRetention);
    if (props.options.setAccountCloudWatchRole) setAccountCloudWatchRole(scope, this.stage);
    if (props.options.webAclArn) {
      new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
        resourceArn: this.stage.stageArn,
        webAclArn: props.options.webAclArn,
      });
    }
    if (props.cors) {
      const headers = restGatewayResponseHeaders(props.cors);
      for (const [id, type] of CORS_GATEWAY_RESPONSES) {
        this.api.addGatewayResponse(id, { type, responseHeaders: headers });
      }
    }
    const plans = createUsagePlans(scope, this.api, props.apiName, props.options.usagePlans ?? {}, this.stageThrottle);
    this.usagePlans = plans.usagePlans;
    this.apiKeys = plans.apiKeys;
    this.hasUsagePlans = Object.keys(this.usagePlans).length > 0;
    acknowledgeStageFindings(this.api, {
      executionLogging: logging !== undefined,
      webAcl: props.options.webAclArn !== undefined,
      tracing,
      validatesRequests: props.validatesRequests,
    });
  }

  public get apiId(): string {
    return this.api.restApiId;
  }

  public get url(): string {
    return this.api.url;
  }

  public get apiResource(): CfnResource {
    return this.api.node.defaultChild as CfnResource;
  }

  public get hasIamRoutes(): boolean {
    return this.iamAuthorizedRoutes.length > 0;
  }

  public createdUserPool(authorization: ApiAuthorization): CreatedUserPool | undefined {
    return this.authorizers.createdUserPool(authorization);
  }

  /**
   * A nested stack's own invoke role and methods. The path resources stay in the API's stack (or its path stacks),
   * shared by the methods of every stack; each method in a nested stack still joins the deployment's dependencies and its logical id's hash, so
   * the deployment waits for the nested stacks and is replaced when a method changes.
   */
  public routeTarget(scope: Construct): RouteTarget {
    const invoke = createInvokeRole(scope);
    return { routes: new Construct(scope, 'Methods'), invokeRole: invoke.role, invokeStatement: invoke.statement };
  }

  public addFunction(
    scope: Construct,
    fn: lambda.IFunction,
    routes: readonly RouteOptions[],
    target?: RouteTarget,
  ): void {
    (target?.invokeStatement ?? this.invokeStatement).addResources(fn.functionArn);
    const uri = lambdaInvocationUri(scope, fn);
    let shared: apigateway.Integration | undefined;
    const integration = (cacheKeyParameters?: string[]) =>
      new apigateway.Integration({
        type: apigateway.IntegrationType.AWS_PROXY,
        integrationHttpMethod: 'POST',
        uri,
        options: { credentialsRole: target?.invokeRole ?? this.invokeRole, cacheKeyParameters },
      });
    routes.forEach((route, i) => {
      const authorization = route.authorization ?? this.props.authorization;
      const { authorizer, authorizationType } = this.authorizers.bind(authorization, route.authorizationScopes);
      const cacheKeys = route.cache ? this.cacheKeyParameters(route, authorizer) : undefined;
      const requestParameters = this.requestParameters(route, cacheKeys);
      const resource = this.paths.resourceFor(route.path);
      const options: apigateway.MethodOptions = {
        authorizer,
        authorizationType: authorizer ? undefined : authorizationType,
        authorizationScopes: route.authorizationScopes,
        apiKeyRequired: route.apiKeyRequired ?? this.hasUsagePlans,
        requestParameters: Object.keys(requestParameters).length ? requestParameters : undefined,
        requestModels: route.requestModel
          ? { 'application/json': this.model(scope, i, route.requestModel) }
          : undefined,
        requestValidator: route.requestModel || route.requiredParameters ? this.requestValidator() : undefined,
      };
      const methodIntegration = cacheKeys ? integration(cacheKeys) : (shared ??= integration());
      // In a nested stack the method refers to its path resource, which CloudFormation passes as a parameter.
      const method = target
        ? new apigateway.Method(target.routes, routeKey(route), {
            resource,
            httpMethod: route.method,
            integration: methodIntegration,
            options,
          })
        : resource.addMethod(route.method, methodIntegration, options);
      if (authorizer) this.api.latestDeployment?.addToLogicalId({ authorizer: authorizer.deploymentProps });
      if (authorization._kind.iamAuthorized) this.iamAuthorizedRoutes.push(route);
      authorization._kind.acknowledgeRoute(method.node.defaultChild!, routeKey(route), ApiType.REST);
      this.addMethodSettings(route);
    });
  }

  public iamRouteArns(): string[] {
    return Lazy.list({ produce: () => this.iamRoutes().map((route) => route.arn) });
  }

  public iamRoutes(): IamRoute[] {
    return this.iamAuthorizedRoutes.map((route) => ({
      key: routeKey(route),
      arn: this.api.arnForExecuteApi(route.method, executeApiPath(route.path), REST_STAGE_NAME),
    }));
  }

  /** The method request parameters: required ones `true`, cache keys that are not required `false`. */
  private requestParameters(route: RouteOptions, cacheKeys: string[] | undefined): { [name: string]: boolean } {
    const parameters: { [name: string]: boolean } = {};
    for (const key of cacheKeys ?? []) parameters[key] = key.startsWith('method.request.path.');
    for (const name of route.requiredParameters?.querystrings ?? []) {
      parameters[`method.request.querystring.${name}`] = true;
    }
    for (const name of route.requiredParameters?.headers ?? []) parameters[`method.request.header.${name}`] = true;
    return parameters;
  }

  /** The path parameters, the caller's identity and the route's own key parameters. */
  private cacheKeyParameters(route: RouteOptions, authorizer: RestAuthorizer | undefined): string[] {
    const pathParameters = [...route.path.matchAll(/\{([^}+]+)\+?\}/g)].map(
      ([, name]) => `method.request.path.${name}`,
    );
    const own = (route.cache?.keyParameters ?? []).map((key) => `method.request.${key}`);
    return [...new Set([...pathParameters, ...(authorizer?.identityParameters ?? []), ...own])];
  }

  private model(scope: Construct, routeIndex: number, schema: apigateway.JsonSchema): apigateway.Model {
    return this.api.addModel(`${scope.node.id}Route${routeIndex}Model`, {
      contentType: 'application/json',
      schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, ...schema },
    });
  }

  /**
   * One validator checks both the body and the parameters: a method without a model or required parameters
   * does not use it, and one without the other has nothing to fail on that side.
   */
  private requestValidator(): apigateway.RequestValidator {
    this.validator ??= this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    return this.validator;
  }

  /** A route's throttle and cache, as a method setting overriding the stage's `/*\/*` one. */
  private addMethodSettings(route: RouteOptions): void {
    if (!route.throttle && !route.cache) return;
    const throttle = resolveThrottle(route.throttle, this.stageThrottle);
    const setting: apigateway.CfnStage.MethodSettingProperty = {
      httpMethod: route.method === 'ANY' ? '*' : route.method,
      // CloudFormation escapes the path's slashes: /tasks/{taskId} is /~1tasks~1{taskId}.
      resourcePath: route.path === '/' ? '/' : `/~1${route.path.slice(1).split('/').join('~1')}`,
      // A method setting replaces the stage's `/*/*` one: it always repeats the throttle, the route's or the stage's.
      throttlingRateLimit: throttle.rateLimit,
      throttlingBurstLimit: throttle.burstLimit,
      ...(route.cache
        ? { cachingEnabled: true, cacheTtlInSeconds: route.cache.ttl.toSeconds(), cacheDataEncrypted: true }
        : {}),
      ...(this.props.options.executionLogging
        ? {
            loggingLevel: this.props.options.executionLogging.level ?? apigateway.MethodLoggingLevel.ERROR,
            dataTraceEnabled: this.props.options.executionLogging.dataTrace ?? false,
          }
        : {}),
    };
    const settings = (this.cfnStage.methodSettings ?? []) as apigateway.CfnStage.MethodSettingProperty[];
    this.cfnStage.methodSettings = [...settings, setting];
  }
}
