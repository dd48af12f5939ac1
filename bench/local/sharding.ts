/**
 * Write sharding on the local DynamoDB (dynalite in this process): the throughput of a sharded write pattern against
 * an unsharded one at a fixed concurrency, and the latency of a sharded list page (the query fan-out and merge) by
 * shard count. Prints figures, and what they do not show: dynalite has no per-partition throughput limit, so the
 * write figures measure the toolkit's cost of sharding, not the throttling sharding avoids; that part is computed
 * from AWS's per-partition limits. Asserts only that every write landed and every page was right.
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/local/sharding.ts [--writes 4000] [--concurrency 32]
 *     [--items 400] [--pages 300] [--limit 25]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { shardOf } from '../../src/runtime/shards';
import { createDocumentClient, Table } from '../../src/runtime/table';
import type { AccessPatternDescriptor } from '../../src/shared/key-shape';
import { startLocalTable } from '../../test/helpers/local-dynamodb';
import { summarize, table } from '../runtime/lib/stats';

const { values: args } = parseArgs({
  options: {
    writes: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '32' },
    items: { type: 'string', default: '400' },
    pages: { type: 'string', default: '300' },
    limit: { type: 'string', default: '25' },
  },
});
const count = (name: keyof typeof args) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`--${name} must be a positive integer, got: ${args[name]}`);
  }
  return value;
};

const WRITE_SHARDS = 10;
const FAN_OUT = [1, 2, 4, 8, 16, 32];
/** What one partition serves: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html */
const PARTITION_WRITES_PER_SECOND = 1_000;
const PARTITION_READS_PER_SECOND = 3_000;

const ORDER_SORT_KEY = ['SK', 'ORDER#{orderId}'] as const;
const PATTERNS: { [name: string]: AccessPatternDescriptor } = {
  // The same orders, in one partition and in 10.
  recordHot: { operation: 'PutItem', partitionKey: ['PK', 'ORDERS'], sortKey: ORDER_SORT_KEY },
  recordSharded: {
    operation: 'PutItem',
    partitionKey: ['PK', 'ORDERS#{shard}'],
    sortKey: ORDER_SORT_KEY,
    shards: WRITE_SHARDS,
  },
  // Feeds to list: one partition (the unsharded path), and each shard count.
  feed1: { operation: 'PutItem', partitionKey: ['PK', 'FEED1'], sortKey: ['SK', 'ITEM#{id}'] },
  list1: { operation: 'Query', partitionKey: ['PK', 'FEED1'], sortKey: ['SK', 'ITEM#'] },
  ...Object.fromEntries(
    FAN_OUT.filter((n) => n > 1).flatMap((n) => [
      [
        `feed${n}`,
        { operation: 'PutItem', partitionKey: ['PK', `FEED${n}#{shard}`], sortKey: ['SK', 'ITEM#{id}'], shards: n },
      ],
      [
        `list${n}`,
        { operation: 'Query', partitionKey: ['PK', `FEED${n}#{shard}`], sortKey: ['SK', 'ITEM#'], shards: n },
      ],
    ]),
  ),
};

/**
 * A client that counts the requests sent, the items they returned and the read capacity they consumed (asked of the
 * table with `ReturnConsumedCapacity`, which dynalite computes from item sizes as DynamoDB does).
 */
function counting(client: DynamoDBDocumentClient) {
  const counts = { requests: 0, items: 0, readUnits: 0 };
  const send = client.send.bind(client) as (
    command: { input: { ReturnConsumedCapacity?: string } },
    ...rest: unknown[]
  ) => Promise<{ Items?: unknown[]; ConsumedCapacity?: { CapacityUnits?: number } }>;
  const wrapped = {
    send: async (command: { input: { ReturnConsumedCapacity?: string } }, ...rest: unknown[]) => {
      counts.requests++;
      command.input.ReturnConsumedCapacity = 'TOTAL';
      const output = await send(command, ...rest);
      counts.items += output.Items?.length ?? 0;
      if (output.Items) counts.readUnits += output.ConsumedCapacity?.CapacityUnits ?? NaN;
      return output;
    },
  } as unknown as DynamoDBDocumentClient;
  return { client: wrapped, counts };
}

/** Runs `total` calls of `fn`, `concurrency` at a time; the latency of each, in ms, and the wall time. */
async function drive(total: number, concurrency: number, fn: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const start = performance.now();
        await fn(i);
        latencies.push(performance.now() - start);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

const ms = (value: number) => value.toFixed(2);
const thousands = (value: number) => value.toLocaleString('en-US');

/**
 * A client answering Queries from sorted in-memory partitions without a round trip, as DynamoDB would (`Limit`,
 * `ExclusiveStartKey`, `LastEvaluatedKey`, ascending): what is left of a page's time is the toolkit's.
 */
function inMemoryClient(partitions: Map<string, { PK: string; SK: string; body: string }[]>): DynamoDBDocumentClient {
  const send = async (command: {
    input: { ExpressionAttributeValues: { ':pk': string }; Limit: number; ExclusiveStartKey?: { SK: string } };
  }) => {
    const { ExpressionAttributeValues: values, Limit: take, ExclusiveStartKey: start } = command.input;
    const all = partitions.get(values[':pk']) ?? [];
    const from = start === undefined ? 0 : all.findIndex((item) => item.SK > start.SK);
    const items = from < 0 ? [] : all.slice(from, from + take);
    const more = from >= 0 && from + take < all.length;
    return {
      Items: items,
      ...(more ? { LastEvaluatedKey: { PK: values[':pk'], SK: items[items.length - 1].SK } } : {}),
    };
  };
  return { send } as unknown as DynamoDBDocumentClient;
}

/** Per shard count: the time of a first page and of the page after it, and the cursor's length, without a server. */
async function toolkitOnly(items: number, pages: number, limit: number): Promise<string[][]> {
  const rows: string[][] = [];
  for (const n of FAN_OUT) {
    const listName = `list${n}`;
    const partitions = new Map<string, { PK: string; SK: string; body: string }[]>();
    for (let i = 0; i < items; i++) {
      const SK = `ITEM#${String(i).padStart(6, '0')}`;
      const PK = n === 1 ? 'FEED1' : `FEED${n}#${shardOf(SK, n)}`;
      partitions.set(PK, [...(partitions.get(PK) ?? []), { PK, SK, body: 'x'.repeat(100) }]);
    }
    const config = {
      tableName: 'memory',
      partitionKey: 'PK',
      sortKey: 'SK',
      ttlAttribute: 'expiresAt',
      accessPatterns: { [listName]: PATTERNS[listName] },
    };
    const list = new Table(config, inMemoryClient(partitions)).query(listName);
    const first: number[] = [];
    const next: number[] = [];
    let cursor = '';
    for (let i = 0; i < pages + 50; i++) {
      let start = performance.now();
      const page = await list.page({}, { limit });
      const firstMs = performance.now() - start;
      cursor = page.nextCursor!;
      start = performance.now();
      const second = await list.page({}, { limit, cursor });
      const nextMs = performance.now() - start;
      if (second.items.length !== limit) throw new Error(`${listName}: a second page of ${second.items.length} items`);
      // The first 50 warm up.
      if (i >= 50) {
        first.push(firstMs);
        next.push(nextMs);
      }
    }
    const [a, b] = [summarize(first), summarize(next)];
    rows.push([
      n === 1 ? '1 (unsharded)' : `${n}`,
      ms(a.median),
      ms(a.p99),
      ms(b.median),
      ms(b.p99),
      `${cursor.length}`,
    ]);
  }
  return rows;
}

async function main(): Promise<void> {
  const writes = count('writes');
  const concurrency = count('concurrency');
  const items = count('items');
  const pages = count('pages');
  const limit = count('limit');
  console.log(
    `Load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${cpus().length} cores; dynalite in memory, in this process\n`,
  );

  const local = await startLocalTable({
    TableName: 'sharding-bench',
    AttributeDefinitions: [
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
  });
  const documentClient = createDocumentClient();
  const { client, counts } = counting(documentClient);
  const config = {
    tableName: 'sharding-bench',
    partitionKey: 'PK',
    sortKey: 'SK',
    ttlAttribute: 'expiresAt',
    accessPatterns: PATTERNS,
  };
  const db = new Table(config, client);
  try {
    // Writes: the same puts into one partition and into 10, in alternating blocks so drift falls on both alike.
    const variants = [
      { name: 'unsharded (ORDERS)', pattern: db.item('recordHot'), latencies: [] as number[], seconds: 0 },
      {
        name: `${WRITE_SHARDS} shards (ORDERS#{shard})`,
        pattern: db.item('recordSharded'),
        latencies: [] as number[],
        seconds: 0,
      },
    ];
    const block = Math.max(concurrency, Math.floor(writes / 8));
    for (let done = 0; done < writes; done += block) {
      // Each goes first in every other block, so neither always meets the table just after the other's writes.
      for (const variant of done % (2 * block) === 0 ? variants : [...variants].reverse()) {
        const n = Math.min(block, writes - done);
        const run = await drive(n, concurrency, (i) =>
          variant.pattern.put({ orderId: `o-${done + i}` }, { total: 42, lines: 3 }),
        );
        variant.latencies.push(...run.latencies);
        variant.seconds += run.seconds;
      }
    }
    const stored = await local.items();
    const inShards = Array.from(
      { length: WRITE_SHARDS },
      (_, shard) => stored.filter((item) => item.PK === `ORDERS#${shard}`).length,
    );
    if (
      stored.filter((item) => item.PK === 'ORDERS').length !== writes ||
      inShards.reduce((a, b) => a + b) !== writes
    ) {
      throw new Error('not every write landed');
    }
    console.log(`PutItem through the toolkit, ${writes} per variant, concurrency ${concurrency}`);
    console.log(
      table(
        ['variant', 'writes/s', 'p50 ms', 'p99 ms', 'AWS ceiling (writes/s, 1 KB items)'],
        variants.map((v) => {
          const s = summarize(v.latencies);
          const partitions = v.pattern === variants[0].pattern ? 1 : WRITE_SHARDS;
          return [
            v.name,
            (writes / v.seconds).toFixed(0),
            ms(s.median),
            ms(s.p99),
            (partitions * PARTITION_WRITES_PER_SECOND).toLocaleString('en-US'),
          ];
        }),
      ),
    );
    console.log(`items per shard: ${inShards.join(', ')} (ideal ${writes / WRITE_SHARDS})\n`);

    // Reads: a first page of `limit` items of a feed of `items` items, by shard count.
    const rows: string[][] = [];
    for (const n of FAN_OUT) {
      const put = db.item(`feed${n}`);
      const ids = Array.from({ length: items }, (_, i) => String(i).padStart(6, '0'));
      await drive(items, concurrency, (i) => put.put({ id: ids[i] }, { body: 'x'.repeat(100) }));
      const list = db.query(`list${n}`);
      const expected = ids.slice(0, limit);
      for (let i = 0; i < 20; i++) await list.page({}, { limit });
      const before = { ...counts };
      const latencies: number[] = [];
      for (let i = 0; i < pages; i++) {
        const start = performance.now();
        const page = await list.page({}, { limit });
        latencies.push(performance.now() - start);
        if (page.items.length !== limit) {
          throw new Error(`list${n}: a page of ${page.items.length} items, not ${limit}`);
        }
      }
      const sent = { requests: counts.requests - before.requests, items: counts.items - before.items };
      const readUnits = counts.readUnits - before.readUnits;
      // A page that came back wrong cannot look fast: check one with its keys.
      const raw = await list.page({}, { limit, raw: true });
      if (raw.items.map((item) => String(item.SK).slice('ITEM#'.length)).join() !== expected.join()) {
        throw new Error(`list${n}: the page is not the first ${limit} items in order`);
      }
      const s = summarize(latencies);
      rows.push([
        n === 1 ? '1 (unsharded)' : `${n}`,
        ms(s.median),
        ms(s.p99),
        (sent.requests / pages).toFixed(0),
        (sent.items / pages).toFixed(0),
        (readUnits / pages).toFixed(1),
      ]);
    }
    console.log(
      `First page of ${limit} of ${items} items, ${pages} pages per shard count, sequential; fan-out at most 16 at once`,
    );
    console.log(table(['shards', 'p50 ms', 'p99 ms', 'Queries/page', 'items read/page', 'read units/page'], rows));
    console.log(`\nThe toolkit's own time per page, its Queries answered from memory at once (the merge, the cursor)`);
    console.log(
      table(
        ['shards', 'first page p50 ms', 'p99 ms', 'next page p50 ms', 'p99 ms', 'cursor chars'],
        await toolkitOnly(items, pages, limit),
      ),
    );
    console.log(`
What the local figures show: the toolkit's cost of sharding (a SHA-256 per write; per page, one Query per shard, the
merge, a larger cursor) on a server that never throttles. What they cannot show: dynalite has no per-partition
limit, so the unsharded writes are not throttled here as they would be in AWS; and its Queries share this process's
CPU, so the fan-out is slower here than parallel round trips to DynamoDB, where Queries in flight together take
about one round trip.
AWS, per partition: ${thousands(PARTITION_READS_PER_SECOND)} read units and ${thousands(PARTITION_WRITES_PER_SECOND)} write units per second
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html). So N shards take up to
N x ${thousands(PARTITION_WRITES_PER_SECOND)} writes per second of items up to 1 KB (${FAN_OUT.map((n) => `${n}: ${thousands(n * PARTITION_WRITES_PER_SECOND)}`).join(', ')}),
within the table's own limits: a new on-demand table serves 4,000 write units per second at once, and scales from
there (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html).
Reads do not gain: every page reads every shard, so a page costs N Queries (read units above), and the pages per
second one list can serve stay bounded by one partition's ${thousands(PARTITION_READS_PER_SECOND)} read units.`);
  } finally {
    documentClient.destroy();
    await local.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
