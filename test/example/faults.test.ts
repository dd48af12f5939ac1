/**
 * Fault injection between the example's handlers and the table: a proxy in front of dynalite throttles requests,
 * drops connections before forwarding them, or forwards them and drops the connection instead of returning the
 * answer (the write happened, its answer was lost). Whatever the fault, a handler answers 2xx, 4xx or 503, never
 * 500, and the table ends up with each write applied exactly once.
 *
 * In process rather than through the local API: the proxy sits between a handler and its table, where the local
 * API lets nothing in (each function reaches its own IAM-checked endpoint), and the handlers are given a retry
 * strategy without backoff (a `Table.fromEnvironment()` option, injected only into a handler loaded here).
 */
import { createHmac } from 'crypto';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
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
import { TestClock } from '../helpers/clock';
import { FaultProxy, on, withEnvironment, type DynamoRequest, type FaultAction } from '../helpers/fault-proxy';
import type { LocalTable } from '../helpers/local-dynamodb';

const LIST = 'GET /projects/{projectId}/tasks';
const CREATE = 'POST /projects/{projectId}/tasks';
const COMPLETE = 'POST /projects/{projectId}/tasks/{taskId}/complete';
const SESSION_CREATE = 'POST /sessions';
const SESSION_GET = 'GET /sessions/{sessionId}';
const WEBHOOK = 'POST /webhooks/{provider}';
const SIGNING_SECRET = 'faults-test-secret';

/** Attempts per DynamoDB call (the first and the SDK's retries), set explicitly so logs are exact. */
const MAX_ATTEMPTS = 3;

type Item = Record<string, unknown>;
type Invoker = (event: unknown) => Promise<ParsedResult>;

let table: LocalTable;
let proxy: FaultProxy;
let secrets: ExampleSecrets;
let before: Map<string, Item>;

beforeAll(async () => {
  table = await startExampleTable();
  proxy = await FaultProxy.start(table.endpoint);
  // The webhook signing secret, in a Secrets Manager of this process (faults are injected on the table only).
  secrets = await startExampleSecrets(SIGNING_SECRET);
}, 60_000); // synthesizes the example stack and loads handlers: slow on a busy machine

afterAll(async () => {
  await proxy?.close();
  await table?.close();
  await secrets?.close();
});

beforeEach(async () => {
  proxy.reset();
  proxy.returnOldItemOnConditionFailure = false;
  before = byKey(await table.items());
});

/**
 * A handler loaded as its function, talking to the table through the proxy with `AWS_MAX_ATTEMPTS` attempts per
 * call. The SDK resolves the endpoint and the attempt count at the client's first request, so each invocation
 * runs with them in the environment, not only the module load.
 *
 * Its client retries as the SDK's standard strategy does (the same attempts, the same errors retried, the same
 * retry quota) without the backoff delay between attempts: what is tested is what the retries do, and the tests
 * do not wait on the wall clock for them.
 */
function throughProxy(fn: ExampleFunction, extra: Record<string, string> = {}, clock?: TestClock): Invoker {
  const environment = { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint, AWS_MAX_ATTEMPTS: `${MAX_ATTEMPTS}`, ...extra };
  const handler = loadHandler(fn, environment, {
    retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, () => 0),
    clock: clock?.now,
  });
  return (event) => withEnvironment(environment, () => invoke(handler, event));
}

function byKey(items: Item[]): Map<string, Item> {
  return new Map(items.map((item) => [`${String(item.PK)}|${String(item.SK)}`, item]));
}

/**
 * What changed in the table since the test began, leaving out rate-limit counters (each tasks request counts
 * against its caller, by design, whatever its outcome).
 */
async function changes(): Promise<{ added: Item[]; changed: Item[]; removed: Item[] }> {
  const now = byKey(await table.items());
  const counted = (key: string) => !key.startsWith('RATE#');
  return {
    added: [...now].filter(([key]) => counted(key) && !before.has(key)).map(([, item]) => item),
    changed: [...now]
      .filter(
        ([key, item]) => counted(key) && before.has(key) && JSON.stringify(before.get(key)) !== JSON.stringify(item),
      )
      .map(([, item]) => item),
    removed: [...before].filter(([key]) => counted(key) && !now.has(key)).map(([, item]) => item),
  };
}

/** The actions the proxy took on the requests of one operation on a partition key prefix, in order. */
function actions(operation: string, pkPrefix?: string): FaultAction[] {
  return proxy.entries(operation, pkPrefix).map((entry) => entry.action);
}

function expectProblem(result: ParsedResult, status: number): void {
  expect(result.statusCode).toBe(status);
  expect(result.headers['content-type']).toBe('application/problem+json');
  expect(result.body).toEqual(
    expect.objectContaining({ status, title: expect.any(String), detail: expect.any(String) }),
  );
  expect(result.body.detail.trim()).not.toBe('');
}

function expectServiceUnavailable(result: ParsedResult): void {
  expectProblem(result, 503);
  expect(result.headers['retry-after']).toBe('1');
  expect(result.body.retryAfterSeconds).toBe(1);
}

const createEvent = (projectId: string, taskId: string, headers: Record<string, string> = {}) =>
  httpEvent(CREATE, {
    pathParameters: { projectId },
    body: JSON.stringify({ taskId, title: `Task ${taskId}` }),
    headers,
    sub: 'faults-user',
  });
const completeEvent = (projectId: string, taskId: string) =>
  httpEvent(COMPLETE, { pathParameters: { projectId, taskId }, sub: 'faults-user' });
const listEvent = (projectId: string) => httpEvent(LIST, { pathParameters: { projectId }, sub: 'faults-user' });

/** The task item as a create stores it. */
function storedTask(projectId: string, taskId: string, extra: Item = {}): Item {
  return {
    PK: `PROJECT#${projectId}`,
    SK: `TASK#${taskId}`,
    entityType: 'Task',
    taskId,
    title: `Task ${taskId}`,
    status: 'OPEN',
    version: 1,
    createdAt: expect.any(String),
    createdBy: 'faults-user',
    _writeId: expect.any(String),
    ...extra,
  };
}

/** The task as the API shows it after a create. */
function apiTask(taskId: string): Item {
  return {
    taskId,
    title: `Task ${taskId}`,
    status: 'OPEN',
    etag: '"1"',
    createdAt: expect.any(String),
    createdBy: 'faults-user',
  };
}

/** The idempotency record a completed tasks request leaves. */
function completedRecord(statusCode: number): Item {
  return expect.objectContaining({
    PK: expect.stringMatching(/^IDEMPOTENCY#tasks#/),
    SK: 'RECORD',
    status: 'COMPLETED',
    response: expect.objectContaining({ statusCode }),
  });
}

/** A request that writes the idempotency record of a finished request (status COMPLETED). */
const recordCompletion = (request: DynamoRequest) =>
  on('PutItem', 'IDEMPOTENCY#tasks#')(request) && request.body.Item?.status?.S === 'COMPLETED';
/** A request that claims an idempotency key (status IN_PROGRESS with a lock). */
const recordClaim = (request: DynamoRequest) =>
  on('PutItem', 'IDEMPOTENCY#tasks#')(request) && request.body.Item?.status?.S === 'IN_PROGRESS';

describe('throttling', () => {
  test('a create throttled on its first two attempts is retried by the SDK: 201, one item', async () => {
    const tasks = throughProxy('tasks');
    proxy.plan({ match: on('PutItem', 'PROJECT#'), action: 'throttle', times: 2 });

    const result = await tasks(createEvent('throttle-1', 't1'));

    expect(result.statusCode).toBe(201);
    expect(result.body).toEqual(apiTask('t1'));
    expect(actions('PutItem', 'PROJECT#')).toEqual(['throttle', 'throttle', 'pass']);
    expect(await changes()).toEqual({ added: [storedTask('throttle-1', 't1')], changed: [], removed: [] });
  });

  test('a create throttled on every attempt is a 503 with Retry-After and writes nothing; after the throttling, the same create succeeds', async () => {
    const tasks = throughProxy('tasks');
    proxy.plan({ match: on('PutItem', 'PROJECT#'), action: 'throttle' });

    const refused = await tasks(createEvent('throttle-2', 't1'));

    expectServiceUnavailable(refused);
    expect(actions('PutItem', 'PROJECT#')).toEqual(Array(MAX_ATTEMPTS).fill('throttle'));
    expect(await changes()).toEqual({ added: [], changed: [], removed: [] });

    proxy.plan();
    const accepted = await tasks(createEvent('throttle-2', 't1'));

    expect(accepted.statusCode).toBe(201);
    expect(await changes()).toEqual({ added: [storedTask('throttle-2', 't1')], changed: [], removed: [] });
  });

  test('a rate-limit counter throttled on every attempt is a 503, and the create never runs', async () => {
    const tasks = throughProxy('tasks');
    proxy.plan({ match: on('UpdateItem', 'RATE#'), action: 'throttle' });

    const result = await tasks(createEvent('throttle-3', 't1'));

    expectServiceUnavailable(result);
    expect(actions('UpdateItem', 'RATE#')).toEqual(Array(MAX_ATTEMPTS).fill('throttle'));
    expect(actions('PutItem')).toEqual([]);
    expect(await changes()).toEqual({ added: [], changed: [], removed: [] });
  });
});

describe('connection dropped before the request reaches the table', () => {
  test('on a create: the SDK retries, 201, exactly one item', async () => {
    const tasks = throughProxy('tasks');
    proxy.plan({ match: on('PutItem', 'PROJECT#'), action: 'drop', times: 1 });

    const result = await tasks(createEvent('drop-1', 't1'));

    expect(result.statusCode).toBe(201);
    expect(result.body).toEqual(apiTask('t1'));
    expect(actions('PutItem', 'PROJECT#')).toEqual(['drop', 'pass']);
    expect(await changes()).toEqual({ added: [storedTask('drop-1', 't1')], changed: [], removed: [] });
  });

  test('on every attempt of a list (Query): 503 with Retry-After; the list answers once the network recovers', async () => {
    const tasks = throughProxy('tasks');
    expect((await tasks(createEvent('drop-2', 't1'))).statusCode).toBe(201);
    proxy.reset();
    proxy.plan({ match: on('Query'), action: 'drop' });

    const refused = await tasks(listEvent('drop-2'));

    expectServiceUnavailable(refused);
    expect(actions('Query')).toEqual(Array(MAX_ATTEMPTS).fill('drop'));

    proxy.plan();
    const listed = await tasks(listEvent('drop-2'));

    expect(listed.statusCode).toBe(200);
    expect(listed.body.items).toEqual([apiTask('t1')]);
  });

  test('on every attempt of a session read (GetItem): 503 with Retry-After; the session is there once the network recovers', async () => {
    const sessions = throughProxy('sessions');
    const createdSession = await sessions(httpEvent(SESSION_CREATE, { sub: 'faults-reader' }));
    expect(createdSession.statusCode).toBe(201);
    const read = httpEvent(SESSION_GET, {
      pathParameters: { sessionId: createdSession.body.sessionId },
      sub: 'faults-reader',
    });
    proxy.reset();
    proxy.plan({ match: on('GetItem', 'USER#'), action: 'drop' });

    const refused = await sessions(read);

    expectServiceUnavailable(refused);
    expect(actions('GetItem', 'USER#')).toEqual(Array(MAX_ATTEMPTS).fill('drop'));

    proxy.plan();
    const found = await sessions(read);

    expect(found.statusCode).toBe(200);
    expect(found.body).toEqual(createdSession.body);
  });
});

describe.each([
  ['the table does not return the item with a failed condition (dynalite): the toolkit reads it back', false],
  ['the table returns the item with a failed condition (DynamoDB, ALL_OLD)', true],
])('write applied, answer lost; %s', (_, returnsOldItem) => {
  const suffix = returnsOldItem ? 'old' : 'read';
  beforeEach(() => {
    proxy.returnOldItemOnConditionFailure = returnsOldItem;
  });

  /** Whether the toolkit read the item back after its retried write failed its condition. */
  const readsBack = (pkPrefix: string) => actions('GetItem', pkPrefix).length;

  test('a create: the retry fails its condition, the toolkit recognises its own write: 201, not 409, one item', async () => {
    const tasks = throughProxy('tasks');
    proxy.plan({ match: on('PutItem', 'PROJECT#'), action: 'applyThenDrop', times: 1 });

    const result = await tasks(createEvent(`lost-create-${suffix}`, 't1'));

    expect(result.statusCode).toBe(201);
    expect(result.body).toEqual(apiTask('t1'));
    expect(proxy.entries('PutItem', 'PROJECT#')).toEqual([
      expect.objectContaining({ action: 'applyThenDrop', upstreamStatus: 200 }),
      expect.objectContaining({
        action: 'pass',
        upstreamError: expect.stringMatching(/#ConditionalCheckFailedException$/),
      }),
    ]);
    expect(readsBack('PROJECT#')).toBe(returnsOldItem ? 0 : 1);
    expect(await changes()).toEqual({ added: [storedTask(`lost-create-${suffix}`, 't1')], changed: [], removed: [] });
  });

  test('a complete (UpdateItem): 200 DONE, the version incremented exactly once; a second complete is still a 409', async () => {
    const tasks = throughProxy('tasks');
    const projectId = `lost-complete-${suffix}`;
    expect((await tasks(createEvent(projectId, 't1'))).statusCode).toBe(201);
    before = byKey(await table.items());
    proxy.reset();
    proxy.plan({ match: on('UpdateItem', 'PROJECT#'), action: 'applyThenDrop', times: 1 });

    const result = await tasks(completeEvent(projectId, 't1'));

    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({ ...apiTask('t1'), status: 'DONE', etag: '"2"', completedAt: expect.any(String) });
    expect(proxy.entries('UpdateItem', 'PROJECT#')).toEqual([
      expect.objectContaining({ action: 'applyThenDrop', upstreamStatus: 200 }),
      expect.objectContaining({
        action: 'pass',
        upstreamError: expect.stringMatching(/#ConditionalCheckFailedException$/),
      }),
    ]);
    expect(readsBack('PROJECT#')).toBe(returnsOldItem ? 0 : 1);
    const done = storedTask(projectId, 't1', {
      status: 'DONE',
      version: 2,
      completedAt: result.body.completedAt,
      completedBy: 'faults-user',
    });
    expect(await changes()).toEqual({ added: [], changed: [done], removed: [] });

    // Recognising its own write must not hide a real conflict: completing again is refused.
    const again = await tasks(completeEvent(projectId, 't1'));
    expectProblem(again, 409);
    expect(await changes()).toEqual({ added: [], changed: [done], removed: [] });
  });

  test('a webhook event record: 2xx (202 when the failed condition returns the item), one event, one delivery record', async () => {
    const webhooks = throughProxy('webhooks', { ...secrets.environment });
    proxy.plan({ match: on('PutItem', 'WEBHOOK#'), action: 'applyThenDrop', times: 1 });
    const body = JSON.stringify({ id: `evt-lost-${suffix}`, type: 'task.created' });

    const result = await webhooks(
      httpEvent(WEBHOOK, {
        pathParameters: { provider: 'acme' },
        body,
        headers: { 'x-webhook-signature': createHmac('sha256', SIGNING_SECRET).update(body).digest('hex') },
      }),
    );

    // The function may not read event records (no GetItem pattern), so without the item in the failed
    // condition's answer it cannot tell its own write from a duplicate delivery; both are success for a provider.
    expect(result).toEqual(
      returnsOldItem
        ? expect.objectContaining({ statusCode: 202, body: { status: 'accepted' } })
        : expect.objectContaining({ statusCode: 200, body: { status: 'duplicate' } }),
    );
    const { added, changed, removed } = await changes();
    expect(added).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ PK: 'WEBHOOK#acme', SK: `EVENT#evt-lost-${suffix}` }),
        expect.objectContaining({ PK: expect.stringMatching(/^IDEMPOTENCY#webhooks#/), status: 'COMPLETED' }),
      ]),
    );
    expect(added).toHaveLength(2);
    expect([changed, removed]).toEqual([[], []]);
  });
});

describe('idempotent create (Idempotency-Key)', () => {
  test("the task write's answer is lost: 201, and a retry with the same key replays the same 201; one task", async () => {
    const tasks = throughProxy('tasks');
    const event = createEvent('idem-1', 't1', { 'idempotency-key': 'idem-1-key' });
    proxy.plan({ match: on('PutItem', 'PROJECT#'), action: 'applyThenDrop', times: 1 });

    const first = await tasks(event);
    const retry = await tasks(event);

    expect(first.statusCode).toBe(201);
    expect(first.body).toEqual(apiTask('t1'));
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers.location).toBe(first.headers.location);
    expect(actions('PutItem', 'PROJECT#')).toEqual(['applyThenDrop', 'pass']);
    const { added, changed, removed } = await changes();
    expect(added).toEqual(expect.arrayContaining([storedTask('idem-1', 't1'), completedRecord(201)]));
    expect(added).toHaveLength(2);
    expect([changed, removed]).toEqual([[], []]);
  });

  test("the answer of the record's completion is lost: 201, and a retry with the same key replays the same 201; one task", async () => {
    const tasks = throughProxy('tasks');
    const event = createEvent('idem-2', 't1', { 'idempotency-key': 'idem-2-key' });
    proxy.plan({ match: recordCompletion, action: 'applyThenDrop', times: 1 });

    const first = await tasks(event);
    const retry = await tasks(event);

    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    // The completion's retry still owns the claim, so it is applied again (same content), not refused.
    expect(proxy.log.filter((entry) => entry.operation === 'PutItem' && entry.pk?.startsWith('IDEMPOTENCY#'))).toEqual([
      expect.objectContaining({ action: 'pass', upstreamStatus: 200 }), // claim
      expect.objectContaining({ action: 'applyThenDrop', upstreamStatus: 200 }), // completion, answer lost
      expect.objectContaining({ action: 'pass', upstreamStatus: 200 }), // completion, retried by the SDK
      expect.objectContaining({
        action: 'pass',
        upstreamError: expect.stringMatching(/#ConditionalCheckFailedException$/),
      }), // the client's retry finds the record
    ]);
    expect(actions('PutItem', 'PROJECT#')).toEqual(['pass']);
    const { added, changed, removed } = await changes();
    expect(added).toEqual(expect.arrayContaining([storedTask('idem-2', 't1'), completedRecord(201)]));
    expect(added).toHaveLength(2);
    expect([changed, removed]).toEqual([[], []]);
  });

  test("the record's completion fails on every attempt: still 201; a retry is told to wait (409), never runs twice", async () => {
    const tasks = throughProxy('tasks');
    const event = createEvent('idem-3', 't1', { 'idempotency-key': 'idem-3-key' });
    proxy.plan({ match: recordCompletion, action: 'drop' });

    const first = await tasks(event);
    const retry = await tasks(event);

    expect(first.statusCode).toBe(201);
    expectProblem(retry, 409);
    expect(Number(retry.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(actions('PutItem', 'PROJECT#')).toEqual(['pass']);
    const { added, changed, removed } = await changes();
    expect(added).toEqual(
      expect.arrayContaining([
        storedTask('idem-3', 't1'),
        expect.objectContaining({ SK: 'RECORD', status: 'IN_PROGRESS' }),
      ]),
    );
    expect(added).toHaveLength(2);
    expect([changed, removed]).toEqual([[], []]);
  });

  test('the task write lands but no answer comes back (503): the retry with the same key is 201 with the task; one task', async () => {
    const tasks = throughProxy('tasks');
    const event = createEvent('idem-5', 't1', { 'idempotency-key': 'idem-5-key' });
    proxy.plan(
      { match: on('PutItem', 'PROJECT#'), action: 'applyThenDrop', times: 1 },
      { match: on('PutItem', 'PROJECT#'), action: 'drop' },
    );

    const failed = await tasks(event);
    proxy.plan();
    const retry = await tasks(event);

    // The 503 freed the key; the retry ran the handler again, whose create found the first run's write.
    expectServiceUnavailable(failed);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.headers.etag).toBe('"1"');
    expect(retry.body).toEqual(apiTask('t1'));
    expect(actions('PutItem', 'PROJECT#')).toEqual(['applyThenDrop', 'drop', 'drop', 'pass']);
    const { added, changed, removed } = await changes();
    expect(added).toEqual(expect.arrayContaining([storedTask('idem-5', 't1'), completedRecord(201)]));
    expect(added).toHaveLength(2);
    expect([changed, removed]).toEqual([[], []]);
  });

  test('the task write lands, its answer and the key release are lost: 409 until the lock expires, then 201; one task', async () => {
    const clock = new TestClock(Date.now());
    const tasks = throughProxy('tasks', {}, clock);
    const event = createEvent('idem-6', 't1', { 'idempotency-key': 'idem-6-key' });
    const release = (request: DynamoRequest) =>
      on('PutItem', 'IDEMPOTENCY#tasks#')(request) && request.body.Item?.lockExpiresAtMs?.N === '0';
    proxy.plan(
      { match: on('PutItem', 'PROJECT#'), action: 'applyThenDrop', times: 1 },
      { match: on('PutItem', 'PROJECT#'), action: 'drop' },
      { match: release, action: 'drop' },
    );

    const failed = await tasks(event);
    proxy.plan();
    const locked = await tasks(event);
    // Invoked without a Lambda context, the key is locked for the default 60 s.
    clock.advance(60_001);
    const retry = await tasks(event);

    expectServiceUnavailable(failed);
    expectProblem(locked, 409);
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toEqual(apiTask('t1'));
    expect(actions('PutItem', 'PROJECT#')).toEqual(['applyThenDrop', 'drop', 'drop', 'pass']);
    const { added, changed, removed } = await changes();
    expect(added).toEqual(expect.arrayContaining([storedTask('idem-6', 't1'), completedRecord(201)]));
    expect(added).toHaveLength(2);
    expect([changed, removed]).toEqual([[], []]);
  });

  // A claim whose answer was lost is recognised as the request's own (its owner), so the request runs instead of
  // answering 409 "still in progress" to itself.
  test("the claim's answer is lost: the request runs (201), not 409 against itself", async () => {
    const tasks = throughProxy('tasks');
    const event = createEvent('idem-4', 't1', { 'idempotency-key': 'idem-4-key' });
    proxy.plan({ match: recordClaim, action: 'applyThenDrop', times: 1 });

    const first = await tasks(event);
    const retry = await tasks(event);

    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await changes()).toEqual({
      added: expect.arrayContaining([storedTask('idem-4', 't1'), completedRecord(201)]),
      changed: [],
      removed: [],
    });
  });
});
