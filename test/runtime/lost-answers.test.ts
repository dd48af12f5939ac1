/**
 * Idempotent requests whose write landed while its answer was lost: a proxy in front of the table applies the
 * write and drops the connection instead of answering, then drops every retry of the SDK, so the request answers
 * 503 and frees its key (or, when that write is lost too, holds it until the lock expires). The client's retry
 * with the same key runs the route again; it must find the first run's write and answer as done: one item, one
 * version, the answer the first run would have given.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { z } from 'zod';
import { httpApiEvent, jwtAuthorizer, parse, quietLogger, startRuntimeTable, type RuntimeTable } from './util';
import { DEADLINE_MARGIN_MS, FINAL_WRITE_RESERVE_MS } from '../../src/runtime/deadline';
import { apiHandler, route, type ApiHandler, type RouteDefinition } from '../../src/runtime/handler';
import { created, ok } from '../../src/runtime/response';
import { createDocumentClient, Table } from '../../src/runtime/table';
import { newId } from '../../src/runtime/write-ids';
import { TestClock } from '../helpers/clock';
import { FaultProxy, on, withEnvironment, type DynamoRequest } from '../helpers/fault-proxy';

const CREATE = 'POST /projects/{projectId}/tasks';
const DRAFT = 'POST /projects/{projectId}/drafts';
const RENAME = 'POST /projects/{projectId}/tasks/{taskId}/rename';
/** Attempts per DynamoDB call (the first and the SDK's retries). */
const MAX_ATTEMPTS = 3;
const LOCK_SECONDS = 30;

let rt: RuntimeTable;
let proxy: FaultProxy;
const clients: DynamoDBDocumentClient[] = [];

beforeAll(async () => {
  rt = await startRuntimeTable();
  proxy = await FaultProxy.start(rt.local.endpoint);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await proxy.close();
  await rt.close();
});

beforeEach(() => proxy.reset());

/** The routes under test: a create with the client's id, one with an id of its own, and a rename. */
function routes(table: Table): { [routeKey: string]: RouteDefinition<any, any, any> } {
  const tasks = table.item('createTask');
  const renames = table.item('updateTask');
  return {
    [CREATE]: route({
      body: z.object({ taskId: z.string(), title: z.string() }),
      idempotent: true,
      handle: async ({ params, body }) =>
        created(await tasks.create({ projectId: params.projectId!, taskId: body.taskId }, { title: body.title })),
    }),
    [DRAFT]: route({
      body: z.object({ title: z.string() }),
      idempotent: true,
      handle: async ({ params, body }) => {
        const taskId = newId();
        const item = await tasks.create({ projectId: params.projectId!, taskId }, { taskId, title: body.title });
        return created(item, `/projects/${params.projectId}/tasks/${taskId}`);
      },
    }),
    [RENAME]: route({
      body: z.object({ title: z.string() }),
      idempotent: true,
      handle: async ({ params, body }) =>
        ok(
          await renames.update(
            { projectId: params.projectId!, taskId: params.taskId! },
            { set: { title: body.title } },
          ),
        ),
    }),
  };
}

/**
 * The routes' handler on a client that reaches the table through the proxy, retrying as the SDK's standard
 * strategy does without its backoff delay, and telling the time by `clock`; invoked with `remainingMs` of
 * Lambda's time left when given.
 */
function throughProxy(clock: TestClock, remainingMs?: number): (event: unknown) => ReturnType<typeof invoke> {
  const client = createDocumentClient({ retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, () => 0) });
  clients.push(client);
  const table = new Table(rt.table.config, client, clock.now);
  const handler = apiHandler({
    logger: quietLogger(),
    table,
    idempotency: { lockSeconds: LOCK_SECONDS },
    routes: routes(table),
  });
  return (event) => invoke(handler, event, remainingMs);
}

async function invoke(handler: ApiHandler, event: unknown, remainingMs?: number) {
  const environment = { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint, AWS_MAX_ATTEMPTS: `${MAX_ATTEMPTS}` };
  const end = Date.now() + (remainingMs ?? 0);
  const context =
    remainingMs === undefined ? undefined : { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
  return parse(await withEnvironment(environment, () => handler(event, context)));
}

function idempotentEvent(routeKey: string, pathParameters: { [name: string]: string }, body: unknown, key: string) {
  return httpApiEvent(routeKey, {
    pathParameters,
    body,
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    authorizer: jwtAuthorizer('lost-answers-user'),
  });
}

/** A write to `pkPrefix` is applied but its answer lost, and every retry of it is dropped on the way. */
function loseTheAnswerOf(operation: string, ...more: { match: (r: DynamoRequest) => boolean; action: 'drop' }[]) {
  proxy.plan(
    { match: on(operation, 'PROJECT#'), action: 'applyThenDrop', times: 1 },
    { match: on(operation, 'PROJECT#'), action: 'drop' },
    ...more,
  );
}

/** The write that frees a key after a 503: an in-progress record whose lock has already expired. */
const release = (request: DynamoRequest) =>
  on('PutItem', 'IDEMPOTENCY#')(request) && request.body.Item?.lockExpiresAtMs?.N === '0';

async function itemsOf(projectId: string) {
  return (await rt.local.items()).filter((item) => item.PK === `PROJECT#${projectId}`);
}

describe('an idempotent create whose write landed and whose answer was lost', () => {
  it('answers the retry after the 503 freed the key with 201 and the task as created, and stores one task', async () => {
    // GIVEN the create's write lands but its answer, and every retry of it, is lost
    const tasks = throughProxy(TestClock.systemUntilSet());
    loseTheAnswerOf('PutItem');
    const create = idempotentEvent(
      CREATE,
      { projectId: 'lost-1' },
      { taskId: 't1', title: 'Write tests' },
      'lost-1-key',
    );

    // WHEN the client sends it, then retries with the same key once the network is back
    const failed = await tasks(create);
    proxy.plan();
    const retried = await tasks(create);
    const replayed = await tasks(create);

    // THEN the first is a 503 that freed the key, and the retry finds the first run's task: 201 with it, at version 1
    expect(failed.statusCode).toBe(503);
    expect(proxy.entries('PutItem', 'PROJECT#').map((entry) => entry.action)).toEqual([
      'applyThenDrop',
      'drop',
      'drop',
      'pass',
    ]);
    expect(retried).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json', etag: '"1"' },
      body: { title: 'Write tests' },
    });
    // AND that answer is the one replayed from then on, its ETag included
    expect(replayed).toEqual({ ...retried, headers: { ...retried.headers, 'idempotent-replayed': 'true' } });
    expect(await itemsOf('lost-1')).toEqual([
      expect.objectContaining({ SK: 'TASK#t1', title: 'Write tests', version: 1 }),
    ]);
  });

  it('answers the retry after the lock expired (the release was lost too) the same way', async () => {
    // GIVEN the create's answer is lost, and so is the write that would free the key
    const clock = new TestClock(Date.now());
    const tasks = throughProxy(clock);
    loseTheAnswerOf('PutItem', { match: release, action: 'drop' });
    const create = idempotentEvent(
      CREATE,
      { projectId: 'lost-2' },
      { taskId: 't1', title: 'Write tests' },
      'lost-2-key',
    );

    // WHEN the client retries while the key is locked, then after the lock expired
    const failed = await tasks(create);
    proxy.plan();
    const early = await tasks(create);
    clock.advance(LOCK_SECONDS * 1000 + 1);
    const late = await tasks(create);

    // THEN it is told to wait, then answered as done: one task
    expect([failed.statusCode, early.statusCode]).toEqual([503, 409]);
    expect(late).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json', etag: '"1"' },
      body: { title: 'Write tests' },
    });
    expect(await itemsOf('lost-2')).toHaveLength(1);
  });

  it('creates one item under an id of its own (newId), not a second one under a new id', async () => {
    // GIVEN a create that names its item itself, whose answer is lost
    const tasks = throughProxy(TestClock.systemUntilSet());
    loseTheAnswerOf('PutItem');
    const draft = idempotentEvent(DRAFT, { projectId: 'lost-3' }, { title: 'Draft' }, 'lost-3-key');

    // WHEN the client retries after the 503
    const failed = await tasks(draft);
    proxy.plan();
    const retried = await tasks(draft);

    // THEN the retry made the same id, found its item, and answered with it
    expect(failed.statusCode).toBe(503);
    const stored = await itemsOf('lost-3');
    expect(stored).toHaveLength(1);
    expect(retried.statusCode).toBe(201);
    expect(retried.body).toEqual({ taskId: stored[0].taskId, title: 'Draft' });
    expect(retried.headers.location).toBe(`/projects/lost-3/tasks/${String(stored[0].taskId)}`);
  });
});

describe('an idempotent update whose write landed and whose answer was lost', () => {
  it('answers the retry with the renamed task and bumps its version once', async () => {
    // GIVEN a task at version 1, whose rename lands but whose answer is lost
    await rt.local.put({ PK: 'PROJECT#lost-4', SK: 'TASK#t1', title: 'Old', version: 1 });
    const tasks = throughProxy(TestClock.systemUntilSet());
    loseTheAnswerOf('UpdateItem');
    const rename = idempotentEvent(RENAME, { projectId: 'lost-4', taskId: 't1' }, { title: 'New' }, 'lost-4-key');

    // WHEN the client retries after the 503
    const failed = await tasks(rename);
    proxy.plan();
    const retried = await tasks(rename);

    // THEN the retry's update is refused by the first run's write id and answered as done, at version 2
    expect(failed.statusCode).toBe(503);
    expect(retried).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', etag: '"2"' },
      body: { title: 'New' },
    });
    expect(await itemsOf('lost-4')).toEqual([expect.objectContaining({ title: 'New', version: 2 })]);
  });
});

describe('an idempotent request cut off by the deadline', () => {
  it('answers 503 in time and frees its key, so the retry runs at once instead of waiting for the lock', async () => {
    // GIVEN a create whose write the table never answers, in an invocation with 1.5 s left
    const remainingMs = 1_500;
    const tasks = throughProxy(TestClock.systemUntilSet(), remainingMs);
    proxy.plan({ match: on('PutItem', 'PROJECT#'), action: 'stall' });
    const create = idempotentEvent(CREATE, { projectId: 'deadline-1' }, { taskId: 't1', title: 'T' }, 'deadline-1-key');

    // WHEN it is sent, and retried once the table answers again
    const started = Date.now();
    const cutOff = await tasks(create);
    const elapsedMs = Date.now() - started;
    const recordWrites = proxy.entries('PutItem', 'IDEMPOTENCY#');
    const recordKey = recordWrites[0]?.pk;
    const record = (await rt.local.items()).find((item) => item.PK === recordKey);
    proxy.plan();
    const retried = await tasks(create);

    // THEN the route's call was cut off early enough for the key's release to be written before the deadline
    expect(cutOff.statusCode).toBe(503);
    expect(elapsedMs).toBeLessThan(remainingMs - DEADLINE_MARGIN_MS);
    expect(elapsedMs).toBeGreaterThanOrEqual(remainingMs - DEADLINE_MARGIN_MS - FINAL_WRITE_RESERVE_MS - 50);
    // (the claim, then the release, both applied)
    expect(recordWrites.map((entry) => [entry.pk, entry.upstreamStatus])).toEqual([
      [recordKey, 200],
      [recordKey, 200],
    ]);
    expect(record).toMatchObject({ status: 'IN_PROGRESS', lockExpiresAtMs: 0 });
    // AND the retry ran: no 409 "in progress" for the rest of the lock
    expect(retried.statusCode).toBe(201);
  });
});
