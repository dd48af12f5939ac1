import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { METRIC_PERIOD } from './metrics';

const MAX = cloudwatch.Stats.MAXIMUM;
const SUM = cloudwatch.Stats.SUM;

/**
 * A queue's metrics and its dead-letter queue's, defined once for its alarms and the dashboard. SQS publishes them
 * while a queue is active, up to six hours after the last call to it
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).
 */
export class QueueMetrics {
  constructor(
    private readonly name: string,
    private readonly queue: sqs.IQueue,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {}

  /** The age of the oldest message, in seconds: the peak per period. */
  public oldestMessageAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({
      statistic: MAX,
      period: METRIC_PERIOD,
      label: `${this.name} oldest message (s)`,
      ...props,
    });
  }

  /** Messages waiting in the dead-letter queue: the peak per period. */
  public deadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: MAX,
      period: METRIC_PERIOD,
      label: `${this.name} dead letters`,
      ...props,
    });
  }

  /** Messages waiting to be received: the backlog, the peak per period. */
  public messagesVisible(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible({
      statistic: MAX,
      period: METRIC_PERIOD,
      label: `${this.name} waiting`,
      ...props,
    });
  }

  /** Messages sent to the queue, per period. */
  public messagesSent(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricNumberOfMessagesSent({
      statistic: SUM,
      period: METRIC_PERIOD,
      label: `${this.name} sent`,
      ...props,
    });
  }
}
