/**
 * The task-board example as its tests run it: the table and function environments its stack synthesizes, its
 * handlers loaded as their functions, and the events API Gateway would send them.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { STSClient } from '@aws-sdk/client-sts';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { WEBHOOK_SIGNING_SECRET_ENV } from '../../integ/task-board/handlers/lib/webhook-signature';
import { TaskBoardStack } from '../../integ/task-board/stack';
import type { ProxyResult, TableOptions } from '../../src/runtime';
import type { Clock } from '../../src/runtime/clock';
import { QUEUES_ENV, TABLE_CALLER_ROLE_ENV, TABLE_NAME_ENV } from '../../src/shared/env';
import { startLocalTable, type LocalTable } from '../helpers/local-dynamodb';
import { startLocalMessaging, type LocalMessaging } from '../helpers/local-messaging';
import { secretArn, startTestSecrets, type TestSecrets } from '../helpers/local-secrets';

export const TABLE_NAME = 'task-board';

/** The webhook signing secret: what the webhooks function reads from Secrets Manager in the tests. */
export const WEBHOOK_SECRET = 'task-board-test-signing-secret';

/** The name of the webhook signing secret in the in-process Secrets Manager of `startExampleSecrets()`. */
const WEBHOOK_SECRET_NAME = 'task-board/webhook-signing';

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
    // The caller role's ARN is an attribute of a role of the stack: an ARN of its name stands in for it.
    const callerRole = (variables[TABLE_CALLER_ROLE_ENV] as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
      'Fn::GetAtt'
    ];
    if (callerRole) environments[name][TABLE_CALLER_ROLE_ENV] = `arn:aws:iam::123456789012:role/${callerRole[0]}`;
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

/**
 * Starts a local table with the schema the example stack defines, and points the AWS SDK at it (process
 * environment), so handlers loaded afterwards talk to this table.
 */
export async function startExampleTable(): Promise<LocalTable> {
  const table = await startLocalTable({ TableName: TABLE_NAME, ...synthesizeExample().table });
  // The tasks function enqueues notifications: an SQS of this process takes them while the table runs.
  const sqs = await startLocalMessaging({ notifications: { fifo: false } });
  messaging = sqs;
  const previous = process.env.AWS_ENDPOINT_URL_SQS;
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  const close = table.close.bind(table);
  return Object.assign(table, {
    close: async () => {
      if (messaging === sqs) messaging = undefined;
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
      else process.env.AWS_ENDPOINT_URL_SQS = previous;
      await Promise.all([sqs.close(), close()]);
    },
  });
}

/** The SQS of this process started with the example's table: the messages the tasks function sent. */
let messaging: LocalMessaging | undefined;

/** The messages the tasks function enqueued since `startExampleTable()`. */
export function exampleMessaging(): LocalMessaging {
  if (!messaging) throw new Error('startExampleTable() starts the SQS the tasks function sends to');
  return messaging;
}

/** The webhook signing secret in a Secrets Manager of this process, where a webhooks handler loaded here reads it. */
export interface ExampleSecrets extends TestSecrets {
  /**
   * The variable a webhooks handler loads with (`loadHandler('webhooks', secrets.environment)`): the secret's ARN, as
   * the stack's `secrets` sets it.
   */
  readonly environment: { readonly [name: string]: string };
  /** Rotates the signing secret to `value`. */
  rotate(value: string): void;
}

/**
 * Starts a local Secrets Manager holding the webhook signing secret (`WEBHOOK_SECRET` unless `value` is given) and
 * points the AWS SDK at it (process environment, until `close()`), as `startExampleTable()` does for DynamoDB: the
 * SDK resolves its endpoint at a client's first call, after `loadHandler()` has restored the environment.
 */
export async function startExampleSecrets(value: string = WEBHOOK_SECRET): Promise<ExampleSecrets> {
  const secrets = await startTestSecrets({ [WEBHOOK_SECRET_NAME]: value });
  const previous = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
  return {
    ...secrets,
    environment: { [WEBHOOK_SIGNING_SECRET_ENV]: secretArn(WEBHOOK_SECRET_NAME) },
    rotate: (rotated) => secrets.set(WEBHOOK_SECRET_NAME, rotated),
    close: async () => {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = previous;
      await secrets.close();
    },
  };
}

/** A handler of the example, as Lambda calls it. */
export type ExampleHandler = (event: unknown) => Promise<ProxyResult>;

/** How a handler is loaded besides its environment. */
export interface LoadOptions {
  /**
   * The clock of the handler's table, as if it passed `Table.fromEnvironment({ clock })`: to set the time of its
   * expiries, idempotency locks and rate-limit windows.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * How long the handler's client waits for a connection and for each answer, as if it passed them to
   * `Table.fromEnvironment()`.
   * @default the toolkit's 1 s and 3 s
   */
  readonly timeouts?: { readonly connectionTimeoutMs: number; readonly requestTimeoutMs: number };
  /**
   * How the handler's client retries, as if it passed `retryStrategy` to `Table.fromEnvironment()`.
   * @default the AWS SDK's standard strategy
   */
  readonly retryStrategy?: TableOptions['retryStrategy'];
}

/**
 * Loads an example handler with the environment its function has in the stack (plus `extra`). Handlers read
 * their environment when loaded, so each call loads a fresh copy of the module.
 */
export function loadHandler(
  fn: ExampleFunction,
  extra: { readonly [name: string]: string | undefined } = {},
  options: LoadOptions = {},
): ExampleHandler {
  const saved = { ...process.env };
  Object.assign(process.env, synthesizeExample().environments[fn]);
  if (fn === 'tasks') {
    // The queue's URL is a reference in the template: the in-process SQS's stands in for it (an unreachable one
    // before `startExampleTable()`, which no test without a table reaches).
    const url = messaging?.url('notifications') ?? 'http://127.0.0.1:9/123456789012/notifications';
    process.env[QUEUES_ENV] = JSON.stringify({ notifications: { url, fifo: false } });
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    let handler: ExampleHandler | undefined;
    jest.isolateModules(() => {
      withTableOptions({
        clock: options.clock,
        retryStrategy: options.retryStrategy,
        ...options.timeouts,
        callerSessions: { sts: IN_PROCESS_STS },
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the function's environment
      handler = (require(`../../integ/task-board/handlers/${fn}`) as { handler: ExampleHandler }).handler;
    });
    return handler!;
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

/**
 * The STS of handlers loaded in process: it hands out credentials for any caller without evaluating the caller
 * role, as nothing here enforces IAM (the local API does: see example-api.ts). Caller-bound patterns then send with
 * them to the local table like every other pattern.
 */
const IN_PROCESS_STS = {
  send: async () => ({
    Credentials: {
      AccessKeyId: 'ASIAINPROCESS',
      SecretAccessKey: 'in-process',
      SessionToken: 'in-process',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  }),
} as unknown as STSClient;

/**
 * The example's handlers build their table at module scope with `Table.fromEnvironment()`, which a test cannot
 * reach: the copy of the toolkit they are about to load (this module registry's) hands that call `injected`.
 */
function withTableOptions(injected: TableOptions): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the copy the handler will load
  const { Table } = require('../../src/runtime') as typeof import('../../src/runtime');
  const fromEnvironment = Table.fromEnvironment.bind(Table);
  const defined = Object.fromEntries(Object.entries(injected).filter(([, value]) => value !== undefined));
  jest
    .spyOn(Table, 'fromEnvironment')
    .mockImplementation((tableOptions = {}) => fromEnvironment({ ...defined, ...tableOptions }));
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
