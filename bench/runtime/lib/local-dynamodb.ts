import { functionEnvironment, TABLE_NAME } from './environment';
import { LocalTable, startLocalTable } from '../../../test/helpers/local-dynamodb';

/**
 * Starts the project's one local DynamoDB (dynalite, in process; see test/helpers/local-dynamodb.ts) with the
 * benchmark table, `PK`/`SK` string keys, and sets the function environment in this process, so handlers built
 * afterwards talk to it. Every variant then pays the same real HTTP round trip and the same marshalling in the
 * AWS SDK.
 */
export async function startLocalDynamoDB(): Promise<LocalTable> {
  const local = await startLocalTable({
    TableName: TABLE_NAME,
    AttributeDefinitions: [
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
  });
  Object.assign(process.env, functionEnvironment(), { AWS_ENDPOINT_URL_DYNAMODB: local.endpoint });
  return local;
}
