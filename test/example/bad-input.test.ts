/**
 * Bad input never yields a 5xx and never writes. Every route of the example's three handlers gets malformed,
 * mistyped, oversized, mislabelled and forged requests: each is a specific 4xx with a problem document whose
 * `detail` says why, and the table is unchanged. Then fast-check throws 10,000 generated requests at them.
 *
 * The local table records every request it receives with the status it answered, which tells the writes each
 * request made; scans of the whole table confirm that no write went unseen. Rate-limit counters (`RATE#...`) are
 * left out of "unchanged": the tasks function counts every request against its caller before it reads the
 * request, by design.
 */
import { createHmac } from 'crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import {
  httpEvent,
  invoke,
  loadHandler,
  startExampleTable,
  type ExampleFunction,
  type ParsedResult,
} from './task-board';
import { appliedWrites, keyValue, type LocalTable } from '../helpers/local-dynamodb';

const LIST = 'GET /projects/{projectId}/tasks';
const CREATE = 'POST /projects/{projectId}/tasks';
const COMPLETE = 'POST /projects/{projectId}/tasks/{taskId}/complete';
const SESSION_CREATE = 'POST /sessions';
const SESSION_LIST = 'GET /sessions';
const SESSION_GET = 'GET /sessions/{sessionId}';
const SESSION_DELETE = 'DELETE /sessions/{sessionId}';
const WEBHOOK = 'POST /webhooks/{provider}';
const SIGNING_SECRET = 'bad-input-test-secret';
const SEED_USER = 'seed-user';
const OTHER_USER = 'other-user';
const MAX_BODY_BYTES = 64 * 1024;

type Item = Record<string, unknown>;
type Invoker = (event: unknown) => Promise<ParsedResult>;

let table: LocalTable;
let handlers: Record<ExampleFunction, Invoker>;

/** What the seeding left in the table, and the real cursors and ids the cases forge from. */
interface Seed {
  /** `nextCursor` of the first page (limit 1) of project alpha's and beta's tasks. */
  readonly alphaCursor: string;
  readonly betaCursor: string;
  /** `nextCursor` of the first page (limit 1) of SEED_USER's sessions. */
  readonly sessionCursor: string;
  readonly sessionId: string;
  readonly otherUsersSessionId: string;
  /** The table without rate-limit counters, after seeding. */
  readonly items: Item[];
}
let seed: Seed;

beforeAll(async () => {
  table = await startExampleTable();
  handlers = {
    tasks: loaded('tasks'),
    sessions: loaded('sessions'),
    webhooks: loaded('webhooks', { WEBHOOK_SIGNING_SECRET: SIGNING_SECRET }),
  };
  seed = await seedTable();
}, 60_000); // synthesizes the example stack and loads handlers: slow on a busy machine

afterAll(async () => {
  await table?.close();
});

/** A handler loaded as its function, logging errors only. */
function loaded(fn: ExampleFunction, extra: Record<string, string> = {}): Invoker {
  const handler = loadHandler(fn, { ...extra, POWERTOOLS_LOG_LEVEL: 'ERROR' });
  return (request) => invoke(handler, request);
}

let subCounter = 0;
/** A caller of its own for each request, so the tasks rate limit (300 a minute per caller) never trips. */
function freshSub(): string {
  return `caller-${++subCounter}`;
}

function sign(body: string | Buffer): string {
  return createHmac('sha256', SIGNING_SECRET).update(body).digest('hex');
}

function keyOf(item: Item): string {
  return `${String(item.PK)}|${String(item.SK)}`;
}

/** The table without rate-limit counters, in key order. */
async function itemsExceptCounters(): Promise<Item[]> {
  return (await table.items())
    .filter((item) => !String(item.PK).startsWith('RATE#'))
    .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/** Lone surrogates cannot be percent-encoded: replaced, for the event's `rawPath` only. */
function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

interface EventSpec {
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  /** Added to (and overriding) `content-type: application/json`. */
  readonly headers?: Record<string, string>;
  /** `null` sends no `content-type` header. */
  readonly contentType?: string | null;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  /** `null` for no authorizer context; default a fresh caller. */
  readonly sub?: string | null;
}

/** An HTTP API event with any path parameters, headers and body, however malformed. */
function event(routeKey: string, spec: EventSpec = {}): APIGatewayProxyEventV2 {
  const sub = spec.sub === null ? undefined : (spec.sub ?? freshSub());
  const base = httpEvent(routeKey, {
    queryStringParameters: spec.query,
    body: spec.body,
    isBase64Encoded: spec.isBase64Encoded,
    sub,
  });
  // As an HTTP API delivers them: names in lower case, a repeated header's values joined with commas.
  const headers: Record<string, string> = {};
  if (spec.contentType !== null) headers['content-type'] = spec.contentType ?? 'application/json';
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    const key = name.toLowerCase();
    headers[key] = Object.hasOwn(headers, key) && key !== name ? `${headers[key]},${value}` : value;
  }
  const rawPath = routeKey
    .split(' ')[1]
    .replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(wellFormed(spec.pathParameters?.[name] ?? '')));
  return {
    ...base,
    headers,
    pathParameters: spec.pathParameters,
    rawPath,
    requestContext: { ...base.requestContext, http: { ...base.requestContext.http, path: rawPath } },
  };
}

/** A webhook delivery signed over exactly the body bytes, unless `signature` says otherwise. */
function delivery(body: string, spec: EventSpec & { readonly signature?: string | null } = {}) {
  const raw = spec.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  const signature = spec.signature === undefined ? sign(raw) : spec.signature;
  return event(WEBHOOK, {
    pathParameters: { provider: 'acme' },
    ...spec,
    body,
    sub: null,
    headers: { ...(signature === null ? {} : { 'x-webhook-signature': signature }), ...spec.headers },
  });
}

/** A write the table applied: its operation and the key of the item it named. */
interface Write {
  readonly operation: string;
  readonly pk?: string;
  readonly sk?: string;
}

/** Invokes a handler; returns its result and the writes the table applied meanwhile. */
async function call(fn: ExampleFunction, request: unknown): Promise<{ result: ParsedResult; writes: Write[] }> {
  const { result, operations } = await table.record(() => handlers[fn](request));
  const writes = appliedWrites(operations).map(({ operation, input }) => {
    const named = input.Item ?? input.Key ?? {};
    return { operation, pk: keyValue(named.PK), sk: keyValue(named.SK) };
  });
  return { result, writes };
}

/** Sets up what the cases refer to: tasks in two projects, sessions of two users, a webhook delivery. */
async function seedTable(): Promise<Seed> {
  const expectStatus = async (fn: ExampleFunction, request: unknown, status: number) => {
    const { result } = await call(fn, request);
    if (result.statusCode !== status) {
      throw new Error(`seeding: expected ${status}, got ${result.statusCode} ${JSON.stringify(result.body)}`);
    }
    return result;
  };
  for (const [projectId, taskIds] of [
    ['alpha', ['a1', 'a2', 'a3', 'done']],
    ['beta', ['b1', 'b2', 'b3']],
  ] as const) {
    for (const taskId of taskIds) {
      await expectStatus(
        'tasks',
        event(CREATE, { pathParameters: { projectId }, body: JSON.stringify({ taskId, title: `Task ${taskId}` }) }),
        201,
      );
    }
  }
  await expectStatus('tasks', event(COMPLETE, { pathParameters: { projectId: 'alpha', taskId: 'done' } }), 200);
  await expectStatus(
    'tasks',
    event(CREATE, {
      pathParameters: { projectId: 'alpha' },
      body: JSON.stringify({ taskId: 'keyed', title: 'Keyed' }),
      headers: { 'idempotency-key': 'seed-key' },
      sub: SEED_USER,
    }),
    201,
  );
  const firstPage = async (projectId: string) =>
    (await expectStatus('tasks', event(LIST, { pathParameters: { projectId }, query: { limit: '1' } }), 200)).body
      .nextCursor as string;
  const sessions: string[] = [];
  for (let i = 0; i < 2; i++) {
    sessions.push((await expectStatus('sessions', event(SESSION_CREATE, { sub: SEED_USER }), 201)).body.sessionId);
  }
  const other = (await expectStatus('sessions', event(SESSION_CREATE, { sub: OTHER_USER }), 201)).body.sessionId;
  const sessionPage = await expectStatus(
    'sessions',
    event(SESSION_LIST, { query: { limit: '1' }, sub: SEED_USER }),
    200,
  );
  await expectStatus('webhooks', delivery(JSON.stringify({ id: 'evt-seed', type: 'task.created' })), 202);
  return {
    alphaCursor: await firstPage('alpha'),
    betaCursor: await firstPage('beta'),
    sessionCursor: sessionPage.body.nextCursor,
    sessionId: sessions[0],
    otherUsersSessionId: other,
    items: await itemsExceptCounters(),
  };
}

/** A cursor's JSON, edited, encoded again. */
function editCursor(cursor: string, edit: (parsed: any) => void): string {
  const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  edit(parsed);
  return Buffer.from(JSON.stringify(parsed), 'utf8').toString('base64url');
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const garbageBytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x7b, 0x22, 0xed, 0xa0, 0x80]).toString('base64');
const newTask = (fields: Item = {}) => JSON.stringify({ taskId: 'new-task', title: 'New task', ...fields });
const withoutField = (name: string) => {
  const { [name]: _, ...rest } = { taskId: 'new-task', title: 'New task' } as Item;
  return JSON.stringify(rest);
};
/** A JSON body of exactly `bytes` bytes: a valid task padded with an extra member. */
function paddedTask(bytes: number): string {
  const empty = JSON.stringify({ taskId: 'big', title: 'Big', pad: '' });
  return JSON.stringify({ taskId: 'big', title: 'Big', pad: 'x'.repeat(bytes - empty.length) });
}

interface BadCase {
  readonly name: string;
  readonly fn: ExampleFunction;
  readonly status: number;
  /** What `detail` must say. */
  readonly detail: RegExp;
  /** A field the problem document's `errors` must name. */
  readonly field?: string;
  readonly request: () => APIGatewayProxyEventV2;
}

const createWith = (spec: EventSpec) => () => event(CREATE, { pathParameters: { projectId: 'alpha' }, ...spec });
const listWith = (spec: EventSpec) => () => event(LIST, { pathParameters: { projectId: 'alpha' }, ...spec });
const completeWith = (spec: EventSpec) => () =>
  event(COMPLETE, { pathParameters: { projectId: 'alpha', taskId: 'a1' }, ...spec });
const sessionsWith = (routeKey: string, spec: EventSpec) => () => event(routeKey, { sub: SEED_USER, ...spec });

const NOT_JSON = /not valid JSON/;
const EMPTY = /body is empty/;
const BODY_INVALID = /request body is invalid/;
const PATH_INVALID = /request path is invalid/;
const QUERY_INVALID = /request query is invalid/;
const NOT_A_CURSOR = /`cursor` is not one this list issued/;
const OTHER_LIST = /`cursor` belongs to another list/;
const TOO_LARGE = new RegExp(`send at most ${MAX_BODY_BYTES} bytes`);
const CONTENT_TYPE = /`content-type` must be application\/json/;
const NO_BODY = /takes no request body/;
const CALLER = /needs an authenticated caller/;

const TASK_CASES: BadCase[] = [
  // POST /projects/{projectId}/tasks: the body
  {
    name: 'malformed JSON',
    fn: 'tasks',
    status: 400,
    detail: NOT_JSON,
    request: createWith({ body: '{"taskId": "x",' }),
  },
  {
    name: 'single quotes',
    fn: 'tasks',
    status: 400,
    detail: NOT_JSON,
    request: createWith({ body: "{'taskId': 'x'}" }),
  },
  {
    name: 'trailing garbage',
    fn: 'tasks',
    status: 400,
    detail: NOT_JSON,
    request: createWith({ body: `${newTask()}}` }),
  },
  { name: 'no body', fn: 'tasks', status: 400, detail: EMPTY, request: createWith({}) },
  { name: 'empty body', fn: 'tasks', status: 400, detail: EMPTY, request: createWith({ body: '' }) },
  { name: 'whitespace body', fn: 'tasks', status: 400, detail: EMPTY, request: createWith({ body: ' \n\t ' }) },
  {
    name: 'array body',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body',
    request: createWith({ body: `[${newTask()}]` }),
  },
  {
    name: 'string body',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body',
    request: createWith({ body: '"a task"' }),
  },
  {
    name: 'number body',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body',
    request: createWith({ body: '42' }),
  },
  {
    name: 'null body',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body',
    request: createWith({ body: 'null' }),
  },
  {
    name: 'boolean body',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body',
    request: createWith({ body: 'true' }),
  },
  {
    name: 'empty object',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: '{}' }),
  },
  {
    name: 'missing taskId',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: withoutField('taskId') }),
  },
  {
    name: 'missing title',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.title',
    request: createWith({ body: withoutField('title') }),
  },
  {
    name: 'extra field: status',
    fn: 'tasks',
    status: 400,
    detail: /Unrecognized key/,
    field: 'body',
    request: createWith({ body: newTask({ status: 'DONE' }) }),
  },
  {
    name: 'extra field: version',
    fn: 'tasks',
    status: 400,
    detail: /Unrecognized key/,
    field: 'body',
    request: createWith({ body: newTask({ version: 7 }) }),
  },
  {
    name: 'extra field: PK',
    fn: 'tasks',
    status: 400,
    detail: /Unrecognized key/,
    field: 'body',
    request: createWith({ body: newTask({ PK: 'PROJECT#beta' }) }),
  },
  {
    name: 'extra field: _writeId',
    fn: 'tasks',
    status: 400,
    detail: /Unrecognized key/,
    field: 'body',
    request: createWith({ body: newTask({ _writeId: 'w' }) }),
  },
  {
    name: 'extra field: __proto__',
    fn: 'tasks',
    status: 400,
    detail: /Unrecognized key/,
    field: 'body',
    request: createWith({ body: '{"taskId":"new-task","title":"x","__proto__":{"status":"DONE"}}' }),
  },
  {
    name: 'taskId a number',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: newTask({ taskId: 5 }) }),
  },
  {
    name: 'taskId an object',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: newTask({ taskId: { S: 'x' } }) }),
  },
  {
    name: 'taskId null',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: newTask({ taskId: null }) }),
  },
  {
    name: 'title a number',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.title',
    request: createWith({ body: newTask({ title: 5 }) }),
  },
  {
    name: 'title an array',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.title',
    request: createWith({ body: newTask({ title: ['x'] }) }),
  },
  {
    name: 'title a boolean',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.title',
    request: createWith({ body: newTask({ title: false }) }),
  },
  {
    name: 'title of 201 characters',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.title',
    request: createWith({ body: newTask({ title: 'x'.repeat(201) }) }),
  },
  {
    name: 'title of 10,000 characters',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.title',
    request: createWith({ body: newTask({ title: 'é'.repeat(10_000) }) }),
  },
  {
    name: 'empty title',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.title',
    request: createWith({ body: newTask({ title: '' }) }),
  },
  {
    name: 'blank title',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.title',
    request: createWith({ body: newTask({ title: ' \t\n ' }) }),
  },
  {
    name: 'taskId of 65 characters',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: newTask({ taskId: 'x'.repeat(65) }) }),
  },
  {
    name: 'empty taskId',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: newTask({ taskId: '' }) }),
  },
  {
    name: 'taskId with "#"',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: newTask({ taskId: 'a#b' }) }),
  },
  {
    name: 'taskId with a control character',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: newTask({ taskId: 'a\u0000b' }) }),
  },
  {
    name: 'taskId with "/"',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: newTask({ taskId: '../b1' }) }),
  },
  {
    name: 'taskId with a space',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: newTask({ taskId: 'a b' }) }),
  },
  {
    name: 'body one byte over 64 KiB',
    fn: 'tasks',
    status: 413,
    detail: TOO_LARGE,
    request: createWith({ body: paddedTask(MAX_BODY_BYTES + 1) }),
  },
  {
    name: 'body of 1 MiB',
    fn: 'tasks',
    status: 413,
    detail: TOO_LARGE,
    request: createWith({ body: paddedTask(1024 * 1024) }),
  },
  {
    name: 'base64 body over 64 KiB once decoded',
    fn: 'tasks',
    status: 413,
    detail: TOO_LARGE,
    request: createWith({
      body: Buffer.from(paddedTask(MAX_BODY_BYTES + 1)).toString('base64'),
      isBase64Encoded: true,
    }),
  },
  // Exactly at the limit, the size is fine and the body is judged on its content (the extra member).
  {
    name: 'body of exactly 64 KiB',
    fn: 'tasks',
    status: 400,
    detail: /Unrecognized key/,
    field: 'body',
    request: createWith({ body: paddedTask(MAX_BODY_BYTES) }),
  },
  {
    name: 'text/plain',
    fn: 'tasks',
    status: 415,
    detail: CONTENT_TYPE,
    request: createWith({ body: newTask(), contentType: 'text/plain' }),
  },
  {
    name: 'form-urlencoded',
    fn: 'tasks',
    status: 415,
    detail: CONTENT_TYPE,
    request: createWith({ body: 'taskId=new-task&title=x', contentType: 'application/x-www-form-urlencoded' }),
  },
  {
    name: 'multipart',
    fn: 'tasks',
    status: 415,
    detail: CONTENT_TYPE,
    request: createWith({ body: newTask(), contentType: 'multipart/form-data; boundary=x' }),
  },
  {
    name: 'application/jsonp',
    fn: 'tasks',
    status: 415,
    detail: CONTENT_TYPE,
    request: createWith({ body: newTask(), contentType: 'application/jsonp' }),
  },
  {
    name: 'application/xml',
    fn: 'tasks',
    status: 415,
    detail: CONTENT_TYPE,
    request: createWith({ body: '<task/>', contentType: 'application/xml' }),
  },
  {
    name: 'two content-types',
    fn: 'tasks',
    status: 415,
    detail: CONTENT_TYPE,
    request: createWith({ body: newTask(), headers: { 'Content-Type': 'text/plain' } }),
  },
  {
    name: 'base64 body of garbage bytes',
    fn: 'tasks',
    status: 400,
    detail: NOT_JSON,
    request: createWith({ body: garbageBytes, isBase64Encoded: true }),
  },
  {
    name: 'base64 body that is not base64',
    fn: 'tasks',
    status: 400,
    detail: EMPTY,
    request: createWith({ body: '!!!***', isBase64Encoded: true }),
  },
  {
    name: 'base64 body of an invalid task',
    fn: 'tasks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.taskId',
    request: createWith({ body: Buffer.from(newTask({ taskId: 5 })).toString('base64'), isBase64Encoded: true }),
  },
  {
    name: 'UTF-16 body',
    fn: 'tasks',
    status: 400,
    detail: NOT_JSON,
    request: createWith({ body: Buffer.from(newTask(), 'utf16le').toString('base64'), isBase64Encoded: true }),
  },
  // POST /projects/{projectId}/tasks: the path and the Idempotency-Key
  {
    name: 'projectId with "#"',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.projectId',
    request: createWith({ pathParameters: { projectId: 'alpha#TASK#a1' }, body: newTask() }),
  },
  {
    name: 'projectId with a control character',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.projectId',
    request: createWith({ pathParameters: { projectId: 'al\u0001pha' }, body: newTask() }),
  },
  {
    name: 'projectId of 65 characters',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.projectId',
    request: createWith({ pathParameters: { projectId: 'p'.repeat(65) }, body: newTask() }),
  },
  {
    name: 'empty projectId',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.projectId',
    request: createWith({ pathParameters: { projectId: '' }, body: newTask() }),
  },
  {
    name: 'no path parameters',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.projectId',
    request: () => event(CREATE, { body: newTask() }),
  },
  {
    name: 'Idempotency-Key of 256 characters',
    fn: 'tasks',
    status: 400,
    detail: /`idempotency-key` must be 1 to 255 visible ASCII/,
    field: 'idempotency-key',
    request: createWith({ body: newTask(), headers: { 'idempotency-key': 'k'.repeat(256) } }),
  },
  {
    name: 'Idempotency-Key of 100 KB',
    fn: 'tasks',
    status: 400,
    detail: /`idempotency-key` must be 1 to 255 visible ASCII/,
    field: 'idempotency-key',
    request: createWith({ body: newTask(), headers: { 'Idempotency-Key': 'k'.repeat(100_000) } }),
  },
  {
    name: 'Idempotency-Key with a space',
    fn: 'tasks',
    status: 400,
    detail: /`idempotency-key` must be 1 to 255 visible ASCII/,
    field: 'idempotency-key',
    request: createWith({ body: newTask(), headers: { 'idempotency-key': 'my key' } }),
  },
  {
    name: 'Idempotency-Key not ASCII',
    fn: 'tasks',
    status: 400,
    detail: /`idempotency-key` must be 1 to 255 visible ASCII/,
    field: 'idempotency-key',
    request: createWith({ body: newTask(), headers: { 'idempotency-key': 'clé' } }),
  },
  {
    name: 'Idempotency-Key with a control character',
    fn: 'tasks',
    status: 400,
    detail: /`idempotency-key` must be 1 to 255 visible ASCII/,
    field: 'idempotency-key',
    request: createWith({ body: newTask(), headers: { 'idempotency-key': 'k\u0007' } }),
  },
  {
    name: 'Idempotency-Key reused for another body',
    fn: 'tasks',
    status: 422,
    detail: /idempotency key was used with another request/,
    request: createWith({
      body: JSON.stringify({ taskId: 'keyed', title: 'Other' }),
      headers: { 'idempotency-key': 'seed-key' },
      sub: SEED_USER,
    }),
  },
  {
    name: 'Idempotency-Key reused on another project',
    fn: 'tasks',
    status: 422,
    detail: /idempotency key was used with another request/,
    request: createWith({
      pathParameters: { projectId: 'beta' },
      body: JSON.stringify({ taskId: 'keyed', title: 'Keyed' }),
      headers: { 'idempotency-key': 'seed-key' },
      sub: SEED_USER,
    }),
  },
  // GET /projects/{projectId}/tasks
  ...['0', '-1', '101', '1.5', 'abc', '', ' ', 'Infinity', 'NaN', '1e400', '10 items'].map((limit): BadCase => ({
    name: `limit ${JSON.stringify(limit)}`,
    fn: 'tasks',
    status: 400,
    detail: QUERY_INVALID,
    field: 'query.limit',
    request: listWith({ query: { limit } }),
  })),
  {
    name: 'empty cursor',
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: listWith({ query: { cursor: '' } }),
  },
  {
    name: 'cursor of plain text',
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: listWith({ query: { cursor: 'page-2' } }),
  },
  {
    name: 'cursor with base64 (not base64url) characters',
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () => event(LIST, { pathParameters: { projectId: 'alpha' }, query: { cursor: `${seed.alphaCursor}+/=` } }),
  },
  {
    name: 'truncated cursor',
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, { pathParameters: { projectId: 'alpha' }, query: { cursor: seed.alphaCursor.slice(0, 40) } }),
  },
  {
    name: 'cursor over 2,048 characters',
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, { pathParameters: { projectId: 'alpha' }, query: { cursor: seed.alphaCursor.repeat(40) } }),
  },
  {
    name: 'forged cursor: JSON null',
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: listWith({ query: { cursor: base64url(null) } }),
  },
  {
    name: 'forged cursor: an array',
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: listWith({ query: { cursor: base64url([1, 'b', {}]) } }),
  },
  {
    name: 'forged cursor: a bare start key',
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: listWith({ query: { cursor: base64url({ PK: 'PROJECT#alpha', SK: 'TASK#a1' }) } }),
  },
  {
    name: 'forged cursor: made-up binding',
    fn: 'tasks',
    status: 400,
    detail: OTHER_LIST,
    field: 'cursor',
    request: listWith({
      query: { cursor: base64url({ v: 1, b: 'AAAAAAAAAAAAAAAA', k: { PK: 'PROJECT#alpha', SK: 'TASK#a1' } }) },
    }),
  },
  {
    name: "project alpha's cursor on project beta",
    fn: 'tasks',
    status: 400,
    detail: OTHER_LIST,
    field: 'cursor',
    request: () => event(LIST, { pathParameters: { projectId: 'beta' }, query: { cursor: seed.alphaCursor } }),
  },
  {
    name: "a session list's cursor on a task list",
    fn: 'tasks',
    status: 400,
    detail: OTHER_LIST,
    field: 'cursor',
    request: () => event(LIST, { pathParameters: { projectId: 'alpha' }, query: { cursor: seed.sessionCursor } }),
  },
  {
    name: "alpha's cursor edited to start in beta's partition",
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, {
        pathParameters: { projectId: 'alpha' },
        query: { cursor: editCursor(seed.alphaCursor, (c) => (c.k.PK = 'PROJECT#beta')) },
      }),
  },
  {
    name: "alpha's cursor edited to start at another user's sessions",
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, {
        pathParameters: { projectId: 'alpha' },
        query: { cursor: editCursor(seed.alphaCursor, (c) => (c.k = { PK: `USER#${OTHER_USER}`, SK: 'SESSION#' })) },
      }),
  },
  {
    name: "alpha's cursor edited to a sort key outside the list",
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, {
        pathParameters: { projectId: 'alpha' },
        query: { cursor: editCursor(seed.alphaCursor, (c) => (c.k.SK = 'META')) },
      }),
  },
  {
    name: "alpha's cursor edited to a numeric sort key",
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, {
        pathParameters: { projectId: 'alpha' },
        query: { cursor: editCursor(seed.alphaCursor, (c) => (c.k.SK = 5)) },
      }),
  },
  {
    name: "alpha's cursor edited without its sort key",
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, {
        pathParameters: { projectId: 'alpha' },
        query: { cursor: editCursor(seed.alphaCursor, (c) => delete c.k.SK) },
      }),
  },
  {
    name: "alpha's cursor edited with an extra attribute",
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, {
        pathParameters: { projectId: 'alpha' },
        query: { cursor: editCursor(seed.alphaCursor, (c) => (c.k.title = 'x')) },
      }),
  },
  {
    name: "alpha's cursor edited with a nested value",
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, {
        pathParameters: { projectId: 'alpha' },
        query: { cursor: editCursor(seed.alphaCursor, (c) => (c.k.SK = { S: 'TASK#a1' })) },
      }),
  },
  {
    name: "alpha's cursor edited to version 2",
    fn: 'tasks',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(LIST, {
        pathParameters: { projectId: 'alpha' },
        query: { cursor: editCursor(seed.alphaCursor, (c) => (c.v = 2)) },
      }),
  },
  { name: 'a list with a body', fn: 'tasks', status: 400, detail: NO_BODY, request: listWith({ body: '{}' }) },
  {
    name: 'a list of a projectId with "#"',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.projectId',
    request: () => event(LIST, { pathParameters: { projectId: 'a#b' } }),
  },
  {
    name: 'a list of an empty projectId',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.projectId',
    request: () => event(LIST, { pathParameters: { projectId: '' } }),
  },
  // POST /projects/{projectId}/tasks/{taskId}/complete
  ...['abc', '**', '1.0', '-1', '1234567890', '', '"1" "2"', 'W/', '0x1', '1"x'].map((ifMatch): BadCase => ({
    name: `If-Match ${JSON.stringify(ifMatch)}`,
    fn: 'tasks',
    status: 400,
    detail: /`if-match` must be a task version/,
    request: completeWith({ headers: { 'if-match': ifMatch } }),
  })),
  {
    name: 'If-Match of a stale version',
    fn: 'tasks',
    status: 412,
    detail: /is at version 1, not 7/,
    request: completeWith({ headers: { 'if-match': '"7"' } }),
  },
  {
    name: 'If-Match version 0',
    fn: 'tasks',
    status: 412,
    detail: /is at version 1, not 0/,
    request: completeWith({ headers: { 'if-match': '0' } }),
  },
  {
    name: 'complete a task that does not exist',
    fn: 'tasks',
    status: 404,
    detail: /does not exist/,
    request: completeWith({ pathParameters: { projectId: 'alpha', taskId: 'missing' } }),
  },
  {
    name: "complete a task in another project's id space",
    fn: 'tasks',
    status: 404,
    detail: /does not exist/,
    request: completeWith({ pathParameters: { projectId: 'beta', taskId: 'a1' } }),
  },
  {
    name: 'complete a task that is done',
    fn: 'tasks',
    status: 409,
    detail: /not in the expected state/,
    request: completeWith({ pathParameters: { projectId: 'alpha', taskId: 'done' } }),
  },
  {
    name: 'complete with a body',
    fn: 'tasks',
    status: 400,
    detail: NO_BODY,
    request: completeWith({ body: '{"status":"DONE"}' }),
  },
  {
    name: 'complete with a base64 body',
    fn: 'tasks',
    status: 400,
    detail: NO_BODY,
    request: completeWith({ body: garbageBytes, isBase64Encoded: true }),
  },
  {
    name: 'taskId with "#"',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.taskId',
    request: completeWith({ pathParameters: { projectId: 'alpha', taskId: 'a1#x' } }),
  },
  {
    name: 'taskId with a newline',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.taskId',
    request: completeWith({ pathParameters: { projectId: 'alpha', taskId: 'a1\n' } }),
  },
  {
    name: 'taskId of 65 characters',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.taskId',
    request: completeWith({ pathParameters: { projectId: 'alpha', taskId: 't'.repeat(65) } }),
  },
  {
    name: 'empty taskId',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.taskId',
    request: completeWith({ pathParameters: { projectId: 'alpha', taskId: '' } }),
  },
  {
    name: 'no taskId',
    fn: 'tasks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.taskId',
    request: completeWith({ pathParameters: { projectId: 'alpha' } }),
  },
];

const SESSION_CASES: BadCase[] = [
  {
    name: 'create with a body',
    fn: 'sessions',
    status: 400,
    detail: NO_BODY,
    request: sessionsWith(SESSION_CREATE, { body: '{"userId":"other-user"}' }),
  },
  {
    name: 'create with a base64 body',
    fn: 'sessions',
    status: 400,
    detail: NO_BODY,
    request: sessionsWith(SESSION_CREATE, { body: garbageBytes, isBase64Encoded: true }),
  },
  {
    name: 'create without a caller',
    fn: 'sessions',
    status: 401,
    detail: CALLER,
    request: sessionsWith(SESSION_CREATE, { sub: null }),
  },
  {
    name: 'create for a caller whose id holds "#"',
    fn: 'sessions',
    status: 400,
    detail: /`userId` may not contain "#"/,
    request: sessionsWith(SESSION_CREATE, { sub: `${SEED_USER}#SESSION#x` }),
  },
  {
    name: 'create for a caller id of 300 characters',
    fn: 'sessions',
    status: 400,
    detail: /`userId` must be at most 256 characters/,
    request: sessionsWith(SESSION_CREATE, { sub: 'u'.repeat(300) }),
  },
  ...['0', '-1', '101', '1.5', 'abc', ''].map((limit): BadCase => ({
    name: `list with limit ${JSON.stringify(limit)}`,
    fn: 'sessions',
    status: 400,
    detail: QUERY_INVALID,
    field: 'query.limit',
    request: sessionsWith(SESSION_LIST, { query: { limit } }),
  })),
  {
    name: 'list without a caller',
    fn: 'sessions',
    status: 401,
    detail: CALLER,
    request: sessionsWith(SESSION_LIST, { sub: null }),
  },
  {
    name: 'list with a body',
    fn: 'sessions',
    status: 400,
    detail: NO_BODY,
    request: sessionsWith(SESSION_LIST, { body: '[]' }),
  },
  {
    name: 'list with an empty cursor',
    fn: 'sessions',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: sessionsWith(SESSION_LIST, { query: { cursor: '' } }),
  },
  {
    name: "list with another user's cursor",
    fn: 'sessions',
    status: 400,
    detail: OTHER_LIST,
    field: 'cursor',
    request: () => event(SESSION_LIST, { sub: OTHER_USER, query: { cursor: seed.sessionCursor } }),
  },
  {
    name: "list with a task list's cursor",
    fn: 'sessions',
    status: 400,
    detail: OTHER_LIST,
    field: 'cursor',
    request: () => event(SESSION_LIST, { sub: SEED_USER, query: { cursor: seed.alphaCursor } }),
  },
  {
    name: 'list with a truncated cursor',
    fn: 'sessions',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () => event(SESSION_LIST, { sub: SEED_USER, query: { cursor: seed.sessionCursor.slice(0, -7) } }),
  },
  {
    name: "list with a cursor edited into another user's partition",
    fn: 'sessions',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(SESSION_LIST, {
        sub: SEED_USER,
        query: { cursor: editCursor(seed.sessionCursor, (c) => (c.k.PK = `USER#${OTHER_USER}`)) },
      }),
  },
  {
    name: 'list with a cursor edited to a task key',
    fn: 'sessions',
    status: 400,
    detail: NOT_A_CURSOR,
    field: 'cursor',
    request: () =>
      event(SESSION_LIST, {
        sub: SEED_USER,
        query: { cursor: editCursor(seed.sessionCursor, (c) => (c.k.SK = 'TASK#a1')) },
      }),
  },
  ...(['get', 'delete'] as const).flatMap((verb): BadCase[] => {
    const routeKey = verb === 'get' ? SESSION_GET : SESSION_DELETE;
    const withId = (sessionId: string | undefined, spec: EventSpec = {}) =>
      sessionsWith(routeKey, { pathParameters: sessionId === undefined ? undefined : { sessionId }, ...spec });
    return [
      ...[
        'not-a-uuid',
        '',
        `${'0'.repeat(8)}#`,
        'a\u0000b',
        'f'.repeat(300),
        '00000000-0000-0000-0000-00000000000g',
        `{"$ne":null}`,
      ].map((sessionId): BadCase => ({
        name: `${verb} with sessionId ${JSON.stringify(sessionId.slice(0, 40))}`,
        fn: 'sessions',
        status: 400,
        detail: PATH_INVALID,
        field: 'path.sessionId',
        request: withId(sessionId),
      })),
      {
        name: `${verb} without a sessionId`,
        fn: 'sessions',
        status: 400,
        detail: PATH_INVALID,
        field: 'path.sessionId',
        request: withId(undefined),
      },
      {
        name: `${verb} of a session that does not exist`,
        fn: 'sessions',
        status: 404,
        detail: /not found|does not exist/,
        request: withId('0f0e0d0c-0b0a-4909-8807-060504030201'),
      },
      {
        name: `${verb} of another user's session`,
        fn: 'sessions',
        status: 404,
        detail: /not found|does not exist/,
        request: () => withId(seed.otherUsersSessionId)(),
      },
      {
        name: `${verb} without a caller`,
        fn: 'sessions',
        status: 401,
        detail: CALLER,
        request: () => withId(seed.sessionId, { sub: null })(),
      },
      {
        name: `${verb} with a body`,
        fn: 'sessions',
        status: 400,
        detail: NO_BODY,
        request: () => withId(seed.sessionId, { body: '{}' })(),
      },
    ];
  }),
];

const WEBHOOK_CASES: BadCase[] = [
  {
    name: 'no signature',
    fn: 'webhooks',
    status: 401,
    detail: /`x-webhook-signature`/,
    request: () => delivery(JSON.stringify({ id: 'evt-1', type: 't' }), { signature: null }),
  },
  {
    name: 'a signature of another body',
    fn: 'webhooks',
    status: 401,
    detail: /`x-webhook-signature`/,
    request: () => delivery(JSON.stringify({ id: 'evt-1', type: 't' }), { signature: sign('{}') }),
  },
  {
    name: 'a signature with another secret',
    fn: 'webhooks',
    status: 401,
    detail: /`x-webhook-signature`/,
    request: () =>
      delivery('{"id":"evt-1","type":"t"}', {
        signature: createHmac('sha256', 'guess').update('{"id":"evt-1","type":"t"}').digest('hex'),
      }),
  },
  {
    name: 'a truncated signature',
    fn: 'webhooks',
    status: 401,
    detail: /`x-webhook-signature`/,
    request: () => delivery('{"id":"evt-1","type":"t"}', { signature: sign('{"id":"evt-1","type":"t"}').slice(0, 63) }),
  },
  {
    name: 'a signature that is not hex',
    fn: 'webhooks',
    status: 401,
    detail: /`x-webhook-signature`/,
    request: () => delivery('{"id":"evt-1","type":"t"}', { signature: 'z'.repeat(64) }),
  },
  {
    name: 'a signature in base64',
    fn: 'webhooks',
    status: 401,
    detail: /`x-webhook-signature`/,
    request: () =>
      delivery('{"id":"evt-1","type":"t"}', {
        signature: createHmac('sha256', SIGNING_SECRET).update('{"id":"evt-1","type":"t"}').digest('base64'),
      }),
  },
  {
    name: 'a sha256= prefixed signature',
    fn: 'webhooks',
    status: 401,
    detail: /`x-webhook-signature`/,
    request: () => delivery('{"id":"evt-1","type":"t"}', { signature: `sha256=${sign('{"id":"evt-1","type":"t"}')}` }),
  },
  {
    name: 'a signature of the base64 text, not of the bytes',
    fn: 'webhooks',
    status: 401,
    detail: /`x-webhook-signature`/,
    request: () => {
      const b64 = Buffer.from('{"id":"evt-1","type":"t"}').toString('base64');
      return delivery(b64, { isBase64Encoded: true, signature: sign(b64) });
    },
  },
  {
    name: 'unsigned garbage',
    fn: 'webhooks',
    status: 401,
    detail: /`x-webhook-signature`/,
    request: () => delivery(garbageBytes, { isBase64Encoded: true, signature: null }),
  },
  {
    name: 'signed malformed JSON',
    fn: 'webhooks',
    status: 400,
    detail: NOT_JSON,
    request: () => delivery('{"id": "evt-1", "type": '),
  },
  { name: 'signed empty body', fn: 'webhooks', status: 400, detail: EMPTY, request: () => delivery('') },
  {
    name: 'signed array',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body',
    request: () => delivery('[{"id":"evt-1","type":"t"}]'),
  },
  {
    name: 'signed null',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body',
    request: () => delivery('null'),
  },
  {
    name: 'signed string',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body',
    request: () => delivery('"evt-1"'),
  },
  {
    name: 'signed number',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body',
    request: () => delivery('1'),
  },
  {
    name: 'signed garbage bytes',
    fn: 'webhooks',
    status: 400,
    detail: NOT_JSON,
    request: () => delivery(garbageBytes, { isBase64Encoded: true }),
  },
  {
    name: 'missing id',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.id',
    request: () => delivery('{"type":"t"}'),
  },
  {
    name: 'missing type',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.type',
    request: () => delivery('{"id":"evt-1"}'),
  },
  {
    name: 'id a number',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.id',
    request: () => delivery('{"id":1,"type":"t"}'),
  },
  {
    name: 'id an object',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.id',
    request: () => delivery('{"id":{"S":"x"},"type":"t"}'),
  },
  {
    name: 'empty id',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.id',
    request: () => delivery('{"id":"","type":"t"}'),
  },
  {
    name: 'id of 257 characters',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.id',
    request: () => delivery(JSON.stringify({ id: 'e'.repeat(257), type: 't' })),
  },
  {
    name: 'id with "#"',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.id',
    request: () => delivery(JSON.stringify({ id: 'evt#1', type: 't' })),
  },
  {
    name: 'id with a control character',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.id',
    request: () => delivery(JSON.stringify({ id: 'evt\u00001', type: 't' })),
  },
  {
    name: 'type null',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.type',
    request: () => delivery('{"id":"evt-1","type":null}'),
  },
  {
    name: 'empty type',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.type',
    request: () => delivery('{"id":"evt-1","type":""}'),
  },
  {
    name: 'type of 129 characters',
    fn: 'webhooks',
    status: 400,
    detail: BODY_INVALID,
    field: 'body.type',
    request: () => delivery(JSON.stringify({ id: 'evt-1', type: 't'.repeat(129) })),
  },
  {
    name: 'signed, text/plain',
    fn: 'webhooks',
    status: 415,
    detail: CONTENT_TYPE,
    request: () => delivery('{"id":"evt-1","type":"t"}', { contentType: 'text/plain' }),
  },
  {
    name: 'signed, form-urlencoded',
    fn: 'webhooks',
    status: 415,
    detail: CONTENT_TYPE,
    request: () => delivery('id=evt-1&type=t', { contentType: 'application/x-www-form-urlencoded' }),
  },
  {
    name: 'signed, over 64 KiB',
    fn: 'webhooks',
    status: 413,
    detail: TOO_LARGE,
    request: () => delivery(JSON.stringify({ id: 'evt-big', type: 't', data: 'x'.repeat(MAX_BODY_BYTES) })),
  },
  ...['ACME', 'a#b', 'a\u0000', 'p'.repeat(33), '', 'acme/other', 'ácme'].map((provider): BadCase => ({
    name: `provider ${JSON.stringify(provider.slice(0, 40))}`,
    fn: 'webhooks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.provider',
    request: () => delivery('{"id":"evt-1","type":"t"}', { pathParameters: { provider } }),
  })),
  {
    name: 'no provider',
    fn: 'webhooks',
    status: 400,
    detail: PATH_INVALID,
    field: 'path.provider',
    request: () => {
      const e = delivery('{"id":"evt-1","type":"t"}');
      return { ...e, pathParameters: undefined };
    },
  },
  {
    name: 'an event id already delivered with another body',
    fn: 'webhooks',
    status: 422,
    detail: /idempotency key was used with another request/,
    request: () => delivery(JSON.stringify({ id: 'evt-seed', type: 'task.deleted' })),
  },
];

/** A 4xx answered as a problem document whose status is the response's and whose detail says why. */
function expectProblem(result: ParsedResult, status: number, detail?: RegExp): void {
  expect(result.statusCode).toBe(status);
  expect(result.headers['content-type']).toBe('application/problem+json');
  expect(result.body).toEqual(
    expect.objectContaining({ type: 'about:blank', title: expect.any(String), status, detail: expect.any(String) }),
  );
  expect(result.body.detail.trim()).not.toBe('');
  if (detail) expect(result.body.detail).toMatch(detail);
}

describe.each([
  ['tasks', TASK_CASES],
  ['sessions', SESSION_CASES],
  ['webhooks', WEBHOOK_CASES],
])('%s: each bad request is a specific 4xx with a reason, and writes nothing', (_, cases) => {
  test.each(cases)('$name -> $status', async (badCase) => {
    const request = badCase.request();

    const { result, writes } = await call(badCase.fn, request);

    expectProblem(result, badCase.status, badCase.detail);
    if (badCase.field) {
      expect(result.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: badCase.field })]));
    }
    expect(writes.filter((write) => !write.pk?.startsWith('RATE#'))).toEqual([]);
  });
});

// The table saw no write from any bad request above; this scan confirms it, item by item and attribute by
// attribute, so a write the table's record missed cannot pass unseen.
test('the bad requests left every item as seeded', async () => {
  expect(await itemsExceptCounters()).toEqual(seed.items);
});

describe('the cases are not refused for another reason: the same requests, made valid, succeed', () => {
  test.each([
    [
      'a task create',
      'tasks',
      () => event(CREATE, { pathParameters: { projectId: 'alpha' }, body: newTask({ taskId: 'valid-1' }) }),
      201,
    ],
    [
      'a base64 task create',
      'tasks',
      () =>
        event(CREATE, {
          pathParameters: { projectId: 'alpha' },
          body: Buffer.from(newTask({ taskId: 'valid-2' })).toString('base64'),
          isBase64Encoded: true,
        }),
      201,
    ],
    [
      'a task create without content-type',
      'tasks',
      () =>
        event(CREATE, {
          pathParameters: { projectId: 'alpha' },
          body: newTask({ taskId: 'valid-3' }),
          contentType: null,
        }),
      201,
    ],
    [
      'a task create as application/json; charset=utf-8',
      'tasks',
      () =>
        event(CREATE, {
          pathParameters: { projectId: 'alpha' },
          body: newTask({ taskId: 'valid-4' }),
          contentType: 'application/json; charset=utf-8',
        }),
      201,
    ],
    [
      'a task create with a 255-character Idempotency-Key',
      'tasks',
      () =>
        event(CREATE, {
          pathParameters: { projectId: 'alpha' },
          body: newTask({ taskId: 'valid-5' }),
          headers: { 'idempotency-key': '~'.repeat(255) },
        }),
      201,
    ],
    [
      'a task create of a 64-character id and a 200-character title',
      'tasks',
      () =>
        event(CREATE, {
          pathParameters: { projectId: 'p'.repeat(64) },
          body: newTask({ taskId: 't'.repeat(64), title: 'x'.repeat(200) }),
        }),
      201,
    ],
    [
      'a task list with limit 100 and a real cursor',
      'tasks',
      () => event(LIST, { pathParameters: { projectId: 'alpha' }, query: { limit: '100', cursor: seed.alphaCursor } }),
      200,
    ],
    [
      'a complete with If-Match W/"1"',
      'tasks',
      () => event(COMPLETE, { pathParameters: { projectId: 'alpha', taskId: 'a2' }, headers: { 'if-match': 'W/"1"' } }),
      200,
    ],
    [
      'a session list with a real cursor',
      'sessions',
      () => event(SESSION_LIST, { sub: SEED_USER, query: { limit: '1', cursor: seed.sessionCursor } }),
      200,
    ],
    [
      'a session read',
      'sessions',
      () => event(SESSION_GET, { sub: SEED_USER, pathParameters: { sessionId: seed.sessionId } }),
      200,
    ],
    [
      'a webhook delivery of a 256-character id',
      'webhooks',
      () => delivery(JSON.stringify({ id: 'e'.repeat(256), type: 't'.repeat(128) })),
      202,
    ],
    [
      'a webhook delivery with extra members',
      'webhooks',
      () => delivery(JSON.stringify({ id: 'evt-extra', type: 't', data: { any: ['thing'] } })),
      202,
    ],
    [
      'a base64 webhook delivery signed over its bytes',
      'webhooks',
      () => delivery(Buffer.from('{"id":"evt-b64","type":"t"}').toString('base64'), { isBase64Encoded: true }),
      202,
    ],
  ] as const)('%s', async (_, fn, request, status) => {
    const { result } = await call(fn, request());
    expect(result.statusCode).toBe(status);
  });
});

// ----------------------------------------------------------------------------------------------------------------
// Randomized: 10,000 generated requests across the eight routes.

/** Fixed for reproducibility; `FUZZ_SEED=<n>` explores another part of the space. */
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_521);
const RUNS = { tasks: 4_000, sessions: 3_000, webhooks: 3_000 } as const;
/** Cases between two full scans of the table (a check that no write escaped the table's record). */
const SCAN_EVERY = 1_000;
/** Stands for a fresh id (task id, event id, Idempotency-Key), unique per case, where a generator picks it. */
const UNIQUE = '<unique>';

/** Any text: printable ASCII, any code point, and the usual suspects. */
const weird = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '#',
    'a#b',
    '\u0000',
    'a\u001fb',
    '\u007f',
    '\ud800',
    '\udc00x',
    'é',
    '../x',
    '%23',
    '\n',
    'x'.repeat(65),
    'x'.repeat(257),
    '0',
    '-1',
  ),
);
const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

type BodySpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly value: unknown; readonly base64: boolean; readonly cut?: number }
  | { readonly kind: 'text'; readonly text: string; readonly base64Flag: boolean }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'oversize'; readonly bytes: number };

/** Bodies: `shaped` (a route's fields, each valid or not), any JSON, any text, any bytes, too large, none. */
function bodies(shaped: fc.Arbitrary<unknown>): fc.Arbitrary<BodySpec> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('json' as const),
        value: shaped,
        base64: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('json' as const),
        value: shaped,
        base64: fc.constant(false),
        cut: fc.nat(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue(), base64: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('text' as const), text: weird, base64Flag: fc.boolean() }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 200 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('oversize' as const),
        bytes: fc.integer({ min: MAX_BODY_BYTES + 1, max: 3 * MAX_BODY_BYTES }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  );
}

/** `arbitrary` once in `1 + odds` cases, else null. */
function rarely<T>(arbitrary: fc.Arbitrary<T>, odds: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: odds, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

/** Fields of a route's body, each valid or not, sometimes one missing, sometimes with extra members. */
function shapedObject(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const extras = fc.dictionary(
    fc.oneof(
      fc.constantFrom('status', 'version', 'PK', 'SK', '_writeId', 'createdBy', '__proto__', 'constructor'),
      fc.string({ maxLength: 8 }),
    ),
    fc.jsonValue({ maxDepth: 1 }),
    { maxKeys: 2 },
  );
  const dropped = rarely(fc.constantFrom(...Object.keys(fields)), 5);
  return fc.tuple(fc.record(fields), dropped, rarely(extras, 4)).map(([record, drop, extra]) => {
    const { [drop ?? '']: _, ...kept } = record as Record<string, unknown>;
    return { ...kept, ...(extra ?? {}) };
  });
}

const contentTypes = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/problem+json',
      'APPLICATION/JSON',
      'application/vnd.api+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
      '',
      'application/json, text/plain',
      'json',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);
const headerNames = fc.oneof(
  fc.constantFrom(
    'Content-Type',
    'Idempotency-Key',
    'IF-MATCH',
    'X-Webhook-Signature',
    'content-length',
    'authorization',
    'origin',
    'x-forwarded-for',
    '__proto__',
  ),
  fc.string({ maxLength: 20 }),
);
const extraHeaders = rarely(fc.dictionary(headerNames, weird, { maxKeys: 3 }), 3);
const limits = fc.oneof(
  fc.integer({ min: -3, max: 103 }).map(String),
  fc.double().map(String),
  fc.constantFrom('', ' ', '1e2', '0x10', 'Infinity', 'NaN', '1.5', '-0', '00010', '5 '),
  weird,
);

type CursorSpec =
  | { readonly kind: 'real'; readonly list: 'own' | 'other' }
  | { readonly kind: 'truncated'; readonly list: 'own' | 'other'; readonly at: number }
  | {
      readonly kind: 'edited';
      readonly list: 'own' | 'other';
      readonly path: 'v' | 'b' | 'k' | 'k.PK' | 'k.SK' | 'k.extra';
      readonly value: unknown;
    }
  | { readonly kind: 'stretched'; readonly by: number }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: string };

const cursors: fc.Arbitrary<CursorSpec> = fc.oneof(
  fc.record({ kind: fc.constant('real' as const), list: fc.constantFrom('own' as const, 'other' as const) }),
  fc.record({
    kind: fc.constant('truncated' as const),
    list: fc.constantFrom('own' as const, 'other' as const),
    at: fc.nat({ max: 200 }),
  }),
  fc.record({
    kind: fc.constant('edited' as const),
    list: fc.constantFrom('own' as const, 'other' as const),
    path: fc.constantFrom(
      'v' as const,
      'b' as const,
      'k' as const,
      'k.PK' as const,
      'k.SK' as const,
      'k.extra' as const,
    ),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('PROJECT#beta', 'PROJECT#alpha', `USER#${OTHER_USER}`, 'TASK#', 'SESSION#', 'META'),
    ),
  }),
  fc.record({ kind: fc.constant('stretched' as const), by: fc.integer({ min: 1, max: 1_200 }) }),
  fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({ kind: fc.constant('text' as const), text: weird }),
);

interface QuerySpec {
  readonly limit?: string;
  readonly cursor?: CursorSpec;
  readonly extra?: Record<string, string> | null;
}
const queries: fc.Arbitrary<QuerySpec> = fc.record(
  {
    limit: limits,
    cursor: cursors,
    extra: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), weird, { maxKeys: 2 })),
  },
  { requiredKeys: [] },
);

/** A generated request: which route, and each part as generated (placeholders resolved per case). */
interface RequestSpec {
  readonly fn: ExampleFunction;
  readonly routeKey: string;
  readonly path?: Record<string, string | undefined>;
  readonly query?: QuerySpec;
  readonly body: BodySpec;
  readonly contentType: string | null;
  readonly headers?: Record<string, string> | null;
  readonly idempotencyKey?: string | null;
  readonly ifMatch?: string | null;
  /**
   * `fresh`: a caller of its own; `shared`: one of two callers; `seed`: the seeded user; `none`: no authorizer
   * context; `~<text>`: `<text>` made unique; else that `sub`.
   */
  readonly caller: string;
  readonly signature?: 'valid' | 'none' | 'other-body' | 'truncated' | 'uppercase' | string;
}

const projectIds = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('alpha', 'beta', 'fuzz') },
  { weight: 2, arbitrary: validId },
  { weight: 2, arbitrary: weird },
);
const noBodyMostly = fc.oneof(
  { weight: 9, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: bodies(fc.jsonValue()) },
);
const taskFields = shapedObject({
  taskId: fc.oneof(
    { weight: 4, arbitrary: fc.constant(UNIQUE) },
    { weight: 1, arbitrary: validId },
    { weight: 1, arbitrary: weird },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
  ),
  title: fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 210 }) },
    { weight: 1, arbitrary: weird },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', 'x'.repeat(200), 'x'.repeat(201)) },
  ),
});
const deliveryFields = shapedObject({
  id: fc.oneof(
    { weight: 4, arbitrary: fc.constant(UNIQUE) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: weird },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('e'.repeat(256), 'e'.repeat(257), 'evt-seed') },
  ),
  type: fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
    { weight: 1, arbitrary: weird },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('t'.repeat(128), 't'.repeat(129)) },
  ),
});
const pathOf = (params: Record<string, fc.Arbitrary<string>>) =>
  fc.option(fc.record(params) as fc.Arbitrary<Record<string, string | undefined>>, { freq: 20, nil: undefined });
const anyRouteKey = (routeKeys: string[]) =>
  fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom(...routeKeys) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('PUT /projects/{projectId}/tasks', 'GET /nowhere', 'POST /sessions/{sessionId}'),
    },
  );
const commonParts = { contentType: contentTypes, headers: extraHeaders };

/** Tasks callers stay under the rate limit (300 a minute each): unique, or one of two for a few requests. */
const taskCallers = fc.oneof(
  { weight: 8, arbitrary: fc.constant('fresh') },
  { weight: 2, arbitrary: weird.map((text) => `~${text}`) },
  { weight: 1, arbitrary: fc.constant('shared') }, // ~180 requests each: under the limit
);
const taskRequests: fc.Arbitrary<RequestSpec> = fc.oneof(
  fc.record({
    fn: fc.constant('tasks' as const),
    routeKey: anyRouteKey([LIST]),
    path: pathOf({ projectId: projectIds }),
    query: queries,
    body: noBodyMostly,
    caller: taskCallers,
    ...commonParts,
  }),
  fc.record({
    fn: fc.constant('tasks' as const),
    routeKey: anyRouteKey([CREATE]),
    path: pathOf({ projectId: projectIds }),
    body: bodies(taskFields),
    idempotencyKey: fc.option(
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(UNIQUE) },
        { weight: 2, arbitrary: fc.constantFrom('seed-key', 'fuzz-key') },
        { weight: 1, arbitrary: weird },
      ),
      { freq: 2 },
    ),
    caller: taskCallers,
    ...commonParts,
  }),
  fc.record({
    fn: fc.constant('tasks' as const),
    routeKey: anyRouteKey([COMPLETE]),
    path: pathOf({
      projectId: projectIds,
      taskId: fc.oneof(fc.constantFrom('a1', 'a2', 'a3', 'done', 'b1', 'missing'), validId, weird),
    }),
    body: noBodyMostly,
    ifMatch: fc.option(fc.oneof(fc.constantFrom('1', '"1"', 'W/"1"', '"2"', '0', '*'), fc.nat().map(String), weird)),
    caller: taskCallers,
    ...commonParts,
  }),
);

const sessionIds = fc.oneof(fc.constantFrom('seed', 'other'), fc.uuid(), weird);
const sessionCallers = fc.oneof(
  { weight: 6, arbitrary: fc.constant('fresh') },
  { weight: 2, arbitrary: fc.constant('seed') },
  { weight: 1, arbitrary: fc.constant('none') },
  { weight: 1, arbitrary: weird },
);
const sessionRequests: fc.Arbitrary<RequestSpec> = fc.oneof(
  fc.record({
    fn: fc.constant('sessions' as const),
    routeKey: anyRouteKey([SESSION_CREATE]),
    body: noBodyMostly,
    caller: sessionCallers,
    ...commonParts,
  }),
  fc.record({
    fn: fc.constant('sessions' as const),
    routeKey: anyRouteKey([SESSION_LIST]),
    query: queries,
    body: noBodyMostly,
    caller: sessionCallers,
    ...commonParts,
  }),
  fc.record({
    fn: fc.constant('sessions' as const),
    routeKey: anyRouteKey([SESSION_GET, SESSION_DELETE]),
    path: pathOf({ sessionId: sessionIds }),
    body: noBodyMostly,
    caller: sessionCallers,
    ...commonParts,
  }),
);

const webhookRequests: fc.Arbitrary<RequestSpec> = fc.record({
  fn: fc.constant('webhooks' as const),
  routeKey: anyRouteKey([WEBHOOK]),
  path: pathOf({
    provider: fc.oneof(
      { weight: 4, arbitrary: fc.constant('acme') },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,32}$/) },
      { weight: 1, arbitrary: weird },
    ),
  }),
  body: bodies(deliveryFields),
  caller: fc.constantFrom('none', 'none', 'none', 'fresh'),
  signature: fc.oneof(
    { weight: 12, arbitrary: fc.constant('valid') },
    { weight: 1, arbitrary: fc.constantFrom('none', 'other-body', 'truncated', 'uppercase') },
    { weight: 1, arbitrary: weird },
  ),
  ...commonParts,
});

/** Replaces UNIQUE placeholders (in a body's members) with `fresh`. */
function resolveUnique(value: unknown, fresh: string): unknown {
  if (value === UNIQUE) return fresh;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([name, member]) => [name, member === UNIQUE ? fresh : member]));
}

function resolveCursor(spec: CursorSpec, own: string, other: string): string {
  const cursorOf = (list: 'own' | 'other') => (list === 'own' ? own : other);
  switch (spec.kind) {
    case 'real':
      return cursorOf(spec.list);
    case 'truncated':
      return cursorOf(spec.list).slice(0, spec.at);
    case 'edited':
      return editCursor(cursorOf(spec.list), (c) => {
        if (spec.path === 'k.extra') c.k.extra = spec.value;
        else if (spec.path.startsWith('k.')) c.k[spec.path.slice(2)] = spec.value;
        else c[spec.path] = spec.value;
      });
    case 'stretched':
      return editCursor(own, (c) => (c.k.SK = `${c.k.SK}${'x'.repeat(spec.by)}`));
    case 'json':
      return base64url(spec.value);
    case 'text':
      return spec.text;
  }
}

/** The event of a generated request, case `n` (fresh ids and callers are unique to it). */
function eventOf(spec: RequestSpec, n: number): { request: APIGatewayProxyEventV2; body?: unknown } {
  const sub =
    spec.caller === 'fresh'
      ? `fuzz-${n}`
      : spec.caller === 'seed'
        ? SEED_USER
        : spec.caller === 'none'
          ? null
          : spec.caller === 'shared'
            ? `shared-${n % 2}`
            : spec.caller.startsWith('~')
              ? `${spec.caller.slice(1)}-${n}`
              : spec.caller;
  const fresh = `fz-${n}`;
  let body: string | undefined;
  let isBase64Encoded = false;
  let parsed: unknown;
  switch (spec.body.kind) {
    case 'json': {
      parsed = resolveUnique(spec.body.value, fresh);
      const text = JSON.stringify(parsed);
      body = spec.body.cut === undefined ? text : text.slice(0, spec.body.cut % (text.length + 1));
      if (spec.body.base64) {
        body = Buffer.from(body, 'utf8').toString('base64');
        isBase64Encoded = true;
      }
      break;
    }
    case 'text':
      body = spec.body.text;
      isBase64Encoded = spec.body.base64Flag;
      break;
    case 'bytes':
      body = Buffer.from(spec.body.bytes).toString('base64');
      isBase64Encoded = true;
      break;
    case 'oversize':
      body = JSON.stringify({ taskId: fresh, title: 'x', id: fresh, type: 't', pad: 'x'.repeat(spec.body.bytes) });
      break;
  }
  const headers: Record<string, string> = {};
  if (spec.idempotencyKey) {
    headers['idempotency-key'] = spec.idempotencyKey === UNIQUE ? `key-${n}` : spec.idempotencyKey;
  }
  if (spec.ifMatch) headers['if-match'] = spec.ifMatch;
  if (spec.signature !== undefined && spec.signature !== 'none') {
    const raw = Buffer.from(body ?? '', isBase64Encoded ? 'base64' : 'utf8');
    headers['x-webhook-signature'] =
      {
        valid: sign(raw),
        'other-body': sign(`${body ?? ''} `),
        truncated: sign(raw).slice(0, 40),
        uppercase: sign(raw).toUpperCase(),
      }[spec.signature] ?? spec.signature;
  }
  Object.assign(headers, spec.headers ?? {});
  const path =
    spec.path &&
    Object.fromEntries(
      Object.entries(spec.path)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .map(([name, value]) => [
          name,
          name !== 'sessionId'
            ? value
            : value === 'seed'
              ? seed.sessionId
              : value === 'other'
                ? seed.otherUsersSessionId
                : value,
        ]),
    );
  const query: Record<string, string> = { ...(spec.query?.extra ?? {}) };
  if (spec.query?.limit !== undefined) query.limit = spec.query.limit;
  if (spec.query?.cursor !== undefined) {
    const [own, other] =
      spec.fn === 'sessions' ? [seed.sessionCursor, seed.alphaCursor] : [seed.alphaCursor, seed.betaCursor];
    query.cursor = resolveCursor(spec.query.cursor, own, other);
  }
  const request = event(spec.routeKey, {
    pathParameters: path,
    query: spec.query ? query : undefined,
    headers,
    contentType: spec.contentType,
    body,
    isBase64Encoded,
    sub,
  });
  return { request, body: parsed };
}

/** What the fuzzing saw, printed at the end. */
const observed = {
  cases: 0,
  statuses: new Map<string, number>(),
  /** Keys of items written by accepted requests (and state refusals' idempotency records). */
  written: new Set<string>(),
  scans: 0,
  /** Keys of the items in the table when the fuzzing began. */
  baseline: new Set<string>(),
};

/** Statuses after which a request was accepted for processing and refused for the state of the table. */
const STATE_REFUSALS = new Set([404, 409, 412]);

async function checkCase(spec: RequestSpec): Promise<void> {
  const n = ++observed.cases;
  const { request } = eventOf(spec, n);
  const { result, writes } = await call(spec.fn, request);
  const status = result.statusCode;
  const label = `${spec.fn} ${status}`;
  observed.statuses.set(label, (observed.statuses.get(label) ?? 0) + 1);
  const explain = () =>
    `case ${n}: ${spec.routeKey} answered ${status} ${JSON.stringify(result.body)?.slice(0, 500)}; writes ${JSON.stringify(writes)}; event ${JSON.stringify(request).slice(0, 1500)}`;

  if (!((status >= 200 && status < 300) || (status >= 400 && status < 500))) {
    throw new Error(`not 2xx nor 4xx: ${explain()}`);
  }
  const stored = writes.filter((write) => !write.pk?.startsWith('RATE#'));
  if (status >= 400) {
    const problem = result.body;
    if (
      result.headers['content-type'] !== 'application/problem+json' ||
      problem?.status !== status ||
      typeof problem?.detail !== 'string' ||
      problem.detail.trim() === ''
    ) {
      throw new Error(`a 4xx without a problem document giving its status and a reason: ${explain()}`);
    }
    // An input error writes nothing; a request refused for the table's state may leave its idempotency record.
    const allowed = stored.filter((write) => STATE_REFUSALS.has(status) && write.pk?.startsWith('IDEMPOTENCY#'));
    if (allowed.length !== stored.length) throw new Error(`a 4xx wrote: ${explain()}`);
  }
  for (const write of stored) observed.written.add(`${write.pk}|${write.sk}`);
  if (n % SCAN_EVERY === 0) await reconcile();
}

/** Every item in the table was written by an accepted request (or the seeding), as the table recorded it. */
async function reconcile(): Promise<void> {
  observed.scans++;
  const known = new Set([...observed.baseline, ...observed.written]);
  const unexplained = (await itemsExceptCounters()).filter((item) => !known.has(keyOf(item)));
  if (unexplained.length > 0) {
    throw new Error(`items no accepted request wrote: ${JSON.stringify(unexplained).slice(0, 2000)}`);
  }
}

describe('randomized: generated requests are answered 2xx or 4xx, never 5xx, and a 4xx writes nothing', () => {
  beforeAll(() => {
    console.log(
      `bad-input fuzzing: seed ${FUZZ_SEED} (FUZZ_SEED=<n> to explore another), runs ${JSON.stringify(RUNS)}`,
    );
  });

  afterAll(() => {
    const histogram = Object.fromEntries([...observed.statuses].sort(([a], [b]) => a.localeCompare(b)));
    console.log(
      `bad-input fuzzing: seed ${FUZZ_SEED}, ${observed.cases} cases, ${observed.scans} full scans, ` +
        `${observed.written.size} items written by accepted requests; statuses ${JSON.stringify(histogram)}`,
    );
  });

  test.each([
    ['tasks', taskRequests, 1],
    ['sessions', sessionRequests, 2],
    ['webhooks', webhookRequests, 3],
  ] as const)(
    '%s',
    async (fn, requests, offset) => {
      const before = observed.cases;
      // Each property accounts for its own writes: what an earlier one left (even a failed one) is the baseline.
      observed.baseline = new Set((await itemsExceptCounters()).map(keyOf));
      await fc.assert(fc.asyncProperty(requests, checkCase), { numRuns: RUNS[fn], seed: FUZZ_SEED + offset });
      await reconcile();

      expect(observed.cases - before).toBeGreaterThanOrEqual(RUNS[fn]);
    },
    120_000,
  );

  test('the generated requests reached every outcome: not all refused at the door', () => {
    const seen = (label: string) => observed.statuses.get(label) ?? 0;
    expect(observed.cases).toBeGreaterThanOrEqual(RUNS.tasks + RUNS.sessions + RUNS.webhooks);
    // Each of these is met hundreds or dozens of times per 10,000 cases, whatever the seed.
    const expected = [
      'tasks 200',
      'tasks 201',
      'tasks 400',
      'tasks 404',
      'tasks 409',
      'tasks 412',
      'tasks 413',
      'tasks 415',
      'sessions 200',
      'sessions 201',
      'sessions 400',
      'sessions 401',
      'sessions 404',
      'webhooks 202',
      'webhooks 400',
      'webhooks 401',
      'webhooks 413',
      'webhooks 415',
      'webhooks 422',
    ];
    expect(expected.filter((label) => seen(label) === 0)).toEqual([]);
    // Well-formed requests that succeed are a fair share, so the checks after validation get exercised too.
    const succeeded = [...observed.statuses]
      .filter(([label]) => / 2\d\d$/.test(label))
      .reduce((sum, [, count]) => sum + count, 0);
    expect(succeeded / observed.cases).toBeGreaterThan(0.1);
  });
});

describe('cursors whose start key is over DynamoDB key limits', () => {
  // DynamoDB refuses a Query whose start key is over its key limits (ValidationException): the toolkit refuses
  // such a cursor first, as the client's error.
  test.each([
    [
      'tasks',
      () =>
        event(LIST, {
          pathParameters: { projectId: 'alpha' },
          query: { cursor: editCursor(seed.alphaCursor, (c) => (c.k.SK = `TASK#${'x'.repeat(1100)}`)) },
        }),
    ],
    [
      'sessions',
      () =>
        event(SESSION_LIST, {
          sub: SEED_USER,
          query: { cursor: editCursor(seed.sessionCursor, (c) => (c.k.SK = `SESSION#${'x'.repeat(1100)}`)) },
        }),
    ],
  ] as const)('%s: a cursor whose start key is over 1,024 bytes is a 400, not a 500', async (fn, request) => {
    const { result, writes } = await call(fn, request());

    expectProblem(result, 400);
    expect(writes.filter((write) => !write.pk?.startsWith('RATE#'))).toEqual([]);
  });
});
