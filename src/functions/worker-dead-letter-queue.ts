import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** SQS keeps a message at most 14 days: a failed event waits there as long as SQS allows. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * The dead-letter queue of a worker whose source is no queue (an event bus rule, the table's stream): encrypted at
 * rest with SQS-managed keys (SSE-SQS), so the AWS services that deliver failures there (EventBridge, Lambda) need no
 * key policy of the app's; refusing requests without TLS; keeping messages 14 days.
 *
 * @param what whose failures it keeps, for cdk-nag's acknowledgements: "event worker orders"
 */
export function workerDeadLetterQueue(scope: Construct, id: string, what: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
  });
  const reason = `The dead-letter queue of ${what} is where its failed events end: it needs no dead-letter queue of its own, and an alarm fires as soon as it holds a message.`;
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
  return queue;
}
