/**
 * `dev --watch`: a change to the project's sources runs the app's synth, and a good synth is reloaded behind the
 * same server. One synth at a time; a change during a synth runs one more after it. A failed synth, or one the local
 * API cannot read, leaves the last good version serving.
 */
import * as path from 'path';
import type { LocalAppModel } from '../../local/model';
import type { ReloadResult, RunningLocal } from '../../local/run-local';
import type { CdkProject } from '../../local/watch/cdk-project';
import { createWatchFilter } from '../../local/watch/globs';
import { watchSources } from '../../local/watch/source-watcher';
import { runSynth, type RunningSynth } from '../../local/watch/synth';

export interface WatchModeOptions {
  readonly project: CdkProject;
  readonly assemblyDir: string;
  readonly running: RunningLocal;
  /** Reads the stack from the assembly again. */
  readonly read: () => LocalAppModel;
  readonly dataDir?: string;
  readonly debounceMs?: number;
  readonly line: (text: string) => void;
}

export interface WatchMode {
  /** Stops watching, cancels a synth in progress and waits for the reload in progress. */
  close(): Promise<void>;
}

const SHOWN_FILES = 3;

export function startWatchMode(options: WatchModeOptions): WatchMode {
  const { project, running, line } = options;
  const assemblyInProject = path.relative(project.dir, options.assemblyDir).split(path.sep).join('/');
  const filter = createWatchFilter({
    include: project.watch.include,
    exclude: project.watch.exclude,
    excludeFolders: assemblyInProject.startsWith('..') || path.isAbsolute(assemblyInProject) ? [] : [assemblyInProject],
  });
  let closed = false;
  let synth: RunningSynth | undefined;
  let queued = false;
  let cycle: Promise<void> | undefined;

  const watcher = watchSources({
    root: project.dir,
    filter,
    debounceMs: options.debounceMs,
    onChange: (files) => {
      const more = files.length > SHOWN_FILES ? ` and ${files.length - SHOWN_FILES} more` : '';
      line(`[watch] changed: ${files.slice(0, SHOWN_FILES).join(', ')}${more}`);
      if (cycle) {
        queued = true;
        return;
      }
      cycle = run().finally(() => (cycle = undefined));
    },
  });

  async function run(): Promise<void> {
    do {
      queued = false;
      await synthAndReload();
    } while (queued && !closed);
  }

  async function synthAndReload(): Promise<void> {
    line(`[watch] running \`${project.app}\``);
    synth = runSynth(project, options.assemblyDir);
    const result = await synth.result;
    synth = undefined;
    if (closed) return;
    if (!result.ok) {
      line(`[watch] synth failed (${result.exit}) after ${result.durationMs} ms; still serving the last good version:`);
      result.output
        .trimEnd()
        .split('\n')
        .forEach((text) => line(`[watch]   ${text}`));
      return;
    }
    const started = Date.now();
    const before = running.app;
    let outcome: ReloadResult;
    try {
      outcome = await running.reload(options.read());
    } catch (error) {
      // A synth the reader refuses (a stack removed, a function without its bundle) is the user's to fix, like a
      // failed synth; the server keeps the version it has.
      const reason = (error instanceof Error ? error.message : String(error)).split('\n').join('\n[watch]   ');
      line(
        `[watch] synth done, but the new version cannot run: ${reason}\n[watch] still serving the last good version`,
      );
      return;
    }
    const routes = routeChanges(before, running.app);
    const known = new Set(before.warnings ?? []);
    (running.app.warnings ?? [])
      .filter((warning) => !known.has(warning))
      .forEach((warning) => line(`[watch] runs differently than deployed: ${warning}`));
    line(
      [
        `[watch] reloaded in ${Date.now() - started} ms (synth ${result.durationMs} ms)`,
        routes ? `; routes: ${routes}` : '',
        outcome.tables === 'restarted' ? `; ${tablesLine(outcome, options.dataDir)}` : '',
      ].join(''),
    );
  }

  line(`[watch] watching ${watcher.folders} folder${watcher.folders === 1 ? '' : 's'} under ${project.dir}`);
  return {
    async close() {
      closed = true;
      watcher.close();
      synth?.cancel();
      await cycle;
    },
  };
}

function tablesLine(outcome: ReloadResult, dataDir: string | undefined): string {
  const what = outcome.tableChanges.join('; ');
  return dataDir === undefined
    ? `tables changed (${what}): DynamoDB restarted, the items it held in memory are lost`
    : `tables changed (${what}): DynamoDB restarted on ${dataDir}`;
}

/** `+GET /a, -POST /b`: routes added and removed by the reload. */
function routeChanges(before: LocalAppModel, after: LocalAppModel): string {
  const keys = (app: LocalAppModel) => new Set(app.api.routes.map((route) => `${route.method} ${route.path}`));
  const old = keys(before);
  const next = keys(after);
  return [
    ...[...next].filter((key) => !old.has(key)).map((key) => `+${key}`),
    ...[...old].filter((key) => !next.has(key)).map((key) => `-${key}`),
  ].join(', ');
}
