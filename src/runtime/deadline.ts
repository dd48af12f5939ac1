import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Milliseconds of an invocation kept back for answering once the database calls are cut off: logging the 503,
 * serializing it and handing it back to Lambda take a few milliseconds when warm, but a garbage-collection pause,
 * a slow log flush or a metrics publish can take a few hundred. 500 ms keeps the 503 ahead of Lambda's timeout
 * with room to spare, while leaving the database 95% of the default 10 s timeout (and still 2/3 of a 1.5 s one).
 */
export const DEADLINE_MARGIN_MS = 500;

/**
 * Milliseconds before the deadline at which an idempotent route's handler is cut off, kept for the one write that
 * follows it: storing the response, or releasing the key when the answer is a 503. Without them that write would
 * be cut off too, and the key would stay locked until the lock expires. A DynamoDB write takes a few milliseconds
 * and 300 leave room for the SDK's first retry; the route's own calls keep the rest of the time.
 */
export const FINAL_WRITE_RESERVE_MS = 300;

/** Why a database call was cut off: the invocation's time, less what is kept back after it, ran out. */
export class DeadlineExceededError extends Error {
  public constructor(remainingMs: number, keptBackMs: number = DEADLINE_MARGIN_MS) {
    super(`the function's time (${remainingMs} ms left, less ${keptBackMs} ms kept back to finish) ran out`);
    this.name = 'DeadlineExceededError';
  }
}

interface Deadline {
  readonly signal: AbortSignal;
  /** When the signal fires, by `performance.now()`. */
  readonly atMs: number;
  /** The invocation's time left when it started, and what is kept back from it: for the error's message. */
  readonly remainingMs: number;
  readonly keptBackMs: number;
}

const current = new AsyncLocalStorage<Deadline>();

/**
 * Runs `fn` with a deadline of `remainingMs` less `DEADLINE_MARGIN_MS`: every database call the toolkit makes
 * inside it (`sendOptions()`) is aborted when it passes. Without `remainingMs`, `fn` runs without a deadline.
 */
export async function withDeadline<T>(remainingMs: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return fn();
  const controller = new AbortController();
  const waitMs = Math.max(0, remainingMs - DEADLINE_MARGIN_MS);
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError(remainingMs)), waitMs);
  const deadline = {
    signal: controller.signal,
    atMs: performance.now() + waitMs,
    remainingMs,
    keptBackMs: DEADLINE_MARGIN_MS,
  };
  try {
    return await current.run(deadline, fn);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `fn` with the current deadline brought `reserveMs` forward, so what follows `fn` under the current deadline
 * still has `reserveMs` for its own calls. Outside `withDeadline()`, runs `fn` without a deadline.
 */
export async function withReserve<T>(reserveMs: number, fn: () => Promise<T>): Promise<T> {
  const outer = current.getStore();
  if (outer === undefined) return fn();
  const keptBackMs = outer.keptBackMs + reserveMs;
  const error = () => new DeadlineExceededError(outer.remainingMs, keptBackMs);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(error()), Math.max(0, outer.atMs - reserveMs - performance.now()));
  // The outer deadline still binds, should it fire first (a reserve of 0).
  const follow = () => controller.abort(outer.signal.reason);
  if (outer.signal.aborted) follow();
  else outer.signal.addEventListener('abort', follow, { once: true });
  try {
    return await current.run(
      { signal: controller.signal, atMs: outer.atMs - reserveMs, remainingMs: outer.remainingMs, keptBackMs },
      fn,
    );
  } finally {
    clearTimeout(timer);
    outer.signal.removeEventListener('abort', follow);
  }
}

/**
 * The options of `client.send()` that bind a call to the current invocation's deadline: `{ abortSignal }`, or
 * undefined outside `withDeadline()` (so the call is made exactly as without a deadline). Pass it to your own
 * calls on `table.client` so they end in time too: `table.client.send(command, sendOptions())`.
 */
export function sendOptions(): { abortSignal: AbortSignal } | undefined {
  const deadline = current.getStore();
  return deadline && { abortSignal: deadline.signal };
}

/**
 * Whether `error` is a call cut off by the invocation's deadline. The SDK rejects an aborted call with an
 * `AbortError` (the abort reason as its `cause` when the HTTP handler aborted it, none when the retry backoff did).
 */
export function isDeadlineAbort(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'AbortError') return false;
  if ((error as { cause?: unknown }).cause instanceof DeadlineExceededError) return true;
  return current.getStore()?.signal.reason instanceof DeadlineExceededError;
}
