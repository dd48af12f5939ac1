import type { Logger } from '@aws-lambda-powertools/logger';
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isIdempotencyRecord } from './idempotency-store';
import { isRateLimitCounter } from './rate-limit';
import { hiddenAttributes, rawOf, VERSION_ATTRIBUTE, withVersionOf, type Item } from './representation';
import type { StandardSchemaV1 } from './standard-schema';
import {
  isRedelivered,
  SKIP,
  validateMessage,
  WorkerCore,
  type SchemaOutput,
  type WorkerContext,
  type WorkerOptions,
} from './worker';
import { WRITE_ID_ATTRIBUTE } from './write-ids';

type DynamoImage = Parameters<typeof unmarshall>[0];

/**
 * One change of a DynamoDB stream as Lambda delivers it (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html):
 * the fields the worker reads; `DynamoDBRecord` of `@types/aws-lambda` is one.
 */
export interface StreamRecordLike {
  readonly eventID?: string;
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventSource?: string;
  readonly eventSourceARN?: string;
  readonly dynamodb?: {
    readonly Keys?: { readonly [attribute: string]: unknown };
    readonly NewImage?: { readonly [attribute: string]: unknown };
    readonly OldImage?: { readonly [attribute: string]: unknown };
    readonly SequenceNumber?: string;
  };
  readonly userIdentity?: { readonly type?: string; readonly principalId?: string } | null;
}

/** The event of a DynamoDB stream event source mapping. */
export interface StreamEventLike {
  readonly Records: readonly StreamRecordLike[];
}

/** The partial batch response: Lambda resumes the shard from the record named (its sequence number). */
export interface StreamBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What a stream worker's `handle` receives: one change of one item. */
export interface StreamChange<T> {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** The item's key attributes (`{ PK, SK }`). */
  readonly keys: Item;
  /**
   * The item after the change (INSERT, MODIFY; with a view type holding new images) as a response shows items:
   * without storage keys, write id and version (`versionOf(newItem)` reads it), validated by the `item` schema.
   */
  readonly newItem?: T;
  /** The item before the change (MODIFY, REMOVE; with a view type holding old images), likewise. */
  readonly oldItem?: T;
  /** A REMOVE made by DynamoDB's TTL, not by a request (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html). */
  readonly expired: boolean;
  /** The stream record's `eventID`. Idempotency keys on it. */
  readonly messageId: string;
  readonly sequenceNumber: string;
  readonly record: StreamRecordLike;
  /** The worker's logger; every line carries the message id, source, event name and sequence number. */
  readonly logger: Logger;
}

/** Options of `streamWorker()`. */
export interface StreamWorkerOptions<S extends StandardSchemaV1 | undefined = undefined> extends WorkerOptions {
  /** Schema each image (new and old) must meet. Without one, images are unchecked items. */
  readonly item?: S;
  /** Processes one change. Throw to have the shard retried from it. */
  readonly handle: (change: StreamChange<SchemaOutput<S, Item>>) => Promise<void>;
}

/** A Lambda handler for a DynamoDB stream event source mapping with `ReportBatchItemFailures`. */
export type StreamWorkerHandler = (event: StreamEventLike, context?: WorkerContext) => Promise<StreamBatchResponse>;

/**
 * Wraps a change handler into a Lambda handler for a DynamoDB stream event source mapping that reports batch item
 * failures (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html). A shard's changes
 * are processed in order, and at the first failure the batch stops: its sequence number is reported, and Lambda
 * resumes the shard from it, the changes after it included (with bisection and retries as the mapping sets).
 * - An image the `item` schema refuses is that failure, logged at error with the record's id: the mapping's retry
 *   limit then hands it to its on-failure destination, and the shard moves on.
 * - The toolkit's own items in the table (idempotency records, rate-limit counters) are passed over: they are
 *   bookkeeping, and a worker's own idempotency records would otherwise come back to it as changes.
 * - With `idempotency`, a change already processed (a batch delivered again after a later change failed, or split
 *   by bisection) is skipped. A shard's changes are never delivered to two invocations at once, so a claim found in
 *   progress is one whose invocation died, and it is taken over rather than waited for.
 * - When the invocation's time runs short, the batch stops at the next change as at a failure.
 */
export function streamWorker<S extends StandardSchemaV1 | undefined = undefined>(
  options: StreamWorkerOptions<S>,
): StreamWorkerHandler {
  const core = new WorkerCore('streamWorker', options, true);
  const hidden = options.table ? hiddenAttributes(options.table.config) : new Set<string>();
  return (event, context) =>
    core.invoke(context, async (invocation) => {
      const records = recordsOf(event);
      for (let index = 0; index < records.length; index++) {
        const record = records[index];
        const sequenceNumber = record.dynamodb.SequenceNumber;
        if (!invocation.hasTime()) {
          invocation.defer(
            records.slice(index).map((r) => r.eventID),
            "the function's time is running out",
          );
          return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
        }
        const keys = unmarshall(record.dynamodb.Keys as DynamoImage);
        const keyNames = new Set(Object.keys(keys));
        const eventName = record.eventName;
        let newItem: Item | undefined;
        let oldItem: Item | undefined;
        const { outcome } = await invocation.process({
          id: record.eventID,
          source: record.eventSourceARN ?? 'stream',
          logKeys: { messageId: record.eventID, eventSource: 'aws:dynamodb', eventName, sequenceNumber },
          parse: async () => {
            const newImage = imageOf(record.dynamodb.NewImage);
            const oldImage = imageOf(record.dynamodb.OldImage);
            const image = newImage ?? oldImage;
            if (isIdempotencyRecord(image) || isRateLimitCounter(image, keyNames)) return SKIP;
            const view = (item: Item) => viewOf(item, hidden, keyNames);
            newItem = newImage && (await checked(view(newImage), 'newItem'));
            oldItem = oldImage && (await checked(view(oldImage), 'oldItem'));
            return true;
          },
          handle: () =>
            options.handle({
              eventName,
              keys,
              newItem: newItem as SchemaOutput<S, Item> | undefined,
              oldItem: oldItem as SchemaOutput<S, Item> | undefined,
              expired:
                eventName === 'REMOVE' &&
                record.userIdentity?.type === 'Service' &&
                record.userIdentity.principalId === 'dynamodb.amazonaws.com',
              messageId: record.eventID,
              sequenceNumber,
              record,
              logger: core.logger,
            }),
        });
        if (isRedelivered(outcome)) {
          invocation.defer(
            records.slice(index + 1).map((r) => r.eventID),
            'an earlier change of this shard failed',
          );
          return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
        }
      }
      return { batchItemFailures: [] };
    });

  /** An image validated by the `item` schema, keeping the version the view carries out of sight. */
  async function checked(item: Item, where: string): Promise<Item> {
    if (!options.item) return item;
    const value = (await validateMessage(options.item, item, where)) as Item;
    return typeof value === 'object' && value !== null ? withVersionOf(value, item) : value;
  }
}

type CheckedRecord = StreamRecordLike & {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly dynamodb: { readonly Keys: object; readonly SequenceNumber: string };
};

function recordsOf(event: StreamEventLike): readonly CheckedRecord[] {
  const records = (event as { Records?: unknown } | undefined)?.Records;
  if (
    !Array.isArray(records) ||
    records.some(
      (record: StreamRecordLike) =>
        record?.eventSource !== 'aws:dynamodb' ||
        typeof record.eventID !== 'string' ||
        typeof record.dynamodb?.SequenceNumber !== 'string' ||
        typeof record.dynamodb.Keys !== 'object',
    )
  ) {
    throw new Error(
      'streamWorker: the event is not a DynamoDB stream event (Records of eventSource "aws:dynamodb" with Keys and SequenceNumber)',
    );
  }
  return records as readonly CheckedRecord[];
}

function imageOf(image: { readonly [attribute: string]: unknown } | undefined): Item | undefined {
  return image === undefined ? undefined : unmarshall(image as DynamoImage);
}

/**
 * The item without its storage keys and the toolkit's bookkeeping: the record's key attributes, and with the
 * worker's `table`, every key attribute `ServerlessApi` names (indexes included), as responses leave them out.
 */
function viewOf(item: Item, hidden: ReadonlySet<string>, keyNames: ReadonlySet<string>): Item {
  const view: Item = Object.fromEntries(
    Object.entries(item).filter(
      ([name]) => !hidden.has(name) && !keyNames.has(name) && name !== WRITE_ID_ATTRIBUTE && name !== VERSION_ATTRIBUTE,
    ),
  );
  return withVersionOf(view, rawOf(item));
}
