import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { tableAccessStatements, validateTableAccess } from './access-policy';
import { ApiFunctionOptions, FunctionDefaults, IApiFunction } from './function-options';
import { LOGS_WRITE_ACTIONS, XRAY_WRITE_ACTIONS } from '../private/iam-actions';
import { checkInteger, fail, isLiteral } from '../private/validation';
import { TABLE_NAME_ENV, TABLE_PARTITION_KEY_ENV, TABLE_SORT_KEY_ENV, TABLE_TTL_ATTRIBUTE_ENV } from '../shared/env';
import { TableModel } from '../table/table-builder';

/** The documented defaults of `FunctionDefaults`, in one place. */
export const FUNCTION_DEFAULTS = {
  runtime: lambda.Runtime.NODEJS_24_X,
  architecture: lambda.Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(10),
};

const DEFAULT_BUNDLING: nodejs.BundlingOptions = { minify: true, sourceMap: true };

const RESERVED_ENVIRONMENT = [TABLE_NAME_ENV, TABLE_PARTITION_KEY_ENV, TABLE_SORT_KEY_ENV, TABLE_TTL_ATTRIBUTE_ENV];

export interface FunctionLimits {
  /** The API's integration timeout: a function must finish before API Gateway gives up on it. */
  readonly integrationTimeout: Duration;
  readonly indexNames: readonly string[];
}

export function validateFunctionDefaults(prop: string, options: FunctionDefaults, limits: FunctionLimits): void {
  checkInteger(`${prop}.memorySize`, options.memorySize, 128, 10240);
  const timeout = options.timeout;
  if (timeout && isLiteral(timeout)) {
    const ms = timeout.toMilliseconds();
    if (ms < 1000 || ms % 1000 !== 0) fail(`${prop}.timeout`, 'be a whole number of seconds, at least 1', timeout);
    if (ms >= limits.integrationTimeout.toMilliseconds()) {
      fail(
        `${prop}.timeout`,
        `be below the API's ${limits.integrationTimeout.toHumanString()} integration timeout, or callers get a 503 while the function still runs`,
        timeout,
      );
    }
  }
  const runtime = options.runtime;
  if (runtime && runtime.family !== lambda.RuntimeFamily.NODEJS) {
    fail(`${prop}.runtime`, 'be a Node.js runtime (handlers are bundled with esbuild)', runtime.name);
  }
}

export function validateFunctionOptions(prop: string, options: ApiFunctionOptions, limits: FunctionLimits): void {
  validateFunctionDefaults(prop, options, limits);
  if (isLiteral(options.entry) && !/\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/.test(options.entry)) {
    fail(`${prop}.entry`, 'be a .ts, .js, .mjs or .cjs file with the handler', options.entry);
  }
  if (options.handler !== undefined && isLiteral(options.handler) && !/^[A-Za-z_$][\w$]*$/.test(options.handler)) {
    fail(`${prop}.handler`, 'be the name of an exported function, such as "handler"', options.handler);
  }
  if (!options.routes || options.routes.length === 0) {
    fail(`${prop}.routes`, 'list at least one route the function serves', options.routes ?? []);
  }
  for (const name of Object.keys(options.environment ?? {})) {
    if (RESERVED_ENVIRONMENT.includes(name)) {
      fail(`${prop}.environment`, `not set ${name}: the library sets it from the table`, name);
    }
  }
  validateTableAccess(`${prop}.tableAccess`, options.tableAccess ?? [], limits.indexNames);
}

export interface ApiFunctionProps {
  readonly name: string;
  readonly options: ApiFunctionOptions;
  readonly defaults?: FunctionDefaults;
  readonly table?: TableModel;
  readonly logRetention: logs.RetentionDays;
  readonly description: string;
}

/**
 * A route function with the only permissions it needs: its own log group, X-Ray, and the table
 * items it declared. The role's policy is inline and the function sees an immutable view of the
 * role, so nothing (not even aws-cdk-lib defaults) can widen it behind the library's back.
 */
export class ApiFunction extends Construct implements IApiFunction {
  public readonly name: string;
  public readonly lambdaFunction: lambda.IFunction;
  public readonly role: iam.IRole;
  public readonly logGroup: logs.ILogGroup;
  public readonly grantPrincipal: iam.IPrincipal;
  public alarm?: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    const { options, defaults = {}, table } = props;
    this.name = props.name;

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.logGroup = logGroup;

    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ actions: [...LOGS_WRITE_ACTIONS], resources: [logGroup.logGroupArn] }),
        new iam.PolicyStatement({ actions: [...XRAY_WRITE_ACTIONS], resources: ['*'] }),
        ...(table ? tableAccessStatements(options.tableAccess ?? [], table) : []),
      ],
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.name}: ${props.description}`.slice(0, 1000),
      inlinePolicies: { access: policy },
    });
    this.role = role;
    this.grantPrincipal = role;
    const xrayReason = 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.';
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: xrayReason });
    Validations.of(role).acknowledge({ id: 'Serverless-LambdaStarPermissions', reason: xrayReason });

    const bundling = options.bundling ?? defaults.bundling;
    const fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: options.entry,
      handler: options.handler ?? 'handler',
      runtime: options.runtime ?? defaults.runtime ?? FUNCTION_DEFAULTS.runtime,
      architecture: options.architecture ?? defaults.architecture ?? FUNCTION_DEFAULTS.architecture,
      memorySize: options.memorySize ?? defaults.memorySize ?? FUNCTION_DEFAULTS.memorySize,
      timeout: options.timeout ?? defaults.timeout ?? FUNCTION_DEFAULTS.timeout,
      description: (options.description ?? props.description).slice(0, 256),
      role: role.withoutPolicyUpdates(),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      bundling: bundling ?? DEFAULT_BUNDLING,
      environment: {
        // Source maps make a 500's stack trace in the log point at the handler's own code.
        ...(bundling ? {} : { NODE_OPTIONS: '--enable-source-maps' }),
        ...options.environment,
        ...(table ? tableEnvironment(table) : {}),
      },
    });
    this.lambdaFunction = fn;
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'API Gateway invokes route functions synchronously: failures go back to the caller, never to a queue.',
    });
  }
}

function tableEnvironment(table: TableModel): { [key: string]: string } {
  return {
    [TABLE_NAME_ENV]: table.table.tableName,
    [TABLE_PARTITION_KEY_ENV]: table.partitionKey,
    [TABLE_SORT_KEY_ENV]: table.sortKey,
    [TABLE_TTL_ATTRIBUTE_ENV]: table.timeToLiveAttribute,
  };
}
