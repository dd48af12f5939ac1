/**
 * Which files of a project a change of triggers a synth: `cdk.json`'s `watch.include` and `watch.exclude` globs,
 * read as `cdk watch` reads them (paths relative to the project folder, `/` separators, dot files matched), plus the
 * folders `cdk watch` always leaves out (node_modules, dot folders, the cloud assembly).
 */

/** A glob as a RegExp over a relative path: `**` any number of folders, `*` and `?` within one name, `[...]`, `{a,b}`. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${translate(normalized(glob))}$`);
}

/** A pattern without a wildcard names a file or a folder, and everything below it (as `cdk watch` reads it). */
function normalized(glob: string): string {
  return WILDCARD.test(glob) ? glob : `${glob.replace(/\/+$/, '')}/**`;
}

const WILDCARD = /[*?[{]/;

/** The folders a pattern names before its first wildcard: `integ/app/**` -> integ, app. Nothing matches elsewhere. */
function literalFolders(glob: string): string[] {
  const segments = normalized(glob).split('/').slice(0, -1);
  const end = segments.findIndex((segment) => WILDCARD.test(segment));
  return end < 0 ? segments : segments.slice(0, end);
}

function translate(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const atStart = i === 0 || pattern[i - 1] === '/';
      const next = pattern[i + 2];
      if (atStart && next === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else if (atStart && next === undefined) {
        // `dir/**` matches `dir` itself too.
        source = source.endsWith('/') ? `${source.slice(0, -1)}(?:/.*)?` : `${source}.*`;
        i += 1;
      } else {
        source += '[^/]*';
        i += 1;
      }
    } else if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      const body = pattern
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = end;
    } else if (c === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) {
        source += '\\{';
        continue;
      }
      const options = pattern.slice(i + 1, end).split(',');
      source += `(?:${options.map(translate).join('|')})`;
      i = end;
    } else {
      source += c.replace(/[.+^$()|\\]/g, '\\$&');
    }
  }
  return source;
}

export interface WatchFilterOptions {
  /** `watch.include` of cdk.json. @default ['**'] */
  readonly include?: readonly string[];
  /** `watch.exclude` of cdk.json. @default [] */
  readonly exclude?: readonly string[];
  /** Folders (relative paths) never watched: the cloud assembly, the synth's output. */
  readonly excludeFolders?: readonly string[];
}

/** Whether a changed path (relative, `/`-separated) should trigger a synth, and whether to descend into a folder. */
export interface WatchFilter {
  isWatchedFile(relativePath: string): boolean;
  isWatchedFolder(relativePath: string): boolean;
}

/** Always left out, as `cdk watch` leaves them out: dependencies, dot files and folders, every `cdk.out*` folder. */
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.*', '**/.*/**', 'cdk.out*/**'];

export function createWatchFilter(options: WatchFilterOptions = {}): WatchFilter {
  const includeGlobs = options.include?.length ? options.include : ['**'];
  const include = includeGlobs.map(globToRegExp);
  const reachable = includeGlobs.map(literalFolders);
  const exclude = [
    ...(options.exclude ?? []),
    ...ALWAYS_EXCLUDED,
    ...(options.excludeFolders ?? []).map((folder) => `${folder.replace(/\/+$/, '')}/**`),
  ].map(globToRegExp);
  const excluded = (path: string) => exclude.some((re) => re.test(path));
  return {
    isWatchedFile: (path) => !excluded(path) && include.some((re) => re.test(path)),
    // A folder is entered when an include can match below it (`src/**/*.ts` below src only) and no exclude covers it.
    isWatchedFolder: (path) => {
      if (path === '') return true;
      const segments = path.split('/');
      const onTheWay = reachable.some((folders) => segments.every((s, i) => i >= folders.length || s === folders[i]));
      return onTheWay && !excluded(path);
    },
  };
}
