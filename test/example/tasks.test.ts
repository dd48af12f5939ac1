import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  httpEvent,
  invoke,
  requireHandler,
  startLocalTable,
  TABLE_NAME,
  withEnv,
  type HttpApiHandler,
  type LocalTable,
} from './local-table';
import { TABLE_NAME_ENV, TABLE_PARTITION_KEY_ENV, TABLE_SORT_KEY_ENV } from '../../src/shared/env';

const LIST = 'GET /projects/{projectId}/tasks';
const CREATE = 'POST /projects/{projectId}/tasks';
const COMPLETE = 'POST /projects/{projectId}/tasks/{taskId}/complete';
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let table: LocalTable;
let handler: HttpApiHandler;

beforeAll(async () => {
  table = await startLocalTable();
  handler = requireHandler('tasks');
});

afterAll(async () => {
  await table.close();
});

/** Creates a task as `sub`; `null` calls without a JWT authorizer context. */
function create(projectId: string, body: unknown, sub: string | null = 'user-1') {
  return invoke(
    handler,
    httpEvent(CREATE, { pathParameters: { projectId }, body: JSON.stringify(body), sub: sub ?? undefined }),
  );
}

function list(projectId: string, queryStringParameters?: Record<string, string>) {
  return invoke(handler, httpEvent(LIST, { pathParameters: { projectId }, queryStringParameters, sub: 'user-1' }));
}

function complete(projectId: string, taskId: string) {
  return invoke(handler, httpEvent(COMPLETE, { pathParameters: { projectId, taskId }, sub: 'user-1' }));
}

async function storedTask(projectId: string, taskId: string) {
  const result = await table.client.send(
    new GetCommand({ TableName: TABLE_NAME, Key: { PK: `PROJECT#${projectId}`, SK: `TASK#${taskId}` } }),
  );
  return result.Item;
}

async function itemsOfProject(projectId: string) {
  return (await table.items()).filter((item) => item.PK === `PROJECT#${projectId}`);
}

describe('GET /projects/{projectId}/tasks', () => {
  beforeAll(async () => {
    // GIVEN three tasks of project "list", created out of key order, next to items the query must not return
    for (const taskId of ['c', 'a', 'b']) {
      expect((await create('list', { taskId, title: `Task ${taskId}` })).statusCode).toBe(201);
    }
    await table.put({ PK: 'PROJECT#list', SK: 'META', entityType: 'Project' });
    await table.put({ PK: 'PROJECT#list-other', SK: 'TASK#a', entityType: 'Task', taskId: 'a', title: 'Other' });
    await table.put({ PK: 'PROJECT#other', SK: 'TASK#x', entityType: 'Task', taskId: 'x', title: 'Other' });
  });

  test('returns only the project tasks, in task id order, without storage keys', async () => {
    const result = await list('list');

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
    expect(result.body).toEqual({
      items: ['a', 'b', 'c'].map((taskId) => ({
        taskId,
        title: `Task ${taskId}`,
        status: 'OPEN',
        createdAt: expect.stringMatching(ISO_TIMESTAMP),
        createdBy: 'user-1',
      })),
    });
  });

  test('pages with an opaque cursor until the last page, which has no cursor', async () => {
    const first = await list('list', { limit: '2' });
    expect(first.statusCode).toBe(200);
    expect(first.body.items.map((task: { taskId: string }) => task.taskId)).toEqual(['a', 'b']);
    expect(first.body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);

    const second = await list('list', { limit: '2', cursor: first.body.nextCursor });
    expect(second.statusCode).toBe(200);
    expect(second.body.items.map((task: { taskId: string }) => task.taskId)).toEqual(['c']);
    expect(second.body).not.toHaveProperty('nextCursor');
  });

  test('returns 25 tasks per page by default', async () => {
    for (let i = 0; i < 26; i++) {
      const taskId = `t${String(i).padStart(2, '0')}`;
      await table.put({ PK: 'PROJECT#many', SK: `TASK#${taskId}`, entityType: 'Task', taskId, title: taskId });
    }

    const first = await list('many');
    const second = await list('many', { cursor: first.body.nextCursor });

    expect(first.body.items).toHaveLength(25);
    expect(second.body.items.map((task: { taskId: string }) => task.taskId)).toEqual(['t25']);
  });

  test('returns an empty list for a project without tasks', async () => {
    const result = await list('empty');

    expect(result).toMatchObject({ statusCode: 200, body: { items: [] } });
    expect(result.body).not.toHaveProperty('nextCursor');
  });

  test('rejects a cursor of another project with 400', async () => {
    const other = await list('list-other', { limit: '1' });
    expect(other.body.nextCursor).toBeDefined();

    const result = await list('list', { cursor: other.body.nextCursor });

    expect(result).toEqual({
      statusCode: 400,
      headers: { 'content-type': 'application/json' },
      body: { message: '`cursor` belongs to another project, not to "list"' },
    });
  });

  test.each([
    ['not base64url JSON', 'not-a-cursor'],
    ['a JSON array', Buffer.from('[1,2]').toString('base64url')],
    ['a key outside the task range', Buffer.from('{"PK":"PROJECT#list","SK":"META"}').toString('base64url')],
    ['a key with extra attributes', Buffer.from('{"PK":"PROJECT#list","SK":"TASK#a","x":1}').toString('base64url')],
  ])('rejects a cursor that is %s with 400', async (_, cursor) => {
    const result = await list('list', { cursor });

    expect(result.statusCode).toBe(400);
    expect(result.body).toEqual({
      message: '`cursor` is malformed: pass back the `nextCursor` of a previous page unchanged',
    });
  });

  test.each(['0', '101', '-1', '2.5', 'ten', ''])('rejects limit=%p with 400', async (limit) => {
    const result = await list('list', { limit });

    expect(result.statusCode).toBe(400);
    expect(result.body).toEqual({ message: `\`limit\` must be an integer between 1 and 100, got: ${limit}` });
  });

  test.each(['1', '100'])('accepts limit=%p', async (limit) => {
    const result = await list('list', { limit });

    expect(result.statusCode).toBe(200);
    expect(result.body.items).toHaveLength(Math.min(Number(limit), 3));
  });

  test('rejects a malformed project id with 400', async () => {
    const result = await list('no#hash');

    expect(result.statusCode).toBe(400);
    expect(result.body).toEqual({ message: '`projectId` must be 1 to 64 letters, digits, "_" or "-", got: no#hash' });
  });
});

describe('POST /projects/{projectId}/tasks', () => {
  test('creates an open task and answers 201 with it', async () => {
    const before = Date.now();

    const result = await create('create', { taskId: 'task-1', title: 'Write handlers' });

    expect(result.statusCode).toBe(201);
    expect(result.body).toEqual({
      taskId: 'task-1',
      title: 'Write handlers',
      status: 'OPEN',
      createdAt: expect.stringMatching(ISO_TIMESTAMP),
      createdBy: 'user-1',
    });
    expect(Date.parse(result.body.createdAt)).toBeGreaterThanOrEqual(before);
    expect(await storedTask('create', 'task-1')).toEqual({
      PK: 'PROJECT#create',
      SK: 'TASK#task-1',
      entityType: 'Task',
      ...result.body,
    });
  });

  test('answers 409 to a second create of the same task and keeps the first', async () => {
    expect((await create('create', { taskId: 'once', title: 'First' })).statusCode).toBe(201);

    const result = await create('create', { taskId: 'once', title: 'Second' }, 'user-2');

    expect(result.statusCode).toBe(409);
    expect(result.body).toEqual({ message: 'task "once" already exists in project "create"' });
    expect(await storedTask('create', 'once')).toMatchObject({ title: 'First', createdBy: 'user-1' });
  });

  test('lets exactly one of concurrent creates of the same task win', async () => {
    const titles = Array.from({ length: 8 }, (_, i) => `Attempt ${i}`);

    const results = await Promise.all(titles.map((title) => create('race', { taskId: 'contested', title })));

    const statuses = results.map((result) => result.statusCode);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(titles.length - 1);
    const winner = results.find((result) => result.statusCode === 201)!;
    expect(await storedTask('race', 'contested')).toMatchObject({ title: winner.body.title });
    expect(await itemsOfProject('race')).toHaveLength(1);
  });

  test('accepts the longest task id and title', async () => {
    const taskId = 'x'.repeat(64);
    const title = 't'.repeat(200);

    const result = await create('limits', { taskId, title });

    expect(result.statusCode).toBe(201);
    expect(await storedTask('limits', taskId)).toMatchObject({ title });
  });

  test('leaves createdBy out when the caller has no sub claim', async () => {
    const result = await create('anonymous', { taskId: 'a', title: 'Anonymous' }, null);

    expect(result.statusCode).toBe(201);
    expect(result.body).not.toHaveProperty('createdBy');
    expect(await storedTask('anonymous', 'a')).not.toHaveProperty('createdBy');
  });

  test('reads a base64-encoded body', async () => {
    const body = Buffer.from(JSON.stringify({ taskId: 'encoded', title: 'Encoded' })).toString('base64');

    const result = await invoke(
      handler,
      httpEvent(CREATE, { pathParameters: { projectId: 'encoded' }, body, isBase64Encoded: true }),
    );

    expect(result.statusCode).toBe(201);
    expect(await storedTask('encoded', 'encoded')).toMatchObject({ title: 'Encoded' });
  });

  const taskIdRule = '`taskId` must be a string of 1 to 64 letters, digits, "_" or "-"';
  const titleRule = '`title` must be a non-empty string of at most 200 characters';
  test.each([
    ['taskId is missing', { title: 'T' }, taskIdRule],
    ['taskId is a number', { taskId: 7, title: 'T' }, taskIdRule],
    ['taskId has a space', { taskId: 'a b', title: 'T' }, taskIdRule],
    ['taskId has a "#"', { taskId: 'a#b', title: 'T' }, taskIdRule],
    ['taskId is too long', { taskId: 'x'.repeat(65), title: 'T' }, taskIdRule],
    ['title is missing', { taskId: 'a' }, titleRule],
    ['title is empty', { taskId: 'a', title: '' }, titleRule],
    ['title is blank', { taskId: 'a', title: '   ' }, titleRule],
    ['title is too long', { taskId: 'a', title: 't'.repeat(201) }, titleRule],
    ['title is not a string', { taskId: 'a', title: ['T'] }, titleRule],
    ['the body is an array', [{ taskId: 'a', title: 'T' }], 'request body must be a JSON object'],
    ['the body is null', null, 'request body must be a JSON object'],
  ])('answers 400 when %s and writes nothing', async (_, body, message) => {
    const result = await create('invalid', body);

    expect(result).toMatchObject({ statusCode: 400, body: { message } });
    expect(await itemsOfProject('invalid')).toEqual([]);
  });

  test.each([
    ['malformed JSON', '{"taskId": "a", ', 'request body must be valid JSON'],
    ['no body', undefined, 'request body is required: send a JSON object'],
  ])('answers 400 to %s and writes nothing', async (_, body, message) => {
    const result = await invoke(handler, httpEvent(CREATE, { pathParameters: { projectId: 'invalid' }, body }));

    expect(result).toMatchObject({ statusCode: 400, body: { message } });
    expect(await itemsOfProject('invalid')).toEqual([]);
  });
});

describe('POST /projects/{projectId}/tasks/{taskId}/complete', () => {
  test('completes an open task once, then answers 409', async () => {
    const created = await create('complete', { taskId: 'task-1', title: 'Finish me' });
    const before = Date.now();

    const first = await complete('complete', 'task-1');

    expect(first.statusCode).toBe(200);
    expect(first.body).toEqual({
      ...created.body,
      status: 'DONE',
      completedAt: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect(Date.parse(first.body.completedAt)).toBeGreaterThanOrEqual(before);
    const stored = await storedTask('complete', 'task-1');
    expect(stored).toEqual({ PK: 'PROJECT#complete', SK: 'TASK#task-1', entityType: 'Task', ...first.body });

    const second = await complete('complete', 'task-1');

    expect(second.statusCode).toBe(409);
    expect(second.body).toEqual({ message: 'task "task-1" is already completed' });
    expect(await storedTask('complete', 'task-1')).toEqual(stored);
  });

  test('answers 404 for a task that does not exist, without creating it', async () => {
    const result = await complete('complete', 'missing');

    expect(result.statusCode).toBe(404);
    expect(result.body).toEqual({ message: 'task "missing" not found in project "complete"' });
    expect(await storedTask('complete', 'missing')).toBeUndefined();
  });

  test('answers 404 for a task id that exists only in another project', async () => {
    expect((await create('complete-a', { taskId: 'shared', title: 'A' })).statusCode).toBe(201);

    const result = await complete('complete-b', 'shared');

    expect(result.statusCode).toBe(404);
    expect(await storedTask('complete-a', 'shared')).toMatchObject({ status: 'OPEN' });
  });

  test('rejects a malformed task id with 400', async () => {
    const result = await complete('complete', 'a b');

    expect(result.statusCode).toBe(400);
    expect(result.body).toEqual({ message: '`taskId` must be 1 to 64 letters, digits, "_" or "-", got: a b' });
  });
});

describe('tasks handler', () => {
  test('answers 404 to a route it does not serve', async () => {
    const result = await invoke(
      handler,
      httpEvent('DELETE /projects/{projectId}/tasks', { pathParameters: { projectId: 'p' } }),
    );

    expect(result.statusCode).toBe(404);
    expect(result.body).toEqual({ message: 'no route matches "DELETE /projects/{projectId}/tasks"' });
  });

  test('answers a route wired without its path parameter with a generic 500', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});

    try {
      const result = await invoke(handler, httpEvent(LIST, { sub: 'user-1' }));

      expect(result).toMatchObject({ statusCode: 500, body: { message: 'internal server error' } });
      expect(errors.mock.calls[0][1]).toMatchObject({
        message: 'route "GET /projects/{projectId}/tasks" has no path parameter "projectId"',
      });
    } finally {
      errors.mockRestore();
    }
  });

  test('answers an unexpected error with a generic 500 and logs it with the request id', async () => {
    // GIVEN a copy of the handler configured with a table that does not exist
    let broken: HttpApiHandler | undefined;
    await withEnv({ [TABLE_NAME_ENV]: 'no-such-table' }, () => {
      jest.isolateModules(() => {
        broken = requireHandler('tasks');
      });
    });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    const event = httpEvent(LIST, { pathParameters: { projectId: 'p' } });

    try {
      const result = await invoke(broken!, event);

      expect(result).toEqual({
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: { message: 'internal server error' },
      });
      expect(errors).toHaveBeenCalledTimes(1);
      expect(errors.mock.calls[0][0]).toBe(
        `request ${event.requestContext.requestId} failed on route "GET /projects/{projectId}/tasks"`,
      );
      expect(errors.mock.calls[0][1]).toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      errors.mockRestore();
    }
  });

  test.each([TABLE_NAME_ENV, TABLE_PARTITION_KEY_ENV, TABLE_SORT_KEY_ENV])(
    'fails at cold start when %s is not set',
    async (name) => {
      await withEnv({ [name]: undefined }, () => {
        jest.isolateModules(() => {
          expect(() => requireHandler('tasks')).toThrow(
            `environment variable ${name} is not set: ServerlessApi sets it on every route function`,
          );
        });
      });
    },
  );
});
