/**
 * API Gateway's throttling algorithm: a token bucket per limit, `burstLimit` tokens deep, refilled at `rateLimit`
 * tokens per second; a request that finds its bucket empty is answered 429.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
import type { ThrottleModel } from '../model';

/** Milliseconds since some fixed point; `Date.now` unless a test drives the time. */
export type Now = () => number;

/** One bucket: full at first, refilled continuously. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limits: ThrottleModel,
    private readonly now: Now = Date.now,
  ) {
    this.tokens = limits.burstLimit;
    this.updatedAt = now();
  }

  /** Takes one token; false when the bucket is empty (the request is throttled). */
  public tryTake(): boolean {
    const now = this.now();
    const refill = ((now - this.updatedAt) / 1000) * this.limits.rateLimit;
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + refill);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Buckets by key (a stage, a route, an API key and method), created full on first use. */
export class TokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly now: Now = Date.now) {}

  /** Takes a token from the bucket `key` with `limits`; false when it is empty. */
  public tryTake(key: string, limits: ThrottleModel): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limits, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }
}
