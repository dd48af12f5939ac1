import { Duration, Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { accessPatternStatements } from './access-policy';
import { BundledFunction, FunctionSettings, resolveFunctionSettings, sourceMapEnvironment } from './bundled-function';
import { BundlingOptions } from './bundling/bundling-options';
import { validateBundling } from './bundling/bundling-validation';
import { installedVersions } from './bundling/node-modules';
import { CallerRole } from './caller-role';
import { FunctionDefaults, IApiFunction } from './function-options';
import { secretEnvironment, secretStatements, validateFunctionSecrets } from './function-secrets';
import { validateEnvironment, validateNodeRuntime } from './lambda-rules';
import { checkEntry } from './observed-function';
import { FunctionMetrics, millisExpression } from '../monitoring/metrics';
import { checkInteger, checkOneOf, checkUnique, fail, isLiteral } from '../private/validation';
import {
  SERVICE_NAME_ENV,
  API_CORS_ENV,
  TABLE_CALLER_ROLE_ENV,
  TABLE_ACCESS_PATTERNS_ENV,
  TABLE_INDEX_KEYS_ENV,
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from '../shared/env';
import { accessPatternDescriptor, ResolvedAccessPattern } from '../table/access-model';
import { TableKeyModel, TableModel } from '../table/table-builder';

const RESERVED_ENVIRONMENT = [
  API_CORS_ENV,
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
  TABLE_ACCESS_PATTERNS_ENV,
  TABLE_CALLER_ROLE_ENV,
  TABLE_INDEX_KEYS_ENV,
];

/** Lambda limits the environment variables of a function to 4 KB in all, names and values. */
const MAX_ENVIRONMENT_BYTES = 4096;
/**
 * Bytes counted for a value only known at deploy time: the longest a table name can be, so the
 * check errs on the safe side for the table name and for tokens in `environment`.
 */
const DEPLOY_TIME_VALUE_BYTES = 255;

/** What a function is validated against: the API's limits, defaults, table keys and access patterns. */
export interface FunctionContext {
  /** The API's integration timeout: a function must finish before API Gateway gives up on it. */
  readonly integrationTimeout: Duration;
  readonly defaults: FunctionDefaults;
  readonly table: TableKeyModel;
  /** The API's access patterns, bound to the table. */
  readonly accessPatterns: ReadonlyMap<string, ResolvedAccessPattern>;
  /** Variables the API sets on every function (the CORS settings of a REST API). */
  readonly apiEnvironment: { [key: string]: string };
}

export function validateFunctionDefaults(prop: string, options: FunctionDefaults, context: FunctionContext): void {
  checkInteger(`${prop}.memorySize`, options.memorySize, 128, 10240);
  const timeout = options.timeout;
  if (timeout && !isLiteral(timeout) && millisExpression(timeout) === undefined) {
    fail(
      `${prop}.timeout`,
      'be given in milliseconds, seconds or minutes when its amount is a token',
      timeout.toString(),
    );
  }
  if (timeout && isLiteral(timeout)) {
    const ms = timeout.toMilliseconds();
    if (ms < 1000 || ms % 1000 !== 0) fail(`${prop}.timeout`, 'be a whole number of seconds, at least 1', timeout);
    if (ms >= context.integrationTimeout.toMilliseconds()) {
      fail(
        `${prop}.timeout`,
        `be below the API's ${context.integrationTimeout.toHumanString()} integration timeout, or callers get a 503 while the function still runs`,
        timeout,
      );
    }
  }
  validateBundling(`${prop}.bundling`, options.bundling);
  const runtime = options.runtime;
  if (runtime && runtime.family !== lambda.RuntimeFamily.NODEJS) {
    fail(`${prop}.runtime`, 'be a Node.js runtime (handlers are bundled with esbuild)', runtime.name);
  }
  if (runtime) validateNodeRuntime(`${prop}.runtime`, runtime);
  // JavaScript callers get no type check: a string such as "false" would otherwise leave tracing on.
  if (isLiteral(options.tracing) && typeof options.tracing !== 'boolean') {
    fail(`${prop}.tracing`, 'be true or false', options.tracing);
  }
  // A log level Lambda does not know would only fail at deploy time.
  const appLevels = Object.values(lambda.ApplicationLogLevel);
  checkOneOf(
    `${prop}.logLevel`,
    options.logLevel,
    appLevels,
    `be a lambda.ApplicationLogLevel (${appLevels.join(', ')})`,
  );
  const systemLevels = Object.values(lambda.SystemLogLevel);
  checkOneOf(
    `${prop}.systemLogLevel`,
    options.systemLogLevel,
    systemLevels,
    `be a lambda.SystemLogLevel (${systemLevels.join(', ')})`,
  );
}

/** What a route function is built from: `ApiFunctionOptions` less its routes, which the API wires. */
export interface RouteFunctionOptions extends FunctionDefaults {
  readonly entry: string;
  readonly handler?: string;
  readonly accessPatterns?: string[];
  readonly reservedConcurrentExecutions?: number;
  readonly environment?: { [key: string]: string };
  readonly secrets?: { [envName: string]: secretsmanager.ISecret };
  readonly description?: string;
}

/** Checks a route function's options and resolves its settings (its own over the API's `functionDefaults`). */
export function validateFunctionOptions(
  name: string,
  options: RouteFunctionOptions,
  context: FunctionContext,
): FunctionSettings {
  const prop = `functions.${name}`;
  validateFunctionDefaults(prop, options, context);
  // JavaScript callers get no type check: a missing entry would otherwise fail inside Node's path module.
  if (typeof options.entry !== 'string') {
    fail(`${prop}.entry`, 'name an existing file with the handler (.ts, .js, .mjs or .cjs)', options.entry);
  }
  checkEntry(`${prop}.entry`, options.entry);
  const settings = resolveFunctionSettings(options, context.defaults);
  installedVersions(`${prop}.bundling.nodeModules`, options.entry, settings.bundling.nodeModules ?? []);
  if (options.handler !== undefined && isLiteral(options.handler) && !/^[A-Za-z_$][\w$]*$/.test(options.handler)) {
    fail(`${prop}.handler`, 'be the name of an exported function, such as "handler"', options.handler);
  }
  validateEnvironment(`${prop}.environment`, options.environment);
  for (const variable of Object.keys(options.environment ?? {})) {
    if (RESERVED_ENVIRONMENT.includes(variable)) {
      fail(`${prop}.environment`, `not set ${variable}: the library sets it from the API's settings`, variable);
    }
  }
  validateFunctionSecrets(prop, options.environment, options.secrets, RESERVED_ENVIRONMENT);
  const names = options.accessPatterns ?? [];
  names.forEach((pattern, i) => {
    if (!context.accessPatterns.has(pattern)) {
      const declared = [...context.accessPatterns.keys()].map((n) => JSON.stringify(n)).join(', ') || 'none';
      fail(`${prop}.accessPatterns[${i}]`, `name one of the API's \`accessPatterns\` (declared: ${declared})`, pattern);
    }
  });
  checkUnique(`${prop}.accessPatterns`, names, (pattern) => pattern);
  checkCallerBindings(
    prop,
    names.map((pattern) => context.accessPatterns.get(pattern)!),
  );
  const reserved = options.reservedConcurrentExecutions;
  checkInteger(`${prop}.reservedConcurrentExecutions`, reserved, 1, 10000);
  const environment = functionEnvironment(
    options,
    settings.bundling,
    context.table,
    'x'.repeat(DEPLOY_TIME_VALUE_BYTES),
    names.map((pattern) => context.accessPatterns.get(pattern)!),
    context.apiEnvironment,
    name,
    'x'.repeat(DEPLOY_TIME_VALUE_BYTES),
  );
  const bytes = Object.entries(environment).reduce(
    (sum, [key, value]) =>
      sum + Buffer.byteLength(key) + (isLiteral(value) ? Buffer.byteLength(value) : DEPLOY_TIME_VALUE_BYTES),
    0,
  );
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    fail(
      prop,
      `fit Lambda's ${MAX_ENVIRONMENT_BYTES}-byte environment with its \`environment\` and the descriptors of its \`accessPatterns\`: split the function or shorten its variables`,
      `${bytes} bytes, counting ${DEPLOY_TIME_VALUE_BYTES} for each value known only at deploy time`,
    );
  }
  return settings;
}

/**
 * One function's caller-bound patterns share its session tags, so a parameter must be bound to the same caller
 * attribute in each, and tag keys, which IAM compares without case, must not differ by case alone.
 */
function checkCallerBindings(prop: string, patterns: readonly ResolvedAccessPattern[]): void {
  const bindings = new Map<string, { pattern: string; param: string; attribute: string }>();
  for (const pattern of patterns) {
    for (const [param, attribute] of Object.entries(pattern.callerBound ?? {})) {
      const seen = bindings.get(param.toLowerCase());
      const described = attribute.toString();
      if (seen && (seen.param !== param || seen.attribute !== described)) {
        fail(
          `${prop}.accessPatterns`,
          `bind each caller parameter one way, as one session tag: "${seen.pattern}" binds {${seen.param}} to the ${seen.attribute}, "${pattern.name}" binds {${param}} to the ${described}; give one of them another parameter name`,
          patterns.map((p) => p.name),
        );
      }
      bindings.set(param.toLowerCase(), { pattern: pattern.name, param, attribute: described });
    }
  }
  // The function's own role holds its unbound patterns: one on a caller-bound shape would reach every caller's.
  for (const bound of patterns.filter((p) => p.callerBound)) {
    const unbound = patterns.find(
      (p) => !p.callerBound && p.indexName === bound.indexName && p.pattern.partitionKey === bound.pattern.partitionKey,
    );
    if (unbound) {
      fail(
        `${prop}.accessPatterns`,
        `not use "${unbound.name}" unbound beside the caller-bound "${bound.name}" on the same partition key ${bound.pattern.partitionKey}: the function's own role would reach every caller's partition; bind both, or give the unbound use its own function`,
        patterns.map((p) => p.name),
      );
    }
  }
}

/**
 * Every environment variable of a route function: source maps, the caller's own, the ARNs of its secrets, the
 * table's names and the descriptors of the function's access patterns (which handlers read at run time, see `shared/key-shape.ts`).
 */
function functionEnvironment(
  options: RouteFunctionOptions,
  bundling: BundlingOptions,
  table: TableKeyModel,
  tableName: string,
  patterns: readonly ResolvedAccessPattern[],
  apiEnvironment: { [key: string]: string },
  serviceName: string,
  callerRoleArn: string,
): { [key: string]: string } {
  const descriptors = Object.fromEntries(patterns.map((p) => [p.name, accessPatternDescriptor(p)]));
  // Every index's keys, not only those of the function's patterns: the items it reads may carry any of them.
  const indexKeys = table.indexes.flatMap((index) => [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]);
  return {
    ...sourceMapEnvironment(bundling),
    [SERVICE_NAME_ENV]: serviceName,
    ...options.environment,
    ...secretEnvironment(options.secrets),
    ...apiEnvironment,
    [TABLE_NAME_ENV]: tableName,
    [TABLE_PARTITION_KEY_ENV]: table.partitionKey,
    [TABLE_SORT_KEY_ENV]: table.sortKey,
    [TABLE_TTL_ATTRIBUTE_ENV]: table.timeToLiveAttribute,
    [TABLE_ACCESS_PATTERNS_ENV]: JSON.stringify(descriptors),
    ...(patterns.some((p) => p.callerBound) ? { [TABLE_CALLER_ROLE_ENV]: callerRoleArn } : {}),
    ...(indexKeys.length ? { [TABLE_INDEX_KEYS_ENV]: JSON.stringify([...new Set(indexKeys)]) } : {}),
  };
}

export interface ApiFunctionProps {
  readonly name: string;
  readonly options: RouteFunctionOptions;
  /** Its settings, resolved by `validateFunctionOptions`. */
  readonly settings: FunctionSettings;
  readonly table: TableModel;
  /** The access patterns the function uses, bound to the table. */
  readonly accessPatterns: readonly ResolvedAccessPattern[];
  readonly logRetention: logs.RetentionDays;
  readonly description: string;
  /** Variables the API sets on every function. */
  readonly apiEnvironment: { [key: string]: string };
}

/**
 * A route function with the only permissions it needs: its own log group, X-Ray (unless tracing is
 * off), the table items and the secrets it declared.
 */
export class ApiFunction extends BundledFunction implements IApiFunction {
  public readonly name: string;
  public readonly accessPatterns: string[];
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The function's metrics, shared with its alarms and the dashboard. */
  public readonly metrics: FunctionMetrics;
  /** The role of its caller-bound access patterns, when it has any. */
  public readonly callerRole?: iam.IRole;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    const { options, settings, table } = props;
    const own = props.accessPatterns.filter((pattern) => !pattern.callerBound);
    const bound = props.accessPatterns.filter((pattern) => pattern.callerBound);
    // The caller role names the execution role, so it is built after it; the environment takes its ARN lazily.
    const caller: { role?: CallerRole } = {};
    super(scope, id, {
      prop: `functions.${props.name}`,
      entry: options.entry,
      handler: options.handler,
      settings,
      statements: [...accessPatternStatements(own, table), ...secretStatements(options.secrets)],
      environment: functionEnvironment(
        options,
        settings.bundling,
        table,
        table.table.tableName,
        props.accessPatterns,
        props.apiEnvironment,
        props.name,
        Lazy.string({ produce: () => caller.role?.role.roleArn }),
      ),
      reservedConcurrentExecutions: options.reservedConcurrentExecutions,
      description: options.description ?? props.description,
      roleDescription: `Execution role of ${props.name}: ${props.description}`,
      logRetention: props.logRetention,
      noDeadLetterQueueReason:
        'API Gateway invokes route functions synchronously: failures go back to the caller, never to a queue.',
    });
    if (bound.length) {
      caller.role = new CallerRole(this, 'CallerRole', {
        functionName: props.name,
        functionRole: this.role,
        patterns: bound,
        table,
      });
      this.callerRole = caller.role.role;
      this.lambdaFunction.node.addDependency(caller.role.assumePolicy);
    }
    this.name = props.name;
    this.accessPatterns = props.accessPatterns.map((pattern) => pattern.name);
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
