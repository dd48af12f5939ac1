import { CallerAttribute } from './caller-attribute';

/** The DynamoDB operation an access pattern performs; each grants its own IAM actions and nothing else. */
export enum AccessPatternOperation {
  /** Read one item by its full key: `GetItem`, `BatchGetItem`, and `ConditionCheckItem` in transactions. */
  GET_ITEM = 'GetItem',
  /** Read the items of one partition, optionally those whose sort key begins with a prefix: `Query`. */
  QUERY = 'Query',
  /** Create or replace one item by its full key: `PutItem` (use a condition to create once). */
  PUT_ITEM = 'PutItem',
  /** Change attributes of one item by its full key: `UpdateItem`. */
  UPDATE_ITEM = 'UpdateItem',
  /** Delete one item by its full key: `DeleteItem`. */
  DELETE_ITEM = 'DeleteItem',
  /** Read every item of the table or an index: `Scan`. Cannot be limited to keys. */
  SCAN = 'Scan',
}

/** An access pattern on one item, by its full key. */
export interface ItemAccessPatternProps {
  /**
   * Shape of the partition key: literal text with `{param}` placeholders, starting with a literal
   * prefix, e.g. `PROJECT#{projectId}`. The function's role is limited to partition keys of this shape.
   */
  readonly partitionKey: string;
  /** Shape of the sort key, e.g. `TASK#{taskId}`. */
  readonly sortKey: string;
  /**
   * Parameters of the partition key bound to the verified caller, e.g. `{ userId: CallerAttribute.id() }` for
   * `USER#{userId}`. The function's own role is never granted such a pattern: the runtime toolkit takes each value
   * from the caller's principal and uses the pattern only with credentials of a role whose `dynamodb:LeadingKeys`
   * condition is `USER#${aws:PrincipalTag/userId}`, tagged with the caller's value, so the function cannot reach
   * another caller's partition even through a bug.
   *
   * @default - no parameter is bound: the role may reach every partition of the shape
   */
  readonly callerBound?: { [param: string]: CallerAttribute };
  /**
   * The partition key names one partition on purpose (a shape without parameters, such as `CONFIG`): no
   * hot-partition warning at synth. One partition serves at most 3,000 reads and 1,000 writes per second.
   *
   * @default false - a shape without parameters is flagged at synth as a hot partition
   */
  readonly singleton?: boolean;
  /**
   * Write sharding: the pattern's items spread over this many partitions, `0` to `shards - 1` in the partition key's
   * `{shard}` parameter (`ORDERS#{shard}`), for one logical partition that takes more writes than one partition
   * serves (1,000 per second). The toolkit computes an item's shard from its sort key (a stable hash), so get, update
   * and delete find the item the put wrote; a handler never passes `shard`. Every pattern of the same partition key
   * shape must declare the same count, and changing it later moves items to other shards (a migration).
   *
   * @default - not sharded: one partition per partition key value
   */
  readonly shards?: number;
  /**
   * What the pattern is for, shown in the access-pattern table.
   *
   * @default - no description
   */
  readonly description?: string;
}

/** A Query on the table or on a global secondary index. */
export interface QueryAccessPatternProps {
  /**
   * Shape of the partition key (of the index, when `indexName` is set), e.g. `PROJECT#{projectId}`.
   * On an index, the role is limited to index partition keys of this shape.
   */
  readonly partitionKey: string;
  /**
   * The prefix every sort key of the result begins with (`begins_with`), which may hold `{param}`
   * placeholders, e.g. `TASK#` or `DUE#{year}-`.
   *
   * @default - every item of the partition
   */
  readonly sortKeyPrefix?: string;
  /**
   * The global secondary index to query. The index is created for the pattern unless
   * `table.globalSecondaryIndexes` declares it.
   *
   * @default - the table itself
   */
  readonly indexName?: string;
  /**
   * Parameters of the partition key bound to the verified caller, e.g. `{ userId: CallerAttribute.id() }` for
   * `USER#{userId}`. The function's own role is never granted such a pattern: the runtime toolkit takes each value
   * from the caller's principal and uses the pattern only with credentials of a role whose `dynamodb:LeadingKeys`
   * condition is `USER#${aws:PrincipalTag/userId}`, tagged with the caller's value, so the function cannot reach
   * another caller's partition even through a bug.
   *
   * @default - no parameter is bound: the role may reach every partition of the shape
   */
  readonly callerBound?: { [param: string]: CallerAttribute };
  /**
   * The partition key names one partition on purpose (a shape without parameters, such as `CONFIG`): no
   * hot-partition warning at synth. One partition serves at most 3,000 reads and 1,000 writes per second.
   *
   * @default false - a shape without parameters is flagged at synth as a hot partition
   */
  readonly singleton?: boolean;
  /**
   * Write sharding: the partition's items are spread over this many partitions, `0` to `shards - 1` in the partition
   * key's `{shard}` parameter (`ORDERS#{shard}`). The toolkit queries every shard in parallel and merges the pages
   * by sort key, so a page reads up to `shards` times `limit` items. Must equal the `shards` of the item patterns
   * writing the partition.
   *
   * @default - not sharded: one partition per partition key value
   */
  readonly shards?: number;
  /**
   * What the pattern is for, shown in the access-pattern table.
   *
   * @default - no description
   */
  readonly description?: string;
}

/** A Scan of the table or of an index. */
export interface ScanAccessPatternProps {
  /**
   * The global secondary index to scan.
   *
   * @default - the table itself
   */
  readonly indexName?: string;
  /**
   * What the pattern is for, shown in the access-pattern table.
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * One way the application reads or writes the table, declared once and named.
 *
 * Access patterns are the source of truth of the table design: the API derives the table's indexes,
 * each function's IAM actions and `dynamodb:LeadingKeys` conditions, and the key builders handlers
 * use, from the patterns each function says it uses. Key shapes are literal text with `{param}`
 * placeholders; a partition key shape must start with a literal prefix, so it can be enforced by IAM.
 *
 * @example
 * const accessPatterns = {
 *   listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{projectId}', sortKeyPrefix: 'TASK#' }),
 *   createTask: AccessPattern.putItem({ partitionKey: 'PROJECT#{projectId}', sortKey: 'TASK#{taskId}' }),
 * };
 */
export class AccessPattern {
  /** Read one item by its full key (`GetItem`, `BatchGetItem`, `ConditionCheckItem`). */
  public static getItem(props: ItemAccessPatternProps): AccessPattern {
    return new AccessPattern(AccessPatternOperation.GET_ITEM, props.partitionKey, props.sortKey, undefined, props);
  }

  /** Query one partition of the table or of an index, optionally by sort key prefix. */
  public static query(props: QueryAccessPatternProps): AccessPattern {
    return new AccessPattern(
      AccessPatternOperation.QUERY,
      props.partitionKey,
      props.sortKeyPrefix,
      props.indexName,
      props,
    );
  }

  /** Create or replace one item by its full key (`PutItem`). */
  public static putItem(props: ItemAccessPatternProps): AccessPattern {
    return new AccessPattern(AccessPatternOperation.PUT_ITEM, props.partitionKey, props.sortKey, undefined, props);
  }

  /** Change one item by its full key (`UpdateItem`). */
  public static updateItem(props: ItemAccessPatternProps): AccessPattern {
    return new AccessPattern(AccessPatternOperation.UPDATE_ITEM, props.partitionKey, props.sortKey, undefined, props);
  }

  /** Delete one item by its full key (`DeleteItem`). */
  public static deleteItem(props: ItemAccessPatternProps): AccessPattern {
    return new AccessPattern(AccessPatternOperation.DELETE_ITEM, props.partitionKey, props.sortKey, undefined, props);
  }

  /**
   * Read every item of the table or of an index. Never part of a default.
   *
   * A Scan request carries no partition key, so IAM cannot limit it: a function using this pattern
   * can read every item of the table (or index). Prefer a `query` on a key designed for the pattern.
   */
  public static scan(props: ScanAccessPatternProps = {}): AccessPattern {
    return new AccessPattern(AccessPatternOperation.SCAN, undefined, undefined, props.indexName, props);
  }

  /** The operation. */
  public readonly operation: AccessPatternOperation;
  /** Shape of the partition key (of the index, on an index); absent for a Scan. */
  public readonly partitionKey?: string;
  /** Shape of the sort key: the whole key for item operations, the `begins_with` prefix for a Query. */
  public readonly sortKey?: string;
  /** The index the pattern reads, if not the table. */
  public readonly indexName?: string;
  /** What the pattern is for. */
  public readonly description?: string;
  /** Partition key parameters bound to the verified caller. */
  public readonly callerBound?: { [param: string]: CallerAttribute };
  /** The partition key names one partition on purpose. */
  public readonly singleton?: boolean;
  /** The number of write shards of the partition key's `{shard}` parameter, when sharded. */
  public readonly shards?: number;

  private constructor(
    operation: AccessPatternOperation,
    partitionKey: string | undefined,
    sortKey: string | undefined,
    indexName: string | undefined,
    props: {
      readonly description?: string;
      readonly callerBound?: { [param: string]: CallerAttribute };
      readonly singleton?: boolean;
      readonly shards?: number;
    },
  ) {
    this.operation = operation;
    this.partitionKey = partitionKey;
    this.sortKey = sortKey;
    this.indexName = indexName;
    this.description = props.description;
    this.callerBound = props.callerBound;
    this.singleton = props.singleton;
    this.shards = props.shards;
  }
}
