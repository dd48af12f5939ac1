import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { FunctionDefaults } from './function-options';
import { EventPublication } from '../events/event-publication';
import { FunctionAlarmOptions } from '../monitoring/alarm-options';

/**
 * A worker: a function that does slow work off the request path, invoked by its source (a queue's messages) rather
 * than by a route. It has what a route function has (its own role from its access patterns, secrets and queues, its
 * log group, alarms and dashboard graphs) and may run up to Lambda's 15 minutes.
 */
export interface WorkerOptions extends FunctionDefaults {
  /** Path of the TypeScript or JavaScript file with the handler, bundled with esbuild. */
  readonly entry: string;
  /**
   * Name of the exported handler function in `entry`.
   *
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * Names of the API's `accessPatterns` the worker uses: its role may perform exactly these patterns' operations, on
   * keys of their shapes. Caller-bound patterns are refused: a worker runs with no caller to bind them to.
   *
   * @default - no table access
   */
  readonly accessPatterns?: string[];
  /**
   * Names of the API's `queues` the worker may itself send messages to (`sqs:SendMessage` on exactly those queues).
   *
   * @default - it sends to no queue
   */
  readonly queues?: string[];
  /**
   * Concurrent executions reserved for (and limiting) this worker, so a burst of work cannot starve the route
   * functions or overload the table. An account must keep 100 unreserved executions.
   *
   * @default - no reservation: the worker uses the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Extra environment variables. Never a secret: declare it in `secrets` instead.
   *
   * @default - only the variables the library sets
   */
  readonly environment?: { [key: string]: string };
  /**
   * Secrets the worker reads at run time, by the environment variable that carries each one's ARN (never its value);
   * the role may read exactly these secrets.
   *
   * @default - no secrets
   */
  readonly secrets?: { [envName: string]: secretsmanager.ISecret };
  /**
   * Events the worker puts on the API's event bus: its role may `events:PutEvents` on exactly that bus with exactly
   * these sources and detail types.
   *
   * @default - it publishes no events
   */
  readonly publishes?: EventPublication[];
  /**
   * A description of the worker.
   *
   * @default - what invokes it, e.g. "Worker of queue thumbnails"
   */
  readonly description?: string;
  /**
   * This worker's alarms, signal by signal over the API's `alarms.functions`.
   *
   * @default - the API's `alarms.functions`
   */
  readonly alarms?: FunctionAlarmOptions;
}

/** A worker created by `ServerlessApi`. */
export interface IWorkerFunction extends IConstruct, iam.IGrantable {
  /** The name the worker was declared under (its queue's name for a queue worker). */
  readonly name: string;
  /** The Lambda function. */
  readonly lambdaFunction: lambda.IFunction;
  /** The worker's execution role: its access patterns, secrets and queues, and what its source needs. */
  readonly role: iam.IRole;
  /** Names of the access patterns the worker uses. */
  readonly accessPatterns: string[];
  /** The worker's log group, with bounded retention. */
  readonly logGroup: logs.ILogGroup;
  /** The worker's alarms, as a route function's; empty when alarms are off. */
  readonly alarms: cloudwatch.IAlarm[];

  /** The share of invocations that failed, in percent. Per 5 minutes by default. */
  metricErrorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression;

  /** p99 duration as a share of the worker's timeout, in percent. Per 5 minutes by default. */
  metricDurationP99Percent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression;

  /**
   * Peak concurrent executions as a share of `reservedConcurrentExecutions`, in percent, per 5 minutes by default;
   * undefined for a worker without a reservation.
   */
  metricConcurrencyPercent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression | undefined;
}
