/**
 * A table of the app as DynamoDB's CreateTable takes it (on demand, its key, its global and local secondary indexes),
 * and the differences between that and a table a data folder already holds.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 */
import type { KeyAttributeModel, LocalIndexModel, LocalTableModel } from '../model';

interface KeySchemaElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

interface Projection {
  readonly ProjectionType: string;
  readonly NonKeyAttributes?: readonly string[];
}

interface IndexDefinition {
  readonly IndexName: string;
  readonly KeySchema: readonly KeySchemaElement[];
  readonly Projection: Projection;
}

/** The CreateTable request of a table (the part of it that DescribeTable gives back, too). */
export interface TableDefinition {
  readonly TableName: string;
  readonly BillingMode: 'PAY_PER_REQUEST';
  readonly AttributeDefinitions: readonly { readonly AttributeName: string; readonly AttributeType: string }[];
  readonly KeySchema: readonly KeySchemaElement[];
  readonly GlobalSecondaryIndexes?: readonly IndexDefinition[];
  readonly LocalSecondaryIndexes?: readonly IndexDefinition[];
}

export function tableDefinition(table: LocalTableModel): TableDefinition {
  const types = new Map<string, { type: string; where: string }>();
  const define = (key: KeyAttributeModel | undefined, where: string) => {
    if (!key) return;
    const known = types.get(key.name);
    if (known && known.type !== key.type) {
      throw new Error(
        `Table "${table.tableName}": the key attribute "${key.name}" must have one type, got ${known.type} in ${known.where} and ${key.type} in ${where}`,
      );
    }
    if (!known) types.set(key.name, { type: key.type, where });
  };
  define(table.partitionKey, 'the table');
  define(table.sortKey, 'the table');
  for (const index of [...table.globalSecondaryIndexes, ...table.localSecondaryIndexes]) {
    define(index.partitionKey, `index "${index.indexName}"`);
    define(index.sortKey, `index "${index.indexName}"`);
  }
  const indexes = (list: readonly LocalIndexModel[]) =>
    list.length === 0
      ? undefined
      : list.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: projection(index),
        }));
  return {
    TableName: table.tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...types].map(([name, { type }]) => ({ AttributeName: name, AttributeType: type })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    GlobalSecondaryIndexes: indexes(table.globalSecondaryIndexes),
    LocalSecondaryIndexes: indexes(table.localSecondaryIndexes),
  };
}

function keySchema(partitionKey: KeyAttributeModel, sortKey: KeyAttributeModel | undefined): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: partitionKey.name, KeyType: 'HASH' }];
  if (sortKey) schema.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  return schema;
}

function projection(index: LocalIndexModel): Projection {
  const nonKey = index.nonKeyAttributes ?? [];
  return index.projectionType === 'INCLUDE' && nonKey.length > 0
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...nonKey] }
    : { ProjectionType: index.projectionType };
}

/**
 * How `existing` (DescribeTable's `Table`) differs from what the app declares, one line per difference, each saying
 * what the app has and what the data folder has; empty when they agree.
 */
export function schemaDifferences(expected: TableDefinition, existing: { readonly [key: string]: any }): string[] {
  const differences: string[] = [];
  const typeOf = (definitions: any, name: string): string =>
    (Array.isArray(definitions) ? definitions : []).find((d: any) => d?.AttributeName === name)?.AttributeType ?? '?';
  const describeKey = (schema: any, definitions: any): string =>
    (Array.isArray(schema) ? [...schema] : [])
      .sort((a: any, b: any) => (a?.KeyType === 'HASH' ? -1 : b?.KeyType === 'HASH' ? 1 : 0))
      .map(
        (k: any) =>
          `${k?.KeyType === 'HASH' ? 'partition' : 'sort'} key ${k?.AttributeName} (${typeOf(definitions, k?.AttributeName)})`,
      )
      .join(', ');
  const compare = (what: string, app: string, folder: string) => {
    if (app !== folder) differences.push(`${what}: the app has ${app}, the data folder has ${folder}`);
  };

  compare(
    'key',
    describeKey(expected.KeySchema, expected.AttributeDefinitions),
    describeKey(existing.KeySchema, existing.AttributeDefinitions),
  );
  for (const [kind, app, folder] of [
    ['global secondary index', expected.GlobalSecondaryIndexes, existing.GlobalSecondaryIndexes],
    ['local secondary index', expected.LocalSecondaryIndexes, existing.LocalSecondaryIndexes],
  ] as const) {
    const appIndexes = new Map((app ?? []).map((index) => [index.IndexName, index]));
    const folderIndexes = new Map<string, any>(
      (Array.isArray(folder) ? folder : []).map((index: any) => [String(index?.IndexName), index]),
    );
    for (const name of new Set([...appIndexes.keys(), ...folderIndexes.keys()])) {
      const a = appIndexes.get(name);
      const f = folderIndexes.get(name);
      if (!a || !f) {
        differences.push(
          `${kind} "${name}": ${a ? 'the app has it, the data folder does not' : 'the data folder has it, the app does not'}`,
        );
        continue;
      }
      compare(
        `${kind} "${name}" key`,
        describeKey(a.KeySchema, expected.AttributeDefinitions),
        describeKey(f.KeySchema, existing.AttributeDefinitions),
      );
      compare(`${kind} "${name}" projection`, describeProjection(a.Projection), describeProjection(f.Projection));
    }
  }
  return differences;
}

function describeProjection(value: any): string {
  const type = String(value?.ProjectionType ?? 'ALL');
  const nonKey: string[] = Array.isArray(value?.NonKeyAttributes) ? [...value.NonKeyAttributes].sort() : [];
  return nonKey.length > 0 ? `${type} (${nonKey.join(', ')})` : type;
}
