/**
 * One execution environment: a worker thread with its own environment variables and module cache, running one
 * invocation at a time. It initializes on its first invocation (a cold start), is discarded when an invocation
 * times out or its runtime exits, and writes the function's log lines and Lambda's platform lines as they happen.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { InvokeOutcome } from '../contracts';
import type { LocalFunctionModel } from '../model';
import { LineSplitter } from './line-splitter';
import { PlatformLog } from './platform-log';
import type { InvocationMessage, RuntimeData, RuntimeErrorBody, RuntimeMessage } from './runtime/protocol';

/** Lambda gives the init phase of an on-demand environment at most 10 seconds. */
const INIT_LIMIT_MS = 10_000;
const MIB = 1024 * 1024;

export interface EnvironmentSettings {
  readonly fn: LocalFunctionModel;
  readonly invokedFunctionArn: string;
  readonly logStreamName: string;
  readonly variables: { readonly [name: string]: string };
  readonly runtimeDir: string;
  readonly moduleRoots: readonly string[];
  /** One log event of this function (it may span lines, as one CloudWatch event does). */
  readonly log: (line: string) => void;
  /** The environment ended on its own while no invocation was running. */
  readonly onLost: (environment: ExecutionEnvironment) => void;
}

export interface EnvironmentResult {
  readonly outcome: InvokeOutcome;
  /** The environment is gone (timeout, crash, failed init): it takes no further invocation. */
  readonly discarded: boolean;
}

type WorkerEvent =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-error'; readonly error: RuntimeErrorBody }
  | { readonly kind: 'done'; readonly message: Extract<RuntimeMessage, { type: 'done' }> }
  | { readonly kind: 'exit'; readonly code: number; readonly error?: unknown }
  | { readonly kind: 'timeout' };

export class ExecutionEnvironment {
  private worker?: Worker;
  private readonly wake = new Int32Array(new SharedArrayBuffer(4));
  private invocations?: MessagePort;
  private waiter?: (event: WorkerEvent) => void;
  private state: 'cold' | 'running' | 'gone' = 'cold';
  /** Set when the runner or this environment ends the worker: its exit is then no crash. */
  private ending?: 'closed' | 'discarded';
  /** What the worker's 'error' event carried (from the worker's realm, so no `instanceof Error`). */
  private workerError?: unknown;
  private lastRequestId?: string;
  private maxMemoryBytes = 0;
  private readonly platform: PlatformLog;
  /** Raw writes to stdout and stderr, each split into lines on its own as the two pipes are. */
  private readonly output = { stdout: new LineSplitter(), stderr: new LineSplitter() };

  constructor(private readonly settings: EnvironmentSettings) {
    this.platform = new PlatformLog(settings.log, settings.variables.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON');
  }

  /** Runs one invocation; never rejects. */
  async invoke(eventJson: string): Promise<EnvironmentResult> {
    const requestId = randomUUID();
    this.lastRequestId = requestId;
    let initDurationMs: number | undefined;
    if (this.state === 'cold') {
      const initStarted = performance.now();
      const refused = this.start();
      const event = refused ?? (await this.next(INIT_LIMIT_MS));
      initDurationMs = performance.now() - initStarted;
      if (event.kind !== 'ready') return this.initFailed(requestId, event, initDurationMs);
    }
    if (this.state !== 'running') return this.closedResult(requestId, 0);

    const timeoutMs = this.settings.fn.timeoutSeconds * 1000;
    const invocation: InvocationMessage = {
      requestId,
      eventJson,
      invokedFunctionArn: this.settings.invokedFunctionArn,
      deadlineMs: Date.now() + timeoutMs,
    };
    this.platform.start(requestId);
    const started = performance.now();
    // Only a running invocation keeps the process alive: a runner nobody closed does not hold it open when idle.
    this.worker?.ref();
    this.invocations!.postMessage(invocation);
    Atomics.store(this.wake, 0, 1);
    Atomics.notify(this.wake, 0);
    const event = await this.next(timeoutMs);
    const durationMs = performance.now() - started;
    this.worker?.unref();
    this.flushOutput();
    return this.finish(requestId, event, durationMs, initDurationMs);
  }

  /** Ends the worker; an invocation in flight ends with an error. */
  async terminate(): Promise<void> {
    this.ending ??= 'closed';
    if (this.state === 'cold') this.state = 'gone';
    await this.worker?.terminate();
  }

  /** Starts the worker; when Node refuses its options, the exit a Node process with them would make instead. */
  private start(): WorkerEvent | undefined {
    const { port1, port2 } = new MessageChannel();
    this.invocations = port1;
    let worker: Worker;
    try {
      worker = this.createWorker(port2);
    } catch (error) {
      port1.close();
      // Node stops at once on options it does not take from NODE_OPTIONS (`node: --title= is not allowed ...`).
      const detail = String((error as Error).message ?? error).replace(/^.*NODE_OPTIONS env variable: /, '');
      this.settings.log(`node: ${detail} (NODE_OPTIONS: ${this.settings.variables.NODE_OPTIONS ?? ''})`);
      this.state = 'gone';
      this.ending = 'discarded';
      return { kind: 'exit', code: 9 };
    }
    this.worker = worker;
    this.state = 'running';
    worker.on('message', (message: RuntimeMessage) => this.onMessage(message));
    worker.on('error', (error: unknown) => (this.workerError = error));
    worker.on('exit', (code) => this.onExit(code));
    return undefined;
  }

  private createWorker(invocations: MessagePort): Worker {
    const data: RuntimeData = {
      wake: this.wake.buffer as SharedArrayBuffer,
      invocations,
      moduleRoots: this.settings.moduleRoots,
    };
    return new Worker(join(this.settings.runtimeDir, 'bootstrap.js'), {
      name: this.settings.fn.functionName,
      env: { ...this.settings.variables },
      // Never the parent's flags (a test runner's or debugger's): NODE_OPTIONS in `env` applies instead.
      execArgv: [],
      argv: [],
      // The runtime sends what the function writes to process.stdout and process.stderr over its port, in order with
      // the invocation's result; piping the worker's streams instead would keep an idle runner's process alive.
      workerData: data,
      transferList: [invocations],
      // Lambda ends an environment that goes over the function's memory size.
      resourceLimits: { maxOldGenerationSizeMb: this.settings.fn.memorySize },
    });
  }

  private onMessage(message: RuntimeMessage): void {
    switch (message.type) {
      case 'log':
        this.flushOutput();
        this.settings.log(message.text);
        return;
      case 'output':
        this.output[message.stream].push(message.text).forEach((line) => this.settings.log(line));
        return;
      case 'ready':
        this.emit({ kind: 'ready' });
        return;
      case 'init-error':
        // The runtime exits right after: that exit is expected, and may come before the invocation sees this.
        this.ending ??= 'discarded';
        this.emit({ kind: 'init-error', error: message.error });
        return;
      case 'done':
        this.maxMemoryBytes = Math.max(this.maxMemoryBytes, message.memoryBytes);
        if (message.exiting) this.ending ??= 'discarded';
        this.emit({ kind: 'done', message });
        return;
    }
  }

  private onExit(code: number): void {
    this.state = 'gone';
    this.invocations?.close();
    if (this.waiter) {
      this.emit({ kind: 'exit', code, error: this.workerError });
    } else if (!this.ending) {
      this.flushOutput();
      const exit = exitReason(code, this.workerError);
      this.platform.runtimeExited(this.lastRequestId ?? '-', exit.reason, exit.errorType);
      this.settings.onLost(this);
    }
  }

  private emit(event: WorkerEvent): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(event);
  }

  /** The next thing the worker says, or `timeout` after `limitMs`. */
  private next(limitMs: number): Promise<WorkerEvent> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.emit({ kind: 'timeout' }), limitMs);
      this.waiter = (event) => {
        clearTimeout(timer);
        resolve(event);
      };
    });
  }

  /** Discards the environment, as Lambda does after a timeout or a runtime that exits. */
  private async discard(): Promise<void> {
    this.ending ??= 'discarded';
    await this.worker?.terminate();
  }

  private flushOutput(): void {
    for (const lines of [this.output.stdout, this.output.stderr]) {
      lines.flush().forEach((line) => this.settings.log(line));
    }
  }

  private async initFailed(requestId: string, event: WorkerEvent, initDurationMs: number): Promise<EnvironmentResult> {
    if (this.ending === 'closed') return this.closedResult(requestId, initDurationMs);
    await this.discard();
    this.flushOutput();
    let outcome: InvokeOutcome;
    let errorType: string | undefined;
    if (event.kind === 'timeout') {
      this.platform.initReport(initDurationMs, 'timeout');
      outcome = { status: 'timeout', durationMs: initDurationMs };
    } else {
      const error =
        event.kind === 'init-error' ? event.error : exitError(requestId, event.kind === 'exit' ? event : { code: 0 });
      errorType = error.errorType;
      this.platform.initReport(initDurationMs, 'error', errorType);
      outcome = { status: 'error', errorType, errorMessage: error.errorMessage, durationMs: initDurationMs };
    }
    this.platform.start(requestId);
    this.platform.end(requestId, outcome.status === 'timeout' ? 'timeout' : 'error', 0, errorType);
    this.report(requestId, 0, undefined, outcome.status === 'timeout' ? 'timeout' : 'error', errorType);
    return { outcome, discarded: true };
  }

  private async finish(
    requestId: string,
    event: WorkerEvent,
    durationMs: number,
    initDurationMs: number | undefined,
  ): Promise<EnvironmentResult> {
    if (this.ending === 'closed') return this.closedResult(requestId, durationMs);
    if (event.kind === 'done') {
      const { message } = event;
      const status = message.error ? 'error' : 'success';
      this.platform.end(requestId, status, durationMs, message.error?.errorType);
      this.report(requestId, durationMs, initDurationMs, status, message.error?.errorType);
      if (message.exiting) await this.discard();
      const outcome: InvokeOutcome = message.error
        ? { status: 'error', errorType: message.error.errorType, errorMessage: message.error.errorMessage, durationMs }
        : { status: 'ok', payload: JSON.parse(message.payloadJson ?? 'null'), durationMs };
      return { outcome, discarded: message.exiting };
    }
    if (event.kind === 'timeout') {
      // Lambda stops the runtime and discards the environment: the next invocation starts a new one. A timer can
      // fire a fraction of a millisecond before the clock it is measured with says the time is up; a timed-out
      // invocation lasted its whole timeout, as Lambda reports it.
      const timedOutAfterMs = Math.max(durationMs, this.settings.fn.timeoutSeconds * 1000);
      this.platform.timedOut(requestId, timedOutAfterMs);
      await this.discard();
      this.platform.end(requestId, 'timeout', timedOutAfterMs);
      this.report(requestId, timedOutAfterMs, initDurationMs, 'timeout');
      return { outcome: { status: 'timeout', durationMs: timedOutAfterMs }, discarded: true };
    }
    const exit: { code: number; error?: unknown } = event.kind === 'exit' ? event : { code: 0 };
    const error = exitError(requestId, exit);
    // An environment Lambda kills for memory reports it used all of it.
    if (error.errorType === 'Runtime.OutOfMemory') this.maxMemoryBytes = this.settings.fn.memorySize * MIB;
    this.platform.runtimeExited(requestId, exitReason(exit.code, exit.error).reason, error.errorType);
    this.platform.end(requestId, 'error', durationMs, error.errorType);
    this.report(requestId, durationMs, initDurationMs, 'error', error.errorType);
    return {
      outcome: { status: 'error', errorType: error.errorType, errorMessage: error.errorMessage, durationMs },
      discarded: true,
    };
  }

  private report(
    requestId: string,
    durationMs: number,
    initDurationMs: number | undefined,
    status: 'success' | 'error' | 'timeout',
    errorType?: string,
  ): void {
    this.platform.report({
      requestId,
      durationMs,
      initDurationMs,
      memorySizeMb: this.settings.fn.memorySize,
      maxMemoryUsedMb: Math.ceil(this.maxMemoryBytes / MIB),
      status,
      errorType,
    });
  }

  private closedResult(requestId: string, durationMs: number): EnvironmentResult {
    return {
      outcome: {
        status: 'error',
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${requestId} Error: the local function runner was closed before the invocation finished`,
        durationMs,
      },
      discarded: true,
    };
  }
}

/** How Lambda words a runtime that ended without answering. */
function exitReason(code: number, error?: unknown): { reason: string; errorType: string } {
  if ((error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return { reason: 'Runtime exited with error: signal: killed', errorType: 'Runtime.OutOfMemory' };
  }
  return {
    reason: code === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${code}`,
    errorType: 'Runtime.ExitError',
  };
}

function exitError(
  requestId: string,
  exit: { code: number; error?: unknown },
): { errorType: string; errorMessage: string } {
  const { reason, errorType } = exitReason(exit.code, exit.error);
  return { errorType, errorMessage: `RequestId: ${requestId} Error: ${reason}` };
}
