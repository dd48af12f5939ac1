/**
 * cdk.json's `watch.include` / `watch.exclude` globs, read as `cdk watch` reads them (picomatch with `dot: true`,
 * a pattern without a wildcard meaning that path and everything below it), and the folders never watched.
 * https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-watch.html
 */
import { createWatchFilter, globToRegExp } from '../../../src/local/watch/globs';

describe('globToRegExp', () => {
  test.each([
    ['**', 'bin/app.ts', true],
    ['**', 'README.md', true],
    ['src/**/*.ts', 'src/app.ts', true],
    ['src/**/*.ts', 'src/deep/er/app.ts', true],
    ['src/**/*.ts', 'lib/app.ts', false],
    ['src/**/*.ts', 'src/app.js', false],
    ['**/*.d.ts', 'lib/types.d.ts', true],
    ['**/*.d.ts', 'types.d.ts', true],
    ['*.ts', 'app.ts', true],
    ['*.ts', 'bin/app.ts', false],
    ['cdk*.json', 'cdk.context.json', true],
    ['*.{ts,js}', 'app.js', true],
    ['*.{ts,js}', 'app.mjs', false],
    ['handler?.ts', 'handler1.ts', true],
    ['handler?.ts', 'handler10.ts', false],
    ['[ab].ts', 'b.ts', true],
    ['[!ab].ts', 'b.ts', false],
    ['a+b (1).ts', 'a+b (1).ts', true],
    // Without a wildcard: the file, or the folder and everything in it.
    ['test', 'test', true],
    ['test', 'test/app.test.ts', true],
    ['test/', 'test/app.test.ts', true],
    ['test', 'testing/app.ts', false],
    ['README.md', 'README.md', true],
    ['lib/**', 'lib', true],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});

describe('createWatchFilter', () => {
  test('GIVEN no globs THEN every file is watched except node_modules, dot files and folders, and cdk.out*', () => {
    const filter = createWatchFilter();
    expect(['bin/app.ts', 'lib/stack.ts', 'src/handlers/tasks.ts'].filter(filter.isWatchedFile)).toHaveLength(3);
    expect(filter.isWatchedFile('.env')).toBe(false);
    expect(filter.isWatchedFile('src/.tasks.ts.swp')).toBe(false);
    expect(filter.isWatchedFolder('')).toBe(true);
    expect(filter.isWatchedFolder('src')).toBe(true);
    expect(
      ['node_modules', 'packages/a/node_modules', '.git', 'src/.cache', 'cdk.out', 'cdk.out.dev'].filter(
        filter.isWatchedFolder,
      ),
    ).toEqual([]);
  });

  test('GIVEN include and exclude globs THEN a file is watched when an include matches and no exclude does', () => {
    const filter = createWatchFilter({ include: ['src/**', 'bin/*.ts'], exclude: ['**/*.test.ts', 'src/generated'] });
    expect(filter.isWatchedFile('src/handlers/tasks.ts')).toBe(true);
    expect(filter.isWatchedFile('bin/app.ts')).toBe(true);
    expect(filter.isWatchedFile('README.md')).toBe(false);
    expect(filter.isWatchedFile('src/handlers/tasks.test.ts')).toBe(false);
    expect(filter.isWatchedFile('src/generated/client.ts')).toBe(false);
    // Folders an include may reach into are entered; excluded ones are not.
    expect(filter.isWatchedFolder('src/handlers')).toBe(true);
    expect(filter.isWatchedFolder('bin')).toBe(true);
    expect(filter.isWatchedFolder('src/generated')).toBe(false);
    expect(filter.isWatchedFolder('lib')).toBe(false);
  });

  test('GIVEN includes under a folder THEN only the folders on the way to it and below it are entered', () => {
    const filter = createWatchFilter({ include: ['integ/task-board/**', 'bin/app.ts'] });
    expect(
      ['integ', 'integ/task-board', 'integ/task-board/handlers', 'bin'].filter(filter.isWatchedFolder),
    ).toHaveLength(4);
    expect(['integ/rest-api', 'lib', 'test', 'bin/tools'].filter(filter.isWatchedFolder)).toEqual([]);
  });

  test('GIVEN the assembly folder THEN nothing under it is watched: synth writes there', () => {
    const filter = createWatchFilter({ excludeFolders: ['build/assembly/'] });
    expect(filter.isWatchedFolder('build/assembly')).toBe(false);
    expect(filter.isWatchedFile('build/assembly/manifest.json')).toBe(false);
    expect(filter.isWatchedFile('build/notes.txt')).toBe(true);
  });
});
