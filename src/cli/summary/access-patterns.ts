/** The access-pattern table that `ServerlessApi` records in its HTTP API's template metadata. */

import { list, num, obj, str, T, TemplateIndex } from '../../assembly/template';
import { ACCESS_PATTERNS_METADATA_KEY, AccessPatternRow } from '../../shared/metadata';

export interface AccessPatternSummary extends AccessPatternRow {
  /** Logical id of the API that declares the pattern. */
  readonly api: string;
}

export function summarizeAccessPatterns(index: TemplateIndex): AccessPatternSummary[] {
  return index.ofType(T.api).flatMap(([api, resource]) =>
    list(resource.Metadata?.[ACCESS_PATTERNS_METADATA_KEY]).map((value) => {
      const row = obj(value);
      return {
        api,
        name: str(row.name) ?? '?',
        description: str(row.description),
        operation: str(row.operation) ?? '?',
        index: str(row.index),
        keyCondition: str(row.keyCondition) ?? '?',
        leadingKeys: str(row.leadingKeys),
        partitionPrefix: str(row.partitionPrefix),
        singlePartition: str(row.singlePartition),
        shards: num(row.shards),
        ...(row.callerBound === undefined
          ? {}
          : {
              callerBound: Object.fromEntries(
                Object.entries(obj(row.callerBound)).map(([param, attribute]) => [param, str(attribute) ?? '?']),
              ),
            }),
        actions: list(row.actions).map((action) => str(action) ?? '?'),
        functions: list(row.functions).map((fn) => str(fn) ?? '?'),
      };
    }),
  );
}
