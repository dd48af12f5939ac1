/**
 * What the local DynamoDB's enforcing endpoint costs a request: GetItem latency through the endpoint against the
 * same GetItem sent straight to dynalite, from an AWS SDK v3 client as a handler makes one (keep-alive). The
 * authorizer here allows everything at no cost, so the figures are the endpoint's own (reading the signature and the
 * body, asking, forwarding); policy evaluation is the IAM part's to measure. A script that prints figures, not a test.
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/local/dynamodb.ts [--requests 1000] [--warmup 200] [--block 50]
 */
import { parseArgs } from 'util';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDb } from '../../src/local/dynamodb';
import type { LocalTableModel } from '../../src/local/model';
import { summarize, type Summary } from '../runtime/lib/stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '200' },
    block: { type: 'string', default: '50' },
  },
});
const count = (name: keyof typeof args) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`--${name} must be a positive integer, got: ${args[name]}`);
  }
  return value;
};

const TABLE: LocalTableModel = {
  logicalId: 'Table',
  tableName: 'Bench',
  arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Bench',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalSecondaryIndexes: [],
  localSecondaryIndexes: [],
};
const KEY = { PK: { S: 'PROJECT#bench' }, SK: { S: 'TASK#1' } };

async function main(): Promise<void> {
  const requests = count('requests');
  const warmup = count('warmup');
  const block = count('block');
  let asked = 0;
  const db = await startLocalDynamoDb({
    tables: [TABLE],
    authorizer: {
      authorize: () => {
        asked++;
        return { allowed: true };
      },
    },
    log: (line) => console.error(line),
  });
  const client = (endpoint: string) =>
    new DynamoDBClient({
      endpoint,
      region: db.region,
      credentials: { accessKeyId: 'bench-function', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  const variants = [
    { name: 'direct to dynalite', client: client(db.engineEndpoint), samples: [] as number[] },
    { name: 'through the endpoint', client: client(db.endpoint), samples: [] as number[] },
  ];
  try {
    await db.request('PutItem', { TableName: TABLE.tableName, Item: { ...KEY, title: { S: 'x'.repeat(200) } } });
    const get = new GetItemCommand({ TableName: TABLE.tableName, Key: KEY });
    const once = async (variant: (typeof variants)[number]) => {
      const start = process.hrtime.bigint();
      const output = await variant.client.send(get);
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      // A variant that answered wrongly cannot look fast.
      if (output.Item?.PK?.S !== KEY.PK.S) throw new Error(`${variant.name}: GetItem did not return the item`);
      return elapsed;
    };
    for (const variant of variants) for (let i = 0; i < warmup; i++) await once(variant);
    // Interleaved blocks, so that drift (GC, the machine's load) falls on both variants alike.
    for (let done = 0; done < requests; done += block) {
      for (const variant of variants) {
        for (let i = 0; i < Math.min(block, requests - done); i++) variant.samples.push(await once(variant));
      }
    }
    if (asked !== warmup + requests) {
      throw new Error(`the authorizer was asked ${asked} times, expected ${warmup + requests}`);
    }

    const [direct, endpoint] = variants.map((variant) => summarize(variant.samples));
    const row = (name: string, s: Summary) =>
      `${name.padEnd(24)} ${ms(s.median).padStart(9)} ${ms(s.p90).padStart(9)} ${ms(s.p99).padStart(9)}`;
    console.log(`GetItem, ${requests} per variant (after ${warmup} warm-up), sequential, AWS SDK v3 with keep-alive`);
    console.log(`${''.padEnd(24)} ${'p50'.padStart(9)} ${'p90'.padStart(9)} ${'p99'.padStart(9)}`);
    console.log(row(variants[0].name, direct));
    console.log(row(variants[1].name, endpoint));
    console.log(
      `${'endpoint overhead'.padEnd(24)} ${ms(endpoint.median - direct.median).padStart(9)} ${ms(endpoint.p90 - direct.p90).padStart(9)} ${ms(endpoint.p99 - direct.p99).padStart(9)}`,
    );
  } finally {
    for (const variant of variants) variant.client.destroy();
    await db.close();
  }
}

function ms(value: number): string {
  return `${value.toFixed(3)} ms`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
