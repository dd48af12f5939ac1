import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmThreshold, describeEvaluation, describeMax, ThresholdUnit } from './alarm-thresholds';
import { METRIC_PERIOD } from './metrics';
import { AlarmSeverity, AlarmSpec } from '../private/alarm-factory';

/**
 * The alarms and graphs of the sources of event workers (besides each worker's function alarms): events EventBridge
 * could not deliver, events lost on the way to a dead-letter queue, and messages waiting in a dead-letter queue.
 *
 * EventBridge metrics: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 * Lambda metrics: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * SQS metrics: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 */

/** Any failed delivery, lost event or dead letter is worth an alarm: each is an event the application did not handle. */
const ANY: AlarmThreshold = {
  enabled: true,
  max: 0,
  unit: ThresholdUnit.COUNT,
  period: METRIC_PERIOD,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
};

/** The titles of the graphs of the dashboard's source row, in the order they are drawn. */
export enum SourceGraph {
  FAILED_INVOCATIONS = 'Rules: failed invocations',
  DEAD_LETTERS = 'Dead-letter queues: messages',
  EVENTS_LOST = 'Events lost (no dead-letter queue reached)',
}

/** A metric drawn on one of the source row's graphs, with the threshold its alarm fires above. */
export interface SourceGraphMetric {
  readonly graph: SourceGraph;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: AlarmThreshold;
  /** Names the threshold line: "<label> alarm above 0". */
  readonly label: string;
}

/** What a source makes to be watched: its alarms' specs and its graphs. */
export interface SourceWatch {
  readonly specs: AlarmSpec[];
  readonly graphs: SourceGraphMetric[];
}

/** Messages waiting in a dead-letter queue: the most visible in the period. */
export function deadLetterMessages(queue: sqs.IQueue, label: string): cloudwatch.IMetric {
  return queue.metricApproximateNumberOfMessagesVisible({
    statistic: cloudwatch.Stats.MAXIMUM,
    period: METRIC_PERIOD,
    label,
  });
}

/**
 * Events Lambda failed to hand to a worker's on-failure destination (its dead-letter queue): from asynchronous
 * invocations and from event source mappings alike.
 */
export function destinationDeliveryFailures(fn: lambda.IFunction, label: string): cloudwatch.IMetric {
  return fn.metric('DestinationDeliveryFailures', { statistic: cloudwatch.Stats.SUM, period: METRIC_PERIOD, label });
}

/**
 * A metric EventBridge publishes for a rule: by `RuleName` alone on the default bus, by `EventBusName` and `RuleName`
 * on another bus. EventBridge sends `FailedInvocations` and `InvocationsFailedToBeSentToDlq` only when they are not 0.
 */
export function ruleMetric(
  metricName: string,
  dimensionsMap: { [name: string]: string },
  label: string,
): cloudwatch.IMetric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName,
    dimensionsMap,
    statistic: cloudwatch.Stats.SUM,
    period: METRIC_PERIOD,
    label,
  });
}

/** The metrics of an event worker's source. */
export interface EventSourceMetrics {
  readonly failedInvocations: cloudwatch.IMetric;
  readonly failedToDeadLetterQueue: cloudwatch.IMetric;
  readonly destinationDeliveryFailures: cloudwatch.IMetric;
  readonly deadLetters: cloudwatch.IMetric;
}

const breach = (t: AlarmThreshold) => `above ${describeMax(t)} ${describeEvaluation(t)}`;

/** Messages in a worker's dead-letter queue, and events lost before it. */
function failureSpecs(
  name: string,
  deadLetters: cloudwatch.IMetric,
  lost: cloudwatch.IMetric,
  how: string,
): AlarmSpec[] {
  return [
    {
      id: 'DeadLettersAlarm',
      name: `Worker-${name}-DeadLetters`,
      metric: deadLetters,
      threshold: ANY,
      severity: AlarmSeverity.CRITICAL,
      description:
        `Worker ${name}: messages in its dead-letter queue ${breach(ANY)}: ${how}. Look first at the messages' ` +
        "error attributes and the worker's ERROR log lines, fix the cause, then send the messages back.",
    },
    {
      id: 'EventsLostAlarm',
      name: `Worker-${name}-EventsLost`,
      metric: lost,
      threshold: ANY,
      severity: AlarmSeverity.CRITICAL,
      description:
        `Worker ${name}: events that failed and could not even reach its dead-letter queue ${breach(ANY)}: they are ` +
        "lost. Look first at the dead-letter queue's policy and encryption, and whether it still exists.",
    },
  ];
}

/** An event worker's source alarms and graphs: failed deliveries, dead letters and lost events. */
export function eventSourceWatch(name: string, m: EventSourceMetrics): SourceWatch {
  // Ids unique to the worker: one graph draws the expressions of every event worker.
  const [toDlq, toDestination] = [`toDlq${name}`, `toDestination${name}`];
  const lost = new cloudwatch.MathExpression({
    expression: `FILL(${toDlq}, 0) + FILL(${toDestination}, 0)`,
    usingMetrics: { [toDlq]: m.failedToDeadLetterQueue, [toDestination]: m.destinationDeliveryFailures },
    period: METRIC_PERIOD,
    label: `${name}: events lost`,
  });
  return {
    specs: [
      {
        id: 'FailedInvocationsAlarm',
        name: `Worker-${name}-FailedInvocations`,
        metric: m.failedInvocations,
        threshold: ANY,
        // The events went to the dead-letter queue, whose alarm is the critical one.
        severity: AlarmSeverity.WARNING,
        description:
          `Worker ${name}: events its rule could not deliver after EventBridge's retries ${breach(ANY)}. Look first ` +
          "at the worker's throttles and reserved concurrency, then at the dead-letter queue, where the events went.",
      },
      ...failureSpecs(
        name,
        m.deadLetters,
        lost,
        'events its rule could not deliver, or that it still failed on after its retries',
      ),
    ],
    graphs: [
      {
        graph: SourceGraph.FAILED_INVOCATIONS,
        metric: m.failedInvocations,
        threshold: ANY,
        label: 'failed invocations',
      },
      { graph: SourceGraph.DEAD_LETTERS, metric: m.deadLetters, threshold: ANY, label: 'dead letters' },
      { graph: SourceGraph.EVENTS_LOST, metric: lost, threshold: ANY, label: 'events lost' },
    ],
  };
}
