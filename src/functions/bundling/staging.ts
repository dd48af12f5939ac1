import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FileAssetLocation, FileAssetPackaging, Stack, Stage } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';

/** aws-cdk-lib's context key that salts every asset hash (its `AssetStaging` reads the same). */
const ASSET_HASH_SALT_CONTEXT = '@aws-cdk/core:assetHashSalt';

/** A bundle staged into the cloud assembly and added to its stack's assets. */
export interface StagedBundle {
  readonly location: FileAssetLocation;
  /** The path the stack's assembly knows the asset by (what asset metadata points tools such as SAM at). */
  readonly assetPath: string;
}

/**
 * Stages a bundle folder into the app's asset folder (`asset.<hash>`) and adds it to the stack's file assets, as
 * aws-cdk-lib's `AssetStaging` and `Asset` do for a directory with a custom hash: the same folder layout, the same
 * `aws:cdk:disable-asset-staging` (the asset stays where it is) and the same hash salt. Files are hard-linked from
 * the bundle cache where the file system allows, else copied; a folder already staged by an earlier synth is kept.
 */
export function stageBundle(scope: IConstruct, dir: string, bundleHash: string): StagedBundle {
  const stack = Stack.of(scope);
  const salt = scope.node.tryGetContext(ASSET_HASH_SALT_CONTEXT);
  const hash = salt ? crypto.createHash('sha256').update(`${bundleHash}${salt}`).digest('hex') : bundleHash;
  let assetPath: string;
  if (scope.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT)) {
    assetPath = dir;
  } else {
    const stage = Stage.of(stack)!;
    const staged = path.join(stage.assetOutdir, `asset.${hash}`);
    if (!fs.existsSync(staged)) linkTree(dir, staged);
    assetPath = path.relative(Stage.of(stack)!.outdir, staged);
  }
  const location = stack.synthesizer.addFileAsset({
    fileName: assetPath,
    packaging: FileAssetPackaging.ZIP_DIRECTORY,
    sourceHash: hash,
    deployTime: true,
  });
  return { location, assetPath };
}

/** Mirrors a folder with hard links (copies across file systems), into a temporary name renamed into place. */
function linkTree(source: string, target: string): void {
  const temporary = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  const mirror = (from: string, to: string): void => {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const src = path.join(from, entry.name);
      const dst = path.join(to, entry.name);
      if (entry.isDirectory()) mirror(src, dst);
      else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dst);
      else linkOrCopy(src, dst);
    }
  };
  try {
    mirror(source, temporary);
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { recursive: true, force: true });
    // Another synth into the same folder staged it first: same hash, same content.
    if (!fs.existsSync(target)) throw error;
  }
}

function linkOrCopy(source: string, target: string): void {
  try {
    fs.linkSync(source, target);
  } catch {
    fs.copyFileSync(source, target);
  }
}
