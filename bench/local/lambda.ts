/**
 * What running a function through the local runner costs over calling its handler directly (warm invocations), how
 * long a cold start takes (a trivial bundle and a real one from the task-board integ snapshot), and whether 200
 * concurrent invocations over 10 execution environments all answer. Prints figures; asserts only that every
 * invocation answered as it should (a failing run cannot look fast).
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/local/lambda.ts [--invocations 1000] [--cold-runs 10]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { InvokeOutcome } from '../../src/local/contracts';
import { createFunctionRunner, type FunctionRunner } from '../../src/local/lambda';
import type { LocalFunctionModel } from '../../src/local/model';
import { summarize, table } from '../runtime/lib/stats';

const ROOT = resolve(__dirname, '..', '..');
const TASK_BOARD = join(ROOT, 'integ/integ.task-board.ts.snapshot');

/** The tasks function of the task-board integ snapshot, its environment as the template gives it. */
function taskBoardTasks(): LocalFunctionModel {
  const template = JSON.parse(readFileSync(join(TASK_BOARD, 'TaskBoardIntegStack.template.json'), 'utf8'));
  const props = template.Resources.ApiFunctionstasksFunctionE973E7DF.Properties;
  const environment: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(props.Environment.Variables as { [name: string]: unknown })) {
    // Intrinsics (the table's name) resolve to a local stand-in.
    environment[name] = typeof value === 'string' ? value : 'bench-table';
  }
  return model('Tasks', join(TASK_BOARD, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`), {
    runtime: props.Runtime,
    memorySize: props.MemorySize,
    environment,
  });
}

const { values: args } = parseArgs({
  options: {
    invocations: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '200' },
    'cold-runs': { type: 'string', default: '10' },
    concurrent: { type: 'string', default: '200' },
    environments: { type: 'string', default: '10' },
  },
});
const INVOCATIONS = Number(args.invocations);
const WARMUP = Number(args.warmup);
const COLD_RUNS = Number(args['cold-runs']);
const CONCURRENT = Number(args.concurrent);
const ENVIRONMENTS = Number(args.environments);

const TRIVIAL = `exports.handler = async (event) => ({ statusCode: 200, body: String(event.n) });`;
const SLOW = `exports.handler = async (event) => { await new Promise((r) => setTimeout(r, 5)); return { n: event.n }; };`;

function model(logicalId: string, codeDir: string, overrides: Partial<LocalFunctionModel> = {}): LocalFunctionModel {
  return {
    logicalId,
    name: logicalId,
    functionName: `Bench-${logicalId}`,
    handler: 'index.handler',
    logFormat: 'Text',
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    codeDir,
    environment: {},
    timeoutSeconds: 10,
    memorySize: 512,
    role: { logicalId: 'Role', arn: 'arn:aws:iam::123456789012:role/Role', statements: [] },
    logGroupName: `/aws/lambda/Bench-${logicalId}`,
    ...overrides,
  };
}

function runnerFor(
  functions: { [id: string]: LocalFunctionModel },
  log?: (fn: string, line: string) => void,
  maxEnvironments?: number,
) {
  return createFunctionRunner({
    functions,
    region: 'eu-west-1',
    accountId: '123456789012',
    moduleRoots: [ROOT],
    log,
    maxEnvironments,
  });
}

function expectOk(outcome: InvokeOutcome, what: string): void {
  if (outcome.status !== 'ok') throw new Error(`${what}: expected ok, got ${JSON.stringify(outcome)}`);
}

const ms = (value: number) => `${value.toFixed(3)} ms`;

async function warmOverhead(dir: string): Promise<string[][]> {
  const handler = createRequire(__filename)(join(dir, 'index.js')).handler as (
    event: unknown,
    context: unknown,
  ) => Promise<unknown>;
  const context = { awsRequestId: 'direct', getRemainingTimeInMillis: () => 10_000 };
  const runner = runnerFor({ Trivial: model('Trivial', dir) });
  try {
    const direct: number[] = [];
    const viaRunner: number[] = [];
    for (let i = 0; i < WARMUP; i++) {
      await handler({ n: i }, context);
      expectOk(await runner.invoke('Trivial', { n: i }), 'warm-up');
    }
    // Interleaved, so both sides see the same machine state.
    for (let i = 0; i < INVOCATIONS; i++) {
      let started = performance.now();
      await handler({ n: i }, context);
      direct.push(performance.now() - started);
      started = performance.now();
      const outcome = await runner.invoke('Trivial', { n: i });
      viaRunner.push(performance.now() - started);
      expectOk(outcome, 'warm invocation');
    }
    const a = summarize(direct);
    const b = summarize(viaRunner);
    return [
      ['handler called directly', ms(a.median), ms(a.p90), ms(a.p99)],
      ['through the runner (warm)', ms(b.median), ms(b.p90), ms(b.p99)],
      ['overhead', ms(b.median - a.median), ms(b.p90 - a.p90), ms(b.p99 - a.p99)],
    ];
  } finally {
    await runner.close();
  }
}

async function coldStart(label: string, fn: LocalFunctionModel, event: unknown): Promise<string[]> {
  const firstAnswers: number[] = [];
  const initDurations: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    let init = NaN;
    const runner: FunctionRunner = runnerFor({ [fn.logicalId]: fn }, (_fn, line) => {
      const match = /Init Duration: ([\d.]+) ms/.exec(line) ?? /"initDurationMs":([\d.]+)/.exec(line);
      if (match) init = Number(match[1]);
    });
    try {
      const started = performance.now();
      const outcome = await runner.invoke(fn.logicalId, event);
      firstAnswers.push(performance.now() - started);
      expectOk(outcome, `${label} cold start`);
      initDurations.push(init);
    } finally {
      await runner.close();
    }
  }
  const answer = summarize(firstAnswers);
  const init = summarize(initDurations);
  return [label, ms(init.median), ms(init.p90), ms(answer.median), ms(answer.p90)];
}

async function concurrency(dir: string): Promise<string[][]> {
  const runner = runnerFor({ Slow: model('Slow', dir) }, undefined, ENVIRONMENTS);
  try {
    const started = performance.now();
    const outcomes = await Promise.all(Array.from({ length: CONCURRENT }, (_, n) => runner.invoke('Slow', { n })));
    const wallMs = performance.now() - started;
    const failed = outcomes.filter(
      (outcome, n) => outcome.status !== 'ok' || (outcome.payload as { n: number }).n !== n,
    );
    if (failed.length > 0) {
      throw new Error(`${failed.length} of ${CONCURRENT} concurrent invocations failed: ${JSON.stringify(failed[0])}`);
    }
    const stats = runner.stats().Slow;
    return [
      ['invocations', String(CONCURRENT)],
      ['answered ok', String(outcomes.length - failed.length)],
      ['environments (cold starts)', `${stats.environments} (${stats.coldStarts})`],
      ['wall time', ms(wallMs)],
      ['invocations per second', (CONCURRENT / (wallMs / 1000)).toFixed(0)],
    ];
  } finally {
    await runner.close();
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-local-lambda-'));
  try {
    const trivial = join(root, 'trivial');
    const slow = join(root, 'slow');
    mkdirSync(trivial);
    mkdirSync(slow);
    writeFileSync(join(trivial, 'index.js'), TRIVIAL);
    writeFileSync(join(slow, 'index.js'), SLOW);

    // Tail latencies are the machine's scheduling as much as the runner's: say how busy it was.
    console.log(
      `Load average ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' / ')} on ${cpus().length} cores\n`,
    );
    console.log(
      `Warm invocation of a trivial handler (${INVOCATIONS} invocations after ${WARMUP} warm-up, interleaved)\n`,
    );
    console.log(table(['', 'p50', 'p90', 'p99'], await warmOverhead(trivial)));

    console.log(`\nCold start: a new runner's first invocation (${COLD_RUNS} runs each)\n`);
    const taskBoard = taskBoardTasks();
    console.log(
      table(
        ['bundle', 'init p50', 'init p90', 'first answer p50', 'first answer p90'],
        [
          await coldStart('trivial handler', model('Trivial', trivial), { n: 1 }),
          // A real bundle (toolkit, Powertools logger, the AWS SDK from the project's node_modules): init only, the
          // invocation answers a request without a route the function knows.
          await coldStart('task-board tasks bundle', taskBoard, {
            version: '2.0',
            routeKey: '$default',
            rawPath: '/',
            headers: {},
            requestContext: { http: { method: 'GET', path: '/' }, requestId: 'bench' },
          }),
        ],
      ),
    );

    console.log(`\n${CONCURRENT} concurrent invocations (5 ms each) over at most ${ENVIRONMENTS} environments\n`);
    console.log(table(['', 'value'], await concurrency(slow)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
