import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IWorkerFunction, WorkerOptions } from '../functions/worker-options';
import { LatencyAlarmOptions } from '../monitoring/alarm-options';

/**
 * A worker that consumes the table's stream: Lambda reads the stream with the worker's role (which may read only that
 * stream) and hands it batches of changed items, in order per item. The worker reports the records it failed on
 * (partial batch responses); a batch it keeps failing on is split and retried, then described in its dead-letter
 * queue (encrypted, TLS only, kept 14 days) so the stream moves on.
 */
export interface StreamWorkerOptions extends WorkerOptions {
  /**
   * Lambda event filter patterns: only the records matching one of them reach the worker (the others are dropped), such
   * as `lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })`. At most 5, Lambda's default
   * quota per event source mapping.
   *
   * @default - every record of the stream
   */
  readonly filters?: { [key: string]: any }[];
  /**
   * The most records one invocation receives, 1 to 10,000.
   *
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers records before invoking the worker with fewer than `batchSize`, up to 5 minutes.
   *
   * @default - none: a batch is sent as soon as records are there
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Where the worker starts reading when its mapping is created: `TRIM_HORIZON` (the oldest record the stream still
   * keeps, up to 24 hours back), so no change written between the stream's creation and the mapping's is missed, or
   * `LATEST` (records written from then on). Handlers see each record at least once either way: make them idempotent.
   *
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;
  /**
   * How many times Lambda retries a batch the worker failed on (0 to 10,000) before describing it in the dead-letter
   * queue and moving on. Lambda's own default retries until the records expire, which blocks the shard for up to 24
   * hours.
   *
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * The oldest a record may be when Lambda hands it to the worker, in whole seconds, 1 minute to 7 days; older records
   * are described in the dead-letter queue instead.
   *
   * @default - no limit but the stream's 24 hours
   */
  readonly maxRecordAge?: Duration;
  /**
   * Whether Lambda splits a failed batch in two and retries each half, isolating the failing record.
   *
   * @default true
   */
  readonly bisectBatchOnError?: boolean;
  /**
   * How many batches of one shard the worker handles at once, 1 to 10; records of one item stay in order.
   *
   * @default 1
   */
  readonly parallelizationFactor?: number;
  /**
   * The alarm on the worker's iterator age: how far behind the table's writes it reads.
   *
   * @default - on: above 5 minutes in one period of 5 minutes
   */
  readonly iteratorAgeAlarm?: LatencyAlarmOptions;
}

/** The table's stream and the workers that consume it. */
export interface TableStreamOptions {
  /**
   * What each stream record carries of the item: its keys, its new image, its old image, or both images. Only for the
   * table the API creates: an existing table's stream has the view type it was created with.
   *
   * @default dynamodb.StreamViewType.NEW_AND_OLD_IMAGES
   */
  readonly viewType?: dynamodb.StreamViewType;
  /**
   * The workers consuming the stream, by name (letters and digits, starting with a letter): at least one. DynamoDB
   * advises at most two readers per shard; more are throttled.
   */
  readonly workers: { [name: string]: StreamWorkerOptions };
}

/** A stream worker of a `ServerlessApi`, with its event source mapping and its dead-letter queue. */
export interface ApiStreamWorker {
  /** The name the worker was declared under in `tableStream.workers`. */
  readonly name: string;
  /** The mapping through which Lambda reads the stream for the worker. */
  readonly eventSourceMapping: lambda.IEventSourceMapping;
  /** Where the batches the worker kept failing on are described. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The worker. */
  readonly worker: IWorkerFunction;
}
