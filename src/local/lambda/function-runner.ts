/**
 * Runs a stack's functions locally from their synthesized asset bundles, each invocation in an execution
 * environment of its function (see `execution-environment.ts`), as Lambda's Node.js runtime runs them.
 */
import { resolve } from 'node:path';
import type { FunctionInvoker, InvokeOptions, InvokeOutcome } from '../contracts';
import type { LocalFunctionModel } from '../model';
import { ExecutionEnvironment } from './execution-environment';
import { FunctionPool, type FunctionStats } from './function-pool';
import { lambdaVariables, logStreamName } from './lambda-variables';
import { runtimeDir } from './runtime-files';

export interface FunctionRunnerOptions {
  /** The functions to run, by logical id. */
  readonly functions: { readonly [logicalId: string]: LocalFunctionModel };
  /** `AWS_REGION` and the region of `invokedFunctionArn`. */
  readonly region: string;
  /** The account of `invokedFunctionArn`. */
  readonly accountId: string;
  /**
   * Variables the caller adds to each function's environment (local endpoints such as `AWS_ENDPOINT_URL_DYNAMODB`,
   * the function's credentials, `AWS_LAMBDA_LOG_FORMAT` for a JSON LoggingConfig); they win over every other.
   * @default - none
   */
  readonly extraEnvironment?: (fn: LocalFunctionModel) => { readonly [name: string]: string };
  /**
   * Most execution environments per function that has no reserved concurrency; further invocations wait.
   * @default 10
   */
  readonly maxEnvironments?: number;
  /**
   * Folders whose `node_modules` resolve what a bundle keeps external (the AWS SDK Lambda provides), after the
   * bundle's own folder and its parents.
   * @default [process.cwd()]
   */
  readonly moduleRoots?: readonly string[];
  /**
   * Receives each log event of a function (its own output and Lambda's platform lines), with the name the function
   * was declared with (`LocalFunctionModel.name`).
   * @default - events are dropped
   */
  readonly log?: (functionName: string, line: string) => void;
}

export interface FunctionRunner extends FunctionInvoker {
  /** Terminates every execution environment; invocations in flight end with `Runtime.ExitError`. */
  close(): Promise<void>;
  /** Every function's environments and invocations so far, by logical id. */
  stats(): { [functionId: string]: FunctionStats };
}

const DEFAULT_MAX_ENVIRONMENTS = 10;

export function createFunctionRunner(options: FunctionRunnerOptions): FunctionRunner {
  const maxEnvironments = options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS;
  if (!Number.isInteger(maxEnvironments) || maxEnvironments < 1) {
    throw new Error(`\`maxEnvironments\` must be a whole number of at least 1, got: ${maxEnvironments}`);
  }
  const moduleRoots = (options.moduleRoots ?? [process.cwd()]).map((root) => resolve(root));
  const log = options.log ?? (() => undefined);
  const pools = new Map<string, FunctionPool>();
  let closed = false;

  const poolOf = (functionId: string): FunctionPool => {
    const existing = pools.get(functionId);
    if (existing) return existing;
    const fn = options.functions[functionId];
    if (!fn) {
      const known = Object.keys(options.functions).join(', ') || 'none';
      throw new Error(`No function with logical id "${functionId}" to invoke; the functions are: ${known}`);
    }
    const reserved = fn.reservedConcurrency;
    const pool = new FunctionPool(
      reserved === undefined ? { maxEnvironments, throttle: false } : { maxEnvironments: reserved, throttle: true },
      (onLost) => {
        const streamName = logStreamName();
        const dir = runtimeDir();
        return new ExecutionEnvironment({
          fn,
          invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${fn.functionName}`,
          logStreamName: streamName,
          variables: lambdaVariables({
            fn,
            region: options.region,
            logStreamName: streamName,
            runtimeDir: dir,
            moduleRoots,
            extra: options.extraEnvironment?.(fn) ?? {},
          }),
          runtimeDir: dir,
          moduleRoots,
          log: (line) => log(fn.name, line),
          onLost,
        });
      },
    );
    pools.set(functionId, pool);
    return pool;
  };

  return {
    async invoke(functionId: string, event: unknown, _options?: InvokeOptions): Promise<InvokeOutcome> {
      if (closed) throw new Error(`Cannot invoke "${functionId}": the function runner is closed`);
      const pool = poolOf(functionId);
      let eventJson: string;
      try {
        eventJson = JSON.stringify(event === undefined ? null : event);
      } catch (error) {
        throw new Error(`The event for "${functionId}" must be JSON, as Lambda takes it: ${(error as Error).message}`);
      }
      const outcome = await pool.invoke(eventJson);
      if (outcome === 'closed') {
        return {
          status: 'error',
          errorType: 'Runtime.ExitError',
          errorMessage: 'the local function runner was closed before the invocation started',
          durationMs: 0,
        };
      }
      return outcome;
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
    stats() {
      return Object.fromEntries(
        Object.keys(options.functions).map((id) => [
          id,
          pools.get(id)?.stats() ?? { environments: 0, busy: 0, coldStarts: 0, invocations: 0 },
        ]),
      );
    },
  };
}
