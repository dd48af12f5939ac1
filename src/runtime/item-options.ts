import type { KeyValues } from './keys';
import type { Item } from './representation';

/** Options of `get()`. */
export interface GetOptions {
  /** A strongly consistent read. Default false. */
  readonly consistent?: boolean;
  /**
   * The item exactly as stored, its keys, version and write id included, for handler code that needs them.
   * Only `true` counts. Default false: the item as a response may show it (see `ItemPattern`).
   */
  readonly raw?: boolean;
}

/** Options of `create()` and `put()`. */
export interface WriteOptions {
  /** Seconds from now until the item expires: sets the table's TTL attribute. */
  readonly ttlSeconds?: number;
}

/** Options of `update()`. */
export interface UpdateOptions {
  /** Attributes to set. */
  readonly set?: Item;
  /** Attributes to remove. */
  readonly remove?: readonly string[];
  /**
   * The state the item must be in (`{ status: 'OPEN' }`): a state transition. Otherwise a 409 whose problem
   * document carries the item's current values of these attributes.
   */
  readonly expect?: Item;
  /**
   * The version the client last saw, or the versions it accepts (`ifMatchVersion(request)` reads them from
   * `If-Match`): any other current version is a 412. An empty list accepts none.
   */
  readonly ifVersion?: number | readonly number[];
  /** Seconds from now until the item expires: sets the table's TTL attribute. */
  readonly ttlSeconds?: number;
}

/** Options of `delete()`. */
export interface DeleteOptions {
  /** The state the item must be in to be deleted; otherwise a 409. */
  readonly expect?: Item;
  /** The version(s) the client accepts, as `UpdateOptions.ifVersion`: any other current version is a 412. */
  readonly ifVersion?: number | readonly number[];
}

/** Options of `table.item()`. */
export interface ItemPatternOptions {
  /**
   * Every item of this pattern must expire (sessions, tokens): one without a numeric expiry counts as expired,
   * and `create()` needs `ttlSeconds`. Default false: an item without an expiry lives until deleted.
   */
  readonly expires?: boolean;
  /** How error details name the item, e.g. `(v) => \`session "${v.sessionId}"\``. Default: by its key values. */
  readonly label?: (values: KeyValues) => string;
}
