/**
 * Benchmark of the runtime toolkit against a hand-written handler: per-request overhead, bundle size and cold
 * init. Prints figures; see bench/README.md for what each one means.
 *
 *   npx ts-node --transpile-only bench/runtime/run.ts [--requests 3000] [--cold-runs 20] [--only latency,sdk,cpu,bundle]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { bundleHandler, type BundleEntry, type BundleResult } from './lib/bundle';
import { cannedDocumentClient } from './lib/canned-client';
import { coldInit, type ColdInit } from './lib/cold-init';
import { functionEnvironment } from './lib/environment';
import { createTaskEvent, lambdaContext } from './lib/events';
import {
  expectStatus,
  measureInterleaved,
  timedClient,
  type LatencyPlan,
  type Variant,
  type VariantTimings,
} from './lib/latency';
import { startLocalDynamoDB } from './lib/local-dynamodb';
import { profile, type Hotspot } from './lib/profile';
import { bytes, median, percent, quantile, summarize, table } from './lib/stats';
import { TASK_BOARD_EXTRA_ENVIRONMENT, TASK_BOARD_HANDLERS, taskBoardAccessPatterns } from './lib/task-board';
import { createDocumentClient } from '../../src/runtime';

type BareModule = typeof import('./handlers/create-task-bare');
type ToolkitModule = typeof import('./handlers/create-task-toolkit');
type PowertoolsModule = typeof import('./handlers/create-task-powertools');

const ROOT = path.resolve(__dirname, '..', '..');
/** The median overhead of the toolkit route over the bare handler the toolkit aims to stay within. */
const TARGET_OVERHEAD = 0.05;

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    warmup: { type: 'string', default: '500' },
    block: { type: 'string', default: '50' },
    'sdk-requests': { type: 'string', default: '10000' },
    'cpu-requests': { type: 'string', default: '20000' },
    'cold-runs': { type: 'string', default: '20' },
    only: { type: 'string', default: 'latency,sdk,cpu,bundle' },
    profile: { type: 'boolean', default: false },
  },
});
const count = (name: keyof typeof args) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const sections = new Set(String(args.only).split(','));

/**
 * Handlers read their environment when loaded, so they are required only once the local table has set it
 * (an import at the top would run first).
 */
function loadHandlers(): { bare: BareModule; toolkit: ToolkitModule; powertools: PowertoolsModule } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    bare: require('./handlers/create-task-bare') as BareModule,
    toolkit: require('./handlers/create-task-toolkit') as ToolkitModule,
    powertools: require('./handlers/create-task-powertools') as PowertoolsModule,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

type Event = ReturnType<typeof createTaskEvent>;
type Invocation = { readonly event: Event; readonly context: Context };

/**
 * A variant serving the create-task event with `handler`; `run` tags ids so no two requests share a key. With
 * `timeInSend`, the variant's time is also split into inside and outside the DynamoDB client's `send()`.
 */
function variant(
  label: string,
  run: string,
  handler: (event: Event, context: Context) => Promise<unknown>,
  idempotent: boolean,
  timeInSend?: () => number,
): Variant<Invocation> {
  return {
    timeInSend,
    label,
    prepare: (i) => ({
      event: createTaskEvent({
        projectId: `p-${run}`,
        taskId: `t-${i}`,
        requestId: `${run}-${i}`,
        idempotencyKey: idempotent ? `${run}-key-${i}` : undefined,
      }),
      context: lambdaContext(`${run}-${i}`),
    }),
    invoke: ({ event, context }) => handler(event, context),
    check: expectStatus(label, 201),
  };
}

/** A document client whose `send()` resolves at once: only the handlers' own CPU time remains. */
function stubClient<T>(): T {
  return { send: async () => ({ $metadata: {} }) } as unknown as T;
}

function latencyTable(timings: readonly VariantTimings[], unit: 'ms' | 'us'): string {
  const scale = unit === 'ms' ? 1e6 : 1e3;
  const digits = unit === 'ms' ? 3 : 1;
  return table(
    ['variant', 'requests', `median ${unit}`, `p90 ${unit}`, `p99 ${unit}`],
    timings.map(({ label, nanoseconds }) => {
      const s = summarize(nanoseconds);
      return [label, String(s.count), ...[s.median, s.p90, s.p99].map((v) => (v / scale).toFixed(digits))];
    }),
  );
}

/**
 * Medians of the two parts of each tracked request: inside `send()` (command middleware, marshalling, signing, the
 * HTTP exchange and dynalite's own work, all in this process) and outside it (the handler's own work, measured in
 * place, with caches shared with everything else the process does, unlike the stub run's tight loop).
 */
function splitTable(timings: readonly VariantTimings[], unit: 'ms' | 'us' = 'ms'): string {
  const scale = unit === 'ms' ? 1e6 : 1e3;
  const digits = unit === 'ms' ? 3 : 1;
  const tracked = timings.filter((t) => t.outsideSend !== undefined);
  return table(
    ['split at send(), medians', `total ${unit}`, `inside send() ${unit}`, 'outside send() us'],
    tracked.map(({ label, nanoseconds, outsideSend }) => {
      const inside = nanoseconds.map((total, i) => total - outsideSend![i]);
      return [
        label,
        (median(nanoseconds) / scale).toFixed(digits),
        (median(inside) / scale).toFixed(digits),
        (median(outsideSend!) / 1e3).toFixed(1),
      ];
    }),
  );
}

/**
 * The overhead of `b` over `a` in each round (block median against block median, taken minutes apart at most):
 * its spread shows how much of the overall figure is noise.
 */
function perRoundOverhead(
  a: Float64Array,
  b: Float64Array,
  block: number,
): { median: number; p25: number; p75: number } {
  const ratios: number[] = [];
  for (let start = 0; start < a.length; start += block) {
    ratios.push(median(b.subarray(start, start + block)) / median(a.subarray(start, start + block)) - 1);
  }
  const sorted = Float64Array.from(ratios).sort();
  return { median: quantile(sorted, 0.5), p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75) };
}

function overheadLine(label: string, a: Float64Array, b: Float64Array, block: number, scale: number, unit: string) {
  const ma = median(a);
  const mb = median(b);
  const rounds = perRoundOverhead(a, b, block);
  return (
    `${label}: ${percent(mb / ma - 1)} at the median (${((mb - ma) / scale).toFixed(unit === 'ms' ? 3 : 1)} ${unit} per request); ` +
    `per ${block}-request round: median ${percent(rounds.median)}, middle half ${percent(rounds.p25)} to ${percent(rounds.p75)}`
  );
}

type Handlers = ReturnType<typeof loadHandlers>;

/** Section 1; returns whether (b) missed the overhead target. */
async function latencySection({ bare, toolkit, powertools }: Handlers, plan: LatencyPlan): Promise<boolean> {
  console.log(`\n## 1. Per-request latency against in-process dynalite (same process, same table)\n`);
  console.log(
    `${plan.requests} timed requests per variant after ${plan.warmup} untimed, sequential, interleaved round-robin in blocks of ${plan.block}.`,
  );
  console.log('Each request creates a new task (unique id), so every variant answers 201 on every request.\n');
  // The clients each handler creates by default, timed to split each request at send().
  const bareClient = timedClient(bare.createClient());
  const toolkitClient = timedClient(createDocumentClient());
  const timings = await measureInterleaved(
    [
      variant(
        '(a) bare handler, same conditional put',
        'a',
        bare.createHandler(bareClient.client),
        false,
        bareClient.takeTimeInSend,
      ),
      variant(
        '(b) toolkit route, zod, no idempotency',
        'b',
        toolkit.createHandler({ idempotent: false, client: toolkitClient.client }),
        false,
        toolkitClient.takeTimeInSend,
      ),
      variant('(c) toolkit route, idempotent (+2 writes)', 'c', toolkit.createHandler({ idempotent: true }), true),
      variant('(d) Powertools idempotency (+2 writes)', 'd', powertools.createHandler(), true),
    ],
    plan,
  );
  console.log(latencyTable(timings, 'ms'));
  console.log();
  console.log(splitTable(timings));
  console.log(
    '(a) sends the same PutItem as (b) (same item, same TTL-aware condition), so the gap is the wrapper itself.\n',
  );
  const [a, b, c, d] = timings.map((t) => t.nanoseconds);
  const overhead = median(b) / median(a) - 1;
  const verdict = overhead <= TARGET_OVERHEAD ? 'met' : 'NOT met';
  console.log(overheadLine('(b) vs (a)', a, b, plan.block, 1e6, 'ms'));
  console.log(`  target: within ${percent(TARGET_OVERHEAD).slice(1)} of the bare handler at the median: ${verdict}`);
  console.log(overheadLine('(c) vs (a), idempotent: not comparable, 3 writes to 1', a, c, plan.block, 1e6, 'ms'));
  console.log(overheadLine('(c) vs (d), toolkit vs Powertools idempotency', d, c, plan.block, 1e6, 'ms'));
  return overhead > TARGET_OVERHEAD;
}

/** Section 2: the client side alone, every SDK step included, with no server behind it. */
async function sdkSection({ bare, toolkit }: Handlers, plan: LatencyPlan): Promise<void> {
  console.log(`\n## 2. Client side only: the real SDK, its HTTP exchange answered in-process with 200 {}\n`);
  console.log(
    `${plan.requests} timed requests per variant after ${plan.warmup} untimed, interleaved in blocks of ${plan.block}.`,
  );
  console.log('Every SDK step still runs (middleware, marshalling, signing, parsing); no socket, no server. This is');
  console.log(
    "the part of (b)'s extra cost a deployment pays whatever DynamoDB's latency (dynalite's work is gone).\n",
  );
  const bareClient = timedClient(cannedDocumentClient());
  const toolkitClient = timedClient(cannedDocumentClient());
  const timings = await measureInterleaved(
    [
      variant('(a) bare handler', 'ka', bare.createHandler(bareClient.client), false, bareClient.takeTimeInSend),
      variant(
        '(b) toolkit route, no idempotency',
        'kb',
        toolkit.createHandler({ idempotent: false, client: toolkitClient.client }),
        false,
        toolkitClient.takeTimeInSend,
      ),
    ],
    plan,
  );
  console.log(latencyTable(timings, 'us'));
  console.log();
  console.log(splitTable(timings, 'us'));
  console.log();
  const [a, b] = timings.map((t) => t.nanoseconds);
  console.log(overheadLine('(b) vs (a), client side', a, b, plan.block, 1e3, 'us'));
}

/** Section 3: the handlers' own CPU time, with nothing behind `send()`. */
async function cpuSection({ bare, toolkit }: Handlers, plan: LatencyPlan): Promise<void> {
  console.log(`\n## 3. CPU cost per request: the same handlers with a stub client (send() resolves at once)\n`);
  console.log(
    `${plan.requests} timed requests per variant after ${plan.warmup} untimed, interleaved in blocks of ${plan.block}.`,
  );
  console.log('No I/O: what remains is event parsing, validation, key building, command construction, the response.\n');
  const stub = () => stubClient<DynamoDBDocumentClient>();
  const timings = await measureInterleaved(
    [
      variant('(a) bare handler', 'sa', bare.createHandler(stub()), false),
      variant(
        '(b) toolkit route, no idempotency',
        'sb',
        toolkit.createHandler({ idempotent: false, client: stub() }),
        false,
      ),
      variant('(c) toolkit route, idempotent', 'sc', toolkit.createHandler({ idempotent: true, client: stub() }), true),
    ],
    plan,
  );
  console.log(latencyTable(timings, 'us'));
  console.log();
  const [a, b, c] = timings.map((t) => t.nanoseconds);
  console.log(overheadLine('(b) vs (a), wrapper CPU', a, b, plan.block, 1e3, 'us'));
  console.log(overheadLine('(c) vs (a), wrapper + idempotency CPU', a, c, plan.block, 1e3, 'us'));
}

/** Where the toolkit route's CPU time goes, sampled in a tight loop with the stub client. */
async function profileSection({ toolkit }: Handlers): Promise<void> {
  console.log(`\n## 3b. Profile: where the toolkit route's CPU time goes (stub client, no idempotency)\n`);
  const handler = toolkit.createHandler({ idempotent: false, client: stubClient<DynamoDBDocumentClient>() });
  const events = Array.from({ length: 50_000 }, (_, i) =>
    createTaskEvent({ projectId: 'p-prof', taskId: `t-${i}`, requestId: `prof-${i}` }),
  );
  const context = lambdaContext('prof');
  for (const event of events.slice(0, 5_000)) await handler(event, context);
  const report = await profile(ROOT, async () => {
    for (const event of events) await handler(event, context);
  });
  const share = (h: Hotspot) => [h.name, percent(h.share).slice(1)];
  console.log(`${report.samples} samples of self time.\n`);
  console.log(table(['origin', 'self'], report.byOrigin.map(share)));
  console.log();
  console.log(table(['function (line of the transpiled code)', 'self'], report.byFunction.map(share)));
}

/** Section 4: bundles every handler, prints sizes and composition, and returns those that built. */
async function bundleSection(outDir: string): Promise<BundleResult[]> {
  console.log(`\n## 4. Bundle size (esbuild: bundle, minify, node20, cjs, @aws-sdk/* external)\n`);
  const entries: BundleEntry[] = [
    { name: 'bench bare', entry: path.join('bench', 'runtime', 'handlers', 'create-task-bare.ts') },
    { name: 'bench toolkit', entry: path.join('bench', 'runtime', 'handlers', 'create-task-toolkit.ts') },
    { name: 'bench powertools', entry: path.join('bench', 'runtime', 'handlers', 'create-task-powertools.ts') },
    ...TASK_BOARD_HANDLERS,
  ];
  const bundles: (BundleResult | { name: string; error: string })[] = [];
  for (const entry of entries) {
    try {
      bundles.push(await bundleHandler(ROOT, entry, outDir));
    } catch (error) {
      // esbuild's first line only counts the errors: the message of the first one is what says why.
      const first = (error as { errors?: { text: string }[] }).errors?.[0]?.text;
      bundles.push({ name: entry.name, error: first ?? firstLine(error) });
    }
  }
  console.log(
    table(
      ['bundle', 'minified', 'gzip -9'],
      bundles.map((b) => ('error' in b ? [b.name, 'build failed', ''] : [b.name, bytes(b.bytes), bytes(b.gzipBytes)])),
    ),
  );
  console.log('\nComposition (minified bytes by origin, largest first; the rest is under 1 KiB each):');
  for (const b of bundles) {
    if ('error' in b) {
      console.log(`  ${b.name}: build failed: ${b.error}`);
      continue;
    }
    const parts = b.composition.filter((part) => part.bytes >= 1024);
    console.log(
      `  ${b.name}: ${parts.map((part) => `${part.origin} ${(part.bytes / 1024).toFixed(1)} KiB`).join(', ')}`,
    );
  }
  return bundles.filter((b): b is BundleResult => !('error' in b));
}

/** Section 5: `require()` of each bundle in fresh processes, interleaved across bundles. */
function coldInitSection(built: readonly BundleResult[], runs: number): void {
  console.log(`\n## 5. Cold init: require() of each bundle in a fresh node process\n`);
  console.log(
    `${runs} fresh processes per bundle, interleaved. Timed from just before require() to just after, in the child.`,
  );
  console.log(
    'The AWS SDK is external, so @aws-sdk/* modules load from node_modules inside that time, as Lambda loads them',
  );
  console.log('from its runtime. Node start-up itself is excluded (the same for every bundle). No network at init.\n');
  const envOf = bundleEnvironments(built);
  const samples = new Map<string, ColdInit[]>(built.map((b) => [b.name, []]));
  const failures = new Map<string, string>();
  for (const [name, env] of envOf) if (typeof env === 'string') failures.set(name, env);
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < built.length; k++) {
      const b = built[(run + k) % built.length];
      const env = envOf.get(b.name);
      if (typeof env !== 'object' || failures.has(b.name)) continue;
      try {
        samples.get(b.name)!.push(coldInit(b.file, env, path.join(ROOT, 'node_modules')));
      } catch (error) {
        failures.set(b.name, `init failed: ${firstLine(error)}`);
      }
    }
  }
  console.log(
    table(
      ['bundle', 'runs', 'median ms', 'p90 ms', 'RSS MiB after'],
      built.map((b) => {
        const failure = failures.get(b.name);
        if (failure !== undefined) return [b.name, '0', failure, '', ''];
        const taken = samples.get(b.name)!;
        const ms = summarize(taken.map((s) => s.ms));
        const rss = median(taken.map((s) => s.rssMiB));
        return [b.name, String(taken.length), ms.median.toFixed(1), ms.p90.toFixed(1), rss.toFixed(1)];
      }),
    ),
  );
}

/**
 * The environment each bundle initializes with: the benchmark's patterns for its own handlers, the example
 * stack's for the task-board handlers (or why they could not be read).
 */
function bundleEnvironments(bundles: readonly BundleResult[]): Map<string, { [name: string]: string } | string> {
  let taskBoard: { [name: string]: string } | string;
  try {
    taskBoard = { ...functionEnvironment(taskBoardAccessPatterns()), ...TASK_BOARD_EXTRA_ENVIRONMENT };
  } catch (error) {
    taskBoard = `skipped: cannot read the example's access patterns: ${firstLine(error)}`;
  }
  return new Map(bundles.map((b) => [b.name, b.name.startsWith('task-board') ? taskBoard : functionEnvironment()]));
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error)
    .split('\n')[0]
    .replaceAll(ROOT, '.')
    .slice(0, 160);
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log('# cdk-serverless-api runtime toolkit benchmark');
  console.log(`node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} x ${cpu.trim()}`);

  if (['latency', 'sdk', 'cpu'].some((section) => sections.has(section))) {
    const plan = { requests: count('requests'), warmup: count('warmup'), block: count('block') };
    const local = await startLocalDynamoDB();
    try {
      const handlers = loadHandlers();
      let profileWanted = args.profile;
      if (sections.has('latency') && (await latencySection(handlers, plan))) profileWanted = true;
      if (sections.has('sdk')) {
        await sdkSection(handlers, { requests: count('sdk-requests'), warmup: 2000, block: 100 });
      }
      if (sections.has('cpu')) {
        await cpuSection(handlers, {
          requests: count('cpu-requests'),
          warmup: Math.max(2000, plan.warmup),
          block: 200,
        });
      }
      if (profileWanted) await profileSection(handlers);
    } finally {
      await local.close();
    }
  }

  if (sections.has('bundle')) {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-serverless-api-bench-'));
    try {
      coldInitSection(await bundleSection(outDir), count('cold-runs'));
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
