/**
 * Key shapes: the one contract between an access pattern declared in the stack and the keys a handler
 * builds at run time.
 *
 * A key shape is literal text with `{param}` placeholders, e.g. `PROJECT#{projectId}`. The construct
 * turns a partition key shape into the `dynamodb:LeadingKeys` pattern of the function's role
 * (`PROJECT#?*`); the handler turns the same shape into a key (`PROJECT#p-1`). Because both sides read
 * the same shape, a handler cannot build a key its role does not allow without the shape changing.
 *
 * This module has no dependencies, so handler bundles can import it.
 */

/**
 * What one partition serves, whatever the table's capacity: why a shape without parameters is a hot partition.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html
 */
export const PARTITION_LIMITS = '3,000 reads and 1,000 writes per second';

/**
 * The partition key parameter the toolkit fills in for a write-sharded pattern (`ORDERS#{shard}`): 0 to `shards - 1`,
 * computed from the item's sort key, never passed by a handler.
 */
export const SHARD_PARAM = 'shard';

/**
 * Most shards one pattern may declare. 32 shards take 32,000 writes per second, most of the 40,000 write request
 * units per second an on-demand table gets by default (beyond it the table, not the partition, is the limit:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html); each query reads every
 * shard; and the exact `dynamodb:LeadingKeys` values of 32 shards stay a few hundred characters of a role's
 * 10,240-character inline policy budget (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const MAX_SHARDS = 32;

/** One piece of a key shape: literal text, or a parameter to fill in. */
export type KeyShapeSegment = { readonly literal: string } | { readonly param: string };

/** How a function learns its access patterns at run time (the JSON of `TABLE_ACCESS_PATTERNS`). */
export interface AccessPatternDescriptor {
  /** The DynamoDB operation: `GetItem`, `Query`, `PutItem`, `UpdateItem`, `DeleteItem` or `Scan`. */
  readonly operation: string;
  /** The index the pattern reads, if not the table. */
  readonly index?: string;
  /** `[attributeName, keyShape]` of the partition key (of the index, on an index); absent for `Scan`. */
  readonly partitionKey?: readonly [string, string];
  /**
   * `[attributeName, keyShape]` of the sort key. For `Query`, the shape is the prefix the sort key
   * begins with (`begins_with`); for item operations, the whole sort key.
   */
  readonly sortKey?: readonly [string, string];
  /**
   * Partition key parameters bound to the verified caller, and where each value comes from: `id`,
   * `claim:<name>` or `context:<name>`. Such a pattern is used only with the caller's scoped credentials.
   */
  readonly caller?: { readonly [param: string]: string };
  /**
   * The number of write shards of the partition key, whose `{shard}` parameter the toolkit fills in: from the sort
   * key for an item (`shardOf`), every shard for a Query. Absent when the pattern is not sharded.
   */
  readonly shards?: number;
}

const PARAM = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Characters a literal part may not contain: IAM wildcards, braces and whitespace. */
export const KEY_SHAPE_FORBIDDEN = /[*?{}\s]/;

/** Splits a shape into literal and parameter segments. Throws on a malformed shape. */
export function parseKeyShape(shape: string): KeyShapeSegment[] {
  const segments: KeyShapeSegment[] = [];
  let last = 0;
  for (const match of shape.matchAll(PARAM)) {
    const index = match.index ?? 0;
    if (index > last) {
      segments.push({ literal: shape.slice(last, index) });
    } else if (segments.length && 'param' in segments[segments.length - 1]) {
      throw new Error(`key shape ${JSON.stringify(shape)}: separate parameters with literal text such as "#"`);
    }
    segments.push({ param: match[1] });
    last = index + match[0].length;
  }
  if (last < shape.length) segments.push({ literal: shape.slice(last) });
  for (const segment of segments) {
    if ('literal' in segment && KEY_SHAPE_FORBIDDEN.test(segment.literal)) {
      throw new Error(
        `key shape ${JSON.stringify(shape)}: literal text may not contain "*", "?", whitespace or unmatched braces; parameters are written {name}`,
      );
    }
  }
  return segments;
}

/** The parameter names of a shape, in order. */
export function keyShapeParams(shape: string): string[] {
  return parseKeyShape(shape).flatMap((segment) => ('param' in segment ? [segment.param] : []));
}

/**
 * The IAM `StringLike` pattern matching every key of the shape: each parameter becomes `?*`, one
 * character or more, so `PROJECT#{projectId}` allows `PROJECT#p-1` but not the empty `PROJECT#`.
 */
export function leadingKeysPattern(shape: string): string {
  return parseKeyShape(shape)
    .map((segment) => ('param' in segment ? '?*' : segment.literal))
    .join('');
}

/**
 * The `dynamodb:LeadingKeys` patterns of a write-sharded shape, one per shard: `{shard}` becomes each shard number
 * exactly, the other parameters `?*`, so `ORDERS#{shard}` with 3 shards allows `ORDERS#0`, `ORDERS#1` and
 * `ORDERS#2`, and neither `ORDERS#3` nor `ORDERS#x`.
 */
export function shardLeadingKeysPatterns(shape: string, shards: number): string[] {
  const segments = parseKeyShape(shape);
  return Array.from({ length: shards }, (_, shard) =>
    segments
      .map((segment) => {
        if (!('param' in segment)) return segment.literal;
        return segment.param === SHARD_PARAM ? `${shard}` : '?*';
      })
      .join(''),
  );
}

/**
 * The `dynamodb:LeadingKeys` pattern of a caller-bound shape: each bound parameter becomes the session tag of the
 * same name (`USER#${aws:PrincipalTag/userId}`), the others `?*`. Tag values cannot hold `#`, `*` or `?`, so a
 * caller's tag cannot stretch the pattern over another caller's partition.
 */
export function callerLeadingKeysPattern(shape: string, bound: readonly string[]): string {
  return parseKeyShape(shape)
    .map((segment) => {
      if (!('param' in segment)) return segment.literal;
      return bound.includes(segment.param) ? `\${aws:PrincipalTag/${segment.param}}` : '?*';
    })
    .join('');
}

/** Shapes parsed once per process: a handler fills a handful of them on every request. */
const parsedShapes = new Map<string, readonly KeyShapeSegment[]>();

function segmentsOf(shape: string): readonly KeyShapeSegment[] {
  let segments = parsedShapes.get(shape);
  if (segments === undefined) {
    segments = parseKeyShape(shape);
    parsedShapes.set(shape, segments);
  }
  return segments;
}

/** Checks a value before it goes into a key: throws to refuse it (the run-time toolkit answers 400). */
export type KeyValueCheck = (param: string, value: unknown) => void;

/**
 * Fills a shape in: `buildKey('PROJECT#{projectId}', { projectId: 'p-1' })` is `PROJECT#p-1`.
 *
 * A missing or empty value is an error, never an empty segment: `PROJECT#` would be a different key,
 * and for a sort key prefix it would widen a Query to every item of the partition. `check` sees each value
 * first.
 */
export function buildKey(
  shape: string,
  values: { readonly [param: string]: string | number },
  check?: KeyValueCheck,
): string {
  let key = '';
  for (const segment of segmentsOf(shape)) {
    if ('literal' in segment) {
      key += segment.literal;
      continue;
    }
    const value = values[segment.param];
    check?.(segment.param, value);
    if (value === undefined || value === null || `${value}` === '') {
      throw new Error(`key shape ${JSON.stringify(shape)} needs a value for {${segment.param}}`);
    }
    key += value;
  }
  return key;
}

/**
 * The key attributes of one item for a pattern, e.g. `{ PK: 'PROJECT#p-1', SK: 'TASK#t-1' }`: the `Key`
 * of a GetItem, UpdateItem or DeleteItem, or the key part of a PutItem's `Item`.
 */
export function itemKey(
  pattern: AccessPatternDescriptor,
  values: { readonly [param: string]: string | number },
  check?: KeyValueCheck,
): { [attribute: string]: string } {
  if (!pattern.partitionKey) throw new Error(`a ${pattern.operation} pattern has no key to build`);
  const [pk, pkShape] = pattern.partitionKey;
  const key: { [attribute: string]: string } = { [pk]: buildKey(pkShape, values, check) };
  if (pattern.sortKey) key[pattern.sortKey[0]] = buildKey(pattern.sortKey[1], values, check);
  return key;
}

/** The parts of a Query request for a pattern: its index, key condition, names and values. */
export interface QueryKeyCondition {
  readonly IndexName?: string;
  readonly KeyConditionExpression: string;
  readonly ExpressionAttributeNames: { [name: string]: string };
  readonly ExpressionAttributeValues: { [name: string]: string };
}

/**
 * The key condition of a Query pattern: the partition key equals its shape filled in, and the sort key
 * (when the pattern has a prefix) begins with its prefix filled in.
 */
export function queryKeyCondition(
  pattern: AccessPatternDescriptor,
  values: { readonly [param: string]: string | number },
  check?: KeyValueCheck,
): QueryKeyCondition {
  if (pattern.operation !== 'Query' || !pattern.partitionKey) {
    throw new Error(`queryKeyCondition needs a Query pattern, got: ${pattern.operation}`);
  }
  const [pk, pkShape] = pattern.partitionKey;
  const names: { [name: string]: string } = { '#pk': pk };
  const expressionValues: { [name: string]: string } = { ':pk': buildKey(pkShape, values, check) };
  let expression = '#pk = :pk';
  if (pattern.sortKey) {
    names['#sk'] = pattern.sortKey[0];
    expressionValues[':sk'] = buildKey(pattern.sortKey[1], values, check);
    expression += ' AND begins_with(#sk, :sk)';
  }
  return {
    ...(pattern.index ? { IndexName: pattern.index } : {}),
    KeyConditionExpression: expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: expressionValues,
  };
}
