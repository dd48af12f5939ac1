// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from './clock';
import {
  TABLE_ACCESS_PATTERNS_ENV,
  TABLE_CALLER_ROLE_ENV,
  TABLE_INDEX_KEYS_ENV,
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from '../shared/env';
import type { AccessPatternDescriptor } from '../shared/key-shape';

/** Where the function's items live and which access patterns it may use, as `ServerlessApi` describes them. */
export interface TableConfig {
  readonly tableName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** The attribute holding each item's expiry in epoch seconds (the table's TTL attribute). */
  readonly ttlAttribute: string;
  /** The function's access patterns by name (the `TABLE_ACCESS_PATTERNS` variable). */
  readonly accessPatterns: { readonly [name: string]: AccessPatternDescriptor };
  /** The role of the function's caller-bound patterns (`TABLE_CALLER_ROLE_ARN`), when it has any. */
  readonly callerRoleArn?: string;
  /** The key attributes of every index of the table (the `TABLE_INDEX_KEYS` variable); none when absent. */
  readonly indexKeyAttributes?: readonly string[];
}

/**
 * What an access pattern needs of its table: the configuration, a document client and the clock expiries are
 * read against. `Table` is one; patterns depend on this rather than on `Table`, which builds them.
 */
export interface TableContext {
  readonly config: TableConfig;
  readonly client: DynamoDBDocumentClient;
  readonly clock: Clock;
  /**
   * A client signing with the caller's session of the caller role, for caller-bound patterns: `tags` are the
   * caller's values of the bound parameters.
   */
  callerClient?(tags: { readonly [param: string]: string }): Promise<DynamoDBDocumentClient>;
}

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is not set: ServerlessApi sets it on every route function`);
  }
  return value;
}

/** The JSON value of an optional variable, or `fallback` when it is unset. */
function jsonEnv<T>(env: NodeJS.ProcessEnv, name: string, fallback: T, valid: (value: unknown) => boolean): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error(`environment variable ${name} is not valid JSON`);
  }
  if (!valid(value)) throw new Error(`environment variable ${name} does not hold what ServerlessApi sets`);
  return value as T;
}

/** Reads the table's configuration from the environment `ServerlessApi` sets on each route function. */
export function readTableConfig(env: NodeJS.ProcessEnv = process.env): TableConfig {
  const accessPatterns = jsonEnv<{ [name: string]: AccessPatternDescriptor }>(
    env,
    TABLE_ACCESS_PATTERNS_ENV,
    {},
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  );
  const indexKeyAttributes = jsonEnv<string[]>(
    env,
    TABLE_INDEX_KEYS_ENV,
    [],
    (value) => Array.isArray(value) && value.every((name) => typeof name === 'string'),
  );
  return {
    tableName: requireEnv(env, TABLE_NAME_ENV),
    partitionKey: requireEnv(env, TABLE_PARTITION_KEY_ENV),
    sortKey: requireEnv(env, TABLE_SORT_KEY_ENV),
    ttlAttribute: requireEnv(env, TABLE_TTL_ATTRIBUTE_ENV),
    accessPatterns,
    ...(env[TABLE_CALLER_ROLE_ENV] ? { callerRoleArn: env[TABLE_CALLER_ROLE_ENV] } : {}),
    indexKeyAttributes,
  };
}
