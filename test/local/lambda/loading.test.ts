/**
 * Loading a bundle as Lambda's Node.js runtime does (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-modules.html): CommonJS and ES modules, externals resolved from
 * the bundle's folder upwards and then from the module roots (Lambda's runtime provides the AWS SDK), and init
 * errors named and worded as Lambda's.
 */
import { join } from 'node:path';
import { ACCOUNT, BundleFolder, functionModel, LogCapture, REGION } from './bundles';
import { createFunctionRunner, type FunctionRunner } from '../../../src/local/lambda';

const PROJECT_ROOT = join(__dirname, '..', '..', '..');

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

function start(files: { [path: string]: string }, handler = 'index.handler', moduleRoots?: string[]) {
  const logs = new LogCapture();
  const dir = folder.bundle('fn', files);
  runner = createFunctionRunner({
    functions: { Fn: functionModel('Fn', dir, { handler }) },
    region: REGION,
    accountId: ACCOUNT,
    log: logs.log,
    moduleRoots: moduleRoots ?? [folder.emptyFolder('no-modules')],
  });
  return { runner, logs, dir };
}

describe('module formats', () => {
  test('GIVEN index.mjs WHEN invoked THEN the ES module handler runs', async () => {
    const { runner: fns } = start({
      'index.mjs': 'export const handler = async (event) => ({ format: "esm", meta: typeof import.meta.url, event });',
    });

    expect(await fns.invoke('Fn', { a: 1 })).toMatchObject({
      status: 'ok',
      payload: { format: 'esm', meta: 'string', event: { a: 1 } },
    });
  });

  test('GIVEN index.js under a package.json of type module WHEN invoked THEN it loads as an ES module', async () => {
    const { runner: fns } = start({
      'package.json': '{ "type": "module" }',
      'index.js': 'export const handler = async () => typeof require;',
    });

    expect(await fns.invoke('Fn', {})).toMatchObject({ status: 'ok', payload: 'undefined' });
  });

  test('GIVEN a handler in a subfolder and a nested export WHEN invoked THEN the runtime finds it', async () => {
    const { runner: fns } = start(
      { 'src/routes.js': 'exports.tasks = { create: async () => "created" };' },
      'src/routes.tasks.create',
    );

    expect(await fns.invoke('Fn', {})).toMatchObject({ status: 'ok', payload: 'created' });
  });
});

describe('init errors', () => {
  test('GIVEN no module for the handler WHEN invoked THEN Runtime.ImportModuleError, logged as Lambda logs a failed init', async () => {
    const { runner: fns, logs } = start({ 'other.js': '' });

    const outcome = await fns.invoke('Fn', {});

    expect(outcome).toMatchObject({
      status: 'error',
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringMatching(/^Error: Cannot find module 'index'\nRequire stack:\n- /),
    });
    const lines = logs.lines();
    expect(lines[0]).toMatch(/^\S+Z\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime.ImportModuleError"/);
    expect(lines[1]).toMatch(
      /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError$/,
    );
    expect(lines.at(-1)).toMatch(/\tStatus: error\tError Type: Runtime.ImportModuleError$/);
    // The failed environment is discarded: the next invocation tries init again.
    await fns.invoke('Fn', {});
    expect(fns.stats().Fn).toMatchObject({ environments: 0, coldStarts: 2 });
  });

  test('GIVEN a module without the named export WHEN invoked THEN Runtime.HandlerNotFound', async () => {
    const { runner: fns } = start({ 'index.js': 'exports.main = async () => 1; exports.handler = undefined;' });

    expect(await fns.invoke('Fn', {})).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.handler is undefined or not exported',
    });
  });

  test('GIVEN an export that is not a function WHEN invoked THEN Runtime.HandlerNotFound says so', async () => {
    const { runner: fns } = start({ 'index.js': 'exports.handler = { not: "a function" };' });

    expect(await fns.invoke('Fn', {})).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.handler is not a function',
    });
  });

  test('GIVEN a syntax error in the bundle WHEN invoked THEN Runtime.UserCodeSyntaxError', async () => {
    const { runner: fns } = start({ 'index.js': 'exports.handler = async () => {;' });

    expect(await fns.invoke('Fn', {})).toMatchObject({
      errorType: 'Runtime.UserCodeSyntaxError',
      errorMessage: expect.stringMatching(/^SyntaxError: /),
    });
  });

  test('GIVEN a handler name with ".." WHEN invoked THEN Runtime.MalformedHandlerName', async () => {
    const { runner: fns } = start({ 'index.js': 'exports.handler = async () => 1;' }, '../index.handler');

    expect(await fns.invoke('Fn', {})).toMatchObject({
      errorType: 'Runtime.MalformedHandlerName',
      errorMessage:
        "'../index.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.",
    });
  });

  test('GIVEN init code that throws WHEN invoked THEN the error keeps its own type, as the runtime passes it on', async () => {
    const { runner: fns } = start({
      'index.js': 'throw new TypeError("TABLE_NAME is not set"); exports.handler = async () => 1;',
    });

    expect(await fns.invoke('Fn', {})).toMatchObject({ errorType: 'TypeError', errorMessage: 'TABLE_NAME is not set' });
  });
});

describe('externals', () => {
  const SDK_HINT =
    "@aws-sdk/client-dynamodb is provided by Lambda's Node.js runtime; install it as a devDependency of your app to run the function locally.";

  test('GIVEN a CommonJS bundle that requires the AWS SDK WHEN no module root has it THEN the error says how to fix it', async () => {
    const { runner: fns } = start({
      'index.js': 'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb"); exports.handler = async () => 1;',
    });

    const outcome = await fns.invoke('Fn', {});

    expect(outcome).toMatchObject({ status: 'error', errorType: 'Runtime.ImportModuleError' });
    const message = outcome.status === 'error' ? outcome.errorMessage : '';
    expect(message).toMatch(/^Error: Cannot find module '@aws-sdk\/client-dynamodb'\n/);
    expect(message.split('\n').at(-1)).toBe(SDK_HINT);
  });

  test('GIVEN an ES module bundle that imports the AWS SDK WHEN no module root has it THEN the error says how to fix it', async () => {
    const { runner: fns } = start({
      'index.mjs': 'import { DynamoDBClient } from "@aws-sdk/client-dynamodb"; export const handler = async () => 1;',
    });

    const outcome = await fns.invoke('Fn', {});

    const message = outcome.status === 'error' ? outcome.errorMessage : '';
    expect(message).toMatch(/^Cannot find package '@aws-sdk\/client-dynamodb' imported from /);
    expect(message.split('\n').at(-1)).toBe(SDK_HINT);
  });

  test('GIVEN a module root with the AWS SDK WHEN CommonJS and ES module bundles use it THEN both resolve it there', async () => {
    const cjs = folder.bundle('cjs', {
      'index.js':
        'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb"); exports.handler = async () => typeof DynamoDBClient;',
    });
    const esm = folder.bundle('esm', {
      'index.mjs':
        'import { DynamoDBClient } from "@aws-sdk/client-dynamodb"; export const handler = async () => typeof DynamoDBClient;',
    });
    runner = createFunctionRunner({
      functions: { Cjs: functionModel('Cjs', cjs), Esm: functionModel('Esm', esm) },
      region: REGION,
      accountId: ACCOUNT,
      moduleRoots: [PROJECT_ROOT],
    });

    expect(await runner.invoke('Cjs', {})).toMatchObject({ status: 'ok', payload: 'function' });
    expect(await runner.invoke('Esm', {})).toMatchObject({ status: 'ok', payload: 'function' });
  });

  test("GIVEN a bundle outside the project WHEN it requires one of this package's own dependencies THEN it is not found", async () => {
    // `jose` is a dependency of the runner's own package: a function must not see it unless a module root has it.
    const { runner: fns, dir } = start({ 'index.js': 'require("jose"); exports.handler = async () => 1;' });

    const outcome = await fns.invoke('Fn', {});

    expect(outcome).toMatchObject({ status: 'error', errorType: 'Runtime.ImportModuleError' });
    const message = outcome.status === 'error' ? outcome.errorMessage : '';
    expect(message.startsWith(`Error: Cannot find module 'jose'\nRequire stack:\n- ${dir}/index.js\n`)).toBe(true);
  });

  test('GIVEN node_modules beside the bundle WHEN it requires a package THEN resolution starts from the bundle folder', async () => {
    const { runner: fns } = start({
      'node_modules/local-dep/index.js': 'module.exports = "beside the bundle";',
      'index.js': 'const dep = require("local-dep"); exports.handler = async () => dep;',
    });

    expect(await fns.invoke('Fn', {})).toMatchObject({ status: 'ok', payload: 'beside the bundle' });
  });
});
