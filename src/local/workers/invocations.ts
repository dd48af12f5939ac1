/**
 * One invocation of a worker, as the local API reports it: which worker, fed by what, how many items, how it ended
 * and how many items failed. `serverless-api dev` prints one line each; the test kit keeps them.
 */
import type { InvokeOutcome } from '../contracts';

export interface WorkerInvocation {
  /** The worker's declared name. */
  readonly worker: string;
  readonly functionId: string;
  /** What fed it: `queue orders`, `rule OnOrder`, `stream of Table`. */
  readonly source: string;
  /** Records (messages, events) in the invocation. */
  readonly batchSize: number;
  /** `partial`: the function returned, and reported some items failed. */
  readonly outcome: 'ok' | 'partial' | 'error' | 'timeout' | 'throttled';
  /** Items that failed: all of them when the invocation failed, those reported otherwise. */
  readonly failures: number;
  /** `ErrorType: message` of a failed invocation, or why a response counts as a failure. */
  readonly error?: string;
  /** Asynchronous invocations: 1 for the first attempt, 2 for the first retry... */
  readonly attempt?: number;
  /** What happens next, when something does: `retry in 1000 ms`, `3 messages return after 30 s`. */
  readonly next?: string;
}

/** The outcome of an invocation that did not return, as a line names it. */
export function outcomeError(outcome: InvokeOutcome): string | undefined {
  switch (outcome.status) {
    case 'ok':
      return undefined;
    case 'error':
      return `${outcome.errorType}: ${outcome.errorMessage}`;
    case 'timeout':
      return 'the function timed out';
    case 'throttled':
      return 'throttled (reserved concurrency reached)';
  }
}

/** `notify <- rule OnOrder: 1 item, error (Error: boom), attempt 1, retry in 1000 ms`. */
export function describeInvocation(invocation: WorkerInvocation): string {
  const items = `${invocation.batchSize} item${invocation.batchSize === 1 ? '' : 's'}`;
  const parts = [`${invocation.worker} <- ${invocation.source}: ${items}`, invocation.outcome];
  if (invocation.outcome === 'partial') parts[1] = `${invocation.failures} of ${invocation.batchSize} failed`;
  if (invocation.error) parts.push(invocation.error);
  if (invocation.attempt !== undefined) parts.push(`attempt ${invocation.attempt}`);
  if (invocation.next) parts.push(invocation.next);
  return parts.join(', ');
}
