/**
 * Names of the environment variables that `ServerlessApi` sets on every route function.
 *
 * One source of truth for both sides: the construct writes them, handlers read them.
 * This module holds names only, no logic, so handler bundles can import it for free.
 */

/** Name of the application table. */
export const TABLE_NAME_ENV = 'TABLE_NAME';
/** Attribute name of the table's partition key (e.g. `PK`). */
export const TABLE_PARTITION_KEY_ENV = 'TABLE_PARTITION_KEY';
/** Attribute name of the table's sort key (e.g. `SK`). */
export const TABLE_SORT_KEY_ENV = 'TABLE_SORT_KEY';
/** Attribute name holding each item's expiry in epoch seconds (DynamoDB TTL). */
export const TABLE_TTL_ATTRIBUTE_ENV = 'TABLE_TTL_ATTRIBUTE';
/**
 * JSON array of the key attribute names of every global secondary index of the table, set when it has any: a
 * function may read items that carry index keys of patterns it does not use, and responses leave every key out.
 */
export const TABLE_INDEX_KEYS_ENV = 'TABLE_INDEX_KEYS';
/**
 * JSON object of the access patterns the function uses, by name: each an `AccessPatternDescriptor`
 * (see `key-shape.ts`) from which handlers build keys that the function's role allows.
 */
export const TABLE_ACCESS_PATTERNS_ENV = 'TABLE_ACCESS_PATTERNS';
/**
 * JSON `{ allowOrigins, allowCredentials, exposeHeaders }` of the API's CORS settings, set on the functions
 * of a REST API with `cors`: REST proxy integrations pass the function's response through, so the function
 * adds the CORS headers itself (HTTP APIs add them for it).
 */
export const API_CORS_ENV = 'SERVERLESS_API_CORS';
/**
 * The service name Powertools' logger (and metrics and tracer) put on every line: the function's declared name,
 * unless the function's `environment` sets it.
 */
export const SERVICE_NAME_ENV = 'POWERTOOLS_SERVICE_NAME';
/**
 * ARN of the role a route function uses for its caller-bound access patterns: the runtime toolkit assumes it with
 * the caller's values as session tags. Set only on functions that have such patterns.
 */
export const TABLE_CALLER_ROLE_ENV = 'TABLE_CALLER_ROLE_ARN';
/**
 * JSON object of the queues a function may send to, by declared name: `{ "<name>": { "url": "<queue URL>",
 * "fifo": <boolean> } }`. Set only on functions that name queues; the toolkit's `enqueue()` reads it.
 */
export const QUEUES_ENV = 'SERVERLESS_API_QUEUES';
/**
 * JSON `{ "bus": "<event bus name>", "publishes": [{ "source": "...", "detailTypes": ["..."] }] }`: the bus a
 * function may put events on and the sources and detail types its role allows. Set only on functions that
 * declare `publishes`; the toolkit's `publish()` reads it.
 */
export const EVENTS_ENV = 'SERVERLESS_API_EVENTS';
