import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  epochSeconds,
  httpEvent,
  invoke,
  requireHandler,
  startLocalTable,
  TABLE_NAME,
  withEnv,
  type HttpApiHandler,
  type LocalTable,
} from './local-table';
import { TABLE_TTL_ATTRIBUTE_ENV } from '../../src/shared/env';

const SEVEN_DAYS_SECONDS = 7 * 24 * 60 * 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NO_SUB = { message: 'the request carries no `sub` claim: this route needs a signed-in caller' };

let table: LocalTable;
let handler: HttpApiHandler;

beforeAll(async () => {
  table = await startLocalTable();
  handler = requireHandler('sessions');
});

afterAll(async () => {
  await table.close();
});

function createSession(sub: string | undefined) {
  return invoke(handler, httpEvent('POST /sessions', { sub }));
}

function getSession(sub: string | undefined, sessionId: string) {
  return invoke(handler, httpEvent('GET /sessions/{sessionId}', { pathParameters: { sessionId }, sub }));
}

function listSessions(sub: string | undefined) {
  return invoke(handler, httpEvent('GET /sessions', { sub }));
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

/** Writes a session directly, as if TTL had not yet deleted it. */
async function putSession(sub: string, sessionId: string, expiresAt: number | undefined) {
  await table.put({
    PK: `USER#${sub}`,
    SK: `SESSION#${sessionId}`,
    entityType: 'Session',
    sessionId,
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt,
  });
}

describe('POST /sessions', () => {
  test('creates a session of the caller that expires in 7 days, in epoch seconds', async () => {
    const before = epochSeconds();

    const result = await createSession('alice');

    const after = epochSeconds();
    expect(result.statusCode).toBe(201);
    expect(result.body).toEqual({
      sessionId: expect.stringMatching(UUID),
      createdAt: expect.any(String),
      expiresAt: expect.any(Number),
    });
    expect(result.body.expiresAt).toBeGreaterThanOrEqual(before + SEVEN_DAYS_SECONDS);
    expect(result.body.expiresAt).toBeLessThanOrEqual(after + SEVEN_DAYS_SECONDS);
    expect(await storedSession('alice', result.body.sessionId)).toEqual({
      PK: 'USER#alice',
      SK: `SESSION#${result.body.sessionId}`,
      entityType: 'Session',
      ...result.body,
    });
  });

  test('creates a new session on every call', async () => {
    const first = await createSession('bob');
    const second = await createSession('bob');

    expect(second.statusCode).toBe(201);
    expect(second.body.sessionId).not.toBe(first.body.sessionId);
  });

  test('answers 401 without a sub claim and writes nothing', async () => {
    const before = await table.items();

    const result = await createSession(undefined);

    expect(result).toMatchObject({ statusCode: 401, body: NO_SUB });
    expect(await table.items()).toEqual(before);
  });
});

describe('GET /sessions/{sessionId}', () => {
  test('returns a live session of the caller', async () => {
    const created = await createSession('carol');

    const result = await getSession('carol', created.body.sessionId);

    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual(created.body);
  });

  test("answers 404 for another caller's session", async () => {
    const created = await createSession('carol');

    const result = await getSession('mallory', created.body.sessionId);

    expect(result.statusCode).toBe(404);
    expect(result.body).toEqual({ message: `session "${created.body.sessionId}" not found` });
  });

  test('answers 404 for a session that does not exist', async () => {
    const result = await getSession('carol', 'missing');

    expect(result).toMatchObject({ statusCode: 404, body: { message: 'session "missing" not found' } });
  });

  test.each([
    ['expired an hour ago', -3600],
    ['expiring this second', 0],
  ])('answers 404 for a session %s that TTL has not deleted yet', async (_, offsetSeconds) => {
    await putSession('dave', `expired${offsetSeconds}`, epochSeconds() + offsetSeconds);

    const result = await getSession('dave', `expired${offsetSeconds}`);

    expect(result.statusCode).toBe(404);
    expect(await storedSession('dave', `expired${offsetSeconds}`)).toBeDefined();
  });

  test('answers 404 for a session item without an expiry', async () => {
    await putSession('dave', 'no-expiry', undefined);

    expect((await getSession('dave', 'no-expiry')).statusCode).toBe(404);
  });

  test('returns a session written directly that expires in a minute', async () => {
    const expiresAt = epochSeconds() + 60;
    await putSession('dave', 'live', expiresAt);

    const result = await getSession('dave', 'live');

    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({ sessionId: 'live', createdAt: '2026-01-01T00:00:00.000Z', expiresAt });
  });

  test('answers 401 without a sub claim', async () => {
    expect(await getSession(undefined, 'live')).toMatchObject({ statusCode: 401, body: NO_SUB });
  });
});

describe('GET /sessions', () => {
  test("returns the caller's live sessions only", async () => {
    const first = await createSession('erin');
    const second = await createSession('erin');
    await putSession('erin', 'expired', epochSeconds() - 1);
    await putSession('erin', 'no-expiry', undefined);
    await createSession('frank');

    const result = await listSessions('erin');

    expect(result.statusCode).toBe(200);
    const byId = (a: { sessionId: string }, b: { sessionId: string }) => a.sessionId.localeCompare(b.sessionId);
    expect(result.body.items.sort(byId)).toEqual([first.body, second.body].sort(byId));
  });

  test('returns an empty list for a caller without sessions', async () => {
    expect(await listSessions('nobody')).toMatchObject({ statusCode: 200, body: { items: [] } });
  });

  test('answers 401 without a sub claim', async () => {
    expect(await listSessions(undefined)).toMatchObject({ statusCode: 401, body: NO_SUB });
  });
});

describe('DELETE /sessions/{sessionId}', () => {
  test('deletes a live session with 204, then answers 404', async () => {
    const created = await createSession('grace');

    const result = await deleteSession('grace', created.body.sessionId);

    expect(result).toEqual({ statusCode: 204, headers: undefined, body: undefined });
    expect(await storedSession('grace', created.body.sessionId)).toBeUndefined();
    expect((await deleteSession('grace', created.body.sessionId)).statusCode).toBe(404);
  });

  test("answers 404 for another caller's session and keeps it", async () => {
    const created = await createSession('grace');

    const result = await deleteSession('mallory', created.body.sessionId);

    expect(result.statusCode).toBe(404);
    expect(result.body).toEqual({ message: `session "${created.body.sessionId}" not found` });
    expect(await storedSession('grace', created.body.sessionId)).toBeDefined();
  });

  test('answers 404 for an expired session and leaves it to TTL', async () => {
    await putSession('grace', 'expired', epochSeconds() - 1);

    const result = await deleteSession('grace', 'expired');

    expect(result.statusCode).toBe(404);
    expect(await storedSession('grace', 'expired')).toBeDefined();
  });

  test('answers 401 without a sub claim', async () => {
    expect(await deleteSession(undefined, 'any')).toMatchObject({ statusCode: 401, body: NO_SUB });
  });
});

describe('sessions handler', () => {
  test('answers 404 to a route it does not serve', async () => {
    const result = await invoke(handler, httpEvent('PUT /sessions/{sessionId}', { sub: 'alice' }));

    expect(result).toMatchObject({
      statusCode: 404,
      body: { message: 'no route matches "PUT /sessions/{sessionId}"' },
    });
  });

  test('fails at cold start when the TTL attribute is not configured', async () => {
    await withEnv({ [TABLE_TTL_ATTRIBUTE_ENV]: undefined }, () => {
      jest.isolateModules(() => {
        expect(() => requireHandler('sessions')).toThrow(
          `environment variable ${TABLE_TTL_ATTRIBUTE_ENV} is not set: ServerlessApi sets it on every route function`,
        );
      });
    });
  });
});
