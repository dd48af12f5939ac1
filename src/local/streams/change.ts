/** One successful write to an item, as the local DynamoDB reports it for the table's stream. Types only. */

/** An item in DynamoDB JSON. */
export type AttributeMap = { readonly [name: string]: unknown };

export interface ItemChange {
  readonly tableName: string;
  readonly keys: AttributeMap;
  /** The item before the write; absent when the write created it. */
  readonly oldImage?: AttributeMap;
  /** The item after the write; absent when the write deleted it. */
  readonly newImage?: AttributeMap;
  /** Deleted by Time to Live, by DynamoDB itself. */
  readonly byTtl?: boolean;
}
