/**
 * The source watcher on a real folder: each watched file written, created or deleted is reported once the changes
 * stop, folders the filter leaves out are never entered, and folders created later are watched too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createWatchFilter } from '../../../src/local/watch/globs';
import { watchSources, type SourceWatcher } from '../../../src/local/watch/source-watcher';

let dir: string;
let watcher: SourceWatcher | undefined;
let batches: string[][];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'source-watcher-'));
  batches = [];
  for (const folder of ['src/handlers', 'node_modules/pkg', '.git', 'cdk.out/asset.1', 'test']) {
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
  }
  fs.writeFileSync(path.join(dir, 'src/handlers/tasks.ts'), 'v1');
});
afterEach(() => {
  watcher?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const DEBOUNCE_MS = 60;
const write = (file: string, content = 'x') => fs.writeFileSync(path.join(dir, file), content);
const settle = () => new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS * 4));

function start(exclude: string[] = []): SourceWatcher {
  watcher = watchSources({
    root: dir,
    filter: createWatchFilter({ exclude }),
    debounceMs: DEBOUNCE_MS,
    onChange: (files) => batches.push(files),
  });
  return watcher;
}

test('GIVEN a project THEN node_modules, dot folders, cdk.out and excluded folders are never watched', () => {
  // '', src, src/handlers: the rest is left out.
  expect(start(['test']).folders).toBe(3);
});

test('GIVEN changes in quick succession THEN one report lists every watched file, sorted', async () => {
  start();
  write('src/handlers/tasks.ts', 'v2');
  write('src/app.ts');
  fs.rmSync(path.join(dir, 'src/handlers/tasks.ts'));
  await settle();
  expect(batches).toEqual([['src/app.ts', 'src/handlers/tasks.ts']]);
});

test('GIVEN changes in ignored places only THEN nothing is reported', async () => {
  start(['test']);
  write('node_modules/pkg/index.js');
  write('.git/index');
  write('cdk.out/asset.1/index.js');
  write('test/app.test.ts');
  write('.env');
  await settle();
  expect(batches).toEqual([]);
});

test('GIVEN a folder created after the start THEN the files written into it are reported', async () => {
  start();
  fs.mkdirSync(path.join(dir, 'src/new/deeper'), { recursive: true });
  await settle();
  write('src/new/deeper/handler.ts');
  await settle();
  expect(batches).toEqual([['src/new/deeper/handler.ts']]);
});

test('GIVEN a folder copied in with its files THEN those files are reported', async () => {
  start();
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'source-watcher-copy-'));
  fs.mkdirSync(path.join(elsewhere, 'lib'));
  fs.writeFileSync(path.join(elsewhere, 'lib', 'stack.ts'), 'x');
  fs.renameSync(elsewhere, path.join(dir, 'src', 'copied'));
  await settle();
  expect(batches).toEqual([['src/copied/lib/stack.ts']]);
});

test('GIVEN a closed watcher THEN later changes are not reported', async () => {
  start().close();
  write('src/app.ts');
  await settle();
  expect(batches).toEqual([]);
});
