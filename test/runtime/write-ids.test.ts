import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { rejectionOf, startRuntimeTable, TABLE_NAME, type RuntimeTable } from './util';
import type { ItemPattern } from '../../src/runtime/items';
import { versionOf } from '../../src/runtime/representation';
import {
  carriesWrite,
  newId,
  nextWriteId,
  withIdempotentWrites,
  WRITE_ID_ATTRIBUTE,
} from '../../src/runtime/write-ids';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** RFC 9562, section 5.8: version 8 in the 13th hex digit, variant 0b10 in the 17th. */
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let rt: RuntimeTable;
let create: ItemPattern;
let update: ItemPattern;

beforeAll(async () => {
  rt = await startRuntimeTable();
  create = rt.table.item('createTask');
  update = rt.table.item('updateTask');
});

afterAll(async () => {
  await rt.close();
});

let projectCounter = 0;
function newProject(): string {
  return `ids-${++projectCounter}`;
}

async function stored(projectId: string, taskId = 't') {
  const key = { PK: `PROJECT#${projectId}`, SK: `TASK#${taskId}` };
  return (await rt.local.client.send(new GetCommand({ TableName: TABLE_NAME, Key: key, ConsistentRead: true }))).Item;
}

/** One run of an idempotent request that creates a task, then renames it. */
async function createThenRename(seed: string, projectId: string, steps: 'create' | 'both' = 'both') {
  return withIdempotentWrites(seed, async () => {
    const created = await create.create({ projectId, taskId: 't' }, { title: 'draft' });
    if (steps === 'create') return { created };
    const renamed = await update.update({ projectId, taskId: 't' }, { set: { title: 'final' } });
    return { created, renamed };
  });
}

describe('write ids in an idempotent request', () => {
  it('are the same on every run, per item and in order, and differ between items and requests', async () => {
    const key = (taskId: string) => ({ PK: 'PROJECT#p', SK: `TASK#${taskId}` });
    const run = (seed: string) =>
      withIdempotentWrites(seed, async () => [
        nextWriteId(TABLE_NAME, key('a')).id,
        nextWriteId(TABLE_NAME, key('b')).id,
        nextWriteId(TABLE_NAME, key('a')).id,
      ]);
    const [first, again, other] = await Promise.all([run('seed-1'), run('seed-1'), run('seed-2')]);
    expect(again).toEqual(first);
    expect(first[0]).toMatch(/^[A-Za-z0-9_-]{22}\.000001$/);
    expect(first[2]).toBe(`${first[0].slice(0, 22)}.000002`);
    expect(first[1].slice(0, 22)).not.toBe(first[0].slice(0, 22));
    expect(other.some((id) => first.includes(id))).toBe(false);
  });

  it('recognise this write and later writes of the same request on the item, nothing else', () => {
    const write = { writer: 'w', id: 'w.000002' };
    expect(carriesWrite({ [WRITE_ID_ATTRIBUTE]: 'w.000002' }, write)).toBe(true);
    expect(carriesWrite({ [WRITE_ID_ATTRIBUTE]: 'w.000003' }, write)).toBe(true);
    expect(carriesWrite({ [WRITE_ID_ATTRIBUTE]: 'w.000001' }, write)).toBe(false);
    expect(carriesWrite({ [WRITE_ID_ATTRIBUTE]: 'ww.000009' }, write)).toBe(false);
    expect(carriesWrite({}, write)).toBe(false);
    expect(carriesWrite(undefined, write)).toBe(false);
  });

  it('make a second run of a create and an update on one item answer as the first did, writing nothing', async () => {
    // GIVEN a request that created a task and renamed it
    const projectId = newProject();
    const first = await createThenRename('request-a', projectId);
    const afterFirst = await stored(projectId);

    // WHEN it runs again (its answer was lost)
    const second = await createThenRename('request-a', projectId);

    // THEN both writes are found done: the same task, renamed once, at version 2
    expect(second.renamed).toEqual(first.renamed);
    expect(versionOf(second.renamed!)).toBe(2);
    expect(await stored(projectId)).toEqual(afterFirst);
    expect(afterFirst).toMatchObject({ title: 'final', version: 2 });
  });

  it('let a second run finish what the first began: the create found done, the rename applied once', async () => {
    // GIVEN a request whose first run created the task and died before renaming it
    const projectId = newProject();
    await createThenRename('request-b', projectId, 'create');

    // WHEN it runs again
    const second = await createThenRename('request-b', projectId);

    // THEN the create is found done and the rename is made
    expect(second.created).toEqual({ title: 'draft' });
    expect(second.renamed).toEqual({ title: 'final' });
    expect(await stored(projectId)).toMatchObject({ title: 'final', version: 2 });
  });

  it("never take another request's writes for their own", async () => {
    // GIVEN a task created and renamed by one request
    const projectId = newProject();
    await createThenRename('request-c', projectId);

    // WHEN another request (another key, or the same key with another body) creates and renames it
    const error = await rejectionOf(createThenRename('request-d', projectId));
    const renamed = await withIdempotentWrites('request-d', () =>
      update.update({ projectId, taskId: 't' }, { set: { title: 'again' } }),
    );

    // THEN its create is a conflict and its rename is applied
    expect(error.status).toBe(409);
    expect(versionOf(renamed)).toBe(3);
  });
});

describe('newId', () => {
  it('is a random UUID outside an idempotent request', () => {
    const ids = [newId(), newId()];
    expect(ids[0]).toMatch(UUID_V4);
    expect(ids[1]).not.toBe(ids[0]);
  });

  it('is a UUIDv8 that every run of an idempotent request makes alike, the n-th call the n-th id', async () => {
    const run = (seed: string) => withIdempotentWrites(seed, async () => [newId(), newId()]);
    const [first, again, other] = await Promise.all([run('seed-1'), run('seed-1'), run('seed-2')]);
    expect(first[0]).toMatch(UUID_V8);
    expect(first[1]).toMatch(UUID_V8);
    expect(first[1]).not.toBe(first[0]);
    expect(again).toEqual(first);
    expect(other).not.toContain(first[0]);
  });
});
