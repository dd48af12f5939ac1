import { createHash } from 'crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  DEADLINE_MARGIN_MS,
  FINAL_WRITE_RESERVE_MS,
  isDeadlineAbort,
  sendOptions,
  withDeadline,
  withReserve,
  DeadlineExceededError,
} from './deadline';
import { httpErrorOf } from './dynamodb-errors';
import type { LambdaContextLike, ToolkitMetrics } from './handler';
import { COMPLETED, IdempotencyStore, type IdempotencyStoreOptions } from './idempotency-store';
import type { FieldError } from './problem';
import { fieldErrorsOf } from './request';
import type { StandardSchemaV1 } from './standard-schema';
import type { Table } from './table';
import { withIdempotentWrites } from './write-ids';

/** The part of the Lambda context a worker reads. */
export interface WorkerContext extends LambdaContextLike {
  /** Scopes the idempotency of messages: two functions fed the same message each process it. */
  readonly functionName?: string;
}

/** Where a worker keeps its idempotency records: the same store, patterns and lifetimes as requests'. */
export type WorkerIdempotencyOptions = IdempotencyStoreOptions;

/** Options every worker takes, whatever its source. */
export interface WorkerOptions {
  /** The table, for idempotency. */
  readonly table?: Table;
  /**
   * Process each message once per message id: a delivery of a message already processed is skipped, one arriving
   * while another invocation still processes it is reported failed (it comes back later). Needs `table`, with the
   * idempotency patterns (`putIdempotencyRecord`, `getIdempotencyRecord`) among the function's access patterns.
   * Default: none, every delivery is processed.
   */
  readonly idempotency?: WorkerIdempotencyOptions;
  /** A Powertools logger. Default: a new one (level from `POWERTOOLS_LOG_LEVEL`, else INFO). */
  readonly logger?: Logger;
  /**
   * A Powertools `Metrics` (or anything with its `addMetric` and `publishStoredMetrics`) to count what the toolkit
   * decides, as `apiHandler` does: `IdempotentReplay` (a duplicate skipped), `IdempotencyInProgress`,
   * `DatabaseUnavailable`, `UnhandledError`, and for workers `InvalidMessage` and `MessageDeferred` (not started
   * because time ran short, or because an earlier record of an ordered batch failed). Default: none.
   */
  readonly metrics?: ToolkitMetrics;
  /**
   * A record is started only while the invocation has more than this many milliseconds left, besides the 500 ms kept
   * to answer; the rest are reported failed, to come back. Default 1,000.
   */
  readonly minTimePerRecordMs?: number;
}

/** What a schema gives, or `Otherwise` without one. */
export type SchemaOutput<S, Otherwise> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : Otherwise;

/** A message no attempt can process as it is: not JSON, or refused by its schema. */
export class InvalidMessageError extends Error {
  /** The fields the schema refused (`body.title`), as routes list them. */
  public readonly errors: readonly FieldError[];

  public constructor(message: string, errors: readonly FieldError[] = []) {
    super(message);
    this.name = 'InvalidMessageError';
    this.errors = errors;
  }
}

/** Parses a message body as JSON; anything else is an invalid message. */
export function parseMessageJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidMessageError(`the ${what} is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}

/** Validates a message part with a Standard Schema, as routes validate theirs; a refusal is an invalid message. */
export async function validateMessage<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
  where: string,
): Promise<StandardSchemaV1.InferOutput<S>> {
  let result = schema['~standard'].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues) {
    const { errors, summary } = fieldErrorsOf(result.issues, where);
    throw new InvalidMessageError(`the message ${where} is invalid: ${summary}`, errors);
  }
  return result.value;
}

/** How one record ended. Everything but `processed`, `duplicate` and `skipped` is reported failed, to come back. */
export type RecordOutcome =
  'processed' | 'duplicate' | 'skipped' | 'invalid' | 'in-progress' | 'failed' | 'unavailable' | 'deferred';

/** Whether a record's outcome leaves it to be delivered again. */
export function isRedelivered(outcome: RecordOutcome): boolean {
  return outcome !== 'processed' && outcome !== 'duplicate' && outcome !== 'skipped';
}

const METRIC_OF: { readonly [outcome in RecordOutcome]?: string } = {
  duplicate: 'IdempotentReplay',
  'in-progress': 'IdempotencyInProgress',
  unavailable: 'DatabaseUnavailable',
  failed: 'UnhandledError',
  invalid: 'InvalidMessage',
  deferred: 'MessageDeferred',
};

/** Returned by a record's `parse` for a record the worker passes over (the toolkit's own bookkeeping items). */
export const SKIP = Symbol('skip');

/** One record as a source-specific worker hands it to the core. */
export interface Delivery<T> {
  /** The message id idempotency keys on. */
  readonly id: string;
  /** What the record came from (a queue's or stream's ARN), so ids of two sources never meet. */
  readonly source: string;
  /** Log keys of every line while the record is processed (message id, source, queue or detail type). */
  readonly logKeys: { readonly [key: string]: string | number | boolean | undefined };
  /** Reads and validates the record: throws `InvalidMessageError`, or returns `SKIP`. */
  readonly parse: () => T | typeof SKIP | Promise<T | typeof SKIP>;
  readonly handle: (value: T) => Promise<void>;
}

/** How a record ended, and the error when it failed. */
export interface Processed {
  readonly outcome: RecordOutcome;
  readonly error?: unknown;
}

/**
 * What the three workers share: the deadline, idempotency through the same store as requests, per-record log keys,
 * the outcome metrics. `takeOver` claims a message still in progress (streams: never delivered twice at once).
 */
export class WorkerCore {
  public readonly logger: Logger;
  private readonly options: WorkerOptions;
  private readonly store?: IdempotencyStore;
  private readonly takeOver: boolean;

  constructor(kind: string, options: WorkerOptions, takeOver = false) {
    this.logger = options.logger ?? new Logger();
    this.options = options;
    this.takeOver = takeOver;
    if (options.idempotency) {
      if (!options.table) throw new Error(`${kind}: \`idempotency\` needs \`table\` (Table.fromEnvironment())`);
      this.store = new IdempotencyStore(options.table, options.idempotency);
    }
    const min = options.minTimePerRecordMs;
    if (min !== undefined && !(Number.isInteger(min) && min >= 0)) {
      throw new Error(`${kind}: \`minTimePerRecordMs\` must be a whole number of milliseconds, got: ${min}`);
    }
  }

  /** Runs one invocation under the function's deadline; its outcome metrics are published when it ends. */
  public async invoke<R>(context: WorkerContext | undefined, fn: (invocation: Invocation) => Promise<R>): Promise<R> {
    if (context && typeof context.functionName === 'string') {
      this.logger.addContext(context as Parameters<Logger['addContext']>[0]);
    }
    const invocation = new Invocation(this, context);
    try {
      return await withDeadline(context?.getRemainingTimeInMillis?.(), () => fn(invocation));
    } finally {
      this.publish(invocation.counts);
    }
  }

  /** @internal */
  public async process<T>(delivery: Delivery<T>, context: WorkerContext | undefined): Promise<Processed> {
    const logger = this.logger;
    logger.appendKeys(delivery.logKeys);
    try {
      let value: T | typeof SKIP;
      try {
        value = await delivery.parse();
      } catch (error) {
        if (!(error instanceof InvalidMessageError)) throw error;
        // Never the body: it may hold personal data. Its id finds it in the queue, DLQ or destination.
        logger.error('invalid message: not processed, reported failed', {
          reason: error.message,
          errors: error.errors,
        });
        return { outcome: 'invalid', error };
      }
      if (value === SKIP) return { outcome: 'skipped' };
      if (!this.store) {
        await untilDeadline(delivery.handle(value));
        return { outcome: 'processed' };
      }
      return await this.once(delivery, value, context);
    } catch (error) {
      return this.failed(error);
    } finally {
      logger.removeKeys(Object.keys(delivery.logKeys));
    }
  }

  /** Processes a record under a claim of its message id, or skips it when another delivery holds or did it. */
  private async once<T>(delivery: Delivery<T>, value: T, context: WorkerContext | undefined): Promise<Processed> {
    const store = this.store!;
    const functionName = context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? '';
    const scope = `worker\n${functionName}\n${delivery.source}\n${delivery.id}`;
    // The id names the message, not its content: a request's retry sends the same id with, say, a newer timestamp.
    const acquired = await store.acquire(
      scope,
      'message',
      store.lockMs(context?.getRemainingTimeInMillis?.()),
      this.takeOver,
    );
    if (!acquired.claimed) {
      if (acquired.record.status === COMPLETED) {
        this.logger.info('duplicate delivery of a processed message: skipped');
        return { outcome: 'duplicate' };
      }
      this.logger.warn('message in progress in another invocation: reported failed, to come back');
      return { outcome: 'in-progress', error: new Error('the message is being processed by another invocation') };
    }
    const seed = createHash('sha256').update(scope).digest('base64url');
    try {
      // The handler's writes and messages carry ids every run of this message shares; its calls end early enough
      // for the write that records the outcome.
      await withIdempotentWrites(seed, () =>
        withReserve(FINAL_WRITE_RESERVE_MS, () => untilDeadline(delivery.handle(value))),
      );
    } catch (error) {
      try {
        await acquired.claim.release();
      } catch (releaseError) {
        this.logger.warn('could not release the message: it is retried once its lock expires', {
          error: releaseError as Error,
        });
      }
      throw error;
    }
    try {
      await acquired.claim.finish({});
    } catch (error) {
      // Processed all the same: reporting success deletes it; a rare duplicate waits for the lock, then runs again.
      this.logger.error('could not record the message as processed', { error: error as Error });
    }
    return { outcome: 'processed' };
  }

  private failed(error: unknown): Processed {
    const timedOut = error instanceof DeadlineExceededError || isDeadlineAbort(error);
    if (timedOut || httpErrorOf(error)?.status === 503) {
      const why = timedOut
        ? "the function's time ran out while processing"
        : 'a dependency stayed throttled or unreachable after retries';
      this.logger.warn(`message failed: ${why}; reported failed, to come back`, { error: error as Error });
      return { outcome: 'unavailable', error };
    }
    this.logger.error('message failed: reported failed, to come back', { error: error as Error });
    return { outcome: 'failed', error };
  }

  /** Whether a record may start: time left beyond the margin to answer, the final write and `minTimePerRecordMs`. */
  public hasTime(context: WorkerContext | undefined): boolean {
    if (sendOptions()?.abortSignal.aborted) return false;
    const remaining = context?.getRemainingTimeInMillis?.();
    if (remaining === undefined) return true;
    return remaining > DEADLINE_MARGIN_MS + FINAL_WRITE_RESERVE_MS + (this.options.minTimePerRecordMs ?? 1_000);
  }

  private publish(counts: Map<RecordOutcome, number>): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    let added = false;
    for (const [outcome, count] of counts) {
      const name = METRIC_OF[outcome];
      if (name === undefined || count === 0) continue;
      metrics.addMetric(name, 'Count', count);
      added = true;
    }
    if (added) metrics.publishStoredMetrics();
  }
}

/** One invocation of a worker: its records' outcomes, counted. */
export class Invocation {
  public readonly counts = new Map<RecordOutcome, number>();
  private readonly core: WorkerCore;
  private readonly context?: WorkerContext;

  constructor(core: WorkerCore, context: WorkerContext | undefined) {
    this.core = core;
    this.context = context;
  }

  /** Whether another record may start. */
  public hasTime(): boolean {
    return this.core.hasTime(this.context);
  }

  public async process<T>(delivery: Delivery<T>): Promise<Processed> {
    const processed = await this.core.process(delivery, this.context);
    this.count(processed.outcome);
    return processed;
  }

  /** Records not started, reported failed: why, and their ids. */
  public defer(ids: readonly string[], why: string): void {
    if (ids.length === 0) return;
    this.count('deferred', ids.length);
    this.core.logger.warn(`${ids.length} records not started (${why}): reported failed, to come back`, { ids });
  }

  private count(outcome: RecordOutcome, n = 1): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + n);
  }
}

/**
 * `work`, or the deadline's error once the invocation's time (less what is kept back) runs out first: a handler
 * busy with something the toolkit cannot cut off does not keep the batch from being answered in time.
 */
function untilDeadline<T>(work: Promise<T>): Promise<T> {
  const signal = sendOptions()?.abortSignal;
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
