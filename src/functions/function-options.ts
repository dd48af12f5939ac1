import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { BundlingOptions } from './bundling/bundling-options';

/** Lambda settings shared by every route function and worker unless one sets its own. */
export interface FunctionDefaults {
  /**
   * The Node.js runtime.
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;
  /**
   * The instruction set.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Memory in MiB (CPU grows with it).
   *
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * How long one invocation may run: a route function's must stay below the API's integration timeout (30 s on an
   * HTTP API, 29 s on a REST API); a worker's may reach Lambda's 15 minutes.
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * How the handler is bundled; a function's own options apply field by field over the API's
   * `functionDefaults.bundling`. Bundling needs `esbuild` in the app's devDependencies.
   *
   * @default - minified, with source maps, AWS SDK v3 left to the runtime
   */
  readonly bundling?: BundlingOptions;
  /**
   * Whether X-Ray active tracing is on.
   *
   * Turning it off also removes the X-Ray permissions (`xray:PutTraceSegments`, `xray:PutTelemetryRecords`
   * on `*`) from the function's role, so the role holds nothing the function does not use.
   *
   * @default true
   */
  readonly tracing?: boolean;
  /**
   * The lowest level of the function's own JSON log lines that Lambda sends to the log group
   * (Lambda's advanced logging controls); lower levels are dropped.
   *
   * @default lambda.ApplicationLogLevel.INFO
   */
  readonly logLevel?: lambda.ApplicationLogLevel;
  /**
   * The lowest level of the log lines Lambda itself writes for the function (START, END, REPORT).
   *
   * `INFO` keeps the REPORT line with each invocation's duration and memory; `WARN` drops it.
   *
   * @default lambda.SystemLogLevel.INFO
   */
  readonly systemLogLevel?: lambda.SystemLogLevel;
}

/** A route function created by `ServerlessApi`. */
export interface IApiFunction extends IConstruct, iam.IGrantable {
  /** The name the function was declared under. */
  readonly name: string;
  /** The Lambda function. */
  readonly lambdaFunction: lambda.IFunction;
  /** The function's execution role, holding only the permissions its routes need. */
  readonly role: iam.IRole;
  /** Names of the access patterns the function uses. */
  readonly accessPatterns: string[];
  /** The function's log group, with bounded retention. */
  readonly logGroup: logs.ILogGroup;
  /**
   * The function's alarms: one over all its signals, or one per signal with `separateAlarms`; empty when
   * alarms are off.
   */
  readonly alarms: cloudwatch.IAlarm[];

  /** The share of invocations that failed, in percent. Per 5 minutes by default. */
  metricErrorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression;

  /** p99 duration as a share of the function's timeout, in percent. Per 5 minutes by default. */
  metricDurationP99Percent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression;

  /**
   * Peak concurrent executions as a share of `reservedConcurrentExecutions`, in percent, per 5 minutes by
   * default; undefined for a function without a reservation.
   */
  metricConcurrencyPercent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression | undefined;
}
