/** Reading the stacks of a synthesized cloud assembly. */

import * as fs from 'fs';
import * as path from 'path';
import { ConstructMetadata, readConstructMetadata } from './construct-metadata';
import { flattenNestedStacks, NestedTemplateRef } from './nested';
import { CfnTemplate, isObject, JsonObject, list, obj, str } from './template';

/** An error the command line reports as a message, without a stack trace. */
export class UsageError extends Error {}

export interface AssemblyStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

/** A stack of a cloud assembly, with what the manifest says about it. */
export interface StackArtifact extends AssemblyStack {
  /** The artifact's id in its manifest (`BetaSvc24763EBC`). */
  readonly artifactId: string;
  /** The name the toolkit shows and selects: the stack's construct path (`Beta/Svc`); `stackName` holds it too. */
  readonly displayName: string;
  /** The stack's CloudFormation name (`Beta-Svc`). */
  readonly cloudFormationName: string;
  /** The folder of the (possibly nested) assembly whose manifest lists the stack. */
  readonly assemblyDir: string;
  /** The account and region the stack is bound to; undefined where it is environment-agnostic. */
  readonly account?: string;
  readonly region?: string;
  /** The stack's asset manifest (`<stack>.assets.json`), when it has one. */
  readonly assetManifestPath?: string;
  /** Construct paths below the stack by logical id, from the stack's metadata (`Api/Functions/tasks/Function/Resource`). */
  readonly constructPaths: ReadonlyMap<string, string>;
  /** The template's file; without the resources of its nested stacks, which `template` holds. */
  readonly templatePath: string;
  /** Whether `template` holds the resources of nested stacks (and so differs from the file's). */
  readonly hasNestedStacks: boolean;
  /** Every construct metadata entry synth recorded for the stack (acknowledged rules among them), by construct path. */
  readonly constructMetadata: ConstructMetadata;
}

function readManifest(assemblyDir: string): JsonObject {
  if (!fs.existsSync(assemblyDir) || !fs.statSync(assemblyDir).isDirectory()) {
    throw new UsageError(`cloud assembly directory not found: ${assemblyDir}`);
  }
  const manifestPath = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new UsageError(
      `no manifest.json in ${assemblyDir}: pass a cdk.out or *.snapshot directory (run synth first)`,
    );
  }
  return obj(JSON.parse(fs.readFileSync(manifestPath, 'utf-8')));
}

/** `aws://123456789012/eu-west-1`; the `unknown-*` placeholders mean environment-agnostic. */
function environmentOf(artifact: JsonObject): { account?: string; region?: string } {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(str(artifact.environment) ?? '');
  if (!match) return {};
  const known = (value: string) => (value.startsWith('unknown-') ? undefined : value);
  return { account: known(match[1]), region: known(match[2]) };
}

/**
 * Logical ids by construct path, from the `aws:cdk:logicalId` metadata entries (in the manifest or in the stack's
 * metadata file), relative to the stack: templates of integ snapshots carry no `aws:cdk:path`, these entries do.
 */
function constructPathsOf(assemblyDir: string, artifact: JsonObject, displayName: string): Map<string, string> {
  const file = str(artifact.additionalMetadataFile);
  const sources = [obj(artifact.metadata)];
  if (file !== undefined && fs.existsSync(path.join(assemblyDir, file))) {
    sources.push(obj(JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf-8'))));
  }
  const prefix = `/${displayName}/`;
  const paths = new Map<string, string>();
  for (const metadata of sources) {
    for (const [constructPath, entries] of Object.entries(metadata)) {
      if (!constructPath.startsWith(prefix)) continue;
      for (const entry of list(entries).filter(isObject)) {
        const logicalId = str(entry.data);
        if (entry.type === 'aws:cdk:logicalId' && logicalId !== undefined) {
          paths.set(logicalId, constructPath.slice(prefix.length));
        }
      }
    }
  }
  return paths;
}

/** A nested stack's template, from the file aws-cdk-lib wrote beside its parent's; undefined when there is none. */
function readNestedTemplate(
  assemblyDir: string,
  assetManifestPath: string | undefined,
  ref: NestedTemplateRef,
): CfnTemplate | undefined {
  let assetPath = ref.assetPath;
  if (assetPath === undefined && ref.assetHash !== undefined && assetManifestPath && fs.existsSync(assetManifestPath)) {
    const files = obj(obj(JSON.parse(fs.readFileSync(assetManifestPath, 'utf-8'))).files);
    assetPath = str(obj(obj(files[ref.assetHash]).source).path);
  }
  if (assetPath === undefined) return undefined;
  const file = path.join(assemblyDir, assetPath);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf-8')) as CfnTemplate) : undefined;
}

function assetManifestOf(assemblyDir: string, artifacts: JsonObject, artifact: JsonObject): string | undefined {
  for (const dependency of list(artifact.dependencies)) {
    const candidate = obj(artifacts[str(dependency) ?? '']);
    const file = str(obj(candidate.properties).file);
    if (candidate.type === 'cdk:asset-manifest' && file !== undefined) return path.join(assemblyDir, file);
  }
  return undefined;
}

/**
 * Every stack of a cloud assembly, in manifest order; with `nested`, also the stacks of nested assemblies (stages,
 * such as a pipeline's), after their parent's.
 */
export function loadStackArtifacts(assemblyDir: string, options: { nested?: boolean } = {}): StackArtifact[] {
  const artifacts = obj(readManifest(assemblyDir).artifacts);
  const stacks: StackArtifact[] = [];
  const nested: string[] = [];
  for (const [id, value] of Object.entries(artifacts)) {
    const artifact = obj(value);
    const properties = obj(artifact.properties);
    if (artifact.type === 'cdk:cloud-assembly' && str(properties.directoryName) !== undefined) {
      nested.push(path.join(assemblyDir, str(properties.directoryName)!));
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templatePath = path.join(assemblyDir, str(properties.templateFile) ?? `${id}.template.json`);
    if (!fs.existsSync(templatePath)) throw new UsageError(`template of stack ${id} not found: ${templatePath}`);
    const raw = JSON.parse(fs.readFileSync(templatePath, 'utf-8')) as CfnTemplate;
    const assetManifestPath = assetManifestOf(assemblyDir, artifacts, artifact);
    const template = flattenNestedStacks(raw, (ref) => readNestedTemplate(assemblyDir, assetManifestPath, ref));
    const displayName = str(artifact.displayName) ?? id;
    stacks.push({
      stackName: displayName,
      template,
      artifactId: id,
      displayName,
      cloudFormationName: str(properties.stackName) ?? id,
      assemblyDir,
      ...environmentOf(artifact),
      assetManifestPath,
      constructPaths: constructPathsOf(assemblyDir, artifact, displayName),
      templatePath,
      hasNestedStacks: template !== raw,
      constructMetadata: readConstructMetadata(assemblyDir, artifact),
    });
  }
  if (options.nested) for (const dir of nested) stacks.push(...loadStackArtifacts(dir, options));
  return stacks;
}

/** Stacks of a cloud assembly, without nested assemblies and integ-tests assertion stacks. */
export function loadAssemblyStacks(assemblyDir: string): AssemblyStack[] {
  return loadStackArtifacts(assemblyDir)
    .filter((stack) => ![stack.artifactId, stack.displayName].some((name) => name.includes('DeployAssert')))
    .map((stack) => ({ stackName: stack.stackName, template: stack.template }));
}
