/**
 * Shared helpers of the runtime toolkit tests: API Gateway proxy events of both API types, the access patterns
 * the tests use, the local table they run against and a logger whose output is kept out of the test log.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2WithRequestContext,
} from 'aws-lambda';
import type { Clock } from '../../src/runtime/clock';
import type { ProxyResult } from '../../src/runtime/response';
import { Table } from '../../src/runtime/table';
import {
  TABLE_ACCESS_PATTERNS_ENV,
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from '../../src/shared/env';
import type { AccessPatternDescriptor } from '../../src/shared/key-shape';
import { startLocalTable, type LocalTable } from '../helpers/local-dynamodb';

export const TABLE_NAME = 'runtime-test';

/** Access patterns by name, as `TABLE_ACCESS_PATTERNS` carries them. */
export type AccessPatterns = { [name: string]: AccessPatternDescriptor };

const TASK_KEY = {
  partitionKey: ['PK', 'PROJECT#{projectId}'],
  sortKey: ['SK', 'TASK#{taskId}'],
} as const;
const IDEMPOTENCY_KEY = { partitionKey: ['PK', 'IDEMPOTENCY#{key}'], sortKey: ['SK', 'RECORD'] } as const;

/** Every pattern the tests use: tasks of a project, their list, rate-limit counters and idempotency records. */
export const PATTERNS: AccessPatterns = {
  getTask: { operation: 'GetItem', ...TASK_KEY },
  createTask: { operation: 'PutItem', ...TASK_KEY },
  updateTask: { operation: 'UpdateItem', ...TASK_KEY },
  deleteTask: { operation: 'DeleteItem', ...TASK_KEY },
  listTasks: { operation: 'Query', partitionKey: ['PK', 'PROJECT#{projectId}'], sortKey: ['SK', 'TASK#'] },
  listNotes: { operation: 'Query', partitionKey: ['PK', 'PROJECT#{projectId}'], sortKey: ['SK', 'NOTE#'] },
  scanAll: { operation: 'Scan' },
  rateLimit: { operation: 'UpdateItem', partitionKey: ['PK', 'RATE#{caller}'], sortKey: ['SK', 'WINDOW#{window}'] },
  putIdempotencyRecord: { operation: 'PutItem', ...IDEMPOTENCY_KEY },
  getIdempotencyRecord: { operation: 'GetItem', ...IDEMPOTENCY_KEY },
};

/**
 * Starts a local table with `PK`/`SK` string keys and sets the variables `ServerlessApi` sets on a function
 * (`expiresAt` is the TTL attribute), so `Table.fromEnvironment()` reads this table.
 */
async function startTestTable(): Promise<LocalTable> {
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
  Object.assign(process.env, {
    [TABLE_NAME_ENV]: TABLE_NAME,
    [TABLE_PARTITION_KEY_ENV]: 'PK',
    [TABLE_SORT_KEY_ENV]: 'SK',
    [TABLE_TTL_ATTRIBUTE_ENV]: 'expiresAt',
  });
  return local;
}

/** A local table and the toolkit's `Table` over it, configured through the environment like a route function. */
export interface RuntimeTable {
  readonly local: LocalTable;
  /** `Table.fromEnvironment()` with `patterns`, using the toolkit's own document client. */
  readonly table: Table;
  /** The same table with other access patterns (same client and clock). */
  withPatterns(patterns: AccessPatterns): Table;
  /** The same table (same client and patterns) telling the time by `clock`. */
  withClock(clock: Clock): Table;
  close(): Promise<void>;
}

/** Starts dynalite, sets `TABLE_ACCESS_PATTERNS` and creates the toolkit's `Table` from the environment. */
export async function startRuntimeTable(patterns: AccessPatterns = PATTERNS): Promise<RuntimeTable> {
  const local = await startTestTable();
  process.env[TABLE_ACCESS_PATTERNS_ENV] = JSON.stringify(patterns);
  const table = Table.fromEnvironment();
  return {
    local,
    table,
    withPatterns: (accessPatterns) => new Table({ ...table.config, accessPatterns }, table.client, table.clock),
    withClock: (clock) => new Table(table.config, table.client, clock),
    async close() {
      table.client.destroy();
      await local.close();
    },
  };
}

/** Seconds since the epoch, the unit of the TTL attribute. */
export function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A Powertools logger that writes nothing; spy on its methods to see what the toolkit logs. */
export function quietLogger(): Logger {
  return new Logger({ serviceName: 'runtime-test', logLevel: 'SILENT' });
}

let requestCounter = 0;

/** A fresh API Gateway request id. */
export function nextRequestId(): string {
  return `req-${++requestCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Parts of a request common to both event builders. */
export interface EventOptions {
  readonly pathParameters?: { [name: string]: string };
  readonly queryStringParameters?: { [name: string]: string };
  /** Replaces the default headers (`content-type: application/json` when a body is sent). */
  readonly headers?: { [name: string]: string };
  /** Serialized with JSON.stringify unless already a string. */
  readonly body?: unknown;
  readonly isBase64Encoded?: boolean;
  readonly requestId?: string;
  readonly sourceIp?: string;
  /** The `requestContext.authorizer` API Gateway would pass. */
  readonly authorizer?: { [key: string]: unknown };
}

function bodyText(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function headersOf(options: EventOptions): { [name: string]: string } {
  if (options.headers) return options.headers;
  return options.body === undefined ? {} : { 'content-type': 'application/json' };
}

function fillPath(template: string, params: { [name: string]: string } | undefined): string {
  return template.replace(/\{(\w+)\+?\}/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
}

/** The request context of an HTTP API event, with the authorizer member the aws-lambda types leave out. */
export type HttpRequestContext = APIGatewayEventRequestContextV2 & { authorizer?: { [key: string]: unknown } };
export type HttpApiEvent = APIGatewayProxyEventV2WithRequestContext<HttpRequestContext>;

/** An HTTP API payload format 2.0 event for `routeKey`, shaped like the ones API Gateway sends. */
export function httpApiEvent(routeKey: string, options: EventOptions = {}): HttpApiEvent {
  const [method, template] = routeKey.split(' ');
  const rawPath = fillPath(template, options.pathParameters);
  const requestId = options.requestId ?? nextRequestId();
  // API Gateway sends payload 2.0 header names in lower case, repeated headers joined with commas.
  const headers: { [name: string]: string } = {};
  for (const [name, value] of Object.entries({
    host: 'api.example.com',
    'user-agent': 'jest',
    ...headersOf(options),
  })) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
  }
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(options.queryStringParameters).toString(),
    headers,
    queryStringParameters: options.queryStringParameters,
    pathParameters: options.pathParameters,
    body: bodyText(options.body),
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '192.0.2.10',
        userAgent: 'jest',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
      ...(options.authorizer === undefined ? {} : { authorizer: options.authorizer }),
    },
  };
}

/** A REST API Lambda proxy integration event for `routeKey` (`METHOD /resource/{param}`). */
export function restApiEvent(routeKey: string, options: EventOptions = {}): APIGatewayProxyEvent {
  const [httpMethod, resource] = routeKey.split(' ');
  const path = fillPath(resource, options.pathParameters);
  const requestId = options.requestId ?? nextRequestId();
  const headers = { Host: 'abc123.execute-api.us-east-1.amazonaws.com', 'User-Agent': 'jest', ...headersOf(options) };
  const query = options.queryStringParameters ?? null;
  return {
    resource,
    path,
    httpMethod,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query,
    multiValueQueryStringParameters:
      query && Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]])),
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: bodyText(options.body) ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: options.authorizer as APIGatewayProxyEvent['requestContext']['authorizer'],
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      extendedRequestId: `ext-${requestId}`,
      httpMethod,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: options.sourceIp ?? '198.51.100.7',
        user: null,
        userAgent: 'jest',
        userArn: null,
      },
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: '01/Jan/2026:00:00:00 +0000',
      requestTimeEpoch: 1767225600000,
      resourceId: 'res123',
      resourcePath: resource,
      stage: 'prod',
    },
  };
}

/** The `authorizer` of an HTTP API JWT authorizer. */
export function jwtAuthorizer(sub: string, scopes: string[] | null = null, claims: { [claim: string]: unknown } = {}) {
  return {
    principalId: '',
    integrationLatency: 0,
    jwt: { claims: { sub, iss: 'https://issuer.example.com', ...claims }, scopes },
  };
}

/** A proxy result with its JSON body parsed (undefined when empty). */
export interface ParsedResult {
  readonly statusCode: number;
  readonly headers: { [name: string]: string };
  readonly body: any;
}

export function parse(result: ProxyResult): ParsedResult {
  return {
    statusCode: result.statusCode,
    headers: result.headers,
    body: result.body === '' ? undefined : JSON.parse(result.body),
  };
}

/** A metrics sink recording what the toolkit counts, in the shape of a Powertools `Metrics`. */
export class RecordingMetrics {
  /** Each metric added, in order. */
  public readonly added: { name: string; unit: string; value: number }[] = [];
  /** How many metrics had been added at each publish. */
  public readonly published: number[] = [];

  public addMetric(name: string, unit: 'Count', value: number): void {
    this.added.push({ name, unit, value });
  }

  public publishStoredMetrics(): void {
    this.published.push(this.added.length);
  }

  /** The names of the metrics added. */
  public names(): string[] {
    return this.added.map((metric) => metric.name);
  }
}

/** A promise with its resolve function, to hold a handler mid-request. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** `promise`'s value, or `fallback` if it has not settled within `ms` (the timer is cleared either way). */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `check` holds, polling every 10 ms for up to `timeoutMs`. */
export async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The error `fn` throws or its promise rejects with, whichever it does (fails the test when it does neither). */
export async function errorOf(fn: () => unknown): Promise<any> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but there was none');
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** The error a function throws (fails the test when it returns). */
export function thrownBy(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the function to throw, but it returned');
}
