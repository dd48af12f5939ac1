/**
 * The table (or index) a DynamoDB request names: its ARN, which IAM authorizes, and its partition key, whose values
 * IAM reads as `dynamodb:LeadingKeys`.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
import type { KeyAttributeModel, LocalTableModel } from '../model';

/** The resource one request targets. */
export interface TargetResource {
  /** `arn:aws:dynamodb:<region>:<account>:table/<name>`, or `.../index/<index>`. */
  readonly arn: string;
  readonly tableName: string;
  /** The partition key of the table, or of the index; undefined for a table the app does not know. */
  readonly partitionKey?: KeyAttributeModel;
}

export type TableResolution = TargetResource | { readonly error: string };

/** Where the caller is: the partition, region and account of a table named without its ARN. */
export interface TableScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

const TABLE_ARN = /^arn:([^:]+):dynamodb:([^:]*):([^:]*):table\/([^/]+)$/;

/**
 * The table a request's `TableName` names: a name, or a table ARN (DynamoDB accepts both). A table outside the app
 * still has an ARN, so IAM can deny it as AWS does; it has no key schema, so its requests carry no leading keys.
 * A replica of a known table (same name, another region) shares that table's key schema.
 */
export function resolveTable(
  tableName: unknown,
  tables: readonly LocalTableModel[],
  scope: TableScope,
  parameter = 'tableName',
): TableResolution & { readonly table?: LocalTableModel } {
  if (typeof tableName !== 'string' || !tableName) {
    return {
      error: `1 validation error detected: Value null at '${parameter}' failed to satisfy constraint: Member must not be null`,
    };
  }
  const asArn = TABLE_ARN.exec(tableName);
  const name = asArn ? asArn[4] : tableName;
  const arn = asArn ? tableName : `arn:${scope.partition}:dynamodb:${scope.region}:${scope.accountId}:table/${name}`;
  const table =
    tables.find((t) => t.arn === arn) ??
    tables.find((t) => t.tableName === name && (!asArn || asArn[3] === accountOf(t.arn)));
  return { arn, tableName: name, ...(table ? { table, partitionKey: table.partitionKey } : {}) };
}

const accountOf = (arn: string) => arn.split(':')[4];

/**
 * The index of a Query or Scan: its ARN is the table's with `/index/<name>`; a local secondary index shares the
 * table's partition key. An index the known table does not have is refused, as DynamoDB refuses it.
 */
export function resolveIndex(
  target: TargetResource & { readonly table?: LocalTableModel },
  indexName: unknown,
): TableResolution {
  if (indexName === undefined) return target;
  if (typeof indexName !== 'string' || !indexName) {
    return {
      error:
        "1 validation error detected: Value at 'indexName' failed to satisfy constraint: Member must have length greater than or equal to 3",
    };
  }
  const arn = `${target.arn}/index/${indexName}`;
  if (!target.table) return { arn, tableName: target.tableName };
  const index = [...target.table.globalSecondaryIndexes, ...target.table.localSecondaryIndexes].find(
    (i) => i.indexName === indexName,
  );
  if (!index) return { error: `The table does not have the specified index: ${indexName}` };
  return { arn, tableName: target.tableName, partitionKey: index.partitionKey };
}
