import type { AccessPatternDescriptor } from '../../../src/shared/key-shape';

/** The table every benchmark handler writes to. */
export const TABLE_NAME = 'bench-task-board';

/**
 * The access patterns the benchmark handlers use, as `ServerlessApi` would describe them to the function in
 * `TABLE_ACCESS_PATTERNS`: the task create, and the two patterns of the toolkit's idempotency records.
 */
export const BENCH_ACCESS_PATTERNS: { readonly [name: string]: AccessPatternDescriptor } = {
  createTask: { operation: 'PutItem', partitionKey: ['PK', 'PROJECT#{projectId}'], sortKey: ['SK', 'TASK#{taskId}'] },
  putIdempotencyRecord: { operation: 'PutItem', partitionKey: ['PK', 'IDEMPOTENCY#{key}'], sortKey: ['SK', 'RECORD'] },
  getIdempotencyRecord: { operation: 'GetItem', partitionKey: ['PK', 'IDEMPOTENCY#{key}'], sortKey: ['SK', 'RECORD'] },
};

/**
 * The variables a route function gets from `ServerlessApi` and the Lambda runtime, enough for every handler to
 * initialize without any network access. Credentials are dummies: nothing signs a request during init.
 */
export function functionEnvironment(
  accessPatterns: { readonly [name: string]: AccessPatternDescriptor } = BENCH_ACCESS_PATTERNS,
): { [name: string]: string } {
  return {
    TABLE_NAME,
    TABLE_PARTITION_KEY: 'PK',
    TABLE_SORT_KEY: 'SK',
    TABLE_TTL_ATTRIBUTE: 'expiresAt',
    TABLE_ACCESS_PATTERNS: JSON.stringify(accessPatterns),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: 'bench-create-task',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NODE_ENV: 'production',
  };
}
