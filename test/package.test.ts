/**
 * What a user installs: the tarball holds the compiled library, its sources (the source maps point at them), the
 * jsii manifest, the docs and the bundled dependencies, and nothing a build or a local run leaves behind.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

interface PackedFile {
  readonly path: string;
}

describe('the npm tarball', () => {
  let files: string[];
  beforeAll(() => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: path.join(__dirname, '..'),
      encoding: 'utf-8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    files = (JSON.parse(out) as { files: PackedFile[] }[])[0].files.map((f) => f.path);
  }, 60_000);

  test('holds only the library, its sources, its manifest, its docs and its bundled dependencies', () => {
    const tops = [...new Set(files.map((file) => file.split('/')[0]))].sort();
    expect(tops).toEqual(['.jsii', 'API.md', 'LICENSE', 'README.md', 'lib', 'node_modules', 'package.json', 'src']);
  });

  test('ships no test, integ, bench, cdk.out or CI file anywhere', () => {
    const leftovers = files.filter((file) =>
      /(^|\/)(cdk\.out|\.ci|\.scratch|\.compat|coverage|test-reports|integ|bench)(\/|$)|\.test\.[jt]s$/.test(file),
    );
    expect(leftovers.filter((file) => !file.startsWith('node_modules/'))).toEqual([]);
  });

  test('ships the command line, the runtime toolkit and the test kit entry points', () => {
    // lib/ exists only after a build; the sources stand for it before one.
    const entries = ['cli/main', 'runtime/index', 'testing/index'];
    for (const entry of entries) expect(files).toContain(`src/${entry}.ts`);
  });
});
