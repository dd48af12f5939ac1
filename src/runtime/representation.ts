import type { TableConfig } from './table-config';
import { WRITE_ID_ATTRIBUTE } from './write-ids';

/** An item as the document client returns it. */
export type Item = { [attribute: string]: unknown };

/** Attribute counting an item's writes through the toolkit; responses carry it as the `ETag`, never in the body. */
export const VERSION_ATTRIBUTE = 'version';

/**
 * The version of each item the toolkit handed out, and of each body `withVersionOf()` tagged: invisible to
 * `JSON.stringify`, so it reaches a response only as its `ETag`. Weak, so it lives as long as the object.
 */
const versions = new WeakMap<object, number>();

function tag<T extends object>(body: T, version: unknown): T {
  if (typeof version === 'number' && Number.isSafeInteger(version) && version > 0) versions.set(body, version);
  return body;
}

/** The version an item the toolkit returned carries (or a body `withVersionOf()` tagged); undefined without one. */
export function versionOf(item: object): number | undefined {
  return versions.get(item);
}

/**
 * `body` carrying the version of `item`, for a handler that answers with its own representation of an item:
 * `ok(withVersionOf(toTask(item), item))` sends `ETag: "<version>"` like `ok(item)` does.
 */
export function withVersionOf<T extends object>(body: T, item: object): T {
  return tag(body, versions.get(item));
}

/** A strong entity tag for a version: `"3"` (RFC 9110, section 8.8.3). */
export function entityTag(version: number): string {
  return `"${version}"`;
}

/**
 * The entity tag of an item the toolkit returned (`"3"`), for a body that lists several items and so cannot send
 * each one's `ETag` header; the client sends it back in `If-Match`. Undefined for an item without a version.
 */
export function entityTagOf(item: object): string | undefined {
  const version = versions.get(item);
  return version === undefined ? undefined : entityTag(version);
}

/** Attributes no response shows, per table configuration. */
const hiddenByConfig = new WeakMap<TableConfig, ReadonlySet<string>>();

/**
 * The attributes no response shows: the table's key attributes, the key attributes of every index (those of the
 * function's own patterns, and those `ServerlessApi` lists for the whole table), and the toolkit's write id and
 * version. The TTL attribute stays: it is the item's expiry, often what a client needs to know (a session's).
 */
export function hiddenAttributes(config: TableConfig): ReadonlySet<string> {
  let hidden = hiddenByConfig.get(config);
  if (hidden === undefined) {
    const patternKeys = Object.values(config.accessPatterns).flatMap((pattern) =>
      [pattern.partitionKey?.[0], pattern.sortKey?.[0]].filter((name): name is string => name !== undefined),
    );
    hidden = new Set([
      config.partitionKey,
      config.sortKey,
      ...(config.indexKeyAttributes ?? []),
      ...patternKeys,
      WRITE_ID_ATTRIBUTE,
      VERSION_ATTRIBUTE,
    ]);
    hiddenByConfig.set(config, hidden);
  }
  return hidden;
}

/** The item as a response may show it: a copy without the hidden attributes, carrying its version invisibly. */
export function viewOf(item: Item, config: TableConfig): Item {
  const hidden = hiddenAttributes(config);
  // Defined, not assigned: an attribute named `__proto__` stays an attribute.
  const view: Item = Object.fromEntries(Object.entries(item).filter(([attribute]) => !hidden.has(attribute)));
  return tag(view, item[VERSION_ATTRIBUTE]);
}

/** The item exactly as stored (keys and bookkeeping included), carrying its version like a view does. */
export function rawOf(item: Item): Item {
  return tag(item, item[VERSION_ATTRIBUTE]);
}
