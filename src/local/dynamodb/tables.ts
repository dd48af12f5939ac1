/**
 * The app's tables in the engine: created when missing; in a data folder, those already there are checked against
 * the app, since a table's key and indexes cannot change in place.
 */
import type { LocalTableModel } from '../model';
import type { Send } from './json-client';
import { schemaDifferences, tableDefinition } from './table-schema';

/** How long a new table may stay CREATING before the engine is given up on. */
const ACTIVE_TIMEOUT_MS = 10_000;

export async function ensureTables(
  send: Send,
  tables: readonly LocalTableModel[],
  dataDir: string | undefined,
): Promise<void> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await send('ListTables', start === undefined ? {} : { ExclusiveStartTableName: start });
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);

  const mismatches: string[] = [];
  for (const table of tables) {
    const definition = tableDefinition(table);
    if (!existing.has(table.tableName)) {
      await send('CreateTable', definition);
      existing.add(table.tableName);
      continue;
    }
    const { Table } = await send('DescribeTable', { TableName: table.tableName });
    const differences = schemaDifferences(definition, Table ?? {});
    if (differences.length > 0) {
      mismatches.push(`Table "${table.tableName}":\n${differences.map((d) => `  - ${d}`).join('\n')}`);
    }
  }
  if (mismatches.length > 0) {
    throw new Error(
      `The local DynamoDB's data folder ${dataDir} holds tables that do not match the app:\n${mismatches.join('\n')}\n` +
        `A table's key and indexes cannot change in place. Delete the folder ${dataDir} to start again with empty tables (its items are lost), or choose another data folder.`,
    );
  }
  for (const table of tables) await waitActive(send, table.tableName);
}

async function waitActive(send: Send, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const { Table } = await send('DescribeTable', { TableName: tableName });
    const indexes: any[] = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline) {
      throw new Error(`The local table "${tableName}" is still ${Table?.TableStatus} after ${ACTIVE_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
