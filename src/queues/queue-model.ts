import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { QueueOptions, QueueWorkerOptions } from './queue-options';
import { WORKER_TIMEOUT_LIMIT } from '../functions/function-validation';
import { WorkerModel } from '../functions/worker-function';
import { QueueAlarmOptions } from '../monitoring/alarm-options';
import { queueThresholds, QueueThresholds, validateQueueAlarms } from '../monitoring/queue-thresholds';
import {
  checkInteger,
  checkPattern,
  checkSeconds,
  fail,
  IDENTIFIER_NAME,
  IDENTIFIER_NAME_RULE,
  isLiteral,
  show,
} from '../private/validation';

/**
 * A queue and its worker, checked and resolved before anything is built: the limits SQS and Lambda's SQS event source
 * mapping set, and the defaults derived from the worker.
 *
 * SQS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 * Lambda: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html and
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */

export const QUEUE_DEFAULTS = {
  /** Lambda's guide recommends at least 5, so a throttled worker does not send messages to the dead-letter queue. */
  maxReceiveCount: 5,
  /** SQS's own default. */
  retentionPeriod: Duration.days(4),
  /** SQS's longest: a failed message waits there as long as SQS allows. */
  deadLetterRetentionPeriod: Duration.days(14),
  /** Lambda's default for SQS. */
  batchSize: 10,
  /** Lambda's guide: the visibility timeout is at least six times the function's timeout, plus the batching window. */
  visibilityTimeoutFactor: 6,
};

/** SQS keeps a message at least 1 minute and at most 14 days. */
const MIN_RETENTION_SECONDS = 60;
const MAX_RETENTION_SECONDS = 14 * 86400;
/** SQS hides a received message for at most 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;
/** Lambda gathers a batch for at most 5 minutes. */
const MAX_BATCHING_WINDOW_SECONDS = 300;
/** Lambda's batch sizes for SQS: 10,000 from a standard queue, 10 from a FIFO queue, and 10 without a window. */
const MAX_BATCH_SIZE = 10000;
const MAX_FIFO_BATCH_SIZE = 10;
const MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;

/** A queue and its worker, resolved: what `ServerlessApi` builds them from. */
export interface QueueModel {
  readonly name: string;
  /** Where it is declared, for messages: `queues.<name>`. */
  readonly prop: string;
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  readonly maxReceiveCount: number;
  readonly retentionPeriod: Duration;
  readonly visibilityTimeout: Duration;
  /** The key it was given; undefined for the table's key or SSE-SQS, which the builder decides. */
  readonly encryptionKey?: kms.IKey;
  readonly batchSize: number;
  readonly maxBatchingWindow?: Duration;
  readonly maxConcurrency?: number;
  readonly worker: WorkerModel;
  /** Its own `alarms` over the API's `alarms.queues`. */
  readonly thresholds: QueueThresholds;
  /** What synth warns about: a visibility timeout below Lambda's recommendation. */
  readonly warnings: string[];
}

/**
 * The name and kind of each queue, checked before any function is: functions and workers name the queues they send
 * to, and a FIFO queue's senders need to know it is one.
 */
export function queueKinds(queues: { readonly [name: string]: QueueOptions }): Map<string, { fifo: boolean }> {
  const kinds = new Map<string, { fifo: boolean }>();
  for (const [name, options] of Object.entries(queues)) {
    checkPattern('queues', name, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE);
    // JavaScript callers get no type check: a missing queue would otherwise fail deep inside the model.
    if (typeof options !== 'object' || options === null) {
      fail(`queues.${name}`, "be the queue's options, with at least its `worker`", options);
    }
    if (options.fifo !== undefined && isLiteral(options.fifo) && typeof options.fifo !== 'boolean') {
      fail(`queues.${name}.fifo`, 'be true or false', options.fifo);
    }
    kinds.set(name, { fifo: options.fifo === true });
  }
  return kinds;
}

/** The API-wide settings a queue's alarms resolve over. */
export interface QueueAlarmContext {
  /** The API's `alarms.queues`. */
  readonly api?: QueueAlarmOptions;
  /** Whether the API creates alarms at all. */
  readonly on: boolean;
}

/**
 * Checks a queue and its worker and resolves them; `addWorker` checks the worker against the API (its name, its
 * function options, its alarms) and declares it.
 */
export function resolveQueue(
  name: string,
  options: QueueOptions,
  addWorker: (prop: string, worker: QueueWorkerOptions) => WorkerModel,
  alarms: QueueAlarmContext,
): QueueModel {
  const prop = `queues.${name}`;
  const fifo = options.fifo === true;
  if (isLiteral(options.contentBasedDeduplication) && typeof options.contentBasedDeduplication !== 'boolean') {
    fail(`${prop}.contentBasedDeduplication`, 'be true or false', options.contentBasedDeduplication);
  }
  if (options.contentBasedDeduplication === true && !fifo) {
    fail(
      `${prop}.contentBasedDeduplication`,
      'be left out on a standard queue: only FIFO queues deduplicate (set `fifo: true`)',
      true,
    );
  }
  checkInteger(`${prop}.maxReceiveCount`, options.maxReceiveCount, 1, 1000);
  const key = options.encryptionKey as Partial<kms.IKey> | undefined;
  if (key !== undefined && typeof key?.keyArn !== 'string') {
    fail(`${prop}.encryptionKey`, 'be a kms.IKey (a Key, or one imported with Key.fromKeyArn())', typeof key);
  }
  if (typeof options.worker !== 'object' || options.worker === null) {
    fail(
      `${prop}.worker`,
      "be the options of the worker that takes the queue's messages, with at least its `entry`",
      options.worker,
    );
  }
  const worker = addWorker(`${prop}.worker`, options.worker);
  const batch = checkBatching(`${prop}.worker`, options.worker, fifo);

  const window = batch.maxBatchingWindow;
  checkSeconds(`${prop}.visibilityTimeout`, options.visibilityTimeout, 0, MAX_VISIBILITY_SECONDS, 'at most 12 hours');
  const recommended = recommendedVisibility(worker.settings.timeout, window);
  const visibilityTimeout = options.visibilityTimeout ?? recommended;
  const warnings: string[] = [];
  const timeout = worker.settings.timeout;
  if (isLiteral(options.visibilityTimeout) && isLiteral(timeout)) {
    const seconds = options.visibilityTimeout!.toSeconds();
    if (seconds < timeout.toSeconds()) {
      fail(
        `${prop}.visibilityTimeout`,
        `be at least the worker's ${timeout.toHumanString()} timeout: Lambda refuses to map a queue whose messages would reappear while the worker still handles them`,
        options.visibilityTimeout,
      );
    }
    if (isLiteral(recommended) && seconds < recommended.toSeconds()) {
      warnings.push(
        `\`${prop}.visibilityTimeout\` is ${show(options.visibilityTimeout)}, below the ${recommended.toHumanString()} Lambda's guide recommends (six times the worker's timeout plus its batching window): a throttled batch may be received again, and counted against \`maxReceiveCount\`, before it is handled`,
      );
    }
  }

  const maxReceiveCount = options.maxReceiveCount ?? QUEUE_DEFAULTS.maxReceiveCount;
  const retention = options.retentionPeriod;
  checkSeconds(
    `${prop}.retentionPeriod`,
    retention,
    MIN_RETENTION_SECONDS,
    MAX_RETENTION_SECONDS,
    "between 1 minute and 14 days (SQS's limits)",
  );
  const retentionPeriod = retention ?? QUEUE_DEFAULTS.retentionPeriod;
  if (isLiteral(retentionPeriod) && isLiteral(visibilityTimeout) && isLiteral(maxReceiveCount)) {
    const exhausted = maxReceiveCount * visibilityTimeout.toSeconds();
    if (retentionPeriod.toSeconds() <= exhausted) {
      fail(
        `${prop}.retentionPeriod`,
        `be longer than \`maxReceiveCount\` times \`visibilityTimeout\` (${maxReceiveCount} × ${visibilityTimeout.toHumanString()} = ${Duration.seconds(exhausted).toHumanString()}), or a message the worker keeps failing on expires before it reaches the dead-letter queue`,
        retentionPeriod,
      );
    }
  }
  validateQueueAlarms(`${prop}.alarms`, options.alarms);
  const timing = { fifo, maxReceiveCount, visibilityTimeout, maxBatchingWindow: window };
  return {
    name,
    prop,
    fifo,
    thresholds: queueThresholds(`${prop}.alarms`, alarms.api, options.alarms, timing, alarms.on),
    contentBasedDeduplication: options.contentBasedDeduplication === true,
    maxReceiveCount,
    retentionPeriod,
    visibilityTimeout,
    encryptionKey: options.encryptionKey,
    ...batch,
    worker,
    warnings,
  };
}

/** The batch settings of a queue's worker, checked against Lambda's limits for SQS. */
function checkBatching(
  prop: string,
  worker: QueueWorkerOptions,
  fifo: boolean,
): { batchSize: number; maxBatchingWindow?: Duration; maxConcurrency?: number } {
  const window = worker.maxBatchingWindow;
  if (fifo && window !== undefined) {
    fail(
      `${prop}.maxBatchingWindow`,
      'be left out on a FIFO queue: Lambda takes no batching window for FIFO queues',
      window,
    );
  }
  checkSeconds(`${prop}.maxBatchingWindow`, window, 0, MAX_BATCHING_WINDOW_SECONDS, 'at most 5 minutes');
  const batchSize = worker.batchSize;
  if (isLiteral(batchSize)) {
    const max = fifo ? MAX_FIFO_BATCH_SIZE : MAX_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize! < 1 || batchSize! > max) {
      fail(
        `${prop}.batchSize`,
        `be a whole number between 1 and ${max}${fifo ? ' on a FIFO queue' : ''} (Lambda's limit for SQS)`,
        batchSize,
      );
    }
    const windowSeconds = window && isLiteral(window) ? window.toSeconds() : window ? undefined : 0;
    if (batchSize! > MAX_BATCH_SIZE_WITHOUT_WINDOW && windowSeconds === 0) {
      fail(
        `${prop}.batchSize`,
        `be at most ${MAX_BATCH_SIZE_WITHOUT_WINDOW} without a \`maxBatchingWindow\` of at least 1 second (Lambda's rule for SQS)`,
        batchSize,
      );
    }
  }
  const maxConcurrency = worker.maxConcurrency;
  checkInteger(`${prop}.maxConcurrency`, maxConcurrency, 2, 1000);
  const reserved = worker.reservedConcurrentExecutions;
  if (isLiteral(maxConcurrency) && isLiteral(reserved) && maxConcurrency! > reserved!) {
    fail(
      `${prop}.maxConcurrency`,
      `be at most the worker's \`reservedConcurrentExecutions\` (${reserved}): Lambda would throttle the invocations above it and return their messages to the queue`,
      maxConcurrency,
    );
  }
  return {
    batchSize: batchSize ?? QUEUE_DEFAULTS.batchSize,
    ...(window ? { maxBatchingWindow: window } : {}),
    ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
  };
}

/**
 * Six times the worker's timeout plus its batching window, Lambda's guide for the queue's visibility timeout. A timeout
 * or window known only at deploy time counts at its longest (15 minutes, 5 minutes).
 */
function recommendedVisibility(timeout: Duration, window: Duration | undefined): Duration {
  const timeoutSeconds = isLiteral(timeout) ? timeout.toSeconds() : WORKER_TIMEOUT_LIMIT.limit.toSeconds();
  const windowSeconds = window === undefined ? 0 : isLiteral(window) ? window.toSeconds() : MAX_BATCHING_WINDOW_SECONDS;
  return Duration.seconds(QUEUE_DEFAULTS.visibilityTimeoutFactor * timeoutSeconds + windowSeconds);
}
