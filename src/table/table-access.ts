/** The kinds of access a route function can be given to the table. */
export enum TableAccessLevel {
  /** GetItem, BatchGetItem, Query and ConditionCheckItem on items whose partition key matches. */
  READ = 'READ',
  /** PutItem, UpdateItem, DeleteItem and BatchWriteItem on items whose partition key matches. */
  WRITE = 'WRITE',
  /** Both `READ` and `WRITE`. */
  READ_WRITE = 'READ_WRITE',
  /** Query on a global secondary index, for items whose index partition key matches. */
  QUERY_INDEX = 'QUERY_INDEX',
  /** Scan of the whole table or index: cannot be scoped to keys. */
  SCAN = 'SCAN',
}

/**
 * What a route function may do to the table, and on which items.
 *
 * Items are chosen by partition key patterns, enforced with the `dynamodb:LeadingKeys` IAM
 * condition key: `PROJECT#*` allows every item whose partition key starts with `PROJECT#`.
 * Patterns use IAM `StringLike` syntax (`*` any run of characters, `?` one character) and must
 * start with a literal prefix, so a pattern can never mean "the whole table".
 *
 * @example
 * TableAccess.readWrite(['PROJECT#*']);
 */
export class TableAccess {
  /** Read items by key and Query partitions whose partition key matches one of the patterns. */
  public static read(keyPatterns: string[]): TableAccess {
    return new TableAccess(TableAccessLevel.READ, keyPatterns);
  }

  /** Create, update and delete items whose partition key matches one of the patterns. */
  public static write(keyPatterns: string[]): TableAccess {
    return new TableAccess(TableAccessLevel.WRITE, keyPatterns);
  }

  /** Both `read` and `write` on items whose partition key matches one of the patterns. */
  public static readWrite(keyPatterns: string[]): TableAccess {
    return new TableAccess(TableAccessLevel.READ_WRITE, keyPatterns);
  }

  /**
   * Query a global secondary index, in partitions whose index partition key matches one of the patterns.
   *
   * On an index, `dynamodb:LeadingKeys` is checked against the index's partition key, not the table's.
   *
   * @param indexName an index declared on the table
   */
  public static queryIndex(indexName: string, keyPatterns: string[]): TableAccess {
    return new TableAccess(TableAccessLevel.QUERY_INDEX, keyPatterns, indexName);
  }

  /**
   * Scan the whole table, or one index. Never granted unless asked for.
   *
   * A Scan request carries no partition key, so it cannot be limited by key patterns: the function
   * can read every item. Prefer `read` or `queryIndex` with a key designed for the access pattern.
   *
   * @param indexName scan this index instead of the table
   */
  public static scan(indexName?: string): TableAccess {
    return new TableAccess(TableAccessLevel.SCAN, [], indexName);
  }

  /** The kind of access. */
  public readonly level: TableAccessLevel;
  /** Partition key patterns the access is limited to (empty for `SCAN`). */
  public readonly keyPatterns: string[];
  /** The index the access applies to, if not the table itself. */
  public readonly indexName?: string;

  private constructor(level: TableAccessLevel, keyPatterns: string[], indexName?: string) {
    this.level = level;
    this.keyPatterns = [...keyPatterns];
    this.indexName = indexName;
  }
}
