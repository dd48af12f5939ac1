import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  epochSeconds,
  PATTERNS,
  rejectionOf,
  startRuntimeTable,
  TABLE_NAME,
  thrownBy,
  type RuntimeTable,
} from './util';
import type { ItemPattern } from '../../src/runtime/items';
import { HttpError } from '../../src/runtime/problem';
import { versionOf } from '../../src/runtime/representation';
import { Table } from '../../src/runtime/table';
import { WRITE_ID_ATTRIBUTE } from '../../src/runtime/write-ids';
import { TestClock } from '../helpers/clock';

/** A write id outside an idempotent request: a random UUID, then the write's sequence number. */
const WRITE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.000001$/;

let rt: RuntimeTable;
/** Patterns with a GetItem of the same key shapes: refusals are told apart by reading the item back. */
let getTask: ItemPattern;
let createTask: ItemPattern;
let updateTask: ItemPattern;
let deleteTask: ItemPattern;
/** The write patterns of a function without that GetItem: dynalite does not return the item on a refusal. */
let blind: { create: ItemPattern; update: ItemPattern; delete: ItemPattern };

beforeAll(async () => {
  rt = await startRuntimeTable();
  getTask = rt.table.item('getTask');
  createTask = rt.table.item('createTask');
  updateTask = rt.table.item('updateTask');
  deleteTask = rt.table.item('deleteTask');
  const withoutGet = rt.withPatterns({
    createTask: PATTERNS.createTask,
    updateTask: PATTERNS.updateTask,
    deleteTask: PATTERNS.deleteTask,
  });
  blind = {
    create: withoutGet.item('createTask'),
    update: withoutGet.item('updateTask'),
    delete: withoutGet.item('deleteTask'),
  };
});

afterAll(async () => {
  await rt.close();
});

let projectCounter = 0;
/** A project id of its own for each test, so tests never see each other's items. */
function newProject(): string {
  return `p-${++projectCounter}`;
}

async function stored(projectId: string, taskId: string) {
  const result = await rt.local.client.send(
    new GetCommand({
      TableName: TABLE_NAME,
      Key: { PK: `PROJECT#${projectId}`, SK: `TASK#${taskId}` },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

/**
 * A client that sends every command twice, as the SDK does when an applied write's answer is lost on a dropped
 * connection, recording what each send did; it answers with the second.
 */
function sendingTwice(): { client: DynamoDBDocumentClient; sent: string[] } {
  const sent: string[] = [];
  const once = async (command: any) => {
    try {
      const result = await rt.table.client.send(command);
      sent.push(`${command.constructor.name}: answered`);
      return result;
    } catch (error) {
      sent.push(`${command.constructor.name}: ${(error as Error).name}`);
      throw error;
    }
  };
  const client = {
    send: async (command: any) => {
      await once(command);
      return once(command);
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
}

async function putRaw(projectId: string, taskId: string, attributes: Record<string, unknown>) {
  await rt.local.put({ PK: `PROJECT#${projectId}`, SK: `TASK#${taskId}`, ...attributes });
}

describe('ItemPattern.key', () => {
  it('builds the key from the pattern shapes', () => {
    expect(getTask.key({ projectId: 'p-1', taskId: 't-1' })).toEqual({ PK: 'PROJECT#p-1', SK: 'TASK#t-1' });
  });

  it('refuses a value with "#" with a 400 before touching the table', async () => {
    const error = await rejectionOf(getTask.get({ projectId: 'p-1#TASK#other', taskId: 't' }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.extensions.errors).toEqual([
      { field: 'projectId', message: 'may not contain "#" or control characters' },
    ]);
  });
});

describe('get', () => {
  it('returns a live item without its keys, write id and version, which it carries for the ETag', async () => {
    // GIVEN an item written by the toolkit (with a write id) that expires in an hour
    const projectId = newProject();
    const expiresAt = epochSeconds() + 3600;
    await putRaw(projectId, 't', { title: 'T', version: 3, [WRITE_ID_ATTRIBUTE]: 'w-1', expiresAt });

    // WHEN it is read
    const item = await getTask.get({ projectId, taskId: 't' });

    // THEN it is returned as a response may show it: its own attributes and its expiry, its version out of sight
    expect(item).toEqual({ title: 'T', expiresAt });
    expect(JSON.stringify(item)).toBe(`{"title":"T","expiresAt":${expiresAt}}`);
    expect(versionOf(item!)).toBe(3);
  });

  it('returns the item exactly as stored when asked for it raw', async () => {
    // GIVEN an item written by the toolkit
    const projectId = newProject();
    const raw = { PK: `PROJECT#${projectId}`, SK: 'TASK#t', title: 'T', version: 2, [WRITE_ID_ATTRIBUTE]: 'w-1' };
    await rt.local.put(raw);

    // WHEN handler code asks for it raw
    const item = await getTask.get({ projectId, taskId: 't' }, { raw: true });

    // THEN it has every attribute, and still carries its version
    expect(item).toEqual(raw);
    expect(versionOf(item!)).toBe(2);
  });

  it('hides the key attributes of every index: those of its patterns and those the table lists', async () => {
    // GIVEN a function with a pattern on one index, on a table that lists the keys of another
    const table = new Table(
      {
        ...rt.table.config,
        accessPatterns: {
          getTask: PATTERNS.getTask,
          byOwner: { operation: 'Query', index: 'byOwner', partitionKey: ['byOwnerPK', 'USER#{userId}'] },
        },
        indexKeyAttributes: ['byOwnerPK', 'byTagPK', 'byTagSK'],
      },
      rt.table.client,
    );
    const projectId = newProject();
    await putRaw(projectId, 't', { title: 'T', byOwnerPK: 'USER#alice', byTagPK: 'TAG#x', byTagSK: 'USER#bob' });

    // WHEN the item is read
    const item = await table.item('getTask').get({ projectId, taskId: 't' });

    // THEN none of those keys is shown
    expect(item).toEqual({ title: 'T' });
  });

  it('returns undefined for a missing item', async () => {
    expect(await getTask.get({ projectId: newProject(), taskId: 'none' })).toBeUndefined();
  });

  it.each([
    ['in the past', -60],
    ['exactly now', 0],
  ])('treats an item whose expiry is %s as absent', async (_, offset) => {
    // GIVEN an item TTL has not deleted yet, whose expiresAt is not in the future
    const projectId = newProject();
    await putRaw(projectId, 't', { title: 'stale', expiresAt: epochSeconds() + offset });

    // WHEN it is read, consistently or not
    const eventual = await getTask.get({ projectId, taskId: 't' });
    const consistent = await getTask.get({ projectId, taskId: 't' }, { consistent: true });

    // THEN it is absent, though still stored
    expect(eventual).toBeUndefined();
    expect(consistent).toBeUndefined();
    expect(await stored(projectId, 't')).toMatchObject({ title: 'stale' });
  });

  it('keeps an item whose expiry is not a number', async () => {
    const projectId = newProject();
    await putRaw(projectId, 't', { title: 'odd', expiresAt: 'never' });
    expect(await getTask.get({ projectId, taskId: 't' })).toMatchObject({ title: 'odd' });
  });

  it('is refused on a pattern that is not a GetItem', async () => {
    const error = await rejectionOf(createTask.get({ projectId: 'p', taskId: 't' }));
    expect(error).not.toBeInstanceOf(HttpError);
    expect(error.message).toBe(
      'access pattern "createTask" is a PutItem: get() needs a GetItem pattern, which grants that action',
    );
  });
});

describe('isExpired', () => {
  it('compares the TTL attribute with now, in epoch seconds', () => {
    expect(getTask.isExpired({ expiresAt: 100 }, 99)).toBe(false);
    expect(getTask.isExpired({ expiresAt: 100 }, 100)).toBe(true);
    expect(getTask.isExpired({ expiresAt: 100 }, 101)).toBe(true);
    expect(getTask.isExpired({}, 101)).toBe(false);
    expect(getTask.isExpired({ expiresAt: '100' }, 101)).toBe(false);
  });
});

describe("expiry by the table's clock", () => {
  it('writes, reads, lists and replaces items by the time the clock tells, not the system time', async () => {
    // GIVEN a table whose clock stands at a fixed time, far from the system's
    const clock = new TestClock();
    const table = rt.withClock(clock.now);
    const projectId = newProject();
    const values = { projectId, taskId: 't' };

    // WHEN an item is created to live for a minute
    const item = await table.item('createTask').create(values, { title: 'first' }, { ttlSeconds: 60 });

    // THEN it expires exactly a minute after the clock's now, and is read and listed until then
    expect(item.expiresAt).toBe(clock.epochSeconds() + 60);
    clock.advance(59_999);
    expect(await table.item('getTask').get(values)).toMatchObject({ title: 'first' });
    expect((await table.query('listTasks').page({ projectId })).items).toHaveLength(1);
    expect(await rejectionOf(table.item('createTask').create(values, { title: 'too early' }))).toMatchObject({
      status: 409,
    });

    // AND once the clock reaches its expiry it is absent, and may be created again
    clock.advance(1);
    expect(await table.item('getTask').get(values)).toBeUndefined();
    expect((await table.query('listTasks').page({ projectId })).items).toEqual([]);
    expect(await rejectionOf(table.item('updateTask').update(values, { set: { title: 'late' } }))).toMatchObject({
      status: 404,
    });
    expect(await table.item('createTask').create(values, { title: 'second' })).toMatchObject({ title: 'second' });
  });
});

describe('create', () => {
  it('creates the item at version 1 and returns it without its keys, write id and version', async () => {
    // GIVEN no item
    const projectId = newProject();

    // WHEN it is created
    const item = await createTask.create(
      { projectId, taskId: 't-1' },
      { title: 'Write tests', status: 'OPEN', tags: ['a'] },
    );

    // THEN it is returned without its keys, at version 1, and stored with them and a write id
    expect(item).toEqual({ title: 'Write tests', status: 'OPEN', tags: ['a'] });
    expect(versionOf(item)).toBe(1);
    const row = await stored(projectId, 't-1');
    expect(row).toEqual({
      PK: `PROJECT#${projectId}`,
      SK: 'TASK#t-1',
      ...item,
      version: 1,
      [WRITE_ID_ATTRIBUTE]: expect.stringMatching(WRITE_ID),
    });
  });

  it('sets the TTL attribute from ttlSeconds, rounded up', async () => {
    const projectId = newProject();
    const before = epochSeconds();
    const item = await createTask.create({ projectId, taskId: 't' }, { title: 'x' }, { ttlSeconds: 59.2 });
    const after = epochSeconds();
    expect(item.expiresAt).toBeGreaterThanOrEqual(before + 60);
    expect(item.expiresAt).toBeLessThanOrEqual(after + 60);
    expect((await stored(projectId, 't'))!.expiresAt).toBe(item.expiresAt);
  });

  it.each([0, -5, NaN, Infinity])('refuses ttlSeconds %s without writing', async (ttlSeconds) => {
    const projectId = newProject();
    const error = await rejectionOf(createTask.create({ projectId, taskId: 't' }, { title: 'x' }, { ttlSeconds }));
    expect(error.message).toBe(`ttlSeconds must be a positive number of seconds, got: ${ttlSeconds}`);
    expect(await stored(projectId, 't')).toBeUndefined();
  });

  it('drops attributes set to undefined', async () => {
    const projectId = newProject();
    await createTask.create({ projectId, taskId: 't' }, { title: 'x', description: undefined });
    const row = await stored(projectId, 't');
    expect(row).toMatchObject({ title: 'x', version: 1 });
    expect(row).not.toHaveProperty('description');
  });

  it('refuses to create an existing item with 409 and leaves it unchanged', async () => {
    // GIVEN a created item
    const projectId = newProject();
    await createTask.create({ projectId, taskId: 't' }, { title: 'first' });
    const before = await stored(projectId, 't');

    // WHEN it is created again, by a function with and without the read-back pattern
    const withReadBack = await rejectionOf(createTask.create({ projectId, taskId: 't' }, { title: 'second' }));
    const withoutReadBack = await rejectionOf(blind.create.create({ projectId, taskId: 't' }, { title: 'third' }));

    // THEN both are 409 conflicts naming the item by its key values, and the first write stands
    for (const error of [withReadBack, withoutReadBack]) {
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(409);
      expect(error.message).toBe(`the item with projectId "${projectId}", taskId "t" already exists`);
    }
    expect(await stored(projectId, 't')).toEqual(before);
  });

  it('refuses to create over an item written without a TTL by someone else', async () => {
    const projectId = newProject();
    await putRaw(projectId, 't', { title: 'legacy' });
    expect((await rejectionOf(createTask.create({ projectId, taskId: 't' }, { title: 'new' }))).status).toBe(409);
  });

  it('creates over an expired item, replacing it whole', async () => {
    // GIVEN an expired item TTL has not deleted yet
    const projectId = newProject();
    await putRaw(projectId, 't', { title: 'old', extra: 'stale', version: 7, expiresAt: epochSeconds() - 1 });

    // WHEN the item is created
    const item = await createTask.create({ projectId, taskId: 't' }, { title: 'new' });

    // THEN the create succeeds as if there were none
    expect(item).toEqual({ title: 'new' });
    expect(await stored(projectId, 't')).toEqual({
      PK: `PROJECT#${projectId}`,
      SK: 'TASK#t',
      title: 'new',
      version: 1,
      [WRITE_ID_ATTRIBUTE]: expect.stringMatching(WRITE_ID),
    });
  });

  it('lets exactly one of concurrent creates of the same item win', async () => {
    const projectId = newProject();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => createTask.create({ projectId, taskId: 't' }, { title: `writer ${i}` })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    expect(lost.every((r) => r.reason instanceof HttpError && r.reason.status === 409)).toBe(true);
    expect((await stored(projectId, 't'))!.title).toBe((won[0] as PromiseFulfilledResult<any>).value.title);
  });

  it('answers success when a retried create finds its own write (the first answer was lost)', async () => {
    // GIVEN a client that sends every request twice, as the SDK does when an applied write's answer is lost
    const tasks = new Table(rt.table.config, sendingTwice().client).item('createTask');
    const projectId = newProject();

    // WHEN the item is created through it
    const item = await tasks.create({ projectId, taskId: 't' }, { title: 'once' });

    // THEN the retry's failed condition is recognized as the toolkit's own write
    expect(item).toEqual({ title: 'once' });
    expect(versionOf(item)).toBe(1);
  });

  it.each(['PK', 'SK', 'version', '_writeId'])('refuses an attribute named %s without writing', async (attribute) => {
    const projectId = newProject();
    const error = await rejectionOf(
      createTask.create({ projectId, taskId: 't' }, { title: 'x', [attribute]: 'forged' }),
    );
    expect(error).not.toBeInstanceOf(HttpError);
    expect(error.message).toBe(
      `attribute "${attribute}" is managed by the toolkit: keys come from the pattern's shapes, "version" and "_writeId" from its writes`,
    );
    expect(await stored(projectId, 't')).toBeUndefined();
  });

  it('is refused on a GetItem pattern', async () => {
    const error = await rejectionOf(getTask.create({ projectId: 'p', taskId: 't' }, { title: 'x' }));
    expect(error.message).toBe(
      'access pattern "getTask" is a GetItem: create() needs a PutItem pattern, which grants that action',
    );
  });
});

describe('put', () => {
  it('writes the item whether or not it exists, with a write id and without a version', async () => {
    const projectId = newProject();
    await createTask.create({ projectId, taskId: 't' }, { title: 'first' });
    const item = await createTask.put({ projectId, taskId: 't' }, { title: 'whole state' });
    expect(item).toEqual({ title: 'whole state' });
    expect(versionOf(item)).toBeUndefined();
    expect(await stored(projectId, 't')).toEqual({
      PK: `PROJECT#${projectId}`,
      SK: 'TASK#t',
      title: 'whole state',
      [WRITE_ID_ATTRIBUTE]: expect.stringMatching(WRITE_ID),
    });
  });

  it('answers success when a retried put finds its own write, without writing again', async () => {
    // GIVEN a client that sends every request twice, as the SDK does when an applied write's answer is lost
    const { client, sent } = sendingTwice();
    const projectId = newProject();

    // WHEN an item is put through it
    const item = await new Table(rt.table.config, client).item('createTask').put({ projectId, taskId: 't' }, { n: 1 });

    // THEN the second put fails its condition, which only this write's id fails: done
    expect(item).toEqual({ n: 1 });
    expect(sent).toEqual(['PutCommand: answered', 'PutCommand: ConditionalCheckFailedException']);
  });

  it('refuses reserved attributes and non-Put patterns', async () => {
    expect((await rejectionOf(createTask.put({ projectId: 'p', taskId: 't' }, { SK: 'x' }))).message).toContain(
      'attribute "SK"',
    );
    expect((await rejectionOf(updateTask.put({ projectId: 'p', taskId: 't' }, {}))).message).toBe(
      'access pattern "updateTask" is a UpdateItem: put() needs a PutItem pattern, which grants that action',
    );
  });
});

describe('update', () => {
  async function createOpenTask(projectId: string, taskId = 't') {
    return createTask.create({ projectId, taskId }, { title: 'T', status: 'OPEN', note: 'n' });
  }

  it('updates, increments the version and returns the new item without its keys, write id and version', async () => {
    // GIVEN an open task at version 1
    const projectId = newProject();
    await createOpenTask(projectId);
    const writeIdBefore = (await stored(projectId, 't'))![WRITE_ID_ATTRIBUTE];

    // WHEN it is updated: one attribute set, one removed
    const item = await updateTask.update(
      { projectId, taskId: 't' },
      { set: { status: 'DONE', doneBy: 'u-1' }, remove: ['note'] },
    );

    // THEN the new item is returned at version 2, and stored with a new write id
    expect(item).toEqual({ title: 'T', status: 'DONE', doneBy: 'u-1' });
    expect(versionOf(item)).toBe(2);
    const row = await stored(projectId, 't');
    expect(row).toEqual({
      PK: `PROJECT#${projectId}`,
      SK: 'TASK#t',
      ...item,
      version: 2,
      [WRITE_ID_ATTRIBUTE]: expect.stringMatching(WRITE_ID),
    });
    expect(row![WRITE_ID_ATTRIBUTE]).not.toBe(writeIdBefore);
  });

  it('applies an expected state transition', async () => {
    const projectId = newProject();
    await createOpenTask(projectId);
    const item = await updateTask.update(
      { projectId, taskId: 't' },
      { set: { status: 'DONE' }, expect: { status: 'OPEN' } },
    );
    expect(item).toEqual({ title: 'T', status: 'DONE', note: 'n' });
    expect(versionOf(item)).toBe(2);
  });

  it('refuses an unexpected state with 409 carrying the current state', async () => {
    // GIVEN a task already done
    const projectId = newProject();
    await createOpenTask(projectId);
    await updateTask.update({ projectId, taskId: 't' }, { set: { status: 'DONE' } });

    // WHEN it is completed again, expecting it open
    const error = await rejectionOf(
      updateTask.update(
        { projectId, taskId: 't' },
        { set: { status: 'DONE', title: 'changed' }, expect: { status: 'OPEN', title: 'T' } },
      ),
    );

    // THEN it is a 409 with the current values of the expected attributes, and nothing changed
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(409);
    expect(error.message).toBe(
      `the item with projectId "${projectId}", taskId "t" is not in the expected state {"status":"OPEN","title":"T"}`,
    );
    expect(error.extensions).toEqual({ currentState: { status: 'DONE', title: 'T' } });
    expect(await stored(projectId, 't')).toMatchObject({ status: 'DONE', title: 'T', version: 2 });
  });

  it('refuses a stale ifVersion with 412 carrying the current version', async () => {
    // GIVEN a task at version 2
    const projectId = newProject();
    await createOpenTask(projectId);
    await updateTask.update({ projectId, taskId: 't' }, { set: { title: 'v2' } });

    // WHEN a client that saw version 1 updates it
    const error = await rejectionOf(
      updateTask.update({ projectId, taskId: 't' }, { set: { title: 'lost update' }, ifVersion: 1 }),
    );

    // THEN it is a 412 telling the current version, and nothing changed
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(412);
    expect(error.message).toBe(
      `the item with projectId "${projectId}", taskId "t" is at version 2, not 1: read it again and retry`,
    );
    expect(error.extensions).toEqual({ currentVersion: 2 });
    expect(await stored(projectId, 't')).toMatchObject({ title: 'v2', version: 2 });
  });

  it('applies an update whose ifVersion is current', async () => {
    const projectId = newProject();
    await createOpenTask(projectId);
    const item = await updateTask.update({ projectId, taskId: 't' }, { set: { title: 'ok' }, ifVersion: 1 });
    expect(item).toMatchObject({ title: 'ok' });
    expect(versionOf(item)).toBe(2);
  });

  it('applies an update when its version is one of several accepted, and refuses one when none is', async () => {
    // GIVEN a task at version 2
    const projectId = newProject();
    await createOpenTask(projectId);
    await updateTask.update({ projectId, taskId: 't' }, { set: { title: 'v2' } });

    // WHEN it is updated accepting versions 1 or 3, then 2 or 3, then none
    const neither = await rejectionOf(
      updateTask.update({ projectId, taskId: 't' }, { set: { title: 'x' }, ifVersion: [1, 3] }),
    );
    const none = await rejectionOf(
      updateTask.update({ projectId, taskId: 't' }, { set: { title: 'x' }, ifVersion: [] }),
    );
    const item = await updateTask.update({ projectId, taskId: 't' }, { set: { title: 'v3' }, ifVersion: [2, 3] });

    // THEN the first two are 412s naming what was accepted, and the third applies
    expect([neither.status, neither.message]).toEqual([
      412,
      `the item with projectId "${projectId}", taskId "t" is at version 2, not 1 or 3: read it again and retry`,
    ]);
    expect([none.status, none.message]).toEqual([
      412,
      `the item with projectId "${projectId}", taskId "t" is at version 2, not any version given: read it again and retry`,
    ]);
    expect(versionOf(item)).toBe(3);
    expect(await stored(projectId, 't')).toMatchObject({ title: 'v3', version: 3 });
  });

  it('refuses an update accepting no version on a missing item with 404, not 412', async () => {
    const error = await rejectionOf(
      updateTask.update({ projectId: newProject(), taskId: 'none' }, { set: { title: 'x' }, ifVersion: [] }),
    );
    expect(error.status).toBe(404);
  });

  it('refuses to update a missing item with 404, creating nothing (with and without read-back)', async () => {
    const projectId = newProject();
    for (const pattern of [updateTask, blind.update]) {
      const error = await rejectionOf(pattern.update({ projectId, taskId: 'ghost' }, { set: { title: 'x' } }));
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(404);
      expect(error.message).toBe(`the item with projectId "${projectId}", taskId "ghost" does not exist`);
    }
    expect(await stored(projectId, 'ghost')).toBeUndefined();
  });

  it('refuses to update an expired item with 404, leaving it as it was', async () => {
    const projectId = newProject();
    await putRaw(projectId, 't', { title: 'old', status: 'OPEN', version: 1, expiresAt: epochSeconds() - 5 });
    const error = await rejectionOf(
      updateTask.update({ projectId, taskId: 't' }, { set: { title: 'x' }, expect: { status: 'OPEN' } }),
    );
    expect(error.status).toBe(404);
    expect(await stored(projectId, 't')).toMatchObject({ title: 'old', version: 1 });
  });

  it('without read-back (dynalite returns no item on a refusal) tells a missing item from an existing one only by 404', async () => {
    // GIVEN a done task, and a function that may not read it back
    const projectId = newProject();
    await createOpenTask(projectId);
    await updateTask.update({ projectId, taskId: 't' }, { set: { status: 'DONE' } });

    // WHEN the function updates it from the wrong state
    const error = await rejectionOf(
      blind.update.update({ projectId, taskId: 't' }, { set: { status: 'DONE' }, expect: { status: 'OPEN' } }),
    );

    // THEN the refusal stands, but without the item the toolkit cannot say why
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(404);
    expect(await stored(projectId, 't')).toMatchObject({ status: 'DONE', version: 2 });
  });

  it('ignores attributes set to undefined, as create() and put() do (a PATCH of optional fields)', async () => {
    // GIVEN an open task, and a partial update whose optional fields were not sent
    const projectId = newProject();
    await createOpenTask(projectId);
    const patch: { title?: string; description?: string } = { title: 'renamed' };

    // WHEN it is applied with the absent field present as undefined
    const item = await updateTask.update(
      { projectId, taskId: 't' },
      { set: { title: patch.title, description: patch.description } },
    );

    // THEN the given field is set and the absent one left alone
    expect(item).toEqual({ title: 'renamed', status: 'OPEN', note: 'n' });
  });

  it('sets the TTL attribute from ttlSeconds', async () => {
    const projectId = newProject();
    await createOpenTask(projectId);
    const before = epochSeconds();
    const item = await updateTask.update({ projectId, taskId: 't' }, { set: { status: 'ARCHIVED' }, ttlSeconds: 3600 });
    expect(item.expiresAt).toBeGreaterThanOrEqual(before + 3600);
    expect(item.expiresAt).toBeLessThanOrEqual(epochSeconds() + 3600);
  });

  it('answers success when a retried update finds its own write (the first answer was lost)', async () => {
    // GIVEN an open task, and a client that sends every request twice
    const projectId = newProject();
    await createOpenTask(projectId);
    const tasks = new Table(rt.table.config, sendingTwice().client).item('updateTask');

    // WHEN a state transition is sent through it
    const item = await tasks.update(
      { projectId, taskId: 't' },
      { set: { status: 'DONE' }, expect: { status: 'OPEN' } },
    );

    // THEN the second attempt's failed condition is recognized as the first attempt's write
    expect(item).toEqual({ title: 'T', note: 'n', status: 'DONE' });
    expect(versionOf(item)).toBe(2);
  });

  it('applies an update without expectations once when the SDK retries it after its answer was lost', async () => {
    // GIVEN an open task, and a client that sends every request twice
    const projectId = newProject();
    await createOpenTask(projectId);
    const { client, sent } = sendingTwice();

    // WHEN an update that only sets a title is sent through it
    const item = await new Table(rt.table.config, client)
      .item('updateTask')
      .update({ projectId, taskId: 't' }, { set: { title: 'renamed' } });

    // THEN the retry is refused by the write id the first attempt left, and the version went up once
    // (and the item read back, as dynalite does not return it with the failed condition)
    expect(sent).toEqual([
      'UpdateCommand: answered',
      'UpdateCommand: ConditionalCheckFailedException',
      'GetCommand: answered',
      'GetCommand: answered',
    ]);
    expect(item).toEqual({ title: 'renamed', status: 'OPEN', note: 'n' });
    expect(versionOf(item)).toBe(2);
    expect(await stored(projectId, 't')).toMatchObject({ title: 'renamed', version: 2 });
  });

  it.each([
    ['set', { set: { PK: 'PROJECT#other' } }, 'PK'],
    ['set', { set: { version: 99 } }, 'version'],
    ['remove', { remove: ['SK'] }, 'SK'],
    ['remove', { remove: ['_writeId'] }, '_writeId'],
  ])('refuses to %s a managed attribute (%j) without writing', async (_, options, attribute) => {
    const projectId = newProject();
    await createOpenTask(projectId);
    const error = await rejectionOf(updateTask.update({ projectId, taskId: 't' }, options));
    expect(error.message).toContain(`attribute "${attribute}" is managed by the toolkit`);
    expect(await stored(projectId, 't')).toMatchObject({ version: 1 });
  });

  it('is refused on a pattern that is not an UpdateItem', async () => {
    const error = await rejectionOf(createTask.update({ projectId: 'p', taskId: 't' }, { set: { a: 1 } }));
    expect(error.message).toBe(
      'access pattern "createTask" is a PutItem: update() needs a UpdateItem pattern, which grants that action',
    );
  });
});

describe('delete', () => {
  it('deletes the item and returns it as it was, without its keys, write id and version', async () => {
    const projectId = newProject();
    await createTask.create({ projectId, taskId: 't' }, { title: 'bye' });
    const old = await deleteTask.delete({ projectId, taskId: 't' });
    expect(old).toEqual({ title: 'bye' });
    expect(versionOf(old)).toBe(1);
    expect(await stored(projectId, 't')).toBeUndefined();
  });

  it('refuses to delete a missing item with 404 (with and without read-back)', async () => {
    const projectId = newProject();
    for (const pattern of [deleteTask, blind.delete]) {
      const error = await rejectionOf(pattern.delete({ projectId, taskId: 'ghost' }));
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(404);
      expect(error.message).toBe(`the item with projectId "${projectId}", taskId "ghost" does not exist`);
    }
  });

  it('refuses to delete an expired item with 404', async () => {
    const projectId = newProject();
    await putRaw(projectId, 't', { title: 'old', expiresAt: epochSeconds() - 1 });
    expect((await rejectionOf(deleteTask.delete({ projectId, taskId: 't' }))).status).toBe(404);
  });

  it('refuses a delete from an unexpected state with 409 and keeps the item', async () => {
    const projectId = newProject();
    await createTask.create({ projectId, taskId: 't' }, { status: 'OPEN' });
    const error = await rejectionOf(deleteTask.delete({ projectId, taskId: 't' }, { expect: { status: 'DONE' } }));
    expect(error.status).toBe(409);
    expect(error.extensions).toEqual({ currentState: { status: 'OPEN' } });
    expect(await stored(projectId, 't')).toMatchObject({ status: 'OPEN' });
  });

  it('refuses a delete of a newer version with 412 and keeps the item', async () => {
    const projectId = newProject();
    await createTask.create({ projectId, taskId: 't' }, { status: 'OPEN' });
    await updateTask.update({ projectId, taskId: 't' }, { set: { status: 'DONE' } });
    const error = await rejectionOf(deleteTask.delete({ projectId, taskId: 't' }, { ifVersion: 1 }));
    expect(error.status).toBe(412);
    expect(error.extensions).toEqual({ currentVersion: 2 });
    expect(await stored(projectId, 't')).toBeDefined();
  });

  it('deletes when the expected state and version hold', async () => {
    const projectId = newProject();
    await createTask.create({ projectId, taskId: 't' }, { status: 'OPEN' });
    const old = await deleteTask.delete({ projectId, taskId: 't' }, { expect: { status: 'OPEN' }, ifVersion: 1 });
    expect(old).toEqual({ status: 'OPEN' });
    expect(await stored(projectId, 't')).toBeUndefined();
  });

  it('is refused on a pattern that is not a DeleteItem', async () => {
    const error = await rejectionOf(getTask.delete({ projectId: 'p', taskId: 't' }));
    expect(error.message).toBe(
      'access pattern "getTask" is a GetItem: delete() needs a DeleteItem pattern, which grants that action',
    );
  });
});

describe('describing an item', () => {
  it('names a partition-only item by its key value, and a constant-key item as "the item"', async () => {
    // GIVEN patterns whose keys have one parameter, and none
    const table = rt.withPatterns({
      createUser: { operation: 'PutItem', partitionKey: ['PK', 'USER#{userId}'], sortKey: ['SK', 'PROFILE'] },
      createSingleton: { operation: 'PutItem', partitionKey: ['PK', 'CONFIG'], sortKey: ['SK', 'GLOBAL'] },
    });
    await table.item('createUser').create({ userId: 'u-1' }, {});
    await table.item('createSingleton').create({}, {});

    // THEN their conflicts describe them accordingly
    expect((await rejectionOf(table.item('createUser').create({ userId: 'u-1' }, {}))).message).toBe(
      'the item with userId "u-1" already exists',
    );
    expect((await rejectionOf(table.item('createSingleton').create({}, {}))).message).toBe('the item already exists');
  });

  it('never puts the storage key in a refusal', () => {
    const error = thrownBy(() => getTask.key({ projectId: 'x'.repeat(300), taskId: 't' }));
    expect(error.message).not.toContain('PROJECT#');
  });
});
