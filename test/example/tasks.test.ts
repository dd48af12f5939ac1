/**
 * The tasks function of the example, over HTTP through the local API: its real bundle behind the gateway's routes
 * and JWT authorizer, called with dev tokens, its table calls checked against its IAM role. The tests at the end
 * invoke the handler in this process instead, each block saying what only that can give.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { BASE64_JSON, problemOf, request, startExample, type HttpResult } from './example-api';
import {
  httpEvent,
  invoke,
  loadHandler,
  PROBLEM_JSON,
  problemBody,
  startExampleTable,
  TABLE_NAME,
  type ExampleHandler,
} from './task-board';
import {
  TABLE_ACCESS_PATTERNS_ENV,
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from '../../src/shared/env';
import type { LocalApi, LocalTableCall } from '../../src/testing';
import { TEST_EPOCH_MS, TestClock } from '../helpers/clock';
import type { LocalTable } from '../helpers/local-dynamodb';

const LIST = 'GET /projects/{projectId}/tasks';
const CREATE = 'POST /projects/{projectId}/tasks';
const COMPLETE = 'POST /projects/{projectId}/tasks/{taskId}/complete';
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const JSON_TYPE = 'application/json';
const MALFORMED_CURSOR =
  '`cursor` is not one this list issued: pass back the `nextCursor` of the previous page unchanged';
const ID_RULE = 'must be 1 to 64 letters, digits, "_" or "-"';
const KEY_REUSED =
  'this idempotency key was used with another request (method, path or body): use a new key for a new request';
/** The `ratelimit-*` headers of an admitted request: the tasks function allows 300 requests a minute per caller. */
const RATE_LIMITED = {
  'ratelimit-limit': '300',
  'ratelimit-remaining': expect.stringMatching(/^\d+$/),
  'ratelimit-reset': expect.stringMatching(/^([1-9]|[1-5]\d|60)$/),
};

let api: LocalApi;

beforeAll(async () => {
  api = await startExample();
}, 60_000); // synthesizes and bundles the example stack: slow on a busy machine

afterAll(async () => {
  await api?.stop();
});

interface CallOptions {
  /** The caller's `sub` claim. Each describe uses its own caller. */
  readonly sub?: string;
  readonly headers?: Record<string, string>;
}

const projectPath = (projectId: string) => `/projects/${encodeURIComponent(projectId)}/tasks`;

function create(projectId: string, body: unknown, options: CallOptions & { readonly key?: string } = {}) {
  const headers = { ...options.headers, ...(options.key === undefined ? {} : { 'idempotency-key': options.key }) };
  return request(api, 'POST', projectPath(projectId), {
    sub: options.sub ?? 'creator',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers,
  });
}

function list(projectId: string, query?: Record<string, string>, sub = 'lister') {
  return request(api, 'GET', projectPath(projectId), { sub, query });
}

function complete(projectId: string, taskId: string, options: CallOptions & { readonly ifMatch?: string } = {}) {
  const headers = { ...options.headers, ...(options.ifMatch === undefined ? {} : { 'if-match': options.ifMatch }) };
  return request(api, 'POST', `${projectPath(projectId)}/${encodeURIComponent(taskId)}/complete`, {
    sub: options.sub ?? 'completer',
    headers,
  });
}

function storedTask(projectId: string, taskId: string) {
  return api.table.get({ PK: `PROJECT#${projectId}`, SK: `TASK#${taskId}` });
}

async function itemsOfProject(projectId: string) {
  return (await api.table.items()).filter((item) => item.PK === `PROJECT#${projectId}`);
}

async function idempotencyRecords() {
  return (await api.table.items()).filter((item) => String(item.PK).startsWith('IDEMPOTENCY#tasks#'));
}

function taskIds(result: HttpResult) {
  return (result.body.items as { taskId: string }[]).map((task) => task.taskId);
}

/** Who made each table call, which operation, and what the table answered: the calls' order and count. */
function callsMade(calls: readonly LocalTableCall[]) {
  return calls.map((call) => [call.function, call.operation, call.status]);
}

/** Rewrites the key inside a cursor, keeping everything else (its binding to the list) as issued. */
function editCursor(cursor: string, edit: (key: Record<string, unknown>) => Record<string, unknown>): string {
  const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  return Buffer.from(JSON.stringify({ ...decoded, k: edit(decoded.k) }), 'utf8').toString('base64url');
}

describe('GET /projects/{projectId}/tasks', () => {
  beforeAll(async () => {
    // GIVEN three tasks of project "list", created out of key order, next to items the query must not return
    for (const taskId of ['c', 'a', 'b']) {
      expect((await create('list', { taskId, title: `Task ${taskId}` })).status).toBe(201);
    }
    await api.table.put({ PK: 'PROJECT#list', SK: 'META', entityType: 'Project' });
    await api.table.put({ PK: 'PROJECT#list-other', SK: 'TASK#a', entityType: 'Task', taskId: 'a', title: 'Other' });
    await api.table.put({ PK: 'PROJECT#list-other', SK: 'TASK#b', entityType: 'Task', taskId: 'b', title: 'Other' });
    await api.table.put({ PK: 'PROJECT#other', SK: 'TASK#x', entityType: 'Task', taskId: 'x', title: 'Other' });
  });

  test('returns only the project tasks, in task id order, without storage keys', async () => {
    // WHEN the project's tasks are listed
    const result = await list('list');

    // THEN exactly its three tasks come back, as the API shows them
    expect(result.status).toBe(200);
    expect(result.headers).toEqual({ 'content-type': JSON_TYPE, ...RATE_LIMITED });
    expect(result.body).toEqual({
      items: ['a', 'b', 'c'].map((taskId) => ({
        taskId,
        title: `Task ${taskId}`,
        status: 'OPEN',
        etag: '"1"',
        createdAt: expect.stringMatching(ISO_TIMESTAMP),
        createdBy: 'creator',
      })),
    });
  });

  test('pages with an opaque cursor until the last page, which has no cursor', async () => {
    // WHEN the first page of two is read
    const first = await list('list', { limit: '2' });

    // THEN it holds the first two tasks and a URL-safe cursor
    expect(first.status).toBe(200);
    expect(taskIds(first)).toEqual(['a', 'b']);
    expect(first.body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);

    // WHEN the cursor is passed back
    const second = await list('list', { limit: '2', cursor: first.body.nextCursor });

    // THEN the last task comes back, without a cursor
    expect(second.status).toBe(200);
    expect(taskIds(second)).toEqual(['c']);
    expect(second.body).not.toHaveProperty('nextCursor');
  });

  test('returns 25 tasks per page by default', async () => {
    // GIVEN 26 tasks in one project
    for (let i = 0; i < 26; i++) {
      const taskId = `t${String(i).padStart(2, '0')}`;
      await api.table.put({ PK: 'PROJECT#many', SK: `TASK#${taskId}`, entityType: 'Task', taskId, title: taskId });
    }

    // WHEN they are listed without a limit, then from the cursor
    const first = await list('many');
    const second = await list('many', { cursor: first.body.nextCursor });

    // THEN the first page holds 25 of them and the second the last one
    expect(first.body.items).toHaveLength(25);
    expect(first.body.nextCursor).toBeDefined();
    expect(taskIds(second)).toEqual(['t25']);
    expect(second.body).not.toHaveProperty('nextCursor');
  });

  test('returns an empty list for a project without tasks', async () => {
    const result = await list('empty');

    expect(result.status).toBe(200);
    expect(result.body).toEqual({ items: [] });
  });

  test('rejects a cursor issued for another project with 400', async () => {
    // GIVEN a cursor of project "list-other"
    const other = await list('list-other', { limit: '1' });
    expect(other.body.nextCursor).toBeDefined();

    // WHEN it is passed to project "list"
    const result = await list('list', { cursor: other.body.nextCursor });

    // THEN it is refused as a problem document naming the field
    expect(result.status).toBe(400);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON, ...RATE_LIMITED });
    expect(result.body).toEqual(
      problemOf(result, 400, '`cursor` belongs to another list: start again without a cursor', {
        errors: [{ field: 'cursor', message: 'issued for another list' }],
      }),
    );
  });

  test.each([
    ['another partition', (key: Record<string, unknown>) => ({ ...key, PK: 'PROJECT#other' })],
    ['a key outside the task range', (key: Record<string, unknown>) => ({ ...key, SK: 'META' })],
    ['an extra attribute', (key: Record<string, unknown>) => ({ ...key, x: 1 })],
    ['a non-scalar key', (key: Record<string, unknown>) => ({ ...key, SK: { S: 'TASK#a' } })],
  ])('rejects an issued cursor edited to point at %s with 400', async (_, edit) => {
    // GIVEN a cursor this list issued, whose key is then edited
    const issued = await list('list', { limit: '1' });
    const cursor = editCursor(issued.body.nextCursor, edit);

    // WHEN it is passed back
    const { result, calls } = await api.table.record(() => list('list', { cursor }));

    // THEN the list refuses it rather than querying from the edited key: the request is counted, nothing is read
    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(result, 400, MALFORMED_CURSOR, {
        errors: [{ field: 'cursor', message: 'not a cursor this list issued' }],
      }),
    );
    expect(callsMade(calls)).toEqual([['tasks', 'UpdateItem', 200]]);
  });

  test.each([
    ['not base64url JSON', 'not-a-cursor'],
    ['padded base64', 'abc='],
    ['a JSON array', Buffer.from('[1,2]').toString('base64url')],
    ['a bare key without version or binding', Buffer.from('{"PK":"PROJECT#list","SK":"TASK#a"}').toString('base64url')],
    ['too long', 'a'.repeat(2049)],
  ])('rejects a cursor that is %s with 400', async (_, cursor) => {
    const result = await list('list', { cursor });

    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(result, 400, MALFORMED_CURSOR, {
        errors: [{ field: 'cursor', message: 'not a cursor this list issued' }],
      }),
    );
  });

  test.each([
    ['0', 'Too small: expected number to be >=1'],
    ['101', 'Too big: expected number to be <=100'],
    ['-1', 'Too small: expected number to be >=1'],
    ['2.5', 'Invalid input: expected int, received number'],
    ['ten', 'Invalid input: expected number, received NaN'],
    ['', 'Too small: expected number to be >=1'],
  ])('rejects limit=%p with 400 naming query.limit', async (limit, message) => {
    const result = await list('list', { limit });

    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(result, 400, `the request query is invalid: \`query.limit\`: ${message}`, {
        errors: [{ field: 'query.limit', message }],
      }),
    );
  });

  test.each(['1', '100'])('accepts limit=%p', async (limit) => {
    const result = await list('list', { limit });

    expect(result.status).toBe(200);
    expect(result.body.items).toHaveLength(Math.min(Number(limit), 3));
  });

  test('reads the table with one Query of the project partition and task range, never a Scan', async () => {
    // WHEN the project's tasks are listed while the table records the function's calls
    const { result, calls } = await api.table.record(() => list('list'));

    // THEN the function counted the request, then ran a single Query bounded to the project and its tasks
    expect(result.status).toBe(200);
    expect(callsMade(calls)).toEqual([
      ['tasks', 'UpdateItem', 200],
      ['tasks', 'Query', 200],
    ]);
    expect(calls[0].input).toMatchObject({ Key: { PK: { S: expect.stringMatching(/^RATE#tasks#/) } } });
    const query = calls[1].input;
    expect(query).toMatchObject({
      TableName: api.table.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
      ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
      Limit: 25,
    });
    const values = query.ExpressionAttributeValues as { [name: string]: unknown };
    expect(values[':pk']).toEqual({ S: 'PROJECT#list' });
    expect(values[':sk']).toEqual({ S: 'TASK#' });
    expect(query).not.toHaveProperty('IndexName');
  });

  test('rejects a malformed project id with 400 before reading the table', async () => {
    const { result, calls } = await api.table.record(() => list('no#hash'));

    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(result, 400, `the request path is invalid: \`path.projectId\`: ${ID_RULE}`, {
        errors: [{ field: 'path.projectId', message: ID_RULE }],
      }),
    );
    expect(callsMade(calls)).toEqual([['tasks', 'UpdateItem', 200]]);
  });
});

describe('POST /projects/{projectId}/tasks', () => {
  test('creates an open task at version 1 and answers 201 with it', async () => {
    const before = Date.now();

    // WHEN a task is created
    const result = await create('create', { taskId: 'task-1', title: 'Write handlers' });

    // THEN it is answered with the task and its entity tag, and stored as answered, at version 1
    expect(result.status).toBe(201);
    expect(result.headers).toEqual({
      'content-type': JSON_TYPE,
      etag: '"1"',
      ...RATE_LIMITED,
    });
    expect(result.body).toEqual({
      taskId: 'task-1',
      title: 'Write handlers',
      status: 'OPEN',
      etag: '"1"',
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      createdBy: 'creator',
    });
    expect(Date.parse(result.body.createdAt)).toBeGreaterThanOrEqual(before);
    const { etag: _etag, ...shown } = result.body;
    expect(await storedTask('create', 'task-1')).toEqual({
      PK: 'PROJECT#create',
      SK: 'TASK#task-1',
      entityType: 'Task',
      version: 1,
      _writeId: expect.any(String),
      ...shown,
    });
  });

  test('trims the title', async () => {
    const result = await create('create', { taskId: 'trimmed', title: '  Padded  ' });

    expect(result.status).toBe(201);
    expect(result.body.title).toBe('Padded');
    expect(await storedTask('create', 'trimmed')).toMatchObject({ title: 'Padded' });
  });

  test('answers 409 to a second create of the same task and keeps the first', async () => {
    // GIVEN a task
    expect((await create('create', { taskId: 'once', title: 'First' })).status).toBe(201);
    const first = await storedTask('create', 'once');

    // WHEN another caller creates the same task id without an idempotency key
    const result = await create('create', { taskId: 'once', title: 'Second' }, { sub: 'other-creator' });

    // THEN it is a conflict, and the first task is untouched
    expect(result.status).toBe(409);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON, ...RATE_LIMITED });
    expect(result.body).toEqual(
      problemOf(result, 409, 'the item with projectId "create", taskId "once" already exists'),
    );
    expect(await storedTask('create', 'once')).toEqual(first);
  });

  test('answers with the request id API Gateway gave the request in the problem document', async () => {
    const result = await create('create', '{');

    expect(result.status).toBe(400);
    expect(result.requestId).toMatch(/^\S+$/);
    expect(result.body.requestId).toBe(result.requestId);
  });

  test('accepts the longest task id and title', async () => {
    const taskId = 'x'.repeat(64);
    const title = 't'.repeat(200);

    const result = await create('limits', { taskId, title });

    expect(result.status).toBe(201);
    expect(await storedTask('limits', taskId)).toMatchObject({ title });
  });

  test('reads a body API Gateway passes base64-encoded (a JSON media type it does not treat as text)', async () => {
    const result = await request(api, 'POST', projectPath('encoded'), {
      sub: 'creator',
      body: JSON.stringify({ taskId: 'encoded', title: 'Encoded' }),
      contentType: BASE64_JSON,
    });

    expect(result.status).toBe(201);
    expect(await storedTask('encoded', 'encoded')).toMatchObject({ title: 'Encoded' });
  });

  const expected = (type: string, received: string) => `Invalid input: expected ${type}, received ${received}`;
  test.each([
    ['taskId is missing', { title: 'T' }, [['body.taskId', expected('string', 'undefined')]]],
    ['taskId is a number', { taskId: 7, title: 'T' }, [['body.taskId', expected('string', 'number')]]],
    ['taskId has a space', { taskId: 'a b', title: 'T' }, [['body.taskId', ID_RULE]]],
    ['taskId has a "#"', { taskId: 'a#b', title: 'T' }, [['body.taskId', ID_RULE]]],
    ['taskId is too long', { taskId: 'x'.repeat(65), title: 'T' }, [['body.taskId', ID_RULE]]],
    ['title is missing', { taskId: 'a' }, [['body.title', expected('string', 'undefined')]]],
    [
      'title is empty',
      { taskId: 'a', title: '' },
      [['body.title', 'Too small: expected string to have >=1 characters']],
    ],
    [
      'title is blank',
      { taskId: 'a', title: '   ' },
      [['body.title', 'Too small: expected string to have >=1 characters']],
    ],
    [
      'title is too long',
      { taskId: 'a', title: 't'.repeat(201) },
      [['body.title', 'Too big: expected string to have <=200 characters']],
    ],
    ['title is not a string', { taskId: 'a', title: ['T'] }, [['body.title', expected('string', 'array')]]],
    ['an unknown field is sent', { taskId: 'a', title: 'T', status: 'DONE' }, [['body', 'Unrecognized key: "status"']]],
    ['the body is an array', [{ taskId: 'a', title: 'T' }], [['body', expected('object', 'array')]]],
    ['the body is null', null, [['body', expected('object', 'null')]]],
    [
      'both fields are missing',
      {},
      [
        ['body.taskId', expected('string', 'undefined')],
        ['body.title', expected('string', 'undefined')],
      ],
    ],
  ])('answers 400 when %s, naming each field, and writes nothing', async (_, body, fields) => {
    // WHEN an invalid body is sent, even with an idempotency key
    const records = await idempotencyRecords();
    const result = await create('invalid', body, { key: 'invalid-body' });

    // THEN each bad field is named, and neither a task nor an idempotency record is written
    const errors = fields.map(([field, message]) => ({ field, message }));
    const summary = errors.map((error) => `\`${error.field}\`: ${error.message}`).join('; ');
    expect(result.status).toBe(400);
    expect(result.headers['content-type']).toBe(PROBLEM_JSON);
    expect(result.body).toEqual(problemOf(result, 400, `the request body is invalid: ${summary}`, { errors }));
    expect(await itemsOfProject('invalid')).toEqual([]);
    expect(await idempotencyRecords()).toEqual(records);
  });

  test.each([
    ['malformed JSON', '{"taskId": "a", ', /^the request body is not valid JSON: /],
    ['no body', undefined, /^the request body is empty: send a JSON document$/],
    ['a blank body', '  \n', /^the request body is empty: send a JSON document$/],
  ])('answers 400 to %s and writes nothing', async (_, body, detail) => {
    const result = await request(api, 'POST', projectPath('invalid'), {
      sub: 'creator',
      body,
      contentType: JSON_TYPE,
    });

    expect(result.status).toBe(400);
    expect(result.body).toEqual(problemOf(result, 400, expect.stringMatching(detail)));
    expect(await itemsOfProject('invalid')).toEqual([]);
  });

  test('answers 400 to a malformed project id and writes nothing', async () => {
    const result = await create('no#hash', { taskId: 'a', title: 'T' });

    expect(result.status).toBe(400);
    expect(result.body.detail).toBe(`the request path is invalid: \`path.projectId\`: ${ID_RULE}`);
    expect((await api.table.items()).filter((item) => String(item.PK).includes('no#hash'))).toEqual([]);
  });
});

describe('POST /projects/{projectId}/tasks with an Idempotency-Key', () => {
  const sub = 'idempotent-creator';

  test('replays the first answer to a retry with the same key and body, running the create once', async () => {
    // GIVEN a task created with an idempotency key
    const body = { taskId: 'retried', title: 'Retried' };
    const recordsBefore = (await idempotencyRecords()).length;
    const first = await create('idempotent', body, { key: 'key-retried', sub });
    expect(first.status).toBe(201);
    const stored = await storedTask('idempotent', 'retried');

    // WHEN the client retries with the same key and body
    const retry = await create('idempotent', body, { key: 'key-retried', sub });

    // THEN it gets the first answer back, marked as a replay, and the task was written once
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers).toEqual({ ...first.headers, ...RATE_LIMITED, 'idempotent-replayed': 'true' });
    expect(first.headers).not.toHaveProperty('idempotent-replayed');
    expect(await storedTask('idempotent', 'retried')).toEqual(stored);
    expect(await itemsOfProject('idempotent')).toHaveLength(1);

    // AND one idempotency record holds the completed answer for a day
    const records = await idempotencyRecords();
    expect(records).toHaveLength(recordsBefore + 1);
    const record = records.find(
      (item) => item.status === 'COMPLETED' && JSON.parse((item.response as any).body).taskId === 'retried',
    );
    expect(record).toEqual({
      PK: expect.stringMatching(/^IDEMPOTENCY#tasks#[A-Za-z0-9_-]{43}$/),
      SK: 'RECORD',
      status: 'COMPLETED',
      fingerprint: expect.any(String),
      owner: expect.any(String),
      response: {
        statusCode: 201,
        // the ETag too: a replay is the whole first answer
        headers: { 'content-type': JSON_TYPE, etag: '"1"' },
        body: JSON.stringify(first.body),
      },
      expiresAt: expect.any(Number),
    });
    expect(record!.expiresAt).toBeGreaterThan(Date.now() / 1000 + 86_400 - 60);
    expect(record!.expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + 86_400);
  });

  test('replays a refusal too: a retry of a create that conflicted gets the same 409, marked as a replay', async () => {
    // GIVEN a task, and a keyed create of the same id that conflicted
    expect((await create('idempotent', { taskId: 'taken', title: 'First' }, { sub })).status).toBe(201);
    const conflict = await create('idempotent', { taskId: 'taken', title: 'Second' }, { key: 'key-taken', sub });
    expect(conflict.status).toBe(409);

    // WHEN it is retried with the same key
    const retry = await create('idempotent', { taskId: 'taken', title: 'Second' }, { key: 'key-taken', sub });

    // THEN the stored 409 is replayed
    expect(retry.status).toBe(409);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(conflict.body);
  });

  test('answers 422 to the same key with another body, and runs nothing', async () => {
    // GIVEN a task created with a key
    const first = await create('idempotent', { taskId: 'keyed', title: 'Keyed' }, { key: 'key-reused', sub });
    expect(first.status).toBe(201);
    const records = await idempotencyRecords();

    // WHEN the key is reused for another task
    const result = await create('idempotent', { taskId: 'other', title: 'Other' }, { key: 'key-reused', sub });

    // THEN it is refused, and neither the other task nor another record is written
    expect(result.status).toBe(422);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON, ...RATE_LIMITED });
    expect(result.body).toEqual(problemOf(result, 422, KEY_REUSED));
    expect(await storedTask('idempotent', 'other')).toBeUndefined();
    expect(await idempotencyRecords()).toEqual(records);
  });

  test('answers 422 to the same key and body sent to another project', async () => {
    const body = { taskId: 'moved', title: 'Moved' };
    expect((await create('idempotent', body, { key: 'key-moved', sub })).status).toBe(201);

    const result = await create('idempotent-2', body, { key: 'key-moved', sub });

    expect(result.status).toBe(422);
    expect(result.body.detail).toBe(KEY_REUSED);
    expect(await itemsOfProject('idempotent-2')).toEqual([]);
  });

  test('scopes keys to the caller: another caller reusing a key runs its own request', async () => {
    // GIVEN a key used by one caller
    expect((await create('idempotent', { taskId: 'mine', title: 'Mine' }, { key: 'key-shared', sub })).status).toBe(
      201,
    );

    // WHEN another caller sends the same key with its own request
    const result = await create(
      'idempotent',
      { taskId: 'theirs', title: 'Theirs' },
      { key: 'key-shared', sub: 'someone-else' },
    );

    // THEN that request runs: no replay of the first caller's answer, no 422
    expect(result.status).toBe(201);
    expect(result.headers).not.toHaveProperty('idempotent-replayed');
    expect(result.body).toMatchObject({ taskId: 'theirs', createdBy: 'someone-else' });
  });

  test.each([
    ['too long', 'k'.repeat(256), 256],
    ['holding a space', 'a b', 3],
    ['holding a non-ASCII character', 'clé', 3],
  ])('answers 400 to a key %s and writes nothing', async (_, key, length) => {
    const records = await idempotencyRecords();

    const result = await create('idempotent-bad-key', { taskId: 'k', title: 'K' }, { key, sub });

    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(
        result,
        400,
        `\`idempotency-key\` must be 1 to 255 visible ASCII characters, got ${length} characters`,
        {
          errors: [{ field: 'idempotency-key', message: '1 to 255 visible ASCII characters' }],
        },
      ),
    );
    expect(await itemsOfProject('idempotent-bad-key')).toEqual([]);
    expect(await idempotencyRecords()).toEqual(records);
  });

  test('accepts a key of 255 characters', async () => {
    const result = await create('idempotent', { taskId: 'long-key', title: 'Long key' }, { key: 'k'.repeat(255), sub });

    expect(result.status).toBe(201);
  });
});

describe('POST /projects/{projectId}/tasks/{taskId}/complete', () => {
  test('completes an open task once at version 2, then answers 409 with the current state', async () => {
    // GIVEN an open task
    const created = await create('complete', { taskId: 'task-1', title: 'Finish me' });
    const before = Date.now();

    // WHEN it is completed
    const first = await complete('complete', 'task-1');

    // THEN it is done, one version later
    expect(first.status).toBe(200);
    expect(first.headers).toEqual({ 'content-type': JSON_TYPE, etag: '"2"', ...RATE_LIMITED });
    expect(first.body).toEqual({
      ...created.body,
      status: 'DONE',
      etag: '"2"',
      completedAt: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect(Date.parse(first.body.completedAt)).toBeGreaterThanOrEqual(before);
    const stored = await storedTask('complete', 'task-1');
    const { etag: _etag, ...shown } = first.body;
    expect(stored).toEqual({
      PK: 'PROJECT#complete',
      SK: 'TASK#task-1',
      entityType: 'Task',
      version: 2,
      _writeId: expect.any(String),
      ...shown,
      // Kept with the task for its notification, which names who completed it.
      completedBy: 'completer',
    });

    // WHEN it is completed again
    const second = await complete('complete', 'task-1');

    // THEN that is a conflict carrying the state it is in, and the task is unchanged
    expect(second.status).toBe(409);
    expect(second.headers).toEqual({ 'content-type': PROBLEM_JSON, ...RATE_LIMITED });
    expect(second.body).toEqual(
      problemOf(
        second,
        409,
        'the item with projectId "complete", taskId "task-1" is not in the expected state {"status":"OPEN"}',
        { currentState: { status: 'DONE' } },
      ),
    );
    expect(await storedTask('complete', 'task-1')).toEqual(stored);
  });

  test('answers 404 for a task that does not exist, without creating it', async () => {
    const result = await complete('complete', 'missing');

    expect(result.status).toBe(404);
    expect(result.body).toEqual(
      problemOf(result, 404, 'the item with projectId "complete", taskId "missing" does not exist'),
    );
    expect(await storedTask('complete', 'missing')).toBeUndefined();
  });

  test('answers 404 for a task id that exists only in another project', async () => {
    expect((await create('complete-a', { taskId: 'shared', title: 'A' })).status).toBe(201);

    const result = await complete('complete-b', 'shared');

    expect(result.status).toBe(404);
    expect(await storedTask('complete-a', 'shared')).toMatchObject({ status: 'OPEN', version: 1 });
    expect(await itemsOfProject('complete-b')).toEqual([]);
  });

  test('answers 400 to a malformed task id', async () => {
    const result = await complete('complete', 'a b');

    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(result, 400, `the request path is invalid: \`path.taskId\`: ${ID_RULE}`, {
        errors: [{ field: 'path.taskId', message: ID_RULE }],
      }),
    );
  });

  test('answers 400 to a request body: the route takes none', async () => {
    expect((await create('complete', { taskId: 'with-body', title: 'T' })).status).toBe(201);

    const result = await request(api, 'POST', `${projectPath('complete')}/with-body/complete`, {
      sub: 'completer',
      body: '{}',
    });

    expect(result.status).toBe(400);
    expect(result.body).toEqual(problemOf(result, 400, `${COMPLETE} takes no request body: send none`));
    expect(await storedTask('complete', 'with-body')).toMatchObject({ status: 'OPEN', version: 1 });
  });
});

describe('POST /projects/{projectId}/tasks/{taskId}/complete with If-Match', () => {
  const sub = 'conditional-completer';

  test('answers 412 with the current version to a stale If-Match and changes nothing', async () => {
    // GIVEN an open task at version 1
    expect((await create('if-match', { taskId: 'stale', title: 'T' })).status).toBe(201);
    const stored = await storedTask('if-match', 'stale');

    // WHEN it is completed by a client that believes it is at version 2
    const result = await complete('if-match', 'stale', { ifMatch: '"2"', sub });

    // THEN the precondition fails, naming the current version, and the task is untouched
    expect(result.status).toBe(412);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON, ...RATE_LIMITED });
    expect(result.body).toEqual(
      problemOf(
        result,
        412,
        'the item with projectId "if-match", taskId "stale" is at version 1, not 2: read it again and retry',
        { currentVersion: 1 },
      ),
    );
    expect(await storedTask('if-match', 'stale')).toEqual(stored);
  });

  test('completes with a matching If-Match, then a repeat with the new version is a 409 and with the old a 412', async () => {
    // GIVEN an open task at version 1
    expect((await create('if-match', { taskId: 'matching', title: 'T' })).status).toBe(201);

    // WHEN it is completed with If-Match "1"
    const done = await complete('if-match', 'matching', { ifMatch: '"1"', sub });

    // THEN it is done at version 2
    expect(done.status).toBe(200);
    expect(done.headers.etag).toBe('"2"');
    expect(done.body).toMatchObject({ status: 'DONE', etag: '"2"' });

    // WHEN it is completed again with the version it now has
    const again = await complete('if-match', 'matching', { ifMatch: '"2"', sub });

    // THEN the version matches but the state does not: 409
    expect(again.status).toBe(409);
    expect(again.body.currentState).toEqual({ status: 'DONE' });

    // WHEN it is completed again with the version it had
    const stale = await complete('if-match', 'matching', { ifMatch: '"1"', sub });

    // THEN the version is checked first: 412
    expect(stale.status).toBe(412);
    expect(stale.body.currentVersion).toBe(2);
    expect(await storedTask('if-match', 'matching')).toMatchObject({ status: 'DONE', version: 2 });
  });

  // ' "1" ' (with the spaces) is tested in process below: HTTP strips a header value's surrounding whitespace.
  test.each(['"1"', '*', '"7", "1"', 'W/"1", "1"'])('accepts If-Match: %s', async (ifMatch) => {
    const taskId = `form-${Buffer.from(ifMatch).toString('hex')}`;
    const created = await create('if-match', { taskId, title: 'T' });
    expect(created.status).toBe(201);

    const result = await complete('if-match', taskId, { ifMatch, sub });

    expect(result.status).toBe(200);
    expect(result.headers.etag).toBe('"2"');
  });

  // RFC 9110, section 13.1.1 (https://www.rfc-editor.org/rfc/rfc9110#name-if-match): If-Match compares entity
  // tags strongly, so a weak tag never matches, and a well-formed tag that is no version of the task does not either.
  test.each(['W/"1"', '"v1"', '"-1"', '"1234567890"'])(
    'answers 412 to If-Match: %s, which cannot match, and changes nothing',
    async (ifMatch) => {
      expect([201, 409]).toContain((await create('if-match', { taskId: 'unmatched', title: 'T' })).status);
      const stored = await storedTask('if-match', 'unmatched');

      const result = await complete('if-match', 'unmatched', { ifMatch, sub });

      expect(result.status).toBe(412);
      expect(result.body.currentVersion).toBe(1);
      expect(await storedTask('if-match', 'unmatched')).toEqual(stored);
    },
  );

  test.each(['1', 'abc', '"1'])('answers 400 to If-Match: %s and changes nothing', async (ifMatch) => {
    expect([201, 409]).toContain((await create('if-match', { taskId: 'malformed', title: 'T' })).status);
    const stored = await storedTask('if-match', 'malformed');

    const result = await complete('if-match', 'malformed', { ifMatch, sub });

    expect(result.status).toBe(400);
    expect(result.body).toEqual(
      problemOf(
        result,
        400,
        `\`if-match\` must be "*" or a list of at most 100 entity tags such as "3" (RFC 9110), got: ${ifMatch}`,
        { errors: [{ field: 'if-match', message: '"*" or at most 100 entity tags such as "3"' }] },
      ),
    );
    expect(await storedTask('if-match', 'malformed')).toEqual(stored);
  });

  test('answers 404 to If-Match on a task that does not exist', async () => {
    const result = await complete('if-match', 'nowhere', { ifMatch: '"1"', sub });

    expect(result.status).toBe(404);
    expect(result.body.detail).toBe('the item with projectId "if-match", taskId "nowhere" does not exist');
  });
});

// ----------------------------------------------------------------------------------------------------------------
// In process: the handler loaded in this test's process with the function's environment, called with the events
// API Gateway would send, against a table in this process. Each block says what LocalApi cannot give it.

describe('in process', () => {
  let table: LocalTable;
  let handler: ExampleHandler;
  /** The handler's clock: the system's, except where a test sets the time. */
  const clock = TestClock.systemUntilSet();

  beforeAll(async () => {
    table = await startExampleTable();
    handler = loadHandler('tasks', {}, { clock: clock.now });
  }, 60_000); // synthesizes the example stack and loads the handler: slow on a busy machine

  afterAll(async () => {
    await table?.close();
  });

  const listEvent = (projectId: string, sub = 'lister') => httpEvent(LIST, { pathParameters: { projectId }, sub });

  // API Gateway sends these events to no function: a JWT route's event always carries the authorizer's claims
  // (and `api.token` always sets `sub`), and HTTP strips the whitespace around a header value.
  describe('events API Gateway does not send', () => {
    test('leaves createdBy out when the caller has no authorizer context', async () => {
      const result = await invoke(
        handler,
        httpEvent(CREATE, {
          pathParameters: { projectId: 'anonymous' },
          body: JSON.stringify({ taskId: 'a', title: 'Anonymous' }),
        }),
      );

      expect(result.statusCode).toBe(201);
      expect(result.body).not.toHaveProperty('createdBy');
      const stored = await table.client.send(
        new GetCommand({ TableName: TABLE_NAME, Key: { PK: 'PROJECT#anonymous', SK: 'TASK#a' } }),
      );
      expect(stored.Item).not.toHaveProperty('createdBy');
    });

    test('accepts If-Match with surrounding whitespace', async () => {
      const createSpaced = httpEvent(CREATE, {
        pathParameters: { projectId: 'if-match' },
        body: JSON.stringify({ taskId: 'spaced', title: 'T' }),
        sub: 'creator',
      });
      expect((await invoke(handler, createSpaced)).statusCode).toBe(201);

      const result = await invoke(
        handler,
        httpEvent(COMPLETE, {
          pathParameters: { projectId: 'if-match', taskId: 'spaced' },
          headers: { 'if-match': ' "1" ' },
          sub: 'conditional-completer',
        }),
      );

      expect(result.statusCode).toBe(200);
      expect(result.headers.etag).toBe('"2"');
    });

    // The gateway answers a method the API does not declare itself (404), so only a direct call reaches the
    // handler's own routing.
    test('does not count a request for a route the function does not serve', async () => {
      const { result, operations } = await table.record(() =>
        invoke(
          handler,
          httpEvent('DELETE /projects/{projectId}/tasks', { pathParameters: { projectId: 'p' }, sub: 'x' }),
        ),
      );

      expect(result.statusCode).toBe(404);
      expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON });
      expect(result.body).toEqual(problemBody(404, 'no route matches DELETE /projects/p/tasks'));
      expect(operations).toEqual([]);
    });
  });

  // The rate-limit windows follow the handler's clock, set here through `Table.fromEnvironment({ clock })`: a
  // function in the local API runs in its own worker, on the system clock.
  describe('rate limiting of the tasks routes', () => {
    const windowStart = TEST_EPOCH_MS / 1000;

    afterEach(() => clock.useSystemTime());

    const createTask = (taskId: string, sub: string) =>
      invoke(
        handler,
        httpEvent(CREATE, {
          pathParameters: { projectId: 'rate' },
          body: JSON.stringify({ taskId, title: 'T' }),
          sub,
        }),
      );
    const completeTask = (taskId: string, sub: string) =>
      invoke(handler, httpEvent(COMPLETE, { pathParameters: { projectId: 'rate', taskId }, sub }));

    test('counts each request of a caller down from 300, with the seconds left in the minute', async () => {
      // GIVEN 5 seconds left in the current minute, and a caller that has made no request
      clock.set(TEST_EPOCH_MS + 55_000);
      const secondsLeft = 5;

      // WHEN it lists, creates and completes
      const results = [
        await invoke(handler, listEvent('rate', 'counted')),
        await createTask('t', 'counted'),
        await completeTask('t', 'counted'),
        await completeTask('t', 'counted'),
      ];

      // THEN every answer, success or refusal, tells it how many requests it has left and until when
      expect(results.map((result) => result.statusCode)).toEqual([200, 201, 200, 409]);
      expect(results.map((result) => result.headers['ratelimit-remaining'])).toEqual(['299', '298', '297', '296']);
      for (const result of results) {
        expect(result.headers['ratelimit-limit']).toBe('300');
        expect(result.headers['ratelimit-reset']).toBe(`${secondsLeft}`);
      }
    });

    test('answers 429 with Retry-After once a caller has used its minute, while other callers go on', async () => {
      // GIVEN 10 seconds left in the minute, and a caller whose counter for this minute is at the limit
      clock.set(TEST_EPOCH_MS + 50_000);
      const secondsLeft = 10;
      const first = await table.record(() => invoke(handler, listEvent('rate', 'exhausted')));
      expect(first.result.headers['ratelimit-remaining']).toBe('299');
      const counterKey = first.operations[0].input.Key;
      expect(counterKey.SK.S).toBe(`WINDOW#${windowStart}`);
      expect(await table.items()).toContainEqual({
        PK: counterKey.PK.S,
        SK: counterKey.SK.S,
        requestCount: 1,
        expiresAt: windowStart + 60,
      });
      await table.put({ PK: counterKey.PK.S, SK: counterKey.SK.S, requestCount: 300, expiresAt: windowStart + 60 });

      // WHEN it makes another request
      const { result, operations } = await table.record(() => invoke(handler, listEvent('rate', 'exhausted')));

      // THEN it is refused until the window ends, without counting it or reading the tasks
      expect(operations.map((op) => op.operation)).toEqual(['UpdateItem']);
      expect(await table.items()).toContainEqual(expect.objectContaining({ PK: counterKey.PK.S, requestCount: 300 }));
      expect(result.statusCode).toBe(429);
      expect(result.headers['content-type']).toBe(PROBLEM_JSON);
      expect(result.headers['retry-after']).toBe(`${secondsLeft}`);
      expect(result.body).toEqual(
        problemBody(429, 'rate limit of 300 requests per 60 seconds reached; retry after the time in Retry-After', {
          retryAfterSeconds: secondsLeft,
        }),
      );

      // AND another caller is still admitted
      const other = await invoke(handler, listEvent('rate', 'not-exhausted'));
      expect(other.statusCode).toBe(200);

      // AND the first caller is admitted again once the clock enters the next minute
      clock.advance(secondsLeft * 1000);
      const nextMinute = await invoke(handler, listEvent('rate', 'exhausted'));
      expect(nextMinute.statusCode).toBe(200);
      expect(nextMinute.headers['ratelimit-remaining']).toBe('299');
    });
  });

  // These need the function started with an environment other than the stack's (a table that does not exist, a
  // variable missing) and the console of its process; the local API runs each function as the stack declares it.
  describe('tasks handler configuration', () => {
    test('answers an unexpected error with a generic 500 and logs it with the request id', async () => {
      // GIVEN a copy of the handler configured with a table that does not exist, logging to the console
      const broken = loadHandler('tasks', { [TABLE_NAME_ENV]: 'no-such-table', POWERTOOLS_DEV: 'true' });
      const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
      const event = httpEvent(LIST, { pathParameters: { projectId: 'p' }, sub: 'broken' });

      try {
        // WHEN it is called
        const result = await invoke(broken, event);

        // THEN the caller learns nothing of the cause, and the log has it all
        expect(result).toEqual({
          statusCode: 500,
          headers: { 'content-type': PROBLEM_JSON },
          body: problemBody(
            500,
            'the request failed; quote the request id when reporting it',
            {},
            event.requestContext.requestId,
          ),
        });
        expect(errors).toHaveBeenCalledTimes(1);
        const log = JSON.parse(errors.mock.calls[0][0] as string);
        expect(log).toMatchObject({
          level: 'ERROR',
          message: 'request failed',
          requestId: event.requestContext.requestId,
          routeKey: LIST,
          error: { name: 'ResourceNotFoundException' },
        });
      } finally {
        errors.mockRestore();
      }
    });

    test.each([TABLE_NAME_ENV, TABLE_PARTITION_KEY_ENV, TABLE_SORT_KEY_ENV, TABLE_TTL_ATTRIBUTE_ENV])(
      'fails at cold start when %s is not set',
      (name) => {
        expect(() => loadHandler('tasks', { [name]: undefined })).toThrow(
          `environment variable ${name} is not set: ServerlessApi sets it on every route function`,
        );
      },
    );

    test('fails at cold start, naming the pattern, when the function was given no access patterns', () => {
      expect(() => loadHandler('tasks', { [TABLE_ACCESS_PATTERNS_ENV]: undefined })).toThrow(
        'this function has no access pattern "listProjectTasks"',
      );
    });
  });
});
