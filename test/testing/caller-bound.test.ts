/**
 * Caller-bound partitions, end to end on the local API: the toolkit takes a session of the function's caller role
 * from the local STS, tagged with the verified caller, and the local table holds that session to the caller's own
 * partition, as IAM does.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, CallerAttribute, ServerlessApi } from '../../src';
import { LocalApi } from '../../src/testing';
import { jwt } from '../helpers/api';

const RUNTIME = path.join(__dirname, '..', '..', 'src', 'runtime');

/** Notes of the caller, and three ways a buggy handler could try to reach another user's. */
const HANDLER = `
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { apiHandler, created, ok, route, Table, requireCaller } from ${JSON.stringify(RUNTIME)};
const table = Table.fromEnvironment();
const putNote = table.item('putNote');
const getNote = table.item('getNote');
const listNotes = table.query('listNotes');
const nameOf = (e: unknown) => (e as Error).name;
export const handler = apiHandler({
  table,
  routes: {
    'PUT /notes/{noteId}': route({
      handle: async ({ params }) => created(await putNote.create({ noteId: String(params.noteId) }, { text: 'hi' })),
    }),
    'GET /notes': route({ handle: async () => ok(await listNotes.page({})) }),
    // A bug: the user id comes from the path, not from the caller.
    'GET /users/{userId}/notes/{noteId}': route({
      handle: async ({ params }) => ok(await getNote.get({ userId: String(params.userId), noteId: String(params.noteId) })),
    }),
    // A worse bug: the caller's session, but a key built by hand for someone else.
    'GET /raw/{userId}': route({
      handle: async ({ params, principal }) => {
        const client = await table.callerClient({ userId: requireCaller(principal).id });
        try {
          await client.send(new GetCommand({ TableName: table.config.tableName, Key: { PK: 'USER#' + params.userId, SK: 'NOTE#n1' } }));
          return ok({ read: true });
        } catch (e) { return ok({ error: nameOf(e) }); }
      },
    }),
    // The function's own role, on any user's key.
    'GET /own-role/{userId}': route({
      handle: async ({ params }) => {
        try {
          await table.client.send(new GetCommand({ TableName: table.config.tableName, Key: { PK: 'USER#' + params.userId, SK: 'NOTE#n1' } }));
          return ok({ read: true });
        } catch (e) { return ok({ error: nameOf(e) }); }
      },
    }),
  },
});
`;

describe('GIVEN an app whose notes are bound to the caller, served by the local API', () => {
  let dir: string;
  let api: LocalApi;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caller-bound-'));
    const entry = path.join(dir, 'notes.ts');
    fs.writeFileSync(entry, HANDLER);
    const app = new App({ outdir: path.join(dir, 'cdk.out'), postCliContext: { 'aws:cdk:bundling-stacks': ['**'] } });
    const stack = new Stack(app, 'Notes');
    const note = {
      partitionKey: 'USER#{userId}',
      sortKey: 'NOTE#{noteId}',
      callerBound: { userId: CallerAttribute.id() },
    };
    new ServerlessApi(stack, 'Api', {
      authorization: jwt(),
      accessPatterns: {
        putNote: AccessPattern.putItem(note),
        getNote: AccessPattern.getItem(note),
        listNotes: AccessPattern.query({
          partitionKey: 'USER#{userId}',
          sortKeyPrefix: 'NOTE#',
          callerBound: note.callerBound,
        }),
      },
      functions: {
        notes: {
          entry,
          accessPatterns: ['putNote', 'getNote', 'listNotes'],
          routes: [
            { method: HttpMethod.PUT, path: '/notes/{noteId}' },
            { method: HttpMethod.GET, path: '/notes' },
            { method: HttpMethod.GET, path: '/users/{userId}/notes/{noteId}' },
            { method: HttpMethod.GET, path: '/raw/{userId}' },
            { method: HttpMethod.GET, path: '/own-role/{userId}' },
          ],
        },
      },
    });
    api = await LocalApi.start({ app });
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = async (sub: string, method: string, route: string) => {
    const res = await fetch(`${api.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${await api.token({ sub })}` },
    });
    return { status: res.status, body: (await res.json()) as { [key: string]: any } };
  };

  test('WHEN alice and bob write notes THEN each lands in its own partition, written with a tagged session of the caller role', async () => {
    const { calls } = await api.table.record(async () => {
      expect((await call('alice', 'PUT', '/notes/n1')).status).toBe(201);
      expect((await call('bob', 'PUT', '/notes/n1')).status).toBe(201);
    });
    const keys = (await api.table.items()).map((item) => `${item.PK} ${item.SK}`).sort();
    expect(keys).toEqual(['USER#alice NOTE#n1', 'USER#bob NOTE#n1']);
    // Signed with session keys the local STS handed out, not with the function's own key.
    expect(calls.map((c) => [c.function, c.operation, c.status, c.accessKeyId.startsWith('ASIA')])).toEqual([
      ['notes', 'PutItem', 200, true],
      ['notes', 'PutItem', 200, true],
    ]);
    expect(calls[0].accessKeyId).not.toBe(calls[1].accessKeyId);
  });

  test('WHEN alice lists her notes THEN she sees her own only', async () => {
    const list = await call('alice', 'GET', '/notes');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
  });

  test("WHEN a handler passes bob's id from the path THEN the toolkit answers 403 before anything is sent", async () => {
    const { result, calls } = await api.table.record(() => call('alice', 'GET', '/users/bob/notes/n1'));
    expect(result.status).toBe(403);
    expect(result.body.detail).toBe('`userId` is bound to the caller: the caller may reach only its own, got: "bob"');
    expect(calls).toEqual([]);
    expect((await call('alice', 'GET', '/users/alice/notes/n1')).status).toBe(200);
  });

  test("WHEN a handler builds bob's key by hand on alice's session THEN IAM denies it; on alice's own key it allows it", async () => {
    expect((await call('alice', 'GET', '/raw/bob')).body).toEqual({ error: 'AccessDeniedException' });
    expect((await call('alice', 'GET', '/raw/alice')).body).toEqual({ read: true });
    const denied = api.logs.filter((line) => line.includes('DENIED') && line.includes('USER#bob'));
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0]).toContain('"userId":"alice"');
  });

  test("WHEN the function's own role reaches for any user's key THEN IAM denies it: only the caller role holds USER#", async () => {
    expect((await call('alice', 'GET', '/own-role/alice')).body).toEqual({ error: 'AccessDeniedException' });
    expect((await call('alice', 'GET', '/own-role/bob')).body).toEqual({ error: 'AccessDeniedException' });
  });

  test('WHEN alice calls again THEN her cached session serves her (the same session key); bob keeps his own', async () => {
    const { calls } = await api.table.record(() => call('alice', 'GET', '/notes'));
    const { calls: again } = await api.table.record(() => call('alice', 'GET', '/notes'));
    const { calls: bob } = await api.table.record(() => call('bob', 'GET', '/notes'));
    expect(again[0].accessKeyId).toBe(calls[0].accessKeyId);
    expect(bob[0].accessKeyId).not.toBe(calls[0].accessKeyId);
  });
});
