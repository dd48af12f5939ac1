/**
 * What `ServerlessApi` writes into the synthesized template for tools to read back (the example's
 * summary, reviews): one definition for both sides. Types and names only, no logic.
 */

/** Template metadata key, on the HTTP API resource, holding the API's access-pattern table. */
export const ACCESS_PATTERNS_METADATA_KEY = 'cdk-serverless-api:AccessPatterns';

/** One row of the access-pattern table. */
export interface AccessPatternRow {
  readonly name: string;
  readonly description?: string;
  /** The DynamoDB operation: GetItem, Query, PutItem, UpdateItem, DeleteItem or Scan. */
  readonly operation: string;
  readonly index?: string;
  /** The key condition, e.g. `PK = PROJECT#{projectId} AND begins_with(SK, TASK#)`. */
  readonly keyCondition: string;
  /** The `dynamodb:LeadingKeys` patterns the roles are limited to, comma-separated (one per shard); absent for a Scan. */
  readonly leadingKeys?: string;
  /** The literal text before the partition key's first parameter (`USER#`); absent for a Scan. */
  readonly partitionPrefix?: string;
  /**
   * Set when every item of the pattern is in one partition (a partition key without parameters): `hot` when that
   * is flagged, `singleton` when the pattern says it is deliberate.
   */
  readonly singlePartition?: string;
  /** The number of write shards the partition key spreads over, when the pattern is sharded. */
  readonly shards?: number;
  /** Partition key parameters bound to the verified caller, and to what: `{ userId: 'caller id' }`. */
  readonly callerBound?: { readonly [param: string]: string };
  readonly actions: string[];
  /** The functions using the pattern, by name. */
  readonly functions: string[];
}
