/**
 * A Lambda authorizer's result cache: entries keyed by the identity source values, kept `resultTtlSeconds`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.caching
 */

/** Bounds memory when every request carries a new token: the oldest entries make room. */
const MAX_ENTRIES = 10_000;

export class ResultCache<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly expiresAt: number }>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  public get enabled(): boolean {
    return this.ttlSeconds > 0;
  }

  public get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  public set(key: string, value: T): void {
    if (!this.enabled) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlSeconds * 1000 });
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** One key for a list of values, unambiguous whatever the values contain. */
export function cacheKey(values: readonly string[]): string {
  return JSON.stringify(values);
}
