import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { deflateRawSync, inflateRawSync } from 'zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { allPages, orderIds, placeTenantOrders, SHARDED_PATTERNS } from './sharding-util';
import {
  epochSeconds,
  httpApiEvent,
  parse,
  quietLogger,
  rejectionOf,
  startRuntimeTable,
  within,
  type RuntimeTable,
} from './util';
import { DEADLINE_MARGIN_MS } from '../../src/runtime/deadline';
import { apiHandler, route } from '../../src/runtime/handler';
import type { QueryPattern } from '../../src/runtime/query';
import { ok } from '../../src/runtime/response';
import { shardOf } from '../../src/runtime/shards';
import { Table } from '../../src/runtime/table';

/**
 * A list of a write-sharded partition: every shard queried in parallel (bounded), merged by sort key in the order
 * asked for, limited, and resumed by one cursor holding each shard's position.
 */

const MALFORMED = '`cursor` is not one this list issued: pass back the `nextCursor` of the previous page unchanged';

let rt: RuntimeTable;
let list: QueryPattern;

beforeAll(async () => {
  rt = await startRuntimeTable(SHARDED_PATTERNS);
  list = rt.table.query('listTenantOrders');
});

afterAll(async () => {
  await rt.close();
});

const decodeCursor = (cursor: string) => JSON.parse(inflateRawSync(Buffer.from(cursor, 'base64url')).toString('utf8'));
const encodeCursor = (value: unknown) =>
  deflateRawSync(Buffer.from(JSON.stringify(value), 'utf8')).toString('base64url');

describe('GIVEN a tenant with 50 orders over 8 shards', () => {
  const ids = orderIds(50);
  const sorted = [...ids].sort();

  beforeAll(async () => {
    await placeTenantOrders(rt, 't-gather', ids);
    // Beside them, items the list must not return: another tenant's orders, another prefix in the same shards.
    await placeTenantOrders(rt, 't-gather-2', ['001', '002']);
    await rt.local.put({ PK: `TENANT#t-gather#ORDERS#${shardOf('NOTE#1', 8)}`, SK: 'NOTE#1' });
  });

  test('THEN the items fill all 8 shards', async () => {
    const shards = new Set(ids.map((id) => shardOf(`ORDER#${id}`, 8)));
    expect(shards.size).toBe(8);
  });

  test('WHEN listed 7 at a time THEN the pages gather every shard in sort key order, each item once', async () => {
    const pages = await allPages(list, { tenantId: 't-gather' }, { limit: 7 });
    expect(pages.map((page) => page.items.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(pages.flatMap((page) => page.items.map((item) => item.orderId))).toEqual(sorted);
    expect(pages[pages.length - 1].nextCursor).toBeUndefined();
  });

  test('WHEN listed newest first THEN the same items come in the reverse order, across pages', async () => {
    const pages = await allPages(list, { tenantId: 't-gather' }, { limit: 9, descending: true });
    expect(pages.map((page) => page.items.length)).toEqual([9, 9, 9, 9, 9, 5]);
    expect(pages.flatMap((page) => page.items.map((item) => item.orderId))).toEqual([...sorted].reverse());
  });

  test('WHEN the limit takes them all THEN one page holds them, without a cursor, after one Query per shard', async () => {
    const { result: page, operations } = await rt.local.record(() =>
      list.page({ tenantId: 't-gather' }, { limit: 100 }),
    );
    expect(page.items.map((item) => item.orderId)).toEqual(sorted);
    expect(page.nextCursor).toBeUndefined();
    expect(operations.map((op) => op.operation)).toEqual(Array(8).fill('Query'));
    expect(operations.map((op) => op.input.ExpressionAttributeValues[':pk'].S).sort()).toEqual(
      Array.from({ length: 8 }, (_, shard) => `TENANT#t-gather#ORDERS#${shard}`),
    );
    expect(operations.every((op) => op.input.Limit === 100)).toBe(true);
  });

  test('WHEN the pattern has no sort key prefix THEN every item of the shards is listed in order', async () => {
    const page = await rt.table.query('listTenantItems').page({ tenantId: 't-gather' }, { limit: 100, raw: true });
    expect(page.items.map((item) => item.SK)).toEqual([...sorted.map((id) => `ORDER#${id}`), 'NOTE#1'].sort());
  });

  test('WHEN a cursor is followed THEN shards read to their end are not queried again', async () => {
    const first = await list.page({ tenantId: 't-gather' }, { limit: 45 });
    const positions = decodeCursor(first.nextCursor!).s;
    const exhausted = positions.filter((position: unknown) => position === 1).length;
    expect(exhausted).toBeGreaterThan(0);
    const { result: second, operations } = await rt.local.record(() =>
      list.page({ tenantId: 't-gather' }, { limit: 45, cursor: first.nextCursor }),
    );
    expect(second.items.map((item) => item.orderId)).toEqual(sorted.slice(45));
    expect(operations).toHaveLength(8 - exhausted);
  });
});

describe('GIVEN lists with empty shards', () => {
  test('WHEN a tenant has 3 orders over 8 shards THEN one page holds them in order, and no cursor', async () => {
    await placeTenantOrders(rt, 't-few', ['b', 'c', 'a']);
    const page = await list.page({ tenantId: 't-few' }, { limit: 3 });
    expect(page.items.map((item) => item.orderId)).toEqual(['a', 'b', 'c']);
    const rest =
      page.nextCursor === undefined ? [] : (await list.page({ tenantId: 't-few' }, { cursor: page.nextCursor })).items;
    expect(rest).toEqual([]);
  });

  test('WHEN a tenant has no order at all THEN the page is empty and has no cursor', async () => {
    expect(await list.page({ tenantId: 't-none' })).toEqual({ items: [], nextCursor: undefined });
  });
});

describe('GIVEN sort keys that UTF-16 and UTF-8 order differently, in two shards', () => {
  test('THEN the merge follows DynamoDB: UTF-8 bytes, so U+FFFF comes before U+10000', async () => {
    // One of each in different shards, so the order between them is the merge's, not one Query's.
    const bmp = '\uFFFF';
    const astral = [...Array(50).keys()]
      .map((i) => `\u{10000}${i}`)
      .find((id) => shardOf(`ORDER#${id}`, 8) !== shardOf(`ORDER#${bmp}`, 8))!;
    await placeTenantOrders(rt, 't-utf8', [astral, bmp]);
    expect(`ORDER#${astral}` < `ORDER#${bmp}`).toBe(true); // JavaScript's own order is the other one
    const page = await list.page({ tenantId: 't-utf8' });
    expect(page.items.map((item) => item.orderId)).toEqual([bmp, astral]);
    const reversed = await list.page({ tenantId: 't-utf8' }, { descending: true });
    expect(reversed.items.map((item) => item.orderId)).toEqual([astral, bmp]);
  });
});

describe('GIVEN a sharded list where most items have expired', () => {
  test('THEN the pages leave the expired out, and every live item comes exactly once', async () => {
    const ids = orderIds(40);
    const live = ids.filter((id) => Number(id) % 5 === 0);
    await placeTenantOrders(
      rt,
      't-expiry',
      ids.filter((id) => !live.includes(id)),
      { expiresAt: epochSeconds() - 60 },
    );
    await placeTenantOrders(rt, 't-expiry', live, { expiresAt: epochSeconds() + 3600 });
    const pages = await allPages(list, { tenantId: 't-expiry' }, { limit: 3 });
    expect(pages.flatMap((page) => page.items.map((item) => item.orderId))).toEqual([...live].sort());
    expect(pages.every((page) => page.items.length <= 3)).toBe(true);
  });
});

describe('GIVEN a cursor that this list did not issue', () => {
  let cursor: string;
  beforeAll(async () => {
    await placeTenantOrders(rt, 't-cursor', orderIds(20));
    cursor = (await list.page({ tenantId: 't-cursor' }, { limit: 5 })).nextCursor!;
  });

  test('THEN the cursor is opaque: compressed JSON with each shard position, in base64url', () => {
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const decoded = decodeCursor(cursor);
    expect(decoded).toEqual({ v: 2, b: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/), s: expect.any(Array) });
    expect(decoded.s).toHaveLength(8);
    expect(
      decoded.s.every((p: unknown) => p === 0 || p === 1 || (typeof p === 'string' && p.startsWith('ORDER#'))),
    ).toBe(true);
  });

  test.each([
    ['not base64url', '!!!'],
    ['not compressed JSON', Buffer.from('{"v":2}').toString('base64url')],
    ['an unsharded list cursor', Buffer.from(JSON.stringify({ v: 1, b: 'x', k: {} })).toString('base64url')],
    ['too long', 'A'.repeat(8193)],
  ])('WHEN it is %s THEN 400, malformed', async (_, bad) => {
    const error = await rejectionOf(list.page({ tenantId: 't-cursor' }, { cursor: bad }));
    expect([error.status, error.message]).toEqual([400, MALFORMED]);
  });

  test.each([
    ['a position outside the prefix', (s: unknown[]) => s.map((p) => (typeof p === 'string' ? 'NOTE#1' : p))],
    ['a position for a shard too many', (s: unknown[]) => [...s, 0]],
    ['every shard read to its end', (s: unknown[]) => s.map(() => 1)],
    ['a position that is not a sort key', (s: unknown[]) => s.map((p) => (typeof p === 'string' ? { S: p } : p))],
  ])('WHEN it has %s THEN 400, malformed: an edited cursor cannot move the list', async (_, edit) => {
    const decoded = decodeCursor(cursor);
    const edited = encodeCursor({ ...decoded, s: edit(decoded.s) });
    const error = await rejectionOf(list.page({ tenantId: 't-cursor' }, { cursor: edited }));
    expect([error.status, error.message]).toEqual([400, MALFORMED]);
  });

  test.each([
    ["another tenant's list", { tenantId: 't-gather' }, {}],
    ['the other order', { tenantId: 't-cursor' }, { descending: true }],
  ])('WHEN it was issued for %s THEN 400, another list', async (_, values, options) => {
    const error = await rejectionOf(list.page(values, { ...options, cursor }));
    expect([error.status, error.message]).toEqual([
      400,
      '`cursor` belongs to another list: start again without a cursor',
    ]);
  });
});

describe('the bounded fan-out', () => {
  /** The table with a client that counts the Queries in flight at once. */
  function counting(): { table: Table; maxInFlight: () => number } {
    let inFlight = 0;
    let max = 0;
    const send = rt.table.client.send.bind(rt.table.client) as (...args: unknown[]) => Promise<unknown>;
    const client = {
      send: async (...args: unknown[]) => {
        inFlight++;
        max = Math.max(max, inFlight);
        try {
          return await send(...args);
        } finally {
          inFlight--;
        }
      },
    };
    return { table: new Table(rt.table.config, client as never, rt.table.clock), maxInFlight: () => max };
  }

  test('THEN at most `shardConcurrency` shards are queried at once, and all are read', async () => {
    await placeTenantOrders(rt, 't-bound', orderIds(16));
    const { table, maxInFlight } = counting();
    const page = await table
      .query('listTenantOrders', { shardConcurrency: 3 })
      .page({ tenantId: 't-bound' }, { limit: 100 });
    expect(page.items).toHaveLength(16);
    expect(maxInFlight()).toBe(3);
  });

  test('THEN by default all 8 shards are queried at once (up to 16)', async () => {
    const { table, maxInFlight } = counting();
    await table.query('listTenantOrders').page({ tenantId: 't-bound' }, { limit: 100 });
    expect(maxInFlight()).toBe(8);
  });

  test('THEN a concurrency below 1 is a programming error', () => {
    expect(() => rt.table.query('listTenantOrders', { shardConcurrency: 0 })).toThrow(
      new Error('shardConcurrency must be a whole number of at least 1, got: 0'),
    );
  });
});

describe('GIVEN a sharded list route and a table that never answers', () => {
  const REMAINING_MS = 1_500;
  let stalled: Server;
  let received = 0;
  let client: DynamoDBDocumentClient;

  beforeAll(async () => {
    stalled = createServer(() => received++);
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    client = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
    );
  });

  afterAll(async () => {
    client.destroy();
    stalled.closeAllConnections();
    await new Promise<void>((resolve) => stalled.close(() => resolve()));
  });

  test('WHEN it is invoked THEN it answers 503 before Lambda would time out, and starts no shard after the deadline', async () => {
    const table = new Table(rt.table.config, client, rt.table.clock);
    const orders = table.query('listTenantOrders', { shardConcurrency: 2 });
    const handler = apiHandler({
      logger: quietLogger(),
      routes: {
        'GET /tenants/{tenantId}/orders': route({
          handle: async ({ params }) => ok(await orders.page({ tenantId: params.tenantId! })),
        }),
      },
    });
    const end = Date.now() + REMAINING_MS;
    const started = Date.now();
    const answer = handler(httpApiEvent('GET /tenants/{tenantId}/orders', { pathParameters: { tenantId: 't-late' } }), {
      awsRequestId: 'sharded-deadline',
      getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
    } as never);
    const outcome = await within(answer.then(parse), REMAINING_MS, 'no answer before Lambda would time out');
    const elapsedMs = Date.now() - started;

    expect(outcome).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
    expect(elapsedMs).toBeGreaterThanOrEqual(REMAINING_MS - DEADLINE_MARGIN_MS - 50);
    expect(elapsedMs).toBeLessThan(REMAINING_MS);
    // The two shards in flight were cut off; the other six were never sent.
    expect(received).toBe(2);
  });
});
