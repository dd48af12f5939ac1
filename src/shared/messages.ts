/**
 * How a message the runtime toolkit sends names itself, so that whatever receives it (a worker, the local API)
 * tells a message sent again from a new one. One source of truth for both sides; names only, no logic.
 *
 * Every message `Queues.enqueue()` sends and every event `EventBus.publish()` puts carries an id:
 * - on SQS, as the String message attribute named `MESSAGE_ID_ATTRIBUTE`; on a FIFO queue the same id is also the
 *   `MessageDeduplicationId`, so SQS itself drops a copy sent within its 5-minute deduplication interval;
 * - on EventBridge, as the member `MESSAGE_ID_ATTRIBUTE` of the event's `detail` (a JSON object), which the worker
 *   takes out before validating the detail.
 * The id is a UUID: random, except inside an idempotent request (or a message a worker processes idempotently),
 * where the n-th message a run sends to one queue, or of one detail type to one bus, has the same id on every run.
 * A retried request that sends again therefore sends the same id, and a worker with idempotency processes it once.
 */
export const MESSAGE_ID_ATTRIBUTE = '_messageId';
