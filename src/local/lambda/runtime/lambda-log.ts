/**
 * Lambda's console inside the execution environment: every `console.*` call becomes one log event stamped with the
 * time, the request id and the level, as the runtime interface client's LogPatch.js writes them (text, or JSON
 * when the function's LoggingConfig sets `AWS_LAMBDA_LOG_FORMAT=JSON`), filtered by `AWS_LAMBDA_LOG_LEVEL`.
 * Events go to the runner over the worker's port, in order with the invocation's result.
 */
import { format } from 'node:util';
import type { MessagePort } from 'node:worker_threads';
import type { RuntimeMessage } from './protocol';
import { formatError, intoError } from './runtime-errors';

interface Level {
  readonly name: string;
  readonly priority: number;
}

const LEVELS: { readonly [name: string]: Level } = {
  TRACE: { name: 'TRACE', priority: 1 },
  DEBUG: { name: 'DEBUG', priority: 2 },
  INFO: { name: 'INFO', priority: 3 },
  WARN: { name: 'WARN', priority: 4 },
  ERROR: { name: 'ERROR', priority: 5 },
  FATAL: { name: 'FATAL', priority: 6 },
};

let currentRequestId: string | undefined;

/** The request id the console stamps on each event (`undefined` during init, as in Lambda). */
export function setRequestId(requestId: string | undefined): void {
  currentRequestId = requestId;
}

function jsonErrorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return {
    errorType: value.constructor?.name ?? 'UnknownError',
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    ...value,
  };
}

function jsonEvent(level: Level, params: unknown[]): string {
  const record: { [key: string]: unknown } = {
    timestamp: new Date().toISOString(),
    level: level.name,
    requestId: currentRequestId,
  };
  if (params.length === 1) {
    record.message = params[0];
    try {
      return JSON.stringify(record, jsonErrorReplacer);
    } catch {
      record.message = format(record.message);
      return JSON.stringify(record);
    }
  }
  record.message = format(...params);
  const error = params.find((param): param is Error => param instanceof Error);
  if (error) {
    record.errorType = error.constructor?.name ?? 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

export interface LambdaConsole {
  /** `structuredConsole.logError`: how the runtime reports `Invoke Error`, `Uncaught Exception`, ... */
  logError(title: string, error: unknown): void;
}

/** Replaces the console's methods and the raw stdout/stderr writes; returns the runtime's error logger. */
export function patchConsole(port: MessagePort, env: NodeJS.ProcessEnv): LambdaConsole {
  const json = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const post = (message: RuntimeMessage) => port.postMessage(message);
  const emit = (level: Level, params: unknown[]) =>
    post({
      type: 'log',
      text: json
        ? jsonEvent(level, params)
        : `${new Date().toISOString()}\t${currentRequestId}\t${level.name}\t${format(...params)}`,
    });
  const threshold = LEVELS[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() ?? ''] ?? LEVELS.TRACE;
  const method = (level: Level) =>
    level.priority >= threshold.priority ? (...params: unknown[]) => emit(level, params) : () => undefined;
  const target = console as unknown as { [name: string]: unknown };
  target.trace = method(LEVELS.TRACE);
  target.debug = method(LEVELS.DEBUG);
  target.info = method(LEVELS.INFO);
  target.log = target.info;
  target.warn = method(LEVELS.WARN);
  target.error = method(LEVELS.ERROR);
  target.fatal = (...params: unknown[]) => emit(LEVELS.FATAL, params);

  // Code that writes to the streams directly (a logger with its own Console) reaches the log line by line.
  for (const [name, stream] of [
    ['stdout', process.stdout],
    ['stderr', process.stderr],
  ] as const) {
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      post({ type: 'output', stream: name, text });
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    }) as typeof stream.write;
  }

  return {
    logError: json
      ? (_title, error) => console.error(intoError(error))
      : (title, error) => console.error(title, formatError(intoError(error))),
  };
}
