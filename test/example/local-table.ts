import type { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import dynalite from 'dynalite';
import type { HttpApiEvent } from '../../integ/task-board/handlers/lib/request';
import {
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from '../../src/shared/env';

export const TABLE_NAME = 'task-board';

/** A table in an in-process dynalite server, with the environment a route function would get. */
export interface LocalTable {
  /** A document client for arranging and checking items directly, beside the handler under test. */
  readonly client: DynamoDBDocumentClient;
  /** Every item in the table. Tests may scan; the handlers never do. */
  items(): Promise<Record<string, unknown>[]>;
  put(item: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts dynalite on a random loopback port, creates the table with `PK`/`SK` string keys and sets the
 * variables `ServerlessApi` and the AWS SDK read, so a handler required afterwards talks to this table.
 */
export async function startLocalTable(): Promise<LocalTable> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  Object.assign(process.env, {
    [TABLE_NAME_ENV]: TABLE_NAME,
    [TABLE_PARTITION_KEY_ENV]: 'PK',
    [TABLE_SORT_KEY_ENV]: 'SK',
    [TABLE_TTL_ATTRIBUTE_ENV]: 'expiresAt',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });

  const raw = new DynamoDBClient({});
  await raw.send(
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
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });

  return {
    client,
    async items() {
      const result = await client.send(new ScanCommand({ TableName: TABLE_NAME, ConsistentRead: true }));
      return result.Items ?? [];
    },
    async put(item) {
      await client.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

interface EventOptions {
  readonly pathParameters?: Record<string, string>;
  readonly queryStringParameters?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  /** The `sub` claim a JWT authorizer would pass; no authorizer context when omitted. */
  readonly sub?: string;
}

let requestCounter = 0;

/** An HTTP API payload format 2.0 event for `routeKey`, shaped like the ones API Gateway sends. */
export function httpEvent(routeKey: string, options: EventOptions = {}): HttpApiEvent {
  const [method, pathTemplate] = routeKey.split(' ');
  const rawPath = pathTemplate.replace(/\{(\w+)\}/g, (_, name: string) => options.pathParameters?.[name] ?? '');
  const requestId = `request-${++requestCounter}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(options.queryStringParameters).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    queryStringParameters: options.queryStringParameters,
    pathParameters: options.pathParameters,
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'jest' },
      requestId,
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
      ...(options.sub === undefined
        ? {}
        : { authorizer: { principalId: null, jwt: { claims: { sub: options.sub }, scopes: null } } }),
    },
  };
}

/** The signature the three example handlers share. */
export type HttpApiHandler = (event: HttpApiEvent) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Loads an example handler. Handlers read their environment when loaded, so tests require them after
 * `startLocalTable()` has set it, rather than importing them at the top of the file.
 */
export function requireHandler(name: 'tasks' | 'sessions' | 'webhooks'): HttpApiHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  return (require(`../../integ/task-board/handlers/${name}`) as { handler: HttpApiHandler }).handler;
}

/** A handler's result with its JSON body parsed, for assertions on both. */
export interface ParsedResult {
  readonly statusCode: number | undefined;
  readonly headers: Record<string, unknown> | undefined;
  readonly body: any;
}

/** Invokes `handler` with `event` and parses the JSON body of its result. */
export async function invoke(handler: HttpApiHandler, event: HttpApiEvent): Promise<ParsedResult> {
  const result = await handler(event);
  return {
    statusCode: result.statusCode,
    headers: result.headers,
    body: result.body === undefined ? undefined : JSON.parse(result.body),
  };
}

/**
 * Runs `body` with environment variables changed (a value of undefined removes the variable) and
 * restores them afterwards, for loading a second copy of a handler with a different configuration.
 */
export async function withEnv<T>(changes: Record<string, string | undefined>, body: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(Object.keys(changes).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
  apply(changes);
  try {
    return await body();
  } finally {
    apply(saved);
  }
}

/** Seconds since the epoch, like the TTL attribute. */
export function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
