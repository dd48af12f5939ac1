import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_DEFAULTS, resolveObservability } from './api-function';
import { FunctionDefaults } from './function-options';
import { acknowledgeObservability, observabilityStatements, observedFunctionProps } from './observed-function';

/** API Gateway waits at most 10 seconds for a Lambda authorizer: a longer timeout only costs money. */
export const AUTHORIZER_MAX_TIMEOUT = Duration.seconds(10);

export interface AuthorizerFunctionProps {
  readonly entry: string;
  /** The API's function defaults; the timeout is capped at `AUTHORIZER_MAX_TIMEOUT`. */
  readonly defaults?: FunctionDefaults;
  readonly logRetention: logs.RetentionDays;
  readonly description: string;
}

/**
 * A Lambda authorizer bundled from its entry like a route function: its own log group and a role that
 * may only write there and send traces while tracing is on (it needs no table access). Its logging and
 * tracing follow the API's `functionDefaults`.
 */
export class AuthorizerFunction extends Construct {
  public readonly lambdaFunction: lambda.IFunction;
  public readonly role: iam.IRole;
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: AuthorizerFunctionProps) {
    super(scope, id);
    const defaults = props.defaults ?? {};
    const observability = resolveObservability(defaults);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.logGroup = logGroup;
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`.slice(0, 1000),
      inlinePolicies: {
        access: new iam.PolicyDocument({ statements: observabilityStatements(logGroup, observability) }),
      },
    });
    this.role = role;

    const timeout = defaults.timeout;
    const fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      runtime: defaults.runtime ?? FUNCTION_DEFAULTS.runtime,
      architecture: defaults.architecture ?? FUNCTION_DEFAULTS.architecture,
      memorySize: defaults.memorySize ?? FUNCTION_DEFAULTS.memorySize,
      timeout:
        timeout && !timeout.isUnresolved() && timeout.toMilliseconds() < AUTHORIZER_MAX_TIMEOUT.toMilliseconds()
          ? timeout
          : AUTHORIZER_MAX_TIMEOUT,
      description: props.description.slice(0, 256),
      ...observedFunctionProps(role, logGroup, defaults.bundling, observability),
    });
    this.lambdaFunction = fn;
    acknowledgeObservability(role, fn, observability);
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'API Gateway invokes the authorizer synchronously: a failure denies the request, nothing is queued.',
    });
  }
}
