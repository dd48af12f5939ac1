/**
 * Where the execution environments' runtime (`runtime/`) is as JavaScript. The published package ships it compiled
 * next to this file. Run from TypeScript sources (ts-jest, ts-node), the runtime is compiled once per process into
 * a folder under the OS temporary directory named by its content, so workers never load a TypeScript compiler.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE_DIR = join(__dirname, 'runtime');

let compiledDir: string | undefined;

/** The folder holding `bootstrap.js`: Lambda's `LAMBDA_RUNTIME_DIR` for the local runtime. */
export function runtimeDir(): string {
  if (existsSync(join(SOURCE_DIR, 'bootstrap.js'))) return SOURCE_DIR;
  compiledDir ??= compileSources();
  return compiledDir;
}

function compileSources(): string {
  const sources = readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));
  const texts = sources.map((name) => [name, readFileSync(join(SOURCE_DIR, name), 'utf8')] as const);
  const hash = createHash('sha256');
  for (const [name, text] of texts) hash.update(name).update('\0').update(text).update('\0');
  const dir = join(tmpdir(), `cdk-serverless-api-lambda-runtime-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'bootstrap.js'))) return dir;

  // Only reached from sources, where the TypeScript compiler is a development dependency.
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  const ts = require('typescript') as typeof import('typescript');
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  for (const [name, text] of texts) {
    // `.cts` keeps the output CommonJS while leaving `import()` as Node's own dynamic import.
    const output = ts.transpileModule(text, {
      fileName: name.replace(/\.ts$/, '.cts'),
      compilerOptions: {
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
        target: ts.ScriptTarget.ES2022,
        inlineSourceMap: true,
        esModuleInterop: true,
      },
    });
    writeFileSync(join(staging, name.replace(/\.ts$/, '.js')), output.outputText);
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another process compiled the same sources first: theirs are identical.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'bootstrap.js'))) throw error;
  }
  return dir;
}
