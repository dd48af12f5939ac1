/**
 * The messages between a function runner and the Lambda runtime inside one execution environment (a worker
 * thread). Types only: both sides import them with `import type`, so the worker's code stays self-contained.
 */
import type { MessagePort } from 'node:worker_threads';

/** What the worker is started with. */
export interface RuntimeData {
  /** `[0]` is set to 1 by the runner when an invocation waits on `invocations`; the runtime waits on it. */
  readonly wake: SharedArrayBuffer;
  /** Invocations arrive here, read synchronously when the runtime wakes. */
  readonly invocations: MessagePort;
  /** Folders whose `node_modules` resolve what an ES module handler imports and its bundle does not hold. */
  readonly moduleRoots: readonly string[];
}

/** One invocation, as the runtime API's `/next` would give it. */
export interface InvocationMessage {
  readonly requestId: string;
  /** The event, serialized: every invocation parses its own copy, as Lambda does. */
  readonly eventJson: string;
  readonly invokedFunctionArn: string;
  /** Epoch milliseconds at which the function times out (`Lambda-Runtime-Deadline-Ms`). */
  readonly deadlineMs: number;
}

/** The error body the runtime posts to `/invocation/{id}/error` and `/init/error`. */
export interface RuntimeErrorBody {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

export type RuntimeMessage =
  /** The handler loaded: the init phase is over. */
  | { readonly type: 'ready' }
  /** The handler could not be loaded; the runtime exits after this. */
  | { readonly type: 'init-error'; readonly error: RuntimeErrorBody }
  /** One log event from the patched console (it may span several lines, as one CloudWatch event does). */
  | { readonly type: 'log'; readonly text: string }
  /** Raw output written to `process.stdout` or `process.stderr`, not yet split into lines. */
  | { readonly type: 'output'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  /** The invocation ended with a response (`payloadJson`) or an error. */
  | {
      readonly type: 'done';
      readonly requestId: string;
      readonly payloadJson?: string;
      readonly error?: RuntimeErrorBody;
      /** The runtime exits right after this message (uncaught exception, unhandled rejection). */
      readonly exiting: boolean;
      /** Bytes the worker's heap and external memory hold after the invocation. */
      readonly memoryBytes: number;
    };
