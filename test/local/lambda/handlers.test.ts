/**
 * The handler shapes Lambda's Node.js runtime accepts (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html):
 * async handlers, callback handlers with `callbackWaitsForEmptyEventLoop`, the legacy `context.succeed/fail/done`,
 * and the freeze between invocations (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 */
import { ACCOUNT, BundleFolder, functionModel, LogCapture, REGION } from './bundles';
import { createFunctionRunner, type FunctionRunner } from '../../../src/local/lambda';

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

function start(source: string) {
  const logs = new LogCapture();
  const dir = folder.bundle('fn', { 'index.js': source });
  runner = createFunctionRunner({
    functions: { Fn: functionModel('Fn', dir) },
    region: REGION,
    accountId: ACCOUNT,
    log: logs.log,
  });
  return { runner, logs };
}

describe('callback handlers', () => {
  const WAITING = `
let timerRan = false;
exports.handler = (event, context, callback) => {
  if (event.read) return callback(null, { timerRan });
  context.callbackWaitsForEmptyEventLoop = event.wait;
  setTimeout(() => { timerRan = true; }, 150);
  callback(null, 'answered');
};`;

  test('GIVEN callbackWaitsForEmptyEventLoop true WHEN the callback is called with a timer pending THEN the answer waits for the timer', async () => {
    const { runner: fns } = start(WAITING);

    const outcome = await fns.invoke('Fn', { wait: true });

    expect(outcome).toMatchObject({ status: 'ok', payload: 'answered' });
    expect(outcome.status === 'ok' && outcome.durationMs).toBeGreaterThanOrEqual(140);
    expect(await fns.invoke('Fn', { read: true })).toMatchObject({ payload: { timerRan: true } });
  });

  test('GIVEN callbackWaitsForEmptyEventLoop false WHEN the callback is called THEN the answer is immediate and the timer waits for the next invocation', async () => {
    const { runner: fns } = start(WAITING);

    const outcome = await fns.invoke('Fn', { wait: false });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const read = await fns.invoke('Fn', { read: true });

    expect(outcome).toMatchObject({ status: 'ok', payload: 'answered' });
    expect(outcome.status === 'ok' && outcome.durationMs).toBeLessThan(140);
    // Frozen between invocations: the timer's due time passed, but it had no chance to run yet.
    expect(read).toMatchObject({ payload: { timerRan: false } });
  });

  test('GIVEN a callback called with an error WHEN invoked THEN the invocation fails with it', async () => {
    const { runner: fns, logs } = start(
      `exports.handler = (event, context, callback) => callback(new TypeError('bad input'));`,
    );

    expect(await fns.invoke('Fn', {})).toMatchObject({
      status: 'error',
      errorType: 'TypeError',
      errorMessage: 'bad input',
    });
    // The runtime warns about callback handlers, as it does in Lambda.
    expect(logs.lines()).toContainEqual(
      expect.stringMatching(/\tWARN\tAWS Lambda plans to remove support for callback-based function handlers/),
    );
  });

  test('GIVEN a callback called twice WHEN invoked THEN only the first call counts', async () => {
    const { runner: fns } = start(
      `exports.handler = (event, context, callback) => { context.callbackWaitsForEmptyEventLoop = false; callback(null, 'first'); callback(null, 'second'); };`,
    );

    expect(await fns.invoke('Fn', {})).toMatchObject({ status: 'ok', payload: 'first' });
  });

  test('GIVEN a non-async handler that neither returns a promise nor calls back WHEN the event loop empties THEN the answer is null', async () => {
    const { runner: fns } = start(`exports.handler = (event, context, callback) => { setTimeout(() => {}, 30); };`);

    expect(await fns.invoke('Fn', {})).toMatchObject({ status: 'ok', payload: null });
  });

  test('GIVEN context.succeed, context.fail and context.done WHEN called THEN they answer at once', async () => {
    const { runner: fns } = start(`
exports.handler = (event, context) => {
  setTimeout(() => {}, 1000);
  if (event.use === 'succeed') context.succeed({ via: 'succeed' });
  if (event.use === 'fail') context.fail(new Error('via fail'));
  if (event.use === 'done') context.done(null, { via: 'done' });
};`);

    const succeed = await fns.invoke('Fn', { use: 'succeed' });
    const fail = await fns.invoke('Fn', { use: 'fail' });
    const done = await fns.invoke('Fn', { use: 'done' });

    expect(succeed).toMatchObject({ status: 'ok', payload: { via: 'succeed' } });
    expect(succeed.status === 'ok' && succeed.durationMs).toBeLessThan(500);
    expect(fail).toMatchObject({ status: 'error', errorType: 'Error', errorMessage: 'via fail' });
    expect(done).toMatchObject({ status: 'ok', payload: { via: 'done' } });
  });
});

describe('async handlers', () => {
  test('GIVEN an async handler whose promise never settles WHEN the event loop empties THEN Runtime.NodeJsExit', async () => {
    const { runner: fns } = start(`exports.handler = async () => new Promise(() => {});`);

    const outcome = await fns.invoke('Fn', {});

    expect(outcome).toMatchObject({
      status: 'error',
      errorType: 'Runtime.NodeJsExit',
      errorMessage: expect.stringContaining('This is most commonly caused by a Promise that was never settled'),
    });
  });

  test('GIVEN a non-async handler returning a promise WHEN it resolves THEN its value is the answer', async () => {
    const { runner: fns } = start(`exports.handler = (event) => Promise.resolve({ echoed: event.value });`);

    expect(await fns.invoke('Fn', { value: 42 })).toMatchObject({ status: 'ok', payload: { echoed: 42 } });
  });

  test('GIVEN an async handler that leaves a timer behind WHEN it returns THEN the timer runs only once the environment is invoked again', async () => {
    const { runner: fns } = start(`
let ticks = 0;
exports.handler = async (event) => {
  if (event.start) setTimeout(() => { ticks++; }, 10);
  if (event.waitMs) await new Promise((resolve) => setTimeout(resolve, event.waitMs));
  return ticks;
};`);

    await fns.invoke('Fn', { start: true });
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(await fns.invoke('Fn', {})).toMatchObject({ payload: 0 });
    expect(await fns.invoke('Fn', { waitMs: 20 })).toMatchObject({ payload: 1 });
  });
});

describe('function logs', () => {
  test('GIVEN console calls and raw writes WHEN the handler runs THEN each reaches the log between START and END, as Lambda formats them', async () => {
    const { runner: fns, logs } = start(`
exports.handler = async (event, context) => {
  console.log('listing %s', 'tasks', { count: 2 });
  console.error('first line\\nsecond line');
  console.debug('details');
  process.stdout.write('raw one\\nraw ');
  process.stderr.write('two\\n');
  process.stdout.write('unterminated');
  return context.awsRequestId;
};`);

    const outcome = await fns.invoke('Fn', {});

    const requestId = outcome.status === 'ok' ? (outcome.payload as string) : '';
    const stamp = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
    const lines = logs.lines();
    expect(lines.slice(0, 7)).toEqual([
      `START RequestId: ${requestId} Version: $LATEST`,
      expect.stringMatching(new RegExp(`^${stamp}\\t${requestId}\\tINFO\\tlisting tasks \\{ count: 2 \\}$`)),
      // One console call is one log event, even across lines, as CloudWatch shows it.
      expect.stringMatching(new RegExp(`^${stamp}\\t${requestId}\\tERROR\\tfirst line\\nsecond line$`)),
      expect.stringMatching(new RegExp(`^${stamp}\\t${requestId}\\tDEBUG\\tdetails$`)),
      'raw one',
      // stdout and stderr are two pipes: a partial line on one does not join a line on the other.
      'two',
      'raw unterminated',
    ]);
    expect(lines[7]).toBe(`END RequestId: ${requestId}`);
    expect(lines[8]).toMatch(new RegExp(`^REPORT RequestId: ${requestId}\\t`));
  });

  test('GIVEN the JSON log format and level WARN WHEN the handler logs THEN events are JSON and lower levels are dropped', async () => {
    const logs = new LogCapture();
    const dir = folder.bundle('json', {
      'index.js': `exports.handler = async () => { console.info('hidden'); console.warn('careful', { id: 7 }); console.error(new Error('broken')); return 'ok'; };`,
    });
    runner = createFunctionRunner({
      functions: { Fn: functionModel('Fn', dir) },
      region: REGION,
      accountId: ACCOUNT,
      log: logs.log,
      // Lambda sets these when the function's LoggingConfig says LogFormat JSON.
      extraEnvironment: () => ({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' }),
    });

    await runner.invoke('Fn', {});

    const records = logs.lines().map((line) => JSON.parse(line));
    expect(records.map((record) => record.type ?? record.level)).toEqual([
      'platform.start',
      'WARN',
      'ERROR',
      'platform.runtimeDone',
      'platform.report',
    ]);
    expect(records[1]).toMatchObject({ message: 'careful { id: 7 }', requestId: records[0].record.requestId });
    expect(records[2]).toMatchObject({ message: { errorType: 'Error', errorMessage: 'broken' } });
    expect(records[4].record).toMatchObject({
      status: 'success',
      metrics: { memorySizeMB: 256, initDurationMs: expect.any(Number), billedDurationMs: expect.any(Number) },
    });
  });
});
