import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FunctionSettings, resolveFunctionSettings } from './bundled-function';
import { validateBundling } from './bundling/bundling-validation';
import { installedVersions } from './bundling/node-modules';
import { checkEnvironmentSize, QueueDescriptor, RESERVED_ENVIRONMENT } from './function-environment';
import { FunctionDefaults } from './function-options';
import { validatePublishes } from './function-publishes';
import { validateFunctionSecrets } from './function-secrets';
import { validateEnvironment, validateNodeRuntime } from './lambda-rules';
import { checkEntry } from './observed-function';
import { EventPublication } from '../events/event-publication';
import { millisExpression } from '../monitoring/metrics';
import { checkInteger, checkOneOf, checkUnique, fail, isLiteral } from '../private/validation';
import { ResolvedAccessPattern } from '../table/access-model';
import { TableKeyModel } from '../table/table-builder';

/**
 * The one validation path of every function the library declares, route functions and workers alike: what differs
 * between them (the longest timeout, whether a caller exists to bind patterns to) comes from the context.
 */

/** The longest timeout a kind of function may have, and why, for the message. */
export interface TimeoutLimit {
  /** The timeout must stay below this (`exclusive`) or at most this. */
  readonly limit: Duration;
  readonly exclusive: boolean;
  /** The rule in words, after "must": `be below the API's 30 seconds integration timeout, or ...`. */
  readonly requirement: string;
}

/** What a function is validated against: the API's limits, defaults, table keys, access patterns and queues. */
export interface FunctionContext {
  /** The longest timeout this kind of function may have. */
  readonly timeout: TimeoutLimit;
  /**
   * Whether a caller invokes the function, so that caller-bound patterns can be bound to it: route functions have
   * one, workers do not.
   */
  readonly hasCaller: boolean;
  readonly defaults: FunctionDefaults;
  readonly table: TableKeyModel;
  /** The API's access patterns, bound to the table. */
  readonly accessPatterns: ReadonlyMap<string, ResolvedAccessPattern>;
  /** Variables the API sets on every function of this kind (the CORS settings of a REST API's route functions). */
  readonly apiEnvironment: { [key: string]: string };
  /** The API's queues a function may send to, by name; only `fifo` is known before they are built. */
  readonly queues: ReadonlyMap<string, Omit<QueueDescriptor, 'url'>>;
}

/**
 * Lambda runs a function for at most 15 minutes (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html):
 * the limit of a worker, which no API Gateway integration waits for.
 */
export const WORKER_TIMEOUT_LIMIT: TimeoutLimit = {
  limit: Duration.minutes(15),
  exclusive: false,
  requirement: "be at most 15 minutes, Lambda's longest timeout",
};

/** The limit of a route function: it must finish before API Gateway gives up on it. */
export function integrationTimeoutLimit(integrationTimeout: Duration): TimeoutLimit {
  return {
    limit: integrationTimeout,
    exclusive: true,
    requirement: `be below the API's ${integrationTimeout.toHumanString()} integration timeout, or callers get a 503 while the function still runs`,
  };
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
    const { limit, exclusive, requirement } = context.timeout;
    const max = limit.toMilliseconds();
    if (exclusive ? ms >= max : ms > max) fail(`${prop}.timeout`, requirement, timeout);
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

/**
 * What every declared function is built from, whatever invokes it: `ApiFunctionOptions` less its routes, and
 * `WorkerOptions` less its alarms.
 */
export interface DeclaredFunctionOptions extends FunctionDefaults {
  readonly entry: string;
  readonly handler?: string;
  readonly accessPatterns?: string[];
  readonly queues?: string[];
  readonly reservedConcurrentExecutions?: number;
  readonly environment?: { [key: string]: string };
  readonly secrets?: { [envName: string]: secretsmanager.ISecret };
  readonly description?: string;
  readonly publishes?: EventPublication[];
}

/**
 * Checks a declared function's options, at `prop` (`functions.tasks`, `queues.thumbnails.worker`), and resolves its
 * settings (its own over the API's `functionDefaults`). `name` is the function's declared name.
 */
export function validateFunctionOptions(
  prop: string,
  name: string,
  options: DeclaredFunctionOptions,
  context: FunctionContext,
): FunctionSettings {
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
  const patterns = resolvePatterns(prop, options.accessPatterns ?? [], context);
  const queues = declaredQueues(prop, options.queues ?? [], context);
  checkInteger(`${prop}.reservedConcurrentExecutions`, options.reservedConcurrentExecutions, 1, 10000);
  validatePublishes(`${prop}.publishes`, options.publishes);
  checkEnvironmentSize(prop, {
    name,
    environment: options.environment,
    secrets: options.secrets,
    bundling: settings.bundling,
    table: context.table,
    patterns,
    apiEnvironment: context.apiEnvironment,
    queues,
    ...(options.publishes?.length ? { events: { bus: '', publishes: options.publishes } } : {}),
  });
  return settings;
}

/** The access patterns a function names, each one of the API's, once; caller-bound ones only where a caller exists. */
export function resolvePatterns(
  prop: string,
  names: readonly string[],
  context: FunctionContext,
): ResolvedAccessPattern[] {
  names.forEach((pattern, i) => {
    const resolved = context.accessPatterns.get(pattern);
    if (!resolved) {
      const declared = [...context.accessPatterns.keys()].map((n) => JSON.stringify(n)).join(', ') || 'none';
      fail(`${prop}.accessPatterns[${i}]`, `name one of the API's \`accessPatterns\` (declared: ${declared})`, pattern);
    }
    if (resolved.callerBound && !context.hasCaller) {
      const bound = Object.keys(resolved.callerBound).map((param) => `{${param}}`);
      fail(
        `${prop}.accessPatterns[${i}]`,
        `not be caller-bound: a worker runs with no caller whose session could bind ${bound.join(', ')}; declare an unbound pattern for the worker, and carry the caller's values in the message`,
        pattern,
      );
    }
  });
  checkUnique(`${prop}.accessPatterns`, names, (pattern) => pattern);
  const patterns = names.map((pattern) => context.accessPatterns.get(pattern)!);
  checkCallerBindings(prop, patterns);
  return patterns;
}

/** The queues a function may send to, each one of the API's, once; the descriptors its handler will find. */
function declaredQueues(
  prop: string,
  names: readonly string[],
  context: FunctionContext,
): { [name: string]: QueueDescriptor } {
  // JavaScript callers get no type check: a single name would otherwise be read letter by letter.
  if (!Array.isArray(names)) fail(`${prop}.queues`, "be a list of the API's `queues` names", names);
  names.forEach((queue, i) => {
    if (!context.queues.has(queue)) {
      const declared = [...context.queues.keys()].map((n) => JSON.stringify(n)).join(', ') || 'none';
      fail(`${prop}.queues[${i}]`, `name one of the API's \`queues\` (declared: ${declared})`, queue);
    }
  });
  checkUnique(`${prop}.queues`, names, (queue) => queue);
  return Object.fromEntries(names.map((queue) => [queue, { url: '', ...context.queues.get(queue)! }]));
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
