import { epochSeconds, rejectionOf, startRuntimeTable, type RuntimeTable } from './util';
import { HttpError } from '../../src/runtime/problem';
import type { Page, QueryPattern } from '../../src/runtime/query';
import { versionOf } from '../../src/runtime/representation';

const MALFORMED = '`cursor` is not one this list issued: pass back the `nextCursor` of the previous page unchanged';
const MALFORMED_ERRORS = [{ field: 'cursor', message: 'not a cursor this list issued' }];

let rt: RuntimeTable;
let listTasks: QueryPattern;

const TASK_IDS = ['01', '02', '03', '04', '05', '06', '07'];

beforeAll(async () => {
  rt = await startRuntimeTable();
  listTasks = rt.table.query('listTasks');
  // GIVEN project "alpha" with seven tasks (one with the toolkit's write id), written out of order, beside
  // items the list must never return: other prefixes in its partition, and tasks of other partitions
  for (const taskId of [...TASK_IDS].reverse()) {
    await rt.local.put({
      PK: 'PROJECT#alpha',
      SK: `TASK#${taskId}`,
      title: `Task ${taskId}`,
      version: Number(taskId),
      ...(taskId === '03' ? { _writeId: 'w' } : {}),
    });
  }
  await rt.local.put({ PK: 'PROJECT#alpha', SK: 'META', name: 'Alpha' });
  await rt.local.put({ PK: 'PROJECT#alpha', SK: 'NOTE#1', text: 'note' });
  await rt.local.put({ PK: 'PROJECT#alpha', SK: 'TASKS', text: 'not a task: the prefix is TASK#' });
  await rt.local.put({ PK: 'PROJECT#alpha-2', SK: 'TASK#01', title: 'other project, same prefix' });
  await rt.local.put({ PK: 'PROJECT#beta', SK: 'TASK#01', title: 'beta 1' });
  await rt.local.put({ PK: 'PROJECT#beta', SK: 'TASK#02', title: 'beta 2' });
  await rt.local.put({ PK: 'PROJECT#alph', SK: 'TASK#01', title: 'prefix of the project id' });
});

afterAll(async () => {
  await rt.close();
});

/** A task of project "alpha" as a page shows it: no keys, no write id, no version. */
function task(taskId: string) {
  return { title: `Task ${taskId}` };
}

/** Every page of a list, following the cursors. */
async function allPages(pattern: QueryPattern, values: { [param: string]: string }, limit: number, descending = false) {
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const page = await pattern.page(values, { limit, cursor, descending });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
}

function decodeCursor(cursor: string): any {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
}

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

describe('paging', () => {
  it('pages seven items 3, 3 and 1, in sort key order, the last page without a cursor', async () => {
    // WHEN the list is read three items at a time
    const pages = await allPages(listTasks, { projectId: 'alpha' }, 3);

    // THEN the pages hold exactly the project's tasks, none of the other items, without keys, write id or version
    expect(pages.map((page) => page.items)).toEqual([
      ['01', '02', '03'].map(task),
      ['04', '05', '06'].map(task),
      ['07'].map(task),
    ]);
    // AND each item carries its version out of sight, for `entityTagOf()`
    expect(pages.flatMap((page) => page.items.map((item) => versionOf(item)))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(pages[0].nextCursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
    expect(pages[1].nextCursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
    expect(pages[2].nextCursor).toBeUndefined();
    expect('nextCursor' in pages[2] ? pages[2].nextCursor : undefined).toBeUndefined();
  });

  it('returns everything in one page when the limit allows, without a cursor', async () => {
    const page = await listTasks.page({ projectId: 'alpha' }, { limit: 100, consistent: true });
    expect(page).toEqual({ items: TASK_IDS.map(task), nextCursor: undefined });
  });

  it('pages in descending order', async () => {
    const pages = await allPages(listTasks, { projectId: 'alpha' }, 3, true);
    expect(pages.map((page) => page.items.map((item) => item.title))).toEqual([
      ['Task 07', 'Task 06', 'Task 05'],
      ['Task 04', 'Task 03', 'Task 02'],
      ['Task 01'],
    ]);
  });

  it('reads only the partition asked for', async () => {
    expect((await listTasks.page({ projectId: 'beta' })).items.map((item) => item.title)).toEqual(['beta 1', 'beta 2']);
    expect(await listTasks.page({ projectId: 'gamma' })).toEqual({ items: [], nextCursor: undefined });
  });

  it('reads another prefix through another pattern', async () => {
    const notes = await rt.table.query('listNotes').page({ projectId: 'alpha' });
    expect(notes.items).toEqual([{ text: 'note' }]);
  });

  it('returns the items exactly as stored when asked for them raw', async () => {
    const page = await listTasks.page({ projectId: 'alpha' }, { limit: 3, raw: true });
    expect(page.items).toEqual([
      { PK: 'PROJECT#alpha', SK: 'TASK#01', title: 'Task 01', version: 1 },
      { PK: 'PROJECT#alpha', SK: 'TASK#02', title: 'Task 02', version: 2 },
      { PK: 'PROJECT#alpha', SK: 'TASK#03', title: 'Task 03', version: 3, _writeId: 'w' },
    ]);
    expect(versionOf(page.items[2])).toBe(3);
  });

  it('never returns raw items for a raw option that is not `true` (a query string value)', async () => {
    const options = { limit: 1, raw: 'true' } as unknown as { raw: boolean };
    expect((await listTasks.page({ projectId: 'alpha' }, options)).items).toEqual([task('01')]);
  });

  it('leaves out expired items, even when a page then holds fewer than the limit', async () => {
    // GIVEN five tasks, two of them past their expiry (one exactly now), one expiring later
    const now = epochSeconds();
    const expiries: { [taskId: string]: number | undefined } = {
      a: undefined,
      b: now - 100,
      c: now + 3600,
      d: now,
      e: undefined,
    };
    for (const [taskId, expiresAt] of Object.entries(expiries)) {
      await rt.local.put({
        PK: 'PROJECT#expiring',
        SK: `TASK#${taskId}`,
        taskId,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
    }

    // WHEN it is read whole, and two at a time
    const whole = await listTasks.page({ projectId: 'expiring' });
    const pages = await allPages(listTasks, { projectId: 'expiring' }, 2);

    // THEN only the live tasks come back
    expect(whole.items.map((item) => item.taskId)).toEqual(['a', 'c', 'e']);
    expect(pages.flatMap((page) => page.items.map((item) => item.taskId))).toEqual(['a', 'c', 'e']);
    expect(pages[0].items.map((item) => item.taskId)).toEqual(['a']);
    expect(pages[0].nextCursor).toBeDefined();
  });

  it('uses the default limit, and other limits through withLimits()', async () => {
    expect(listTasks.defaultLimit).toBe(25);
    expect(listTasks.maxLimit).toBe(100);
    const small = listTasks.withLimits({ defaultLimit: 2, maxLimit: 4 });
    const page = await small.page({ projectId: 'alpha' });
    expect(page.items.map((item) => item.title)).toEqual(['Task 01', 'Task 02']);
    const error = await rejectionOf(small.page({ projectId: 'alpha' }, { limit: 5 }));
    expect(error.status).toBe(400);
    expect(error.message).toBe('`limit` must be an integer from 1 to 4, got: 5');
  });

  it.each([0, 101, 1.5, -1, NaN])('refuses limit %s with 400', async (limit) => {
    const error = await rejectionOf(listTasks.page({ projectId: 'alpha' }, { limit }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe(`\`limit\` must be an integer from 1 to 100, got: ${limit}`);
    expect(error.extensions).toEqual({ errors: [{ field: 'limit', message: 'an integer from 1 to 100' }] });
  });

  it.each([1, 100])('accepts limit %s', async (limit) => {
    expect((await listTasks.page({ projectId: 'alpha' }, { limit })).items).toHaveLength(Math.min(limit, 7));
  });

  it('refuses a partition value holding "#" with 400', async () => {
    const error = await rejectionOf(listTasks.page({ projectId: 'alpha#TASK' }));
    expect(error.status).toBe(400);
    expect(error.extensions.errors).toEqual([
      { field: 'projectId', message: 'may not contain "#" or control characters' },
    ]);
  });
});

describe('cursors', () => {
  let firstCursor: string;

  beforeAll(async () => {
    firstCursor = (await listTasks.page({ projectId: 'alpha' }, { limit: 3 })).nextCursor!;
  });

  it('continues after the last item of the previous page', async () => {
    const page = await listTasks.page({ projectId: 'alpha' }, { limit: 2, cursor: firstCursor });
    expect(page.items).toEqual(['04', '05'].map(task));
  });

  it('holds the start key, bound to the list', () => {
    expect(decodeCursor(firstCursor)).toEqual({
      v: 1,
      b: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
      k: { PK: 'PROJECT#alpha', SK: 'TASK#03' },
    });
  });

  it('refuses a cursor of another partition (another project) with 400', async () => {
    // GIVEN a cursor issued for project beta
    const betaCursor = (await listTasks.page({ projectId: 'beta' }, { limit: 1 })).nextCursor!;
    expect(betaCursor).toBeDefined();

    // WHEN it is passed to project alpha's list
    const error = await rejectionOf(listTasks.page({ projectId: 'alpha' }, { cursor: betaCursor }));

    // THEN it is refused as another list's
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('`cursor` belongs to another list: start again without a cursor');
    expect(error.extensions).toEqual({ errors: [{ field: 'cursor', message: 'issued for another list' }] });
  });

  it('refuses a cursor of another pattern over the same partition', async () => {
    const error = await rejectionOf(rt.table.query('listNotes').page({ projectId: 'alpha' }, { cursor: firstCursor }));
    expect(error.status).toBe(400);
    expect(error.message).toBe('`cursor` belongs to another list: start again without a cursor');
  });

  it.each([
    ['edited to another partition', { PK: 'PROJECT#beta', SK: 'TASK#01' }],
    ['edited to another prefix', { PK: 'PROJECT#alpha', SK: 'META' }],
    ['given an extra attribute', { PK: 'PROJECT#alpha', SK: 'TASK#03', owner: 'x' }],
    ['given a non-scalar key value', { PK: 'PROJECT#alpha', SK: { S: 'TASK#03' } }],
    ['missing its sort key', { PK: 'PROJECT#alpha' }],
  ])('refuses a cursor whose start key was %s, though its binding was kept', async (_, key) => {
    // GIVEN a real cursor of alpha's list whose start key was edited
    const tampered = encodeCursor({ ...decodeCursor(firstCursor), k: key });

    // WHEN it is used
    const error = await rejectionOf(listTasks.page({ projectId: 'alpha' }, { cursor: tampered }));

    // THEN it is refused, and no other partition is read
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe(MALFORMED);
    expect(error.extensions).toEqual({ errors: MALFORMED_ERRORS });
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'not a cursor!'],
    ['base64 with padding', `${Buffer.from('{"v":1}').toString('base64')}==`],
    ['overlong', 'A'.repeat(2049)],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['JSON null', encodeCursor(null)],
    ['a JSON array', encodeCursor([1, 2])],
    ['a JSON number', encodeCursor(1)],
    ['of another version', 'v2'],
    ['without a key', 'nokey'],
    ['with an array key', 'arraykey'],
  ])('refuses a garbage cursor (%s) with 400', async (_, raw) => {
    let cursor = raw;
    const good = () => decodeCursor(firstCursor);
    if (raw === 'v2') cursor = encodeCursor({ ...good(), v: 2 });
    if (raw === 'nokey') cursor = encodeCursor({ v: 1, b: good().b });
    if (raw === 'arraykey') cursor = encodeCursor({ ...good(), k: ['PROJECT#alpha', 'TASK#03'] });

    const error = await rejectionOf(listTasks.page({ projectId: 'alpha' }, { cursor }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe(MALFORMED);
    expect(error.extensions).toEqual({ errors: MALFORMED_ERRORS });
  });

  it('accepts a cursor of exactly the maximum length when it is otherwise valid', async () => {
    // GIVEN a valid cursor padded (inside its JSON) to 2048 characters
    const base = decodeCursor(firstCursor);
    let cursor = encodeCursor(base);
    let padding = 0;
    while (cursor.length < 2048) cursor = encodeCursor({ ...base, p: 'x'.repeat(++padding) });
    if (cursor.length > 2048) {
      // base64url grows in steps of 4 per 3 bytes: step back until it fits
      while (cursor.length > 2048) cursor = encodeCursor({ ...base, p: 'x'.repeat(--padding) });
    }
    expect(cursor.length).toBeLessThanOrEqual(2048);
    expect(cursor.length).toBeGreaterThan(2040);

    // THEN it is read
    const page = await listTasks.page({ projectId: 'alpha' }, { limit: 1, cursor });
    expect(page.items).toEqual([task('04')]);
  });
});
