import { callerTags, currentPrincipal, withCallerValues } from './caller';
import { badRequest } from './problem';
import { refuseShardValue, shardOf } from './shards';
import {
  buildKey,
  itemKey,
  keyShapeParams,
  queryKeyCondition,
  SHARD_PARAM,
  type AccessPatternDescriptor,
  type QueryKeyCondition,
} from '../shared/key-shape';

/** Values for a key shape's `{param}` placeholders. */
export type KeyValues = { readonly [param: string]: string | number };

/** Longest key value the toolkit accepts: DynamoDB allows 1,024 bytes for a sort key, shapes add their text. */
export const MAX_KEY_VALUE_LENGTH = 256;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const FORBIDDEN_IN_VALUE = /[#\u0000-\u001f\u007f]/;

/**
 * Checks one value bound for a key. "#" is refused because it separates the parts of a key: a value holding
 * one could make a key that parses as another shape's.
 */
function checkValue(param: string, value: unknown): void {
  if (typeof value === 'number' && Number.isFinite(value)) return;
  if (typeof value !== 'string') {
    throw new Error(`a key needs a string or finite number for {${param}}, got: ${String(value)}`);
  }
  // A string can only be empty because the request made it so (`{"taskId": ""}`, an empty path segment).
  if (value === '') {
    throw badRequest(`\`${param}\` must not be empty, got: ""`, [{ field: param, message: 'must not be empty' }]);
  }
  if (value.length > MAX_KEY_VALUE_LENGTH) {
    throw badRequest(`\`${param}\` must be at most ${MAX_KEY_VALUE_LENGTH} characters, got ${value.length}`, [
      { field: param, message: `at most ${MAX_KEY_VALUE_LENGTH} characters` },
    ]);
  }
  if (FORBIDDEN_IN_VALUE.test(value)) {
    throw badRequest(`\`${param}\` may not contain "#" or control characters, got: ${JSON.stringify(value)}`, [
      { field: param, message: 'may not contain "#" or control characters' },
    ]);
  }
}

/**
 * Fills a key shape, refusing a value that could change which key it names. A missing value is a programming
 * error (an Error, answered 500); a bad value from the request, an empty one included, is a 400 naming the
 * parameter.
 */
export function fillKeyShape(shape: string, values: KeyValues): string {
  return buildKey(shape, values, checkValue);
}

/**
 * The key attributes of one item for an item pattern (`{ PK: 'PROJECT#p-1', SK: 'TASK#t-1' }`): built only from
 * the pattern's shapes, so the key is always one the function's role may touch.
 */
export function itemKeyOf(descriptor: AccessPatternDescriptor, values: KeyValues): { [attribute: string]: string } {
  const bound = boundValues(descriptor, values);
  if (descriptor.shards === undefined) return itemKey(descriptor, bound, checkValue);
  refuseShardValue(descriptor, values);
  // The shard follows from the sort key, so a get, update or delete computes the shard the put computed.
  const sortKey = fillKeyShape(descriptor.sortKey![1], bound);
  return itemKey(descriptor, { ...bound, [SHARD_PARAM]: shardOf(sortKey, descriptor.shards) }, checkValue);
}

/**
 * The key condition of a Query pattern, its values checked like every key's. A sharded pattern has one per shard,
 * in shard order (`queryKeyConditionsOf`); this one is for unsharded patterns.
 */
export function queryKeyConditionOf(descriptor: AccessPatternDescriptor, values: KeyValues): QueryKeyCondition {
  if (descriptor.shards !== undefined) {
    throw new Error('a sharded Query pattern has one key condition per shard: use queryKeyConditionsOf');
  }
  return queryKeyCondition(descriptor, boundValues(descriptor, values), checkValue);
}

/** The key conditions of a Query pattern, one per shard from 0 (one for an unsharded pattern). */
export function queryKeyConditionsOf(descriptor: AccessPatternDescriptor, values: KeyValues): QueryKeyCondition[] {
  const bound = boundValues(descriptor, values);
  if (descriptor.shards === undefined) return [queryKeyCondition(descriptor, bound, checkValue)];
  refuseShardValue(descriptor, values);
  return Array.from({ length: descriptor.shards }, (_, shard) =>
    queryKeyCondition(descriptor, { ...bound, [SHARD_PARAM]: shard }, checkValue),
  );
}

/**
 * `values` with a caller-bound pattern's parameters filled in from the caller being served: the key a handler builds
 * is always the caller's own (another caller's value is a 403).
 */
function boundValues(descriptor: AccessPatternDescriptor, values: KeyValues): KeyValues {
  if (descriptor.caller === undefined) return values;
  return withCallerValues(
    values,
    callerTags(descriptor.caller, currentPrincipal(), `the key shape "${descriptor.partitionKey?.[1] ?? ''}"`),
  );
}

/** The parameter names a pattern's key needs from the handler, in order: a sharded pattern's `shard` is not one. */
export function keyParamsOf(descriptor: AccessPatternDescriptor): string[] {
  const shapes = [descriptor.partitionKey?.[1], descriptor.sortKey?.[1]].filter((s): s is string => s !== undefined);
  const params = [...new Set(shapes.flatMap(keyShapeParams))];
  return descriptor.shards === undefined ? params : params.filter((param) => param !== SHARD_PARAM);
}
