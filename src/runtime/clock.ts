/**
 * The time as the toolkit reads it, in milliseconds since the epoch, like `Date.now()`. Every expiry, lock and
 * window the toolkit computes (the TTL attribute, idempotency locks, rate-limit windows) reads its table's clock,
 * so a test can set or advance time instead of waiting for it:
 *
 * ```ts
 * let now = Date.UTC(2026, 0, 1);
 * const table = Table.fromEnvironment({ clock: () => now });
 * now += 60_000; // a minute later, for the table and everything built on it
 * ```
 */
export type Clock = () => number;

/** The system's clock. Read through `Date.now` on every call, so whatever replaces `Date.now` is honoured. */
export const systemClock: Clock = () => Date.now();

/** Now, in the unit DynamoDB TTL uses: whole seconds since the epoch. */
export function nowEpochSeconds(clock: Clock = systemClock): number {
  return Math.floor(clock() / 1000);
}
