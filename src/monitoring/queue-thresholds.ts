import { Duration } from 'aws-cdk-lib';
import { QueueAlarmOptions } from './alarm-options';
import {
  AlarmThreshold,
  AnyAlarmOptions,
  DefaultThreshold,
  resolveThreshold,
  ThresholdUnit,
  validateAlarm,
} from './alarm-thresholds';
import { fail, isLiteral } from '../private/validation';

/**
 * The thresholds of a queue's alarms: its own `alarms` over the API's `alarms.queues`, over the defaults, the age of
 * the oldest message derived from the queue and its worker.
 */

export const DEFAULT_QUEUE_ALARMS = {
  deadLetters: { max: 0, unit: ThresholdUnit.COUNT },
  // `max` is derived per queue (`derivedMaxAge`).
  oldestMessageAge: { max: 0, unit: ThresholdUnit.SECONDS },
} as const satisfies { [signal: string]: DefaultThreshold };

export type QueueSignal = keyof typeof DEFAULT_QUEUE_ALARMS;
export type QueueThresholds = { readonly [signal in QueueSignal]: AlarmThreshold };

/**
 * A standard queue's `ApproximateAgeOfOldestMessage` skips a message once it has been received three times, so a
 * message that keeps failing counts for at most three receives; a FIFO queue keeps it in place, blocking its group,
 * until it goes to the dead-letter queue
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).
 */
const STANDARD_COUNTED_RECEIVES = 3;

/** What the default age is derived from. */
export interface QueueTiming {
  readonly fifo: boolean;
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: Duration;
  readonly maxBatchingWindow?: Duration;
}

/**
 * The age a message reaches while it is retried, in seconds: the batching window, then one visibility timeout per
 * receive the metric counts. An older message is not being retried: the queue has a backlog. Undefined when a part is
 * known only at deploy time.
 */
export function derivedMaxAge(timing: QueueTiming): number | undefined {
  const { fifo, maxReceiveCount, visibilityTimeout, maxBatchingWindow } = timing;
  if (!isLiteral(maxReceiveCount) || !isLiteral(visibilityTimeout)) return undefined;
  if (maxBatchingWindow && !isLiteral(maxBatchingWindow)) return undefined;
  const receives = fifo ? maxReceiveCount : Math.min(maxReceiveCount, STANDARD_COUNTED_RECEIVES);
  return (maxBatchingWindow?.toSeconds() ?? 0) + receives * visibilityTimeout.toSeconds();
}

/** Checks a `QueueAlarmOptions`, at `prop` (the API's `alarms.queues` or a queue's own `alarms`). */
export function validateQueueAlarms(prop: string, options: QueueAlarmOptions | undefined): void {
  if (!options) return;
  for (const signal of Object.keys(DEFAULT_QUEUE_ALARMS) as QueueSignal[]) {
    validateAlarm(`${prop}.${signal}`, options[signal] as AnyAlarmOptions | undefined, DEFAULT_QUEUE_ALARMS[signal]);
  }
}

/**
 * A queue's thresholds: its own `alarms` over the API's, signal by signal, with the derived age as the default.
 * `alarmsOn` is false when the API creates no alarm: nothing then needs the age.
 */
export function queueThresholds(
  prop: string,
  api: QueueAlarmOptions | undefined,
  own: QueueAlarmOptions | undefined,
  timing: QueueTiming,
  alarmsOn: boolean,
): QueueThresholds {
  const merged = (signal: QueueSignal): AnyAlarmOptions | undefined =>
    api?.[signal] || own?.[signal] ? ({ ...api?.[signal], ...own?.[signal] } as AnyAlarmOptions) : undefined;
  const age = merged('oldestMessageAge');
  const derived = derivedMaxAge(timing);
  if (alarmsOn && age?.enabled !== false && age?.maxAge === undefined && derived === undefined) {
    fail(
      `${prop}.oldestMessageAge.maxAge`,
      'be given when `visibilityTimeout`, `maxReceiveCount` or `maxBatchingWindow` is a token: its default is derived from them',
      undefined,
    );
  }
  return {
    deadLetters: resolveThreshold(merged('deadLetters'), DEFAULT_QUEUE_ALARMS.deadLetters),
    oldestMessageAge: resolveThreshold(age, { ...DEFAULT_QUEUE_ALARMS.oldestMessageAge, max: derived ?? 0 }),
  };
}

/**
 * The API-wide thresholds the dashboard draws on its queue graphs: the dead letters', and the age's only when
 * `alarms.queues` gives one (each queue's default differs).
 */
export function apiQueueThresholds(api: QueueAlarmOptions | undefined): {
  readonly deadLetters: AlarmThreshold;
  readonly oldestMessageAge?: AlarmThreshold;
} {
  const age = api?.oldestMessageAge;
  return {
    deadLetters: resolveThreshold(api?.deadLetters, DEFAULT_QUEUE_ALARMS.deadLetters),
    ...(age?.maxAge !== undefined
      ? { oldestMessageAge: resolveThreshold(age as AnyAlarmOptions, DEFAULT_QUEUE_ALARMS.oldestMessageAge) }
      : {}),
  };
}
