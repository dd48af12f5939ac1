import * as path from 'path';

/** The part of esbuild's JavaScript API the bundler uses. Declared here: esbuild is the app's devDependency, not ours. */
export interface Esbuild {
  readonly version: string;
  buildSync(options: EsbuildOptions): EsbuildResult;
}

export interface EsbuildOptions {
  readonly [option: string]: unknown;
}

export interface EsbuildResult {
  readonly metafile?: {
    readonly outputs: {
      [file: string]: { readonly entryPoint?: string; readonly inputs: { [file: string]: unknown } };
    };
  };
}

export interface EsbuildMessage {
  readonly text: string;
  readonly location?: {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly lineText: string;
  };
}

const loaded = new Map<string, Esbuild>();

/**
 * The app's esbuild, resolved from the project root and from each entry's folder, as a devDependency of the app.
 * Never a Docker fallback: without esbuild, synth stops and says how to add it.
 */
export function loadEsbuild(projectRoot: string, entries: readonly string[]): Esbuild {
  const paths = [projectRoot, ...new Set(entries.map((entry) => path.dirname(entry)))];
  let resolved: string;
  try {
    resolved = require.resolve('esbuild', { paths });
  } catch {
    throw new Error(
      `Bundling the functions needs esbuild: add it to the app's devDependencies (npm install --save-dev esbuild), got: no esbuild module found from ${projectRoot}`,
    );
  }
  let esbuild = loaded.get(resolved);
  if (!esbuild) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    esbuild = require(resolved) as Esbuild;
    loaded.set(resolved, esbuild);
  }
  return esbuild;
}

/** esbuild's build errors, one line each with the file and position, as `esbuild` prints them. */
export function formatEsbuildErrors(error: unknown): string {
  const errors = (error as { errors?: EsbuildMessage[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return error instanceof Error ? error.message : String(error);
  return errors
    .map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text))
    .join('\n');
}
