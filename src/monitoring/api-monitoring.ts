import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  ACCESS_LOG_METRIC_DIMENSIONS,
  ACCESS_LOG_METRIC_NAMESPACE,
  QUOTA_EXCEEDED_FILTER_PATTERN,
  QUOTA_EXCEEDED_REQUESTS_METRIC,
  THROTTLED_NOT_QUOTA_FILTER_PATTERN,
  THROTTLED_REQUESTS_FILTER_PATTERN,
  THROTTLED_REQUESTS_METRIC,
} from './access-log-metrics';
import { AlarmOptions } from './alarm-options';
import { apiAlarmSpecs, functionAlarmSpecs, FunctionKind, tableAlarmSpecs } from './alarm-specs';
import { AlarmThresholds, FunctionThresholds } from './alarm-thresholds';
import { AlarmTopic } from './alarm-topic';
import { capacityAlarmSpecs } from './capacity-alarms';
import { CapacityMetrics } from './capacity-metrics';
import { ApiDashboard } from './dashboard';
import { ApiMetrics, ApiMetricSource, FunctionMetrics, TableMetrics } from './metrics';
import { queueAlarmSpecs } from './queue-alarm-specs';
import { QueueMetrics } from './queue-metrics';
import { apiQueueThresholds, QueueThresholds } from './queue-thresholds';
import { SourceWatch } from './source-alarms';
import { AlarmFactory } from '../private/alarm-factory';
import { CapacityLimit } from '../table/table-capacity';

/** What the monitoring reads of the API: its metrics, its access log, and its Lambda authorizers as they are built. */
export interface MonitoredApi {
  readonly metrics: ApiMetricSource;
  readonly accessLogGroup: logs.ILogGroup;
  readonly authorizers: { onFunction(listener: (authorizer: MonitoredAuthorizer) => void): void };
}

export interface ApiMonitoringProps {
  /** Names the alarms (`<apiName>-...`), the topic and the dashboard. */
  readonly apiName: string;
  readonly api: MonitoredApi;
  /** Whether the API has usage plans, whose exhausted quotas are counted apart from throttling. */
  readonly usagePlanQuotas: boolean;
  readonly table: dynamodb.ITableV2;
  readonly indexNames: readonly string[];
  /** What the table's consumption is measured against (provisioned capacity or on-demand maximums); none for most. */
  readonly capacityLimits: readonly CapacityLimit[];
  /** The table operations the API's access patterns use, whose system errors are watched. */
  readonly operations: string[];
  /** The topic, actions and switches of the alarms. */
  readonly alarms?: AlarmOptions;
  /** The thresholds of `alarms`, resolved. */
  readonly thresholds: AlarmThresholds;
  readonly dashboard: boolean;
  /** Whether the route functions are in nested stacks: then each stack's are watched as a group (`functionGroup()`). */
  readonly functionGroups?: boolean;
}

/** The route functions of one nested stack: their alarms roll up into its composite alarm, their graphs into its row. */
export interface FunctionGroup {
  readonly name: string;
  /** Creates the group's alarms; undefined when alarms are off. */
  readonly factory?: AlarmFactory;
}

/** A function to watch: its metrics, and the thresholds of its own `alarms` over the API's. */
export interface MonitoredFunction {
  /** Where its alarms are created. */
  readonly scope: Construct;
  readonly name: string;
  readonly metrics: FunctionMetrics;
  readonly timeout: Duration;
  readonly thresholds: FunctionThresholds;
  /** The group it belongs to, when the functions are in nested stacks. */
  readonly group?: FunctionGroup;
}

/** A Lambda authorizer's function to watch. */
export interface MonitoredAuthorizer {
  /** Unique in the API, made of letters and digits: names its alarms' scope and its metrics in expressions. */
  readonly id: string;
  /** Its name in API Gateway, which names its alarms and labels its graphs. */
  readonly name: string;
  readonly lambdaFunction: lambda.IFunction;
  readonly timeout: Duration;
}

/** A queue to watch: its metrics and the thresholds of its own `alarms` over the API's. */
export interface MonitoredQueue {
  /** Where its alarms are created. */
  readonly scope: Construct;
  readonly name: string;
  readonly metrics: QueueMetrics;
  readonly thresholds: QueueThresholds;
}

/**
 * Everything that watches the API: the 429 metric filter on the access log, the alarms on each layer
 * with their topic and composite alarm, and the dashboard.
 */
export class ApiMonitoring extends Construct {
  public readonly api: ApiMetrics;
  public readonly table: TableMetrics;
  public readonly capacity: CapacityMetrics;
  public readonly topic?: sns.ITopic;
  /** The table operations whose system errors are watched. */
  public readonly operations: string[];
  public readonly unhealthyAlarm?: cloudwatch.IAlarm;
  public readonly dashboard?: cloudwatch.Dashboard;
  private readonly factory?: AlarmFactory;
  private readonly dashboardBuilder?: ApiDashboard;
  private readonly authorizerThresholds: FunctionThresholds;
  private readonly apiName: string;

  constructor(scope: Construct, id: string, props: ApiMonitoringProps) {
    super(scope, id);
    this.apiName = props.apiName;
    this.api = new ApiMetrics(props.api.metrics);
    this.table = new TableMetrics(props.table);
    this.capacity = new CapacityMetrics(this.table);
    this.operations = props.operations;

    this.authorizerThresholds = props.thresholds.authorizers;
    const countLines = (filterId: string, pattern: string, metricName: string) =>
      new logs.MetricFilter(this, filterId, {
        logGroup: props.api.accessLogGroup,
        filterPattern: logs.FilterPattern.literal(pattern),
        metricNamespace: ACCESS_LOG_METRIC_NAMESPACE,
        metricName,
        metricValue: '1',
        dimensions: ACCESS_LOG_METRIC_DIMENSIONS,
      });
    const quotas = props.usagePlanQuotas;
    const throttled = quotas ? THROTTLED_NOT_QUOTA_FILTER_PATTERN : THROTTLED_REQUESTS_FILTER_PATTERN;
    countLines('ThrottledRequestsFilter', throttled, THROTTLED_REQUESTS_METRIC);
    if (quotas) {
      countLines('QuotaExceededRequestsFilter', QUOTA_EXCEEDED_FILTER_PATTERN, QUOTA_EXCEEDED_REQUESTS_METRIC);
    }

    const { api, table } = props.thresholds;
    const alarms = props.alarms ?? {};
    if (alarms.enabled ?? true) {
      const topic = alarms.topic ?? new AlarmTopic(this, 'AlarmTopic', { alarmNamePrefix: props.apiName }).topic;
      this.topic = topic;
      const composite = alarms.compositeAlarm ?? true;
      this.factory = new AlarmFactory({
        namePrefix: props.apiName,
        actions: [new cloudwatchActions.SnsAction(topic), ...(alarms.actions ?? [])],
        okActions: alarms.okActions ?? true,
        insufficientDataActions: alarms.insufficientDataActions ?? false,
        composite,
      });
      if (composite) {
        this.unhealthyAlarm = this.factory.createComposite(
          this,
          'Unhealthy',
          `API ${props.apiName} is unhealthy: one of its critical alarms (5xx rate, latency, a function, an ` +
            'authorizer or a worker, a queue, table throttles or system errors, the 429 rate when made critical) is in ' +
            'ALARM. Look first at the alarm status row of its dashboard.',
        );
      }
      for (const spec of apiAlarmSpecs(this.api, api, props.thresholds.throttledRequestSeverity)) {
        this.factory.create(this, spec);
      }
      for (const spec of tableAlarmSpecs(this.table, props.indexNames, props.operations, table)) {
        this.factory.create(this, spec);
      }
      for (const spec of capacityAlarmSpecs(this.capacity, props.capacityLimits, table)) {
        this.factory.create(this, spec);
      }
    }
    if (props.dashboard) {
      this.dashboardBuilder = new ApiDashboard(this, 'Dashboard', {
        apiName: props.apiName,
        api: this.api,
        table: this.table,
        indexNames: props.indexNames,
        capacity: this.capacity,
        capacityLimits: props.capacityLimits,
        operations: props.operations,
        apiThresholds: api,
        tableThresholds: table,
        functionThresholds: props.thresholds.functions,
        authorizerThresholds: props.thresholds.authorizers,
        usagePlanQuotas: quotas,
        queueThresholds: apiQueueThresholds(props.alarms?.queues),
        alarmsEnabled: alarms.enabled ?? true,
        // A nested stack's functions show as its composite alarm: a status widget shows at most 100 alarms.
        alarms: () => [...(this.unhealthyAlarm ? [this.unhealthyAlarm] : []), ...(this.factory?.ownAlarms ?? [])],
        functionGroups: props.functionGroups ?? false,
      });
      this.dashboard = this.dashboardBuilder.dashboard;
    }
    props.api.authorizers.onFunction((authorizer) => this.addAuthorizer(authorizer));
  }

  /** Every alarm created, the composite alarm aside. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.factory?.alarms ?? [];
  }

  /**
   * The group of the route functions of the nested stack `scope`: a composite alarm there (when there is one at the
   * top) over their critical alarms, and a row of the dashboard.
   */
  public functionGroup(scope: Construct, name: string): FunctionGroup {
    const factory = this.unhealthyAlarm
      ? this.factory?.subgroup(
          scope,
          name,
          `The route functions of nested stack ${name} of API ${this.apiName}: one of their alarms is in ALARM. ` +
            "It rolls up into the API's Unhealthy alarm.",
        )
      : this.factory;
    return { name, factory };
  }

  /** Draws the function on the dashboard and creates its alarms (in its own scope), which it returns. */
  public addFunction(fn: MonitoredFunction): cloudwatch.IAlarm[] {
    this.dashboardBuilder?.addFunction(fn.metrics, fn.thresholds, fn.group?.name);
    return this.functionAlarms(fn, FunctionKind.FUNCTION);
  }

  /** Draws the worker on the dashboard's worker row and creates its alarms (in its own scope), which it returns. */
  public addWorker(fn: MonitoredFunction): cloudwatch.IAlarm[] {
    this.dashboardBuilder?.addWorker(fn.metrics, fn.thresholds);
    return this.functionAlarms(fn, FunctionKind.WORKER);
  }

  /** Draws the queue on the dashboard's queue row and creates its alarms (in its own scope), which it returns. */
  public addQueue(queue: MonitoredQueue): cloudwatch.IAlarm[] {
    this.dashboardBuilder?.addQueue(queue.metrics);
    const factory = this.factory;
    if (!factory) return [];
    return queueAlarmSpecs(queue.metrics, queue.name, queue.thresholds).map((spec) =>
      factory.create(queue.scope, spec),
    );
  }

  /**
   * Draws a worker's source (an event rule, the table's stream) on the dashboard's source row and creates its alarms
   * in `scope`, which it returns.
   */
  public addSource(scope: Construct, watch: SourceWatch): cloudwatch.IAlarm[] {
    watch.graphs.forEach((graph) => this.dashboardBuilder?.addSourceMetric(graph));
    const factory = this.factory;
    if (!factory) return [];
    return watch.specs.map((spec) => factory.create(scope, spec));
  }

  /**
   * Draws a Lambda authorizer on the dashboard's authorizer row and creates its alarms (critical: a failing authorizer
   * fails every route it guards) in a scope of its own under this one.
   */
  private addAuthorizer(authorizer: MonitoredAuthorizer): void {
    const metrics = new FunctionMetrics(
      authorizer.lambdaFunction,
      authorizer.id,
      authorizer.timeout,
      undefined,
      authorizer.name,
    );
    this.dashboardBuilder?.addAuthorizer(metrics, this.authorizerThresholds);
    const scope = new Construct(this, authorizer.id);
    const fn = { scope, name: authorizer.name, metrics, timeout: authorizer.timeout };
    this.functionAlarms({ ...fn, thresholds: this.authorizerThresholds }, FunctionKind.AUTHORIZER);
  }

  private functionAlarms(fn: MonitoredFunction, kind: FunctionKind): cloudwatch.IAlarm[] {
    const factory = fn.group ? fn.group.factory : this.factory;
    if (!factory) return [];
    return functionAlarmSpecs(fn.metrics, fn.name, fn.timeout, fn.thresholds, kind).map((spec) =>
      factory.create(fn.scope, spec),
    );
  }
}
