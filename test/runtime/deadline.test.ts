import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { httpApiEvent, parse, PATTERNS, quietLogger, within, type ParsedResult } from './util';
import { DEADLINE_MARGIN_MS, sendOptions, withDeadline } from '../../src/runtime/deadline';
import { apiHandler, route, type ApiHandler } from '../../src/runtime/handler';
import { ok } from '../../src/runtime/response';
import { Table } from '../../src/runtime/table';

const GET = 'GET /projects/{projectId}/tasks/{taskId}';
const LIST = 'GET /projects/{projectId}/tasks';
const REMAINING_MS = 1_500;

/** A Lambda context with `remainingMs` left when the invocation starts. */
function contextWith(remainingMs: number) {
  const end = Date.now() + remainingMs;
  return { awsRequestId: 'deadline-test', getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
}

describe('the invocation deadline', () => {
  let stalled: Server;
  let saved: NodeJS.ProcessEnv;
  let table: Table;
  const pending: Promise<unknown>[] = [];

  beforeEach(async () => {
    // A server that accepts connections and requests and never answers them.
    stalled = createServer(() => undefined);
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    saved = { ...process.env };
    Object.assign(process.env, {
      TABLE_NAME: 't',
      TABLE_PARTITION_KEY: 'PK',
      TABLE_SORT_KEY: 'SK',
      TABLE_TTL_ATTRIBUTE: 'expiresAt',
      TABLE_ACCESS_PATTERNS: JSON.stringify(PATTERNS),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`,
    });
    // The toolkit's own client with its defaults: 3 attempts of up to 3 s each, far more than the time left.
    table = Table.fromEnvironment();
  });

  afterEach(async () => {
    process.env = saved;
    table.client.destroy();
    stalled.closeAllConnections();
    await new Promise<void>((resolve) => stalled.close(() => resolve()));
    // let a request still in flight end (its connection is gone) before the next test
    await Promise.all(pending.splice(0).map((answer) => within(answer, 5_000, undefined)));
  });

  /** Invokes `handler` with `REMAINING_MS` left; its answer, or a note that none came in time, and the time taken. */
  async function invoke(handler: ApiHandler, path: { [name: string]: string }) {
    const started = Date.now();
    const answer = handler(httpApiEvent(path.taskId ? GET : LIST, { pathParameters: path }), contextWith(REMAINING_MS));
    pending.push(answer);
    const outcome = await within(answer.then(parse), REMAINING_MS, 'no answer before Lambda would time out');
    return { outcome, elapsedMs: Date.now() - started };
  }

  function expectTimely503(result: { outcome: ParsedResult | string; elapsedMs: number }) {
    expect(result.outcome).toMatchObject({
      statusCode: 503,
      headers: { 'retry-after': '1', 'content-type': 'application/problem+json' },
    });
    expect(result.elapsedMs).toBeLessThan(REMAINING_MS);
    // cut off at the deadline, not earlier: the database had the time there was
    expect(result.elapsedMs).toBeGreaterThanOrEqual(REMAINING_MS - DEADLINE_MARGIN_MS - 50);
  }

  it('answers 503 with Retry-After before the function times out when an item read stalls, and logs it', async () => {
    // GIVEN a route reading an item from a database that never answers
    const logger = quietLogger();
    const warn = jest.spyOn(logger, 'warn');
    const tasks = table.item('getTask');
    const handler = apiHandler({
      logger,
      routes: {
        [GET]: route({
          handle: async ({ params }) => ok(await tasks.get({ projectId: params.projectId!, taskId: params.taskId! })),
        }),
      },
    });

    // WHEN it is invoked with 1.5 s left
    const result = await invoke(handler, { projectId: 'p', taskId: 't' });

    // THEN it answers 503 within that time, and says why in the log
    expectTimely503(result);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("when the function's time ran out"), expect.anything());
  });

  it('bounds a query and the rate limiter the same way', async () => {
    // GIVEN a rate-limited list route
    const list = table.query('listTasks');
    const handler = apiHandler({
      logger: quietLogger(),
      table,
      rateLimit: { limit: 10, windowSeconds: 60 },
      routes: {
        [LIST]: route({ handle: async ({ params }) => ok(await list.page({ projectId: params.projectId! })) }),
      },
    });
    const unlimited = apiHandler({
      logger: quietLogger(),
      routes: {
        [LIST]: route({ handle: async ({ params }) => ok(await list.page({ projectId: params.projectId! })) }),
      },
    });

    // WHEN each is invoked with 1.5 s left, THEN each answers 503 in time (the rate limiter's update; the query)
    expectTimely503(await invoke(handler, { projectId: 'p' }));
    expectTimely503(await invoke(unlimited, { projectId: 'p' }));
  });
});

describe('withDeadline', () => {
  it('binds calls inside it to a signal that fires the margin before the time left runs out', async () => {
    const started = Date.now();
    await withDeadline(DEADLINE_MARGIN_MS + 100, async () => {
      const signal = sendOptions()!.abortSignal;
      expect(signal.aborted).toBe(false);
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    });
  });

  it('changes nothing without a time left (a handler called without a context)', async () => {
    expect(sendOptions()).toBeUndefined();
    await withDeadline(undefined, async () => expect(sendOptions()).toBeUndefined());
  });
});
