import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { LOGS_WRITE_ACTIONS, XRAY_WRITE_ACTIONS } from '../private/iam-actions';
import { fail, isLiteral } from '../private/validation';

/**
 * What every function the library bundles shares, whatever it serves: its own log group, a role that
 * may write there and send traces, active tracing, JSON logs and source-mapped stack traces.
 */

/** esbuild options when none are given: small bundles whose stack traces still point at the source. */
export const DEFAULT_BUNDLING: nodejs.BundlingOptions = { minify: true, sourceMap: true };

const X_RAY_REASON = 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.';

/** A handler file esbuild can bundle. */
export function checkEntry(prop: string, entry: string | undefined): void {
  if (isLiteral(entry) && !/\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/.test(entry as string)) {
    fail(prop, 'be a .ts, .js, .mjs or .cjs file with the handler', entry);
  }
}

/** Writing the function's own log group, and sending traces. */
export function observabilityStatements(logGroup: logs.ILogGroup): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: [...LOGS_WRITE_ACTIONS], resources: [logGroup.logGroupArn] }),
    new iam.PolicyStatement({ actions: [...XRAY_WRITE_ACTIONS], resources: ['*'] }),
  ];
}

/** The one wildcard of `observabilityStatements`, acknowledged to cdk-nag with its reason. */
export function acknowledgeXrayWildcard(role: iam.IRole): void {
  Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: X_RAY_REASON });
  Validations.of(role).acknowledge({ id: 'Serverless-LambdaStarPermissions', reason: X_RAY_REASON });
}

/**
 * The observability settings of a bundled function. The function sees an immutable view of the role,
 * so nothing (not even aws-cdk-lib defaults) can widen its inline policy behind the library's back.
 */
export function observedFunctionProps(
  role: iam.Role,
  logGroup: logs.ILogGroup,
  bundling: nodejs.BundlingOptions | undefined,
): Pick<nodejs.NodejsFunctionProps, 'role' | 'logGroup' | 'loggingFormat' | 'tracing' | 'bundling' | 'environment'> {
  return {
    role: role.withoutPolicyUpdates(),
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    tracing: lambda.Tracing.ACTIVE,
    bundling: bundling ?? DEFAULT_BUNDLING,
    environment: sourceMapEnvironment(bundling),
  };
}

/** With the default bundling, source maps make an error's stack trace point at the handler's own code. */
export function sourceMapEnvironment(bundling: nodejs.BundlingOptions | undefined): { [key: string]: string } {
  return bundling ? {} : { NODE_OPTIONS: '--enable-source-maps' };
}
