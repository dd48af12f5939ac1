// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { sendOptions } from './deadline';
import {
  jsonText,
  MESSAGE_ID_PATTERN,
  MessageTooLargeError,
  sendFailure,
  senderRequestHandler,
  type SenderClientOptions,
} from './senders';
import { nextMessageId } from './write-ids';
import { QUEUES_ENV } from '../shared/env';
import { MESSAGE_ID_ATTRIBUTE } from '../shared/messages';

/** A queue the function may send to, as `ServerlessApi` describes it in `SERVERLESS_API_QUEUES`. */
export interface QueueConfig {
  readonly url: string;
  readonly fifo: boolean;
}

/** The queues of a function, by the name the stack declares. */
export type QueuesConfig = { readonly [name: string]: QueueConfig };

/**
 * The largest message SQS takes from a queue whose `MaximumMessageSize` is left at 256 KiB: body and message
 * attributes (names, types and values) count alike.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;
/** What a queue's `MaximumMessageSize` can be raised to (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html). */
export const LARGEST_MESSAGE_BYTES = 1024 * 1024;
/** The longest delay of a message on a standard queue, in seconds. */
export const MAX_DELAY_SECONDS = 900;

/** Options of `Queues.fromEnvironment()`. */
export interface QueuesOptions extends SenderClientOptions {
  /** An SQS client to use instead of the toolkit's own (tests, custom settings). */
  readonly client?: SQSClient;
  /**
   * How the client retries throttling and network errors (an AWS SDK retry strategy).
   * @default the AWS SDK's standard strategy: 3 attempts, exponential backoff with jitter
   */
  readonly retryStrategy?: SQSClientConfig['retryStrategy'];
  /**
   * The largest message, body and attributes, in bytes: the queues' `MaximumMessageSize` when the stack raised it.
   * @default 262,144 (256 KiB)
   */
  readonly maxMessageBytes?: number;
}

/** Options of one `enqueue()`. */
export interface EnqueueOptions {
  /**
   * The message group: required on a FIFO queue, whose groups are each received in order; on a standard queue it
   * makes the queue fair between groups (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues.html).
   * 1 to 128 visible ASCII characters.
   */
  readonly groupId?: string;
  /** Seconds before the message can be received, 0 to 900; standard queues only (a FIFO queue's delay is the queue's). */
  readonly delaySeconds?: number;
  /**
   * The message's id, instead of the toolkit's: one that names the operation wherever it is sent from (an order's id
   * and a step), 1 to 128 visible ASCII characters. Default: random, or derived from the idempotent request.
   */
  readonly id?: string;
}

/** What `enqueue()` sent. */
export interface EnqueueResult {
  /** The message's id (the `_messageId` attribute, and a FIFO queue's deduplication id): a worker's `messageId`. */
  readonly id: string;
  /** The id SQS gave this copy of the message. */
  readonly sqsMessageId?: string;
  /** A FIFO queue's sequence number of the message. */
  readonly sequenceNumber?: string;
}

/** Reads the queues `ServerlessApi` named for the function from `SERVERLESS_API_QUEUES`. */
export function readQueuesConfig(env: NodeJS.ProcessEnv = process.env): QueuesConfig {
  const raw = env[QUEUES_ENV];
  if (raw === undefined || raw === '') {
    throw new Error(
      `environment variable ${QUEUES_ENV} is not set: ServerlessApi sets it on functions that name the queues they send to`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error(`environment variable ${QUEUES_ENV} is not valid JSON`);
  }
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (queue) =>
        typeof queue === 'object' &&
        queue !== null &&
        typeof (queue as QueueConfig).url === 'string' &&
        typeof (queue as QueueConfig).fifo === 'boolean',
    );
  if (!valid) throw new Error(`environment variable ${QUEUES_ENV} does not hold what ServerlessApi sets`);
  return value as QueuesConfig;
}

/**
 * The queues a function sends to, by the names the stack gave them. Create it once at module scope, so its client's
 * connections are reused by warm invocations.
 *
 * Every message carries an id (the `_messageId` String attribute): inside an idempotent request (or a message a
 * worker processes idempotently) the n-th message a run sends to a queue has the same id on every run, so a retried
 * request that sends again sends the same id. A FIFO queue takes it as the `MessageDeduplicationId` and drops the
 * copy; a worker with idempotency processes a message of a standard queue once per id.
 */
export class Queues {
  /** Reads the queues `ServerlessApi` named for the function (`SERVERLESS_API_QUEUES`). */
  public static fromEnvironment(options: QueuesOptions = {}): Queues {
    const client =
      options.client ??
      sqs().createSqsClient({ requestHandler: senderRequestHandler(options), retryStrategy: options.retryStrategy });
    return new Queues(readQueuesConfig(), client, options);
  }

  public readonly config: QueuesConfig;
  public readonly client: SQSClient;
  private readonly maxMessageBytes: number;

  constructor(config: QueuesConfig, client: SQSClient, options: Pick<QueuesOptions, 'maxMessageBytes'> = {}) {
    const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(max) || max < 1_024 || max > LARGEST_MESSAGE_BYTES) {
      throw new Error(`maxMessageBytes must be a whole number from 1024 to ${LARGEST_MESSAGE_BYTES}, got: ${max}`);
    }
    this.config = config;
    this.client = client;
    this.maxMessageBytes = max;
  }

  /**
   * Sends `body` as JSON to the queue the stack named `queue`. A queue the function was not given, a FIFO queue
   * without `groupId` or a message over the size limit is a programming error, thrown before anything is sent. SQS
   * still throttled or unreachable after the SDK's retries, or silent when the invocation's time runs out, is a 503
   * with `Retry-After`.
   */
  public async enqueue(queue: string, body: unknown, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const target = this.queueNamed(queue);
    const what = `the message to queue "${queue}"`;
    const text = jsonText(`${what}'s body`, body);
    checkOptions(queue, target, options);
    const id = options.id ?? nextMessageId(`queue\n${queue}`);
    // A message attribute counts its name, its type and its value.
    const bytes =
      Buffer.byteLength(text) + Buffer.byteLength(MESSAGE_ID_ATTRIBUTE) + 'String'.length + Buffer.byteLength(id);
    if (bytes > this.maxMessageBytes) {
      throw new MessageTooLargeError(what, bytes, this.maxMessageBytes, 'body and attributes');
    }
    try {
      const result = await this.client.send(
        sqs().sendMessageCommand({
          QueueUrl: target.url,
          // JSON text holds only characters SQS accepts: JSON.stringify escapes control characters and lone surrogates.
          MessageBody: text,
          MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } },
          MessageGroupId: options.groupId,
          MessageDeduplicationId: target.fifo ? id : undefined,
          DelaySeconds: options.delaySeconds,
        }),
        sendOptions(),
      );
      return { id, sqsMessageId: result.MessageId, sequenceNumber: result.SequenceNumber };
    } catch (error) {
      throw sendFailure('the message queue', error);
    }
  }

  private queueNamed(queue: string): QueueConfig {
    if (Object.hasOwn(this.config, queue)) return this.config[queue];
    const known = Object.keys(this.config);
    throw new Error(
      `this function has no queue "${queue}": name it among the queues the function sends to in the stack (it has: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
}

/** The SQS client's module, loaded with the first `Queues` (see sqs-client.ts). */
function sqs(): typeof import('./sqs-client') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not with the toolkit
  return require('./sqs-client') as typeof import('./sqs-client');
}

function checkOptions(queue: string, target: QueueConfig, options: EnqueueOptions): void {
  const { groupId, delaySeconds, id } = options;
  if (target.fifo && groupId === undefined) {
    throw new Error(
      `queue "${queue}" is a FIFO queue: pass \`groupId\` (the messages of one group are received in order, one at a time)`,
    );
  }
  if (groupId !== undefined && !MESSAGE_ID_PATTERN.test(groupId)) {
    throw new Error(`\`groupId\` must be 1 to 128 visible ASCII characters, got: ${JSON.stringify(groupId)}`);
  }
  if (delaySeconds !== undefined) {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html (DelaySeconds)
    if (target.fifo) {
      throw new Error(
        `queue "${queue}" is a FIFO queue, which takes no delay per message: set the queue's delay instead`,
      );
    }
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
      throw new Error(`\`delaySeconds\` must be a whole number from 0 to ${MAX_DELAY_SECONDS}, got: ${delaySeconds}`);
    }
  }
  if (id !== undefined && !MESSAGE_ID_PATTERN.test(id)) {
    throw new Error(`\`id\` must be 1 to 128 visible ASCII characters, got: ${JSON.stringify(id)}`);
  }
}
