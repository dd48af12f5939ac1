import { ResolvedAccessPattern } from './access-model';
import { AccessPatternOperation } from './access-pattern';
import { parseKeyShape } from '../shared/key-shape';

/** A function, and the access patterns it uses. */
export interface PatternUser {
  readonly name: string;
  readonly patterns: readonly ResolvedAccessPattern[];
}

/** The functions that may write partitions of one prefix. */
export interface PrefixWriters {
  /** The literal text before a partition key's first parameter: `USER#` for `USER#{userId}#CART`. */
  readonly prefix: string;
  /** Each writer's write patterns on the prefix, by function name. */
  readonly writers: { readonly [fn: string]: readonly string[] };
}

/** The literal text before a shape's first parameter. */
export function partitionPrefix(shape: string): string {
  const first = parseKeyShape(shape)[0];
  return 'literal' in first ? first.literal : '';
}

/**
 * Which functions may write each partition prefix of the table. A prefix is the literal text before the first
 * parameter: IAM's `?*` matches any text, `#` included, so `USER#?*#CART` and `USER#?*` both reach `USER#` partitions.
 */
export function writersByPrefix(users: readonly PatternUser[]): PrefixWriters[] {
  const byPrefix = new Map<string, Map<string, string[]>>();
  for (const user of users) {
    for (const pattern of user.patterns) {
      if (!pattern.writes || pattern.operation === AccessPatternOperation.SCAN || !pattern.pattern.partitionKey) {
        continue;
      }
      const prefix = partitionPrefix(pattern.pattern.partitionKey);
      const writers = byPrefix.get(prefix) ?? new Map<string, string[]>();
      writers.set(user.name, [...(writers.get(user.name) ?? []), pattern.name]);
      byPrefix.set(prefix, writers);
    }
  }
  return [...byPrefix.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([prefix, writers]) => ({
      prefix,
      writers: Object.fromEntries([...writers.entries()].map(([fn, w]) => [fn, w.sort()])),
    }));
}

/**
 * `PartitionIsolation.STRICT`: the errors for functions whose write sets differ yet share a writable prefix.
 */
export function strictIsolationErrors(users: readonly PatternUser[]): string[] {
  const errors: string[] = [];
  for (const { prefix, writers } of writersByPrefix(users)) {
    const names = Object.keys(writers).sort();
    const [first, ...others] = names;
    for (const other of others) {
      if (writers[other].join() === writers[first].join()) continue;
      errors.push(
        `\`functions.${other}.accessPatterns\` must not write partitions of the prefix ${JSON.stringify(prefix)} that function ${first} also writes with other patterns (${writers[first].join(', ')}): IAM bounds partition keys, not sort keys, so either could overwrite the other's items; give the patterns their own prefix, or set partitionIsolation to PartitionIsolation.SHARED, got: ${JSON.stringify(writers[other])}`,
      );
    }
  }
  return errors;
}
