import { createHash } from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sendOptions } from './deadline';
import { isConditionalCheckFailed } from './dynamodb-errors';
import { itemKeyOf } from './keys';
import { retryLater } from './problem';
import type { ApiRequest } from './request';
import type { TableContext } from './table-config';
import { keyShapeParams } from '../shared/key-shape';

/** Options of per-caller rate limiting. */
export interface RateLimitOptions {
  /** Requests each caller may make per window. */
  readonly limit: number;
  /** Length of a window in seconds; windows start at multiples of it since the epoch. */
  readonly windowSeconds: number;
  /**
   * The UpdateItem access pattern of the counters. Its key shapes must use `{caller}` and `{window}`, e.g.
   * partition key `RATE#{caller}` and sort key `WINDOW#{window}`: one partition per caller, so no caller's
   * counters crowd another's. Default `"rateLimit"`.
   */
  readonly pattern?: string;
  /** Who a request counts against. Default: the principal's id, else the source IP address. */
  readonly callerOf?: (request: ApiRequest) => string;
}

/** The outcome of counting one request. */
export interface RateLimitState {
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window ends. */
  readonly resetSeconds: number;
}

const COUNT_ATTRIBUTE = 'requestCount';

/**
 * Fixed-window counting: one counter item per caller per window, incremented only while it is below the
 * limit (a conditional update, so exactly `limit` requests are admitted however many arrive at once), and
 * expiring through the table's TTL attribute once its window has passed.
 */
export class RateLimiter {
  private readonly table: TableContext;
  private readonly options: RateLimitOptions;
  private readonly patternName: string;

  constructor(table: TableContext, options: RateLimitOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new Error(`rateLimit.limit must be a positive integer, got: ${options.limit}`);
    }
    if (!Number.isInteger(options.windowSeconds) || options.windowSeconds < 1) {
      throw new Error(`rateLimit.windowSeconds must be a positive integer, got: ${options.windowSeconds}`);
    }
    this.table = table;
    this.options = options;
    this.patternName = options.pattern ?? 'rateLimit';
    const descriptor = this.descriptor();
    const params = [descriptor.partitionKey?.[1], descriptor.sortKey?.[1]].flatMap((s) => (s ? keyShapeParams(s) : []));
    if (
      !params.includes('caller') ||
      !params.includes('window') ||
      params.some((p) => p !== 'caller' && p !== 'window')
    ) {
      throw new Error(
        `rate-limit pattern "${this.patternName}" must build its key from {caller} and {window} only, e.g. RATE#{caller} / WINDOW#{window}`,
      );
    }
  }

  /**
   * Counts `request` against its caller's window: the state when admitted, a 429 with `Retry-After` when not.
   * @param now the time of the request, in milliseconds since the epoch
   * @default the table's clock
   */
  public async admit(request: ApiRequest, now: number = this.table.clock()): Promise<RateLimitState> {
    const { limit, windowSeconds } = this.options;
    const nowSeconds = Math.floor(now / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const windowEnd = windowStart + windowSeconds;
    const caller = (this.options.callerOf ?? defaultCaller)(request);
    const key = itemKeyOf(this.descriptor(), {
      // Hashed: a caller id can be long, hold "#" or be personal data (an email), none of which belongs in a key.
      caller: createHash('sha256').update(caller).digest('base64url').slice(0, 22),
      window: windowStart,
    });
    try {
      const result = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.config.tableName,
          Key: key,
          UpdateExpression: 'ADD #count :one SET #ttl = :expires',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': COUNT_ATTRIBUTE, '#ttl': this.table.config.ttlAttribute },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': windowEnd },
          ReturnValues: 'UPDATED_NEW',
        }),
        sendOptions(),
      );
      const count = Number(result.Attributes?.[COUNT_ATTRIBUTE] ?? limit);
      return { limit, remaining: Math.max(0, limit - count), resetSeconds: windowEnd - nowSeconds };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      throw retryLater(
        429,
        `rate limit of ${limit} requests per ${windowSeconds} seconds reached; retry after the time in Retry-After`,
        windowEnd - now / 1000,
        rateLimitHeaders({ limit, remaining: 0, resetSeconds: windowEnd - nowSeconds }),
      );
    }
  }

  private descriptor() {
    const descriptor = this.table.config.accessPatterns[this.patternName];
    if (descriptor === undefined || descriptor.operation !== 'UpdateItem') {
      throw new Error(
        `rate limiting needs an UpdateItem access pattern named "${this.patternName}" on this function, e.g. AccessPattern.updateItem({ partitionKey: 'RATE#{caller}', sortKey: 'WINDOW#{window}' })`,
      );
    }
    return descriptor;
  }
}

/** The caller a request counts against: its authenticated principal, else its source IP address. */
export function defaultCaller(request: ApiRequest): string {
  return request.principal.id !== undefined
    ? `${request.principal.kind}:${request.principal.id}`
    : `ip:${request.sourceIp}`;
}

/** Headers telling the caller where it stands (the IETF RateLimit header fields). */
export function rateLimitHeaders(state: RateLimitState): { [name: string]: string } {
  return {
    'ratelimit-limit': `${state.limit}`,
    'ratelimit-remaining': `${state.remaining}`,
    'ratelimit-reset': `${state.resetSeconds}`,
  };
}

/**
 * Whether an item is a rate-limit counter, by its shape: besides its key attributes, only the count and its expiry.
 * What a table-stream worker passes over, as it is the toolkit's bookkeeping rather than the application's data.
 */
export function isRateLimitCounter(
  item: { readonly [attribute: string]: unknown } | undefined,
  keyAttributes: ReadonlySet<string>,
): boolean {
  if (item === undefined || typeof item[COUNT_ATTRIBUTE] !== 'number') return false;
  const others = Object.keys(item).filter((name) => !keyAttributes.has(name) && name !== COUNT_ATTRIBUTE);
  return others.length === 1 && typeof item[others[0]] === 'number';
}
