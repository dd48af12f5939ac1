import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from '../../../../src/shared/env';

/** Where the function's items live, as `ServerlessApi` describes the table to it. */
export interface TableConfig {
  readonly tableName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/**
 * An environment variable that must be set. Handlers call this at module scope, so a function
 * deployed without its configuration fails at cold start with this message instead of writing
 * items under the wrong attribute names.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is not set: ServerlessApi sets it on every route function`);
  }
  return value;
}

/** The table name and key attribute names, read from the environment. */
export function readTableConfig(): TableConfig {
  return {
    tableName: requireEnv(TABLE_NAME_ENV),
    partitionKey: requireEnv(TABLE_PARTITION_KEY_ENV),
    sortKey: requireEnv(TABLE_SORT_KEY_ENV),
  };
}

/** The name of the attribute that holds an item's expiry in epoch seconds (the table's TTL attribute). */
export function readTtlAttribute(): string {
  return requireEnv(TABLE_TTL_ATTRIBUTE_ENV);
}

/**
 * A document client for module scope, so warm invocations reuse its connections. The endpoint and
 * region come from the standard AWS SDK environment (`AWS_ENDPOINT_URL_DYNAMODB` in local tests).
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Whether a write was refused by its condition expression. Compares the name, which survives bundling. */
export function isConditionalCheckFailed(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Now, in the unit DynamoDB TTL uses: whole seconds since the epoch. */
export function nowEpochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
