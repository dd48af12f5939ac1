import { CfnResource, Lazy } from 'aws-cdk-lib';
import { ResolvedAccessPattern } from './access-model';
import { partitionPrefix, PatternUser } from './partition-writers';
import { ACCESS_PATTERNS_METADATA_KEY, AccessPatternRow } from '../shared/metadata';

/** Puts the access-pattern table in `resource`'s metadata, rendered at synth so that later functions are in it. */
export function accessPatternMetadata(resource: CfnResource, rows: () => AccessPatternRow[]): void {
  resource.addMetadata(ACCESS_PATTERNS_METADATA_KEY, Lazy.any({ produce: rows }));
}

/**
 * The API's access-pattern table, as the template's metadata carries it for tools: one row per access pattern, with
 * what it reads or writes, how, and which functions (route functions and workers) use it.
 */
export function accessPatternRows(
  patterns: Iterable<ResolvedAccessPattern>,
  users: readonly PatternUser[],
): AccessPatternRow[] {
  return [...patterns].map((pattern) => ({
    name: pattern.name,
    ...(pattern.pattern.description ? { description: pattern.pattern.description } : {}),
    operation: pattern.operation,
    ...(pattern.indexName ? { index: pattern.indexName } : {}),
    keyCondition: pattern.keyCondition,
    ...(pattern.leadingKeys ? { leadingKeys: pattern.leadingKeys.join(', ') } : {}),
    ...(pattern.pattern.partitionKey ? { partitionPrefix: partitionPrefix(pattern.pattern.partitionKey) } : {}),
    ...(pattern.singlePartition ? { singlePartition: pattern.pattern.singleton ? 'singleton' : 'hot' } : {}),
    ...(pattern.shards !== undefined ? { shards: pattern.shards } : {}),
    ...(pattern.callerBound
      ? {
          callerBound: Object.fromEntries(
            Object.entries(pattern.callerBound).map(([param, attribute]) => [param, attribute.toString()]),
          ),
        }
      : {}),
    actions: [...pattern.actions],
    functions: users.filter((user) => user.patterns.includes(pattern)).map((user) => user.name),
  }));
}
