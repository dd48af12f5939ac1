import { isTransient, SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS } from './dynamodb-errors';
import { HttpError } from './problem';

/** Options of the SQS and EventBridge clients the toolkit makes for `Queues` and `EventBus`. */
export interface SenderClientOptions {
  /** Milliseconds to wait for a connection. Default 1,000. */
  readonly connectionTimeoutMs?: number;
  /**
   * Milliseconds to wait for each answer before the attempt counts as failed and is retried. Without one, a stalled
   * connection holds the request until API Gateway gives up. Default 3,000.
   */
  readonly requestTimeoutMs?: number;
}

/** The HTTP handler settings of a sender's client: bounded connection and answer, as the table's client has. */
export function senderRequestHandler(options: SenderClientOptions) {
  return {
    connectionTimeout: options.connectionTimeoutMs ?? 1_000,
    requestTimeout: options.requestTimeoutMs ?? 3_000,
    // Without it, the timeout only logs a warning and a stalled connection still holds the request.
    throwOnRequestTimeout: true,
  };
}

/**
 * Error names of SQS and EventBridge that mean "not now", besides those the table's errors share (throttling,
 * 5xx, timeouts, dropped connections): SQS's throttling of the queue or of its KMS key
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_Errors)
 * and the retryable codes of a PutEvents entry
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html).
 */
const SENDER_TRANSIENT_NAMES = new Set(['RequestThrottled', 'KmsThrottled', 'InternalFailure', 'InternalException']);

/** Whether a failed send may succeed later: the same judgement as the table's, plus the senders' own names. */
export function isTransientSendError(error: unknown): boolean {
  return isTransient(error) || (error instanceof Error && SENDER_TRANSIENT_NAMES.has(error.name));
}

/**
 * What a failed send becomes: a 503 with `Retry-After` when waiting may help (the SDK has retried already), carrying
 * the failure as its cause for the log; else the error itself.
 */
export function sendFailure(what: string, error: unknown): unknown {
  if (!isTransientSendError(error)) return error;
  return new HttpError(503, `${what} is busy or unreachable; retry the request after the time in Retry-After`, {
    headers: { 'retry-after': `${SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS}` },
    extensions: { retryAfterSeconds: SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS },
    cause: error,
  });
}

/** An id a message may carry as its own: what a FIFO `MessageDeduplicationId` accepts, 1 to 128 visible ASCII. */
export const MESSAGE_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** A message or event larger than the service accepts. Catch it to answer a 413, or send a reference instead. */
export class MessageTooLargeError extends Error {
  /** The size that counts against the limit, in bytes. */
  public readonly bytes: number;
  /** The limit, in bytes. */
  public readonly maxBytes: number;

  public constructor(what: string, bytes: number, maxBytes: number, rule: string) {
    super(
      `${what} is ${bytes} bytes (${rule}); at most ${maxBytes} bytes are accepted: send a reference to the data (an item's key, an S3 object) instead`,
    );
    this.name = 'MessageTooLargeError';
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/** The JSON text of a message body; anything JSON cannot represent is a programming error. */
export function jsonText(what: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new Error(`${what} must be JSON-serializable: ${(error as Error).message}`);
  }
  if (text === undefined) throw new Error(`${what} must be a JSON value, got: ${typeof value}`);
  return text;
}
