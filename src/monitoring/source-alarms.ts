import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmThreshold, describeEvaluation, describeMax, ThresholdUnit } from './alarm-thresholds';
import { METRIC_PERIOD } from './metrics';
import { AlarmSeverity, AlarmSpec } from '../private/alarm-factory';

/**
 * The alarms and graphs of the sources of event and stream workers (besides each worker's function alarms): events
 * EventBridge could not deliver, events lost on the way to a dead-letter queue, messages waiting in a dead-letter
 * queue, and a stream worker falling behind the table's writes.
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

/**
 * A stream worker more than 5 minutes behind the table's writes: well within a DynamoDB stream's 24 hours of records,
 * far beyond the seconds a healthy worker stays behind, so it fires on a worker stuck on a batch or unable to keep up.
 */
export const DEFAULT_ITERATOR_AGE_ALARM = {
  max: Duration.minutes(5).toMilliseconds(),
  unit: ThresholdUnit.MILLISECONDS,
} as const;

/** The titles of the graphs of the dashboard's source row, in the order they are drawn. */
export enum SourceGraph {
  FAILED_INVOCATIONS = 'Rules: failed invocations',
  DEAD_LETTERS = 'Event and stream dead-letter queues: messages',
  EVENTS_LOST = 'Events lost (no dead-letter queue reached)',
  ITERATOR_AGE = 'Streams: iterator age (ms)',
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

/** The age of the last record of each batch a stream worker received, when it received it: the most in the period. */
export function iteratorAge(fn: lambda.IFunction, label: string, period: Duration = METRIC_PERIOD): cloudwatch.IMetric {
  return fn.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, period, label });
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

/** The metrics of a stream worker's source. */
export interface StreamSourceMetrics {
  readonly iteratorAge: cloudwatch.IMetric;
  readonly destinationDeliveryFailures: cloudwatch.IMetric;
  readonly deadLetters: cloudwatch.IMetric;
}

const breach = (t: AlarmThreshold) => `above ${describeMax(t)} ${describeEvaluation(t)}`;

/** The two signals event and stream workers share: messages in their dead-letter queue, and events lost before it. */
function failureSpecs(
  name: string,
  deadLetters: cloudwatch.IMetric,
  lost: cloudwatch.IMetric,
  what: string,
  lookFirst: string,
): AlarmSpec[] {
  return [
    {
      id: 'DeadLettersAlarm',
      name: `Worker-${name}-DeadLetters`,
      metric: deadLetters,
      threshold: ANY,
      severity: AlarmSeverity.CRITICAL,
      // SQS stops publishing for a queue nobody calls for six hours: the alarm must not return to OK while the
      // messages still wait there.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      description: `Worker ${name}: messages in its dead-letter queue (${what}) ${breach(ANY)}. Look first at ${lookFirst}.`,
    },
    {
      id: 'EventsLostAlarm',
      name: `Worker-${name}-EventsLost`,
      metric: lost,
      threshold: ANY,
      severity: AlarmSeverity.CRITICAL,
      description:
        `Worker ${name}: failures that could not even reach its dead-letter queue ${breach(ANY)}: they are lost. ` +
        "Look first at the dead-letter queue's policy and whether it still exists.",
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
        "each message: EventBridge's carry ERROR_CODE and ERROR_MESSAGE attributes, Lambda's are records with the " +
          'error in responsePayload; fix the cause, then put the events on the bus again',
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

/** A stream worker's source alarms and graphs: its iterator age, dead letters and lost batch descriptions. */
export function streamSourceWatch(name: string, m: StreamSourceMetrics, age: AlarmThreshold): SourceWatch {
  return {
    specs: [
      ...(age.enabled
        ? [
            {
              id: 'IteratorAgeAlarm',
              name: `Worker-${name}-IteratorAge`,
              metric: m.iteratorAge,
              threshold: age,
              severity: AlarmSeverity.CRITICAL,
              description:
                `Worker ${name}: its stream iterator age (how far behind the table's writes it reads) ${breach(age)}. ` +
                "Look first at its errors (a batch retried again and again), then at its duration against the table's write rate.",
            },
          ]
        : []),
      ...failureSpecs(
        name,
        m.deadLetters,
        m.destinationDeliveryFailures,
        'descriptions of the batches of stream records it still failed on after its retries',
        "each message's requestContext.condition and DDBStreamBatchInfo (shard and sequence numbers): read those " +
          'records from the stream while it keeps them (24 hours), fix the cause, then handle them again',
      ),
    ],
    graphs: [
      { graph: SourceGraph.DEAD_LETTERS, metric: m.deadLetters, threshold: ANY, label: 'dead letters' },
      { graph: SourceGraph.EVENTS_LOST, metric: m.destinationDeliveryFailures, threshold: ANY, label: 'events lost' },
      { graph: SourceGraph.ITERATOR_AGE, metric: m.iteratorAge, threshold: age, label: 'iterator age' },
    ],
  };
}
