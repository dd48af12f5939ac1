/**
 * The errors Lambda's Node.js runtime reports, named and worded as its runtime interface client names them
 * (https://github.com/aws/aws-lambda-nodejs-runtime-interface-client, src/Errors.js), and their JSON forms.
 * Runs inside the execution environment.
 */
import { types } from 'node:util';
import type { RuntimeErrorBody } from './protocol';

/** A runtime error whose `name` is `Runtime.<kind>`, as the runtime sets it on its error classes' prototypes. */
export class RuntimeError extends Error {
  constructor(kind: string, message: string) {
    super(message);
    Object.defineProperty(this, 'name', { value: `Runtime.${kind}`, enumerable: false, configurable: true });
  }
}

/** `Runtime.UnhandledPromiseRejection`: the message is the rejection reason, stringified. */
export function unhandledRejection(reason: unknown): RuntimeError {
  const error = new RuntimeError('UnhandledPromiseRejection', String(reason));
  Object.assign(error, { reason });
  return error;
}

/** `Runtime.NodeJsExit`: an async handler's promise never settled and the event loop emptied. */
export function nodeJsExit(): RuntimeError {
  return new RuntimeError(
    'NodeJsExit',
    'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
  );
}

export function intoError(value: unknown): Error {
  return value instanceof Error ? value : new Error(value as string);
}

function isErrorLike(value: unknown): value is Error {
  const candidate = value as Error | undefined;
  return (
    !!candidate &&
    typeof candidate.name === 'string' &&
    typeof candidate.message === 'string' &&
    typeof candidate.stack === 'string' &&
    !!candidate.name &&
    !!candidate.message
  );
}

/** The body the runtime posts for a failed invocation or init (`toRapidResponse`). */
export function toRuntimeErrorBody(error: unknown): RuntimeErrorBody {
  try {
    if (types.isNativeError(error) || isErrorLike(error)) {
      const err = error as Error;
      return {
        errorType: err.name,
        errorMessage: withSdkHint(err, err.message),
        trace: (err.stack ?? '').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

/** The runtime's `toFormatted`: a tab, then the error as JSON with its name, message, code, own fields and stack. */
export function formatError(error: Error): string {
  const withEnumerable = (_key: string, value: unknown) => {
    if (!(value instanceof Error)) return value;
    const copy: { [key: string]: unknown } = {
      errorType: value.name,
      errorMessage: value.message,
      code: (value as { code?: unknown }).code,
      ...value,
    };
    if (typeof value.stack === 'string') copy.stack = value.stack.split('\n');
    return copy;
  };
  try {
    return '\t' + JSON.stringify(error, withEnumerable);
  } catch {
    return '\t' + JSON.stringify(toRuntimeErrorBody(error));
  }
}

const MISSING_MODULE = /Cannot find (?:module|package) '((?:@[^/']+\/)?[^/']+)/;

/**
 * Lambda's Node.js runtimes ship the AWS SDK for JavaScript v3, so bundles leave `@aws-sdk/*` out; locally it has to
 * come from the user's own `node_modules`. When it does not, the error says so and how to fix it.
 */
export function withSdkHint(error: unknown, message: string): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') {
    return cause instanceof Error && cause !== error ? withSdkHint(cause, message) : message;
  }
  const missing = MISSING_MODULE.exec((error as Error).message)?.[1];
  if (!missing?.startsWith('@aws-sdk/')) return message;
  return `${message}\n${missing} is provided by Lambda's Node.js runtime; install it as a devDependency of your app to run the function locally.`;
}
