import { AccessPattern, AccessPatternOperation } from './access-pattern';
import { fail, isLiteral, numberText } from '../private/validation';
import { keyShapeParams, MAX_SHARDS, parseKeyShape, SHARD_PARAM } from '../shared/key-shape';

/**
 * Write sharding (`shards`): one logical partition spread over N physical ones, `ORDERS#0` to `ORDERS#{N-1}`.
 *
 * The shard of an item is computed from its sort key, never drawn at random: a random suffix spreads writes as well,
 * but an item written to a random shard can only be found again by reading every shard, and a conditional create
 * checks one shard only, so the same order could be created twice in two shards. A calculated suffix keeps each item
 * in exactly one place that get, update and delete compute again.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-sharding.html
 */

const SHARD = `{${SHARD_PARAM}}`;

/** Checks one pattern's `shards` against its own props; `at` is `accessPatterns.<name>`. */
export function checkShards(at: string, pattern: AccessPattern): void {
  const shards = pattern.shards;
  const shape = pattern.partitionKey!;
  const hasShardParam = keyShapeParams(shape).includes(SHARD_PARAM);
  if (shards === undefined) {
    if (hasShardParam) {
      fail(
        `${at}.shards`,
        `be set when the partition key has the ${SHARD} parameter, which the toolkit fills in for write-sharded patterns (or name the parameter otherwise)`,
        shards,
      );
    }
    return;
  }
  if (!isLiteral(shards)) {
    fail(
      `${at}.shards`,
      'be a number known at synth: it decides the partition keys the role may reach',
      numberText(shards),
    );
  }
  if (!Number.isInteger(shards) || shards < 2 || shards > MAX_SHARDS) {
    fail(`${at}.shards`, `be a whole number between 2 and ${MAX_SHARDS}`, shards);
  }
  if (!hasShardParam) {
    fail(
      `${at}.partitionKey`,
      `have the ${SHARD} parameter when \`shards\` is set, such as ${JSON.stringify(`${shape}#${SHARD}`)}: the toolkit fills it in with 0 to ${shards - 1}`,
      shape,
    );
  }
  if (pattern.singleton !== undefined) {
    fail(
      `${at}.singleton`,
      `be left out with \`shards\`: a sharded pattern spreads over ${shards} partitions`,
      pattern.singleton,
    );
  }
  if (pattern.callerBound !== undefined) {
    fail(
      `${at}.callerBound`,
      'be left out with `shards`: a caller-bound partition is one per caller already, and its session tags name it exactly',
      pattern.callerBound,
    );
  }
  if (pattern.indexName !== undefined) {
    fail(
      `${at}.indexName`,
      "be left out with `shards`: an index's keys are attributes the handler writes, so the toolkit cannot shard them; shard the table's partition key",
      pattern.indexName,
    );
  }
  if (pattern.operation !== AccessPatternOperation.QUERY && keyShapeParams(pattern.sortKey!).length === 0) {
    fail(
      `${at}.sortKey`,
      `have a parameter when \`shards\` is set: an item's shard is a hash of its sort key, so a constant sort key puts every item in one shard`,
      pattern.sortKey,
    );
  }
}

/**
 * Patterns of one partition key shape read and write the same shards: a query must gather the shards the puts spread
 * over, and a get must compute the shard the put computed. Shapes are compared with their other parameters' names
 * left out (`TENANT#{t}#ORDERS#{shard}` is `TENANT#{tenantId}#ORDERS#{shard}`).
 */
export function checkShardAgreement(patterns: { readonly [name: string]: AccessPattern }): void {
  const first = new Map<string, { name: string; shards: number }>();
  for (const [name, pattern] of Object.entries(patterns)) {
    if (pattern.shards === undefined || pattern.partitionKey === undefined) continue;
    const shape = shapeKey(pattern.partitionKey);
    const seen = first.get(shape);
    if (seen === undefined) {
      first.set(shape, { name, shards: pattern.shards });
    } else if (seen.shards !== pattern.shards) {
      fail(
        `accessPatterns.${name}.shards`,
        `be ${seen.shards} like \`accessPatterns.${seen.name}.shards\`: patterns of the partition key ${JSON.stringify(pattern.partitionKey)} read and write the same shards`,
        pattern.shards,
      );
    }
  }
}

/** A shape with every parameter but `{shard}` unnamed. */
function shapeKey(shape: string): string {
  return parseKeyShape(shape)
    .map((segment) => ('literal' in segment ? segment.literal : segment.param === SHARD_PARAM ? SHARD : '{}'))
    .join('');
}
