import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleHandlerFile, Bundler, resolveBundling } from './bundling/bundler';
import { BundlingOptions } from './bundling/bundling-options';
import { FunctionDefaults } from './function-options';
import { acknowledgeObservability, Observability, observabilityStatements } from './observed-function';

/** The documented defaults of `FunctionDefaults`, in one place. */
export const FUNCTION_DEFAULTS = {
  runtime: lambda.Runtime.NODEJS_24_X,
  architecture: lambda.Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(10),
  tracing: true,
  logLevel: lambda.ApplicationLogLevel.INFO,
  systemLogLevel: lambda.SystemLogLevel.INFO,
};

/** A function's settings resolved once: its own over the API's `functionDefaults` over the library's. */
export interface FunctionSettings {
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly bundling: BundlingOptions;
  readonly observability: Observability;
}

export function resolveFunctionSettings(own: FunctionDefaults, defaults: FunctionDefaults = {}): FunctionSettings {
  return {
    runtime: own.runtime ?? defaults.runtime ?? FUNCTION_DEFAULTS.runtime,
    architecture: own.architecture ?? defaults.architecture ?? FUNCTION_DEFAULTS.architecture,
    memorySize: own.memorySize ?? defaults.memorySize ?? FUNCTION_DEFAULTS.memorySize,
    timeout: own.timeout ?? defaults.timeout ?? FUNCTION_DEFAULTS.timeout,
    bundling: resolveBundling(own.bundling, defaults.bundling),
    observability: {
      tracing: own.tracing ?? defaults.tracing ?? FUNCTION_DEFAULTS.tracing,
      logLevel: own.logLevel ?? defaults.logLevel ?? FUNCTION_DEFAULTS.logLevel,
      systemLogLevel: own.systemLogLevel ?? defaults.systemLogLevel ?? FUNCTION_DEFAULTS.systemLogLevel,
    },
  };
}

/** With source maps on, an error's stack trace points at the handler's own code. */
export function sourceMapEnvironment(bundling: BundlingOptions): { [key: string]: string } {
  return bundling.sourceMap === false ? {} : { NODE_OPTIONS: '--enable-source-maps' };
}

export interface BundledFunctionProps {
  /** Where the function is declared in the props, for messages (`functions.tasks`). */
  readonly prop: string;
  /** The handler file. */
  readonly entry: string;
  /**
   * The exported handler function.
   *
   * @default 'handler'
   */
  readonly handler?: string;
  readonly settings: FunctionSettings;
  /** What the role may do besides writing its logs and traces. */
  readonly statements: iam.PolicyStatement[];
  /** The function's own variables, after the source-map switch. */
  readonly environment: { [key: string]: string };
  readonly reservedConcurrentExecutions?: number;
  readonly description: string;
  readonly roleDescription: string;
  readonly logRetention: logs.RetentionDays;
  /** Why the function has no dead-letter queue, for cdk-nag. */
  readonly noDeadLetterQueueReason: string;
}

/**
 * A function the library bundles (route functions, Lambda authorizers, later kinds): its own log group, a role with
 * one inline policy (its logs, X-Ray while tracing is on, and what the caller adds), JSON logs filtered by level,
 * source-mapped stack traces, and code from the stage's one-pass bundler.
 *
 * The function sees an immutable view of the role, so nothing (not even aws-cdk-lib defaults) can widen its policy
 * behind the library's back. Children keep the ids `Logs`, `Role` and `Function`: they are the resources' logical ids.
 */
export class BundledFunction extends Construct {
  public readonly lambdaFunction: lambda.IFunction;
  public readonly role: iam.IRole;
  public readonly logGroup: logs.ILogGroup;
  /** The timeout the function runs with. */
  public readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const { settings } = props;
    const observability = settings.observability;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.logGroup = logGroup;
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.roleDescription.slice(0, 1000),
      inlinePolicies: {
        access: new iam.PolicyDocument({
          statements: [...observabilityStatements(logGroup, observability), ...props.statements],
        }),
      },
    });
    this.role = role;
    this.timeout = settings.timeout;

    const code = Bundler.of(this).code({
      scope: this,
      prop: props.prop,
      entry: props.entry,
      bundling: settings.bundling,
      runtime: settings.runtime,
      architecture: settings.architecture,
    });
    const handlerModule = bundleHandlerFile(settings.bundling).replace(/\.m?js$/, '');
    const fn = new lambda.Function(this, 'Function', {
      code,
      handler: `${handlerModule}.${props.handler ?? 'handler'}`,
      runtime: settings.runtime,
      architecture: settings.architecture,
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      description: props.description.slice(0, 256),
      role: role.withoutPolicyUpdates(),
      logGroup,
      // Log levels need the JSON format: Lambda filters structured log lines by their level.
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: observability.logLevel,
      systemLogLevelV2: observability.systemLogLevel,
      tracing: observability.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: props.environment,
    });
    this.lambdaFunction = fn;
    acknowledgeObservability(role, fn, observability);
    Validations.of(fn).acknowledge({ id: 'Serverless-LambdaDLQ', reason: props.noDeadLetterQueueReason });
  }
}
