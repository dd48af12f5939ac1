/**
 * Time from `serverless-api dev` start to its first answer, for an already synthesized assembly (the task board by
 * default): the command is spawned as a user runs it, the URL read from its banner, and the API polled until it
 * answers. Prints figures; asserts only that every run answered and stopped cleanly on SIGINT.
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/local/dev-start.ts [--runs 5] [--via lib|ts-node]
 *
 * - `listening`: the banner's `Listening on` line (assembly read, DynamoDB and its tables up, the server bound).
 * - `first answer`: the first HTTP answer of the API, `GET /projects/demo/tasks` without a token (the gateway's 401).
 * - `first 200`: the same route with a dev token: the authorizer and a cold start of the function, a Query on the
 *   table, the answer.
 * `--via lib` runs `node lib/cli/main.js` (what the package ships; needs `npx jsii` first), `--via ts-node` runs the
 * sources through ts-node's transpile-only loader, which adds its own start-up.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { issueAppToken } from '../../src/local/app-token';
import { loadDevKeys } from '../../src/local/auth';
import { readLocalApp } from '../../src/local/reader';
import { median } from '../runtime/lib/stats';

const ROOT = path.join(__dirname, '..', '..');
const LIB_MAIN = path.join(ROOT, 'lib', 'cli', 'main.js');

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    assembly: { type: 'string', default: path.join('integ', 'integ.task-board.ts.snapshot') },
    path: { type: 'string', default: '/projects/demo/tasks' },
    via: { type: 'string', default: fs.existsSync(LIB_MAIN) ? 'lib' : 'ts-node' },
  },
});
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs <= 0) throw new Error(`--runs must be a positive integer, got: ${args.runs}`);
if (args.via !== 'lib' && args.via !== 'ts-node') throw new Error(`--via must be lib or ts-node, got: ${args.via}`);
if (args.via === 'lib' && !fs.existsSync(LIB_MAIN)) {
  throw new Error(`--via lib needs ${LIB_MAIN}: run \`npx jsii\` first`);
}

interface Run {
  readonly listeningMs: number;
  readonly firstAnswerMs: number;
  readonly firstStatus: number;
  readonly first200Ms: number;
  readonly stopMs: number;
}

function command(): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const dev = ['dev', args.assembly!, '--port', '0'];
  if (args.via === 'lib') return { file: process.execPath, args: [LIB_MAIN, ...dev], env: {} };
  return {
    file: process.execPath,
    args: ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'cli', 'main.ts'), ...dev],
    env: { TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
  };
}

/** Resolves with the URL of the banner's `Listening on` line. */
function listeningUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^Listening on (\S+)$/m.exec(out);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`dev exited with ${code} before listening:\n${out}${err}`)));
  });
}

async function pollUntilAnswer(url: string, headers: Record<string, string> = {}): Promise<number> {
  for (;;) {
    try {
      return (await fetch(url, { headers })).status;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

async function once(cacheDir: string, token: string): Promise<Run> {
  const { file, args: argv, env } = command();
  const started = performance.now();
  const child = spawn(file, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env, CDK_SERVERLESS_API_CACHE_DIR: cacheDir },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await listeningUrl(child);
    const listeningMs = performance.now() - started;
    const target = `${url}${args.path}`;
    const firstStatus = await pollUntilAnswer(target);
    const firstAnswerMs = performance.now() - started;
    const status = await pollUntilAnswer(target, { authorization: `Bearer ${token}` });
    if (status !== 200) throw new Error(`GET ${target} with a dev token answered ${status}, expected 200`);
    const first200Ms = performance.now() - started;
    const stopping = performance.now();
    child.kill('SIGINT');
    const code = await exited;
    if (code !== 0) throw new Error(`dev exited with ${code} on SIGINT, expected 0`);
    return { listeningMs, firstAnswerMs, firstStatus, first200Ms, stopMs: performance.now() - stopping };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-start-bench-'));
  try {
    // The keys exist before the first run, as they do after a project's first `dev` or `token`.
    const keys = loadDevKeys({ dir: cacheDir });
    const app = readLocalApp(path.join(ROOT, args.assembly!), { functions: false });
    const token = await issueAppToken(app, keys, { sub: 'bench' });
    console.log(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${os.cpus().length} cores`,
    );
    console.log(`dev ${args.assembly} via ${args.via}, ${runs} runs\n`);
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await once(cacheDir, token);
      results.push(run);
      console.log(
        `run ${i + 1}: listening ${run.listeningMs.toFixed(0)} ms, first answer ${run.firstAnswerMs.toFixed(0)} ms (${run.firstStatus}), first 200 ${run.first200Ms.toFixed(0)} ms, stop ${run.stopMs.toFixed(0)} ms`,
      );
    }
    const med = (pick: (run: Run) => number) => median(results.map(pick)).toFixed(0);
    console.log(
      `\nmedian: listening ${med((r) => r.listeningMs)} ms, first answer ${med((r) => r.firstAnswerMs)} ms, first 200 ${med((r) => r.first200Ms)} ms, stop ${med((r) => r.stopMs)} ms (target: first answer <= 3000 ms after synth)`,
    );
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
