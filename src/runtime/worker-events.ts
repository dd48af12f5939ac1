import type { Logger } from '@aws-lambda-powertools/logger';
import type { StandardSchemaV1 } from './standard-schema';
import {
  InvalidMessageError,
  isRedelivered,
  validateMessage,
  WorkerCore,
  type SchemaOutput,
  type WorkerContext,
  type WorkerOptions,
} from './worker';
import { MESSAGE_ID_ATTRIBUTE } from '../shared/messages';

/**
 * An EventBridge event as a rule delivers it to a Lambda target
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html): `EventBridgeEvent` of
 * `@types/aws-lambda` is one.
 */
export interface EventBridgeEventLike {
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly time?: string;
  readonly resources?: readonly string[];
  readonly detail: unknown;
}

/** What an event worker's `handle` receives: the event, its detail validated. */
export interface EventMessage<Detail> {
  /** The detail, without the toolkit's `_messageId`, validated by the worker's `detail` schema. */
  readonly detail: Detail;
  /** The event's id: the `_messageId` `publish()` put in the detail, else EventBridge's own. Idempotency keys on it. */
  readonly messageId: string;
  readonly detailType: string;
  readonly source: string;
  /** The event as delivered. */
  readonly event: EventBridgeEventLike;
  /** The worker's logger; every line carries the message id, source and detail type. */
  readonly logger: Logger;
}

/** Options of `eventWorker()`. */
export interface EventWorkerOptions<D extends StandardSchemaV1 | undefined = undefined> extends WorkerOptions {
  /** Schema of the detail. Without one, `detail` is the event's detail (without `_messageId`), unchecked. */
  readonly detail?: D;
  /** Processes one event. Throw to have Lambda retry it, then hand it to the function's dead-letter queue. */
  readonly handle: (event: EventMessage<SchemaOutput<D, unknown>>) => Promise<void>;
}

/** A Lambda handler for EventBridge rules' events (asynchronous invocations). */
export type EventWorkerHandler = (event: EventBridgeEventLike, context?: WorkerContext) => Promise<void>;

/**
 * Wraps an event handler into a Lambda handler for the targets of EventBridge rules. EventBridge invokes Lambda
 * asynchronously with one event per invocation, so a failure is thrown: Lambda retries the event (twice by default),
 * then sends it to the function's dead-letter queue or on-failure destination
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 * - An event whose detail is not an object or that the `detail` schema refuses throws too, logged at error with its
 *   id: retries cannot fix it, but they are the way to the dead-letter queue, where it can be looked at.
 * - With `idempotency`, an event already processed (Lambda's retry of an event whose success was lost, or a
 *   retried request's second publication) returns at once; one in progress elsewhere throws, to be retried later.
 */
export function eventWorker<D extends StandardSchemaV1 | undefined = undefined>(
  options: EventWorkerOptions<D>,
): EventWorkerHandler {
  const core = new WorkerCore('eventWorker', options);
  return (event, context) =>
    core.invoke(context, async (invocation) => {
      if (typeof event?.id !== 'string' || typeof event['detail-type'] !== 'string') {
        throw new Error('eventWorker: the event is not an EventBridge event (id, detail-type, source, detail)');
      }
      const detail = event.detail;
      const carried =
        typeof detail === 'object' && detail !== null
          ? (detail as { [key: string]: unknown })[MESSAGE_ID_ATTRIBUTE]
          : undefined;
      const messageId = typeof carried === 'string' ? carried : event.id;
      const detailType = event['detail-type'];
      if (!invocation.hasTime()) {
        invocation.defer([messageId], "the function's time is running out");
        throw new Error(`event ${messageId} not started: the function's time is running out`);
      }
      const { outcome, error } = await invocation.process({
        id: messageId,
        source: 'events',
        logKeys: { messageId, eventId: event.id, eventSource: 'aws.events', source: event.source, detailType },
        parse: async () => {
          if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
            throw new InvalidMessageError('the event detail is not a JSON object');
          }
          const { [MESSAGE_ID_ATTRIBUTE]: _carried, ...own } = detail as { [key: string]: unknown };
          return options.detail ? validateMessage(options.detail, own, 'detail') : own;
        },
        handle: (value) =>
          options.handle({
            detail: value as SchemaOutput<D, unknown>,
            messageId,
            detailType,
            source: event.source,
            event,
            logger: core.logger,
          }),
      });
      if (isRedelivered(outcome)) {
        throw error instanceof Error ? error : new Error(`event ${messageId} failed: ${outcome}`);
      }
    });
}
