/**
 * Bad input never yields a 5xx and never writes, for what only a direct invocation of the handlers can ask:
 *
 * - requests API Gateway never passes to a function: an empty or missing path parameter (the gateway matches no
 *   route), a JWT route without authorizer context, a header over the gateway's size limit or holding a control
 *   character (no HTTP client sends one), a body flagged base64 that is not;
 * - 10,000 generated requests (fast-check), each checked for the writes the table applied while it ran. The local
 *   API throttles as the stage does (100 requests a second, the webhook route 20), which alone would stretch them
 *   to minutes; and the generator builds the events themselves (lone surrogates, base64 flags, missing
 *   parameters), many of which no HTTP request could carry.
 *
 * The named bad requests an HTTP client can send are in bad-input.test.ts, over HTTP through the local API.
 *
 * The local table records every request it receives with the status it answered, which tells the writes each
 * request made; scans of the whole table confirm that no write went unseen. Rate-limit counters (`RATE#...`) are
 * left out of "unchanged": the tasks function counts every request against its caller before it reads the
 * request, by design.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import {
  base64url,
  CALLER,
  editCursor,
  EMPTY,
  expectRefusal,
  IDEMPOTENCY_KEY,
  keyOf,
  MAX_BODY_BYTES,
  newTask,
  OTHER_USER,
  PATH_INVALID,
  SEED_USER,
  sign,
  withoutCounters,
  type Item,
  type Refusal,
} from './bad-requests';
import {
  httpEvent,
  invoke,
  loadHandler,
  startExampleSecrets,
  startExampleTable,
  type ExampleFunction,
  type ExampleSecrets,
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

type Invoker = (event: unknown) => Promise<ParsedResult>;

let table: LocalTable;
let handlers: Record<ExampleFunction, Invoker>;
let secrets: ExampleSecrets;

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
  secrets = await startExampleSecrets();
  handlers = {
    tasks: loaded('tasks'),
    sessions: loaded('sessions'),
    webhooks: loaded('webhooks', secrets.environment),
  };
  seed = await seedTable();
}, 60_000); // synthesizes the example stack and loads handlers: slow on a busy machine

afterAll(async () => {
  await table?.close();
  await secrets?.close();
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

/** The table without rate-limit counters, in key order. */
async function itemsExceptCounters(): Promise<Item[]> {
  return withoutCounters(await table.items());
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

interface BadCase extends Refusal {
  readonly name: string;
  readonly fn: ExampleFunction;
  readonly request: () => APIGatewayProxyEventV2;
}

const createWith = (spec: EventSpec) => () => event(CREATE, { pathParameters: { projectId: 'alpha' }, ...spec });
const completeWith = (spec: EventSpec) => () =>
  event(COMPLETE, { pathParameters: { projectId: 'alpha', taskId: 'a1' }, ...spec });
const sessionsWith = (routeKey: string, spec: EventSpec) => () => event(routeKey, { sub: SEED_USER, ...spec });
const badPath = (field: string): Refusal => ({ status: 400, detail: PATH_INVALID, field });
const noCaller: Refusal = { status: 401, detail: CALLER };
const badKey: Refusal = { status: 400, detail: IDEMPOTENCY_KEY, field: 'idempotency-key' };

/** Bad requests as events API Gateway would never pass to a function: only a direct invocation can make them. */
const EVENT_ONLY_CASES: BadCase[] = [
  // The gateway base64-encodes a body itself: it never flags text that is not base64.
  {
    name: 'base64 body that is not base64',
    fn: 'tasks',
    status: 400,
    detail: EMPTY,
    request: createWith({ body: '!!!***', isBase64Encoded: true }),
  },
  // A path parameter is never empty or missing: the gateway matches no route (404) instead.
  {
    name: 'empty projectId',
    fn: 'tasks',
    ...badPath('path.projectId'),
    request: createWith({ pathParameters: { projectId: '' }, body: newTask() }),
  },
  {
    name: 'no path parameters',
    fn: 'tasks',
    ...badPath('path.projectId'),
    request: () => event(CREATE, { body: newTask() }),
  },
  {
    name: 'a list of an empty projectId',
    fn: 'tasks',
    ...badPath('path.projectId'),
    request: () => event(LIST, { pathParameters: { projectId: '' } }),
  },
  {
    name: 'empty taskId',
    fn: 'tasks',
    ...badPath('path.taskId'),
    request: completeWith({ pathParameters: { projectId: 'alpha', taskId: '' } }),
  },
  {
    name: 'no taskId',
    fn: 'tasks',
    ...badPath('path.taskId'),
    request: completeWith({ pathParameters: { projectId: 'alpha' } }),
  },
  {
    name: 'provider ""',
    fn: 'webhooks',
    ...badPath('path.provider'),
    request: () => delivery('{"id":"evt-1","type":"t"}', { pathParameters: { provider: '' } }),
  },
  // "%2F" in a path segment matches no route of the gateway either.
  {
    name: 'provider "acme/other"',
    fn: 'webhooks',
    ...badPath('path.provider'),
    request: () => delivery('{"id":"evt-1","type":"t"}', { pathParameters: { provider: 'acme/other' } }),
  },
  {
    name: 'no provider',
    fn: 'webhooks',
    ...badPath('path.provider'),
    request: () => ({ ...delivery('{"id":"evt-1","type":"t"}'), pathParameters: undefined }),
  },
  ...(['get', 'delete'] as const).flatMap((verb): BadCase[] => {
    const routeKey = verb === 'get' ? SESSION_GET : SESSION_DELETE;
    return [
      {
        name: `${verb} with sessionId ""`,
        fn: 'sessions',
        ...badPath('path.sessionId'),
        request: sessionsWith(routeKey, { pathParameters: { sessionId: '' } }),
      },
      {
        name: `${verb} without a sessionId`,
        fn: 'sessions',
        ...badPath('path.sessionId'),
        request: sessionsWith(routeKey, {}),
      },
      // A JWT route's event always carries the authorizer's claims.
      {
        name: `${verb} without a caller`,
        fn: 'sessions',
        ...noCaller,
        request: () => sessionsWith(routeKey, { pathParameters: { sessionId: seed.sessionId }, sub: null })(),
      },
    ];
  }),
  {
    name: 'create without a caller',
    fn: 'sessions',
    ...noCaller,
    request: sessionsWith(SESSION_CREATE, { sub: null }),
  },
  { name: 'list without a caller', fn: 'sessions', ...noCaller, request: sessionsWith(SESSION_LIST, { sub: null }) },
  // The gateway refuses headers over its size limit (431), and no HTTP client sends a control character in one.
  {
    name: 'Idempotency-Key of 100 KB',
    fn: 'tasks',
    ...badKey,
    request: createWith({ body: newTask(), headers: { 'Idempotency-Key': 'k'.repeat(100_000) } }),
  },
  {
    name: 'Idempotency-Key with a control character',
    fn: 'tasks',
    ...badKey,
    request: createWith({ body: newTask(), headers: { 'idempotency-key': 'k\u0007' } }),
  },
];

describe('events API Gateway never sends: each bad one is a specific 4xx with a reason, and writes nothing', () => {
  test.each(EVENT_ONLY_CASES)('$fn: $name -> $status', async (badCase) => {
    const { result, writes } = await call(badCase.fn, badCase.request());

    expectRefusal({ status: result.statusCode, headers: result.headers, body: result.body }, badCase);
    expect(writes.filter((write) => !write.pk?.startsWith('RATE#'))).toEqual([]);
  });

  // The table saw no write from any bad request above; this scan confirms it, item by item and attribute by
  // attribute, so a write the table's record missed cannot pass unseen.
  test('they left every item as seeded', async () => {
    expect(await itemsExceptCounters()).toEqual(seed.items);
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
