import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describeEvaluation, describeMax } from './alarm-thresholds';
import { QueueMetrics } from './queue-metrics';
import { QueueThresholds } from './queue-thresholds';
import { AlarmSeverity, AlarmSpec } from '../private/alarm-factory';

/**
 * The alarms of a queue, as specs for the one alarm factory: work the worker gave up on, and work waiting longer than
 * retries explain. Critical both: either means work the API accepted is not being done.
 */
export function queueAlarmSpecs(metrics: QueueMetrics, name: string, t: QueueThresholds): AlarmSpec[] {
  const specs: AlarmSpec[] = [];
  if (t.deadLetters.enabled) {
    specs.push({
      id: 'DeadLettersAlarm',
      name: `Queue-${name}-DeadLetters`,
      metric: metrics.deadLetters({ period: t.deadLetters.period }),
      threshold: t.deadLetters,
      severity: AlarmSeverity.CRITICAL,
      // SQS stops publishing for a queue nobody calls for six hours: the alarm must not return to OK while the
      // messages still wait there.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      description:
        `Queue ${name}: messages in its dead-letter queue above ${describeMax(t.deadLetters)} ${describeEvaluation(t.deadLetters)}: ` +
        `work the worker gave up on. Look first at the ERROR lines of worker ${name} for the failing message ids, fix ` +
        'the cause, then move the messages back to the queue (SQS dead-letter queue redrive).',
    });
  }
  if (t.oldestMessageAge.enabled) {
    specs.push({
      id: 'OldestMessageAgeAlarm',
      name: `Queue-${name}-OldestMessageAge`,
      metric: metrics.oldestMessageAge({ period: t.oldestMessageAge.period }),
      threshold: t.oldestMessageAge,
      severity: AlarmSeverity.CRITICAL,
      description:
        `Queue ${name}: oldest message older than ${describeMax(t.oldestMessageAge)} ${describeEvaluation(t.oldestMessageAge)}: ` +
        `a backlog, beyond what retries explain. Look first at the throttles, errors and duration of worker ${name} on ` +
        "the dashboard's worker row, then at its concurrency (`maxConcurrency`, `reservedConcurrentExecutions`).",
    });
  }
  return specs;
}
