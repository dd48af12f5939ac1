/**
 * What differs between the tables of two versions of an app. The local DynamoDB keeps its tables (and their items)
 * across a reload only when nothing does: a table's key schema, indexes and TTL are fixed when it is created (its stream
 * is not: the local API writes stream records itself).
 */
import type { LocalTableModel } from './model';

/** One line per table added, removed or changed (naming what changed); empty when the tables are the same. */
export function tableChanges(before: readonly LocalTableModel[], after: readonly LocalTableModel[]): string[] {
  const changes: string[] = [];
  const byId = (tables: readonly LocalTableModel[]) => new Map(tables.map((table) => [table.logicalId, table]));
  const old = byId(before);
  const next = byId(after);
  for (const [id, table] of old) {
    if (!next.has(id)) changes.push(`${table.tableName} removed`);
  }
  for (const [id, table] of next) {
    const previous = old.get(id);
    if (previous === undefined) {
      changes.push(`${table.tableName} added`);
      continue;
    }
    const changed = ASPECTS.filter(([, of]) => canonical(of(previous)) !== canonical(of(table))).map(([name]) => name);
    if (changed.length > 0) {
      changes.push(`${table.tableName}: ${changed.join(', ')} changed`);
    } else if (canonical(withoutStream(previous)) !== canonical(withoutStream(table))) {
      changes.push(`${table.tableName} changed`);
    }
  }
  return changes;
}

/**
 * The stream is left out: its records are the local API's own, not the engine's, so a stream turned on, off or to
 * another view type takes effect without a restart.
 */
function withoutStream(table: LocalTableModel): LocalTableModel {
  const { stream: _stream, ...rest } = table;
  return rest;
}

const ASPECTS: readonly [string, (table: LocalTableModel) => unknown][] = [
  ['name', (t) => [t.tableName, t.arn]],
  ['key schema', (t) => [t.partitionKey, t.sortKey]],
  ['global secondary indexes', (t) => t.globalSecondaryIndexes],
  ['local secondary indexes', (t) => t.localSecondaryIndexes],
  ['TTL attribute', (t) => t.ttlAttribute],
];

/** JSON with object keys sorted, so that two models built in a different key order compare equal. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => a.localeCompare(b)))
        : v,
    ) ?? 'undefined'
  );
}
