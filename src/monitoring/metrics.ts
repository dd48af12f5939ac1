import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  ACCESS_LOG_METRIC_NAMESPACE,
  QUOTA_EXCEEDED_REQUESTS_METRIC,
  THROTTLED_REQUESTS_METRIC,
} from './access-log-metrics';
import { numberText } from '../private/validation';

/**
 * The metrics of each layer, defined once: the alarms, the dashboard and the `metricXxx()` methods all
 * build them here, so a graph always shows what its alarm watches. Caller options are spread last.
 */

/** The period of every metric unless the caller or a threshold says otherwise. */
export const METRIC_PERIOD = Duration.minutes(5);

const SUM = cloudwatch.Stats.SUM;

/** A duration in milliseconds for a metric-math expression, even when its amount is a token. */
/**
 * A duration in milliseconds as metric-math text: a number, or a product with a token's amount (an amount known only
 * at deploy time can still be scaled in the expression); undefined for a token in a unit it cannot be converted from.
 */
export function millisExpression(duration: Duration): string | undefined {
  if (!duration.isUnresolved()) return `${duration.toMilliseconds()}`;
  const conversions: [() => number, number][] = [
    [() => duration.toMilliseconds(), 1],
    [() => duration.toSeconds(), 1000],
    [() => duration.toMinutes(), 60000],
  ];
  for (const [convert, factor] of conversions) {
    try {
      const amount = numberText(convert());
      return factor === 1 ? amount : `(${factor} * ${amount})`;
    } catch {
      // a token in another unit: try the next
    }
  }
  return undefined;
}

function millisText(duration: Duration): string {
  const text = millisExpression(duration);
  // Refused with the other checks (`timeout` in FunctionDefaults): never reached from a validated function.
  if (text === undefined) {
    throw new Error(`A function's timeout must be given in milliseconds, seconds or minutes, got: ${duration}`);
  }
  return text;
}
const P99 = cloudwatch.Stats.p(99);

/**
 * `100 * part / whole` per period, 0 when there is no `whole`; missing `part` values count as 0. The ids
 * name the metrics in the expression, and must differ between metrics drawn on one graph.
 */
function percentOf(
  part: { [id: string]: cloudwatch.IMetric },
  whole: { [id: string]: cloudwatch.IMetric },
  label: string,
  props?: cloudwatch.MathExpressionOptions,
): cloudwatch.MathExpression {
  const [p] = Object.keys(part);
  const [w] = Object.keys(whole);
  return new cloudwatch.MathExpression({
    expression: `IF(FILL(${w}, 0) > 0, 100 * FILL(${p}, 0) / FILL(${w}, 0), 0)`,
    usingMetrics: { ...part, ...whole },
    label,
    period: METRIC_PERIOD,
    ...props,
  });
}

/**
 * The API Gateway metrics of an API, whichever its kind: `IHttpApi` has them, and a REST API's are adapted
 * (`restApiMetrics`). The names differ (`5xx` and `5XXError`), the meaning does not.
 */
export interface ApiMetricSource {
  /** The id the access log's `apiId` field carries. */
  readonly apiId: string;
  metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** A REST API's metrics (dimension `ApiName`) as an `ApiMetricSource`. */
export function restApiMetrics(api: apigateway.RestApi): ApiMetricSource {
  return {
    apiId: api.restApiId,
    metricCount: (props) => api.metricCount(props),
    metricServerError: (props) => api.metricServerError(props),
    metricClientError: (props) => api.metricClientError(props),
    metricLatency: (props) => api.metricLatency(props),
    metricIntegrationLatency: (props) => api.metricIntegrationLatency(props),
  };
}

/** The API stage's metrics, including the 429s counted from its access log. */
export class ApiMetrics {
  constructor(private readonly api: ApiMetricSource) {}

  public requests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricCount({ statistic: SUM, period: METRIC_PERIOD, label: 'Requests', ...props });
  }

  public serverErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricServerError({ statistic: SUM, period: METRIC_PERIOD, label: '5xx', ...props });
  }

  public clientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricClientError({ statistic: SUM, period: METRIC_PERIOD, label: '4xx', ...props });
  }

  /** Requests answered 429, from the access log's metric filter (API Gateway publishes no such metric). */
  public throttledRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.accessLogMetric(THROTTLED_REQUESTS_METRIC, '429', props);
  }

  /** Requests refused for an exhausted usage-plan quota (REST), from the access log's metric filter. */
  public quotaExceededRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.accessLogMetric(QUOTA_EXCEEDED_REQUESTS_METRIC, '429 quota', props);
  }

  public latency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricLatency({ statistic: P99, period: METRIC_PERIOD, label: 'Latency p99', ...props });
  }

  public integrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricIntegrationLatency({
      statistic: P99,
      period: METRIC_PERIOD,
      label: 'Integration latency p99',
      ...props,
    });
  }

  public serverErrorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return percentOf({ serverErrors: this.serverErrors() }, { requests_5xx: this.requests() }, '5xx rate (%)', props);
  }

  public clientErrorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return percentOf({ clientErrors: this.clientErrors() }, { requests_4xx: this.requests() }, '4xx rate (%)', props);
  }

  public throttledRequestRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return percentOf({ throttled: this.throttledRequests() }, { requests_429: this.requests() }, '429 rate (%)', props);
  }

  public quotaExceededRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    const quota = { quotaExceeded: this.quotaExceededRequests() };
    return percentOf(quota, { requests_quota: this.requests() }, '429 quota rate (%)', props);
  }

  private accessLogMetric(metricName: string, label: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: ACCESS_LOG_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { ApiId: this.api.apiId },
      statistic: SUM,
      period: METRIC_PERIOD,
      label,
      ...props,
    });
  }
}

/**
 * A function's metrics, with its duration and concurrency as shares of its limits. `name` names the metrics in
 * expressions (letters, digits, `_`); `label`, what graphs call it.
 */
export class FunctionMetrics {
  constructor(
    private readonly fn: lambda.IFunction,
    private readonly name: string,
    private readonly timeout: Duration,
    private readonly reservedConcurrency?: number,
    private readonly label: string = name,
  ) {}

  public errors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.fn.metricErrors({ statistic: SUM, period: METRIC_PERIOD, ...props });
  }

  public invocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.fn.metricInvocations({ statistic: SUM, period: METRIC_PERIOD, ...props });
  }

  /** Invocations, labelled for a graph of several functions. */
  public labelledInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.invocations({ label: `${this.label} invocations`, ...props });
  }

  public throttles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.fn.metricThrottles({
      statistic: SUM,
      period: METRIC_PERIOD,
      label: `${this.label} throttles`,
      ...props,
    });
  }

  public errorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return percentOf(
      { [`errors_${this.name}`]: this.errors() },
      { [`invocations_${this.name}`]: this.invocations() },
      `${this.label} error rate (%)`,
      props,
    );
  }

  /** p99 duration as a share of the timeout, in percent. */
  public durationP99Percent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `100 * FILL(duration_${this.name}, 0) / ${millisText(this.timeout)}`,
      usingMetrics: {
        [`duration_${this.name}`]: this.fn.metricDuration({ statistic: P99, period: METRIC_PERIOD }),
      },
      label: `${this.label} p99 duration (% of timeout)`,
      period: METRIC_PERIOD,
      ...props,
    });
  }

  /** Peak concurrent executions as a share of the reservation, in percent; undefined without one. */
  public concurrencyPercent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression | undefined {
    if (this.reservedConcurrency === undefined) return undefined;
    return new cloudwatch.MathExpression({
      expression: `100 * FILL(concurrency_${this.name}, 0) / ${this.reservedConcurrency}`,
      usingMetrics: {
        [`concurrency_${this.name}`]: this.fn.metric('ConcurrentExecutions', {
          statistic: cloudwatch.Stats.MAXIMUM,
          period: METRIC_PERIOD,
        }),
      },
      label: `${this.label} concurrency (% of reserved)`,
      period: METRIC_PERIOD,
      ...props,
    });
  }
}

/** DynamoDB operations that publish `SystemErrors`, by the IAM action that allows them. */
const SYSTEM_ERROR_OPERATIONS: { readonly [action: string]: string } = {
  'dynamodb:GetItem': 'GetItem',
  'dynamodb:BatchGetItem': 'BatchGetItem',
  'dynamodb:Query': 'Query',
  'dynamodb:PutItem': 'PutItem',
  'dynamodb:UpdateItem': 'UpdateItem',
  'dynamodb:DeleteItem': 'DeleteItem',
  'dynamodb:Scan': 'Scan',
};

/** The operations whose system errors are watched, from the actions the access patterns grant. */
export function systemErrorOperations(actions: Iterable<string>): string[] {
  const operations = new Set<string>();
  for (const action of actions) if (SYSTEM_ERROR_OPERATIONS[action]) operations.add(SYSTEM_ERROR_OPERATIONS[action]);
  return Object.values(SYSTEM_ERROR_OPERATIONS).filter((operation) => operations.has(operation));
}

/** The table's metrics, and its indexes'. */
export class TableMetrics {
  constructor(private readonly table: dynamodb.ITableV2) {}

  /** A DynamoDB metric of the table, a Sum per 5 minutes unless `props` say otherwise. */
  public metric(metricName: string, dimensions: { [name: string]: string }, props?: cloudwatch.MetricOptions) {
    return new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: this.table.tableName, ...dimensions },
      statistic: SUM,
      period: METRIC_PERIOD,
      ...props,
    });
  }

  /** The dimension that narrows a table metric to one index; none for the table itself. */
  public index(indexName?: string): { [name: string]: string } {
    return indexName ? { GlobalSecondaryIndexName: indexName } : {};
  }

  public readThrottleEvents(indexName?: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const label = `${indexName ?? 'table'} read throttles`;
    return this.metric('ReadThrottleEvents', this.index(indexName), { label, ...props });
  }

  public writeThrottleEvents(indexName?: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const label = `${indexName ?? 'table'} write throttles`;
    return this.metric('WriteThrottleEvents', this.index(indexName), { label, ...props });
  }

  public conditionalCheckFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ConditionalCheckFailedRequests', {}, { label: 'Conditional check failures', ...props });
  }

  /**
   * System errors summed over `operations` (DynamoDB publishes them per operation only), or over every
   * operation the library grants when none are named.
   */
  public systemErrors(operations: string[], props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    const ops = operations.length ? operations : Object.values(SYSTEM_ERROR_OPERATIONS);
    const usingMetrics = Object.fromEntries(
      ops.map((operation) => [operation.toLowerCase(), this.metric('SystemErrors', { Operation: operation })]),
    );
    return new cloudwatch.MathExpression({
      expression: ops.map((operation) => `FILL(${operation.toLowerCase()}, 0)`).join(' + '),
      usingMetrics,
      label: 'System errors',
      period: METRIC_PERIOD,
      ...props,
    });
  }
}
