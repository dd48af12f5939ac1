import type { Logger } from '@aws-lambda-powertools/logger';
import type { StandardSchemaV1 } from './standard-schema';
import {
  isRedelivered,
  parseMessageJson,
  validateMessage,
  WorkerCore,
  type SchemaOutput,
  type WorkerContext,
  type WorkerOptions,
} from './worker';
import { MESSAGE_ID_ATTRIBUTE } from '../shared/messages';

/**
 * One SQS message as Lambda delivers it (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html): the fields the
 * worker reads; `SQSRecord` of `@types/aws-lambda` is one.
 */
export interface SqsRecordLike {
  readonly messageId: string;
  readonly body: string;
  readonly attributes?: {
    readonly ApproximateReceiveCount?: string;
    readonly MessageGroupId?: string;
  };
  readonly messageAttributes?: {
    readonly [name: string]: { readonly stringValue?: string; readonly dataType?: string } | undefined;
  };
  readonly eventSource?: string;
  readonly eventSourceARN: string;
}

/** The event of an SQS event source mapping. */
export interface SqsEventLike {
  readonly Records: readonly SqsRecordLike[];
}

/** The partial batch response: the messages to deliver again; the others are deleted. */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What a queue worker's `handle` receives: one message, its body parsed and validated. */
export interface SqsMessage<Body> {
  /** The JSON body, validated by the worker's `body` schema (the parsed JSON without one). */
  readonly body: Body;
  /** The message's id: the `_messageId` attribute `enqueue()` sets, else SQS's own. Idempotency keys on it. */
  readonly messageId: string;
  /** The queue's name, from its ARN. */
  readonly queue: string;
  /** The message group, on a FIFO queue. */
  readonly groupId?: string;
  /** How many times SQS has delivered the message, this time included. */
  readonly receiveCount: number;
  /** The record as Lambda delivered it. */
  readonly record: SqsRecordLike;
  /** The worker's logger; every line carries the message id, source and queue while this message is processed. */
  readonly logger: Logger;
}

/** Options of `sqsWorker()`. */
export interface SqsWorkerOptions<B extends StandardSchemaV1 | undefined = undefined> extends WorkerOptions {
  /** Schema of the JSON body. Without one, `body` is the parsed JSON, unchecked. */
  readonly body?: B;
  /** Processes one message. Throw to have it delivered again. */
  readonly handle: (message: SqsMessage<SchemaOutput<B, unknown>>) => Promise<void>;
}

/** A Lambda handler for an SQS event source mapping with `ReportBatchItemFailures`. */
export type SqsWorkerHandler = (event: SqsEventLike, context?: WorkerContext) => Promise<SqsBatchResponse>;

/**
 * Wraps a message handler into a Lambda handler for an SQS event source mapping that reports batch item failures
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html): messages are processed one at a
 * time, in order, and only the ones that failed come back, each after its visibility timeout.
 * - A message that is not JSON or that the `body` schema refuses is reported failed alone, logged at error with its
 *   id, never its body: retries cannot fix it, so it reaches the queue's dead-letter queue after `maxReceiveCount`,
 *   without holding back the rest of the batch.
 * - On a FIFO queue, once a message fails, every later message of the batch is reported failed unprocessed, so no
 *   message is processed before one sent ahead of it (the ordering the page above asks of partial responses).
 * - With `idempotency`, a message already processed is skipped and one in progress elsewhere reported failed.
 * - When the invocation's time runs short, no new message is started; the rest are reported failed, so the batch is
 *   answered before Lambda's timeout (which would deliver the whole batch again).
 */
export function sqsWorker<B extends StandardSchemaV1 | undefined = undefined>(
  options: SqsWorkerOptions<B>,
): SqsWorkerHandler {
  const core = new WorkerCore('sqsWorker', options);
  return (event, context) =>
    core.invoke(context, async (invocation) => {
      const records = recordsOf(event);
      const failures: { itemIdentifier: string }[] = [];
      for (let index = 0; index < records.length; index++) {
        const record = records[index];
        if (!invocation.hasTime()) {
          const rest = records.slice(index).map((r) => r.messageId);
          invocation.defer(rest, "the function's time is running out");
          failures.push(...rest.map((itemIdentifier) => ({ itemIdentifier })));
          break;
        }
        const queue = queueNameOf(record.eventSourceARN);
        const messageId = record.messageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.stringValue ?? record.messageId;
        const groupId = record.attributes?.MessageGroupId;
        const { outcome } = await invocation.process({
          id: messageId,
          source: record.eventSourceARN,
          logKeys: { messageId, sqsMessageId: record.messageId, eventSource: 'aws:sqs', queue, groupId },
          parse: async () => {
            const json = parseMessageJson(record.body, 'message body');
            return options.body ? validateMessage(options.body, json, 'body') : json;
          },
          handle: (body) =>
            options.handle({
              body: body as SchemaOutput<B, unknown>,
              messageId,
              queue,
              groupId,
              receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
              record,
              logger: core.logger,
            }),
        });
        if (!isRedelivered(outcome)) continue;
        failures.push({ itemIdentifier: record.messageId });
        if (record.eventSourceARN.endsWith('.fifo')) {
          const rest = records.slice(index + 1).map((r) => r.messageId);
          invocation.defer(rest, 'an earlier message of this FIFO batch failed');
          failures.push(...rest.map((itemIdentifier) => ({ itemIdentifier })));
          break;
        }
      }
      return { batchItemFailures: failures };
    });
}

function recordsOf(event: SqsEventLike): readonly SqsRecordLike[] {
  const records = (event as { Records?: unknown } | undefined)?.Records;
  if (
    !Array.isArray(records) ||
    records.some((record: SqsRecordLike) => record?.eventSource !== 'aws:sqs' || typeof record.messageId !== 'string')
  ) {
    throw new Error('sqsWorker: the event is not an SQS event (Records of eventSource "aws:sqs")');
  }
  return records as readonly SqsRecordLike[];
}

/** `orders` of `arn:aws:sqs:us-east-1:123456789012:orders`. */
function queueNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}
