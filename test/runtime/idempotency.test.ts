import { z } from 'zod';
import {
  epochSeconds,
  gate,
  httpApiEvent,
  jwtAuthorizer,
  parse,
  PATTERNS,
  quietLogger,
  RecordingMetrics,
  restApiEvent,
  startRuntimeTable,
  until,
  type RuntimeTable,
} from './util';
import { apiHandler, route, type RouteInput } from '../../src/runtime/handler';
import {
  Idempotency,
  IDEMPOTENT_REPLAY_HEADER,
  isReplayable,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  type IdempotencyOptions,
} from '../../src/runtime/idempotency';
import { HttpError } from '../../src/runtime/problem';
import type { ApiResult, ProxyResult } from '../../src/runtime/response';
import { created, json } from '../../src/runtime/response';
import type { Table } from '../../src/runtime/table';
import { TestClock } from '../helpers/clock';

const CREATE = 'POST /projects/{projectId}/tasks';
const ARCHIVE = 'POST /projects/{projectId}/archive';

let rt: RuntimeTable;

beforeAll(async () => {
  rt = await startRuntimeTable();
});

afterAll(async () => {
  await rt.close();
});

type Behaviour = (input: RouteInput<any, any, any>, run: number) => Promise<ApiResult>;

/** Creates a task, echoing the title and how many times the route ran (never the private `note`). */
const createTask: Behaviour = async ({ params, body }, run) =>
  created({ projectId: params.projectId, title: body.title, run }, `/projects/${params.projectId}/tasks/t-${run}`);

/** An apiHandler with idempotent routes, counting how often each runs. */
function makeHandler(
  options: IdempotencyOptions = {},
  behaviour: Behaviour = createTask,
  metrics?: RecordingMetrics,
  table: Table = rt.table,
) {
  const runs = { create: 0, archive: 0 };
  const handler = apiHandler({
    logger: quietLogger(),
    metrics,
    table,
    idempotency: options,
    routes: {
      [CREATE]: route({
        body: z.object({ title: z.string().min(1), note: z.string().optional() }),
        idempotent: true,
        handle: async (input) => behaviour(input, ++runs.create),
      }),
      [ARCHIVE]: route({
        body: z.object({ title: z.string().min(1) }),
        idempotent: true,
        handle: async ({ params }) => json(200, { archived: params.projectId, run: ++runs.archive }),
      }),
    },
  });
  return { handler, runs };
}

interface Call {
  readonly key?: string;
  readonly body?: unknown;
  readonly sub?: string | null;
  readonly projectId?: string;
  readonly routeKey?: string;
  readonly sourceIp?: string;
  readonly headers?: { [name: string]: string };
  /** The `requestContext.authorizer` to send instead of a JWT authorizer with `sub`. */
  readonly authorizer?: { [key: string]: unknown };
}

let keyCounter = 0;
/** An idempotency key of its own for each test. */
function newKey(): string {
  return `key-${++keyCounter}-${Date.now()}`;
}

/** An HTTP API event of an idempotent call; `sub: null` calls anonymously. */
function eventOf(call: Call) {
  return httpApiEvent(call.routeKey ?? CREATE, {
    pathParameters: { projectId: call.projectId ?? 'p-1' },
    body: call.body ?? { title: 'Write tests', note: 'private note' },
    headers: {
      'content-type': 'application/json',
      ...(call.key === undefined ? {} : { 'idempotency-key': call.key }),
      ...call.headers,
    },
    authorizer: call.authorizer ?? (call.sub === null ? undefined : jwtAuthorizer(call.sub ?? 'user-1')),
    sourceIp: call.sourceIp,
  });
}

async function records(): Promise<Record<string, any>[]> {
  return (await rt.local.items()).filter((item) => String(item.PK).startsWith('IDEMPOTENCY#'));
}

/** The idempotency records `action` writes (compared with those that existed before it). */
async function recordsWrittenBy<T>(action: () => Promise<T>): Promise<{ result: T; written: Record<string, any>[] }> {
  const before = new Set((await records()).map((record) => record.PK));
  const result = await action();
  const written = (await records()).filter((record) => !before.has(record.PK));
  return { result, written };
}

function replayOf(first: ProxyResult): ProxyResult {
  return { ...first, headers: { ...first.headers, [IDEMPOTENT_REPLAY_HEADER]: 'true' } };
}

describe('an idempotent route', () => {
  it('runs the first request and replays its response to an identical retry without running again', async () => {
    // GIVEN an idempotent create route
    const { handler, runs } = makeHandler();
    const key = newKey();

    // WHEN the same request is sent twice with the same key
    const first = await handler(eventOf({ key }));
    const second = await handler(eventOf({ key }));

    // THEN the route ran once, and the retry got the same status, body and headers, marked as a replay
    expect(runs.create).toBe(1);
    expect(parse(first)).toEqual({
      statusCode: 201,
      headers: { location: '/projects/p-1/tasks/t-1', 'content-type': 'application/json' },
      body: { projectId: 'p-1', title: 'Write tests', run: 1 },
    });
    expect(second).toEqual(replayOf(first));
    expect(second.headers[IDEMPOTENT_REPLAY_HEADER]).toBe('true');
    expect(first.headers[IDEMPOTENT_REPLAY_HEADER]).toBeUndefined();
  });

  it('stores one completed record per key: hashed key, the response, a fingerprint, never the request body', async () => {
    // GIVEN a request whose body holds a private note the response does not echo
    const { handler } = makeHandler();
    const key = newKey();
    const before = epochSeconds();

    // WHEN it runs
    const { result, written } = await recordsWrittenBy(() => handler(eventOf({ key })));

    // THEN one record holds the response until it expires in 24 hours
    expect(written).toHaveLength(1);
    const record = written[0];
    expect(record).toEqual({
      PK: expect.stringMatching(/^IDEMPOTENCY#[A-Za-z0-9_-]{43}$/),
      SK: 'RECORD',
      status: 'COMPLETED',
      fingerprint: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      owner: expect.any(String),
      response: result,
      expiresAt: expect.any(Number),
    });
    expect(record.expiresAt).toBeGreaterThanOrEqual(before + 86_400);
    expect(record.expiresAt).toBeLessThanOrEqual(epochSeconds() + 86_400);
    expect(JSON.stringify(record)).not.toContain(key);
    expect(JSON.stringify(record)).not.toContain('private note');
  });

  it('refuses the same key with another body with 422, without running', async () => {
    const { handler, runs } = makeHandler();
    const key = newKey();
    await handler(eventOf({ key, body: { title: 'first' } }));

    const other = parse(await handler(eventOf({ key, body: { title: 'second' } })));

    expect(other.statusCode).toBe(422);
    expect(other.headers).toEqual({ 'content-type': 'application/problem+json' });
    expect(other.body).toMatchObject({
      title: 'Unprocessable Content',
      status: 422,
      detail:
        'this idempotency key was used with another request (method, path or body): use a new key for a new request',
    });
    expect(runs.create).toBe(1);
  });

  it('refuses the same key and body on another path (another project) with 422', async () => {
    const { handler, runs } = makeHandler();
    const key = newKey();
    await handler(eventOf({ key, projectId: 'p-1' }));
    expect((await handler(eventOf({ key, projectId: 'p-2' }))).statusCode).toBe(422);
    expect(runs.create).toBe(1);
  });

  it('treats a body differing only in formatting as another request (the fingerprint is of the bytes)', async () => {
    const { handler } = makeHandler();
    const key = newKey();
    await handler(eventOf({ key, body: '{"title":"same"}' }));
    expect((await handler(eventOf({ key, body: '{"title":"same"}' }))).headers[IDEMPOTENT_REPLAY_HEADER]).toBe('true');
    expect((await handler(eventOf({ key, body: '{ "title": "same" }' }))).statusCode).toBe(422);
  });

  it('scopes keys to the route: the same key on another route runs', async () => {
    const { handler, runs } = makeHandler();
    const key = newKey();
    await handler(eventOf({ key }));
    const archived = parse(await handler(eventOf({ key, routeKey: ARCHIVE, body: { title: 'Write tests' } })));
    expect(archived).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: { archived: 'p-1', run: 1 },
    });
    expect(runs).toEqual({ create: 1, archive: 1 });
  });

  it('scopes keys to the caller: two JWT subjects with the same key each run and get their own replay', async () => {
    // GIVEN two callers that happen to use the same key
    const { handler, runs } = makeHandler();
    const key = newKey();

    // WHEN each sends a request, then a retry
    const { result, written } = await recordsWrittenBy(async () => {
      const alice = await handler(eventOf({ key, sub: 'alice', body: { title: 'Alice task' } }));
      const bob = await handler(eventOf({ key, sub: 'bob', body: { title: 'Bob task' } }));
      return { alice, bob };
    });
    const aliceRetry = await handler(eventOf({ key, sub: 'alice', body: { title: 'Alice task' } }));
    const bobRetry = await handler(eventOf({ key, sub: 'bob', body: { title: 'Bob task' } }));

    // THEN both ran, on records of their own, and each retry replays its caller's response
    expect(runs.create).toBe(2);
    expect(parse(result.alice).body).toMatchObject({ title: 'Alice task', run: 1 });
    expect(parse(result.bob).body).toMatchObject({ title: 'Bob task', run: 2 });
    expect(written).toHaveLength(2);
    expect(written[0].PK).not.toBe(written[1].PK);
    expect(aliceRetry).toEqual(replayOf(result.alice));
    expect(bobRetry).toEqual(replayOf(result.bob));
  });

  it('scopes keys to the caller: anonymous callers from different addresses do not share records', async () => {
    // GIVEN two anonymous callers (a public route) that happen to choose the same key
    // (AnonymousPrincipal: "rate limits and idempotency fall back to the source IP address")
    const { handler, runs } = makeHandler();
    const key = newKey();
    const first = parse(await handler(eventOf({ key, sub: null, sourceIp: '203.0.113.1' })));

    // WHEN the second sends the same request from another address
    const second = parse(await handler(eventOf({ key, sub: null, sourceIp: '198.51.100.2' })));

    // THEN it runs for itself instead of receiving the first caller's response
    expect(first.statusCode).toBe(201);
    expect(second.headers[IDEMPOTENT_REPLAY_HEADER]).toBeUndefined();
    expect(second.body).toMatchObject({ run: 2 });
    expect(runs.create).toBe(2);
  });

  // Authorizers that let a caller in without saying who: every such caller reads as id "unknown".
  const jwtWithoutSubject = (user: string) => ({
    principalId: '',
    integrationLatency: 0,
    jwt: { claims: { iss: 'https://issuer.example.com', email: `${user}@example.com` }, scopes: null },
  });
  const lambdaWithoutPrincipalId = (user: string) => ({ lambda: { tenant: 'acme', user } });

  it.each([
    ['a JWT without sub', jwtWithoutSubject],
    ['a Lambda authorizer context without principalId', lambdaWithoutPrincipalId],
  ])('never replays one unidentified caller the response of another (%s)', async (_, authorizerOf) => {
    // GIVEN two different callers the authorizer let in without an id, who happen to send the same key and body
    const { handler, runs } = makeHandler();
    const key = newKey();
    const body = { title: 'Same task' };

    // WHEN caller A sends the request, then caller B sends it
    const { result, written } = await recordsWrittenBy(async () => ({
      a: parse(await handler(eventOf({ key, body, authorizer: authorizerOf('alice') }))),
      b: parse(await handler(eventOf({ key, body, authorizer: authorizerOf('bob') }))),
    }));

    // THEN B is never answered with A's stored response: the key is refused with 400 naming the header, as
    // nothing in the request identifies the caller to scope it by; no record is shared because none is written
    expect(result.b.headers[IDEMPOTENT_REPLAY_HEADER]).toBeUndefined();
    expect(result.b.body).not.toEqual(result.a.body);
    for (const response of [result.a, result.b]) {
      expect(response.statusCode).toBe(400);
      expect(response.headers[IDEMPOTENT_REPLAY_HEADER]).toBeUndefined();
      expect(response.body.detail).toBe(
        'this route keeps idempotency keys per caller, and the authorizer did not identify this one (a JWT without `sub`, a Lambda authorizer without `principalId`): send `idempotency-key` as an identified caller, or send no `idempotency-key`',
      );
      expect(response.body.errors).toEqual([{ field: 'idempotency-key', message: 'needs an identified caller' }]);
    }
    expect(runs.create).toBe(0);
    expect(written).toHaveLength(0);

    // AND without a key each request runs on its own
    expect(parse(await handler(eventOf({ body, authorizer: authorizerOf('alice') }))).body).toMatchObject({ run: 1 });
    expect(parse(await handler(eventOf({ body, authorizer: authorizerOf('bob') }))).body).toMatchObject({ run: 2 });
  });

  it('does not offer "send no key" to an unidentified caller when keys are required', async () => {
    const { handler, runs } = makeHandler({ required: true });
    const result = parse(await handler(eventOf({ key: newKey(), authorizer: jwtWithoutSubject('carol') })));
    expect(result.statusCode).toBe(400);
    expect(result.body.detail).toBe(
      'this route keeps idempotency keys per caller, and the authorizer did not identify this one (a JWT without `sub`, a Lambda authorizer without `principalId`): send `idempotency-key` as an identified caller',
    );
    expect(runs.create).toBe(0);
  });

  it('gives every key a partition of its own (no hot partition)', async () => {
    const { handler } = makeHandler();
    const keys = Array.from({ length: 5 }, newKey);
    const { written } = await recordsWrittenBy(async () => {
      for (const key of keys) await handler(eventOf({ key }));
    });
    expect(written).toHaveLength(5);
    expect(new Set(written.map((record) => record.PK)).size).toBe(5);
    expect(written.every((record) => record.SK === 'RECORD')).toBe(true);
  });

  it('answers 409 with retry-after while a record is in progress under a live lock', async () => {
    // GIVEN a record left in progress, its lock 30 s ahead (as while the first request still runs)
    const { handler, runs } = makeHandler();
    const key = newKey();
    const { written } = await recordsWrittenBy(() => handler(eventOf({ key })));
    const { response: _response, ...record } = written[0];
    await rt.local.put({ ...record, status: 'IN_PROGRESS', lockExpiresAtMs: Date.now() + 30_000 });

    // WHEN the request is retried
    const retry = parse(await handler(eventOf({ key })));

    // THEN it is told to wait, at most 5 s, and the route does not run
    expect(retry.statusCode).toBe(409);
    expect(retry.headers).toEqual({ 'retry-after': '5', 'content-type': 'application/problem+json' });
    expect(retry.body).toMatchObject({
      title: 'Conflict',
      status: 409,
      retryAfterSeconds: 5,
      detail: 'a request with this idempotency key is still in progress; retry after the time in Retry-After',
    });
    expect(runs.create).toBe(1);

    // AND with the lock 2.5 s ahead it is told to wait 3 s
    await rt.local.put({ ...record, status: 'IN_PROGRESS', lockExpiresAtMs: Date.now() + 2_500 });
    expect((await handler(eventOf({ key }))).headers['retry-after']).toBe('3');
  });

  it('answers 422 rather than 409 when an in-progress record is of another request', async () => {
    const { handler } = makeHandler();
    const key = newKey();
    const { written } = await recordsWrittenBy(() => handler(eventOf({ key })));
    await rt.local.put({ ...written[0], status: 'IN_PROGRESS', lockExpiresAtMs: Date.now() + 30_000 });
    expect((await handler(eventOf({ key, body: { title: 'other' } }))).statusCode).toBe(422);
  });

  it('takes over a record whose lock expired (its request died) and runs again', async () => {
    const { handler, runs } = makeHandler();
    const key = newKey();
    const { written } = await recordsWrittenBy(() => handler(eventOf({ key })));
    const { response: _response, ...record } = written[0];
    await rt.local.put({ ...record, status: 'IN_PROGRESS', lockExpiresAtMs: Date.now() - 1 });

    const retry = parse(await handler(eventOf({ key })));

    expect(retry.statusCode).toBe(201);
    expect(retry.body.run).toBe(2);
    expect(runs.create).toBe(2);
  });

  it('runs again once the record has expired, though TTL has not deleted it yet', async () => {
    const { handler, runs } = makeHandler();
    const key = newKey();
    const { written } = await recordsWrittenBy(() => handler(eventOf({ key })));
    await rt.local.put({ ...written[0], expiresAt: epochSeconds() - 1 });

    const retry = await handler(eventOf({ key }));

    expect(retry.statusCode).toBe(201);
    expect(retry.headers[IDEMPOTENT_REPLAY_HEADER]).toBeUndefined();
    expect(runs.create).toBe(2);
  });

  it('holds a concurrent duplicate off with 409 while the first runs, then replays', async () => {
    // GIVEN a route that waits for a gate, and a request in flight holding its claim
    const hold = gate();
    const { handler, runs } = makeHandler({}, async (input, run) => {
      await hold.promise;
      return createTask(input, run);
    });
    const key = newKey();
    const existing = new Set((await records()).map((record) => record.PK));
    const inFlight = handler(eventOf({ key }));
    await until(async () => (await records()).some((record) => !existing.has(record.PK)));

    // WHEN a duplicate arrives meanwhile
    const duplicate = parse(await handler(eventOf({ key })));

    // THEN it is told to retry in 1 to 5 s
    expect(duplicate.statusCode).toBe(409);
    expect(Number(duplicate.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(duplicate.headers['retry-after'])).toBeLessThanOrEqual(5);

    // AND once the first completes, a retry replays its response
    hold.open();
    const first = await inFlight;
    expect(first.statusCode).toBe(201);
    expect(await handler(eventOf({ key }))).toEqual(replayOf(first));
    expect(runs.create).toBe(1);
  });

  it('lets exactly one of many concurrent identical requests run', async () => {
    // GIVEN a route that waits for a gate
    const hold = gate();
    const { handler, runs } = makeHandler({}, async (input, run) => {
      await hold.promise;
      return createTask(input, run);
    });
    const key = newKey();
    const existing = new Set((await records()).map((record) => record.PK));

    // WHEN eight identical requests arrive at once, and the gate opens once all but the one holding it answered
    let answered = 0;
    const pending = Array.from({ length: 8 }, () =>
      handler(eventOf({ key })).then((result) => {
        answered++;
        return result;
      }),
    );
    await until(async () => (await records()).some((record) => !existing.has(record.PK)));
    await until(async () => answered === 7);
    hold.open();

    // THEN one ran and seven were told to retry
    const statuses = (await Promise.all(pending)).map((result) => result.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(runs.create).toBe(1);
  });

  it('releases the claim when the route throws (500), so a retry runs again', async () => {
    // GIVEN a route that fails on its first run only
    const { handler, runs } = makeHandler({}, async (input, run) => {
      if (run === 1) throw new Error('database exploded');
      return createTask(input, run);
    });
    const key = newKey();

    // WHEN the request fails, then is retried
    const { result: failed, written } = await recordsWrittenBy(() => handler(eventOf({ key })));
    expect(failed.statusCode).toBe(500);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ status: 'IN_PROGRESS', lockExpiresAtMs: 0 });
    expect(written[0].response).toBeUndefined();
    const retried = parse(await handler(eventOf({ key })));

    // THEN the retry ran the route again and succeeded, and is the one replayed from then on
    expect(runs.create).toBe(2);
    expect(retried.statusCode).toBe(201);
    expect(retried.body.run).toBe(2);
    const replay = await handler(eventOf({ key }));
    expect(parse(replay).body.run).toBe(2);
    expect(replay.headers[IDEMPOTENT_REPLAY_HEADER]).toBe('true');
  });

  it('releases the claim on a transient database error (503)', async () => {
    const { handler, runs } = makeHandler({}, async (input, run) => {
      if (run === 1) throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
      return createTask(input, run);
    });
    const key = newKey();
    expect((await handler(eventOf({ key }))).statusCode).toBe(503);
    expect((await handler(eventOf({ key }))).statusCode).toBe(201);
    expect(runs.create).toBe(2);
  });

  it.each([
    [
      'a thrown HttpError 404',
      async () => {
        throw new HttpError(404, 'project p-1 does not exist');
      },
      404,
    ],
    ['a returned 400', async () => json(400, { reason: 'bad' }), 400],
    [
      'a thrown 409 conflict',
      async () => {
        throw new HttpError(409, 'already done', { extensions: { currentState: { status: 'DONE' } } });
      },
      409,
    ],
  ])('replays a 4xx outcome (%s)', async (_, behaviour, status) => {
    const { handler, runs } = makeHandler({}, behaviour as Behaviour);
    const key = newKey();
    const first = await handler(eventOf({ key }));
    const second = await handler(eventOf({ key }));
    expect(first.statusCode).toBe(status);
    expect(second).toEqual(replayOf(first));
    expect(runs.create).toBe(1);
  });

  it('replays a 204 without a body', async () => {
    const { handler, runs } = makeHandler({}, async () => ({ status: 204 }));
    const key = newKey();
    const first = await handler(eventOf({ key }));
    const second = await handler(eventOf({ key }));
    expect(first).toEqual({ statusCode: 204, headers: {}, body: '' });
    expect(second).toEqual(replayOf(first));
    expect(runs.create).toBe(1);
  });

  it.each([408, 429])('does not replay a %d (a passing condition)', async (status) => {
    const { handler, runs } = makeHandler({}, async () => json(status, { retry: true }, { 'Retry-After': '1' }));
    const key = newKey();
    expect((await handler(eventOf({ key }))).statusCode).toBe(status);
    const second = await handler(eventOf({ key }));
    expect(second.statusCode).toBe(status);
    expect(second.headers[IDEMPOTENT_REPLAY_HEADER]).toBeUndefined();
    expect(runs.create).toBe(2);
  });

  it('does not store a response too large to replay, and runs a retry again', async () => {
    const big = 'x'.repeat(360 * 1024);
    const { handler, runs } = makeHandler({}, async (_, run) => json(200, { big, run }));
    const key = newKey();
    const { written } = await recordsWrittenBy(() => handler(eventOf({ key })));
    expect(written[0]).toMatchObject({ status: 'IN_PROGRESS', lockExpiresAtMs: 0 });
    expect(parse(await handler(eventOf({ key }))).body.run).toBe(2);
    expect(runs.create).toBe(2);
  });

  it('claims nothing for a request that fails validation, so a corrected one with the key runs', async () => {
    const { handler, runs } = makeHandler();
    const key = newKey();
    const { result: invalid, written } = await recordsWrittenBy(() => handler(eventOf({ key, body: { title: '' } })));
    expect(invalid.statusCode).toBe(400);
    expect(written).toHaveLength(0);
    expect((await handler(eventOf({ key }))).statusCode).toBe(201);
    expect(runs.create).toBe(1);
  });

  it('works the same for a REST API event, its header in any case', async () => {
    const { handler, runs } = makeHandler();
    const key = newKey();
    const event = () =>
      restApiEvent(CREATE, {
        pathParameters: { projectId: 'p-9' },
        body: { title: 'REST' },
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        authorizer: { claims: { sub: 'rest-user' } },
      });
    const first = await handler(event());
    const second = await handler(event());
    expect(first.statusCode).toBe(201);
    expect(second).toEqual(replayOf(first));
    expect(runs.create).toBe(1);
  });
});

describe('idempotency metrics', () => {
  it('counts replays and requests held off while in progress', async () => {
    // GIVEN a handler counting metrics, and a completed request
    const metrics = new RecordingMetrics();
    const { handler } = makeHandler({}, createTask, metrics);
    const key = newKey();
    const { written } = await recordsWrittenBy(() => handler(eventOf({ key })));
    expect(metrics.names()).toEqual([]);

    // WHEN it is replayed, then retried while its record is in progress
    await handler(eventOf({ key }));
    await rt.local.put({
      ...written[0],
      status: 'IN_PROGRESS',
      lockExpiresAtMs: Date.now() + 30_000,
      response: undefined,
    });
    await handler(eventOf({ key }));

    // THEN both are counted
    expect(metrics.names()).toEqual(['IdempotentReplay', 'IdempotencyInProgress']);
  });

  it('counts the replay of a stored 409 as a replay', async () => {
    // GIVEN a request whose outcome was a 409 conflict, stored for replay
    const metrics = new RecordingMetrics();
    const { handler } = makeHandler(
      {},
      async () => {
        throw new HttpError(409, 'already done');
      },
      metrics,
    );
    const key = newKey();
    await handler(eventOf({ key }));

    // WHEN it is replayed
    const replay = await handler(eventOf({ key }));

    // THEN the replay is counted like any other
    expect(replay.headers[IDEMPOTENT_REPLAY_HEADER]).toBe('true');
    expect(metrics.names()).toEqual(['IdempotentReplay']);
  });
});

describe('idempotency keys', () => {
  it('runs requests without a key every time when keys are optional, storing nothing', async () => {
    const { handler, runs } = makeHandler();
    const { written } = await recordsWrittenBy(async () => {
      expect((await handler(eventOf({}))).statusCode).toBe(201);
      expect((await handler(eventOf({}))).statusCode).toBe(201);
    });
    expect(runs.create).toBe(2);
    expect(written).toHaveLength(0);
  });

  it('refuses a request without a key with 400 when keys are required', async () => {
    const { handler, runs } = makeHandler({ required: true });
    const result = parse(await handler(eventOf({})));
    expect(result.statusCode).toBe(400);
    expect(result.body.detail).toBe(
      'this request needs an `idempotency-key` header: a unique value per operation, reused on retries',
    );
    expect(runs.create).toBe(0);
    expect((await handler(eventOf({ key: '' }))).statusCode).toBe(400);
  });

  it.each([
    ['an empty', ''],
    ['a blank', '   '],
  ])('refuses %s key with 400 naming the header instead of running without idempotency', async (_, key) => {
    // GIVEN optional keys: only an absent header means "no idempotency" (draft-ietf-httpapi-idempotency-key-header,
    // https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/: a client opts in by sending the
    // field, so a field sent with no key is a malformed key, not an opt-out)
    const { handler, runs } = makeHandler();

    // WHEN the header is sent with no visible characters, twice
    const { result, written } = await recordsWrittenBy(async () => [
      parse(await handler(eventOf({ key }))),
      parse(await handler(eventOf({ key }))),
    ]);

    // THEN both are refused with the header named, and the route never ran (a retry cannot run it twice)
    for (const response of result) {
      expect(response.statusCode).toBe(400);
      expect(response.body.detail).toBe(
        `\`idempotency-key\` must be 1 to 255 visible ASCII characters, got ${key.length} characters`,
      );
      expect(response.body.errors).toEqual([
        { field: 'idempotency-key', message: '1 to 255 visible ASCII characters' },
      ]);
    }
    expect(runs.create).toBe(0);
    expect(written).toHaveLength(0);
  });

  it(`accepts a key of ${MAX_IDEMPOTENCY_KEY_LENGTH} characters and refuses a longer one with 400`, async () => {
    const { handler, runs } = makeHandler();
    const longest = `${newKey()}-`.padEnd(MAX_IDEMPOTENCY_KEY_LENGTH, 'k');
    expect((await handler(eventOf({ key: longest }))).statusCode).toBe(201);

    const result = parse(await handler(eventOf({ key: `${longest}k` })));
    expect(result.statusCode).toBe(400);
    expect(result.body.detail).toBe('`idempotency-key` must be 1 to 255 visible ASCII characters, got 256 characters');
    expect(result.body.errors).toEqual([{ field: 'idempotency-key', message: '1 to 255 visible ASCII characters' }]);
    expect(runs.create).toBe(1);
  });

  it.each([
    ['a space', 'key with space'],
    ['a non-ASCII letter', 'ключ'],
    ['a control character', 'key\u0007'],
  ])('refuses a key with %s with 400', async (_, key) => {
    const { handler, runs } = makeHandler();
    expect((await handler(eventOf({ key }))).statusCode).toBe(400);
    expect(runs.create).toBe(0);
  });

  it('reads the key from another header when configured', async () => {
    const { handler, runs } = makeHandler({ header: 'X-Request-Id', required: true });
    const key = newKey();
    const first = await handler(eventOf({ headers: { 'x-request-id': key } }));
    const second = await handler(eventOf({ headers: { 'x-request-id': key } }));
    expect(second).toEqual(replayOf(first));
    expect(runs.create).toBe(1);
    expect(parse(await handler(eventOf({ key }))).body.detail).toContain('`x-request-id`');
  });

  it('takes the key from keyOf when given (e.g. a delivery id in the body)', async () => {
    const { handler, runs } = makeHandler({ keyOf: (_, body) => (body as { note?: string }).note });
    const note = newKey();
    const first = await handler(eventOf({ body: { title: 'a', note } }));
    const second = await handler(eventOf({ body: { title: 'a', note } }));
    expect(second).toEqual(replayOf(first));
    expect(runs.create).toBe(1);
  });
});

describe('record lifetime and locks', () => {
  it('keeps records for expiresAfterSeconds', async () => {
    const { handler } = makeHandler({ expiresAfterSeconds: 120 });
    const before = epochSeconds();
    const { written } = await recordsWrittenBy(() => handler(eventOf({ key: newKey() })));
    expect(written[0].expiresAt).toBeGreaterThanOrEqual(before + 120);
    expect(written[0].expiresAt).toBeLessThanOrEqual(epochSeconds() + 120);
  });

  it('locks for the remaining time of the invocation plus 5 s while the route runs', async () => {
    // GIVEN a route that reads its own record while it runs
    let during: Record<string, any> | undefined;
    const existing = new Set((await records()).map((record) => record.PK));
    const { handler } = makeHandler({}, async (input, run) => {
      during = (await records()).find((record) => !existing.has(record.PK));
      return createTask(input, run);
    });

    // WHEN it is invoked with 10 s left
    const before = Date.now();
    await handler(eventOf({ key: newKey() }), { getRemainingTimeInMillis: () => 10_000 });

    // THEN its lock ran 15 s from the claim
    expect(during).toMatchObject({ status: 'IN_PROGRESS' });
    expect(during!.lockExpiresAtMs).toBeGreaterThanOrEqual(before + 15_000);
    expect(during!.lockExpiresAtMs).toBeLessThanOrEqual(Date.now() + 15_000);
  });

  it('locks for lockSeconds when configured', async () => {
    let during: Record<string, any> | undefined;
    const existing = new Set((await records()).map((record) => record.PK));
    const { handler } = makeHandler({ lockSeconds: 7 }, async (input, run) => {
      during = (await records()).find((record) => !existing.has(record.PK));
      return createTask(input, run);
    });
    const before = Date.now();
    await handler(eventOf({ key: newKey() }), { getRemainingTimeInMillis: () => 600_000 });
    expect(during).toMatchObject({ status: 'IN_PROGRESS' });
    expect(during!.lockExpiresAtMs).toBeGreaterThanOrEqual(before + 7_000);
    expect(during!.lockExpiresAtMs).toBeLessThanOrEqual(Date.now() + 7_000);
  });
});

describe("locks and expiry by the table's clock", () => {
  it('holds a duplicate off until the lock expires by the clock, then lets it run again', async () => {
    // GIVEN a table at a fixed time, and a first request that claims its key and never finishes
    const clock = new TestClock();
    const hold = gate();
    const { handler, runs } = makeHandler(
      { lockSeconds: 30 },
      async (input, run) => {
        if (run === 1) await hold.promise;
        return createTask(input, run);
      },
      undefined,
      rt.withClock(clock.now),
    );
    const key = newKey();
    const existing = new Set((await records()).map((record) => record.PK));
    const first = handler(eventOf({ key }));
    await until(async () => (await records()).some((record) => !existing.has(record.PK)));

    // WHEN a duplicate arrives as time passes
    const atStart = parse(await handler(eventOf({ key })));
    clock.advance(28_500);
    const late = parse(await handler(eventOf({ key })));
    clock.advance(1_499);
    const lastMoment = parse(await handler(eventOf({ key })));
    clock.advance(2);
    const takeOver = await handler(eventOf({ key }));
    const afterLock = parse(takeOver);

    // THEN it waits at most 5 s while the lock holds, and runs once the lock has expired
    expect([atStart, late, lastMoment].map((r) => [r.statusCode, r.headers['retry-after']])).toEqual([
      [409, '5'],
      [409, '2'],
      [409, '1'],
    ]);
    expect(afterLock.statusCode).toBe(201);
    expect(afterLock.body.run).toBe(2);

    // AND the first request, finishing late, does not overwrite the record of the one that took over
    hold.open();
    expect((await first).statusCode).toBe(201);
    expect(await handler(eventOf({ key }))).toEqual(replayOf(takeOver));
    expect(runs.create).toBe(2);
  });

  it('replays a completed response until the record expires by the clock, then runs again', async () => {
    const clock = new TestClock();
    const { handler, runs } = makeHandler({ expiresAfterSeconds: 120 }, createTask, undefined, rt.withClock(clock.now));
    const key = newKey();
    const { result: first, written } = await recordsWrittenBy(() => handler(eventOf({ key })));
    expect(written[0].expiresAt).toBe(clock.epochSeconds() + 120);

    clock.advance(119_999);
    expect(await handler(eventOf({ key }))).toEqual(replayOf(first));
    clock.advance(1);
    const again = await handler(eventOf({ key }));

    expect(again.statusCode).toBe(201);
    expect(again.headers[IDEMPOTENT_REPLAY_HEADER]).toBeUndefined();
    expect(runs.create).toBe(2);
  });
});

describe('Idempotency construction', () => {
  it('refuses a function without the put pattern', () => {
    const table = rt.withPatterns({ getTask: PATTERNS.getTask });
    expect(() => new Idempotency(table)).toThrow(
      'idempotency needs a PutItem access pattern named "putIdempotencyRecord" whose key shapes use {key} only',
    );
  });

  it.each([
    [
      'not a PutItem',
      { operation: 'UpdateItem', partitionKey: ['PK', 'IDEMPOTENCY#{key}'], sortKey: ['SK', 'RECORD'] },
    ],
    ['without {key}', { operation: 'PutItem', partitionKey: ['PK', 'IDEMPOTENCY'], sortKey: ['SK', 'RECORD'] }],
    [
      'with another parameter',
      { operation: 'PutItem', partitionKey: ['PK', 'IDEMPOTENCY#{key}'], sortKey: ['SK', 'R#{route}'] },
    ],
  ])('refuses a put pattern %s', (_, descriptor) => {
    const table = rt.withPatterns({ putIdempotencyRecord: descriptor as any });
    expect(() => new Idempotency(table)).toThrow(
      'idempotency needs a PutItem access pattern named "putIdempotencyRecord"',
    );
  });

  it.each([
    ['not a GetItem', { ...PATTERNS.getIdempotencyRecord, operation: 'Query' }],
    ['with other key shapes', { operation: 'GetItem', partitionKey: ['PK', 'IDEM#{key}'], sortKey: ['SK', 'RECORD'] }],
  ])('refuses a get pattern %s', (_, descriptor) => {
    const table = rt.withPatterns({
      putIdempotencyRecord: PATTERNS.putIdempotencyRecord,
      getIdempotencyRecord: descriptor as any,
    });
    expect(() => new Idempotency(table)).toThrow(
      'access pattern "getIdempotencyRecord" must be a GetItem with the same key shapes as "putIdempotencyRecord"',
    );
  });

  it('uses named patterns when given', () => {
    const table = rt.withPatterns({
      putDelivery: PATTERNS.putIdempotencyRecord,
      getDelivery: PATTERNS.getIdempotencyRecord,
    });
    expect(() => new Idempotency(table, { putPattern: 'putDelivery', getPattern: 'getDelivery' })).not.toThrow();
    expect(() => new Idempotency(table)).toThrow('named "putIdempotencyRecord"');
  });

  it.each([59, 0, NaN])('refuses expiresAfterSeconds %s', (expiresAfterSeconds) => {
    expect(() => new Idempotency(rt.table, { expiresAfterSeconds })).toThrow(
      `idempotency.expiresAfterSeconds must be at least 60, got: ${expiresAfterSeconds}`,
    );
  });

  it('classifies replayable statuses', () => {
    expect([200, 201, 204, 400, 404, 409, 422].every(isReplayable)).toBe(true);
    expect([408, 429, 500, 502, 503].some(isReplayable)).toBe(false);
  });
});
