import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BundleCache, hashDirectory } from '../../../src/functions/bundling/bundle-cache';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-unit-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A build folder of `cache` holding these files, as esbuild leaves one. */
function built(cache: BundleCache, files: { [name: string]: string }): string {
  const dir = path.join(cache.newBuildDir(), 'bundle');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('BundleCache', () => {
  test('GIVEN two folders THEN the hash follows their files, names and contents, wherever they are', () => {
    const cache = new BundleCache(path.join(root, 'cache'), root);
    const a = built(cache, { 'index.js': 'a', 'lib/x.js': 'x' });
    const b = built(cache, { 'lib/x.js': 'x', 'index.js': 'a' });
    const c = built(cache, { 'index.js': 'a', 'lib/y.js': 'x' });

    expect(hashDirectory(a)).toBe(hashDirectory(b));
    expect(hashDirectory(c)).not.toBe(hashDirectory(a));
  });

  test('GIVEN a stored bundle THEN it is found while its sources are unchanged, and not once one changes or goes', () => {
    const cache = new BundleCache(path.join(root, 'cache'), root);
    const source = path.join(root, 'handler.ts');
    fs.writeFileSync(source, 'export const handler = 1;');
    const hash = cache.store('key', built(cache, { 'index.js': 'bundle' }), ['handler.ts', 'virtual:shim']);

    expect(cache.lookup('key')).toBe(hash);
    expect(fs.readFileSync(path.join(cache.bundleDir(hash), 'index.js'), 'utf8')).toBe('bundle');
    expect(cache.lookup('other key')).toBeUndefined();

    // A new mtime with the same content is still a hit; new content is a miss.
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(source, later, later);
    expect(new BundleCache(path.join(root, 'cache'), root).lookup('key')).toBe(hash);
    fs.writeFileSync(source, 'export const handler = 2;');
    expect(new BundleCache(path.join(root, 'cache'), root).lookup('key')).toBeUndefined();
    fs.rmSync(source);
    expect(new BundleCache(path.join(root, 'cache'), root).lookup('key')).toBeUndefined();
  });

  test('GIVEN a bundle folder removed from the cache THEN its entry is a miss, not a dangling hit', () => {
    const cache = new BundleCache(path.join(root, 'cache'), root);
    const hash = cache.store('key', built(cache, { 'index.js': 'bundle' }), []);
    fs.rmSync(cache.bundleDir(hash), { recursive: true });

    expect(cache.lookup('key')).toBeUndefined();
  });

  test('GIVEN the same bundle stored twice THEN one folder holds it', () => {
    const cache = new BundleCache(path.join(root, 'cache'), root);
    const first = cache.store('a', built(cache, { 'index.js': 'same' }), []);
    const second = cache.store('b', built(cache, { 'index.js': 'same' }), []);

    expect(second).toBe(first);
    expect(fs.readdirSync(path.join(root, 'cache', 'bundles'))).toEqual([first]);
  });
});
