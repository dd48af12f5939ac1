import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { functionEnvironment, TABLE_NAME } from './environment';

// dynalite ships no types: this is the one call the benchmark makes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { readonly createTableMs?: number }) => Server;

/** An in-process dynalite server holding the benchmark table. */
export interface LocalDynamoDB {
  close(): Promise<void>;
}

/**
 * Starts dynalite on a loopback port, creates the table with `PK`/`SK` string keys, and sets the function
 * environment plus `AWS_ENDPOINT_URL_DYNAMODB` in this process, so handlers built afterwards talk to it. Every
 * variant then pays the same real HTTP round trip and the same marshalling in the AWS SDK.
 */
export async function startLocalDynamoDB(): Promise<LocalDynamoDB> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(process.env, functionEnvironment(), { AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` });

  const admin = new DynamoDBClient({});
  await admin.send(
    new CreateTableCommand({
      TableName: TABLE_NAME,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
    }),
  );
  admin.destroy();

  return {
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets of the handlers' clients would hold the server open: drop them.
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
