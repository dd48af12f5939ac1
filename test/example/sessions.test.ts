import { randomUUID } from 'crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  epochSeconds,
  httpEvent,
  invoke,
  loadHandler,
  PROBLEM_JSON,
  problemBody,
  startExampleTable,
  TABLE_NAME,
  type ExampleHandler,
} from './task-board';
import { TABLE_ACCESS_PATTERNS_ENV, TABLE_TTL_ATTRIBUTE_ENV } from '../../src/shared/env';
import type { LocalTable } from '../helpers/local-dynamodb';

const SEVEN_DAYS_SECONDS = 7 * 24 * 60 * 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NO_CALLER = 'this route needs an authenticated caller: send a valid token or signed request';
const SESSION_ID_RULE = 'must be a session id as returned by POST /sessions';
const MALFORMED_CURSOR =
  '`cursor` is not one this list issued: pass back the `nextCursor` of the previous page unchanged';

let table: LocalTable;
let handler: ExampleHandler;

beforeAll(async () => {
  table = await startExampleTable();
  handler = loadHandler('sessions');
}, 60_000); // synthesizes the example stack and loads handlers: slow on a busy machine

afterAll(async () => {
  await table.close();
});

function createSession(sub: string | undefined) {
  return invoke(handler, httpEvent('POST /sessions', { sub }));
}

function getSession(sub: string | undefined, sessionId: string) {
  return invoke(handler, httpEvent('GET /sessions/{sessionId}', { pathParameters: { sessionId }, sub }));
}

function listSessions(sub: string | undefined, queryStringParameters?: Record<string, string>) {
  return invoke(handler, httpEvent('GET /sessions', { sub, queryStringParameters }));
}

function deleteSession(sub: string | undefined, sessionId: string) {
  return invoke(handler, httpEvent('DELETE /sessions/{sessionId}', { pathParameters: { sessionId }, sub }));
}

async function storedSession(sub: string, sessionId: string) {
  const result = await table.client.send(
    new GetCommand({ TableName: TABLE_NAME, Key: { PK: `USER#${sub}`, SK: `SESSION#${sessionId}` } }),
  );
  return result.Item;
}

/** Writes a session directly, as if TTL had not yet deleted it; returns its id. */
async function putSession(sub: string, expiresAt: number | undefined, sessionId: string = randomUUID()) {
  await table.put({
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
    expect(page.statusCode).toBe(200);
    pages.push(page.body);
    cursor = page.body.nextCursor;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
}

describe('POST /sessions', () => {
  test('creates a session of the caller that expires in 7 days, in epoch seconds, with its Location', async () => {
    const before = epochSeconds();

    // WHEN a signed-in caller creates a session
    const result = await createSession('alice');

    // THEN it is answered with the session and where it lives
    const after = epochSeconds();
    expect(result.statusCode).toBe(201);
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

    expect(second.statusCode).toBe(201);
    expect(second.body.sessionId).not.toBe(first.body.sessionId);
    expect((await table.items()).filter((item) => item.PK === 'USER#bob')).toHaveLength(2);
  });

  test('answers 401 without a sub claim and writes nothing', async () => {
    const before = await table.items();

    const result = await createSession(undefined);

    expect(result).toEqual({
      statusCode: 401,
      headers: { 'content-type': PROBLEM_JSON },
      body: problemBody(401, NO_CALLER),
    });
    expect(await table.items()).toEqual(before);
  });

  test('answers 400 to a request body: the route takes none', async () => {
    const before = await table.items();

    const result = await invoke(handler, httpEvent('POST /sessions', { sub: 'alice', body: '{"sessionId":"mine"}' }));

    expect(result.statusCode).toBe(400);
    expect(result.body).toEqual(problemBody(400, 'POST /sessions takes no request body: send none'));
    expect(await table.items()).toEqual(before);
  });
});

describe('GET /sessions/{sessionId}', () => {
  test('returns a live session of the caller', async () => {
    const created = await createSession('carol');

    const result = await getSession('carol', created.body.sessionId);

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
    expect(result.body).toEqual(created.body);
  });

  test("answers 404 for another caller's session", async () => {
    // GIVEN a session of carol
    const created = await createSession('carol');

    // WHEN mallory asks for it by its id
    const result = await getSession('mallory', created.body.sessionId);

    // THEN it does not exist for mallory
    expect(result).toEqual({
      statusCode: 404,
      headers: { 'content-type': PROBLEM_JSON },
      body: problemBody(404, `session "${created.body.sessionId}" does not exist`),
    });
  });

  test('answers 404 for a session that does not exist', async () => {
    const sessionId = randomUUID();

    const result = await getSession('carol', sessionId);

    expect(result.statusCode).toBe(404);
    expect(result.body).toEqual(problemBody(404, `session "${sessionId}" does not exist`));
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
    expect(result.statusCode).toBe(404);
    expect(result.body.detail).toBe(`session "${sessionId}" does not exist`);
    expect(await storedSession('dave', sessionId)).toBeDefined();
  });

  test('returns a session written directly that expires in a minute', async () => {
    const expiresAt = epochSeconds() + 60;
    const sessionId = await putSession('dave', expiresAt);

    const result = await getSession('dave', sessionId);

    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({ sessionId, createdAt: '2026-01-01T00:00:00.000Z', expiresAt });
  });

  test.each(['not-a-uuid', 'SESSION', `${randomUUID()}x`])('answers 400 to session id %p', async (sessionId) => {
    const result = await getSession('dave', sessionId);

    expect(result.statusCode).toBe(400);
    expect(result.body).toEqual(
      problemBody(400, `the request path is invalid: \`path.sessionId\`: ${SESSION_ID_RULE}`, {
        errors: [{ field: 'path.sessionId', message: SESSION_ID_RULE }],
      }),
    );
  });

  test('answers 401 without a sub claim', async () => {
    const result = await getSession(undefined, randomUUID());

    expect(result.statusCode).toBe(401);
    expect(result.body).toEqual(problemBody(401, NO_CALLER));
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
    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
    expect(result.body).toEqual({ items: byId([first.body, second.body]) });
  });

  test('reads the table with one Query of the caller partition and session range', async () => {
    const { result, operations } = await table.record(() => listSessions('erin'));

    expect(result.statusCode).toBe(200);
    expect(operations.map((op) => op.operation)).toEqual(['Query']);
    expect(operations[0].input).toMatchObject({
      TableName: TABLE_NAME,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
      FilterExpression: '#ttl > :now',
      ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK', '#ttl': 'expiresAt' },
      ExpressionAttributeValues: { ':pk': { S: 'USER#erin' }, ':sk': { S: 'SESSION#' } },
    });
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
    expect(result.statusCode).toBe(400);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON });
    expect(result.body).toEqual(
      problemBody(400, '`cursor` belongs to another list: start again without a cursor', {
        errors: [{ field: 'cursor', message: 'issued for another list' }],
      }),
    );
  });

  test("answers 400 to a caller's own cursor edited to start in another caller's partition", async () => {
    // GIVEN a cursor issued to mallory, whose key she edits to point into ivan's partition
    for (let i = 0; i < 2; i++) await createSession('mallory-edits');
    const own = await listSessions('mallory-edits', { limit: '1' });
    const decoded = JSON.parse(Buffer.from(own.body.nextCursor, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...decoded, k: { ...decoded.k, PK: 'USER#ivan' } })).toString(
      'base64url',
    );

    // WHEN she passes it back
    const { result, operations } = await table.record(() => listSessions('mallory-edits', { cursor: forged }));

    // THEN it is refused before any query runs
    expect(result.statusCode).toBe(400);
    expect(result.body).toEqual(
      problemBody(400, MALFORMED_CURSOR, { errors: [{ field: 'cursor', message: 'not a cursor this list issued' }] }),
    );
    expect(operations).toEqual([]);
  });

  test.each([
    ['0', 'Too small: expected number to be >=1'],
    ['101', 'Too big: expected number to be <=100'],
    ['x', 'Invalid input: expected number, received NaN'],
  ])('answers 400 to limit=%p', async (limit, message) => {
    const result = await listSessions('erin', { limit });

    expect(result.statusCode).toBe(400);
    expect(result.body).toEqual(
      problemBody(400, `the request query is invalid: \`query.limit\`: ${message}`, {
        errors: [{ field: 'query.limit', message }],
      }),
    );
  });

  test('returns an empty list for a caller without sessions', async () => {
    expect(await listSessions('nobody')).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: { items: [] },
    });
  });

  test('answers 401 without a sub claim', async () => {
    const result = await listSessions(undefined);

    expect(result.statusCode).toBe(401);
    expect(result.body).toEqual(problemBody(401, NO_CALLER));
  });
});

describe('DELETE /sessions/{sessionId}', () => {
  test('deletes a live session with 204, then answers 404', async () => {
    // GIVEN a live session
    const created = await createSession('judy');

    // WHEN its owner deletes it
    const result = await deleteSession('judy', created.body.sessionId);

    // THEN it is gone, and a second delete finds nothing
    expect(result).toEqual({ statusCode: 204, headers: {}, body: undefined });
    expect(await storedSession('judy', created.body.sessionId)).toBeUndefined();
    const again = await deleteSession('judy', created.body.sessionId);
    expect(again.statusCode).toBe(404);
    expect(again.body).toEqual(problemBody(404, `session "${created.body.sessionId}" does not exist`));
  });

  test("answers 404 for another caller's session and keeps it", async () => {
    const created = await createSession('judy');

    const result = await deleteSession('mallory', created.body.sessionId);

    expect(result.statusCode).toBe(404);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON });
    expect(result.body).toEqual(problemBody(404, `session "${created.body.sessionId}" does not exist`));
    expect(await storedSession('judy', created.body.sessionId)).toEqual(expect.objectContaining(created.body));
  });

  test('answers 404 for an expired session and leaves it to TTL', async () => {
    const sessionId = await putSession('judy', epochSeconds() - 1);

    const result = await deleteSession('judy', sessionId);

    expect(result.statusCode).toBe(404);
    expect(await storedSession('judy', sessionId)).toBeDefined();
  });

  test('answers 400 to a malformed session id', async () => {
    const result = await deleteSession('judy', 'all');

    expect(result.statusCode).toBe(400);
    expect(result.body.errors).toEqual([{ field: 'path.sessionId', message: SESSION_ID_RULE }]);
  });

  test('answers 401 without a sub claim', async () => {
    const result = await deleteSession(undefined, randomUUID());

    expect(result.statusCode).toBe(401);
    expect(result.body).toEqual(problemBody(401, NO_CALLER));
  });
});

describe('a session item without an expiry', () => {
  // A session must never live forever by accident: an item without a numeric expiry (written by a bug or by
  // hand) is not a session, for reads, lists and deletes alike.
  test('reads as missing', async () => {
    const sessionId = await putSession('kate', undefined);

    const result = await getSession('kate', sessionId);

    expect(result.statusCode).toBe(404);
    expect(result.body).toEqual(problemBody(404, `session "${sessionId}" does not exist`));
  });

  test('is left out of the list', async () => {
    const live = await createSession('kate-list');
    await putSession('kate-list', undefined);

    const result = await listSessions('kate-list');

    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({ items: [live.body] });
  });

  test('cannot be deleted through the API', async () => {
    const sessionId = await putSession('kate', undefined);

    const result = await deleteSession('kate', sessionId);

    expect(result.statusCode).toBe(404);
    expect(await storedSession('kate', sessionId)).toBeDefined();
  });
});

describe('sessions handler', () => {
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
