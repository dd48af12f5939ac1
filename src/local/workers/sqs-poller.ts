/**
 * Lambda's poller for one SQS event source mapping: it long-polls the queue with the function's execution role, waits
 * up to the batching window for a full batch, hands the function up to `BatchSize` messages, and then deletes what
 * succeeded. A thrown error, a timeout or a throttle fails the whole batch: its messages stay in flight and come back
 * after the queue's visibility timeout (counting a receive each time, towards the redrive policy). With
 * `ReportBatchItemFailures` only the messages the response names come back. Messages no filter matches are deleted
 * without an invocation. At most `MaximumConcurrency` batches run at once (5 by default, the pollers Lambda starts
 * with).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-sqs
 */
import type { InvokeOutcome } from '../contracts';
import type { ServiceAuthorizer } from '../iam/service-authorizer';
import type { LocalFunctionModel } from '../model';
import { compilePattern } from '../patterns';
import type { QueueBroker } from '../sqs/broker';
import { filterView, sqsRecord } from '../sqs/lambda-event';
import type { SqsQueue } from '../sqs/queue';
import type { LocalQueueMappingModel } from '../workers-model';
import { readBatchResponse } from './batch-response';
import { outcomeError, type WorkerInvocation } from './invocations';

/** Lambda starts five pollers for a queue, scaling up from there; locally they are the concurrency. */
export const DEFAULT_SQS_CONCURRENCY = 5;
/**
 * How long one poll waits for a wake-up before it looks at the queue again: a message that becomes visible wakes the
 * pollers at once, and looking again every second bounds what a wake-up missed could cost.
 */
const POLL_MS = 1000;
/** How often a batching window looks whether its batch is full. */
const WINDOW_STEP_MS = 20;

export interface PollerContext {
  readonly broker: QueueBroker;
  readonly invoke: (functionId: string, event: unknown) => Promise<InvokeOutcome>;
  readonly authorizer: ServiceAuthorizer;
  readonly region: string;
  readonly onInvocation: (invocation: WorkerInvocation) => void;
  readonly log: (line: string) => void;
}

export class SqsPoller {
  private stopped = false;
  private running = 0;
  private readonly states = { waiting: 0 };
  private loops: Promise<void>[] = [];
  private readonly filters;

  constructor(
    private readonly mapping: LocalQueueMappingModel,
    private readonly fn: LocalFunctionModel,
    private readonly queue: SqsQueue,
    private readonly ctx: PollerContext,
  ) {
    this.filters = mapping.filters.map((filter) => compilePattern(filter).matches);
  }

  get source(): string {
    return `queue ${this.queue.model.name}`;
  }

  /** The queue it polls. */
  get polled(): SqsQueue {
    return this.queue;
  }

  /** Starts polling, when the execution role lets Lambda read the queue; else says why not. */
  start(): boolean {
    const decision = this.ctx.authorizer.authorizeFunction(this.fn.logicalId, [
      ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action) => ({
        action,
        resource: this.queue.model.arn,
      })),
      ...(this.queue.model.kmsKeyArn ? [{ action: 'kms:Decrypt', resource: this.queue.model.kmsKeyArn }] : []),
    ]);
    if (!decision.allowed) {
      this.ctx.log(`DENIED ${decision.reason}`);
      this.ctx.log(
        `event source mapping ${this.mapping.logicalId} (${this.fn.name} <- ${this.source}) does not run: Lambda refuses to create it when the execution role cannot read the queue ("The provided execution role does not have permissions to call ${decision.request?.action.replace(/^sqs:/, '') ?? 'ReceiveMessage'} on SQS")`,
      );
      return false;
    }
    const concurrency = this.mapping.maximumConcurrency ?? DEFAULT_SQS_CONCURRENCY;
    this.loops = Array.from({ length: concurrency }, () => this.loop());
    return true;
  }

  /** Whether a batch is being handed to the function now. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** `5 pollers: 4 waiting, 1 handling a batch`, for what `settled()` reports. */
  describe(): string {
    const total = this.loops.length;
    return `${total} poller${total === 1 ? '' : 's'}: ${this.states.waiting} waiting, ${this.running} handling a batch`;
  }

  /** Stops taking batches; resolves once the batches under way are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.ctx.broker.wakeAll();
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.states.waiting++;
      const available = await this.ctx.broker.waitForMessages(this.queue, POLL_MS, () => this.stopped);
      this.states.waiting--;
      if (this.stopped) return;
      if (!available) continue;
      await this.batchingWindow();
      this.running++;
      try {
        const received = this.ctx.broker.receive(this.queue, this.mapping.batchSize);
        if (received.length > 0) await this.handle(received);
      } catch (error) {
        this.ctx.log(`the poller of ${this.source} failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.running--;
      }
    }
  }

  /** Waits until the batch is full or the window has passed (no wait without a window). */
  private async batchingWindow(): Promise<void> {
    const deadline = Date.now() + this.mapping.maximumBatchingWindowSeconds * 1000;
    while (!this.stopped && Date.now() < deadline && this.queue.counts(Date.now()).visible < this.mapping.batchSize) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(WINDOW_STEP_MS, deadline - Date.now())));
    }
  }

  private async handle(received: ReturnType<QueueBroker['receive']>): Promise<void> {
    const { broker } = this.ctx;
    const records = received.map((message) => sqsRecord(message, this.queue.model, this.ctx.region));
    const kept =
      this.filters.length === 0
        ? records
        : records.filter((record) => this.filters.some((matches) => matches(filterView(record))));
    // Lambda deletes the messages that match no filter, without invoking the function.
    for (const dropped of records.filter((record) => !kept.includes(record))) {
      broker.delete(this.queue, dropped.receiptHandle);
    }
    if (kept.length === 0) return;
    const outcome = await this.ctx.invoke(this.fn.logicalId, { Records: kept });
    const report = (invocation: Omit<WorkerInvocation, 'worker' | 'functionId' | 'source' | 'batchSize'>) =>
      this.ctx.onInvocation({
        worker: this.fn.name,
        functionId: this.fn.logicalId,
        source: this.source,
        batchSize: kept.length,
        ...invocation,
      });
    const returning = (count: number) =>
      `${count === 1 ? '1 message returns' : `${count} messages return`} after the visibility timeout (${this.queue.model.visibilityTimeoutSeconds} s)`;
    if (outcome.status !== 'ok') {
      report({
        outcome: outcome.status,
        failures: kept.length,
        error: outcomeError(outcome),
        next: returning(kept.length),
      });
      return;
    }
    if (!this.mapping.reportBatchItemFailures) {
      for (const record of kept) broker.delete(this.queue, record.receiptHandle);
      report({ outcome: 'ok', failures: 0 });
      return;
    }
    const response = readBatchResponse(outcome.payload, new Set(kept.map((record) => record.messageId)));
    if ('invalid' in response) {
      report({
        outcome: 'error',
        failures: kept.length,
        error: `the whole batch failed: ${response.invalid}`,
        next: returning(kept.length),
      });
      return;
    }
    for (const record of kept) {
      if (!response.failed.has(record.messageId)) broker.delete(this.queue, record.receiptHandle);
    }
    const failures = response.failed.size;
    report(
      failures === 0 ? { outcome: 'ok', failures: 0 } : { outcome: 'partial', failures, next: returning(failures) },
    );
  }
}
