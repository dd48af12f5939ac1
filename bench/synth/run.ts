/**
 * Synth benchmark: whole-process `app.synth()` of the same API at several sizes, written by hand with inline code
 * (the floor), by hand with one `NodejsFunction` per function, and with `ServerlessApi` (first synth with an empty
 * bundle cache, and a second synth with nothing changed). Runs are interleaved and the medians compared.
 * Prints figures; see bench/synth/README.md.
 *
 *   npx projen bench            # compiles lib/ first
 *   npx ts-node --transpile-only bench/synth/run.ts [--routes 10,100,200] [--runs 5] [--skip-nodejs]
 *   npx ts-node --transpile-only bench/synth/run.ts --routes 100,250,500,1000 --skip-nodejs --handlers small
 *   npx ts-node --transpile-only bench/synth/run.ts --routes 100,1000 --runs 1 --skip-nodejs --api rest
 *
 * Past about 200 routes `ServerlessApi` puts its route functions in nested stacks: the table also shows how many
 * stacks its first synth wrote and the resources of the largest (CloudFormation takes 500).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';

const ROOT = path.resolve(__dirname, '..', '..');
const APPS = path.join(__dirname, 'apps');
/** Inside the project, so esbuild and `NodejsFunction` find the project's own node_modules and lock file. */
const WORK = path.join(ROOT, '.scratch', 'bench-synth');

const TARGETS = { inline: 1.5, nodejs: 0.15, secondSynth: 1.2 };

const { values: args } = parseArgs({
  // `npx projen bench -- --runs 3` passes the separator on.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    routes: { type: 'string', default: '10,100,200' },
    runs: { type: 'string', default: '5' },
    'skip-nodejs': { type: 'boolean', default: false },
    handlers: { type: 'string', default: 'small,toolkit' },
    verbose: { type: 'boolean', default: false },
    api: { type: 'string', default: 'http' },
  },
});
if (args.api !== 'http' && args.api !== 'rest') throw new Error(`--api must be http or rest, got: ${args.api}`);
const sizes = args.routes.split(',').map(Number);
type Handlers = 'small' | 'toolkit';
const handlerKinds = args.handlers.split(',') as Handlers[];
if (!handlerKinds.length || handlerKinds.some((kind) => kind !== 'toolkit' && kind !== 'small')) {
  throw new Error(`--handlers must list small and/or toolkit, got: ${args.handlers}`);
}
const runs = Number(args.runs);

type Variant = 'inline' | 'nodejs' | 'first' | 'second';
const LABELS: { [variant in Variant]: string } = {
  inline: 'hand-written, inline code',
  nodejs: 'hand-written, NodejsFunction',
  first: 'ServerlessApi, first synth',
  second: 'ServerlessApi, nothing changed',
};

function main(): void {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
    throw new Error('lib/ is not compiled: run `npx projen compile` first (or `npx projen bench`, which does)');
  }
  const variants: Variant[] = args['skip-nodejs']
    ? ['inline', 'first', 'second']
    : ['inline', 'nodejs', 'first', 'second'];
  console.log(
    `Whole-process synth of ${args.api === 'rest' ? 'a REST' : 'an HTTP'} API (node, aws-cdk-lib ${cdkVersion()}, esbuild ${esbuildVersion()}), ${os.cpus().length} cores, median of ${runs} interleaved runs`,
  );
  for (const handlers of handlerKinds) {
    console.log(`\n## ${HANDLER_LABELS[handlers]}\n`);
    fs.rmSync(WORK, { recursive: true, force: true });
    const entries = writeEntries(handlers, Math.max(...sizes.map((routes) => Math.ceil(routes / 4))));
    const medians = new Map<number, Map<Variant, number>>();
    shapes.clear();
    for (const routes of sizes) {
      const samples = new Map<Variant, number[]>(variants.map((variant) => [variant, []]));
      for (let run = 0; run < runs; run++) {
        // Rotate the order each round so no variant always runs first (or after the slowest).
        const order = variants.map((_, i) => variants[(i + run) % variants.length]);
        for (const variant of order) {
          const elapsed = timeSynth(variant, routes, entries);
          samples.get(variant)!.push(elapsed);
          if (args.verbose) console.log(`  run ${run + 1}, ${routes} routes, ${LABELS[variant]}: ${seconds(elapsed)}`);
        }
      }
      medians.set(routes, new Map(variants.map((variant) => [variant, median(samples.get(variant)!)])));
    }
    report(medians, variants);
  }
  fs.rmSync(WORK, { recursive: true, force: true });
}

const HANDLER_LABELS: { [kind in Handlers]: string } = {
  small: 'Small handlers: a few lines and a shared local module, bundles under 1 KB',
  toolkit: 'Toolkit handlers: the runtime toolkit and a zod schema, bundles of about 140 KB',
};

/**
 * One entry file per function: with `toolkit`, a route handler on the runtime toolkit with a zod schema (a bundle of
 * about 140 KB, as the README's handlers make); with `small`, a few lines and a shared local module (under 1 KB).
 */
function writeEntries(handlers: Handlers, count: number): string {
  const dir = path.join(WORK, 'handlers');
  fs.mkdirSync(dir, { recursive: true });
  const toolkit = path
    .relative(dir, path.join(ROOT, 'src', 'runtime'))
    .split(path.sep)
    .join('/');
  fs.writeFileSync(
    path.join(dir, 'respond.ts'),
    `export const respond = (statusCode: number, body: unknown) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
`,
  );
  for (let i = 0; i < count; i++) {
    if (handlers === 'small') {
      fs.writeFileSync(
        path.join(dir, `fn${i}.ts`),
        `import { respond } from './respond';

export const handler = async (event: { pathParameters?: { thingId?: string } }) =>
  respond(200, { thingId: event.pathParameters?.thingId ?? null, n: ${i} });
`,
      );
      continue;
    }
    fs.writeFileSync(
      path.join(dir, `fn${i}.ts`),
      `import * as z from 'zod';
import { apiHandler, created, route, Table } from '${toolkit}';

const Thing = z.object({ thingId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), name: z.string().max(200) });
const table = Table.fromEnvironment();

export const handler = apiHandler({
  table,
  routes: {
    'POST /things${i}': route({
      body: Thing,
      handle: async ({ body }) => {
        await table.item('putThing').create({ thingId: body.thingId }, { name: body.name });
        return created({ thingId: body.thingId, name: body.name, n: ${i} });
      },
    }),
  },
});
`,
    );
  }
  return dir;
}

/** The stacks `ServerlessApi`'s first synth wrote, by size in routes: how many, and the resources of the largest. */
const shapes = new Map<number, { stacks: number; largest: number }>();

/** The templates of a cloud assembly, nested stacks' (`*.nested.template.json`) included: how many, and the largest. */
function assemblyShape(outdir: string): { stacks: number; largest: number } {
  const templates = fs.readdirSync(outdir).filter((file) => file.endsWith('.template.json'));
  const counts = templates.map(
    (file) => Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')).Resources ?? {}).length,
  );
  return { stacks: templates.length, largest: Math.max(...counts) };
}

/** Seconds of one synth in a new process; for `second`, after an untimed first synth into the same folders. */
function timeSynth(variant: Variant, routes: number, entries: string): number {
  const outdir = fs.mkdtempSync(path.join(WORK, 'out-'));
  const cache = fs.mkdtempSync(path.join(WORK, 'cache-'));
  const env = {
    ...process.env,
    ROUTES: String(routes),
    ENTRIES: entries,
    CDK_OUTDIR: outdir,
    CDK_SERVERLESS_API_CACHE_DIR: cache,
    CDK_VALIDATION: 'false',
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
    CODE: variant === 'nodejs' ? 'nodejs' : 'inline',
    API: args.api,
  };
  const app = path.join(APPS, variant === 'inline' || variant === 'nodejs' ? 'hand-written.js' : 'serverless-api.js');
  if (variant === 'second') synthOnce(app, env);
  const elapsed = synthOnce(app, env);
  if (variant === 'first') shapes.set(routes, assemblyShape(outdir));
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.rmSync(cache, { recursive: true, force: true });
  return elapsed;
}

function synthOnce(app: string, env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [app], { cwd: ROOT, env, encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${path.basename(app)} failed:\n${result.stderr}`);
  if (!fs.readdirSync(env.CDK_OUTDIR!).some((file) => file.endsWith('.template.json'))) {
    throw new Error(`${path.basename(app)} wrote no template`);
  }
  return elapsed;
}

function report(medians: Map<number, Map<Variant, number>>, variants: Variant[]): void {
  const header = ['routes / functions', ...variants.map((variant) => LABELS[variant]), 'first / inline'];
  if (variants.includes('nodejs')) header.push('first / NodejsFunction');
  header.push('nothing changed / inline', 'ServerlessApi stacks', 'largest stack (resources)');
  const rows = [...medians].map(([routes, row]) => {
    const cells = [`${routes} / ${Math.ceil(routes / 4)}`, ...variants.map((variant) => seconds(row.get(variant)!))];
    cells.push(ratio(row.get('first')! / row.get('inline')!));
    if (variants.includes('nodejs')) cells.push(ratio(row.get('first')! / row.get('nodejs')!));
    cells.push(ratio(row.get('second')! / row.get('inline')!));
    const shape = shapes.get(routes);
    cells.push(shape ? `${shape.stacks}` : '-', shape ? `${shape.largest}` : '-');
    return cells;
  });
  console.log(table(header, rows));

  const largest = Math.max(...medians.keys());
  const big = medians.get(largest)!;
  console.log(`\nTargets at ${largest} routes:`);
  check(`first synth <= ${TARGETS.inline}x inline`, big.get('first')! / big.get('inline')!, TARGETS.inline);
  if (variants.includes('nodejs')) {
    check(`first synth <= ${TARGETS.nodejs}x NodejsFunction`, big.get('first')! / big.get('nodejs')!, TARGETS.nodejs);
  }
  check(
    `nothing changed <= ${TARGETS.secondSynth}x inline`,
    big.get('second')! / big.get('inline')!,
    TARGETS.secondSynth,
  );

  // Linear growth: the cost of each added route is about the same from the middle size to the largest as below it.
  const sorted = [...medians.keys()].sort((a, b) => a - b);
  if (sorted.length >= 3) {
    const [low, middle, high] = sorted.slice(-3);
    const perRoute = (from: number, to: number) =>
      (medians.get(to)!.get('first')! - medians.get(from)!.get('first')!) / (to - from);
    const lower = perRoute(low, middle);
    const upper = perRoute(middle, high);
    console.log(
      `  growth: ${(lower * 1000).toFixed(2)} ms per route from ${low} to ${middle} routes, ${(upper * 1000).toFixed(2)} ms from ${middle} to ${high} (ratio ${ratio(upper / lower)}: linear is about 1, below 1 grows slower than linear)`,
    );
  }
}

function check(label: string, value: number, target: number): void {
  console.log(`  ${value <= target ? 'met ' : 'MISSED'} ${label}: ${ratio(value)}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

function ratio(value: number): string {
  return `${value.toFixed(2)}x`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padStart(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 1) + ':').join('|')}|`, ...rows.map(line)].join(
    '\n',
  );
}

function cdkVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;
}

function esbuildVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('esbuild').version;
}

main();
