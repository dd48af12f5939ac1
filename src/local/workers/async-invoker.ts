/**
 * Lambda's asynchronous invocation, as EventBridge uses it: the event is queued, the function invoked, and a function
 * error or timeout retried up to `MaximumRetryAttempts` times (2 by default) while the event is younger than
 * `MaximumEventAgeInSeconds`; a throttled invocation is retried without counting. Then the on-failure destination gets
 * an invocation record (or the function's dead-letter queue the event itself); a success goes to the on-success
 * destination. Lambda waits about a minute, then two, between attempts; the local API waits `retryDelayMs`, then twice
 * that, so that tests do not wait minutes.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import { randomUUID } from 'crypto';
import type { InvokeOutcome } from '../contracts';
import { ASYNC_DEFAULTS, type LocalAsyncConfigModel } from '../workers-model';
import { outcomeError, type WorkerInvocation } from './invocations';

export interface AsyncInvokerOptions {
  /** Invokes the function in the version being served. */
  readonly invoke: (functionId: string, event: unknown) => Promise<InvokeOutcome>;
  /** The function's declared name, ARN and asynchronous settings in the version being served. */
  readonly describe: (
    functionId: string,
  ) => { readonly name: string; readonly arn: string; readonly config: LocalAsyncConfigModel } | undefined;
  /** Sends a destination record (or a dead-letter message) to an SQS queue with the function's execution role. */
  readonly send: (
    functionId: string,
    queueArn: string,
    body: string,
    attributes?: { readonly [name: string]: { readonly DataType: string; readonly StringValue: string } },
  ) => void;
  readonly retryDelayMs: number;
  readonly onInvocation: (invocation: WorkerInvocation) => void;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

interface Pending {
  readonly functionId: string;
  readonly event: unknown;
  readonly source: string;
  readonly requestId: string;
  readonly queuedAt: number;
  /** Invocations that reached the function. */
  attempts: number;
  /** Throttled tries in a row, for the backoff. */
  throttles: number;
}

export class AsyncInvoker {
  private readonly pending = new Set<Pending>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: AsyncInvokerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Queues an event for the function, as Lambda accepts an asynchronous invocation (202). */
  invoke(functionId: string, event: unknown, source: string): void {
    const item: Pending = {
      functionId,
      event,
      source,
      requestId: randomUUID(),
      queuedAt: this.now(),
      attempts: 0,
      throttles: 0,
    };
    this.pending.add(item);
    this.later(item, 0);
  }

  /** Events queued, running or waiting for a retry. */
  busy(): string[] {
    return [...this.pending].map(
      (item) =>
        `an asynchronous invocation of ${this.options.describe(item.functionId)?.name ?? item.functionId} from ${item.source} (attempt ${item.attempts + 1})`,
    );
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending.clear();
  }

  private later(item: Pending, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(item);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(item: Pending): Promise<void> {
    if (this.stopped) return;
    const described = this.options.describe(item.functionId);
    if (!described) {
      this.options.log(`dropped an event from ${item.source}: its function ${item.functionId} is no longer in the app`);
      this.pending.delete(item);
      return;
    }
    const { config } = described;
    if (this.now() - item.queuedAt > config.maximumEventAgeSeconds * 1000) {
      return this.fail(item, 'EventAgeExceeded', undefined);
    }
    const outcome = await this.options.invoke(item.functionId, item.event);
    if (this.stopped) return;
    const report = (extra: Partial<WorkerInvocation>) =>
      this.options.onInvocation({
        worker: described.name,
        functionId: item.functionId,
        source: item.source,
        batchSize: 1,
        outcome: outcome.status,
        failures: outcome.status === 'ok' ? 0 : 1,
        attempt: item.attempts + (outcome.status === 'throttled' ? 1 : 0),
        ...(outcomeError(outcome) ? { error: outcomeError(outcome) } : {}),
        ...extra,
      });
    if (outcome.status === 'throttled') {
      item.throttles++;
      const delay = this.options.retryDelayMs * Math.min(item.throttles, 5);
      report({ next: `retry in ${delay} ms` });
      return this.later(item, delay);
    }
    item.attempts++;
    if (outcome.status === 'ok') {
      report({});
      this.pending.delete(item);
      if (config.onSuccessArn) {
        this.options.send(
          item.functionId,
          config.onSuccessArn,
          JSON.stringify(this.record(item, 'Success', described.arn, outcome)),
        );
      }
      return;
    }
    const retriesLeft = config.maximumRetryAttempts - (item.attempts - 1);
    if (retriesLeft > 0) {
      // Lambda waits about 1 minute before the first retry and 2 before the second.
      const delay = this.options.retryDelayMs * item.attempts;
      report({ next: `retry in ${delay} ms` });
      return this.later(item, delay);
    }
    report({ next: this.failureNext(config) });
    this.fail(item, 'RetriesExhausted', outcome);
  }

  private failureNext(config: LocalAsyncConfigModel): string {
    if (config.onFailureArn) return `retries exhausted: a record goes to ${queueName(config.onFailureArn)}`;
    if (config.deadLetterArn) return `retries exhausted: the event goes to ${queueName(config.deadLetterArn)}`;
    return 'retries exhausted: the event is discarded';
  }

  private fail(
    item: Pending,
    condition: 'RetriesExhausted' | 'EventAgeExceeded',
    outcome: InvokeOutcome | undefined,
  ): void {
    this.pending.delete(item);
    const described = this.options.describe(item.functionId);
    const config = described?.config ?? ASYNC_DEFAULTS;
    if (config.onFailureArn) {
      const record = this.record(item, condition, described?.arn ?? item.functionId, outcome);
      this.options.send(item.functionId, config.onFailureArn, JSON.stringify(record));
    } else if (config.deadLetterArn) {
      // The dead-letter queue gets the event itself, with the request id and the error as attributes.
      const error = outcome ? (outcomeError(outcome) ?? '') : 'Event age exceeded';
      this.options.send(item.functionId, config.deadLetterArn, JSON.stringify(item.event), {
        RequestID: { DataType: 'String', StringValue: item.requestId },
        ErrorCode: { DataType: 'Number', StringValue: '200' },
        ErrorMessage: { DataType: 'String', StringValue: error },
      });
    } else if (condition === 'EventAgeExceeded') {
      this.options.log(
        `an event from ${item.source} for ${described?.name ?? item.functionId} is older than its maximum age: discarded`,
      );
    }
  }

  /** The invocation record Lambda sends to a destination. */
  private record(item: Pending, condition: string, functionArn: string, outcome: InvokeOutcome | undefined): object {
    const response =
      outcome === undefined
        ? {}
        : outcome.status === 'ok'
          ? { responseContext: { statusCode: 200, executedVersion: '$LATEST' }, responsePayload: outcome.payload }
          : {
              responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
              responsePayload:
                outcome.status === 'error'
                  ? { errorType: outcome.errorType, errorMessage: outcome.errorMessage }
                  : { errorMessage: `${new Date().toISOString()} ${item.requestId} Task timed out` },
            };
    return {
      version: '1.0',
      timestamp: new Date(this.now()).toISOString(),
      requestContext: {
        requestId: item.requestId,
        functionArn: `${functionArn}:$LATEST`,
        condition,
        approximateInvokeCount: item.attempts,
      },
      requestPayload: item.event,
      ...response,
    };
  }
}

const queueName = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);
