import type { Profiler } from 'inspector';
import { Session } from 'inspector/promises';
import * as path from 'path';

/** Self time of one function or origin, as a share of the samples taken. */
export interface Hotspot {
  readonly name: string;
  readonly share: number;
}

/** Where the sampled CPU time went, by function and by origin (package or source folder). */
export interface ProfileReport {
  readonly samples: number;
  readonly byFunction: readonly Hotspot[];
  readonly byOrigin: readonly Hotspot[];
}

/**
 * Samples the CPU (V8's profiler, the one behind `--cpu-prof`) while `run` executes, in this process, and
 * aggregates self time. Paths are shown relative to `root`, so no machine path appears in the output.
 */
export async function profile(root: string, run: () => Promise<void>, top = 15): Promise<ProfileReport> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    await session.post('Profiler.start');
    await run();
    const { profile: cpuProfile } = await session.post('Profiler.stop');
    return aggregate(cpuProfile, root, top);
  } finally {
    session.disconnect();
  }
}

function aggregate(cpuProfile: Profiler.Profile, root: string, top: number): ProfileReport {
  const nodes = new Map(cpuProfile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  // The sampler's own bookkeeping, not the code under test.
  const ignored = new Set(['(idle)', '(program)', '(root)']);
  let counted = 0;
  for (const id of cpuProfile.samples ?? []) {
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined || ignored.has(frame.functionName)) continue;
    counted++;
    const file = displayPath(frame.url, root);
    const name = `${frame.functionName || '(anonymous)'}${file ? `  ${file}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
    const origin = originOf(frame.functionName, file);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + 1);
  }
  const ranked = (counts: Map<string, number>) =>
    [...counts.entries()]
      .map(([name, count]) => ({ name, share: count / Math.max(1, counted) }))
      .sort((a, b) => b.share - a.share);
  return { samples: counted, byFunction: ranked(byFunction).slice(0, top), byOrigin: ranked(byOrigin) };
}

function displayPath(url: string, root: string): string {
  if (url === '') return '';
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.isAbsolute(file) ? path.relative(root, file) : file;
}

function originOf(functionName: string, file: string): string {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (file === '') return 'V8 builtins and native code';
  if (file.startsWith('node:')) return 'Node.js internals';
  const parts = file.split(path.sep);
  const modules = parts.lastIndexOf('node_modules');
  if (modules >= 0) {
    const name = parts[modules + 1];
    return name.startsWith('@') ? `${name}/${parts[modules + 2]}` : name;
  }
  return parts.slice(0, 2).join('/');
}
