/**
 * Benchmark of the toolkit's queue worker (`sqsWorker`) against a hand-written SQS handler doing the same work: a
 * batch of messages, each validated with the same zod schema and written with the same conditional PutItem. Prints
 * figures; see bench/runtime/README.md ("Queue worker").
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/runtime/worker.ts [--batches 500] [--batch-size 10]
 */
import { createHash } from 'crypto';
import { parseArgs } from 'util';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { cannedDocumentClient } from './lib/canned-client';
import { lambdaContext } from './lib/events';
import { measureInterleaved, timedClient, type LatencyPlan, type Variant, type VariantTimings } from './lib/latency';
import { startLocalDynamoDB } from './lib/local-dynamodb';
import { median, percent, quantile, summarize, table } from './lib/stats';

type Module = typeof import('./handlers/sqs-batch');

const { values: args } = parseArgs({
  options: {
    batches: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '100' },
    block: { type: 'string', default: '20' },
    'batch-size': { type: 'string', default: '10' },
    'cpu-batches': { type: 'string', default: '5000' },
    only: { type: 'string', default: 'latency,sdk,cpu' },
  },
});
const count = (name: keyof typeof args) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const BATCH_SIZE = count('batch-size');
if (BATCH_SIZE > 10) {
  throw new Error('--batch-size must be at most 10 (an SQS batch of a standard event source mapping window)');
}
const sections = new Set(String(args.only).split(','));

type Invocation = { readonly event: SQSEvent; readonly context: Context };
type Handler = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;

/** A record as Lambda delivers it (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html), one task each. */
function record(run: string, batch: number, index: number): SQSRecord {
  const body = JSON.stringify({
    projectId: `p-${run}`,
    taskId: `t-${batch}-${index}`,
    title: 'Write the quarterly report',
  });
  const messageId = createHash('sha256').update(`${run}/${batch}/${index}`).digest('hex').slice(0, 32);
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1767225600000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1767225600002',
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:bench-tasks',
    awsRegion: 'us-east-1',
  };
}

/** A variant handling batch `i` of unique messages; it must report no failure, so a failing one cannot look fast. */
function variant(label: string, run: string, handler: Handler, timeInSend?: () => number): Variant<Invocation> {
  return {
    label,
    timeInSend,
    prepare: (i) => ({
      event: { Records: Array.from({ length: BATCH_SIZE }, (_, k) => record(run, i, k)) },
      context: lambdaContext(`${run}-${i}`),
    }),
    invoke: ({ event, context }) => handler(event, context),
    check: (result) => {
      const failures = (result as { batchItemFailures?: unknown[] }).batchItemFailures;
      if (!Array.isArray(failures) || failures.length) {
        throw new Error(`${label}: expected no failure, got ${JSON.stringify(result).slice(0, 300)}`);
      }
    },
  };
}

function latencyTable(timings: readonly VariantTimings[], unit: 'ms' | 'us'): string {
  const scale = unit === 'ms' ? 1e6 : 1e3;
  return table(
    ['variant', 'batches', `median ${unit}`, `p90 ${unit}`, `p99 ${unit}`, 'outside send() us'],
    timings.map(({ label, nanoseconds, outsideSend }) => {
      const s = summarize(nanoseconds);
      return [
        label,
        String(s.count),
        ...[s.median, s.p90, s.p99].map((v) => (v / scale).toFixed(unit === 'ms' ? 3 : 1)),
        outsideSend ? (median(outsideSend) / 1e3).toFixed(1) : '',
      ];
    }),
  );
}

/** `b` over `a` at the median, per batch and per message, with the spread of the per-block ratios. */
function overhead(label: string, a: Float64Array, b: Float64Array, block: number): string {
  const ratios: number[] = [];
  for (let start = 0; start < a.length; start += block) {
    ratios.push(median(b.subarray(start, start + block)) / median(a.subarray(start, start + block)) - 1);
  }
  const sorted = Float64Array.from(ratios).sort();
  const us = (median(b) - median(a)) / 1e3;
  return (
    `${label}: ${percent(median(b) / median(a) - 1)} at the median, ${us.toFixed(1)} us per batch ` +
    `(${(us / BATCH_SIZE).toFixed(1)} us per message); per ${block}-batch block: middle half ` +
    `${percent(quantile(sorted, 0.25))} to ${percent(quantile(sorted, 0.75))}`
  );
}

/** Runs (a), (b) and (c) with clients made by `clientOf`, and prints their figures. */
async function section(title: string, handlers: Module, plan: LatencyPlan, clientOf: () => DynamoDBDocumentClient) {
  console.log(`\n## ${title}\n`);
  console.log(
    `${plan.requests} timed batches of ${BATCH_SIZE} messages per variant after ${plan.warmup} untimed, sequential, interleaved in blocks of ${plan.block}.\n`,
  );
  const bare = timedClient(clientOf());
  const plain = timedClient(clientOf());
  const once = timedClient(clientOf());
  const run = `s${title[0]}-${Date.now()}`;
  const timings = await measureInterleaved(
    [
      variant(
        '(a) bare SQS handler',
        `${run}a`,
        handlers.createBareHandler(bare.client) as Handler,
        bare.takeTimeInSend,
      ),
      variant('(b) sqsWorker', `${run}b`, handlers.createToolkitHandler(plain.client), plain.takeTimeInSend),
      variant(
        '(c) sqsWorker + idempotency (+2 writes/msg)',
        `${run}c`,
        handlers.createToolkitHandler(once.client, true),
        once.takeTimeInSend,
      ),
    ],
    plan,
  );
  console.log(latencyTable(timings, title.includes('dynalite') ? 'ms' : 'us'));
  console.log();
  const [a, b, c] = timings.map((t) => t.nanoseconds);
  console.log(overhead('(b) vs (a), the wrapper', a, b, plan.block));
  console.log(overhead('(c) vs (a), wrapper + claim and completion writes', a, c, plan.block));
  const outside = timings.map((t) => median(t.outsideSend!) / 1e3);
  console.log(
    `outside send(), per message: (a) ${(outside[0] / BATCH_SIZE).toFixed(1)} us, (b) ${(outside[1] / BATCH_SIZE).toFixed(1)} us, (c) ${(outside[2] / BATCH_SIZE).toFixed(1)} us`,
  );
}

async function main(): Promise<void> {
  const plan: LatencyPlan = { requests: count('batches'), warmup: count('warmup'), block: count('block') };
  console.log(`# Queue worker benchmark (node ${process.version}, batch of ${BATCH_SIZE})`);
  const local = await startLocalDynamoDB();
  // Loaded once the environment points at the local table: handlers read it when built.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handlers = require('./handlers/sqs-batch') as Module;
  try {
    if (sections.has('latency')) {
      await section('1. Per batch against in-process dynalite', handlers, plan, handlers.createClient);
    }
    if (sections.has('sdk')) {
      await section(
        '2. Client side only: the real SDK answered in-process with 200 {}',
        handlers,
        plan,
        cannedDocumentClient,
      );
    }
    if (sections.has('cpu')) {
      const cpuPlan = { ...plan, requests: count('cpu-batches'), warmup: count('cpu-batches') / 5 };
      const stub = () => ({ send: async () => ({ $metadata: {} }) }) as unknown as DynamoDBDocumentClient;
      await section('3. CPU only: a client whose send() resolves at once', handlers, cpuPlan, stub);
    }
  } finally {
    await local.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
