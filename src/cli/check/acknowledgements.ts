/**
 * The acknowledgements `Validations.of(construct).acknowledge()` recorded in a stack's construct metadata, applied
 * with cdk-nag 3's own scope rule: a rule acknowledged on a construct covers every resource below it (cdk-nag's
 * `NagPack.isAcknowledged` walks from the resource up through `node.scope`).
 */

import { ConstructMetadata } from '../../assembly/construct-metadata';
import { isObject } from '../../assembly/template';

/** aws-cdk-lib's `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`. */
export const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

/**
 * Every acknowledgement recorded on the construct at `constructPath` (no leading `/`) or on one of its
 * ancestors, as `{ qualified rule id: reason }` exactly as recorded, so cdk-nag reads them as it would in the app.
 */
export function acknowledgementsCovering(metadata: ConstructMetadata, constructPath: string): Record<string, string> {
  const covering: Record<string, string> = {};
  const segments = constructPath.split('/');
  for (let depth = segments.length; depth > 0; depth--) {
    for (const entry of metadata.get(`/${segments.slice(0, depth).join('/')}`) ?? []) {
      if (entry.type !== ACKNOWLEDGED_RULES || !isObject(entry.data)) continue;
      for (const [id, reason] of Object.entries(entry.data)) covering[id] ??= String(reason);
    }
  }
  return covering;
}
