/**
 * Lambda's poller for one DynamoDB stream event source mapping: it reads the stream in order with the function's
 * execution role, drops the records no filter matches, and hands the function up to `BatchSize` records (after the
 * batching window), one batch at a time. On an error the batch is retried (after a pause) until it succeeds, the
 * retries run out (`MaximumRetryAttempts`) or its oldest record is too old (`MaximumRecordAgeInSeconds`, else the
 * stream's 24 hours); then the on-failure destination gets a record of the batch and the poller moves on. With
 * `BisectBatchOnFunctionError` a failed batch is split in two and each half retried, which costs no retry. With
 * `ReportBatchItemFailures` the poller moves past the records before the first one the response names and retries
 * from there. A throttled invocation is retried without counting.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 * https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html (splitting costs no retry)
 */
import { randomUUID } from 'crypto';
import type { InvokeOutcome } from '../contracts';
import type { ServiceAuthorizer } from '../iam/service-authorizer';
import type { LocalFunctionModel } from '../model';
import { compilePattern } from '../patterns';
import { STREAM_RETENTION_MS, type LoggedRecord, type StreamLogs } from '../streams/stream-log';
import type { LocalStreamMappingModel } from '../workers-model';
import { readBatchResponse } from './batch-response';
import { outcomeError, type WorkerInvocation } from './invocations';

export interface StreamPollerContext {
  readonly logs: StreamLogs;
  readonly invoke: (functionId: string, event: unknown) => Promise<InvokeOutcome>;
  readonly authorizer: ServiceAuthorizer;
  /** Sends the record of a discarded batch to the on-failure queue, with the function's role. */
  readonly sendFailure: (functionId: string, queueArn: string, body: string) => void;
  /** Where each mapping has read up to, kept across reloads. */
  readonly positions: Map<string, number>;
  readonly retryDelayMs: number;
  readonly functionArn: string;
  readonly onInvocation: (invocation: WorkerInvocation) => void;
  readonly log: (line: string) => void;
}

interface Unit {
  records: LoggedRecord[];
  retries: number;
}

export class StreamPoller {
  private stopped = false;
  private working = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private unlisten?: () => void;
  private readonly filters;

  constructor(
    private readonly mapping: LocalStreamMappingModel,
    private readonly fn: LocalFunctionModel,
    private readonly tableName: string,
    private readonly ctx: StreamPollerContext,
  ) {
    this.filters = mapping.filters.map((filter) => compilePattern(filter).matches);
  }

  get source(): string {
    return `stream of ${this.tableName}`;
  }

  /** Records written and not yet handed on (or dropped), and whether a batch is under way. */
  behind(): number {
    return this.ctx.logs.read(this.tableName, this.position).length + (this.working ? 1 : 0);
  }

  start(): boolean {
    const decision = this.ctx.authorizer.authorizeFunction(this.fn.logicalId, [
      ...['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((action) => ({
        action,
        resource: this.mapping.streamArn,
      })),
      { action: 'dynamodb:ListStreams', resource: '*' },
    ]);
    if (!decision.allowed) {
      this.ctx.log(`DENIED ${decision.reason}`);
      this.ctx.log(
        `event source mapping ${this.mapping.logicalId} (${this.fn.name} <- ${this.source}) does not run: Lambda refuses to create it when the execution role cannot read the stream`,
      );
      return false;
    }
    if (!this.ctx.positions.has(this.mapping.logicalId)) {
      const start = this.mapping.startingPosition === 'LATEST' ? this.ctx.logs.end(this.tableName) : 0;
      this.ctx.positions.set(this.mapping.logicalId, start);
    }
    this.unlisten = this.ctx.logs.listen(() => this.wake?.());
    this.loop = this.run();
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    this.wake?.();
    await this.loop;
  }

  private get position(): number {
    return this.ctx.positions.get(this.mapping.logicalId) ?? 0;
  }

  private advance(past: LoggedRecord): void {
    this.ctx.positions.set(this.mapping.logicalId, Math.max(this.position, past.index + 1));
  }

  /** Waits `ms`, or less when stopped; a new record ends the wait too unless it is a retry's pause. */
  private sleep(ms: number, untilRecords = true): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = untilRecords ? done : () => this.stopped && done();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let records = this.ctx.logs.read(this.tableName, this.position);
      if (records.length === 0) {
        await this.sleep(60_000);
        continue;
      }
      const windowEnds = records[0].at + this.mapping.maximumBatchingWindowSeconds * 1000;
      while (!this.stopped && records.length < this.mapping.batchSize && Date.now() < windowEnds) {
        await this.sleep(windowEnds - Date.now());
        records = this.ctx.logs.read(this.tableName, this.position);
      }
      const read = records.slice(0, this.mapping.batchSize);
      const kept = read.filter(
        (entry) => this.filters.length === 0 || this.filters.some((matches) => matches(entry.record)),
      );
      if (kept.length === 0) {
        this.advance(read[read.length - 1]);
        continue;
      }
      this.working = true;
      try {
        await this.process(kept);
      } finally {
        this.working = false;
      }
      // The records the filters dropped after the last one handed on are passed too.
      if (!this.stopped) this.advance(read[read.length - 1]);
    }
  }

  private async process(batch: LoggedRecord[]): Promise<void> {
    const units: Unit[] = [{ records: batch, retries: 0 }];
    while (units.length > 0 && !this.stopped) {
      const unit = units[0];
      const maxAge =
        this.mapping.maximumRecordAgeSeconds === -1 ? STREAM_RETENTION_MS : this.mapping.maximumRecordAgeSeconds * 1000;
      if (Date.now() - unit.records[0].at > maxAge) {
        this.discard(unit, 'RecordAgeExceeded');
        units.shift();
        continue;
      }
      const result = await this.attempt(unit);
      if (result === 'ok') {
        this.advance(unit.records[unit.records.length - 1]);
        units.shift();
        continue;
      }
      if (result === 'throttled') {
        await this.sleep(this.ctx.retryDelayMs, false);
        continue;
      }
      if (typeof result === 'number') {
        // Everything before the first failed record succeeded.
        if (result > 0) this.advance(unit.records[result - 1]);
        unit.records = unit.records.slice(result);
      } else if (this.mapping.bisectBatchOnFunctionError && unit.records.length > 1) {
        const half = Math.ceil(unit.records.length / 2);
        units.splice(
          0,
          1,
          { records: unit.records.slice(0, half), retries: unit.retries },
          { records: unit.records.slice(half), retries: unit.retries },
        );
        continue;
      }
      unit.retries++;
      if (this.mapping.maximumRetryAttempts !== -1 && unit.retries > this.mapping.maximumRetryAttempts) {
        this.discard(unit, 'RetryAttemptsExhausted');
        units.shift();
        continue;
      }
      await this.sleep(this.ctx.retryDelayMs * Math.min(unit.retries, 5), false);
    }
  }

  /** One invocation: `ok`, `throttled`, `error`, or the index of the first failed record of a partial response. */
  private async attempt(unit: Unit): Promise<'ok' | 'throttled' | 'error' | number> {
    const records = unit.records.map((entry) => entry.record);
    const outcome = await this.ctx.invoke(this.fn.logicalId, { Records: records });
    const report = (invocation: Omit<WorkerInvocation, 'worker' | 'functionId' | 'source' | 'batchSize'>) =>
      this.ctx.onInvocation({
        worker: this.fn.name,
        functionId: this.fn.logicalId,
        source: this.source,
        batchSize: records.length,
        ...invocation,
      });
    const retry = `retry ${unit.retries + 1}${this.mapping.maximumRetryAttempts === -1 ? '' : ` of ${this.mapping.maximumRetryAttempts}`}`;
    if (outcome.status === 'throttled') {
      report({ outcome: 'throttled', failures: records.length, error: outcomeError(outcome), next: 'retried' });
      return 'throttled';
    }
    if (outcome.status !== 'ok') {
      const split = this.mapping.bisectBatchOnFunctionError && records.length > 1;
      report({
        outcome: outcome.status,
        failures: records.length,
        error: outcomeError(outcome),
        next: split ? 'the batch is split in two' : retry,
      });
      return 'error';
    }
    if (!this.mapping.reportBatchItemFailures) {
      report({ outcome: 'ok', failures: 0 });
      return 'ok';
    }
    const response = readBatchResponse(outcome.payload, new Set(records.map((r) => r.dynamodb.SequenceNumber)));
    if ('invalid' in response) {
      report({
        outcome: 'error',
        failures: records.length,
        error: `the whole batch failed: ${response.invalid}`,
        next: retry,
      });
      return 'error';
    }
    if (response.failed.size === 0) {
      report({ outcome: 'ok', failures: 0 });
      return 'ok';
    }
    const first = records.findIndex((r) => response.failed.has(r.dynamodb.SequenceNumber));
    report({
      outcome: 'partial',
      failures: response.failed.size,
      next: `resumes from ${records[first].dynamodb.SequenceNumber}, ${retry}`,
    });
    return first;
  }

  /** Gives up on a batch: the on-failure destination gets a record of it (never the records themselves). */
  private discard(unit: Unit, condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded'): void {
    const first = unit.records[0];
    const last = unit.records[unit.records.length - 1];
    this.advance(last);
    const target = this.mapping.onFailureArn;
    this.ctx.log(
      `${this.fn.name} <- ${this.source}: ${unit.records.length} record(s) discarded (${condition})${target ? `, a record of them goes to ${target.slice(target.lastIndexOf(':') + 1)}` : ''}`,
    );
    if (!target) return;
    const arrival = (entry: LoggedRecord) => new Date(entry.at).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const record = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: this.ctx.functionArn,
        condition,
        approximateInvokeCount: unit.retries,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000000000000000000-00000001',
        startSequenceNumber: first.record.dynamodb.SequenceNumber,
        endSequenceNumber: last.record.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: arrival(first),
        approximateArrivalOfLastRecord: arrival(last),
        batchSize: unit.records.length,
        streamArn: this.mapping.streamArn,
      },
    };
    this.ctx.sendFailure(this.fn.logicalId, target, JSON.stringify(record));
  }
}
