import { createHash } from 'crypto';
import { badRequest } from './problem';
import { SHARD_PARAM, type AccessPatternDescriptor } from '../shared/key-shape';

/**
 * The shard of an item of a write-sharded pattern: the first four bytes of the SHA-256 of its sort key (UTF-8), as
 * a big-endian unsigned integer, modulo `shards`.
 *
 * Part of how items are stored, so it never changes: the same sort key gives the same shard in every function and
 * every version of the toolkit, and any language can compute it (a backfill, a migration). SHA-256 rather than a
 * faster non-cryptographic hash because it is in every standard library, spreads short keys that differ in one
 * character evenly, and costs about a microsecond, next to milliseconds for the write. Only the sort key goes in,
 * so patterns that name their parameters differently (`ORDER#{orderId}`, `ORDER#{id}`) agree on an item's shard.
 * The modulo's bias is below shards / 2^32, nothing next to the hash's own spread.
 */
export function shardOf(sortKey: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1) {
    throw new Error(`shards must be a positive whole number, got: ${String(shards)}`);
  }
  return createHash('sha256').update(sortKey, 'utf8').digest().readUInt32BE(0) % shards;
}

/**
 * Refuses a `shard` value from the handler: the toolkit computes it, and a value passed along from the request
 * (`{ ...params, ...body }`) must not choose the partition. Like a caller-bound value, it is refused before anything
 * is sent.
 */
export function refuseShardValue(descriptor: AccessPatternDescriptor, values: { readonly [param: string]: unknown }) {
  if (descriptor.shards === undefined || !Object.hasOwn(values, SHARD_PARAM)) return;
  const given = values[SHARD_PARAM];
  if (given === undefined) return;
  throw badRequest(
    `\`${SHARD_PARAM}\` is not chosen by the request: the toolkit computes it for a sharded access pattern, got: ${JSON.stringify(given)}`,
    [{ field: SHARD_PARAM, message: 'computed by the server' }],
  );
}
