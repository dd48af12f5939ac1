/**
 * The tables, authorizer and raw HTTP the local DynamoDB's tests share. The authorizer is a stand-in with a fixed
 * rule (each key may use the operations listed for it), so these tests exercise the endpoint, not IAM evaluation.
 */
import * as http from 'http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableAuthorizer, TableDecision, TableRequest } from '../../../src/local/contracts';
import type { LocalTableModel } from '../../../src/local/model';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const TASKS_TABLE: LocalTableModel = {
  logicalId: 'TaskTable',
  tableName: 'TaskBoard-Tasks',
  arn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/TaskBoard-Tasks',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'byStatus',
      partitionKey: { name: 'status', type: 'S' },
      sortKey: { name: 'dueAt', type: 'N' },
      projectionType: 'INCLUDE',
      nonKeyAttributes: ['title'],
    },
  ],
  localSecondaryIndexes: [
    {
      indexName: 'byCreated',
      partitionKey: { name: 'PK', type: 'S' },
      sortKey: { name: 'createdAt', type: 'N' },
      projectionType: 'KEYS_ONLY',
    },
  ],
  ttlAttribute: 'expiresAt',
};

/** Lets each access key id use the operations listed for it; records every request it is asked about. */
export class FakeAuthorizer implements TableAuthorizer {
  public readonly requests: TableRequest[] = [];

  constructor(private readonly allowed: { readonly [accessKeyId: string]: readonly string[] }) {}

  public authorize(request: TableRequest): TableDecision {
    this.requests.push(request);
    if (this.allowed[request.accessKeyId]?.includes(request.operation)) return { allowed: true };
    return {
      allowed: false,
      message: `User: arn:aws:sts::123456789012:assumed-role/${request.accessKeyId}-role/${request.accessKeyId} is not authorized to perform: dynamodb:${request.operation} on resource: ${TASKS_TABLE.arn} because no identity-based policy allows the dynamodb:${request.operation} action`,
      reason: `no statement allows dynamodb:${request.operation}`,
    };
  }
}

/** A DynamoDB client as a handler makes one, signing with `accessKeyId`, without retries (a denial is final). */
export function sdkClient(endpoint: string, accessKeyId: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId, secretAccessKey: 'local-secret' },
    maxAttempts: 1,
  });
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Sends bytes as they are, for what no SDK would send. */
export function rawRequest(
  endpoint: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      endpoint,
      { method: options.method ?? 'POST', headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** The headers of a signed DynamoDB request (the signature is not checked locally; the credential is read). */
export function signedHeaders(operation: string, accessKeyId: string): http.OutgoingHttpHeaders {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `DynamoDB_20120810.${operation}`,
    'x-amz-date': '20260101T000000Z',
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0123456789abcdef`,
  };
}
