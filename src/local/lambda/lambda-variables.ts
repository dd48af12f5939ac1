/**
 * The environment of one execution environment: the variables the template gives the function, the ones Lambda
 * sets itself (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)
 * and the caller's extras (local endpoints, credentials). Never the parent process's environment.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { LocalFunctionModel } from '../model';

export interface VariablesInput {
  readonly fn: LocalFunctionModel;
  readonly region: string;
  readonly logStreamName: string;
  /** Lambda's `LAMBDA_RUNTIME_DIR`: where the local runtime's code is. */
  readonly runtimeDir: string;
  /** Folders whose `node_modules` stand in for the runtime's own (`/var/runtime/node_modules`, where the SDK is). */
  readonly moduleRoots: readonly string[];
  readonly extra: { readonly [name: string]: string };
}

/** Lambda's `AWS_LAMBDA_LOG_STREAM_NAME`: one stream per execution environment, `2025/01/31/[$LATEST]<32 hex>`. */
export function logStreamName(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export function lambdaVariables(input: VariablesInput): { [name: string]: string } {
  const { fn } = input;
  // Unreserved: a function's own configuration may change these.
  const defaults = {
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    // Lambda's NODE_PATH lists layers, the runtime's node_modules (the SDK) and the task root; there are no layers here.
    NODE_PATH: [...input.moduleRoots.map((root) => join(root, 'node_modules')), fn.codeDir].join(':'),
  };
  // Reserved: Lambda sets them whatever the configuration says.
  const reserved = {
    _HANDLER: fn.handler,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    LAMBDA_TASK_ROOT: fn.codeDir,
    LAMBDA_RUNTIME_DIR: input.runtimeDir,
    TZ: ':UTC',
  };
  return { ...defaults, ...fn.environment, ...reserved, ...input.extra };
}
