import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IWorkerFunction, WorkerOptions } from '../functions/worker-options';
import { QueueAlarmOptions } from '../monitoring/alarm-options';

/** The worker of a queue: a worker's options, and how Lambda hands it the queue's messages. */
export interface QueueWorkerOptions extends WorkerOptions {
  /**
   * The most messages one invocation receives: up to 10,000 on a standard queue (above 10 with a
   * `maxBatchingWindow`), up to 10 on a FIFO queue. The worker reports failed messages one by one (partial batch
   * responses), so only those return to the queue.
   *
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers messages before invoking the worker with fewer than `batchSize`, up to 5 minutes; not
   * available on FIFO queues.
   *
   * @default - none: a batch is sent as soon as messages are there
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * The most concurrent invocations the queue's messages start (2 to 1,000), so a backlog cannot take the account's
   * concurrency or overload the table; at most the worker's `reservedConcurrentExecutions`, above which Lambda would
   * throttle it.
   *
   * @default - no limit but the worker's reservation and the account's concurrency
   */
  readonly maxConcurrency?: number;
}

/**
 * A queue of work the API's functions send to, and the worker that takes its messages: encrypted at rest, TLS only,
 * with a dead-letter queue for the messages the worker keeps failing on.
 */
export interface QueueOptions {
  /** The worker that takes the queue's messages; it is named after the queue. */
  readonly worker: QueueWorkerOptions;
  /**
   * Whether the queue is FIFO: messages of one group (`MessageGroupId`) are worked in order, one batch at a time, and
   * each message once within the deduplication window. Its dead-letter queue is FIFO too.
   *
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Whether a FIFO queue deduplicates messages by a hash of their body, so senders need no deduplication id. Only
   * for FIFO queues.
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;
  /**
   * How many times the worker receives a message before it goes to the dead-letter queue (1 to 1,000). Lambda's guide
   * recommends at least 5, so a throttled worker does not send messages there.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long the queue keeps a message the worker has not deleted: between 1 minute and 14 days, and longer than
   * `maxReceiveCount` times `visibilityTimeout`, or a failing message would expire before it reaches the dead-letter
   * queue. The dead-letter queue keeps messages 14 days (SQS's longest).
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long a received message stays hidden before it is received again: at least the worker's timeout (Lambda
   * refuses a shorter one), at most 12 hours.
   *
   * @default - six times the worker's timeout plus its `maxBatchingWindow`, as Lambda's guide recommends
   */
  readonly visibilityTimeout?: Duration;
  /**
   * The customer-managed KMS key encrypting the queue and its dead-letter queue. Senders' roles may then generate
   * data keys with it and the worker's role decrypt with it, only through SQS.
   *
   * @default - the table's key when the table is customer-managed (`TableEncryption.customerManaged()`), otherwise
   * SQS-managed server-side encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * This queue's alarms, signal by signal over the API's `alarms.queues`.
   *
   * @default - the API's `alarms.queues`
   */
  readonly alarms?: QueueAlarmOptions;
}

/** A queue of a `ServerlessApi`, with its dead-letter queue and its worker. */
export interface ApiQueue {
  /** The name the queue was declared under. */
  readonly name: string;
  /** The queue. */
  readonly queue: sqs.IQueue;
  /** Where the messages the worker keeps failing on go, after `maxReceiveCount` receives. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The worker taking the queue's messages. */
  readonly worker: IWorkerFunction;
  /** The queue's alarms (dead letters, age of the oldest message); empty when alarms are off. */
  readonly alarms: cloudwatch.IAlarm[];
}
