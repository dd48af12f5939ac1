import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { build, type Metafile } from 'esbuild';

/** One handler to bundle: a display name and its entry, relative to the repository root. */
export interface BundleEntry {
  readonly name: string;
  readonly entry: string;
}

/** A bundle on disk, with its sizes and what it is made of. */
export interface BundleResult extends BundleEntry {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Minified bytes by origin (`zod`, `src/runtime`, ...), largest first. */
  readonly composition: readonly { readonly origin: string; readonly bytes: number }[];
}

/**
 * Bundles `entry` as a Lambda deployment would, except for source maps: one minified CommonJS file for Node 20,
 * with the AWS SDK left out because the Lambda runtime provides it (`NodejsFunction`'s default too).
 */
export async function bundleHandler(root: string, entry: BundleEntry, outDir: string): Promise<BundleResult> {
  const file = path.join(outDir, `${entry.name.replace(/[^a-z0-9]+/gi, '-')}.js`);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [path.join(root, entry.entry)],
    outfile: file,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    metafile: true,
    logLevel: 'silent',
  });
  const code = fs.readFileSync(file);
  return {
    ...entry,
    file,
    bytes: code.length,
    // Level 9, like the deflate of a deployment zip at its best: the smallest transfer the code can have.
    gzipBytes: zlib.gzipSync(code, { level: 9 }).length,
    composition: composition(result.metafile),
  };
}

/** Groups the output bytes of each input file by package (or by source folder for the repository's own code). */
function composition(metafile: Metafile): { origin: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const origin = originOf(input);
      totals.set(origin, (totals.get(origin) ?? 0) + bytesInOutput);
    }
  }
  return [...totals.entries()]
    .map(([origin, bytes]) => ({ origin, bytes }))
    .filter((part) => part.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

function originOf(input: string): string {
  const parts = input.split('/');
  const modules = parts.lastIndexOf('node_modules');
  if (modules >= 0) {
    const name = parts[modules + 1];
    return name.startsWith('@') ? `${name}/${parts[modules + 2]}` : name;
  }
  // The repository's own code: `src/runtime`, `src/shared`, `bench/runtime/handlers`, `integ/task-board`...
  return parts.slice(0, 2).join('/');
}
