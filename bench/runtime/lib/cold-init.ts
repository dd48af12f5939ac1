import { spawnSync } from 'child_process';

/** One cold start of a bundle, as its child process measured it. */
export interface ColdInit {
  /** Milliseconds from just before `require(bundle)` to just after: module init, SDK load included. */
  readonly ms: number;
  /** Resident memory after init, in MiB. */
  readonly rssMiB: number;
}

/**
 * Runs in a fresh `node` for each sample. It times only `require()`, the part of a Lambda cold start the handler's
 * code decides; starting node itself is the same for every bundle and is left out. The AWS SDK is external to the
 * bundles, so its modules load from node_modules (found through NODE_PATH) inside the timed `require()`, as they
 * load from the runtime's own copy on Lambda.
 */
const CHILD = `
const start = process.hrtime.bigint();
try {
  require(process.argv[1]);
} catch (error) {
  process.stdout.write(JSON.stringify({ error: String(error && error.message || error).split('\\n')[0] }));
  process.exit(1);
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const rssMiB = process.memoryUsage().rss / 1048576;
process.stdout.write(JSON.stringify({ ms, rssMiB }));
`;

/** Loads `file` in a new node process with exactly `env` (plus NODE_PATH) and returns what it measured. */
export function coldInit(file: string, env: { readonly [name: string]: string }, nodePath: string): ColdInit {
  const child = spawnSync(process.execPath, ['-e', CHILD, file], {
    env: { ...env, NODE_PATH: nodePath },
    encoding: 'utf8',
    timeout: 60_000,
  });
  let parsed: { error?: string } & Partial<ColdInit>;
  try {
    parsed = JSON.parse(child.stdout);
  } catch {
    throw new Error(`the child printed no result (exit ${child.status}): ${child.stderr.trim().split('\n')[0] ?? ''}`);
  }
  if (parsed.error !== undefined) throw new Error(parsed.error);
  return { ms: parsed.ms!, rssMiB: parsed.rssMiB! };
}
