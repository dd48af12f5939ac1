import { z } from 'zod';
import { httpApiEvent, jwtAuthorizer, parse, PATTERNS, quietLogger, startRuntimeTable, thrownBy } from './util';
import { apiHandler, route } from '../../src/runtime/handler';
import { fillKeyShape, itemKeyOf, keyParamsOf, MAX_KEY_VALUE_LENGTH } from '../../src/runtime/keys';
import { HttpError } from '../../src/runtime/problem';
import { created, ok } from '../../src/runtime/response';

describe('fillKeyShape', () => {
  it('fills every placeholder, numbers included', () => {
    expect(fillKeyShape('PROJECT#{projectId}', { projectId: 'p-1' })).toBe('PROJECT#p-1');
    expect(fillKeyShape('ORG#{orgId}#USER#{userId}', { orgId: 'o', userId: 'u' })).toBe('ORG#o#USER#u');
    expect(fillKeyShape('WINDOW#{window}', { window: 0 })).toBe('WINDOW#0');
    expect(fillKeyShape('RECORD', {})).toBe('RECORD');
  });

  it('accepts a value of exactly the maximum length', () => {
    const value = 'v'.repeat(MAX_KEY_VALUE_LENGTH);
    expect(MAX_KEY_VALUE_LENGTH).toBe(256);
    expect(fillKeyShape('P#{id}', { id: value })).toBe(`P#${value}`);
  });

  it('refuses a value over 256 characters with a 400 naming the parameter', () => {
    // GIVEN a value one character too long
    const error = thrownBy(() => fillKeyShape('PROJECT#{projectId}', { projectId: 'x'.repeat(257) }));

    // THEN it is a 400 whose field is the parameter
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('`projectId` must be at most 256 characters, got 257');
    expect(error.extensions).toEqual({ errors: [{ field: 'projectId', message: 'at most 256 characters' }] });
  });

  it.each([
    ['a "#"', 'p#TASK#x'],
    ['a NUL', 'p\u0000'],
    ['a newline', 'p\nq'],
    ['a tab', 'p\tq'],
    ['a unit separator', 'p\u001f'],
    ['a DEL', 'p\u007f'],
  ])('refuses a value with %s with a 400 naming the parameter', (_, value) => {
    const error = thrownBy(() => fillKeyShape('PROJECT#{projectId}#TASK#{taskId}', { projectId: 'ok', taskId: value }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe(`\`taskId\` may not contain "#" or control characters, got: ${JSON.stringify(value)}`);
    expect(error.extensions).toEqual({
      errors: [{ field: 'taskId', message: 'may not contain "#" or control characters' }],
    });
  });

  it('accepts other punctuation and non-ASCII letters', () => {
    expect(fillKeyShape('U#{id}', { id: 'a.b-c_d:e|f@g/ñ✓' })).toBe('U#a.b-c_d:e|f@g/ñ✓');
  });

  it.each([
    ['missing', {}],
    ['null', { projectId: null as unknown as string }],
    ['NaN', { projectId: NaN }],
    ['infinite', { projectId: Infinity }],
    ['object', { projectId: { toString: () => 'p-1' } as unknown as string }],
  ])('refuses a %s value with a plain Error (a programming mistake, answered 500)', (_, values) => {
    const error = thrownBy(() => fillKeyShape('PROJECT#{projectId}', values));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HttpError);
    expect(error.message).toMatch(/^a key needs .*\{projectId\}/);
  });

  it('refuses an empty value with a 400 naming the parameter (a request value, not a programming mistake)', () => {
    // GIVEN an empty string where a key value goes, as `{"taskId": ""}` or an empty path segment delivers it
    const error = thrownBy(() => fillKeyShape('PROJECT#{projectId}#TASK#{taskId}', { projectId: 'p-1', taskId: '' }));

    // THEN it is a 400 that names the parameter, shows the value and says it must not be empty
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('`taskId` must not be empty, got: ""');
    expect(error.extensions).toEqual({ errors: [{ field: 'taskId', message: 'must not be empty' }] });
  });
});

describe('empty key values through apiHandler', () => {
  const CREATE = 'POST /projects/{projectId}/tasks';
  const GET = 'GET /projects/{projectId}/tasks/{taskId}';

  it('answers 400 naming the parameter for an empty body value or an empty path parameter, never 500', async () => {
    const rt = await startRuntimeTable();
    try {
      // GIVEN the README's create route, whose schema lets an empty taskId through, and a get route without one
      const newTask = rt.table.item('createTask');
      const getTask = rt.table.item('getTask');
      const handler = apiHandler({
        logger: quietLogger(),
        routes: {
          [CREATE]: route({
            params: z.object({ projectId: z.string() }),
            body: z.strictObject({ taskId: z.string(), title: z.string().min(1).max(200) }),
            handle: async ({ params, body }) => created(await newTask.create({ ...params, taskId: body.taskId }, body)),
          }),
          [GET]: route({ handle: async ({ params }) => ok(await getTask.get(params as { [name: string]: string })) }),
        },
      });
      const common = { authorizer: jwtAuthorizer('user-1') };

      // WHEN the key value in the body is empty, and WHEN a path parameter is empty
      const fromBody = parse(
        await handler(
          httpApiEvent(CREATE, { ...common, pathParameters: { projectId: 'p-1' }, body: { taskId: '', title: 'T' } }),
        ),
      );
      const fromPath = parse(
        await handler(httpApiEvent(GET, { ...common, pathParameters: { projectId: 'p-1', taskId: '' } })),
      );

      // THEN each is a 400 problem document naming the parameter, and nothing was written
      for (const result of [fromBody, fromPath]) {
        expect(result.statusCode).toBe(400);
        expect(result.headers['content-type']).toBe('application/problem+json');
        expect(result.body).toMatchObject({
          status: 400,
          detail: '`taskId` must not be empty, got: ""',
          errors: [{ field: 'taskId', message: 'must not be empty' }],
        });
      }
      expect(await rt.local.items()).toEqual([]);
    } finally {
      await rt.close();
    }
  });
});

describe('itemKeyOf', () => {
  it('builds partition and sort key attributes from the pattern', () => {
    expect(itemKeyOf(PATTERNS.getTask, { projectId: 'p-1', taskId: 't-1' })).toEqual({
      PK: 'PROJECT#p-1',
      SK: 'TASK#t-1',
    });
    expect(itemKeyOf(PATTERNS.putIdempotencyRecord, { key: 'abc' })).toEqual({ PK: 'IDEMPOTENCY#abc', SK: 'RECORD' });
  });

  it('builds a partition-only key', () => {
    expect(itemKeyOf({ operation: 'GetItem', partitionKey: ['id', 'USER#{userId}'] }, { userId: 'u' })).toEqual({
      id: 'USER#u',
    });
  });

  it('refuses a bad sort key value with a 400 naming it', () => {
    const error = thrownBy(() => itemKeyOf(PATTERNS.getTask, { projectId: 'p-1', taskId: 'a#b' }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.extensions.errors[0].field).toBe('taskId');
  });

  it('refuses a Scan pattern, which has no key', () => {
    expect(() => itemKeyOf(PATTERNS.scanAll, {})).toThrow('a Scan pattern has no key to build');
  });

  it('lists the parameters a pattern needs, each once, in order', () => {
    expect(keyParamsOf(PATTERNS.getTask)).toEqual(['projectId', 'taskId']);
    expect(
      keyParamsOf({ operation: 'GetItem', partitionKey: ['PK', 'A#{a}'], sortKey: ['SK', 'A#{a}#B#{b}'] }),
    ).toEqual(['a', 'b']);
    expect(keyParamsOf(PATTERNS.scanAll)).toEqual([]);
  });
});
