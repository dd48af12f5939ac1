/**
 * The asynchronous side of a local run: Lambda's pollers for the event source mappings (queues and table streams), the
 * routing of EventBridge events to rules and their targets, and Lambda's asynchronous invocations, for the version of
 * the app being served. Queues and stream records outlive a reload; pollers are replaced by those of the new version,
 * and a stream mapping goes on from where it was. `settled()` waits until nothing is left to do.
 */
import type { InvokeOutcome } from '../contracts';
import type { EventBridgeEvent } from '../events/api';
import { createEventRouter, type EventRouter } from '../events/router';
import type { ServiceAuthorizer } from '../iam/service-authorizer';
import type { LocalAppModel } from '../model';
import type { QueueBroker } from '../sqs/broker';
import type { StreamLogs } from '../streams/stream-log';
import { ASYNC_DEFAULTS, NO_WORKERS, type LocalEventBusModel } from '../workers-model';
import { AsyncInvoker } from './async-invoker';
import { describeInvocation, type WorkerInvocation } from './invocations';
import { SqsPoller } from './sqs-poller';
import { StreamPoller } from './stream-poller';

/** What the workers run on: one version of the app, its functions and its roles. */
export interface WorkerVersion {
  readonly app: LocalAppModel;
  readonly invoke: (functionId: string, event: unknown) => Promise<InvokeOutcome>;
  readonly authorizer: ServiceAuthorizer;
}

export interface WorkersOptions {
  readonly broker: QueueBroker;
  readonly streams: StreamLogs;
  /** The pause before a retry (Lambda's asynchronous retries wait this, then twice this). */
  readonly retryDelayMs: number;
  /** Writes to streamed tables whose records are not written yet. */
  readonly writesInFlight: () => number;
  readonly onInvocation?: (invocation: WorkerInvocation) => void;
  readonly log: (line: string) => void;
}

type Attributes = { readonly [name: string]: { readonly DataType: string; readonly StringValue: string } };

export class Workers {
  private version?: WorkerVersion;
  private sqsPollers: SqsPoller[] = [];
  private streamPollers: StreamPoller[] = [];
  private router?: EventRouter;
  private readonly draining = new Set<Promise<void>>();
  private readonly positions = new Map<string, number>();
  private readonly asyncInvoker: AsyncInvoker;

  constructor(private readonly options: WorkersOptions) {
    this.asyncInvoker = new AsyncInvoker({
      invoke: (functionId, event) => this.current().invoke(functionId, event),
      describe: (functionId) => {
        const app = this.version?.app;
        const fn = app?.functions[functionId];
        if (!app || !fn) return undefined;
        const config = app.workers?.asyncConfigs[functionId] ?? ASYNC_DEFAULTS;
        return {
          name: fn.name,
          arn: `arn:aws:lambda:${app.region}:${app.accountId}:function:${fn.functionName}`,
          config,
        };
      },
      send: (functionId, queueArn, body, attributes) => this.sendAs(functionId, queueArn, body, attributes),
      retryDelayMs: options.retryDelayMs,
      onInvocation: (invocation) => this.invoked(invocation),
      log: (line) => options.log(`[worker] ${line}`),
    });
  }

  /** Serves `version` from now on: its queues, its pollers, its rules. The pollers it replaces finish their batches. */
  serve(version: WorkerVersion): void {
    for (const poller of [...this.sqsPollers, ...this.streamPollers]) {
      const done: Promise<void> = poller.stop().finally(() => this.draining.delete(done));
      this.draining.add(done);
    }
    this.version = version;
    const { app } = version;
    const workers = app.workers ?? NO_WORKERS;
    this.options.broker.update(workers.queues);
    const log = (line: string) => this.options.log(`[worker] ${line}`);
    const onInvocation = (invocation: WorkerInvocation) => this.invoked(invocation);
    this.sqsPollers = [];
    this.streamPollers = [];
    for (const mapping of workers.mappings.filter((m) => m.enabled)) {
      const fn = app.functions[mapping.functionId];
      if (!fn) continue;
      if (mapping.kind === 'sqs') {
        const queue = this.options.broker.byArn(mapping.queueArn);
        if (!queue) continue;
        const poller = new SqsPoller(mapping, fn, queue, {
          broker: this.options.broker,
          invoke: version.invoke,
          authorizer: version.authorizer,
          region: app.region,
          onInvocation,
          log,
        });
        if (poller.start()) this.sqsPollers.push(poller);
        continue;
      }
      const table = app.tables.find((t) => t.logicalId === mapping.tableId);
      if (!table) continue;
      const poller = new StreamPoller(mapping, fn, table.tableName, {
        logs: this.options.streams,
        invoke: version.invoke,
        authorizer: version.authorizer,
        sendFailure: (functionId, queueArn, body) => this.sendAs(functionId, queueArn, body),
        positions: this.positions,
        retryDelayMs: this.options.retryDelayMs,
        functionArn: `arn:aws:lambda:${app.region}:${app.accountId}:function:${fn.functionName}`,
        onInvocation,
        log,
      });
      if (poller.start()) this.streamPollers.push(poller);
    }
    this.router = createEventRouter({
      rules: workers.rules,
      invoke: (functionId, input, source) => this.asyncInvoker.invoke(functionId, input, source),
      sendToQueue: (queueArn, body, attributes) => this.sendAsService(queueArn, body, attributes),
      log: (line) => this.options.log(`[events] ${line}`),
    });
  }

  /** Routes an event put on a bus to its rules; the names of the rules it matched. */
  route(bus: LocalEventBusModel, event: EventBridgeEvent): string[] {
    const matched = this.router?.route(bus, event) ?? [];
    this.options.log(
      `[events] ${event.source} / ${event['detail-type']} on ${bus.name}: ${matched.length === 0 ? 'no rule matched' : `matched ${matched.join(', ')}`}`,
    );
    return matched;
  }

  /** Invokes a function asynchronously, as EventBridge or `Invoke` with `Event` would. */
  invokeAsync(functionId: string, event: unknown, source: string): void {
    this.asyncInvoker.invoke(functionId, event, source);
  }

  /** What is left to do, one entry each; empty when everything has settled. */
  busy(): string[] {
    const now = Date.now();
    const busy: string[] = [];
    for (const poller of this.sqsPollers) {
      const counts = poller.polled.counts(now);
      if (counts.visible + counts.inFlight + counts.delayed > 0) {
        busy.push(
          `${poller.source}: ${counts.visible} visible, ${counts.inFlight} in flight, ${counts.delayed} delayed (${poller.describe()})`,
        );
      } else if (poller.busy) {
        busy.push(`${poller.source}: a batch is being handled`);
      }
    }
    for (const poller of this.streamPollers) {
      const behind = poller.behind();
      if (behind > 0) busy.push(`${poller.source}: ${behind} record(s) not handed on yet`);
    }
    busy.push(...this.asyncInvoker.busy());
    if (this.draining.size > 0) busy.push(`${this.draining.size} poller(s) of a previous version finishing`);
    const writes = this.options.writesInFlight();
    if (writes > 0) busy.push(`${writes} table write(s) whose stream records are not written yet`);
    return busy;
  }

  /** Resolves once nothing is left to do (twice in a row, so that work one step starts is seen); rejects on timeout. */
  async settled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    for (;;) {
      const busy = this.busy();
      quiet = busy.length === 0 ? quiet + 1 : 0;
      if (quiet >= 2) return;
      if (Date.now() > deadline) {
        throw new Error(`the local API did not settle within ${timeoutMs} ms: ${busy.join('; ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    this.asyncInvoker.stop();
    await Promise.all([...this.sqsPollers, ...this.streamPollers].map((poller) => poller.stop()));
    await Promise.all(this.draining);
    this.sqsPollers = [];
    this.streamPollers = [];
  }

  private current(): WorkerVersion {
    if (!this.version) throw new Error('the workers serve no version of the app yet');
    return this.version;
  }

  private invoked(invocation: WorkerInvocation): void {
    this.options.log(`[worker] ${describeInvocation(invocation)}`);
    this.options.onInvocation?.(invocation);
  }

  /** What Lambda sends with a function's execution role: destination records, dead letters, discarded batches. */
  private sendAs(functionId: string, queueArn: string, body: string, attributes?: Attributes): void {
    const queue = this.options.broker.byArn(queueArn);
    const decision = this.current().authorizer.authorizeFunction(functionId, [
      { action: 'sqs:SendMessage', resource: queueArn },
    ]);
    if (!decision.allowed) {
      this.options.log(
        `[worker] DENIED ${decision.reason}: the record for ${queueArn} is lost, as Lambda cannot send it`,
      );
      return;
    }
    if (!queue || queue.model.fifo) {
      this.options.log(`[worker] ${queueArn} is not a standard queue of the app: the record is lost`);
      return;
    }
    this.options.broker.send(queue, {
      body,
      ...(attributes ? { attributes } : {}),
      senderId: decision.caller.senderId,
    });
  }

  /** What EventBridge sends to a queue: the queue's own resource policy decides in AWS, which is not evaluated here. */
  private sendAsService(queueArn: string, body: string, attributes?: Attributes): void {
    const queue = this.options.broker.byArn(queueArn);
    if (!queue || queue.model.fifo) {
      this.options.log(`[events] ${queueArn} is not a standard queue of the app: the message is not delivered`);
      return;
    }
    this.options.broker.send(queue, { body, ...(attributes ? { attributes } : {}), senderId: 'events.amazonaws.com' });
  }
}
