/**
 * What a function sees of its execution environment: exactly the variables the template gives it plus the ones
 * Lambda sets (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * nothing of the process that runs it or of other functions, and the Lambda context
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html).
 */
import { ACCOUNT, BundleFolder, functionModel, LogCapture, REGION } from './bundles';
import { createFunctionRunner, type FunctionRunner } from '../../../src/local/lambda';

const REPORT_ENV = `
exports.handler = async () => ({
  env: { ...process.env },
  sourceMaps: process.sourceMapsEnabled,
  execArgv: process.execArgv,
  marker: globalThis.marker ?? null,
});
`;

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

function okPayload(outcome: Awaited<ReturnType<FunctionRunner['invoke']>>): any {
  if (outcome.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.payload;
}

describe('environment variables', () => {
  test('GIVEN a template environment WHEN the function runs THEN it sees exactly those variables and the ones Lambda sets', async () => {
    // GIVEN: the parent process has variables of its own, which Lambda's environment would not have
    process.env.PARENT_ONLY_SECRET = 'do-not-leak';
    const dir = folder.bundle('report', { 'index.js': REPORT_ENV });
    const fn = functionModel('Tasks', dir, { environment: { TABLE_NAME: 'tasks-table', LANG: 'C.UTF-8' } });
    runner = createFunctionRunner({
      functions: { Tasks: fn },
      region: REGION,
      accountId: ACCOUNT,
      moduleRoots: ['/opt/app'],
    });

    // WHEN
    const { env } = okPayload(await runner.invoke('Tasks', {}));
    delete process.env.PARENT_ONLY_SECRET;

    // THEN: reserved variables carry Lambda's values; LANG is unreserved, so the template's value wins
    expect(env).toEqual({
      TABLE_NAME: 'tasks-table',
      LANG: 'C.UTF-8',
      PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
      NODE_PATH: `/opt/app/node_modules:${dir}`,
      _HANDLER: 'index.handler',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'TestStack-Tasks-AbC123',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/TestStack-Tasks-AbC123',
      AWS_LAMBDA_LOG_STREAM_NAME: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
      LAMBDA_TASK_ROOT: dir,
      LAMBDA_RUNTIME_DIR: expect.any(String),
      TZ: ':UTC',
    });
  });

  test('GIVEN extra variables from the caller WHEN each function runs THEN it gets its own, over every other value', async () => {
    const dir = folder.bundle('report', { 'index.js': REPORT_ENV });
    runner = createFunctionRunner({
      functions: { A: functionModel('A', dir, { environment: { SHARED: 'template' } }), B: functionModel('B', dir) },
      region: REGION,
      accountId: ACCOUNT,
      extraEnvironment: (fn) => ({ AWS_ACCESS_KEY_ID: `key-of-${fn.logicalId}`, SHARED: 'extra' }),
    });

    const a = okPayload(await runner.invoke('A', {})).env;
    const stats = runner.stats();
    const b = okPayload(await runner.invoke('B', {})).env;

    // Each function has its own environments; one not invoked yet has none.
    expect(stats).toEqual({
      A: { environments: 1, busy: 0, coldStarts: 1, invocations: 1 },
      B: { environments: 0, busy: 0, coldStarts: 0, invocations: 0 },
    });
    expect([a.AWS_ACCESS_KEY_ID, a.SHARED]).toEqual(['key-of-A', 'extra']);
    expect([b.AWS_ACCESS_KEY_ID, b.SHARED]).toEqual(['key-of-B', 'extra']);
  });

  test('GIVEN two functions WHEN one changes its globals and process.env THEN neither the other nor the parent sees it', async () => {
    const writer = folder.bundle('writer', {
      'index.js': `exports.handler = async () => { globalThis.marker = 'from-writer'; process.env.WRITTEN = 'yes'; return 'written'; };`,
    });
    const reader = folder.bundle('reader', { 'index.js': REPORT_ENV });
    runner = createFunctionRunner({
      functions: { Writer: functionModel('Writer', writer), Reader: functionModel('Reader', reader) },
      region: REGION,
      accountId: ACCOUNT,
    });

    await runner.invoke('Writer', {});
    const seen = okPayload(await runner.invoke('Reader', {}));

    expect(seen.marker).toBeNull();
    expect(seen.env.WRITTEN).toBeUndefined();
    expect(process.env.WRITTEN).toBeUndefined();
    expect((globalThis as { marker?: unknown }).marker).toBeUndefined();
  });

  test('GIVEN NODE_OPTIONS in the template WHEN the function runs THEN the options apply to its environment only', async () => {
    const dir = folder.bundle('report', { 'index.js': REPORT_ENV });
    runner = createFunctionRunner({
      functions: {
        WithMaps: functionModel('WithMaps', dir, { environment: { NODE_OPTIONS: '--enable-source-maps' } }),
        Plain: functionModel('Plain', dir),
      },
      region: REGION,
      accountId: ACCOUNT,
    });

    const withMaps = okPayload(await runner.invoke('WithMaps', {}));
    const plain = okPayload(await runner.invoke('Plain', {}));

    expect(withMaps.sourceMaps).toBe(true);
    expect(withMaps.env.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(plain.sourceMaps).toBe(false);
    // The parent's own flags (a test runner's, a debugger's) never reach a function.
    expect(plain.execArgv).toEqual([]);
  });

  test('GIVEN NODE_OPTIONS that Node refuses WHEN the function starts THEN the runtime exits as a Node process would', async () => {
    const logs = new LogCapture();
    const dir = folder.bundle('report', { 'index.js': REPORT_ENV });
    runner = createFunctionRunner({
      functions: { Fn: functionModel('Fn', dir, { environment: { NODE_OPTIONS: '--title=tasks' } }) },
      region: REGION,
      accountId: ACCOUNT,
      log: logs.log,
    });

    const outcome = await runner.invoke('Fn', {});

    expect(outcome).toMatchObject({
      status: 'error',
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(/ Error: Runtime exited with error: exit status 9$/),
    });
    expect(logs.lines()[0]).toBe('node: --title= is not allowed in NODE_OPTIONS (NODE_OPTIONS: --title=tasks)');
    expect(runner.stats().Fn).toMatchObject({ environments: 0, busy: 0 });
  });
});

describe('Lambda context', () => {
  const CONTEXT = `
exports.handler = async (event, context) => {
  const before = context.getRemainingTimeInMillis();
  await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  const { getRemainingTimeInMillis, succeed, fail, done, ...fields } = context;
  return { ...fields, callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop, before, after: context.getRemainingTimeInMillis(), stream: process.env.AWS_LAMBDA_LOG_STREAM_NAME };
};`;

  test('GIVEN a function WHEN it runs THEN its context names it as Lambda does', async () => {
    const logs = new LogCapture();
    const dir = folder.bundle('context', { 'index.js': CONTEXT });
    runner = createFunctionRunner({
      functions: { Tasks: functionModel('Tasks', dir, { memorySize: 512 }) },
      region: REGION,
      accountId: ACCOUNT,
      log: logs.log,
    });

    const first = okPayload(await runner.invoke('Tasks', { sleepMs: 0 }));
    const second = okPayload(await runner.invoke('Tasks', { sleepMs: 0 }));

    expect(first).toMatchObject({
      functionName: 'TestStack-Tasks-AbC123',
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:TestStack-Tasks-AbC123`,
      memoryLimitInMB: '512',
      logGroupName: '/aws/lambda/TestStack-Tasks-AbC123',
      logStreamName: first.stream,
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(first.awsRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.awsRequestId).not.toBe(first.awsRequestId);
    // One execution environment, one log stream.
    expect(second.logStreamName).toBe(first.logStreamName);
    expect(logs.lines()).toContain(`START RequestId: ${first.awsRequestId} Version: $LATEST`);
  });

  test('GIVEN a 3-second timeout WHEN the handler waits 200 ms THEN the remaining time counts down from 3000 ms', async () => {
    const dir = folder.bundle('context', { 'index.js': CONTEXT });
    runner = createFunctionRunner({
      functions: { Tasks: functionModel('Tasks', dir, { timeoutSeconds: 3 }) },
      region: REGION,
      accountId: ACCOUNT,
    });

    const { before, after } = okPayload(await runner.invoke('Tasks', { sleepMs: 200 }));

    expect(before).toBeLessThanOrEqual(3000);
    // Near the whole timeout at the start; the slack is for a loaded machine, not for the runtime.
    expect(before).toBeGreaterThan(2500);
    expect(before - after).toBeGreaterThanOrEqual(190);
    expect(before - after).toBeLessThan(1000);
  });
});

describe('events and results cross as JSON', () => {
  test('GIVEN an event with dates and undefined fields WHEN the handler echoes it THEN both ways are JSON round trips', async () => {
    const dir = folder.bundle('echo', {
      'index.js': `exports.handler = async (event) => { const seen = JSON.parse(JSON.stringify(event)); event.mutated = true; return { seen, isDate: event.at instanceof Date, at: new Date(0), skipped: undefined }; };`,
    });
    runner = createFunctionRunner({
      functions: { Echo: functionModel('Echo', dir) },
      region: REGION,
      accountId: ACCOUNT,
    });
    const event = { at: new Date('2025-01-02T03:04:05.000Z'), missing: undefined, list: [1, 'two', null] };

    const payload = okPayload(await runner.invoke('Echo', event));

    expect(payload).toEqual({
      seen: { at: '2025-01-02T03:04:05.000Z', list: [1, 'two', null] },
      isDate: false,
      at: '1970-01-01T00:00:00.000Z',
    });
    expect(event).not.toHaveProperty('mutated');
  });

  test('GIVEN a handler that returns nothing WHEN it runs THEN the payload is null', async () => {
    const dir = folder.bundle('nothing', { 'index.js': 'exports.handler = async () => undefined;' });
    runner = createFunctionRunner({ functions: { Fn: functionModel('Fn', dir) }, region: REGION, accountId: ACCOUNT });

    const outcome = await runner.invoke('Fn', {});

    expect(outcome).toMatchObject({ status: 'ok', payload: null });
  });

  test('GIVEN a result JSON cannot hold WHEN the handler returns it THEN the invocation fails as the runtime words it', async () => {
    const logs = new LogCapture();
    const dir = folder.bundle('bigint', { 'index.js': 'exports.handler = async () => ({ count: 10n });' });
    runner = createFunctionRunner({
      functions: { Fn: functionModel('Fn', dir) },
      region: REGION,
      accountId: ACCOUNT,
      log: logs.log,
    });

    const outcome = await runner.invoke('Fn', {});

    expect(outcome).toMatchObject({
      status: 'error',
      errorType: 'Error',
      errorMessage: 'Unable to stringify response body',
    });
    expect(
      logs
        .lines()
        .some((line) =>
          /\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"Unable to stringify response body"/.test(line),
        ),
    ).toBe(true);
  });
});

describe('misuse', () => {
  test('GIVEN a logical id the app does not have WHEN invoked THEN the error names it and the known ones', async () => {
    const dir = folder.bundle('report', { 'index.js': REPORT_ENV });
    runner = createFunctionRunner({
      functions: { Tasks: functionModel('Tasks', dir) },
      region: REGION,
      accountId: ACCOUNT,
    });

    await expect(runner.invoke('Taks', {})).rejects.toThrow(
      'No function with logical id "Taks" to invoke; the functions are: Tasks',
    );
  });

  test('GIVEN maxEnvironments 0 WHEN the runner is created THEN it refuses, naming the option', () => {
    expect(() =>
      createFunctionRunner({ functions: {}, region: REGION, accountId: ACCOUNT, maxEnvironments: 0 }),
    ).toThrow('`maxEnvironments` must be a whole number of at least 1, got: 0');
  });
});
