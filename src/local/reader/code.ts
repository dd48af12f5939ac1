/**
 * Where a function's code is in the cloud assembly: the asset its `Code.S3Key` names, staged by synth as a folder
 * (`asset.<hash>`) that the stack's asset manifest (`<stack>.assets.json`) lists with the key it is uploaded under.
 */

import * as fs from 'fs';
import * as path from 'path';
import { ReadContext } from './context';
import { UsageError } from '../../assembly/assembly';
import { isObject, JsonObject, obj, str } from '../../assembly/template';

/** How to get real bundles into the assembly, for every message about missing or placeholder code. */
const BUNDLING_FIX =
  'synthesize with bundling (cdk synth bundles every stack; the context aws:cdk:bundling-stacks must not be empty, e.g. ["**"])';

/** The text of the handler a function gets when its stack is synthesized without bundling. */
const PLACEHOLDER_TEXT = 'synthesized without bundling';

/** Lambda's Node.js runtime loads a handler module from any of these files. */
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs'];

function assetManifest(ctx: ReadContext): { dir: string; files: JsonObject } | undefined {
  const file = ctx.stack.assetManifestPath ?? path.join(ctx.stack.assemblyDir, `${ctx.stack.artifactId}.assets.json`);
  if (!fs.existsSync(file)) return undefined;
  return { dir: path.dirname(file), files: obj(obj(JSON.parse(fs.readFileSync(file, 'utf-8'))).files) };
}

/** The asset's source as staged in the assembly, found by the object key it is uploaded under, or by its hash. */
function assetSource(ctx: ReadContext, key: string): { dir: string; source: JsonObject } | undefined {
  const manifest = assetManifest(ctx);
  if (manifest === undefined) return undefined;
  for (const asset of Object.values(manifest.files).filter(isObject)) {
    const keys = Object.values(obj(asset.destinations)).map((destination) => obj(destination).objectKey);
    if (keys.includes(key)) return { dir: manifest.dir, source: obj(asset.source) };
  }
  const byHash = manifest.files[path.basename(key).replace(/\.zip$/, '')];
  return isObject(byHash) ? { dir: manifest.dir, source: obj(byHash.source) } : undefined;
}

function codeFolder(ctx: ReadContext, props: JsonObject, metadata: JsonObject, where: string): string {
  const code = obj(props.Code);
  if (code.ZipFile !== undefined || code.ImageUri !== undefined) {
    throw new UsageError(
      `${where} has ${code.ZipFile !== undefined ? 'inline code (Code.ZipFile)' : 'a container image (Code.ImageUri)'}: the local API runs functions from asset folders, as ServerlessApi bundles them`,
    );
  }
  const key = ctx.resolver.string(code.S3Key, `${where} Code.S3Key`);
  const found = assetSource(ctx, key);
  const sourcePath = str(found?.source.path);
  if (found !== undefined && sourcePath !== undefined) {
    if (found.source.executable !== undefined) {
      throw new UsageError(`${where}: its code asset ${key} is built by a command at publish time: ${BUNDLING_FIX}`);
    }
    return path.resolve(found.dir, sourcePath);
  }
  // The CLI's asset metadata points at the staged folder too (`aws:asset:path`, relative to the assembly).
  const metadataPath = str(metadata['aws:asset:path']);
  if (metadataPath !== undefined) return path.resolve(ctx.stack.assemblyDir, metadataPath);
  throw new UsageError(
    `${where}: its code (S3 key ${key}) is not an asset of stack ${ctx.stack.displayName} in ${ctx.stack.assemblyDir}: ${BUNDLING_FIX}`,
  );
}

/** The absolute folder of a function's code, checked to hold its real handler module, not a placeholder. */
export function functionCodeDir(
  ctx: ReadContext,
  props: JsonObject,
  metadata: JsonObject,
  handler: string,
  where: string,
): string {
  const dir = codeFolder(ctx, props, metadata, where);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`${where}: its code folder ${dir} is missing: ${BUNDLING_FIX}`);
  }
  const moduleName = handler.slice(0, Math.max(handler.lastIndexOf('.'), 0));
  const file = MODULE_EXTENSIONS.map((extension) => path.join(dir, `${moduleName}${extension}`)).find((candidate) =>
    fs.existsSync(candidate),
  );
  if (file === undefined) {
    throw new UsageError(
      `${where}: its handler ${handler} needs ${moduleName}.js, .mjs or .cjs in ${dir}, which has none: ${BUNDLING_FIX}`,
    );
  }
  // A placeholder is one short line; a real bundle may be megabytes, so only a small file is read.
  if (fs.statSync(file).size < 1024 && fs.readFileSync(file, 'utf-8').includes(PLACEHOLDER_TEXT)) {
    throw new UsageError(`${where} was synthesized without bundling (its code is a placeholder): ${BUNDLING_FIX}`);
  }
  return dir;
}
