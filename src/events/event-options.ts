import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiEventBus } from './event-bus';
import { IWorkerFunction, WorkerOptions } from '../functions/worker-options';

/**
 * A worker invoked by the API's event bus: a rule sends it the events of its sources (and detail types) as they are
 * put on the bus. EventBridge invokes it asynchronously; an event it cannot deliver, and an event the worker keeps
 * failing on, end in the worker's dead-letter queue (encrypted, TLS only, kept 14 days).
 */
export interface EventWorkerOptions extends WorkerOptions {
  /**
   * The `source` of the events the worker takes, such as `com.example.orders`: at least one. Sources starting with
   * `aws.` (events of AWS services) reach the default bus only.
   */
  readonly sources: string[];
  /**
   * The `detail-type` values of the events the worker takes, such as `OrderPlaced`.
   *
   * @default - every detail type of its sources
   */
  readonly detailTypes?: string[];
  /**
   * An EventBridge event pattern on the events' `detail`, such as `{ status: ['PAID'] }`: only matching events reach
   * the worker.
   *
   * @default - every event of its sources and detail types
   */
  readonly detail?: { [key: string]: any };
  /**
   * How many times EventBridge retries an invocation Lambda refused (throttled, or the service unavailable), 0 to 185,
   * before the event goes to the dead-letter queue.
   *
   * @default 185
   */
  readonly retryAttempts?: number;
  /**
   * How long EventBridge keeps retrying such an event, in whole seconds, 1 minute to 24 hours.
   *
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
  /**
   * How many times Lambda runs the worker again on an event it failed on, 0 to 2, before the event goes to the
   * dead-letter queue.
   *
   * @default 2
   */
  readonly functionRetryAttempts?: number;
  /**
   * How long Lambda keeps an event waiting for the worker (queued, throttled or between retries), in whole seconds,
   * 1 minute to 6 hours.
   *
   * @default Duration.hours(6)
   */
  readonly functionMaxEventAge?: Duration;
}

/** The API's event bus and the workers its rules invoke. */
export interface EventsOptions {
  /**
   * The bus the API's functions publish to (`publishes`) and its event workers listen on. Rules on the default bus
   * see only the events of this account.
   *
   * @default ApiEventBus.default()
   */
  readonly bus?: ApiEventBus;
  /**
   * The workers invoked by events on the bus, by name (letters and digits, starting with a letter): one rule each.
   *
   * @default - no event workers
   */
  readonly workers?: { [name: string]: EventWorkerOptions };
}

/** An event worker of a `ServerlessApi`, with its rule and its dead-letter queue. */
export interface ApiEventWorker {
  /** The name the worker was declared under in `events.workers`. */
  readonly name: string;
  /** The rule sending the worker its events. */
  readonly rule: events.IRule;
  /** Where the events go that could not be delivered, or that the worker kept failing on. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The worker. */
  readonly worker: IWorkerFunction;
}
