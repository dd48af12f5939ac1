import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Milliseconds of an invocation kept back for answering once the database calls are cut off: logging the 503,
 * serializing it and handing it back to Lambda take a few milliseconds when warm, but a garbage-collection pause,
 * a slow log flush or a metrics publish can take a few hundred. 500 ms keeps the 503 ahead of Lambda's timeout
 * with room to spare, while leaving the database 95% of the default 10 s timeout (and still 2/3 of a 1.5 s one).
 */
export const DEADLINE_MARGIN_MS = 500;

/** Why a database call was cut off: the invocation's time, less the margin for answering, ran out. */
export class DeadlineExceededError extends Error {
  public constructor(remainingMs: number) {
    super(`the function's time (${remainingMs} ms left, less ${DEADLINE_MARGIN_MS} ms to answer) ran out`);
    this.name = 'DeadlineExceededError';
  }
}

interface Deadline {
  readonly signal: AbortSignal;
}

const current = new AsyncLocalStorage<Deadline>();

/**
 * Runs `fn` with a deadline of `remainingMs` less `DEADLINE_MARGIN_MS`: every database call the toolkit makes
 * inside it (`sendOptions()`) is aborted when it passes. Without `remainingMs`, `fn` runs without a deadline.
 */
export async function withDeadline<T>(remainingMs: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return fn();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DeadlineExceededError(remainingMs)),
    Math.max(0, remainingMs - DEADLINE_MARGIN_MS),
  );
  try {
    return await current.run({ signal: controller.signal }, fn);
  } finally {
    clearTimeout(timer);
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
