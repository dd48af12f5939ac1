/**
 * A CDK project as the CDK CLI reads it to synthesize: `cdk.json` (`app`, `context`, `watch`) and
 * `cdk.context.json` in the project folder, and the environment the CLI gives the app (`CDK_OUTDIR`,
 * `CDK_CONTEXT_JSON`).
 * https://docs.aws.amazon.com/cdk/v2/guide/cli.html#cli-config
 * https://docs.aws.amazon.com/cdk/v2/guide/context.html
 */
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../assembly/assembly';

type Json = { [key: string]: unknown };

export interface CdkProject {
  /** The folder of cdk.json. */
  readonly dir: string;
  /** The command that synthesizes the app, as the shell runs it. */
  readonly app: string;
  /** What the CLI sends the app as context: cdk.json's `context` over cdk.context.json, and its settings' context. */
  readonly context: Json;
  /** cdk.json's `output`: where `cdk synth` writes the assembly instead of cdk.out. */
  readonly output?: string;
  /** `watch.include` and `watch.exclude` of cdk.json. */
  readonly watch: { readonly include: readonly string[]; readonly exclude: readonly string[] };
}

/**
 * Context the CDK CLI derives from its settings (cdk.json's top-level `pathMetadata`, `assetMetadata`,
 * `versionReporting`, `staging`, `bundlingStacks`) and puts over the project's context at every synth.
 */
function contextFromSettings(config: Json): Json {
  const context: Json = {};
  if (config.pathMetadata ?? true) context['aws:cdk:enable-path-metadata'] = true;
  if (config.assetMetadata ?? true) context['aws:cdk:enable-asset-metadata'] = true;
  if (config.versionReporting ?? true) context['aws:cdk:version-reporting'] = true;
  else context['aws:cdk:disable-version-reporting'] = true;
  if (!(config.staging ?? true)) context['aws:cdk:disable-asset-staging'] = true;
  context['aws:cdk:bundling-stacks'] = config.bundlingStacks ?? ['**'];
  context['@aws-cdk/core:failSynthOnValidationErrors'] = false;
  return context;
}

/** Reads cdk.json (and cdk.context.json) in `dir`; a missing file or `app` says how to fix it. */
export function readCdkProject(dir: string): CdkProject {
  const file = path.join(dir, 'cdk.json');
  if (!fs.existsSync(file)) {
    throw new UsageError(
      `no cdk.json in ${dir}: --watch runs the app's synth command from cdk.json's "app"; run the command from your CDK project's folder`,
    );
  }
  const config = readJsonObject(file);
  const app = Array.isArray(config.app) ? config.app.join(' ') : config.app;
  if (typeof app !== 'string' || app.trim() === '') {
    throw new UsageError(
      `cdk.json in ${dir} has no "app": --watch needs the command that synthesizes the app, e.g. "app": "npx ts-node --prefer-ts-exts bin/app.ts"`,
    );
  }
  const contextFile = path.join(dir, 'cdk.context.json');
  const saved = fs.existsSync(contextFile) ? readJsonObject(contextFile) : {};
  const watch = isObject(config.watch) ? config.watch : {};
  return {
    dir,
    app: executableOf(dir, app),
    // The CLI's context bags, first wins: cdk.json's context, then cdk.context.json (the saved lookups); the
    // settings' context goes over both.
    context: {
      ...deepMerge(saved, isObject(config.context) ? config.context : {}),
      ...contextFromSettings(config),
    },
    ...(typeof config.output === 'string' ? { output: config.output } : {}),
    watch: { include: patterns(watch.include), exclude: patterns(watch.exclude) },
  };
}

/** The variables the CLI sets for the app, so that `App` writes to `outdir` with the project's context. */
export function synthEnvironment(project: CdkProject, outdir: string): { [name: string]: string } {
  return { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(project.context) };
}

/** As the CLI does: an `app` that names a `.js` file runs with this Node; a cloud assembly folder cannot synthesize. */
function executableOf(dir: string, app: string): string {
  const target = path.resolve(dir, app.trim());
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    throw new UsageError(
      `cdk.json's "app" in ${dir} is a cloud assembly folder (${app}): --watch needs the command that synthesizes the app`,
    );
  }
  if (fs.existsSync(target) && /\.js$/.test(target)) return `${quote(process.execPath)} ${quote(target)}`;
  return app;
}

function quote(part: string): string {
  return /^[\w./:@-]+$/.test(part) ? part : `"${part.replace(/(["\\$`])/g, '\\$1')}"`;
}

function patterns(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((item): item is string => typeof item === 'string');
}

function readJsonObject(file: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${(error as Error).message}): fix the file`);
  }
  if (!isObject(parsed)) throw new UsageError(`${file} must hold a JSON object, got: ${JSON.stringify(parsed)}`);
  return parsed;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `over` on top of `under`; objects merge key by key, as the CLI merges its settings. */
function deepMerge(under: Json, over: Json): Json {
  const merged: Json = { ...under };
  for (const [key, value] of Object.entries(over)) {
    merged[key] = isObject(value) && isObject(merged[key]) ? deepMerge(merged[key] as Json, value) : value;
  }
  return merged;
}
