/**
 * How strictly functions are kept apart inside the table. IAM's `dynamodb:LeadingKeys` bounds partition keys, never
 * sort keys: two functions allowed to write partitions of one prefix (`USER#...`) can overwrite each other's items in
 * them, whatever sort keys their access patterns declare.
 */
export enum PartitionIsolation {
  /** Functions may share writable partition prefixes; the summary lists which functions write each prefix. */
  SHARED = 'SHARED',
  /**
   * Synth fails when two functions with different write sets may write partitions of the same prefix: give each
   * writer its own prefix (`CART#{userId}` beside `PREFS#{userId}`), or one function both writes.
   */
  STRICT = 'STRICT',
}
