// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isDeadlineAbort } from './deadline';
import { HttpError, retryLater } from './problem';

/** Whether a write was refused by its condition expression. Compares the name, which survives bundling. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The item a failed condition returned (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`), if any. The document
 * client does not translate errors, so it arrives in DynamoDB JSON (`{ S: '...' }`).
 */
export function itemOfConditionFailure(error: unknown): { [attribute: string]: unknown } | undefined {
  const returned = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
  return returned === undefined ? undefined : unmarshall(returned);
}

/** DynamoDB errors that mean "not now": capacity, throttling, or the service itself. */
const TRANSIENT_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  // STS's name for a throttled AssumeRole (caller-bound patterns).
  'Throttling',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TransactionConflictException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Socket-level failures: the connection was refused, reset or dropped before an answer came back. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Whether an error is one a later attempt may not meet: throttling, a DynamoDB server error, a timeout, a
 * dropped connection, or a call cut off by the invocation's deadline. The AWS SDK has already retried these with backoff by the time a handler sees them.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Cut off by the invocation's deadline: no answer came while the function had time to wait for one.
  if (isDeadlineAbort(error)) return true;
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (TRANSIENT_ERROR_NAMES.has(e.name) || (e.code !== undefined && NETWORK_ERROR_CODES.has(e.code))) return true;
  if (e.$retryable !== undefined) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return /socket hang up|ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|EAI_AGAIN/.test(e.message);
}

/** How long a client should wait after a 503 caused by throttling or a dropped connection. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/**
 * The response an error deserves: an `HttpError` stands; a transient database failure that outlived the SDK's
 * retries is a 503 with `Retry-After` (nothing was half-written: every write is a single conditional item
 * write); anything else is undefined, for the caller to answer 500.
 */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (isTransient(error)) {
    return retryLater(
      503,
      'the database is busy or unreachable; retry the request after the time in Retry-After',
      SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
    );
  }
  return undefined;
}
