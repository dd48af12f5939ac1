/**
 * A minimal DynamoDB client: one signed JSON POST per operation, DynamoDB JSON in and out. The package does not
 * depend on the AWS SDK, and arranging data or sweeping expired items needs no more than this.
 */
import * as http from 'http';
import { AMZ_JSON } from './errors';
import { TARGET_PREFIX } from './operations';
import { signRequest, type SigningCredentials } from './signature';

/** An error DynamoDB answered: `name` is its exception (`ConditionalCheckFailedException`). */
export class DynamoDbError extends Error {
  /** The full `__type` (`com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`). */
  public readonly type: string;
  public readonly statusCode: number;

  constructor(type: string, message: string, statusCode: number) {
    super(message);
    this.type = type;
    this.name = type.slice(type.lastIndexOf('#') + 1);
    this.statusCode = statusCode;
  }
}

export type Send = (operation: string, input: object) => Promise<{ [key: string]: any }>;

export interface JsonClient {
  readonly send: Send;
  close(): void;
}

export function jsonClient(options: {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: SigningCredentials;
}): JsonClient {
  const url = new URL(options.endpoint);
  const pool = new http.Agent({ keepAlive: true });
  const send: Send = (operation, input) => {
    const body = JSON.stringify(input);
    const headers = signRequest({
      host: url.host,
      region: options.region,
      target: `${TARGET_PREFIX}${operation}`,
      body,
      credentials: options.credentials,
      date: new Date(),
    });
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          agent: pool,
          hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: url.port,
          method: 'POST',
          path: '/',
          headers: { ...headers, 'content-type': AMZ_JSON, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any;
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              parsed = undefined;
            }
            if (status === 200 && parsed !== undefined) return resolve(parsed);
            const type = typeof parsed?.__type === 'string' ? parsed.__type : `HTTP${status}`;
            const message = parsed?.message ?? parsed?.Message ?? (text || `${operation} answered HTTP ${status}`);
            reject(new DynamoDbError(type, String(message), status));
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  };
  return { send, close: () => pool.destroy() };
}
