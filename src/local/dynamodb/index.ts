export { startLocalDynamoDb, type LocalDynamoDb, type LocalDynamoDbOptions } from './local-dynamodb';
export { DynamoDbError } from './json-client';
export type { TableCall } from './endpoint';
