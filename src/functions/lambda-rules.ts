import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { fail, isLiteral } from '../private/validation';

/**
 * What Lambda itself refuses, or lacks, checked before anything is built so the message names the prop: variable
 * names and values it does not accept, and Node.js runtimes without the AWS SDK for JavaScript v3.
 */

/** Lambda's pattern for variable names: a letter, then at least one letter, digit or underscore. */
const ENVIRONMENT_NAME = /^[a-zA-Z][a-zA-Z0-9_]+$/;

/**
 * The variables Lambda's runtimes set themselves, whose keys "are reserved and cannot be set in your function
 * configuration" (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 */
export const LAMBDA_RESERVED_ENVIRONMENT: readonly string[] = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

/** The oldest Node.js whose Lambda runtime includes the AWS SDK for JavaScript v3 (older ones carry v2 only). */
export const MIN_NODE_MAJOR_VERSION = 18;

/** A function's own `environment`: names Lambda accepts and does not reserve, and values that are strings. */
export function validateEnvironment(prop: string, environment: { [key: string]: string } | undefined): void {
  for (const [name, value] of Object.entries(environment ?? {})) {
    if (!isLiteral(name)) continue;
    if (!ENVIRONMENT_NAME.test(name)) {
      fail(
        prop,
        'have names of at least two letters, digits and underscores, starting with a letter (as Lambda requires)',
        name,
      );
    }
    if (LAMBDA_RESERVED_ENVIRONMENT.includes(name)) {
      fail(prop, `not set ${name}: Lambda reserves it for the values its runtime sets`, name);
    }
    // JavaScript callers get no type check: a number or a boolean would otherwise fail deep inside synth.
    if (typeof value !== 'string' && !Token.isUnresolved(value)) {
      fail(`${prop}.${name}`, 'be a string, as every Lambda environment value is', value);
    }
  }
}

/** A Node.js runtime whose Lambda image includes the AWS SDK v3, which the bundles leave to the runtime. */
export function validateNodeRuntime(prop: string, runtime: lambda.Runtime): void {
  // `nodejs` alone is Node.js 0.10; every later runtime is named `nodejs<major>.<minor or x>`.
  const major = Number(/^nodejs(\d+)/.exec(runtime.name)?.[1] ?? 0);
  if (major < MIN_NODE_MAJOR_VERSION) {
    fail(
      prop,
      `be Node.js ${MIN_NODE_MAJOR_VERSION} or newer: older Lambda runtimes include only the AWS SDK for JavaScript v2, and the handlers need v3`,
      runtime.name,
    );
  }
}
