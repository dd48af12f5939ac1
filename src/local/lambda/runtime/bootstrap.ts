/**
 * The Lambda Node.js runtime of one execution environment (a worker thread): loads the handler, then takes one
 * invocation at a time and answers it as the runtime interface client does (src/Runtime.js, CallbackContext.js,
 * InvokeContext.js): async and callback handlers, `callbackWaitsForEmptyEventLoop`, `context.succeed/fail/done`,
 * uncaught exceptions and unhandled rejections ending the environment. Between invocations the thread blocks, as
 * Lambda freezes an environment: timers a handler left behind run at the next invocation, not in between.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { patchConsole, setRequestId } from './lambda-log';
import { loadHandler, type Handler } from './load-handler';
import type { InvocationMessage, RuntimeData, RuntimeErrorBody, RuntimeMessage } from './protocol';
import { nodeJsExit, toRuntimeErrorBody, unhandledRejection } from './runtime-errors';

const data = workerData as RuntimeData;
const port = parentPort!;
const wake = new Int32Array(data.wake);
const post = (message: RuntimeMessage) => port.postMessage(message);
const lambdaConsole = patchConsole(port, process.env);

let phase: 'init' | 'invoke' | 'idle' = 'init';
let current: InvocationMessage | undefined;
const NO_LISTENER = () => undefined;
let beforeExit: () => void = NO_LISTENER;

process.on('beforeExit', () => beforeExit());
process.on('uncaughtException', (error) => {
  lambdaConsole.logError('Uncaught Exception', error);
  crash(toRuntimeErrorBody(error), 129);
});
process.on('unhandledRejection', (reason) => {
  const error = unhandledRejection(reason);
  lambdaConsole.logError('Unhandled Promise Rejection', error);
  crash(toRuntimeErrorBody(error), 128);
});

/** The runtime posts the error for whatever is in progress, then exits (Lambda discards the environment). */
function crash(error: RuntimeErrorBody, exitCode: number): void {
  if (phase === 'init') {
    post({ type: 'init-error', error });
  } else if (current) {
    post({ type: 'done', requestId: current.requestId, error, exiting: true, memoryBytes: memoryBytes() });
  }
  process.exit(exitCode);
}

function memoryBytes(): number {
  const heap = getHeapStatistics();
  return heap.total_heap_size + heap.external_memory;
}

function respond(invocation: InvocationMessage, outcome: { payloadJson?: string; error?: RuntimeErrorBody }): void {
  if (current !== invocation) return;
  current = undefined;
  phase = 'idle';
  beforeExit = NO_LISTENER;
  post({ type: 'done', requestId: invocation.requestId, ...outcome, exiting: false, memoryBytes: memoryBytes() });
  setImmediate(() => waitForInvocation(handler));
}

/** Blocks the thread until the runner hands over the next invocation: nothing else runs meanwhile. */
function waitForInvocation(fn: Handler): void {
  for (;;) {
    const received = receiveMessageOnPort(data.invocations);
    if (received) {
      Atomics.store(wake, 0, 0);
      invoke(fn, received.message as InvocationMessage);
      return;
    }
    Atomics.wait(wake, 0, 0);
    Atomics.store(wake, 0, 0);
  }
}

function serialize(result: unknown): string {
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new Error('Unable to stringify response body');
  }
}

function invoke(fn: Handler, invocation: InvocationMessage): void {
  current = invocation;
  phase = 'invoke';
  setRequestId(invocation.requestId);

  let completed = false;
  const complete = (result: unknown) => {
    if (completed) {
      console.error(
        'Invocation has already been reported as done. Cannot call complete more than once per invocation.',
      );
      return;
    }
    completed = true;
    const payloadJson = serialize(result);
    respond(invocation, { payloadJson });
  };
  const postError = (error: unknown) => {
    lambdaConsole.logError('Invoke Error', error);
    respond(invocation, { error: toRuntimeErrorBody(error) });
  };

  let waitForEmptyEventLoop = true;
  const callback = (error: unknown, result?: unknown) => {
    beforeExit = NO_LISTENER;
    if (error !== undefined && error !== null) postError(error);
    else if (!waitForEmptyEventLoop) complete(result);
    else beforeExit = () => setImmediate(() => complete(result));
  };
  const done = (error: unknown, result?: unknown) => {
    beforeExit = NO_LISTENER;
    if (error !== undefined && error !== null) postError(error);
    else complete(result);
  };

  // Only the first of callback, succeed, fail and done counts; one that throws does not count.
  let finished = false;
  const once =
    <A extends unknown[]>(call: (...args: A) => void) =>
    (...args: A) => {
      if (finished) return;
      call(...args);
      finished = true;
    };
  const succeed = once((result: unknown) => done(null, result));
  const fail = once((error: unknown) => (error === undefined || error === null ? done('handled') : done(error, null)));

  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitForEmptyEventLoop = value;
    },
    succeed,
    fail,
    done: once(done),
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: undefined,
    identity: undefined,
    invokedFunctionArn: invocation.invokedFunctionArn,
    awsRequestId: invocation.requestId,
    getRemainingTimeInMillis: () => invocation.deadlineMs - Date.now(),
  };

  // Without a callback or a settled promise, the invocation ends when the event loop empties.
  beforeExit = () => {
    completed = true;
    if (isAsync) {
      const error = nodeJsExit();
      lambdaConsole.logError('Invoke Error', error);
      respond(invocation, { error: toRuntimeErrorBody(error) });
    } else {
      respond(invocation, { payloadJson: 'null' });
    }
  };

  try {
    const result = fn(JSON.parse(invocation.eventJson), context, once(callback)) as PromiseLike<unknown> | undefined;
    if (result && typeof result.then === 'function') {
      Promise.resolve(result).then(succeed, fail).catch(fail);
    }
  } catch (error) {
    once(callback)(error);
  }
}

let handler: Handler;
let isAsync = false;

async function main(): Promise<void> {
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? '', process.env._HANDLER ?? '', data.moduleRoots);
  } catch (error) {
    lambdaConsole.logError('Uncaught Exception', error);
    crash(toRuntimeErrorBody(error), 129);
    return;
  }
  isAsync = handler.constructor?.name === 'AsyncFunction';
  if (handler.length === 3 && !isAsync && process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined) {
    console.warn(
      'AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.',
    );
  }
  phase = 'idle';
  post({ type: 'ready' });
  waitForInvocation(handler);
}

void main();
