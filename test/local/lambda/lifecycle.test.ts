/**
 * How execution environments live and die: reused while warm, a new one (cold start) when all are busy, throttled
 * beyond reserved concurrency (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html),
 * discarded on timeout or when the runtime exits (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 */
import { readdirSync } from 'node:fs';
import { ACCOUNT, BundleFolder, functionModel, LogCapture, REGION } from './bundles';
import { createFunctionRunner, type FunctionRunner } from '../../../src/local/lambda';

/** Sleeps `event.ms`, then says which environment ran it and when. */
const SLEEPER = `
const environment = Math.random().toString(36).slice(2);
let count = 0;
exports.handler = async (event) => {
  const started = Date.now();
  count++;
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 0));
  return { environment, count, started, ended: Date.now() };
};`;

let folder: BundleFolder;
let runner: FunctionRunner | undefined;

beforeEach(() => {
  folder = new BundleFolder();
});

afterEach(async () => {
  await runner?.close();
  runner = undefined;
  folder.remove();
});

function start(files: { [path: string]: string }, overrides: Parameters<typeof functionModel>[2] = {}, options = {}) {
  const logs = new LogCapture();
  const dir = folder.bundle('fn', files);
  runner = createFunctionRunner({
    functions: { Fn: functionModel('Fn', dir, overrides) },
    region: REGION,
    accountId: ACCOUNT,
    log: logs.log,
    ...options,
  });
  return { runner, logs };
}

function payloadOf(outcome: Awaited<ReturnType<FunctionRunner['invoke']>>): any {
  if (outcome.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.payload;
}

describe('warm and cold', () => {
  test('GIVEN an idle environment WHEN the function is invoked again THEN the warm environment runs it', async () => {
    const { runner: fns, logs } = start({ 'index.js': SLEEPER });

    const first = payloadOf(await fns.invoke('Fn', {}));
    const second = payloadOf(await fns.invoke('Fn', {}));

    expect(second.environment).toBe(first.environment);
    expect(second.count).toBe(2);
    expect(fns.stats()).toEqual({ Fn: { environments: 1, busy: 0, coldStarts: 1, invocations: 2 } });
    // Only the invocation that started the environment reports an init duration.
    const reports = logs.lines().filter((line) => line.startsWith('REPORT'));
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatch(
      /^REPORT RequestId: \S+\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms$/,
    );
    expect(reports[1]).not.toContain('Init Duration');
  });

  test('GIVEN a busy environment WHEN a second invocation arrives THEN a new environment starts for it', async () => {
    const { runner: fns } = start({ 'index.js': SLEEPER });

    const [a, b] = await Promise.all([fns.invoke('Fn', { ms: 100 }), fns.invoke('Fn', { ms: 100 })]);

    expect(payloadOf(a).environment).not.toBe(payloadOf(b).environment);
    expect(fns.stats().Fn).toEqual({ environments: 2, busy: 0, coldStarts: 2, invocations: 2 });
  });

  test('GIVEN maxEnvironments 2 WHEN 5 invocations arrive at once THEN they queue and at most 2 run at a time', async () => {
    const { runner: fns } = start({ 'index.js': SLEEPER }, {}, { maxEnvironments: 2 });

    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => fns.invoke('Fn', { ms: 60 })));

    const runs = outcomes.map(payloadOf);
    expect(new Set(runs.map((run) => run.environment)).size).toBe(2);
    const overlapping = Math.max(
      ...runs.map((run) => runs.filter((other) => other.started <= run.started && other.ended > run.started).length),
    );
    expect(overlapping).toBeLessThanOrEqual(2);
    expect(fns.stats().Fn).toEqual({ environments: 2, busy: 0, coldStarts: 2, invocations: 5 });
  });
});

describe('reserved concurrency', () => {
  test('GIVEN reserved concurrency 1 WHEN two invocations overlap THEN the second is throttled as Lambda answers 429', async () => {
    const { runner: fns } = start({ 'index.js': SLEEPER }, { reservedConcurrency: 1 });

    const [first, second] = await Promise.all([fns.invoke('Fn', { ms: 100 }), fns.invoke('Fn', { ms: 0 })]);

    expect(first.status).toBe('ok');
    expect(second).toEqual({ status: 'throttled' });
    expect(fns.stats().Fn).toEqual({ environments: 1, busy: 0, coldStarts: 1, invocations: 1 });
  });

  test('GIVEN reserved concurrency 0 WHEN invoked THEN every invocation is throttled', async () => {
    const { runner: fns } = start({ 'index.js': SLEEPER }, { reservedConcurrency: 0 });

    expect(await fns.invoke('Fn', {})).toEqual({ status: 'throttled' });
    expect(fns.stats().Fn.coldStarts).toBe(0);
  });
});

describe('timeout', () => {
  test('GIVEN a 1-second timeout WHEN the handler never returns THEN the invocation times out and its environment is discarded', async () => {
    const { runner: fns, logs } = start(
      {
        'index.js': `let calls = 0; exports.handler = async (event) => { calls++; if (event.spin) { for (;;) {} } return calls; };`,
      },
      { timeoutSeconds: 1 },
    );

    const outcome = await fns.invoke('Fn', { spin: true });

    expect(outcome.status).toBe('timeout');
    expect(outcome.status === 'timeout' && outcome.durationMs).toBeGreaterThanOrEqual(1000);
    const lines = logs.lines();
    const requestId = /^START RequestId: (\S+)/.exec(lines[0])![1];
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${requestId} Task timed out after 1\\.\\d\\d seconds$`),
      ),
    );
    expect(lines.find((line) => line.startsWith('REPORT'))).toMatch(/\tStatus: timeout$/);
    expect(fns.stats().Fn.environments).toBe(0);
    // The next invocation starts a new environment: the module state starts over.
    expect(await fns.invoke('Fn', {})).toMatchObject({ status: 'ok', payload: 1 });
    expect(fns.stats().Fn.coldStarts).toBe(2);
  });
});

describe('crashes', () => {
  test('GIVEN a handler that calls process.exit WHEN invoked THEN Runtime.ExitError, and the next invocation starts afresh', async () => {
    const { runner: fns, logs } = start({
      'index.js': `let calls = 0; exports.handler = async (event) => { calls++; if (event.exit !== undefined) process.exit(event.exit); return calls; };`,
    });

    const outcome = await fns.invoke('Fn', { exit: 3 });

    expect(outcome).toMatchObject({
      status: 'error',
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/),
    });
    expect(logs.lines()).toContainEqual(
      expect.stringMatching(/^RequestId: \S+ Error: Runtime exited with error: exit status 3\nRuntime.ExitError$/),
    );
    expect(logs.lines().find((line) => line.startsWith('REPORT'))).toMatch(
      /\tStatus: error\tError Type: Runtime.ExitError$/,
    );
    expect(await fns.invoke('Fn', {})).toMatchObject({ status: 'ok', payload: 1 });
    expect(fns.stats().Fn).toMatchObject({ environments: 1, coldStarts: 2 });
  });

  test('GIVEN process.exit(0) WHEN invoked THEN Lambda says the runtime exited without a reason', async () => {
    const { runner: fns } = start({ 'index.js': 'exports.handler = async () => process.exit(0);' });

    const outcome = await fns.invoke('Fn', {});

    expect(outcome).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(/ Error: Runtime exited without providing a reason$/),
    });
  });

  test('GIVEN a handler that outgrows the memory size WHEN invoked THEN Runtime.OutOfMemory, as Lambda kills the environment', async () => {
    const { runner: fns, logs } = start(
      {
        'index.js':
          'exports.handler = async () => { const kept = []; for (;;) kept.push(new Array(100000).fill({ n: 1 })); };',
      },
      { memorySize: 128, timeoutSeconds: 10 },
    );

    const outcome = await fns.invoke('Fn', {});

    expect(outcome).toMatchObject({
      status: 'error',
      errorType: 'Runtime.OutOfMemory',
      errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Runtime exited with error: signal: killed$/),
    });
    expect(logs.lines().find((line) => line.startsWith('REPORT'))).toMatch(
      /\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t.*Status: error\tError Type: Runtime.OutOfMemory$/,
    );
    expect(fns.stats().Fn.environments).toBe(0);
  });

  test('GIVEN an exception thrown after the handler called back WHEN the event loop runs it THEN the invocation fails with it and the environment is discarded', async () => {
    const { runner: fns, logs } = start({
      'index.js': `exports.handler = (event, context, callback) => { setTimeout(() => { throw new RangeError('late failure'); }, 20); callback(null, 'answered'); };`,
    });

    const outcome = await fns.invoke('Fn', {});

    expect(outcome).toMatchObject({ status: 'error', errorType: 'RangeError', errorMessage: 'late failure' });
    expect(logs.lines()).toContainEqual(
      expect.stringMatching(/\tERROR\tUncaught Exception \t\{"errorType":"RangeError","errorMessage":"late failure"/),
    );
    expect(fns.stats().Fn.environments).toBe(0);
  });

  test('GIVEN an unhandled rejection WHEN the handler runs THEN Runtime.UnhandledPromiseRejection', async () => {
    const { runner: fns } = start({
      'index.js': `exports.handler = async () => { Promise.reject(new Error('nobody caught me')); await new Promise((resolve) => setTimeout(resolve, 50)); return 'late'; };`,
    });

    const outcome = await fns.invoke('Fn', {});

    expect(outcome).toMatchObject({
      status: 'error',
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: nobody caught me',
    });
    expect(fns.stats().Fn.environments).toBe(0);
  });

  test('GIVEN a handler that throws WHEN invoked THEN the error is the outcome, its stack is logged, and the environment stays warm', async () => {
    const { runner: fns, logs } = start({
      'index.js': `class ConflictError extends Error { constructor(m) { super(m); this.name = 'ConflictError'; } } exports.handler = async () => { throw new ConflictError('task exists'); };`,
    });

    const outcome = await fns.invoke('Fn', {});
    await fns.invoke('Fn', {});

    expect(outcome).toMatchObject({ status: 'error', errorType: 'ConflictError', errorMessage: 'task exists' });
    const logged = logs.lines().find((line) => line.includes('Invoke Error'))!;
    const [, json] = /\tERROR\tInvoke Error \t(.*)$/s.exec(logged)!;
    expect(JSON.parse(json)).toMatchObject({
      errorType: 'ConflictError',
      errorMessage: 'task exists',
      stack: expect.arrayContaining([expect.stringContaining('index.js')]),
    });
    expect(fns.stats().Fn).toMatchObject({ environments: 1, coldStarts: 1 });
  });
});

describe('close', () => {
  function threadCount(): number {
    return readdirSync('/proc/self/task').length;
  }

  test('GIVEN running, idle and queued invocations WHEN the runner closes THEN every worker ends and every invocation answers', async () => {
    const threadsBefore = threadCount();
    const { runner: fns } = start({ 'index.js': SLEEPER }, {}, { maxEnvironments: 2 });
    await Promise.all([fns.invoke('Fn', {}), fns.invoke('Fn', {})]);

    const inFlight = [fns.invoke('Fn', { ms: 5000 }), fns.invoke('Fn', { ms: 5000 }), fns.invoke('Fn', { ms: 0 })];
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(threadCount()).toBeGreaterThanOrEqual(threadsBefore + 2);
    await fns.close();
    runner = undefined;

    const outcomes = await Promise.all(inFlight);
    expect(outcomes.map((outcome) => outcome.status === 'error' && outcome.errorType)).toEqual([
      'Runtime.ExitError',
      'Runtime.ExitError',
      'Runtime.ExitError',
    ]);
    expect(fns.stats().Fn).toMatchObject({ environments: 0, busy: 0 });
    expect(threadCount()).toBe(threadsBefore);
    await expect(fns.invoke('Fn', {})).rejects.toThrow('Cannot invoke "Fn": the function runner is closed');
  });
});
