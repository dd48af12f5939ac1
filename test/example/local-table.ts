import type { IncomingMessage } from 'http';
import type { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import dynalite from 'dynalite';
import { TaskBoardStack } from '../../integ/task-board/stack';
import type { ProxyResult } from '../../src/runtime';
import { TABLE_NAME_ENV } from '../../src/shared/env';

export const TABLE_NAME = 'task-board';

/** The example's functions, by the name they have in the stack. */
export type ExampleFunction = 'tasks' | 'sessions' | 'webhooks';

/** What the stack synthesizes for the example: the table's schema and each function's environment. */
export interface SynthesizedExample {
  readonly table: Omit<CreateTableCommandInput, 'TableName'>;
  readonly environments: { readonly [fn in ExampleFunction]: { readonly [name: string]: string } };
}

let synthesized: SynthesizedExample | undefined;

/**
 * Synthesizes the task-board stack (without bundling) and reads what the handlers depend on from the template:
 * the table's key schema and indexes, and each function's environment variables. Tests create their table and
 * set their environment from this, so a change to the construct's key design or access patterns reaches them.
 */
export function synthesizeExample(): SynthesizedExample {
  if (synthesized) return synthesized;
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(new TaskBoardStack(app, 'TaskBoard'));
  const tables = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'));
  if (tables.length !== 1) throw new Error(`expected one table in the example stack, found ${tables.length}`);
  const tableProps = tables[0].Properties;
  const environments: { [name: string]: { [name: string]: string } } = {};
  for (const [logicalId, resource] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
    const variables = resource.Properties.Environment?.Variables as { [name: string]: unknown } | undefined;
    const name = (['tasks', 'sessions', 'webhooks'] as const).find((fn) =>
      logicalId.startsWith(`ApiFunctions${fn}Function`),
    );
    if (!variables || !name) continue;
    // Only literal values reach the handler here; the table name is a reference, replaced by the local table's.
    environments[name] = Object.fromEntries(
      Object.entries(variables).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])),
    );
    environments[name][TABLE_NAME_ENV] = TABLE_NAME;
  }
  for (const fn of ['tasks', 'sessions', 'webhooks']) {
    if (!environments[fn]) throw new Error(`no function "${fn}" with an environment in the example stack`);
  }
  synthesized = {
    table: {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: tableProps.AttributeDefinitions,
      KeySchema: tableProps.KeySchema,
      GlobalSecondaryIndexes: tableProps.GlobalSecondaryIndexes?.map((index: any) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: index.Projection,
      })),
    },
    environments: environments as SynthesizedExample['environments'],
  };
  return synthesized;
}

/** A table in an in-process dynalite server, created from the example stack's schema. */
export interface LocalTable {
  /** `http://127.0.0.1:<port>` of the server. */
  readonly endpoint: string;
  /** A document client for arranging and checking items directly, beside the handler under test. */
  readonly client: DynamoDBDocumentClient;
  /** Every item in the table. Tests may scan; the handlers never do. */
  items(): Promise<Record<string, unknown>[]>;
  put(item: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs `action` and returns, with its result, every request the table received meanwhile (from any client),
   * in arrival order: to prove how a handler reaches the table (one Query, never a Scan).
   */
  record<T>(action: () => Promise<T>): Promise<{ readonly result: T; readonly operations: TableOperation[] }>;
}

/** One request the table received: its operation (`Query`, `PutItem`...) and its input, in DynamoDB JSON. */
export interface TableOperation {
  readonly operation: string;
  readonly input: any;
}

/** The variables the AWS SDK reads, pointing it at `endpoint` with throwaway credentials. */
export function sdkEnvironment(endpoint: string): { [name: string]: string } {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * Starts dynalite on a random loopback port, creates the table the example stack defines, and points the AWS
 * SDK at it (process environment), so handlers loaded afterwards talk to this table.
 */
export async function startLocalTable(): Promise<LocalTable> {
  const server = dynalite({ createTableMs: 0 });
  // Keep idle connections open like DynamoDB does, rather than Node's 5 seconds: a test that waits (for a fresh
  // rate-limit window) would otherwise make every handler reconnect at once, and a burst of connections to this
  // single-threaded server can outlast the handlers' 1-second connection timeout.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let recording: TableOperation[] | undefined;
  server.on('request', (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      recording?.push({ operation, input: chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {} });
    });
  });
  Object.assign(process.env, sdkEnvironment(endpoint));

  const raw = new DynamoDBClient({});
  await raw.send(new CreateTableCommand({ TableName: TABLE_NAME, ...synthesizeExample().table }));
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });

  return {
    endpoint,
    client,
    async items() {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: TABLE_NAME, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async put(item) {
      await client.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));
    },
    async record(action) {
      const operations: TableOperation[] = [];
      recording = operations;
      try {
        const result = await action();
        return { result, operations: [...operations] };
      } finally {
        recording = undefined;
      }
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A handler of the example, as Lambda calls it. */
export type ExampleHandler = (event: unknown) => Promise<ProxyResult>;

/**
 * Loads an example handler with the environment its function has in the stack (plus `extra`). Handlers read
 * their environment when loaded, so each call loads a fresh copy of the module.
 */
export function loadHandler(
  fn: ExampleFunction,
  extra: { readonly [name: string]: string | undefined } = {},
): ExampleHandler {
  const saved = { ...process.env };
  Object.assign(process.env, synthesizeExample().environments[fn]);
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    let handler: ExampleHandler | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the function's environment
      handler = (require(`../../integ/task-board/handlers/${fn}`) as { handler: ExampleHandler }).handler;
    });
    return handler!;
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
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
export function httpEvent(routeKey: string, options: EventOptions = {}): APIGatewayProxyEventV2 {
  const [method, pathTemplate] = routeKey.split(' ');
  const rawPath = pathTemplate.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(options.pathParameters?.[name] ?? ''),
  );
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
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

/** A handler's result with its JSON body parsed, for assertions on both. */
export interface ParsedResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: any;
}

/** Invokes `handler` with `event` and parses the JSON body of its result. */
export async function invoke(handler: ExampleHandler, event: unknown): Promise<ParsedResult> {
  const result = await handler(event);
  return {
    statusCode: result.statusCode,
    headers: result.headers,
    body: result.body === '' ? undefined : JSON.parse(result.body),
  };
}

/** Seconds since the epoch, like the TTL attribute. */
export function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The `Content-Type` of the toolkit's error answers (RFC 9457). */
export const PROBLEM_JSON = 'application/problem+json';

const PROBLEM_TITLES: { readonly [status: number]: string } = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The problem document the toolkit answers an error with, for `toEqual`: `detail` and the request id may be
 * exact values or matchers (the request id defaults to any id `httpEvent` issues).
 */
export function problemBody(
  status: number,
  detail: unknown,
  extensions: { readonly [member: string]: unknown } = {},
  requestId: unknown = expect.stringMatching(/^request-\d+$/),
): { [member: string]: unknown } {
  return { ...extensions, type: 'about:blank', title: PROBLEM_TITLES[status], status, detail, requestId };
}

/**
 * Waits, if needed, until at least `minRemainingSeconds` remain in the current fixed window of `windowSeconds`
 * (windows start at multiples of their length since the epoch, like the rate limiter's), so requests fired
 * next all count against one window. Returns the start of that window, in epoch seconds.
 */
export async function waitForFreshWindow(windowSeconds: number, minRemainingSeconds: number): Promise<number> {
  const remainingMs = () => windowSeconds * 1000 - (Date.now() % (windowSeconds * 1000));
  if (remainingMs() < minRemainingSeconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, remainingMs() + 50));
  }
  const now = epochSeconds();
  return now - (now % windowSeconds);
}
