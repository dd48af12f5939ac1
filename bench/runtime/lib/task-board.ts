import * as path from 'path';
import type { AccessPatternDescriptor } from '../../../src/shared/key-shape';

/** Where the example handlers live, relative to the repository root. */
export const TASK_BOARD_HANDLERS = ['tasks', 'sessions', 'webhooks'].map((name) => ({
  name: `task-board ${name}`,
  entry: path.join('integ', 'task-board', 'handlers', `${name}.ts`),
}));

/** The shape of an `AccessPattern` the benchmark reads: what `ServerlessApi` turns into a descriptor. */
interface AccessPatternLike {
  readonly operation: string;
  readonly partitionKey?: string;
  readonly sortKey?: string;
  readonly indexName?: string;
}

/**
 * The task board's access patterns as descriptors (`PK`/`SK` attributes, no index), read from the example stack
 * at run time, since the example and its handlers change together. Each example function gets all of them, a
 * superset of its own: only the patterns it names at module scope matter for its cold start.
 *
 * Loading the stack pulls in aws-cdk-lib, so this runs in the benchmark process, never in a measured child.
 */
export function taskBoardAccessPatterns(): { [name: string]: AccessPatternDescriptor } {
  // Required lazily: only the bundle section needs it, and a stack mid-edit should fail only that part.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stack = require('../../../integ/task-board/stack') as {
    TASK_BOARD_ACCESS_PATTERNS: { [name: string]: AccessPatternLike };
  };
  const descriptors: { [name: string]: AccessPatternDescriptor } = {};
  for (const [name, pattern] of Object.entries(stack.TASK_BOARD_ACCESS_PATTERNS)) {
    if (pattern.indexName !== undefined) throw new Error(`pattern ${name} reads an index: the benchmark assumes none`);
    descriptors[name] = {
      operation: pattern.operation,
      ...(pattern.partitionKey === undefined ? {} : { partitionKey: ['PK', pattern.partitionKey] as const }),
      ...(pattern.sortKey === undefined ? {} : { sortKey: ['SK', pattern.sortKey] as const }),
    };
  }
  return descriptors;
}

/**
 * Variables the example handlers read besides the table's: the signing secret's ARN, as the stack's `secrets` sets
 * it. Init declares the secret (loading the Secrets Manager client); its value is fetched at the first request only.
 */
export const TASK_BOARD_EXTRA_ENVIRONMENT = {
  WEBHOOK_SIGNING_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:task-board/webhook-signing-AbCdEf',
};
