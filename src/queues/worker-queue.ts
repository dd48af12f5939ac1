import { Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUE_DEFAULTS, QueueModel } from './queue-model';

export interface WorkerQueueProps {
  readonly model: QueueModel;
  /** The key encrypting both queues; SQS-managed encryption without one. */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A queue of work and its dead-letter queue: both encrypted at rest (a customer-managed key, or SSE-SQS), both refusing
 * requests without TLS, with bounded retention; the dead-letter queue keeps messages 14 days and is FIFO when the queue
 * is. Children keep the ids `Queue` and `DeadLetterQueue`: they are the resources' logical ids.
 */
export class WorkerQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: WorkerQueueProps) {
    super(scope, id);
    const { model, encryptionKey } = props;
    this.encryptionKey = encryptionKey;
    const encryption = encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };
    // A FIFO queue's dead-letter queue must be FIFO too.
    const fifo = model.fifo ? { fifo: true } : {};
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...fifo,
      ...encryption,
      retentionPeriod: QUEUE_DEFAULTS.deadLetterRetentionPeriod,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: `The dead-letter queue of queue ${model.name} is where its failed messages end: it needs no dead-letter queue of its own, and an alarm fires as soon as it holds a message.`,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...fifo,
      ...(model.contentBasedDeduplication ? { contentBasedDeduplication: true } : {}),
      ...encryption,
      retentionPeriod: model.retentionPeriod,
      visibilityTimeout: model.visibilityTimeout,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: model.maxReceiveCount },
    });
  }
}
