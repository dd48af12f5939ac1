import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { sourceMapEnvironment } from './bundled-function';
import { BundlingOptions } from './bundling/bundling-options';
import { EventsDescriptor } from './function-publishes';
import { secretEnvironment } from './function-secrets';
import { fail, isLiteral } from '../private/validation';
import {
  API_CORS_ENV,
  EVENTS_ENV,
  QUEUES_ENV,
  SERVICE_NAME_ENV,
  TABLE_ACCESS_PATTERNS_ENV,
  TABLE_CALLER_ROLE_ENV,
  TABLE_INDEX_KEYS_ENV,
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from '../shared/env';
import { accessPatternDescriptor, ResolvedAccessPattern } from '../table/access-model';
import { TableKeyModel } from '../table/table-builder';

/**
 * The environment of every function the library declares (route functions and workers alike): one builder, so a
 * handler finds the same variables whatever invokes it, and one size check before anything is built.
 */

/** The variables the library sets from the API's settings: a function's own `environment` and `secrets` may not. */
export const RESERVED_ENVIRONMENT: readonly string[] = [
  API_CORS_ENV,
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
  TABLE_ACCESS_PATTERNS_ENV,
  TABLE_CALLER_ROLE_ENV,
  TABLE_INDEX_KEYS_ENV,
  QUEUES_ENV,
  EVENTS_ENV,
];

/**
 * Lambda limits the environment variables of a function to 4 KB in all, names and values
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
const MAX_ENVIRONMENT_BYTES = 4096;
/**
 * Bytes counted for a value only known at deploy time: the longest a table name can be, so the check errs on the safe
 * side for the table name, the queue URLs and tokens in `environment`.
 */
export const DEPLOY_TIME_VALUE_BYTES = 255;

/** A queue a function may send to, as its handler finds it in `SERVERLESS_API_QUEUES`. */
export interface QueueDescriptor {
  readonly url: string;
  readonly fifo: boolean;
}

/** Everything a function's environment is made of. */
export interface FunctionEnvironmentParts {
  /** The function's declared name: the service name of its log lines. */
  readonly name: string;
  /** Its own variables, checked by `validateEnvironment`. */
  readonly environment?: { readonly [key: string]: string };
  /** Its secrets, whose ARNs the variables carry. */
  readonly secrets?: { readonly [envName: string]: secretsmanager.ISecret };
  readonly bundling: BundlingOptions;
  readonly table: TableKeyModel;
  /** The table's name (a token once the table is built). */
  readonly tableName: string;
  /** The access patterns it uses, bound to the table. */
  readonly patterns: readonly ResolvedAccessPattern[];
  /** Variables the API sets on every route function (the CORS settings of a REST API); none on workers. */
  readonly apiEnvironment: { readonly [key: string]: string };
  /** ARN of its caller role, set only when a pattern is caller-bound. */
  readonly callerRoleArn: string;
  /** The queues it may send to, by declared name; the variable is left out when there is none. */
  readonly queues: { readonly [name: string]: QueueDescriptor };
  /** Renders `queues` as JSON: `Stack.toJsonString` once the URLs are tokens. */
  readonly toJson: (value: unknown) => string;
  /** The bus it publishes to and its publications; the variable is left out when it publishes nothing. */
  readonly events?: EventsDescriptor;
}

/**
 * Every environment variable of a function: source maps, the caller's own, the ARNs of its secrets, the table's names
 * and the descriptors of the function's access patterns (which handlers read at run time, see `shared/key-shape.ts`),
 * and the queues it may send to.
 */
export function functionEnvironment(parts: FunctionEnvironmentParts): { [key: string]: string } {
  const { table, patterns } = parts;
  const descriptors = Object.fromEntries(patterns.map((p) => [p.name, accessPatternDescriptor(p)]));
  // Every index's keys, not only those of the function's patterns: the items it reads may carry any of them.
  const indexKeys = table.indexes.flatMap((index) => [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]);
  const queues: { [key: string]: string } = Object.keys(parts.queues).length
    ? { [QUEUES_ENV]: parts.toJson(parts.queues) }
    : {};
  return {
    ...sourceMapEnvironment(parts.bundling),
    [SERVICE_NAME_ENV]: parts.name,
    ...parts.environment,
    ...secretEnvironment(parts.secrets),
    ...parts.apiEnvironment,
    [TABLE_NAME_ENV]: parts.tableName,
    [TABLE_PARTITION_KEY_ENV]: table.partitionKey,
    [TABLE_SORT_KEY_ENV]: table.sortKey,
    [TABLE_TTL_ATTRIBUTE_ENV]: table.timeToLiveAttribute,
    [TABLE_ACCESS_PATTERNS_ENV]: JSON.stringify(descriptors),
    ...(patterns.some((p) => p.callerBound) ? { [TABLE_CALLER_ROLE_ENV]: parts.callerRoleArn } : {}),
    ...(indexKeys.length ? { [TABLE_INDEX_KEYS_ENV]: JSON.stringify([...new Set(indexKeys)]) } : {}),
    ...queues,
    ...(parts.events ? { [EVENTS_ENV]: parts.toJson(parts.events) } : {}),
  };
}

/**
 * Fails when the environment `functionEnvironment` would build for the function passes Lambda's 4 KB, counting each
 * value known only at deploy time (the table's name, each queue's URL) at its longest.
 */
export function checkEnvironmentSize(
  prop: string,
  parts: Omit<FunctionEnvironmentParts, 'tableName' | 'callerRoleArn' | 'toJson'>,
): void {
  const placeholder = 'x'.repeat(DEPLOY_TIME_VALUE_BYTES);
  const environment = functionEnvironment({
    ...parts,
    tableName: placeholder,
    callerRoleArn: placeholder,
    queues: Object.fromEntries(
      Object.entries(parts.queues).map(([name, queue]) => [name, { ...queue, url: placeholder }]),
    ),
    ...(parts.events ? { events: { ...parts.events, bus: placeholder } } : {}),
    toJson: (value) => JSON.stringify(value),
  });
  const bytes = Object.entries(environment).reduce(
    (sum, [key, value]) =>
      sum + Buffer.byteLength(key) + (isLiteral(value) ? Buffer.byteLength(value) : DEPLOY_TIME_VALUE_BYTES),
    0,
  );
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    fail(
      prop,
      `fit Lambda's ${MAX_ENVIRONMENT_BYTES}-byte environment with its \`environment\`, the descriptors of its \`accessPatterns\`, its \`queues\` and its \`publishes\`: split the function or shorten its variables`,
      `${bytes} bytes, counting ${DEPLOY_TIME_VALUE_BYTES} for each value known only at deploy time`,
    );
  }
}
