import { Readable } from 'stream';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A document client whose HTTP exchange is replaced by an immediate `200 {}`, the answer of a successful PutItem.
 * Everything else the SDK does per request still runs: command middleware, marshalling, endpoint resolution, SigV4
 * signing, retries bookkeeping and response parsing. What a handler costs on top of that is what it costs on
 * Lambda, whatever DynamoDB's own latency.
 */
export function cannedDocumentClient(): DynamoDBDocumentClient {
  // The shape of a Smithy HTTP handler; typed loosely because its types live in a transitive package.
  const requestHandler = {
    handle: async () => ({
      response: {
        statusCode: 200,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: Readable.from([Buffer.from('{}')]),
      },
    }),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  } as unknown as DynamoDBClientConfig['requestHandler'];
  return DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
