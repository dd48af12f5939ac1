import * as fs from 'fs';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { LOGS_WRITE_ACTIONS, XRAY_WRITE_ACTIONS } from '../private/iam-actions';
import { fail, isLiteral } from '../private/validation';

/**
 * What every function the library bundles shares, whatever it serves: its own log group, a role that
 * may write there (and send traces while tracing is on), JSON logs filtered by level, and source-mapped
 * stack traces.
 */

/** The logging and tracing settings of one function, resolved from its options and the defaults. */
export interface Observability {
  /** X-Ray active tracing; when off, the role gets no X-Ray permission at all. */
  readonly tracing: boolean;
  readonly logLevel: lambda.ApplicationLogLevel;
  readonly systemLogLevel: lambda.SystemLogLevel;
}

const X_RAY_REASON = 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.';
const TRACING_OFF_REASON =
  'X-Ray tracing was turned off with `tracing: false`, so the role holds no X-Ray permission either.';

/** A handler file esbuild can bundle, which exists (relative paths are from the working directory, as synth reads them). */
export function checkEntry(prop: string, entry: string | undefined): void {
  if (!isLiteral(entry)) return;
  if (!/\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/.test(entry as string)) {
    fail(prop, 'be a .ts, .js, .mjs or .cjs file with the handler', entry);
  }
  const resolved = path.resolve(entry as string);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) {
    fail(prop, `be an existing file (a relative path is read from the working directory, ${process.cwd()})`, entry);
  }
}

/** Writing the function's own log group, and sending traces only while tracing is on. */
export function observabilityStatements(logGroup: logs.ILogGroup, observability: Observability): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({ actions: [...LOGS_WRITE_ACTIONS], resources: [logGroup.logGroupArn] })];
  if (observability.tracing) {
    statements.push(new iam.PolicyStatement({ actions: [...XRAY_WRITE_ACTIONS], resources: ['*'] }));
  }
  return statements;
}

/** The one wildcard of `observabilityStatements` with tracing on, acknowledged to cdk-nag with its reason. */
function acknowledgeXrayWildcard(role: iam.IRole): void {
  Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: X_RAY_REASON });
  Validations.of(role).acknowledge({ id: 'Serverless-LambdaStarPermissions', reason: X_RAY_REASON });
}

/**
 * What cdk-nag must know about a function's tracing: with tracing on, the X-Ray wildcard of its role; with
 * tracing off, nothing on the role (it has no wildcard left) and the missing tracing, which the caller chose.
 */
export function acknowledgeObservability(role: iam.IRole, fn: lambda.IFunction, observability: Observability): void {
  if (observability.tracing) {
    acknowledgeXrayWildcard(role);
  } else {
    Validations.of(fn).acknowledge({ id: 'Serverless-LambdaTracing', reason: TRACING_OFF_REASON });
  }
}
