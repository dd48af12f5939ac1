import { SHARDED_PATTERNS } from './sharding-util';
import { rejectionOf, startRuntimeTable, type RuntimeTable } from './util';
import { keyParamsOf, queryKeyConditionOf, queryKeyConditionsOf } from '../../src/runtime/keys';
import { HttpError } from '../../src/runtime/problem';
import { shardOf } from '../../src/runtime/shards';

/**
 * Item patterns of a write-sharded partition against the local DynamoDB: an item's shard is calculated from its sort
 * key (a calculated suffix, not a random one), so reads by key find what a put wrote.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-sharding.html
 */

const SHARD_REFUSED = (given: unknown) =>
  `\`shard\` is not chosen by the request: the toolkit computes it for a sharded access pattern, got: ${JSON.stringify(given)}`;

let rt: RuntimeTable;

beforeAll(async () => {
  rt = await startRuntimeTable(SHARDED_PATTERNS);
});

afterAll(async () => {
  await rt.close();
});

describe('the shard of an item', () => {
  test('is the first four bytes of the SHA-256 of the sort key, big-endian, modulo the shard count', () => {
    // Expected values computed outside the toolkit: Python's int.from_bytes(hashlib.sha256(sk.encode()).digest()[:4], 'big')
    expect(shardOf('ORDER#o-1', 10)).toBe(35269618 % 10);
    expect(shardOf('ORDER#o-2', 10)).toBe(1336750174 % 10);
    expect(shardOf('ORDER#2024-06-03T10:00:00Z#a1', 32)).toBe(1030565831 % 32);
    expect(shardOf('EVENT#été', 4)).toBe(4238294155 % 4);
  });

  test('refuses a shard count that is not a positive whole number', () => {
    expect(() => shardOf('ORDER#o-1', 0)).toThrow(new Error('shards must be a positive whole number, got: 0'));
  });
});

describe('GIVEN orders written through a pattern sharded 10 ways', () => {
  const COUNT = 1_000;

  test('WHEN many are created THEN each lands in the shard of its sort key, and the shards fill evenly', async () => {
    const place = rt.table.item('placeOrder');
    const ids = Array.from({ length: COUNT }, (_, i) => `o-${i}`);
    for (let i = 0; i < ids.length; i += 25) {
      await Promise.all(ids.slice(i, i + 25).map((orderId) => place.create({ orderId }, { total: 1 })));
    }

    const stored = (await rt.local.items()).filter((item) => String(item.PK).startsWith('ORDERS#'));
    expect(stored).toHaveLength(COUNT);
    for (const item of stored) expect(item.PK).toBe(`ORDERS#${shardOf(String(item.SK), 10)}`);
    const counts = Array.from({ length: 10 }, (_, shard) => stored.filter((i) => i.PK === `ORDERS#${shard}`).length);
    // Chi-squared against a uniform spread: under 27.88, the 0.1% critical value with 9 degrees of freedom.
    const expected = COUNT / 10;
    const chiSquared = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(chiSquared).toBeLessThan(27.88);
  }, 60_000);

  test('WHEN one is read, updated and deleted by its key THEN each finds it, in the one shard it is in', async () => {
    const place = rt.table.item('placeOrder');
    const get = rt.table.item('getOrder');
    await place.create({ orderId: 'rw-1' }, { status: 'NEW' });
    const { result, operations } = await rt.local.record(async () => ({
      read: await get.get({ orderId: 'rw-1' }),
      shipped: await rt.table.item('shipOrder').update({ orderId: 'rw-1' }, { set: { status: 'SHIPPED' } }),
      raw: await get.get({ orderId: 'rw-1' }, { raw: true, consistent: true }),
      cancelled: await rt.table.item('cancelOrder').delete({ orderId: 'rw-1' }),
      gone: await get.get({ orderId: 'rw-1' }, { consistent: true }),
    }));
    expect(result.read).toEqual({ status: 'NEW' });
    expect(result.shipped).toEqual({ status: 'SHIPPED' });
    expect(result.raw).toMatchObject({ PK: `ORDERS#${shardOf('ORDER#rw-1', 10)}`, SK: 'ORDER#rw-1' });
    expect(result.cancelled).toEqual({ status: 'SHIPPED' });
    expect(result.gone).toBeUndefined();
    const keys = operations.map((op) => (op.input.Key ?? op.input.Item).PK.S);
    expect(new Set(keys)).toEqual(new Set([`ORDERS#${shardOf('ORDER#rw-1', 10)}`]));
  });

  test('WHEN an order is created twice THEN the second is a conflict: both creates computed the same shard', async () => {
    const place = rt.table.item('placeOrder');
    await place.create({ orderId: 'twice' }, { n: 1 });
    const error = await rejectionOf(place.create({ orderId: 'twice' }, { n: 2 }));
    expect(error.status).toBe(409);
    expect(error.message).toBe('the item with orderId "twice" already exists');
  });

  test('WHEN a missing order is updated THEN the 404 names its key values, not the shard', async () => {
    const error = await rejectionOf(rt.table.item('shipOrder').update({ orderId: 'nope' }, { set: { a: 1 } }));
    expect(error.status).toBe(404);
    expect(error.message).toBe('the item with orderId "nope" does not exist');
  });

  test.each([
    ['a get', () => rt.table.item('getOrder').get({ orderId: 'o-1', shard: 3 }), 3],
    ['a create', () => rt.table.item('placeOrder').create({ orderId: 'o-x', shard: '0' }, {}), '0'],
    ['a list', () => rt.table.query('listTenantOrders').page({ tenantId: 't', shard: 1 }), 1],
  ])(
    'WHEN the handler passes a shard to %s THEN it is refused with 400, and nothing is sent',
    async (_, call, given) => {
      const { result: error, operations } = await rt.local.record(() => rejectionOf(call()));
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(400);
      expect(error.message).toBe(SHARD_REFUSED(given));
      expect(error.extensions).toEqual({ errors: [{ field: 'shard', message: 'computed by the server' }] });
      expect(operations).toEqual([]);
    },
  );

  test("THEN the item's key is built without the handler naming a shard", () => {
    expect(rt.table.item('getOrder').key({ orderId: 'o-1' })).toEqual({ PK: 'ORDERS#8', SK: 'ORDER#o-1' });
  });
});

describe('the key builders of a sharded pattern', () => {
  test('THEN the handler is asked for every key parameter but the shard', () => {
    expect(keyParamsOf(SHARDED_PATTERNS.putTenantOrder)).toEqual(['tenantId', 'orderId']);
  });

  test('THEN a Query has one key condition per shard, and no single one', () => {
    const conditions = queryKeyConditionsOf(SHARDED_PATTERNS.listTenantOrders, { tenantId: 't-1' });
    expect(conditions.map((c) => c.ExpressionAttributeValues[':pk'])).toEqual(
      Array.from({ length: 8 }, (_, shard) => `TENANT#t-1#ORDERS#${shard}`),
    );
    expect(conditions.every((c) => c.ExpressionAttributeValues[':sk'] === 'ORDER#')).toBe(true);
    expect(() => queryKeyConditionOf(SHARDED_PATTERNS.listTenantOrders, { tenantId: 't-1' })).toThrow(
      new Error('a sharded Query pattern has one key condition per shard: use queryKeyConditionsOf'),
    );
  });
});

test('GIVEN a descriptor sharded on an index (which synth refuses) THEN a page is a programming error, not a wrong read', async () => {
  const table = rt.withPatterns({
    byDay: { operation: 'Query', index: 'byDay', partitionKey: ['GSI1PK', 'DAY#{shard}'], shards: 4 },
  });
  await expect(table.query('byDay').page({})).rejects.toThrow(
    new Error('access pattern "byDay" is sharded on index byDay: shards are read from the table only'),
  );
});
