/**
 * Time to Live, late as DynamoDB deletes: an expired item stays readable until the sweeper's delay has passed; only
 * a top-level Number no more than five years in the past counts; a write that moves the expiry wins over a deletion
 * in flight; the sweeper runs on its own timer, which never holds the process, until close.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { sdkClient, TASKS_TABLE } from './fixtures';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../../src/local/dynamodb';
import { TtlSweeper } from '../../../src/local/dynamodb/ttl-sweeper';

const TABLE = TASKS_TABLE.tableName;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const seconds = (iso: string) => String(Date.parse(iso) / 1000);
const key = (id: string) => ({ PK: { S: 'INVITE' }, SK: { S: id } });

describe('TTL deletion in the local DynamoDB', () => {
  let db: LocalDynamoDb;
  let now: number;
  let lines: string[];

  beforeEach(async () => {
    now = NOW;
    lines = [];
    db = await startLocalDynamoDb({
      tables: [TASKS_TABLE],
      // No timer pass during these tests: each one sweeps when it says so.
      ttl: { delaySeconds: 60, sweepIntervalMs: 3_600_000 },
      now: () => now,
      log: (line) => lines.push(line),
    });
  });
  afterEach(() => db.close());

  const put = (id: string, expiresAt?: { N: string } | { S: string }, extra: object = {}) =>
    db.request('PutItem', { TableName: TABLE, Item: { ...key(id), ...(expiresAt ? { expiresAt } : {}), ...extra } });
  const exists = async (id: string) =>
    (await db.request('GetItem', { TableName: TABLE, Key: key(id), ConsistentRead: true })).Item !== undefined;

  test('GIVEN an item expired 30 s ago WHEN the sweeper runs THEN reads still return it, as DynamoDB returns expired items until it deletes them', async () => {
    await put('recent', { N: String(NOW / 1000 - 30) });
    const deleted = await db.sweepExpired();
    const client = sdkClient(db.endpoint, 'any');
    try {
      const read = await client.send(new GetItemCommand({ TableName: TABLE, Key: key('recent') }));

      expect(deleted).toBe(0);
      expect(read.Item?.expiresAt).toEqual({ N: String(NOW / 1000 - 30) });
    } finally {
      client.destroy();
    }
  });

  test('GIVEN an item expired longer ago than the delay WHEN the sweeper runs THEN it is deleted from the table and its indexes, and a line says so', async () => {
    await put('old', { N: String(NOW / 1000 - 61) }, { status: { S: 'stale' }, dueAt: { N: '1' } });
    const deleted = await db.sweepExpired();
    const byStatus = await db.request('Query', {
      TableName: TABLE,
      IndexName: 'byStatus',
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: 'stale' } },
    });

    expect(deleted).toBe(1);
    expect(await exists('old')).toBe(false);
    expect(byStatus.Items).toEqual([]);
    expect(lines).toEqual([`TTL deleted 1 expired item(s) from ${TABLE}`]);
  });

  test('GIVEN the clock moves past the delay THEN the same item goes at the next pass', async () => {
    await put('later', { N: String(NOW / 1000 - 30) });
    expect(await db.sweepExpired()).toBe(0);

    now = NOW + 31_000;

    expect(await db.sweepExpired()).toBe(1);
    expect(await exists('later')).toBe(false);
  });

  test('GIVEN TTL values that are not a Number, missing, in the future, or more than five years past THEN they are never deleted; just under five years is', async () => {
    await put('string', { S: seconds('2026-01-01T00:00:00Z') });
    await put('missing');
    await put('future', { N: String(NOW / 1000 + 3600) });
    await put('milliseconds', { N: String(NOW - 3_600_000) });
    await put('six-years', { N: seconds('2020-06-01T00:00:00Z') });
    await put('five-years-and-a-second', { N: seconds('2021-05-31T23:59:59Z') });
    await put('under-five-years', { N: seconds('2021-06-01T00:00:01Z') });

    const deleted = await db.sweepExpired();

    expect(deleted).toBe(1);
    expect(await exists('under-five-years')).toBe(false);
    for (const id of ['string', 'missing', 'future', 'milliseconds', 'six-years', 'five-years-and-a-second']) {
      expect([id, await exists(id)]).toEqual([id, true]);
    }
  });

  test('GIVEN a write that extends the expiry between the scan and the delete THEN the write wins and the item stays', async () => {
    await put('extended', { N: String(NOW / 1000 - 3600) });
    await put('removed', { N: String(NOW / 1000 - 3600) });
    const sweeper = new TtlSweeper({
      tables: [TASKS_TABLE],
      now: () => now,
      delaySeconds: 60,
      log: () => undefined,
      send: async (operation, input) => {
        const output = await db.request(operation, input);
        if (operation === 'Scan') {
          // A handler renews one invite and makes the other permanent while the sweep is under way.
          await db.request('UpdateItem', {
            TableName: TABLE,
            Key: key('extended'),
            UpdateExpression: 'SET expiresAt = :e',
            ExpressionAttributeValues: { ':e': { N: String(NOW / 1000 + 3600) } },
          });
          await db.request('UpdateItem', {
            TableName: TABLE,
            Key: key('removed'),
            UpdateExpression: 'REMOVE expiresAt',
          });
        }
        return output;
      },
    });

    expect(await sweeper.sweep()).toBe(0);
    expect(await exists('extended')).toBe(true);
    expect(await exists('removed')).toBe(true);
  });

  test('GIVEN more expired items than one Scan page holds (1 MB) THEN a pass reads every page and deletes them all', async () => {
    const body = { S: 'x'.repeat(100_000) };
    for (let i = 0; i < 30; i++) await put(`bulk-${i}`, { N: String(NOW / 1000 - 3600) }, { body });
    let scans = 0;
    const sweeper = new TtlSweeper({
      tables: [TASKS_TABLE],
      now: () => now,
      delaySeconds: 60,
      log: () => undefined,
      send: (operation, input) => {
        if (operation === 'Scan') scans++;
        return db.request(operation, input);
      },
    });

    expect(await sweeper.sweep()).toBe(30);
    expect(scans).toBeGreaterThan(1);
    expect((await db.request('Scan', { TableName: TABLE, Select: 'COUNT' })).Count).toBe(0);
  });
});

describe('the TTL timer', () => {
  test('GIVEN a short interval THEN expired items go without a call, the timer does not hold the process, and close stops it', async () => {
    const lines: string[] = [];
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const db = await startLocalDynamoDb({
      tables: [TASKS_TABLE],
      ttl: { sweepIntervalMs: 20, delaySeconds: 0 },
      log: (line) => lines.push(line),
    });
    let closed = false;
    try {
      expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(timersBefore);
      await db.request('PutItem', {
        TableName: TABLE,
        Item: { ...key('a'), expiresAt: { N: String(Date.now() / 1000 - 10) } },
      });
      // Generous for a loaded machine: the loop ends as soon as the sweep reports.
      const deadline = Date.now() + 10_000;
      while (!lines.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));

      expect(lines).toEqual([`TTL deleted 1 expired item(s) from ${TABLE}`]);
      expect((await db.request('GetItem', { TableName: TABLE, Key: key('a') })).Item).toBeUndefined();

      await db.close();
      closed = true;
      lines.length = 0;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(lines).toEqual([]);
    } finally {
      if (!closed) await db.close();
    }
  });

  test('GIVEN tables without TTL THEN a pass deletes nothing, even items with an expiresAt in the past', async () => {
    const table = { ...TASKS_TABLE, ttlAttribute: undefined };
    const db = await startLocalDynamoDb({ tables: [table], ttl: { delaySeconds: 0 }, log: () => undefined });
    try {
      await db.request('PutItem', { TableName: TABLE, Item: { ...key('a'), expiresAt: { N: '1700000000' } } });

      expect(await db.sweepExpired()).toBe(0);
      expect((await db.request('GetItem', { TableName: TABLE, Key: key('a') })).Item).toBeDefined();
    } finally {
      await db.close();
    }
  });

  test.each([
    [{ sweepIntervalMs: 0 }, '`ttl.sweepIntervalMs` must be greater than 0, got: 0'],
    [{ delaySeconds: -1 }, '`ttl.delaySeconds` must be 0 or more, got: -1'],
  ])('GIVEN ttl %j THEN starting fails with %s', async (ttl, message) => {
    await expect(startLocalDynamoDb({ tables: [TASKS_TABLE], ttl })).rejects.toThrow(message);
  });
});
