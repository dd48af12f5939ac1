import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ApiBuilder } from './api/api-builder';
import { ApiFunctionOptions } from './api/api-function-options';
import { ApiType } from './api/api-type';
import { addUserPoolClient, CreatedUserPool, UserPoolClientOptions } from './api/authorization/created-user-pool';
import { InvokeGrants } from './api/authorization/iam-grant';
import { IApiCustomDomain } from './api/domain/domain-options';
import { HttpApiBuilder } from './api/http/http-api-builder';
import { RestApiBuilder } from './api/rest/rest-api-builder';
import { ApiEvents } from './events/api-events';
import { ApiEventWorker } from './events/event-options';
import { ApiWorkers } from './functions/api-workers';
import { IApiFunction } from './functions/function-options';
import { RouteFunctions } from './functions/route-functions';
import { IWorkerFunction } from './functions/worker-options';
import { ApiMonitoring } from './monitoring/api-monitoring';
import { addCostControls } from './monitoring/cost-controls';
import { TableMetricOptions } from './monitoring/metric-options';
import { noFunctionErrors } from './private/resource-budget';
import { ApiQueues } from './queues/api-queues';
import { ApiQueue } from './queues/queue-options';
import { ServerlessApiModel } from './serverless-api-model';
import { ServerlessApiProps } from './serverless-api-props';
import * as env from './shared/env';
import { ACCESS_PATTERNS_METADATA_KEY } from './shared/metadata';
import { ApiStreams } from './streams/api-streams';
import { ApiStreamWorker } from './streams/stream-options';
import { accessPatternMetadata, accessPatternRows } from './table/access-pattern-rows';
import { PartitionIsolation } from './table/partition-isolation';
import { PatternUser, strictIsolationErrors } from './table/partition-writers';
import { buildTable, TableModel } from './table/table-builder';

/**
 * A production-grade serverless API: API Gateway (HTTP or REST API) -> Lambda -> DynamoDB.
 *
 * Routes are authorized unless marked public, throttled at the stage and optionally per route;
 * each function's role reaches only the table items its routes need (`dynamodb:LeadingKeys`);
 * the table is on-demand (or provisioned with auto scaling) with point-in-time recovery and TTL; every log group has a bounded
 * retention; alarms watch errors, throttles and latency at each layer.
 *
 * @example
 * new ServerlessApi(this, 'Api', {
 *   authorization: ApiAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['my-client'] }),
 *   accessPatterns: {
 *     listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{projectId}', sortKeyPrefix: 'TASK#' }),
 *   },
 *   functions: {
 *     tasks: {
 *       entry: 'src/handlers/tasks.ts',
 *       routes: [{ method: HttpMethod.GET, path: '/projects/{projectId}/tasks' }],
 *       accessPatterns: ['listTasks'],
 *     },
 *   },
 * });
 */
export class ServerlessApi extends Construct {
  /** Environment variable holding the table name in every route function. */
  public static readonly TABLE_NAME_ENV = env.TABLE_NAME_ENV;
  /** Environment variable holding the table's partition key attribute name. */
  public static readonly TABLE_PARTITION_KEY_ENV = env.TABLE_PARTITION_KEY_ENV;
  /** Environment variable holding the table's sort key attribute name. */
  public static readonly TABLE_SORT_KEY_ENV = env.TABLE_SORT_KEY_ENV;
  /** Environment variable holding the name of the TTL attribute (epoch seconds). */
  public static readonly TABLE_TTL_ATTRIBUTE_ENV = env.TABLE_TTL_ATTRIBUTE_ENV;
  /** Environment variable holding the JSON descriptors of the access patterns a function uses. */
  public static readonly TABLE_ACCESS_PATTERNS_ENV = env.TABLE_ACCESS_PATTERNS_ENV;
  /** Template metadata key, on the API resource (HTTP or REST), of the API's access-pattern table. */
  public static readonly ACCESS_PATTERNS_METADATA_KEY = ACCESS_PATTERNS_METADATA_KEY;

  /** The kind of API. */
  public readonly apiType: ApiType;
  /** The API's id. */
  public readonly apiId: string;
  /** The HTTP API; undefined on a REST API. */
  public readonly httpApi?: apigwv2.IHttpApi;
  /** The REST API; undefined on an HTTP API. */
  public readonly restApi?: apigateway.IRestApi;
  /** The HTTP API's `$default` stage, for API mappings of your own (they then depend on it); undefined on a REST API. */
  public readonly httpStage?: apigwv2.IHttpStage;
  /** The REST API's `prod` stage, for base path mappings of your own; undefined on an HTTP API. */
  public readonly restStage?: apigateway.Stage;
  /** The URL of the API's stage (`$default` on an HTTP API, `prod` on a REST API) at its `execute-api` endpoint. */
  public readonly url: string;
  /** The custom domain name, with its certificate and its API mappings; undefined without `domain`. */
  public readonly customDomain?: IApiCustomDomain;
  /** The API's URL at its custom domain name, through the first base path; undefined without `domain`. */
  public readonly domainUrl?: string;
  /** The usage plans of a REST API, by name; empty without `usagePlans`. */
  public readonly usagePlans: { [name: string]: apigateway.IUsagePlan };
  /** The API keys created for `usagePlans`, by name; empty without them. */
  public readonly apiKeys: { [name: string]: apigateway.IApiKey };
  /** The table. */
  public readonly table: dynamodb.ITableV2;
  /** The API's access log group (JSON lines). */
  public readonly accessLogGroup: logs.ILogGroup;
  /**
   * The role API Gateway assumes to invoke the Lambda authorizers and the route functions in the API's stack; each
   * nested stack of route functions (`stacks`) has its own.
   */
  public readonly invokeRole: iam.IRole;
  /** The user pool the API created for its `ApiAuthorization.cognito()`; undefined when it created none. */
  public readonly userPool?: cognito.IUserPool;
  /** The default app client of `userPool` (`clients.default`); undefined when the API created no pool. */
  public readonly userPoolClient?: cognito.IUserPoolClient;
  /** The app clients of `userPool` by name, `default` and clients added later included; empty without a created pool. */
  public readonly userPoolClients: { [name: string]: cognito.IUserPoolClient };
  /** The topic the alarms notify (created, or `alarms.topic`); undefined when alarms are off. */
  public readonly alarmTopic?: sns.ITopic;
  /** The composite alarm "API unhealthy" over the critical alarms; undefined when alarms or it are off. */
  public readonly unhealthyAlarm?: cloudwatch.IAlarm;
  /** The API's dashboard; undefined when `dashboard` is false. */
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly tableModel: TableModel;
  private readonly api: ApiBuilder;
  private readonly invokeGrants: InvokeGrants;
  private readonly model: ServerlessApiModel;
  private readonly monitoring: ApiMonitoring;
  private readonly routeFunctions: RouteFunctions;
  private readonly eventsScope: ApiEvents;
  private readonly streamsScope: ApiStreams;
  private readonly workersScope: ApiWorkers;
  private readonly queuesScope: ApiQueues;
  private readonly createdUserPool?: CreatedUserPool;

  constructor(scope: Construct, id: string, props: ServerlessApiProps) {
    super(scope, id);

    // Validate everything and resolve each part's model once, before building anything.
    const model = new ServerlessApiModel(this, props);
    this.model = model;
    this.apiType = model.apiType;

    // Build the parts.
    this.tableModel = buildTable(this, model.tableKeys, props.table, props.existingTable, model.tableStream?.viewType);
    this.table = this.tableModel.table;
    if (model.apiType === ApiType.REST) {
      const restApi = new RestApiBuilder(this, {
        ...model.apiBuilderProps,
        options: props,
        validatesRequests: model.validatesRequests,
        pathStackCount: model.pathStackCount,
      });
      this.api = restApi;
      this.restApi = restApi.api;
      this.restStage = restApi.stage;
      this.usagePlans = restApi.usagePlans;
      this.apiKeys = restApi.apiKeys;
    } else {
      const httpApi = new HttpApiBuilder(this, model.apiBuilderProps);
      this.api = httpApi;
      this.httpApi = httpApi.api;
      this.httpStage = httpApi.stage;
      this.usagePlans = {};
      this.apiKeys = {};
    }
    // Created up front, so `userPool` is there even before a route uses the authorization.
    this.createdUserPool = this.api.createdUserPool(props.authorization);
    this.userPool = this.createdUserPool?.userPool;
    this.userPoolClient = this.createdUserPool?.userPoolClient;
    this.userPoolClients = this.createdUserPool?.clients ?? {};
    this.apiId = this.api.apiId;
    this.url = this.api.url;
    this.customDomain = this.api.customDomain;
    this.domainUrl = this.customDomain?.url;
    this.accessLogGroup = this.api.accessLogGroup;
    this.invokeRole = this.api.invokeRole;
    this.invokeGrants = new InvokeGrants(this, this.api);
    accessPatternMetadata(this.api.apiResource, () =>
      accessPatternRows(this.model.functionContext.accessPatterns.values(), this.patternUsers()),
    );
    this.routeFunctions = new RouteFunctions(this, 'Functions', {
      stackCount: model.stackCount,
      api: this.api,
      invokeGrants: this.invokeGrants,
      table: this.tableModel,
      logRetention: model.logRetention,
      apiEnvironment: model.functionContext.apiEnvironment,
      parts: () => ({
        monitoring: this.monitoring,
        events: this.eventsScope,
        sendAccess: (queues) => this.queuesScope.sendAccess(queues),
      }),
    });
    this.monitoring = new ApiMonitoring(this, 'Monitoring', {
      apiName: model.apiName,
      api: this.api,
      usagePlanQuotas: Object.keys(this.usagePlans).length > 0,
      table: this.table,
      indexNames: model.tableKeys.indexes.map((index) => index.indexName),
      capacityLimits: model.capacityLimits,
      operations: model.operations,
      alarms: props.alarms,
      thresholds: model.alarmThresholds,
      dashboard: props.dashboard ?? true,
      functionGroups: model.stackCount > 0,
    });
    this.alarmTopic = this.monitoring.topic;
    this.unhealthyAlarm = this.monitoring.unhealthyAlarm;
    this.dashboard = this.monitoring.dashboard;
    addCostControls(this, model, this.alarmTopic);
    // The bus before any function or worker is built: publishers name it.
    this.eventsScope = new ApiEvents(this, 'Events', { bus: model.events.bus });
    this.workersScope = new ApiWorkers(this, 'Workers', {
      eventBus: this.eventsScope,
      table: this.tableModel,
      logRetention: model.logRetention,
      monitoring: this.monitoring,
    });
    // The queues (and their workers), then the functions wired to their routes, which send to the queues.
    this.queuesScope = new ApiQueues(this, 'Queues', {
      queues: model.queues,
      workers: this.workersScope,
      tableKey: this.tableModel.encryptionKey,
      monitoring: this.monitoring,
    });
    model.functions.forEach((fn) => this.routeFunctions.add(fn));
    // The workers of the bus's rules and of the table's stream, which may send to the queues they name.
    const sendAccess = (queues: readonly string[]) => this.queuesScope.sendAccess(queues);
    const sources = { workers: this.workersScope, monitoring: this.monitoring, sendAccess };
    this.eventsScope.addWorkers({ ...sources, model: model.events });
    this.streamsScope = new ApiStreams(this, 'Streams', {
      ...sources,
      model: model.tableStream,
      table: this.tableModel,
    });

    // Checked at synth, after any addFunction(): without a function the invoke role has nothing to invoke.
    this.node.addValidation({ validate: () => noFunctionErrors(this.routeFunctions.functions.length) });
    const costed = [this.queuesScope, this.workersScope];
    this.node.addValidation({ validate: () => this.routeFunctions.budgetErrors(this, costed) });
    if (props.partitionIsolation === PartitionIsolation.STRICT) {
      this.node.addValidation({ validate: () => strictIsolationErrors(this.patternUsers()) });
    }
  }

  /**
   * Adds a route function with its routes. Validated exactly like the `functions` prop.
   *
   * @param name unique name of the function: letters and digits, starting with a letter
   */
  public addFunction(name: string, options: ApiFunctionOptions): IApiFunction {
    return this.routeFunctions.add(this.model.addFunction(name, options));
  }

  /**
   * Lets `grantee` call the routes authorized with `ApiAuthorization.iam()` (`execute-api:Invoke` on exactly
   * those routes, including routes added later with `addFunction()`). Fails at synth if there is none.
   *
   * Each path parameter (and the ANY method) becomes a `*` in the route's ARN, as IAM matches request paths; the
   * AwsSolutions-IAM5 finding this raises in cdk-nag is acknowledged on the grantee, route by route, with the reason.
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.invokeGrants.grant(grantee);
  }

  /** Adds an app client to the user pool the API created, checked like `clients`; the authorizer accepts its tokens. */
  public addUserPoolClient(name: string, options: UserPoolClientOptions = {}): cognito.IUserPoolClient {
    return addUserPoolClient(this.createdUserPool, name, options);
  }

  /** The route functions, in the order they were declared. */
  public get functions(): IApiFunction[] {
    return this.routeFunctions.functions;
  }

  /** The workers, in the order their sources were declared. */
  public get workers(): IWorkerFunction[] {
    return this.workersScope.workers;
  }

  /** The queues, by name; empty without `queues`. */
  public get queues(): { [name: string]: sqs.IQueue } {
    return this.queuesScope.queues;
  }

  /**
   * The queue declared as `name`, with its dead-letter queue and its worker.
   *
   * @param name the name the queue was declared under in `queues`
   */
  public queue(name: string): ApiQueue {
    return this.queuesScope.queue(name);
  }

  /** Every alarm on the API, the table, the functions, the workers and the queues; `unhealthyAlarm` aside. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.monitoring.alarms;
  }

  /** The bus functions publish to and event workers listen on; undefined while nothing uses the default bus. */
  public get eventBus(): events.IEventBus | undefined {
    return this.eventsScope.bus;
  }

  /** The event worker declared as `name` in `events.workers`, with its rule and its dead-letter queue. */
  public eventWorker(name: string): ApiEventWorker {
    return this.eventsScope.worker(name);
  }

  /** The stream worker declared as `name` in `tableStream.workers`, with its mapping and its dead-letter queue. */
  public streamWorker(name: string): ApiStreamWorker {
    return this.streamsScope.worker(name);
  }

  /** Requests to the API. Sum per 5 minutes by default. */
  public metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.api.requests(props);
  }

  /** Requests answered 5xx. Sum per 5 minutes by default. */
  public metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.api.serverErrors(props);
  }

  /** Requests answered 4xx. Sum per 5 minutes by default. */
  public metricClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.api.clientErrors(props);
  }

  /**
   * Requests answered 429, counted from the access log by a metric filter (API Gateway publishes no such metric); on a
   * REST API with usage plans, exhausted quotas aside. Sum per 5 minutes by default.
   */
  public metricThrottledRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.api.throttledRequests(props);
  }

  /** The share of requests answered 5xx, in percent, per 5 minutes by default. */
  public metricServerErrorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return this.monitoring.api.serverErrorRate(props);
  }

  /** The share of requests answered 4xx, in percent, per 5 minutes by default. */
  public metricClientErrorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return this.monitoring.api.clientErrorRate(props);
  }

  /** The share of requests answered 429, in percent, per 5 minutes by default. */
  public metricThrottledRequestRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return this.monitoring.api.throttledRequestRate(props);
  }

  /** The latency callers see. p99 per 5 minutes by default. */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.api.latency(props);
  }

  /** The time the functions take to answer the API. p99 per 5 minutes by default. */
  public metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.api.integrationLatency(props);
  }

  /** Read throttle events of the table, or of one of its indexes. Sum per 5 minutes by default. */
  public metricTableReadThrottleEvents(props?: TableMetricOptions): cloudwatch.Metric {
    const { indexName, ...options } = props ?? {};
    return this.monitoring.table.readThrottleEvents(indexName, options);
  }

  /** Write throttle events of the table, or of one of its indexes. Sum per 5 minutes by default. */
  public metricTableWriteThrottleEvents(props?: TableMetricOptions): cloudwatch.Metric {
    const { indexName, ...options } = props ?? {};
    return this.monitoring.table.writeThrottleEvents(indexName, options);
  }

  /**
   * DynamoDB system errors (HTTP 500) summed over the operations the API's access patterns use. Sum per
   * 5 minutes by default.
   */
  public metricTableSystemErrors(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return this.monitoring.table.systemErrors(this.monitoring.operations, props);
  }

  /** Conditional writes that failed their condition. Sum per 5 minutes by default. */
  public metricTableConditionalCheckFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.table.conditionalCheckFailures(props);
  }

  /** Each declared route function and worker, and the access patterns it uses. */
  private patternUsers(): PatternUser[] {
    return [...this.routeFunctions.functions, ...this.workersScope.workers].map(({ name, patterns }) => ({
      name,
      patterns,
    }));
  }
}
