/**
 * No answer of the example shows how its table stores things: the example's three functions, loaded in this
 * process with their stack's environment, are called on every route, through successes, replays and refusals,
 * and every body and header is searched for key attributes, key values and the toolkit's bookkeeping.
 */
import { createHmac } from 'crypto';
import {
  httpEvent,
  invoke,
  loadHandler,
  startExampleSecrets,
  startExampleTable,
  WEBHOOK_SECRET,
  type ExampleHandler,
  type ExampleSecrets,
  type ParsedResult,
} from './task-board';
import { WEBHOOK_SIGNATURE_HEADER } from '../../integ/task-board/handlers/lib/webhook-signature';
import type { LocalTable } from '../helpers/local-dynamodb';

/** Attribute names only the table knows: its keys and the toolkit's bookkeeping. */
const STORAGE_ATTRIBUTES = ['PK', 'SK', '_writeId', 'version', 'entityType'];
/** The literal prefixes of the example's key shapes: a value starting with one is a storage key. */
const KEY_PREFIXES = /^(PROJECT|TASK|USER|SESSION|WEBHOOK|EVENT|IDEMPOTENCY|RATE|WINDOW)#/;

let table: LocalTable;
let secrets: ExampleSecrets;
let handlers: { [fn in 'tasks' | 'sessions' | 'webhooks']: ExampleHandler };

beforeAll(async () => {
  table = await startExampleTable();
  secrets = await startExampleSecrets();
  handlers = {
    tasks: loadHandler('tasks'),
    sessions: loadHandler('sessions'),
    webhooks: loadHandler('webhooks', secrets.environment),
  };
}, 60_000); // synthesizes the example stack and loads its handlers: slow on a busy machine

afterAll(async () => {
  await secrets?.close();
  await table?.close();
});

/** Every place in a parsed body where a storage attribute or key value shows, as a path. */
function storageKeysIn(value: unknown, path = 'body'): string[] {
  if (typeof value === 'string') return KEY_PREFIXES.test(value) ? [`${path} = ${value}`] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([name, member]) => [
    ...(STORAGE_ATTRIBUTES.includes(name) ? [`${path}.${name}`] : []),
    ...storageKeysIn(member, `${path}.${name}`),
  ]);
}

function signed(body: string) {
  return { [WEBHOOK_SIGNATURE_HEADER]: createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex') };
}

describe('the example', () => {
  it('answers every route, successes, replays and refusals alike, without a storage key or bookkeeping attribute', async () => {
    // GIVEN a caller using every route of the three functions, as a client would
    const answers: { [call: string]: ParsedResult } = {};
    const call = async (name: string, fn: keyof typeof handlers, event: unknown) => {
      answers[name] = await invoke(handlers[fn], event);
      return answers[name];
    };
    const sub = 'storage-keys-user';
    const project = { projectId: 'storage-keys' };
    const task = (taskId: string) => JSON.stringify({ taskId, title: `Task ${taskId}` });
    const keyed = { 'idempotency-key': 'storage-keys-create' };

    await call(
      'create',
      'tasks',
      httpEvent('POST /projects/{projectId}/tasks', { pathParameters: project, body: task('a'), sub }),
    );
    await call(
      'create with a key',
      'tasks',
      httpEvent('POST /projects/{projectId}/tasks', { pathParameters: project, body: task('b'), headers: keyed, sub }),
    );
    await call(
      'replayed create',
      'tasks',
      httpEvent('POST /projects/{projectId}/tasks', { pathParameters: project, body: task('b'), headers: keyed, sub }),
    );
    await call(
      'create again (409)',
      'tasks',
      httpEvent('POST /projects/{projectId}/tasks', { pathParameters: project, body: task('a'), sub }),
    );
    await call(
      'list',
      'tasks',
      httpEvent('GET /projects/{projectId}/tasks', {
        pathParameters: project,
        queryStringParameters: { limit: '1' },
        sub,
      }),
    );
    await call(
      'complete',
      'tasks',
      httpEvent('POST /projects/{projectId}/tasks/{taskId}/complete', {
        pathParameters: { ...project, taskId: 'a' },
        headers: { 'if-match': '"1"' },
        sub,
      }),
    );
    await call(
      'complete again (409)',
      'tasks',
      httpEvent('POST /projects/{projectId}/tasks/{taskId}/complete', {
        pathParameters: { ...project, taskId: 'a' },
        sub,
      }),
    );
    await call(
      'complete stale (412)',
      'tasks',
      httpEvent('POST /projects/{projectId}/tasks/{taskId}/complete', {
        pathParameters: { ...project, taskId: 'b' },
        headers: { 'if-match': '"5"' },
        sub,
      }),
    );
    await call(
      'complete missing (404)',
      'tasks',
      httpEvent('POST /projects/{projectId}/tasks/{taskId}/complete', {
        pathParameters: { ...project, taskId: 'z' },
        sub,
      }),
    );
    const session = await call('create session', 'sessions', httpEvent('POST /sessions', { sub }));
    const sessionPath = { sessionId: session.body.sessionId };
    await call('list sessions', 'sessions', httpEvent('GET /sessions', { sub }));
    await call('get session', 'sessions', httpEvent('GET /sessions/{sessionId}', { pathParameters: sessionPath, sub }));
    await call(
      'delete session',
      'sessions',
      httpEvent('DELETE /sessions/{sessionId}', { pathParameters: sessionPath, sub }),
    );
    await call(
      'get deleted session (404)',
      'sessions',
      httpEvent('GET /sessions/{sessionId}', { pathParameters: sessionPath, sub }),
    );
    const delivery = JSON.stringify({ id: 'evt_storage_keys', type: 'task.created' });
    const webhook = { pathParameters: { provider: 'acme' }, body: delivery, headers: signed(delivery) };
    await call('webhook', 'webhooks', httpEvent('POST /webhooks/{provider}', webhook));
    await call('webhook again (replayed)', 'webhooks', httpEvent('POST /webhooks/{provider}', webhook));

    // THEN each was answered as the route intends
    expect(Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, answer.statusCode]))).toEqual({
      create: 201,
      'create with a key': 201,
      'replayed create': 201,
      'create again (409)': 409,
      list: 200,
      complete: 200,
      'complete again (409)': 409,
      'complete stale (412)': 412,
      'complete missing (404)': 404,
      'create session': 201,
      'list sessions': 200,
      'get session': 200,
      'delete session': 204,
      'get deleted session (404)': 404,
      webhook: 202,
      'webhook again (replayed)': 202,
    });
    // AND none shows a storage key or bookkeeping attribute, in its body or its headers
    const shown = Object.entries(answers).flatMap(([name, answer]) => [
      ...storageKeysIn(answer.body).map((where) => `${name}: ${where}`),
      ...Object.entries(answer.headers)
        .filter(([, value]) => KEY_PREFIXES.test(value) || /PROJECT#|USER#|IDEMPOTENCY#/.test(value))
        .map(([header, value]) => `${name}: header ${header} = ${value}`),
    ]);
    expect(shown).toEqual([]);
    // AND a single task travels with its version as a strong ETag, the list's tasks each with their own
    expect([answers.create.headers.etag, answers.complete.headers.etag]).toEqual(['"1"', '"2"']);
    expect(answers['replayed create'].headers.etag).toBe('"1"');
    expect(answers.list.headers.etag).toBeUndefined();
    expect(answers.list.body.items).toEqual([expect.objectContaining({ taskId: 'a', etag: '"1"' })]);
  });
});
