/**
 * Watches a project's sources for changes: one `fs.watch` per folder, skipping the folders the filter leaves out.
 * Node 20's `fs.watch(dir, { recursive: true })` on Linux walks the whole tree at start and watches every file in
 * it, node_modules included (tens of thousands of inotify watches for a CDK project, over the default limit of
 * many systems); watching folder by folder never enters node_modules or the cloud assembly.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { WatchFilter } from './globs';

export interface SourceWatcherOptions {
  /** The project folder; paths given to the filter and to `onChange` are relative to it, with `/` separators. */
  readonly root: string;
  readonly filter: WatchFilter;
  /** Changes closer together than this are reported together, once they stop. @default 300 */
  readonly debounceMs?: number;
  /** The watched files that changed (written, created, deleted or renamed), sorted. */
  readonly onChange: (files: string[]) => void;
}

export interface SourceWatcher {
  /** How many folders are watched. */
  readonly folders: number;
  close(): void;
}

export function watchSources(options: SourceWatcherOptions): SourceWatcher {
  const debounceMs = options.debounceMs ?? 300;
  const watchers = new Map<string, fs.FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const absolute = (relative: string) => path.join(options.root, ...relative.split('/').filter(Boolean));
  const join = (folder: string, name: string) => (folder === '' ? name : `${folder}/${name}`);

  /** Watches a folder and those below it; `fresh`: it appeared while watching, so the files already in it are new. */
  function watchFolder(relative: string, fresh = false): void {
    if (closed || watchers.has(relative) || !options.filter.isWatchedFolder(relative)) return;
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(absolute(relative), (_event, name) => onEvent(relative, name?.toString()));
    } catch {
      // Gone before it could be watched, or unreadable: nothing in it to report.
      return;
    }
    watcher.on('error', () => unwatch(relative));
    watchers.set(relative, watcher);
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(absolute(relative), { withFileTypes: true });
    } catch {
      // Removed meanwhile: its watcher reports that.
    }
    for (const entry of entries) {
      if (entry.isDirectory()) watchFolder(join(relative, entry.name), fresh);
      else if (fresh) changed(join(relative, entry.name));
    }
  }

  /** Stops watching a folder that went away, and the folders below it. */
  function unwatch(relative: string): void {
    for (const [folder, watcher] of watchers) {
      if (folder === relative || folder.startsWith(`${relative}/`)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
  }

  function onEvent(folder: string, name: string | undefined): void {
    if (closed || name === undefined) return;
    const relative = join(folder, name.split(path.sep).join('/'));
    let stats: fs.Stats | undefined;
    try {
      stats = fs.statSync(absolute(relative));
    } catch {
      stats = undefined;
    }
    if (stats?.isDirectory()) {
      // A new folder (a checkout, a copy, a rename): what is in it already is as new as what comes next.
      if (!watchers.has(relative)) watchFolder(relative, true);
      return;
    }
    if (stats === undefined && watchers.has(relative)) unwatch(relative);
    changed(relative);
  }

  function changed(relative: string): void {
    if (!options.filter.isWatchedFile(relative)) return;
    pending.add(relative);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  }

  function flush(): void {
    timer = undefined;
    if (closed || pending.size === 0) return;
    const files = [...pending].sort();
    pending.clear();
    options.onChange(files);
  }

  watchFolder('');
  return {
    get folders() {
      return watchers.size;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
