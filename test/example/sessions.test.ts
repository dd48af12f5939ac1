/**
 * The sessions function of the example, over HTTP through the local API: its real bundle behind the gateway's
 * routes and JWT authorizer, called with dev tokens, its table calls checked against its IAM role. The tests at the
 * end invoke the handler in this process instead, each block saying what only that can give.
 */
import { randomUUID } from 'crypto';
import { problemOf, request, startExample, type HttpResult } from './example-api';
import {
  epochSeconds,
  httpEvent,
  invoke,
  loadHandler,
  PROBLEM_JSON,
  problemBody,
  type ExampleHandler,
} from './task-board';
import { TABLE_ACCESS_PATTERNS_ENV, TABLE_TTL_ATTRIBUTE_ENV } from '../../src/shared/env';
import type { LocalApi } from '../../src/testing';

const SEVEN_DAYS_SECONDS = 7 * 24 * 60 * 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NO_CALLER = 'this route needs an authenticated caller: send a valid token or signed request';
const SESSION_ID_RULE = 'must be a session id as returned by POST /sessions';
/** What an HTTP API answers for a function result without a content type: undocumented, seen on deployed APIs. */
const GATEWAY_CONTENT_TYPE = 'text/plain; charset=utf-8';
const MALFORMED_CURSOR =
  '`cursor` is not one this list issued: pass back the `nextCursor` of the previous page unchanged';

let api: LocalApi;
/**
 * A token the JWT authorizer accepts that names no caller: no `sub`, and none of the claims a principal falls back
 * to. `api.token` requires a `sub`; claims are set after it, and a claim set to undefined is left out.
 */
let subjectless: string;

beforeAll(async () => {
  api = await startExample();
  subjectless = await api.token({ sub: 'none', claims: { sub: undefined, 'cognito:username': undefined } });
}, 60_000); // synthesizes and bundles the example stack: slow on a busy machine

afterAll(async () => {
  await api?.stop();
});

/** The caller: a `sub`, or `null` for a valid token without one. */
type Caller = string | null;

const as = (caller: Caller) => (caller === null ? { token: subjectless } : { sub: caller });
const sessionPath = (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}`;

function createSession(caller: Caller) {
  return request(api, 'POST', '/sessions', as(caller));
}

function getSession(caller: Caller, sessionId: string) {
  return request(api, 'GET', sessionPath(sessionId), as(caller));
}

function listSessions(caller: Caller, query?: Record<string, string>) {
  return request(api, 'GET', '/sessions', { ...as(caller), query });
}

function deleteSession(caller: Caller, sessionId: string) {
  return request(api, 'DELETE', sessionPath(sessionId), as(caller));
}

/** The whole answer, for `toEqual`. */
function answer(result: HttpResult) {
  return { status: result.status, headers: result.headers, body: result.body };
}

function storedSession(sub: string, sessionId: string) {
  return api.table.get({ PK: `USER#${sub}`, SK: `SESSION#${sessionId}` });
}

/** Writes a session directly, as if TTL had not yet deleted it; returns its id. */
async function putSession(sub: string, expiresAt: number | undefined, sessionId: string = randomUUID()) {
  await api.table.put({
    PK: `USER#${sub}`,
    SK: `SESSION#${sessionId}`,
    entityType: 'Session',
    sessionId,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt,
  });
  return sessionId;
}

/** Sorts sessions by id, the order a list returns them in. */
function byId<T extends { sessionId: string }>(sessions: T[]): T[] {
  return [...sessions].sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
}

/** Every session of `sub`, page by page; returns the pages. */
async function allPages(sub: string, limit: string) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = await listSessions(sub, { limit, ...(cursor === undefined ? {} : { cursor }) });
    expect(page.status).toBe(200);
    pages.push(page.body);
    cursor = page.body.nextCursor;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
}

/** A cursor issued to `sub`, edited to start in ivan's partition. */
function forgedCursor(issued: string): string {
  const decoded = JSON.parse(Buffer.from(issued, 'base64url').toString('utf8'));
  return Buffer.from(JSON.stringify({ ...decoded, k: { ...decoded.k, PK: 'USER#ivan' } })).toString('base64url');
}

describe('POST /sessions', () => {
  test('creates a session of the caller that expires in 7 days, in epoch seconds, with its Location', async () => {
    const before = epochSeconds();

    // WHEN a signed-in caller creates a session
    const result = await createSession('alice');

    // THEN it is answered with the session and where it lives
    const after = epochSeconds();
    expect(result.status).toBe(201);
    expect(result.headers).toEqual({
      'content-type': 'application/json',
      location: `/sessions/${result.body.sessionId}`,
    });
    expect(result.body).toEqual({
      sessionId: expect.stringMatching(UUID),
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      expiresAt: expect.any(Number),
    });
    expect(result.body.expiresAt).toBeGreaterThanOrEqual(before + SEVEN_DAYS_SECONDS);
    expect(result.body.expiresAt).toBeLessThanOrEqual(after + SEVEN_DAYS_SECONDS);

    // AND it is stored in the caller's partition, with the expiry in the TTL attribute
    expect(await storedSession('alice', result.body.sessionId)).toEqual({
      PK: 'USER#alice',
      SK: `SESSION#${result.body.sessionId}`,
      entityType: 'Session',
      version: 1,
      _writeId: expect.any(String),
      ...result.body,
    });
  });

  test('creates a new session on every call', async () => {
    const first = await createSession('bob');
    const second = await createSession('bob');

    expect(second.status).toBe(201);
    expect(second.body.sessionId).not.toBe(first.body.sessionId);
    expect((await api.table.items()).filter((item) => item.PK === 'USER#bob')).toHaveLength(2);
  });

  test('answers 401 to a token without a sub claim and writes nothing', async () => {
    const before = await api.table.items();

    const result = await createSession(null);

    expect(answer(result)).toEqual({
      status: 401,
      headers: { 'content-type': PROBLEM_JSON },
      body: problemOf(result, 401, NO_CALLER),
    });
    expect(await api.table.items()).toEqual(before);
  });

  test('answers 400 to a request body: the route takes none', async () => {
    const before = await api.table.items();

    const result = await request(api, 'POST', '/sessions', { sub: 'alice', body: '{"sessionId":"mine"}' });

    expect(result.status).toBe(400);
    expect(result.body).toEqual(problemOf(result, 400, 'POST /sessions takes no request body: send none'));
    expect(await api.table.items()).toEqual(before);
  });
});

describe('GET /sessions/{sessionId}', () => {
  test('returns a live session of the caller', async () => {
    const created = await createSession('carol');

    const result = await getSession('carol', created.body.sessionId);

    expect(result.status).toBe(200);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
    expect(result.body).toEqual(created.body);
  });

  test("answers 404 for another caller's session", async () => {
    // GIVEN a session of carol
    const created = await createSession('carol');

    // WHEN mallory asks for it by its id
    const result = await getSession('mallory', created.body.sessionId);

    // THEN it does not exist for mallory
    expect(answer(result)).toEqual({
      status: 404,
      headers: { 'content-type': PROBLEM_JSON },
      body: problemOf(result, 404, `session "${created.body.sessionId}" does not exist`),
    });
  });

  test('answers 404 for a session that does not exist', async () => {
    const sessionId = randomUUID();

    const result = await getSession('carol', sessionId);

    expect(result.status).toBe(404);
    expect(result.body).toEqual(problemOf(result, 404, `session "${sessionId}" does not exist`));
  });

  test.each([
    ['expired an hour ago', -3600],
    ['expiring this second', 0],
  ])('answers 404 for a session %s that TTL has not deleted yet, and leaves it to TTL', async (_, offsetSeconds) => {
    // GIVEN a session past its expiry, still in the table
    const sessionId = await putSession('dave', epochSeconds() + offsetSeconds);

    // WHEN it is read
    const result = await getSession('dave', sessionId);

    // THEN it is gone for the caller, though still stored
    expect(result.status).toBe(404);
    expect(result.body.detail).toBe(`session "${sessionId}" does not exist`);
    expect(await storedSession('dave', sessionId)).toBeDefined();
  });

  test('returns a session written directly that expires in a minute', async () => {
    const expiresAt = epochSeconds() + 60;
    const sessionId = await putSession('dave', expiresAt);

    const result = await getSession('dave', sessionId);

    expect(result.status).toBe(200);
    expect(result.body).toEqual({ sessionId, createdAt: '2026-01-01T00:00:00.000Z', expiresAt });
  });

  test.each(['not-a-uuid', 'SESSION', `${randomUUID()}x`])('answers 400 to session id %p', async (sessionId) => {
    const result = await getSession('dave', sessionId);

    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(result, 400, `the request path is invalid: \`path.sessionId\`: ${SESSION_ID_RULE}`, {
        errors: [{ field: 'path.sessionId', message: SESSION_ID_RULE }],
      }),
    );
  });

  test('answers 401 to a token without a sub claim', async () => {
    const result = await getSession(null, randomUUID());

    expect(result.status).toBe(401);
    expect(result.body).toEqual(problemOf(result, 401, NO_CALLER));
  });
});

describe('GET /sessions', () => {
  test("returns the caller's live sessions only, in id order", async () => {
    // GIVEN two live sessions of erin, one expired and one of frank
    const first = await createSession('erin');
    const second = await createSession('erin');
    await putSession('erin', epochSeconds() - 1);
    await createSession('frank');

    // WHEN erin lists her sessions
    const result = await listSessions('erin');

    // THEN she gets her two live sessions, and no cursor
    expect(result.status).toBe(200);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
    expect(result.body).toEqual({ items: byId([first.body, second.body]) });
  });

  test('pages through the sessions with a cursor, skipping expired ones, until a page without a cursor', async () => {
    // GIVEN five live sessions of grace and two expired ones among them
    const live = [];
    for (let i = 0; i < 5; i++) live.push((await createSession('grace-pages')).body);
    await putSession('grace-pages', epochSeconds() - 10);
    await putSession('grace-pages', epochSeconds() - 3600);

    // WHEN she reads them two at a time
    const pages = await allPages('grace-pages', '2');

    // THEN every page holds at most two sessions, each live session comes back exactly once, and only the
    // last page has no cursor
    for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(2);
    expect(pages.flatMap((page) => page.items)).toEqual(byId(live));
    expect(pages.slice(0, -1).every((page) => typeof page.nextCursor === 'string')).toBe(true);
    expect(pages[pages.length - 1]).not.toHaveProperty('nextCursor');
    expect(pages.length).toBeGreaterThanOrEqual(3);
  });

  test('reads 25 sessions per page by default', async () => {
    const expiresAt = epochSeconds() + 600;
    for (let i = 0; i < 26; i++) await putSession('heidi-many', expiresAt);

    const first = await listSessions('heidi-many');
    const second = await listSessions('heidi-many', { cursor: first.body.nextCursor });

    expect(first.body.items).toHaveLength(25);
    expect(second.body.items).toHaveLength(1);
    expect(second.body).not.toHaveProperty('nextCursor');
  });

  test("answers 400 to another caller's cursor and reads nothing of theirs", async () => {
    // GIVEN a cursor issued to ivan for his sessions
    for (let i = 0; i < 3; i++) await createSession('ivan');
    const ivans = await listSessions('ivan', { limit: '1' });
    expect(ivans.body.nextCursor).toBeDefined();

    // WHEN mallory passes it to her own list
    const result = await listSessions('mallory', { cursor: ivans.body.nextCursor });

    // THEN it is refused: a cursor is bound to its caller's list
    expect(result.status).toBe(400);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON });
    expect(result.body).toEqual(
      problemOf(result, 400, '`cursor` belongs to another list: start again without a cursor', {
        errors: [{ field: 'cursor', message: 'issued for another list' }],
      }),
    );
  });

  test("answers 400 to a caller's own cursor edited to start in another caller's partition, before any query", async () => {
    // GIVEN a cursor issued to mallory, whose key she edits to point into ivan's partition
    for (let i = 0; i < 2; i++) await createSession('mallory-edits');
    const own = await listSessions('mallory-edits', { limit: '1' });
    expect(own.body.nextCursor).toBeDefined();

    // WHEN she passes it back while the table records the function's calls
    const { result, calls } = await api.table.record(() =>
      listSessions('mallory-edits', { cursor: forgedCursor(own.body.nextCursor) }),
    );

    // THEN it is refused before any query runs
    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(result, 400, MALFORMED_CURSOR, {
        errors: [{ field: 'cursor', message: 'not a cursor this list issued' }],
      }),
    );
    expect(calls).toEqual([]);
  });

  test('reads the table with one Query of the caller partition and session range', async () => {
    // GIVEN a session of the caller
    expect((await createSession('erin-reads')).status).toBe(201);

    // WHEN she lists her sessions while the table records the function's calls
    const { result, calls } = await api.table.record(() => listSessions('erin-reads'));

    // THEN the function ran a single Query bounded to her partition and its sessions, filtering out expired ones
    expect(result.status).toBe(200);
    expect(result.body.items).toHaveLength(1);
    expect(calls.map((call) => [call.function, call.operation, call.status])).toEqual([['sessions', 'Query', 200]]);
    expect(calls[0].input).toMatchObject({
      TableName: api.table.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
      FilterExpression: '#ttl > :now',
      ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK', '#ttl': 'expiresAt' },
      ExpressionAttributeValues: { ':pk': { S: 'USER#erin-reads' }, ':sk': { S: 'SESSION#' } },
    });
  });

  test.each([
    ['0', 'Too small: expected number to be >=1'],
    ['101', 'Too big: expected number to be <=100'],
    ['x', 'Invalid input: expected number, received NaN'],
  ])('answers 400 to limit=%p', async (limit, message) => {
    const result = await listSessions('erin', { limit });

    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(result, 400, `the request query is invalid: \`query.limit\`: ${message}`, {
        errors: [{ field: 'query.limit', message }],
      }),
    );
  });

  test('returns an empty list for a caller without sessions', async () => {
    expect(answer(await listSessions('nobody'))).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { items: [] },
    });
  });

  test('answers 401 to a token without a sub claim', async () => {
    const result = await listSessions(null);

    expect(result.status).toBe(401);
    expect(result.body).toEqual(problemOf(result, 401, NO_CALLER));
  });
});

describe('DELETE /sessions/{sessionId}', () => {
  test('deletes a live session with 204, then answers 404', async () => {
    // GIVEN a live session
    const created = await createSession('judy');

    // WHEN its owner deletes it
    const result = await deleteSession('judy', created.body.sessionId);

    // THEN it is gone, and a second delete finds nothing (the function sets no header: the content type is the
    // one API Gateway gives a result without one)
    expect(answer(result)).toEqual({ status: 204, headers: { 'content-type': GATEWAY_CONTENT_TYPE }, body: undefined });
    expect(await storedSession('judy', created.body.sessionId)).toBeUndefined();
    const again = await deleteSession('judy', created.body.sessionId);
    expect(again.status).toBe(404);
    expect(again.body).toEqual(problemOf(again, 404, `session "${created.body.sessionId}" does not exist`));
  });

  test("answers 404 for another caller's session and keeps it", async () => {
    const created = await createSession('judy');

    const result = await deleteSession('mallory', created.body.sessionId);

    expect(result.status).toBe(404);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON });
    expect(result.body).toEqual(problemOf(result, 404, `session "${created.body.sessionId}" does not exist`));
    expect(await storedSession('judy', created.body.sessionId)).toEqual(expect.objectContaining(created.body));
  });

  test('answers 404 for an expired session and leaves it to TTL', async () => {
    const sessionId = await putSession('judy', epochSeconds() - 1);

    const result = await deleteSession('judy', sessionId);

    expect(result.status).toBe(404);
    expect(await storedSession('judy', sessionId)).toBeDefined();
  });

  test('answers 400 to a malformed session id', async () => {
    const result = await deleteSession('judy', 'all');

    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([{ field: 'path.sessionId', message: SESSION_ID_RULE }]);
  });

  test('answers 401 to a token without a sub claim', async () => {
    const result = await deleteSession(null, randomUUID());

    expect(result.status).toBe(401);
    expect(result.body).toEqual(problemOf(result, 401, NO_CALLER));
  });
});

describe('a session item without an expiry', () => {
  // A session must never live forever by accident: an item without a numeric expiry (written by a bug or by
  // hand) is not a session, for reads, lists and deletes alike.
  test('reads as missing', async () => {
    const sessionId = await putSession('kate', undefined);

    const result = await getSession('kate', sessionId);

    expect(result.status).toBe(404);
    expect(result.body).toEqual(problemOf(result, 404, `session "${sessionId}" does not exist`));
  });

  test('is left out of the list', async () => {
    const live = await createSession('kate-list');
    await putSession('kate-list', undefined);

    const result = await listSessions('kate-list');

    expect(result.status).toBe(200);
    expect(result.body).toEqual({ items: [live.body] });
  });

  test('cannot be deleted through the API', async () => {
    const sessionId = await putSession('kate', undefined);

    const result = await deleteSession('kate', sessionId);

    expect(result.status).toBe(404);
    expect(await storedSession('kate', sessionId)).toBeDefined();
  });
});

// ----------------------------------------------------------------------------------------------------------------
// In process: the handler loaded in this test's process, called with an event API Gateway never sends it or started
// with an environment the stack never gives it; none of these reaches a table. Each says what LocalApi cannot give.

describe('in process', () => {
  let handler: ExampleHandler;

  beforeAll(() => {
    handler = loadHandler('sessions');
  }, 60_000); // synthesizes the example stack and loads the handler: slow on a busy machine

  // The gateway answers a method the API does not declare itself (404), so only a direct call reaches the
  // handler's own routing.
  test('answers 404 to a route it does not serve', async () => {
    const result = await invoke(
      handler,
      httpEvent('PUT /sessions/{sessionId}', { pathParameters: { sessionId: 'x' }, sub: 'alice' }),
    );

    expect(result).toEqual({
      statusCode: 404,
      headers: { 'content-type': PROBLEM_JSON },
      body: problemBody(404, 'no route matches PUT /sessions/x'),
    });
  });

  // These start the function with an environment other than the stack's; the local API runs each function as the
  // stack declares it.
  describe('sessions handler configuration', () => {
    test('fails at cold start when the TTL attribute is not configured', () => {
      expect(() => loadHandler('sessions', { [TABLE_TTL_ATTRIBUTE_ENV]: undefined })).toThrow(
        `environment variable ${TABLE_TTL_ATTRIBUTE_ENV} is not set: ServerlessApi sets it on every route function`,
      );
    });

    test('fails at cold start, naming the pattern, when the function was given no access patterns', () => {
      expect(() => loadHandler('sessions', { [TABLE_ACCESS_PATTERNS_ENV]: undefined })).toThrow(
        'this function has no access pattern "createSession"',
      );
    });
  });
});
