/**
 * The construct metadata synth records for a stack (`<stack>.metadata.json`, or inline in older manifests):
 * per construct path, entries such as `aws:cdk:logicalId` and `aws:cdk:acknowledged-rules`.
 */

import * as fs from 'fs';
import * as path from 'path';
import { isObject, JsonObject, list, obj, str } from './template';

export interface MetadataEntry {
  readonly type: string;
  readonly data?: unknown;
}

/** Metadata entries by construct path, as synth writes them: with a leading `/` (`/Stack/Api/Table`). */
export type ConstructMetadata = ReadonlyMap<string, readonly MetadataEntry[]>;

/** The metadata of the stack artifact `artifact` of the assembly in `assemblyDir`; empty when synth recorded none. */
export function readConstructMetadata(assemblyDir: string, artifact: JsonObject): ConstructMetadata {
  const sources = [obj(artifact.metadata)];
  const file = str(artifact.additionalMetadataFile);
  if (file !== undefined && fs.existsSync(path.join(assemblyDir, file))) {
    sources.push(obj(JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf-8'))));
  }
  const metadata = new Map<string, MetadataEntry[]>();
  for (const source of sources) {
    for (const [constructPath, entries] of Object.entries(source)) {
      const read = list(entries)
        .filter(isObject)
        .flatMap((entry) => (typeof entry.type === 'string' ? [{ type: entry.type, data: entry.data }] : []));
      metadata.set(constructPath, [...(metadata.get(constructPath) ?? []), ...read]);
    }
  }
  return metadata;
}
