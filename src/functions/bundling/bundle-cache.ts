import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Bumped whenever the bundler's output for the same inputs changes, so older cache entries are never reused. */
const CACHE_FORMAT = 1;

/** One source file a bundle was built from, as it was then. */
interface InputRecord {
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

interface EntryRecord {
  readonly format: number;
  readonly outputHash: string;
  readonly inputs: InputRecord[];
}

/**
 * Bundles by content. A bundle is stored under the hash of its own files (`bundles/<hash>`), which is also its
 * asset hash; an entry record maps the hash of everything a build depends on except the sources (esbuild's
 * version, the options, the entry) to that bundle and to the sources esbuild read, each with its content hash.
 * A later synth reuses the bundle when every source still has the same content: a source whose size and mtime
 * are unchanged is taken as unchanged, any other is hashed again.
 *
 * Writes are atomic (a build folder renamed into place), so parallel synths and test workers share the cache.
 */
export class BundleCache {
  /** The cache of a project: `node_modules/.cache/cdk-serverless-api` when the project has node_modules. */
  public static forProject(projectRoot: string): BundleCache {
    const fromEnvironment = process.env.CDK_SERVERLESS_API_CACHE_DIR;
    if (fromEnvironment) return new BundleCache(path.resolve(fromEnvironment), projectRoot);
    const nodeModules = path.join(projectRoot, 'node_modules');
    const dir = fs.existsSync(nodeModules)
      ? path.join(nodeModules, '.cache', 'cdk-serverless-api')
      : path.join(os.tmpdir(), `cdk-serverless-api-${sha256(projectRoot).slice(0, 16)}`);
    return new BundleCache(dir, projectRoot);
  }

  private readonly fileHashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

  constructor(
    public readonly dir: string,
    private readonly projectRoot: string,
  ) {}

  /** The folder of a stored bundle. */
  public bundleDir(outputHash: string): string {
    return path.join(this.dir, 'bundles', outputHash);
  }

  /** The hash of the stored bundle built for `key`, if its sources are unchanged and it is still there. */
  public lookup(key: string): string | undefined {
    let record: EntryRecord;
    try {
      record = JSON.parse(fs.readFileSync(this.recordPath(key), 'utf8'));
    } catch {
      return undefined;
    }
    if (record.format !== CACHE_FORMAT || !fs.existsSync(this.bundleDir(record.outputHash))) return undefined;
    for (const input of record.inputs) {
      const file = path.resolve(this.projectRoot, input.file);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        return undefined;
      }
      // The size and mtime it was built with: unchanged without reading it (as git's index does).
      if (stat.size === input.size && stat.mtimeMs === input.mtimeMs) continue;
      if (this.hashFile(file)?.sha256 !== input.sha256) return undefined;
    }
    return record.outputHash;
  }

  /**
   * A new folder for one build's output, beside `bundles/` and as deep, so the relative paths a source map holds to
   * the sources stay right when a bundle moves from there to `bundles/<hash>`. Remove it when the build is stored.
   */
  public newBuildDir(): string {
    fs.mkdirSync(this.dir, { recursive: true });
    return fs.mkdtempSync(path.join(this.dir, 'build-'));
  }

  /**
   * Stores a built bundle folder under the hash of its whole content (installed node_modules included), moving it
   * out of its build folder, and records the sources it was built from. Returns the bundle's hash.
   */
  public store(key: string, dir: string, inputs: readonly string[]): string {
    const outputHash = hashDirectory(dir);
    // Staged bundles are hard links to these files: read-only, so an edit in a cloud assembly cannot reach the cache.
    if (process.platform !== 'win32') makeReadOnly(dir);
    const finalDir = this.bundleDir(outputHash);
    this.ensureDir('bundles');
    if (!fs.existsSync(finalDir)) {
      try {
        fs.renameSync(dir, finalDir);
      } catch (error) {
        // Another process stored the same bundle first: same hash, same content.
        if (!fs.existsSync(finalDir)) throw error;
      }
    }
    this.writeRecord(key, outputHash, inputs);
    return outputHash;
  }

  /** A folder that stands in for bundles when a stack is synthesized without bundling. */
  public placeholderDir(): string {
    const dir = this.ensureDir('placeholder');
    const file = path.join(dir, 'index.js');
    if (!fs.existsSync(file)) {
      writeAtomically(
        file,
        "throw new Error('This function was synthesized without bundling (context aws:cdk:bundling-stacks): synthesize its stack with bundling to deploy it.');\n",
      );
    }
    return dir;
  }

  private writeRecord(key: string, outputHash: string, inputs: readonly string[]): void {
    const records: InputRecord[] = [];
    for (const input of [...new Set(inputs)].sort()) {
      const absolute = path.resolve(this.projectRoot, input);
      const hashed = this.hashFile(absolute);
      // esbuild's virtual inputs (such as injected shims) have no file: they follow from the options in the key.
      if (hashed) records.push({ file: path.relative(this.projectRoot, absolute), ...hashed });
    }
    const record: EntryRecord = { format: CACHE_FORMAT, outputHash, inputs: records };
    this.ensureDir('entries');
    writeAtomically(this.recordPath(key), JSON.stringify(record));
  }

  private hashFile(file: string): { size: number; mtimeMs: number; sha256: string } | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const known = this.fileHashes.get(file);
    if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return known;
    const hashed = { size: stat.size, mtimeMs: stat.mtimeMs, sha256: sha256(fs.readFileSync(file)) };
    this.fileHashes.set(file, hashed);
    return hashed;
  }

  private recordPath(key: string): string {
    return path.join(this.dir, 'entries', `${key}.json`);
  }

  private ensureDir(name: string): string {
    const dir = path.join(this.dir, name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }
}

export function sha256(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** The hash of a folder's files: each relative path (POSIX separators) with its content hash, or a symbolic link's
 * target, in path order. */
export function hashDirectory(dir: string): string {
  const entries: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = path.posix.join(relative, entry.name);
      const full = path.join(dir, name);
      if (entry.isDirectory()) walk(name);
      else if (entry.isSymbolicLink()) entries.push(`link\0${name}\0${fs.readlinkSync(full)}\0`);
      else entries.push(`file\0${name}\0${sha256(fs.readFileSync(full))}\0`);
    }
  };
  walk('');
  const hash = crypto.createHash('sha256');
  for (const entry of entries.sort()) hash.update(entry);
  return hash.digest('hex');
}

function makeReadOnly(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeReadOnly(full);
    else if (entry.isFile()) fs.chmodSync(full, 0o444);
  }
}

function writeAtomically(file: string, contents: string): void {
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
}
