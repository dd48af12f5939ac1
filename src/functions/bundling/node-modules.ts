import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The installed version of each module, read from its own package.json as resolved from the entry's folder, so the
 * bundle's node_modules gets exactly what the handler was developed and tested with.
 */
export function installedVersions(prop: string, entry: string, modules: readonly string[]): { [name: string]: string } {
  const versions: { [name: string]: string } = {};
  for (const name of modules) {
    try {
      const manifest = require.resolve(`${name}/package.json`, { paths: [path.dirname(entry)] });
      versions[name] = JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
    } catch {
      throw new Error(
        `\`${prop}\` must name modules installed in the app (add each to its dependencies), got: ${JSON.stringify(name)}, not found from ${path.dirname(entry)}`,
      );
    }
  }
  return versions;
}

/**
 * Installs modules into a bundle's own node_modules with npm, for Linux and the function's architecture (npm's
 * `--os` and `--cpu` pick the optional native packages), from npm's cache when it has them.
 */
export function installNodeModules(dir: string, versions: { [name: string]: string }, cpu: 'arm64' | 'x64'): void {
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: versions }, null, 2));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(
    npm,
    [
      'install',
      '--omit=dev',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--os=linux',
      `--cpu=${cpu}`,
    ],
    { cwd: dir, encoding: 'utf8', shell: process.platform === 'win32' },
  );
  if (result.status !== 0) {
    throw new Error(
      `npm install of the bundle's nodeModules (${Object.keys(versions).join(', ')}) failed: ${(result.stderr || result.error?.message || '').trim()}`,
    );
  }
}
