/**
 * Partition isolation: which functions may write each partition prefix. IAM's `dynamodb:LeadingKeys` bounds
 * partition keys, never sort keys, so functions writing one prefix can overwrite each other's items there.
 */

import { AccessPatternSummary } from './access-patterns';

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

export interface PrefixIsolationSummary {
  /** Logical id of the API whose patterns write it. */
  readonly api: string;
  /** `USER#`: the literal text before the partition key's first parameter. */
  readonly prefix: string;
  /** Each writer's write patterns on the prefix, by function name. */
  readonly writers: { readonly [fn: string]: readonly string[] };
  /** Bound parameters of the writing patterns, `userId = caller id`; empty when no write is caller-bound. */
  readonly callerBound: string[];
  /** Set when functions with different write sets share the prefix. */
  readonly warning?: string;
}

export function summarizeIsolation(patterns: readonly AccessPatternSummary[]): PrefixIsolationSummary[] {
  const byPrefix = new Map<
    string,
    { api: string; prefix: string; writers: Map<string, string[]>; bound: Set<string> }
  >();
  for (const pattern of patterns) {
    if (!WRITE_OPERATIONS.has(pattern.operation) || pattern.partitionPrefix === undefined) continue;
    const id = `${pattern.api}|${pattern.partitionPrefix}`;
    const entry = byPrefix.get(id) ?? {
      api: pattern.api,
      prefix: pattern.partitionPrefix,
      writers: new Map(),
      bound: new Set(),
    };
    for (const fn of pattern.functions) entry.writers.set(fn, [...(entry.writers.get(fn) ?? []), pattern.name]);
    for (const [param, attribute] of Object.entries(pattern.callerBound ?? {})) {
      entry.bound.add(`${param} = ${attribute}`);
    }
    byPrefix.set(id, entry);
  }
  return [...byPrefix.values()]
    .sort((a, b) => a.api.localeCompare(b.api) || a.prefix.localeCompare(b.prefix))
    .map(({ api, prefix, writers, bound }) => {
      const sets = new Set([...writers.values()].map((names) => names.sort().join()));
      const names = [...writers.keys()].sort();
      return {
        api,
        prefix,
        writers: Object.fromEntries(names.map((fn) => [fn, writers.get(fn)!])),
        callerBound: [...bound].sort(),
        ...(sets.size > 1
          ? {
              warning: `functions ${names.join(', ')} write partitions ${prefix}... with different patterns: IAM bounds partition keys, not sort keys, so each can overwrite the others' items there; give them their own prefixes, or set partitionIsolation: PartitionIsolation.STRICT to refuse this at synth`,
            }
          : {}),
      };
    });
}
