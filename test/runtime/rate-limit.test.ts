import { createHash } from 'crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  httpApiEvent,
  jwtAuthorizer,
  parse,
  PATTERNS,
  quietLogger,
  RecordingMetrics,
  rejectionOf,
  restApiEvent,
  startRuntimeTable,
  TABLE_NAME,
  type RuntimeTable,
} from './util';
import { apiHandler, route } from '../../src/runtime/handler';
import { HttpError } from '../../src/runtime/problem';
import { defaultCaller, RateLimiter, rateLimitHeaders } from '../../src/runtime/rate-limit';
import { readApiEvent, type ApiRequest } from '../../src/runtime/request';
import { ok } from '../../src/runtime/response';
import { TestClock } from '../helpers/clock';

let rt: RuntimeTable;

beforeAll(async () => {
  rt = await startRuntimeTable();
});

afterAll(async () => {
  await rt.close();
});

/** 2027-01-15T08:00:00Z, the start of a minute and of an hour. */
const WINDOW_START_S = 1_800_000_000;
const WINDOW_START_MS = WINDOW_START_S * 1000;

let callerCounter = 0;
/** A request from a JWT caller of its own. */
function requestOf(sub = `user-${++callerCounter}`): ApiRequest {
  return readApiEvent(httpApiEvent('GET /things', { authorizer: jwtAuthorizer(sub) }));
}

/** The counter item of `caller` for the window starting at `windowStart` (epoch seconds). */
async function counterOf(caller: string, windowStart: number) {
  const hashed = createHash('sha256').update(caller).digest('base64url').slice(0, 22);
  const result = await rt.local.client.send(
    new GetCommand({
      TableName: TABLE_NAME,
      Key: { PK: `RATE#${hashed}`, SK: `WINDOW#${windowStart}` },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

describe('RateLimiter.admit', () => {
  it('admits exactly `limit` of 50 concurrent requests; the others get 429 with retry-after', async () => {
    // GIVEN a limit of 10 per minute, and one caller sending 50 requests at once, 15.25 s into a window
    const limiter = new RateLimiter(rt.table, { limit: 10, windowSeconds: 60 });
    const request = requestOf();
    const now = WINDOW_START_MS + 15_250;

    // WHEN they are all counted
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => limiter.admit(request, now)));

    // THEN exactly 10 are admitted, each with a distinct remaining count
    const admitted = results
      .filter((r): r is PromiseFulfilledResult<any> => r.status === 'fulfilled')
      .map((r) => r.value);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(admitted).toHaveLength(10);
    expect(admitted.map((state) => state.remaining).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(admitted.every((state) => state.limit === 10 && state.resetSeconds === 45)).toBe(true);

    // AND the 40 others are 429s telling when the window ends (44.75 s, rounded up)
    expect(refused).toHaveLength(40);
    for (const error of refused) {
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(429);
      expect(error.headers).toEqual({
        'retry-after': '45',
        'ratelimit-limit': '10',
        'ratelimit-remaining': '0',
        'ratelimit-reset': '45',
      });
      expect(Number(error.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(error.message).toBe(
        'rate limit of 10 requests per 60 seconds reached; retry after the time in Retry-After',
      );
    }

    // AND the counter stopped at the limit, expiring when the window ends
    expect(await counterOf(defaultCaller(request), WINDOW_START_S)).toEqual({
      PK: expect.stringMatching(/^RATE#[A-Za-z0-9_-]{22}$/),
      SK: `WINDOW#${WINDOW_START_S}`,
      requestCount: 10,
      expiresAt: WINDOW_START_S + 60,
    });
  });

  it('counts sequential requests down to zero remaining, then refuses', async () => {
    const limiter = new RateLimiter(rt.table, { limit: 3, windowSeconds: 10 });
    const request = requestOf();
    const now = WINDOW_START_MS + 2_000;
    expect(await limiter.admit(request, now)).toEqual({ limit: 3, remaining: 2, resetSeconds: 8 });
    expect(await limiter.admit(request, now + 1_000)).toEqual({ limit: 3, remaining: 1, resetSeconds: 7 });
    expect(await limiter.admit(request, now + 2_000)).toEqual({ limit: 3, remaining: 0, resetSeconds: 6 });
    const error = await rejectionOf(limiter.admit(request, now + 7_900));
    expect(error.status).toBe(429);
    // 0.1 s before the window ends: at least one second
    expect(error.headers).toEqual({
      'retry-after': '1',
      'ratelimit-limit': '3',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '1',
    });
  });

  it('keeps separate counters for separate callers', async () => {
    // GIVEN a limit of 2, and caller A at its limit
    const limiter = new RateLimiter(rt.table, { limit: 2, windowSeconds: 60 });
    const a = requestOf();
    const b = requestOf();
    await limiter.admit(a, WINDOW_START_MS);
    await limiter.admit(a, WINDOW_START_MS);
    expect((await rejectionOf(limiter.admit(a, WINDOW_START_MS))).status).toBe(429);

    // WHEN caller B calls in the same window THEN B is admitted with its own count
    expect(await limiter.admit(b, WINDOW_START_MS)).toMatchObject({ remaining: 1 });
  });

  it('starts a new count in the next window', async () => {
    // GIVEN a caller at its limit in one window
    const limiter = new RateLimiter(rt.table, { limit: 1, windowSeconds: 60 });
    const request = requestOf();
    await limiter.admit(request, WINDOW_START_MS + 59_999);
    expect((await rejectionOf(limiter.admit(request, WINDOW_START_MS + 59_999))).status).toBe(429);

    // WHEN the next window starts THEN it is admitted again, on a new counter
    expect(await limiter.admit(request, WINDOW_START_MS + 60_000)).toEqual({
      limit: 1,
      remaining: 0,
      resetSeconds: 60,
    });
    expect(await counterOf(defaultCaller(request), WINDOW_START_S + 60)).toMatchObject({
      requestCount: 1,
      expiresAt: WINDOW_START_S + 120,
    });
    expect(await counterOf(defaultCaller(request), WINDOW_START_S)).toMatchObject({
      requestCount: 1,
      expiresAt: WINDOW_START_S + 60,
    });
  });

  it('counts anonymous callers by source IP, and a custom caller function when given', async () => {
    const limiter = new RateLimiter(rt.table, { limit: 1, windowSeconds: 60 });
    const fromIp = (ip: string) => readApiEvent(restApiEvent('GET /things', { sourceIp: ip }));
    await limiter.admit(fromIp('198.51.100.1'), WINDOW_START_MS);
    expect((await rejectionOf(limiter.admit(fromIp('198.51.100.1'), WINDOW_START_MS))).status).toBe(429);
    expect(await limiter.admit(fromIp('198.51.100.2'), WINDOW_START_MS)).toMatchObject({ remaining: 0 });

    const byTenant = new RateLimiter(rt.table, {
      limit: 1,
      windowSeconds: 60,
      callerOf: (request) => request.headers['x-tenant'] ?? 'none',
    });
    const tenant = (sub: string) =>
      readApiEvent(httpApiEvent('GET /things', { authorizer: jwtAuthorizer(sub), headers: { 'x-tenant': 't-9' } }));
    await byTenant.admit(tenant('user-a'), WINDOW_START_MS + 120_000);
    expect((await rejectionOf(byTenant.admit(tenant('user-b'), WINDOW_START_MS + 120_000))).status).toBe(429);
    expect(await counterOf('t-9', WINDOW_START_S + 120)).toMatchObject({ requestCount: 1 });
  });

  it('never puts the caller id in the key', async () => {
    const limiter = new RateLimiter(rt.table, { limit: 5, windowSeconds: 60 });
    await limiter.admit(requestOf('alice@example.com#ADMIN'), WINDOW_START_MS + 180_000);
    const counters = (await rt.local.items()).filter((item) => String(item.PK).startsWith('RATE#'));
    expect(counters.length).toBeGreaterThan(0);
    expect(JSON.stringify(counters)).not.toContain('alice');
  });
});

describe('defaultCaller and rateLimitHeaders', () => {
  it('names the caller by principal, else by source IP', () => {
    expect(defaultCaller(requestOf('u-1'))).toBe('jwt:u-1');
    expect(defaultCaller(readApiEvent(httpApiEvent('GET /x', { sourceIp: '203.0.113.9' })))).toBe('ip:203.0.113.9');
  });

  it('renders the IETF RateLimit fields', () => {
    expect(rateLimitHeaders({ limit: 10, remaining: 3, resetSeconds: 42 })).toEqual({
      'ratelimit-limit': '10',
      'ratelimit-remaining': '3',
      'ratelimit-reset': '42',
    });
  });
});

describe('RateLimiter construction', () => {
  it.each([0, -1, 1.5, NaN])('refuses limit %s', (limit) => {
    expect(() => new RateLimiter(rt.table, { limit, windowSeconds: 60 })).toThrow(
      `rateLimit.limit must be a positive integer, got: ${limit}`,
    );
  });

  it.each([0, 0.5, -60])('refuses windowSeconds %s', (windowSeconds) => {
    expect(() => new RateLimiter(rt.table, { limit: 1, windowSeconds })).toThrow(
      `rateLimit.windowSeconds must be a positive integer, got: ${windowSeconds}`,
    );
  });

  it.each([
    ['missing', 'noSuchPattern'],
    ['not an UpdateItem', 'getTask'],
    ['an inherited member', 'constructor'],
  ])('refuses a %s pattern', (_, pattern) => {
    expect(() => new RateLimiter(rt.table, { limit: 1, windowSeconds: 60, pattern })).toThrow(
      `rate limiting needs an UpdateItem access pattern named "${pattern}" on this function`,
    );
  });

  it('refuses a function without the default "rateLimit" pattern', () => {
    const table = rt.withPatterns({ getTask: PATTERNS.getTask });
    expect(() => new RateLimiter(table, { limit: 1, windowSeconds: 60 })).toThrow(
      'rate limiting needs an UpdateItem access pattern named "rateLimit" on this function',
    );
  });

  it.each([
    ['without {window}', { operation: 'UpdateItem', partitionKey: ['PK', 'RATE#{caller}'], sortKey: ['SK', 'WINDOW'] }],
    ['without {caller}', { operation: 'UpdateItem', partitionKey: ['PK', 'RATE'], sortKey: ['SK', 'WINDOW#{window}'] }],
    [
      'with another parameter',
      { operation: 'UpdateItem', partitionKey: ['PK', 'RATE#{caller}'], sortKey: ['SK', 'W#{window}#{route}'] },
    ],
    [
      'another parameter, separated',
      { operation: 'UpdateItem', partitionKey: ['PK', 'T#{tenant}#RATE#{caller}'], sortKey: ['SK', 'W#{window}'] },
    ],
  ])('refuses a pattern %s', (_, descriptor) => {
    const table = rt.withPatterns({ limits: descriptor as any });
    expect(() => new RateLimiter(table, { limit: 1, windowSeconds: 60, pattern: 'limits' })).toThrow(
      'rate-limit pattern "limits" must build its key from {caller} and {window} only, e.g. RATE#{caller} / WINDOW#{window}',
    );
  });

  it('accepts a named pattern with both parameters in the partition key', () => {
    const table = rt.withPatterns({
      limits: { operation: 'UpdateItem', partitionKey: ['PK', 'RATE#{caller}#W#{window}'], sortKey: ['SK', 'COUNT'] },
    });
    expect(() => new RateLimiter(table, { limit: 1, windowSeconds: 60, pattern: 'limits' })).not.toThrow();
  });
});

describe('rate limiting through apiHandler', () => {
  function handlerWith(limit: number, routes: Parameters<typeof apiHandler>[0]['routes']) {
    return apiHandler({ logger: quietLogger(), table: rt.table, rateLimit: { limit, windowSeconds: 3600 }, routes });
  }

  it('sets the ratelimit-* headers, then answers 429 with retry-after and without running the route', async () => {
    // GIVEN a limit of 2 per hour
    const handle = jest.fn(async () => ok({ ok: true }));
    const handler = handlerWith(2, { 'GET /things': route({ handle }) });
    const event = () => httpApiEvent('GET /things', { authorizer: jwtAuthorizer(`user-${++callerCounter}-h`) });
    const sameCaller = event();

    // WHEN one caller calls three times
    const first = parse(await handler(sameCaller));
    const second = parse(await handler({ ...sameCaller }));
    const third = parse(await handler({ ...sameCaller }));

    // THEN the first two carry the counts and the third is a 429 problem
    expect(first.statusCode).toBe(200);
    expect(first.headers).toEqual({
      'content-type': 'application/json',
      'ratelimit-limit': '2',
      'ratelimit-remaining': '1',
      'ratelimit-reset': expect.stringMatching(/^\d+$/),
    });
    const reset = Number(first.headers['ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(3600);
    expect(second.headers['ratelimit-remaining']).toBe('0');
    expect(third.statusCode).toBe(429);
    expect(third.headers['content-type']).toBe('application/problem+json');
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(third.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '0' });
    expect(third.body).toMatchObject({
      title: 'Too Many Requests',
      status: 429,
      retryAfterSeconds: Number(third.headers['retry-after']),
    });
    expect(handle).toHaveBeenCalledTimes(2);
  });

  it('keeps the headers on a route error, and skips routes marked rateLimited: false', async () => {
    const handler = handlerWith(1, {
      'POST /fail': route({
        handle: async () => {
          throw new HttpError(409, 'conflict');
        },
      }),
      'GET /health': route({ rateLimited: false, handle: async () => ok('up') }),
    });
    const authorizer = jwtAuthorizer(`user-${++callerCounter}-e`);
    const failed = parse(await handler(httpApiEvent('POST /fail', { authorizer })));
    expect(failed.statusCode).toBe(409);
    expect(failed.headers['ratelimit-remaining']).toBe('0');
    for (let i = 0; i < 3; i++) {
      const health = parse(await handler(httpApiEvent('GET /health', { authorizer })));
      expect(health).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: 'up' });
    }
  });

  it('counts each refusal in the RateLimited metric', async () => {
    const metrics = new RecordingMetrics();
    const handler = apiHandler({
      logger: quietLogger(),
      metrics,
      table: rt.table,
      rateLimit: { limit: 1, windowSeconds: 3600 },
      routes: { 'GET /things': route({ handle: async () => ok(1) }) },
    });
    const authorizer = jwtAuthorizer(`user-${++callerCounter}-m`);
    for (let i = 0; i < 3; i++) await handler(httpApiEvent('GET /things', { authorizer }));
    expect(metrics.names()).toEqual(['RateLimited', 'RateLimited']);
  });

  it("counts against the window of the table's clock, and starts afresh when the clock enters the next", async () => {
    // GIVEN a limit of 1 a minute, on a table whose clock stands half a second before a window ends
    const clock = new TestClock(WINDOW_START_MS + 59_500);
    const handler = apiHandler({
      logger: quietLogger(),
      table: rt.withClock(clock.now),
      rateLimit: { limit: 1, windowSeconds: 60 },
      routes: { 'GET /things': route({ handle: async () => ok(1) }) },
    });
    const event = httpApiEvent('GET /things', { authorizer: jwtAuthorizer(`user-${++callerCounter}-c`) });

    // WHEN one caller calls twice in that half second, then once as the next window starts
    const admitted = await handler({ ...event });
    const refused = await handler({ ...event });
    clock.advance(500);
    const next = await handler({ ...event });

    // THEN the window's ends are the clock's: 1 s left, then a full minute in the next window
    expect(admitted.statusCode).toBe(200);
    expect(admitted.headers).toMatchObject({ 'ratelimit-remaining': '0', 'ratelimit-reset': '1' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers).toMatchObject({ 'retry-after': '1', 'ratelimit-reset': '1' });
    expect(next.statusCode).toBe(200);
    expect(next.headers).toMatchObject({ 'ratelimit-remaining': '0', 'ratelimit-reset': '60' });
    expect(await counterOf(defaultCaller(readApiEvent(event)), WINDOW_START_S + 60)).toMatchObject({
      requestCount: 1,
      expiresAt: WINDOW_START_S + 120,
    });
  });

  it('does not count requests for unknown routes', async () => {
    const handler = handlerWith(1, { 'GET /things': route({ handle: async () => ok(1) }) });
    const authorizer = jwtAuthorizer(`user-${++callerCounter}-u`);
    expect((await handler(httpApiEvent('GET /nowhere', { authorizer }))).statusCode).toBe(404);
    expect((await handler(httpApiEvent('GET /things', { authorizer }))).statusCode).toBe(200);
  });
});
