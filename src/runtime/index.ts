/**
 * The runtime toolkit: what route handlers import (`cdk-serverless-api/runtime`), outside the jsii construct API.
 *
 * ```ts
 * const table = Table.fromEnvironment();
 * const tasks = table.item('createTask');
 * export const handler = apiHandler({
 *   table,
 *   routes: {
 *     'POST /projects/{projectId}/tasks': route({
 *       body: z.object({ taskId: z.string(), title: z.string() }),
 *       // The task without its storage keys, and its version as the ETag.
 *       handle: async ({ params, body }) => created(await tasks.create({ ...params, ...body }, body)),
 *     }),
 *   },
 * });
 * ```
 */
export * from './handler';
export * from './problem';
export * from './principal';
export * from './request';
export * from './response';
export * from './table';
export * from './table-config';
export * from './clock';
export * from './items';
export * from './item-options';
export * from './query';
export * from './keys';
export { shardOf } from './shards';
export * from './idempotency';
export { isIdempotencyRecord, type IdempotencyStoreOptions } from './idempotency-store';
export * from './rate-limit';
export * from './dynamodb-errors';
export * from './deadline';
export * from './if-match';
export { entityTag, entityTagOf, VERSION_ATTRIBUTE, versionOf, withVersionOf, type Item } from './representation';
export { newId, WRITE_ID_ATTRIBUTE } from './write-ids';
export * from './enqueue';
export * from './publish';
export { MessageTooLargeError, type SenderClientOptions } from './senders';
export { MESSAGE_ID_ATTRIBUTE } from '../shared/messages';
export {
  InvalidMessageError,
  type RecordOutcome,
  type SchemaOutput,
  type WorkerContext,
  type WorkerIdempotencyOptions,
  type WorkerOptions,
} from './worker';
export * from './worker-sqs';
export * from './worker-events';
export * from './worker-stream';
export * from './secrets';
export type { StandardSchemaV1 } from './standard-schema';
export * from './caller-credentials';
