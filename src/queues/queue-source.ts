import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { QueueModel } from './queue-model';
import { WorkerQueue } from './worker-queue';
import { WorkerSource } from '../functions/worker-source';
import { KMS_QUEUE_RECEIVE_ACTIONS, SQS_CONSUME_ACTIONS } from '../private/iam-actions';

/**
 * A queue's messages as a worker's source: Lambda polls the queue with the worker's role, which may consume exactly
 * that queue (and decrypt with its key, only through SQS), and invokes the worker with batches; the worker reports the
 * messages it failed on (partial batch responses), so only those return to the queue, and after `maxReceiveCount`
 * receives go to its dead-letter queue.
 */
export class QueueSource implements WorkerSource {
  public readonly description: string;
  public readonly noDeadLetterQueueReason: string;
  public readonly statements: iam.PolicyStatement[];

  constructor(
    private readonly queue: WorkerQueue,
    private readonly model: QueueModel,
  ) {
    this.description = `Worker of queue ${model.name}`;
    this.noDeadLetterQueueReason = `Lambda hands the worker the messages of queue ${model.name} through an event source mapping: a message it keeps failing on goes to that queue's dead-letter queue after ${model.maxReceiveCount} receives, never to a queue of the function's own.`;
    this.statements = [
      new iam.PolicyStatement({ actions: [...SQS_CONSUME_ACTIONS], resources: [queue.queue.queueArn] }),
      ...(queue.encryptionKey
        ? [
            new iam.PolicyStatement({
              actions: [...KMS_QUEUE_RECEIVE_ACTIONS],
              resources: [queue.encryptionKey.keyArn],
              conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(queue).region}.amazonaws.com` } },
            }),
          ]
        : []),
    ];
  }

  public bind(scope: IConstruct, fn: lambda.IFunction): void {
    const mapping = new lambda.EventSourceMapping(scope as Construct, 'EventSource', {
      target: fn,
      eventSourceArn: this.queue.queue.queueArn,
      batchSize: this.model.batchSize,
      maxBatchingWindow: this.model.maxBatchingWindow,
      maxConcurrency: this.model.maxConcurrency,
      // Without it one failed message returns the whole batch to the queue, to be handled again.
      reportBatchItemFailures: true,
    });
    Validations.of(mapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: `Lambda takes no on-failure destination for SQS event source mappings (Kinesis, DynamoDB streams and Kafka only): the failed messages of queue ${this.model.name} go to its dead-letter queue through the queue's redrive policy.`,
    });
  }
}
