import * as fs from 'fs';
import * as path from 'path';
import {
  Annotations,
  AspectPriority,
  Aspects,
  CfnResource,
  FileAssetLocation,
  IAspect,
  Lazy,
  Stack,
  Stage,
} from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { BundleCache, sha256 } from './bundle-cache';
import { BundlingOptions } from './bundling-options';
import { Esbuild, EsbuildMessage, EsbuildResult, formatEsbuildErrors, loadEsbuild } from './esbuild';
import { installedVersions, installNodeModules } from './node-modules';
import { stageBundle } from './staging';

/** What one function asks of the bundler. */
export interface BundleRequest {
  /** The construct the function's code asset is created in. */
  readonly scope: Construct;
  /** Where the function is declared in the props, for messages (`functions.tasks`). */
  readonly prop: string;
  /** The handler file, absolute or relative to the working directory. */
  readonly entry: string;
  /** The function's bundling options, defaults filled in by `resolveBundling`. */
  readonly bundling: BundlingOptions;
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
}

/** The file a bundle's handler is in, by output format: `index.js`, or `index.mjs` for ESM. */
export function bundleHandlerFile(bundling: BundlingOptions): string {
  return bundling.format === nodejs.OutputFormat.ESM ? 'index.mjs' : 'index.js';
}

/** A function's options over the API's defaults, field by field. */
export function resolveBundling(own?: BundlingOptions, defaults?: BundlingOptions): BundlingOptions {
  return { minify: true, sourceMap: true, ...defaults, ...own };
}

const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'];

const bundlers = new WeakMap<IConstruct, Bundler>();

/**
 * Checks, with the other props, that functions declared in `scope` can be bundled: esbuild is installed where the
 * stack is bundled (stacks left out of `aws:cdk:bundling-stacks` need none).
 */
export function requireBundler(scope: IConstruct, entries: readonly string[]): void {
  if (!Stack.of(scope).bundlingRequired) return;
  loadEsbuild(
    findProjectRoot(process.cwd()),
    entries.map((entry) => path.resolve(entry)),
  );
}

/**
 * Bundles every function of a stage with esbuild's own API: one build with many entry points, in process, when the
 * stage is synthesized. Functions register while the app is constructed and get a code whose S3 location is
 * filled in then; an unchanged function's bundle comes from the content-addressed cache without a build.
 *
 * Bundling runs from an aspect on the stage, before the readonly aspects (cdk-nag among them) and before any value
 * is resolved; a value resolved earlier (a test that inspects a template before synth) bundles on demand.
 */
export class Bundler {
  /** The bundler of the stage `scope` is in. */
  public static of(scope: IConstruct): Bundler {
    const stage: IConstruct = Stage.of(scope) ?? scope.node.root;
    let bundler = bundlers.get(stage);
    if (!bundler) {
      bundler = new Bundler();
      bundlers.set(stage, bundler);
      Aspects.of(stage).add(new BundleAspect(stage, bundler), { priority: AspectPriority.MUTATING });
    }
    return bundler;
  }

  private readonly pending: BundledCode[] = [];
  private readonly projectRoot = findProjectRoot(process.cwd());

  private constructor() {}

  /**
   * The code of a function bundled from `request.entry`, which its props' checks found (see `checkEntry`,
   * `requireBundler` and `validateFunctionOptions`); the nodeModules versions read here key the cache.
   */
  public code(request: BundleRequest): BundledCode {
    const entry = path.resolve(request.entry);
    const bundled = Stack.of(request.scope).bundlingRequired;
    const esbuild = bundled ? loadEsbuild(this.projectRoot, [entry]) : undefined;
    const nodeModules = request.bundling.nodeModules ?? [];
    const versions = installedVersions(`${request.prop}.bundling.nodeModules`, entry, nodeModules);
    const options = esbuildOptions(request, this.projectRoot);
    const key = sha256(
      JSON.stringify({
        esbuild: esbuild?.version,
        entry,
        options,
        nodeModules: versions,
        cpu: nodeModules.length ? cpuOf(request.architecture) : undefined,
      }),
    );
    const code = new BundledCode(this, { ...request, entry }, key, options, versions, esbuild);
    this.pending.push(code);
    return code;
  }

  /** Builds every registered function that has no bundle yet: cached ones from the cache, the rest in one build. */
  public bundleAll(): void {
    const todo = this.pending.filter((code) => !code.bundled);
    if (todo.length === 0) return;
    const cache = BundleCache.forProject(this.projectRoot);
    const hashes = new Map<string, string>();
    const misses = new Map<string, BundledCode>();
    for (const code of todo) {
      if (!code.esbuild) continue;
      const hit = hashes.get(code.key) ?? cache.lookup(code.key);
      if (hit) hashes.set(code.key, hit);
      else misses.set(code.key, code);
    }
    // One build per distinct set of options (usually one): esbuild applies its options to every entry point.
    const groups = new Map<string, BundledCode[]>();
    for (const code of misses.values()) {
      const group = JSON.stringify(code.options);
      groups.set(group, [...(groups.get(group) ?? []), code]);
    }
    for (const group of groups.values()) {
      for (const [key, hash] of this.build(group, cache)) hashes.set(key, hash);
    }
    for (const code of todo) {
      if (code.esbuild) {
        const hash = hashes.get(code.key)!;
        code.attach(cache.bundleDir(hash), hash);
      } else {
        code.attach(cache.placeholderDir(), sha256(`placeholder\0${code.key}`));
      }
    }
  }

  private build(codes: readonly BundledCode[], cache: BundleCache): Map<string, string> {
    const esbuild: Esbuild = codes[0].esbuild!;
    // esbuild writes the bundles itself: handing tens of megabytes back to JavaScript costs more than the build.
    const outdir = cache.newBuildDir();
    try {
      let result: EsbuildResult & { warnings?: EsbuildMessage[] };
      try {
        result = esbuild.buildSync({
          ...codes[0].options,
          entryPoints: codes.map((code) => ({ in: code.request.entry, out: `${code.key}/index` })),
          outdir,
          absWorkingDir: this.projectRoot,
          write: true,
          metafile: true,
          logLevel: 'silent',
        });
      } catch (error) {
        const functions = codes.map((code) => code.request.prop).join(', ');
        throw new Error(`Bundling ${functions} failed:\n${formatEsbuildErrors(error)}`);
      }
      const hashes = new Map<string, string>();
      for (const code of codes) {
        const dir = path.join(outdir, code.key);
        const handlerOutput = path.relative(this.projectRoot, path.join(dir, bundleHandlerFile(code.request.bundling)));
        const inputs = [
          ...Object.keys(result.metafile?.outputs[handlerOutput.split(path.sep).join('/')]?.inputs ?? {}),
          ...buildConfigFiles(code.request.entry, this.projectRoot, code.request.bundling.tsconfig),
        ];
        this.annotateWarnings(code, result.warnings ?? [], inputs);
        if (Object.keys(code.versions).length) installNodeModules(dir, code.versions, cpuOf(code.request.architecture));
        hashes.set(code.key, cache.store(code.key, dir, inputs));
      }
      return hashes;
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }

  private annotateWarnings(code: BundledCode, warnings: readonly EsbuildMessage[], inputs: readonly string[]): void {
    for (const warning of warnings) {
      if (warning.location && !inputs.includes(warning.location.file)) continue;
      const where = warning.location ? `${warning.location.file}:${warning.location.line}: ` : '';
      Annotations.of(code.request.scope).addWarningV2(
        'cdk-serverless-api:bundling',
        `esbuild: ${where}${warning.text}`,
      );
    }
  }
}

/**
 * A function's code, bundled when its stage is synthesized. The S3 location is lazy: it names the file asset the
 * bundler adds from the bundle's content hash, which is therefore the asset hash.
 *
 * The asset is staged and registered with the stack's synthesizer directly (see `stageBundle`), without the
 * `Asset` construct's imported bucket per asset, which doubled the cost of staging.
 */
export class BundledCode extends lambda.Code {
  private location?: FileAssetLocation;
  private assetPath?: string;
  private resource?: { resource: CfnResource; property: string };

  constructor(
    private readonly bundler: Bundler,
    public readonly request: BundleRequest,
    public readonly key: string,
    public readonly options: { [option: string]: unknown },
    public readonly versions: { [name: string]: string },
    public readonly esbuild: Esbuild | undefined,
  ) {
    super();
  }

  public get bundled(): boolean {
    return this.location !== undefined;
  }

  public bind(_scope: Construct): lambda.CodeConfig {
    return {
      s3Location: {
        bucketName: Lazy.string({ produce: () => this.ensureLocation().bucketName }),
        objectKey: Lazy.string({ produce: () => this.ensureLocation().objectKey }),
      },
    };
  }

  public bindToResource(resource: CfnResource, options: lambda.ResourceBindOptions = {}): void {
    this.resource = { resource, property: options.resourceProperty ?? 'Code' };
    this.addResourceMetadata();
  }

  /** Points the code at its bundle: stages the folder into the cloud assembly and adds it as a file asset. */
  public attach(dir: string, hash: string): void {
    const staged = stageBundle(this.request.scope, dir, hash);
    this.assetPath = staged.assetPath;
    this.location = staged.location;
    this.addResourceMetadata();
  }

  /** Where tools such as SAM find the function's code, when the CLI asks for it (as `Asset` writes it). */
  private addResourceMetadata(): void {
    if (!this.resource || !this.assetPath) return;
    if (!this.request.scope.node.tryGetContext(cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT)) return;
    const { resource, property } = this.resource;
    resource.cfnOptions.metadata = {
      ...resource.cfnOptions.metadata,
      [cxapi.ASSET_RESOURCE_METADATA_PATH_KEY]: this.assetPath,
      [cxapi.ASSET_RESOURCE_METADATA_IS_BUNDLED_KEY]: this.esbuild !== undefined,
      [cxapi.ASSET_RESOURCE_METADATA_PROPERTY_KEY]: property,
    };
  }

  private ensureLocation(): FileAssetLocation {
    if (!this.location) this.bundler.bundleAll();
    return this.location!;
  }
}

class BundleAspect implements IAspect {
  constructor(
    private readonly stage: IConstruct,
    private readonly bundler: Bundler,
  ) {}

  public visit(node: IConstruct): void {
    if (node === this.stage) this.bundler.bundleAll();
  }
}

/** esbuild's options for a function, everything but its entry point. */
function esbuildOptions(request: BundleRequest, projectRoot: string): { [option: string]: unknown } {
  const bundling = request.bundling;
  const esm = bundling.format === nodejs.OutputFormat.ESM;
  const options: { [option: string]: unknown } = {
    bundle: true,
    platform: 'node',
    target: bundling.target ?? runtimeTarget(request.runtime),
    format: esm ? 'esm' : 'cjs',
    minify: bundling.minify ?? true,
    sourcemap: bundling.sourceMap ?? true,
    sourcesContent: bundling.sourcesContent ?? false,
    external: [...(bundling.externalModules ?? defaultExternals(request.runtime)), ...(bundling.nodeModules ?? [])],
    keepNames: bundling.keepNames ?? false,
    charset: bundling.charset ?? nodejs.Charset.ASCII,
    outExtension: esm ? { '.js': '.mjs' } : undefined,
    loader: bundling.loader,
    define: bundling.define,
    banner: bundling.banner ? { js: bundling.banner } : undefined,
    footer: bundling.footer ? { js: bundling.footer } : undefined,
    mainFields: bundling.mainFields ?? (esm ? ['module', 'main'] : undefined),
    inject: bundling.inject?.map((file) => path.resolve(projectRoot, file)),
    tsconfig: bundling.tsconfig ? path.resolve(projectRoot, bundling.tsconfig) : undefined,
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** esbuild's target for a Node.js runtime, as aws-cdk-lib's `NodejsFunction` derives it: `nodejs24.x` -> `node24`. */
function runtimeTarget(runtime: lambda.Runtime): string {
  const version = /^nodejs(\d+)/.exec(runtime.name)?.[1];
  return version ? `node${version}` : 'node20';
}

/** The Node.js runtimes from 18 on include the AWS SDK for JavaScript v3; a variable runtime promises nothing. */
function defaultExternals(runtime: lambda.Runtime): string[] {
  return runtime.isVariable ? [] : ['@aws-sdk/*'];
}

function cpuOf(architecture: lambda.Architecture): 'arm64' | 'x64' {
  return architecture.name === lambda.Architecture.X86_64.name ? 'x64' : 'arm64';
}

/**
 * Files that change a build without being one of its inputs: the tsconfig.json files from the entry's folder up to
 * the project root (paths, decorators, JSX), the explicit `tsconfig`, and the project's package.json.
 */
function buildConfigFiles(entry: string, projectRoot: string, tsconfig?: string): string[] {
  const files: string[] = [path.join(projectRoot, 'package.json')];
  if (tsconfig) files.push(path.resolve(projectRoot, tsconfig));
  let dir = path.dirname(entry);
  while (dir.startsWith(projectRoot)) {
    files.push(path.join(dir, 'tsconfig.json'));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return files;
}

/** The app's project root, as aws-cdk-lib's `NodejsFunction` finds it: the nearest folder with a lock file. */
function findProjectRoot(start: string): string {
  let packageDir: string | undefined;
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (LOCK_FILES.some((file) => fs.existsSync(path.join(dir, file)))) return dir;
    if (!packageDir && fs.existsSync(path.join(dir, 'package.json'))) packageDir = dir;
    if (path.dirname(dir) === dir) return packageDir ?? path.resolve(start);
  }
}
