import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accessPatternStatements } from './access-policy';
import { BundledFunction, FunctionSettings } from './bundled-function';
import { functionEnvironment, QueueDescriptor } from './function-environment';
import { publishAccess } from './function-publishes';
import { secretStatements } from './function-secrets';
import { DeclaredFunctionOptions } from './function-validation';
import { FunctionMetrics } from '../monitoring/metrics';
import { ResolvedAccessPattern } from '../table/access-model';
import { TableModel } from '../table/table-builder';

export interface DeclaredFunctionProps {
  /** Where the function is declared in the props, for messages (`functions.tasks`, `queues.thumbnails.worker`). */
  readonly prop: string;
  /** Its declared name: unique among the API's route functions and workers. */
  readonly name: string;
  readonly options: DeclaredFunctionOptions;
  /** Its settings, resolved by `validateFunctionOptions`. */
  readonly settings: FunctionSettings;
  readonly table: TableModel;
  /** The access patterns the function uses, bound to the table; its own role holds the unbound ones. */
  readonly accessPatterns: readonly ResolvedAccessPattern[];
  /** The API's event bus, which its `publishes` go to; needed only when it declares any. */
  readonly eventBus?: events.IEventBus;
  /** The queues it may send to (their URLs are tokens), by declared name. */
  readonly queues: { readonly [name: string]: QueueDescriptor };
  /** What else its role may do: send to its `queues`, take its worker source's events. */
  readonly statements: iam.PolicyStatement[];
  readonly logRetention: logs.RetentionDays;
  /** What invokes it, when its options give no description: its routes, or its worker source. */
  readonly description: string;
  /** Variables the API sets on every function of this kind. */
  readonly apiEnvironment: { [key: string]: string };
  /** The ARN of its caller role (a lazy value), used only when a pattern is caller-bound. */
  readonly callerRoleArn: string;
  /** Why the function has no dead-letter queue, for cdk-nag. */
  readonly noDeadLetterQueueReason: string;
}

/**
 * A function declared in the API's props, whatever invokes it (API Gateway for a route function, a worker source for a
 * worker): one role holding exactly its access patterns, the secrets it declared, the queues it sends to and the events
 * it publishes; the table's variables, its patterns' descriptors, its queues and its bus in its environment; its
 * metrics for the alarms and the dashboard.
 */
export class DeclaredFunction extends BundledFunction {
  public readonly name: string;
  public readonly accessPatterns: string[];
  /** The access patterns it uses, bound to the table, for the API's pattern table and partition checks. */
  public readonly patterns: readonly ResolvedAccessPattern[];
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The function's metrics, shared with its alarms and the dashboard. */
  public readonly metrics: FunctionMetrics;

  constructor(scope: Construct, id: string, props: DeclaredFunctionProps) {
    const { options, settings, table } = props;
    const own = props.accessPatterns.filter((pattern) => !pattern.callerBound);
    const publishing = publishAccess(props.eventBus, options.publishes);
    super(scope, id, {
      prop: props.prop,
      entry: options.entry,
      handler: options.handler,
      settings,
      statements: [
        ...accessPatternStatements(own, table),
        ...secretStatements(options.secrets),
        ...publishing.statements,
        ...props.statements,
      ],
      environment: functionEnvironment({
        name: props.name,
        environment: options.environment,
        secrets: options.secrets,
        bundling: settings.bundling,
        table,
        tableName: table.table.tableName,
        patterns: props.accessPatterns,
        apiEnvironment: props.apiEnvironment,
        callerRoleArn: props.callerRoleArn,
        queues: props.queues,
        events: publishing.descriptor,
        toJson: (value) => Stack.of(scope).toJsonString(value),
      }),
      reservedConcurrentExecutions: options.reservedConcurrentExecutions,
      description: options.description ?? props.description,
      roleDescription: `Execution role of ${props.name}: ${props.description}`,
      logRetention: props.logRetention,
      noDeadLetterQueueReason: props.noDeadLetterQueueReason,
    });
    this.name = props.name;
    this.accessPatterns = props.accessPatterns.map((pattern) => pattern.name);
    this.patterns = props.accessPatterns;
    this.grantPrincipal = this.role;
    this.metrics = new FunctionMetrics(
      this.lambdaFunction,
      props.name,
      this.timeout,
      options.reservedConcurrentExecutions,
    );
  }

  public metricErrorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return this.metrics.errorRate(props);
  }

  public metricDurationP99Percent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return this.metrics.durationP99Percent(props);
  }

  public metricConcurrencyPercent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression | undefined {
    return this.metrics.concurrencyPercent(props);
  }
}
