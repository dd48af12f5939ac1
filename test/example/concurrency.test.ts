import { createHmac, randomUUID } from 'crypto';
import {
  httpEvent,
  invoke,
  loadHandler,
  PROBLEM_JSON,
  problemBody,
  startExampleSecrets,
  startExampleTable,
  type ExampleSecrets,
  type ExampleHandler,
  type ParsedResult,
} from './task-board';
import { WEBHOOK_SIGNATURE_HEADER } from '../../integ/task-board/handlers/lib/webhook-signature';
import { TEST_EPOCH_MS, TestClock } from '../helpers/clock';
import type { LocalTable } from '../helpers/local-dynamodb';

/**
 * Many requests at once against the real handlers and one table: the guarantees that only hold if every
 * check-then-write is a single conditional write. Requests are spread over several copies of each handler, as
 * Lambda spreads them over several instances.
 *
 * In process rather than through the local API: the copies are given patient timeouts (below) and the rate-limit
 * burst a clock of the test's (`Table.fromEnvironment()` options, which a test can only inject into a handler
 * loaded in its own process); and the bursts are larger than the stage's throttle lets through at once (a burst of
 * 200, 40 on the webhook route), which the local API enforces as API Gateway does.
 */

const CREATE = 'POST /projects/{projectId}/tasks';
const LIST = 'GET /projects/{projectId}/tasks';
const COMPLETE = 'POST /projects/{projectId}/tasks/{taskId}/complete';
const WEBHOOK = 'POST /webhooks/{provider}';
const SECRET = 'concurrency-signing-secret';
const IN_PROGRESS = 'a request with this idempotency key is still in progress; retry after the time in Retry-After';
const INSTANCES = 4;

let table: LocalTable;
/**
 * These tests count exact outcomes of hundreds of simultaneous requests against one single-threaded local server.
 * On a loaded machine an answer can outlast the toolkit's 1 s / 3 s timeouts; the SDK then retries, and a retried
 * rate-limit increment counts twice (the limiter errs towards refusing, never towards an extra admission). The
 * copies here wait as long as the server takes, so what is counted is the toolkit's logic, not the machine's load.
 */
const PATIENT = { connectionTimeoutMs: 30_000, requestTimeoutMs: 60_000 };

/** The clock of the tasks copies: the system's, except where a test sets the time. */
const clock = TestClock.systemUntilSet();
let tasks: ExampleHandler[];
let webhooks: ExampleHandler[];
let secrets: ExampleSecrets;

beforeAll(async () => {
  table = await startExampleTable();
  secrets = await startExampleSecrets(SECRET);
  tasks = Array.from({ length: INSTANCES }, () => loadHandler('tasks', {}, { clock: clock.now, timeouts: PATIENT }));
  webhooks = Array.from({ length: INSTANCES }, () =>
    loadHandler('webhooks', secrets.environment, { timeouts: PATIENT }),
  );
  await warmUp();
}, 60_000); // synthesizes the example stack and loads handlers: slow on a busy machine

afterAll(async () => {
  await table.close();
  await secrets?.close();
});

/** Fires `count` requests at once, request `i` to instance `i % INSTANCES`. */
function all(count: number, request: (instance: number, i: number) => Promise<ParsedResult>) {
  return Promise.all(Array.from({ length: count }, (_, i) => request(i % INSTANCES, i)));
}

/**
 * Opens each handler copy's connections (the SDK keeps up to 50 per client) and warms the local server, so a burst
 * measures the handlers' writes, not this process accepting hundreds of first connections at once. The
 * requests come from a caller of their own, in a project no test reads; their answers do not matter.
 */
async function warmUp() {
  for (const instance of tasks) {
    await Promise.all(
      Array.from({ length: 50 }, () =>
        invoke(instance, httpEvent(LIST, { pathParameters: { projectId: 'warm-up' }, sub: 'warm-up' })),
      ),
    );
  }
  for (const instance of webhooks) {
    await Promise.all(
      Array.from({ length: 50 }, () =>
        deliver(instance, 'warm-up', JSON.stringify({ id: randomUUID(), type: 'ping' })),
      ),
    );
  }
}

/** A delivery to `provider`, signed with the secret the webhook copies were given. */
function deliver(instance: ExampleHandler, provider: string, body: string) {
  const signature = createHmac('sha256', SECRET).update(body).digest('hex');
  return invoke(
    instance,
    httpEvent(WEBHOOK, { pathParameters: { provider }, headers: { [WEBHOOK_SIGNATURE_HEADER]: signature }, body }),
  );
}

function countBy<T>(values: T[], key: (value: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[key(value)] = (counts[key(value)] ?? 0) + 1;
  return counts;
}

async function itemsWithPrefix(prefix: string) {
  return (await table.items()).filter((item) => String(item.PK).startsWith(prefix));
}

/** A 409 telling the client that the first request with its key is still running, and when to retry. */
function expectInProgress(result: ParsedResult) {
  expect(result.statusCode).toBe(409);
  expect(result.headers['content-type']).toBe(PROBLEM_JSON);
  const retryAfter = Number(result.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(result.body).toEqual(problemBody(409, IN_PROGRESS, { retryAfterSeconds: retryAfter }));
}

describe('task creates', () => {
  test('100 simultaneous creates with one Idempotency-Key run once; every answer is the first one or "in progress"', async () => {
    // GIVEN one request, to be sent 100 times at once with the same key, as a client's retries might be
    const sub = 'burst-idempotent';
    const body = JSON.stringify({ taskId: 'once', title: 'Created once' });
    const recordsBefore = await itemsWithPrefix('IDEMPOTENCY#tasks#');
    const send = (instance: number) =>
      invoke(
        tasks[instance],
        httpEvent(CREATE, {
          pathParameters: { projectId: 'race-idem' },
          headers: { 'idempotency-key': 'burst-key' },
          body,
          sub,
        }),
      );

    // WHEN they all arrive at once
    const results = await all(100, send);

    // THEN exactly one ran: it answered 201, without the replay header
    const firsts = results.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined);
    expect(firsts).toHaveLength(1);
    const first = firsts[0];
    expect(first.body).toEqual(
      expect.objectContaining({ taskId: 'once', title: 'Created once', etag: '"1"', createdBy: sub }),
    );

    // AND every other one got that answer replayed, or was told to retry once it is done
    for (const result of results) {
      if (result === first) continue;
      if (result.statusCode === 201) {
        expect(result.body).toEqual(first.body);
        expect(result.headers['idempotent-replayed']).toBe('true');
        expect(result.headers.location).toBe(first.headers.location);
      } else {
        expectInProgress(result);
      }
    }

    // AND the side effect happened once: one task, one idempotency record holding the answer
    const stored = await itemsWithPrefix('PROJECT#race-idem');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ createdAt: first.body.createdAt, version: 1 });
    const records = await itemsWithPrefix('IDEMPOTENCY#tasks#');
    expect(records).toHaveLength(recordsBefore.length + 1);
    const record = records.find((item) => !recordsBefore.some((old) => old.PK === item.PK))!;
    expect(record).toMatchObject({
      status: 'COMPLETED',
      response: { statusCode: 201, body: JSON.stringify(first.body) },
    });

    // WHEN, all settled, the client retries 100 more times, one after another
    const retries: ParsedResult[] = [];
    for (let i = 0; i < 100; i++) retries.push(await send(i % INSTANCES));

    // THEN every retry gets the identical first answer, replayed, and still nothing more is written
    expect(countBy(retries, (r) => `${r.statusCode} ${r.headers['idempotent-replayed']}`)).toEqual({ '201 true': 100 });
    for (const retry of retries) expect(retry.body).toEqual(first.body);
    expect(await itemsWithPrefix('PROJECT#race-idem')).toEqual(stored);
    expect(await itemsWithPrefix('IDEMPOTENCY#tasks#')).toHaveLength(recordsBefore.length + 1);
  }, 60_000);

  test('100 simultaneous creates of one task id without a key: exactly one 201 and 99 409s', async () => {
    // GIVEN 100 distinct requests (distinct request ids and titles) for the same task id, without a key
    const sub = 'burst-plain';
    const recordsBefore = await itemsWithPrefix('IDEMPOTENCY#tasks#');

    // WHEN they all arrive at once
    const results = await all(100, (instance, i) =>
      invoke(
        tasks[instance],
        httpEvent(CREATE, {
          pathParameters: { projectId: 'race-plain' },
          body: JSON.stringify({ taskId: 'contested', title: `Attempt ${i}` }),
          sub,
        }),
      ),
    );

    // THEN exactly one wins; the others conflict and say so
    expect(countBy(results, (r) => `${r.statusCode}`)).toEqual({ 201: 1, 409: 99 });
    for (const result of results.filter((r) => r.statusCode === 409)) {
      expect(result.headers['content-type']).toBe(PROBLEM_JSON);
      expect(result.headers).not.toHaveProperty('retry-after');
      expect(result.body).toEqual(
        problemBody(409, 'the item with projectId "race-plain", taskId "contested" already exists'),
      );
    }
    expect(new Set(results.map((r) => r.body.requestId)).size).toBe(100);

    // AND one task is stored, the winner's
    const winner = results.find((r) => r.statusCode === 201)!;
    const stored = await itemsWithPrefix('PROJECT#race-plain');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ title: winner.body.title, createdAt: winner.body.createdAt });
    expect(await itemsWithPrefix('IDEMPOTENCY#tasks#')).toHaveLength(recordsBefore.length);
  }, 60_000);
});

describe('task completion', () => {
  test('50 simultaneous completes of one open task: exactly one 200, 49 412s with the current version', async () => {
    // GIVEN an open task
    const sub = 'burst-complete';
    const created = await invoke(
      tasks[0],
      httpEvent(CREATE, {
        pathParameters: { projectId: 'race-complete' },
        body: JSON.stringify({ taskId: 't', title: 'T' }),
        sub,
      }),
    );
    expect(created.statusCode).toBe(201);

    // WHEN 50 clients complete it at once, each with the version they read
    const results = await all(50, (instance) =>
      invoke(
        tasks[instance],
        httpEvent(COMPLETE, {
          pathParameters: { projectId: 'race-complete', taskId: 't' },
          headers: { 'if-match': '"1"' },
          sub,
        }),
      ),
    );

    // THEN one transition happened; the others are told the task moved on (version first: 412)
    expect(countBy(results, (r) => `${r.statusCode}`)).toEqual({ 200: 1, 412: 49 });
    for (const result of results.filter((r) => r.statusCode === 412)) {
      expect(result.body).toEqual(
        problemBody(
          412,
          'the item with projectId "race-complete", taskId "t" is at version 2, not 1: read it again and retry',
          {
            currentVersion: 2,
          },
        ),
      );
    }
    const stored = await itemsWithPrefix('PROJECT#race-complete');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'DONE', version: 2 });
  }, 60_000);

  test('50 simultaneous completes without If-Match: exactly one 200, 49 409s', async () => {
    const sub = 'burst-complete-plain';
    const created = await invoke(
      tasks[0],
      httpEvent(CREATE, {
        pathParameters: { projectId: 'race-complete-plain' },
        body: JSON.stringify({ taskId: 't', title: 'T' }),
        sub,
      }),
    );
    expect(created.statusCode).toBe(201);

    const results = await all(50, (instance) =>
      invoke(
        tasks[instance],
        httpEvent(COMPLETE, { pathParameters: { projectId: 'race-complete-plain', taskId: 't' }, sub }),
      ),
    );

    expect(countBy(results, (r) => `${r.statusCode}`)).toEqual({ 200: 1, 409: 49 });
    for (const result of results.filter((r) => r.statusCode === 409)) {
      expect(result.body.currentState).toEqual({ status: 'DONE' });
    }
    expect(await itemsWithPrefix('PROJECT#race-complete-plain')).toEqual([
      expect.objectContaining({ status: 'DONE', version: 2 }),
    ]);
  }, 60_000);
});

describe('rate limiting', () => {
  afterEach(() => clock.useSystemTime());

  test('admits exactly the window quota of 300 out of 350 simultaneous requests of one caller', async () => {
    // GIVEN the handlers' clock 10 seconds before the end of a minute, so the burst falls in one window
    await warmUp();
    clock.set(TEST_EPOCH_MS + 50_000);
    const windowStart = TEST_EPOCH_MS / 1000;
    const secondsLeft = 10;
    const sub = 'burst-rate';
    const countersBefore = new Set(
      (await itemsWithPrefix('RATE#tasks#'))
        .filter((item) => item.SK === `WINDOW#${windowStart}`)
        .map((item) => String(item.PK)),
    );

    // WHEN one caller sends 350 list requests at once
    const results = await all(350, (instance) =>
      invoke(tasks[instance], httpEvent(LIST, { pathParameters: { projectId: 'rate' }, sub })),
    );

    // THEN exactly 300 are admitted, each told a distinct number of requests left, down to 0
    expect(countBy(results, (r) => `${r.statusCode}`)).toEqual({ 200: 300, 429: 50 });
    const admitted = results.filter((r) => r.statusCode === 200);
    const remaining = admitted.map((r) => Number(r.headers['ratelimit-remaining'])).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 300 }, (_, i) => i));
    for (const result of admitted) {
      expect(result.headers['ratelimit-limit']).toBe('300');
      expect(result.headers['ratelimit-reset']).toBe(`${secondsLeft}`);
    }

    // AND the other 50 are refused until the window ends
    for (const result of results.filter((r) => r.statusCode === 429)) {
      expect(result.headers['retry-after']).toBe(`${secondsLeft}`);
      expect(result.headers['content-type']).toBe(PROBLEM_JSON);
      expect(result.body).toEqual(
        problemBody(429, 'rate limit of 300 requests per 60 seconds reached; retry after the time in Retry-After', {
          retryAfterSeconds: secondsLeft,
        }),
      );
    }

    // AND the caller's counter for the window (the one counter this burst created) stopped at the limit
    const counters = (await itemsWithPrefix('RATE#tasks#')).filter(
      (item) => item.SK === `WINDOW#${windowStart}` && !countersBefore.has(String(item.PK)),
    );
    expect(counters.map((item) => item.requestCount)).toEqual([300]);

    // AND another caller, in the same window, is admitted with its own full quota
    const other = await invoke(
      tasks[0],
      httpEvent(LIST, { pathParameters: { projectId: 'rate' }, sub: 'burst-rate-other' }),
    );
    expect(other.statusCode).toBe(200);
    expect(other.headers['ratelimit-remaining']).toBe('299');

    // AND the first caller is still refused
    const again = await invoke(tasks[1], httpEvent(LIST, { pathParameters: { projectId: 'rate' }, sub }));
    expect(again.statusCode).toBe(429);

    // AND it is admitted again, with a fresh quota, once the clock enters the next minute
    clock.advance(secondsLeft * 1000);
    const nextWindow = await invoke(tasks[2], httpEvent(LIST, { pathParameters: { projectId: 'rate' }, sub }));
    expect(nextWindow.statusCode).toBe(200);
    expect(nextWindow.headers['ratelimit-remaining']).toBe('299');
  }, 60_000);
});

describe('webhook deliveries', () => {
  test('100 simultaneous deliveries of one signed event record it once; each answer is 202 or "in progress"', async () => {
    // GIVEN one signed event, delivered 100 times at once (a provider retrying while the first is in flight)
    const body = JSON.stringify({ id: 'evt_burst', type: 'invoice.paid' });
    const recordsBefore = await itemsWithPrefix('IDEMPOTENCY#webhooks#');
    const send = (instance: number) => deliver(webhooks[instance], 'stripe', body);

    // WHEN they all arrive at once
    const results = await all(100, send);

    // THEN one was processed (202 without the replay header); the others were replayed or told to retry
    const firsts = results.filter((r) => r.statusCode === 202 && r.headers['idempotent-replayed'] === undefined);
    expect(firsts).toHaveLength(1);
    expect(firsts[0].body).toEqual({ status: 'accepted' });
    for (const result of results) {
      if (result === firsts[0]) continue;
      if (result.statusCode === 202) {
        expect(result.headers['idempotent-replayed']).toBe('true');
        expect(result.body).toEqual({ status: 'accepted' });
      } else {
        expectInProgress(result);
      }
    }

    // AND the event is recorded once, under one delivery record
    expect(await itemsWithPrefix('WEBHOOK#stripe')).toEqual([
      expect.objectContaining({ SK: 'EVENT#evt_burst', type: 'invoice.paid', version: 1 }),
    ]);
    const records = await itemsWithPrefix('IDEMPOTENCY#webhooks#');
    expect(records).toHaveLength(recordsBefore.length + 1);

    // AND a later repeat is replayed
    const repeat = await send(0);
    expect(repeat.statusCode).toBe(202);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
  }, 60_000);
});
