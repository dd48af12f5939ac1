/**
 * `serverless-api dev` as a function: reads the stack, runs it locally, prints the banner and streams the logs,
 * and with `watch` re-synthesizes and reloads on every change. The command waits for a signal and calls `stop()`;
 * tests call it themselves.
 */
import * as fs from 'fs';
import * as path from 'path';
import { bannerLines } from './banner';
import { startWatchMode, type WatchMode } from './watch-mode';
import { UsageError } from '../../assembly/assembly';
import { BundleCache } from '../../functions/bundling/bundle-cache';
import { readLocalApp } from '../../local/reader';
import { runLocal, type RunningLocal } from '../../local/run-local';
import { readCdkProject, type CdkProject } from '../../local/watch/cdk-project';
import { runSynth } from '../../local/watch/synth';
import { DEFAULT_ASSEMBLY_DIR } from '../common-arguments';

export const DEFAULT_DEV_PORT = 3000;
export const DEFAULT_DEV_HOST = '127.0.0.1';

export interface DevOptions {
  /** The project folder: relative paths, cdk.json, the dev keys' cache and the modules bundles keep external. */
  readonly cwd: string;
  /**
   * The cloud assembly folder, relative to `cwd`.
   * @default cdk.out, or with `watch` the `output` of cdk.json when it sets one
   */
  readonly assemblyDir?: string;
  readonly stack?: string;
  /** @default 3000; 0 picks a free port */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** Keeps the table's items in this folder (relative to `cwd`). @default in memory */
  readonly dataDir?: string;
  /** Values of the stack's secrets (`--secret NAME=VALUE`), served by the local Secrets Manager. */
  readonly secrets?: { readonly [name: string]: string };
  /** Re-run the app's synth (cdk.json's `app`) when sources change, and reload. */
  readonly watch?: boolean;
  /** @default 300 */
  readonly debounceMs?: number;
  /** Where the dev keys are. @default the project's cache folder */
  readonly keysDir?: string;
  /** The arguments that select the stack again, for the token hint in the banner. @default none */
  readonly selection?: readonly string[];
  /** Standard output: the banner, then one log line after another. */
  readonly write: (text: string) => void;
}

export interface DevServer {
  /** The stage's base URL. */
  readonly url: string;
  readonly port: number;
  readonly running: RunningLocal;
  /** Stops watching, the server, the functions and DynamoDB. */
  stop(): Promise<void>;
}

export async function startDev(options: DevOptions): Promise<DevServer> {
  const line = (text: string) => options.write(`${text}\n`);
  const project = options.watch ? readCdkProject(options.cwd) : undefined;
  const assemblyDir = path.resolve(options.cwd, options.assemblyDir ?? project?.output ?? DEFAULT_ASSEMBLY_DIR);
  if (project && !fs.existsSync(path.join(assemblyDir, 'manifest.json'))) {
    await firstSynth(project, assemblyDir, line);
  }
  const read = () => readLocalApp(assemblyDir, { stack: options.stack, secrets: options.secrets });
  const app = read();
  const host = options.host ?? DEFAULT_DEV_HOST;
  const port = options.port ?? DEFAULT_DEV_PORT;
  const keysDir = options.keysDir ?? BundleCache.forProject(options.cwd).dir;
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(options.cwd, options.dataDir);
  let running: RunningLocal;
  try {
    running = await runLocal(app, {
      host,
      port,
      dataDir,
      keysDir,
      moduleRoots: [options.cwd],
      log: line,
    });
  } catch (error) {
    throw listenError(error, host, port) ?? error;
  }

  bannerLines({
    app,
    url: running.url,
    dataDir,
    keysDir,
    selection: options.selection ?? [],
    watching: project ? { dir: project.dir, command: project.app } : undefined,
  }).forEach(line);

  let watchMode: WatchMode | undefined;
  if (project) {
    try {
      watchMode = startWatchMode({
        project,
        assemblyDir,
        running,
        read,
        dataDir,
        debounceMs: options.debounceMs,
        line,
      });
    } catch (error) {
      await running.stop();
      throw error;
    }
  }
  let stopped: Promise<void> | undefined;
  return {
    get url() {
      return running.url;
    },
    port: running.port,
    running,
    stop: () =>
      (stopped ??= (async () => {
        await watchMode?.close();
        await running.stop();
      })()),
  };
}

/** The assembly does not exist yet: synthesize before anything, and stop with the app's output if that fails. */
async function firstSynth(project: CdkProject, assemblyDir: string, line: (text: string) => void): Promise<void> {
  line(`[watch] no cloud assembly in ${assemblyDir} yet: running \`${project.app}\``);
  const result = await runSynth(project, assemblyDir).result;
  if (!result.ok) {
    throw new UsageError(
      `synth failed (${result.exit}): \`${project.app}\` in ${project.dir} wrote:\n${result.output.trimEnd()}\nFix the app and run the command again.`,
    );
  }
  line(`[watch] synthesized in ${result.durationMs} ms`);
}

/** A listening error the user can fix, said with the option that fixes it. */
function listenError(error: unknown, host: string, port: number): UsageError | undefined {
  switch ((error as NodeJS.ErrnoException)?.code) {
    case 'EADDRINUSE':
      return new UsageError(
        `port ${port} on ${host} is in use: stop what listens there, or choose another port with --port (--port 0 picks a free one)`,
      );
    case 'EACCES':
      return new UsageError(
        `port ${port} on ${host} needs privileges this user lacks: choose a port above 1023 with --port`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new UsageError(`--host ${host} is not an address of this machine: use 127.0.0.1 (the default) or 0.0.0.0`);
    default:
      return undefined;
  }
}
