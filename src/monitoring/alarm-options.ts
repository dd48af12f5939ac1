import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmSeverity } from '../shared/alarm-severity';

/** How long an alarm looks before it fires. */
export interface AlarmEvaluationOptions {
  /**
   * The length of one evaluation period, in whole minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
  /**
   * How many recent periods the alarm looks at.
   *
   * @default - set per alarm, see the property that holds these options
   */
  readonly evaluationPeriods?: number;
  /**
   * How many of those periods must breach for the alarm to fire.
   *
   * @default - set per alarm, see the property that holds these options
   */
  readonly datapointsToAlarm?: number;
}

/** An alarm on a share, in percent: it fires when the share is above `maxPercent`. */
export interface PercentAlarmOptions extends AlarmEvaluationOptions {
  /**
   * Whether the alarm is created.
   *
   * @default - set per alarm, see the property that holds these options
   */
  readonly enabled?: boolean;
  /**
   * The alarm fires when the share is above this, in percent (above 0, below 100).
   *
   * @default - set per alarm, see the property that holds these options
   */
  readonly maxPercent?: number;
}

/** The alarm on requests answered 429: a share in percent, and whether it pages. */
export interface ThrottledRequestAlarmOptions extends PercentAlarmOptions {
  /**
   * Whether the alarm rolls up into the composite alarm and pages (`CRITICAL`), or notifies the alarm topic on its
   * own (`WARNING`). A 429 is the API refusing traffic as it was told to (a route's or the stage's limits, a usage
   * plan's throttle): page on it when those limits are sized so that reaching them is an outage.
   *
   * @default AlarmSeverity.WARNING
   */
  readonly severity?: AlarmSeverity;
}

/** An alarm on a latency: it fires when the latency is above `maxLatency`. */
export interface LatencyAlarmOptions extends AlarmEvaluationOptions {
  /**
   * Whether the alarm is created.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The alarm fires when the latency is above this.
   *
   * @default - set per alarm, see the property that holds these options
   */
  readonly maxLatency?: Duration;
}

/** An alarm on a count per period: it fires when the count is above `maxCount`. */
export interface CountAlarmOptions extends AlarmEvaluationOptions {
  /**
   * Whether the alarm is created.
   *
   * @default - set per alarm, see the property that holds these options
   */
  readonly enabled?: boolean;
  /**
   * The alarm fires when more than this many events happen in one period.
   *
   * @default - set per alarm, see the property that holds these options
   */
  readonly maxCount?: number;
}

/** An alarm on an age: it fires when the age is above `maxAge`. */
export interface AgeAlarmOptions extends AlarmEvaluationOptions {
  /**
   * Whether the alarm is created.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The alarm fires when the age is above this, in whole seconds.
   *
   * @default - set per alarm, see the property that holds these options
   */
  readonly maxAge?: Duration;
}

/** The alarms on each queue of `queues` (its worker has the function alarms of `alarms.functions`). */
export interface QueueAlarmOptions {
  /**
   * Messages waiting in the queue's dead-letter queue (its `ApproximateNumberOfMessagesVisible`, the peak per
   * period): a message there is work the worker gave up on. The alarm keeps its state while SQS publishes nothing, as
   * it stops for a queue nobody calls for six hours, so it does not fall back to OK while the messages wait.
   *
   * @default - on: more than 0 in one period of 5 minutes
   */
  readonly deadLetters?: CountAlarmOptions;
  /**
   * The age of the queue's oldest message (`ApproximateAgeOfOldestMessage`, the peak per period): work waiting longer
   * than the worker takes, with its retries, means a backlog.
   *
   * @default - on, in one period of 5 minutes, above the age a message reaches while it is retried: the worker's
   * batching window plus one visibility timeout per receive the metric counts (at most 3 on a standard queue, whose
   * metric skips a message received 3 times; `maxReceiveCount` on a FIFO queue); 3 minutes for a worker with the
   * defaults
   */
  readonly oldestMessageAge?: AgeAlarmOptions;
}

/**
 * The alarms on each route function and worker. By default a function's signals share one metric-math alarm
 * (one resource per function, named after the function) that fires when any signal is above its
 * maximum, evaluated as `evaluation` says; `separateAlarms` gives each signal its own alarm, with its own
 * evaluation (the periods below apply to separate alarms only).
 */
export interface FunctionAlarmOptions {
  /**
   * Failed invocations, as a share of invocations.
   *
   * @default - on: above 1%; separately, in one period of 5 minutes
   */
  readonly errorRate?: PercentAlarmOptions;
  /**
   * Throttled invocations (the function hit its reserved or the account's concurrency).
   *
   * @default - on: more than 0; separately, in one period of 5 minutes
   */
  readonly throttles?: CountAlarmOptions;
  /**
   * p99 duration as a share of the function's timeout: a function close to its timeout is about to fail.
   *
   * @default - on: above 80%; separately, in 2 of 3 periods of 5 minutes
   */
  readonly durationP99?: PercentAlarmOptions;
  /**
   * Peak concurrent executions as a share of the function's `reservedConcurrentExecutions`: beyond it the
   * function is throttled. Only for functions with a reservation: set on a function's own `alarms` without one, it
   * is refused.
   *
   * @default - on for functions with reserved concurrency: above 80%; separately, in one period of 5 minutes
   */
  readonly concurrency?: PercentAlarmOptions;
  /**
   * Whether each signal gets its own alarm. With `false`, a function's signals share one metric-math alarm whose
   * evaluation is `evaluation`, and the signals' own `period`, `evaluationPeriods` and `datapointsToAlarm`
   * must not be set.
   *
   * @default false
   */
  readonly separateAlarms?: boolean;
  /**
   * How the shared alarm of a function looks at its signals (when `separateAlarms` is false).
   *
   * @default - one period of 5 minutes
   */
  readonly evaluation?: AlarmEvaluationOptions;
}

/** The alarms on the API stage. */
export interface ApiAlarmOptions {
  /**
   * Requests answered 5xx, as a share of requests.
   *
   * @default - on: above 1% in one period of 5 minutes
   */
  readonly serverErrorRate?: PercentAlarmOptions;
  /**
   * Requests answered 4xx, as a share of requests. A warning: rolled into no composite alarm, since a 4xx is
   * usually the caller's mistake, but a jump often means a broken client release or an attack.
   *
   * @default - on: above 10% in 3 of 3 periods of 5 minutes
   */
  readonly clientErrorRate?: PercentAlarmOptions;
  /**
   * Requests answered 429 because of throttling (the stage's, a route's or a usage plan's rate limits, or the
   * function's own rate limiting), as a share of requests. Counted from the access log: API Gateway publishes no 429
   * metric. On a REST API, a usage plan's exhausted quota (`QUOTA_EXCEEDED`) is a partner's own limit and is not
   * counted: the dashboard draws it on its own line.
   *
   * @default - on, a warning: above 1% in one period of 5 minutes
   */
  readonly throttledRequestRate?: ThrottledRequestAlarmOptions;
  /**
   * p99 of the latency callers see.
   *
   * @default - on: above 3 seconds in 2 of 3 periods of 5 minutes
   */
  readonly latencyP99?: LatencyAlarmOptions;
  /**
   * p99 of the time the functions take to answer the API. A warning, set below `latencyP99` so it tells
   * backend slowness apart from authorizer or gateway slowness before callers notice.
   *
   * @default - on: above 2 seconds in 2 of 3 periods of 5 minutes
   */
  readonly integrationLatencyP99?: LatencyAlarmOptions;
}

/** The alarms on the table and its indexes. */
export interface TableAlarmOptions {
  /**
   * Read requests throttled, on the table and (one alarm each) on each index. On-demand tables throttle on
   * hot partition keys.
   *
   * @default - on: more than 0 in one period of 5 minutes
   */
  readonly readThrottles?: CountAlarmOptions;
  /**
   * Write requests throttled, on the table and (one alarm each) on each index. An index that cannot keep up
   * throttles the table's writes too.
   *
   * @default - on: more than 0 in one period of 5 minutes
   */
  readonly writeThrottles?: CountAlarmOptions;
  /**
   * Requests DynamoDB failed with a 500, summed over the operations the access patterns use.
   *
   * @default - on: more than 0 in one period of 5 minutes
   */
  readonly systemErrors?: CountAlarmOptions;
  /**
   * Conditional writes that failed their condition. Opt-in, for tables where a failed condition means
   * contention (two writers racing) rather than business as usual (a create-once that found the item).
   * A warning: rolled into no composite alarm.
   *
   * @default - off; when enabled: more than 10 in one period of 5 minutes
   */
  readonly conditionalCheckFailures?: CountAlarmOptions;
  /**
   * Consumed read capacity as a share of its limit, on the table and (one alarm each) on each index: the provisioned
   * capacity of a `TableBilling.provisioned()` table, or the on-demand `maxReadRequestUnits` (table only). A warning,
   * rolled into no composite alarm: it says capacity is running out while `readThrottles` says requests failed.
   * Only for a table with such a limit: set without one, it is refused; with auto scaling, `maxPercent` must be above
   * the target utilization.
   *
   * @default - on for a table with a read capacity limit: above 80% in 2 of 3 periods of 5 minutes
   */
  readonly readCapacityUtilization?: PercentAlarmOptions;
  /**
   * Consumed write capacity as a share of its limit, on the table and (one alarm each) on each index: the provisioned
   * capacity of a `TableBilling.provisioned()` table, or the on-demand `maxWriteRequestUnits` (table only). A warning,
   * like `readCapacityUtilization`, with the same rules.
   *
   * @default - on for a table with a write capacity limit: above 80% in 2 of 3 periods of 5 minutes
   */
  readonly writeCapacityUtilization?: PercentAlarmOptions;
}

/** The alarms `ServerlessApi` creates on every layer, their thresholds and where they notify. */
export interface AlarmOptions {
  /**
   * Whether alarms are created at all.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The SNS topic the alarms notify. Give your own to route alarms to an existing channel; its policies
   * must let CloudWatch publish (and use its key, when it is encrypted with one).
   *
   * @default - a topic is created, encrypted with a new customer-managed KMS key (rotated) that CloudWatch
   * alarms of this API may use, accepting only TLS publishing; subscribe to `ServerlessApi.alarmTopic`
   */
  readonly topic?: sns.ITopic;
  /**
   * More actions run when an alarm fires, besides notifying `topic`.
   *
   * @default - none
   */
  readonly actions?: cloudwatch.IAlarmAction[];
  /**
   * Whether the actions also run when an alarm returns to OK, so a pager can resolve its incident.
   *
   * @default true
   */
  readonly okActions?: boolean;
  /**
   * Whether the actions also run when an alarm has too little data to decide. Some compliance rules
   * (AWS Config `cloudwatch-alarm-action-check`) expect it.
   *
   * @default false
   */
  readonly insufficientDataActions?: boolean;
  /**
   * Whether the critical alarms roll up into one composite alarm, "API unhealthy", which alone runs the
   * actions, so a pager gets one page rather than one per alarm. Warnings (4xx and, by default, 429 rates, integration
   * latency, conditional-check failures) still run the actions themselves. With `false`, every alarm runs them.
   *
   * @default true
   */
  readonly compositeAlarm?: boolean;
  /**
   * Alarms on each route function and worker; a function's or a worker's own `alarms` override these.
   *
   * @default - see `FunctionAlarmOptions`
   */
  readonly functions?: FunctionAlarmOptions;
  /**
   * Alarms on each Lambda authorizer (bundled from its `entry` or given as `authorizerFunction`): its error rate,
   * throttles and p99 duration, critical as a failing authorizer fails every route it guards. `concurrency` is
   * refused: the library knows of no reservation to measure against.
   *
   * @default - on: errors above 1%, throttles above 0, p99 duration above 20% of its timeout (2 seconds of the
   * 10-second timeout), in one shared alarm per authorizer over one period of 5 minutes
   */
  readonly authorizers?: FunctionAlarmOptions;
  /**
   * Alarms on the API stage.
   *
   * @default - see `ApiAlarmOptions`
   */
  readonly api?: ApiAlarmOptions;
  /**
   * Alarms on each queue; a queue's own `alarms` override these.
   *
   * @default - see `QueueAlarmOptions`
   */
  readonly queues?: QueueAlarmOptions;
  /**
   * Alarms on the table and its indexes.
   *
   * @default - see `TableAlarmOptions`
   */
  readonly table?: TableAlarmOptions;
}
