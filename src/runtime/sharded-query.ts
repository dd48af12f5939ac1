import { createHash } from 'crypto';
import { deflateRawSync, inflateRawSync } from 'zlib';
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { sendOptions } from './deadline';
import { badRequest } from './problem';
import type { Item } from './representation';
import type { TableContext } from './table-config';
import type { QueryKeyCondition } from '../shared/key-shape';

/**
 * A page of a write-sharded Query pattern: every shard queried in parallel (at most `concurrency` at once), the
 * results merged by sort key in the order asked for, and a cursor holding each shard's own position.
 *
 * Each shard is asked for `limit` items, so a page is full whichever shards hold its items, at the price of reading
 * up to `shards` times `limit` items. An item is only returned once every shard has been read past its sort key (or
 * has nothing more): a shard that stopped early (its `LastEvaluatedKey`) bounds the page, and the items after that
 * bound wait for the next page, which reads them again.
 */

/** Shards of a sharded pattern queried at once unless the pattern says otherwise. */
export const DEFAULT_SHARD_CONCURRENCY = 16;

const CURSOR_VERSION = 2;
/** A shard's position in a cursor: not read yet, read to its end, or the sort key after which it resumes. */
const NOT_STARTED = 0;
const EXHAUSTED = 1;
type Position = typeof NOT_STARTED | typeof EXHAUSTED | string;

/** 32 sort keys of up to 1,024 bytes each, compressed, fit well within; longer text is not a cursor this list made. */
const MAX_CURSOR_LENGTH = 8192;
/** Bounds what an edited cursor may inflate to. */
const MAX_INFLATED_BYTES = 64 * 1024;
const MAX_SORT_KEY_BYTES = 1024;
const MALFORMED = '`cursor` is not one this list issued: pass back the `nextCursor` of the previous page unchanged';

/** What one page of a sharded list needs. */
export interface ShardedPageRequest {
  readonly table: TableContext;
  /** The pattern's name, which binds its cursors. */
  readonly name: string;
  /** The key condition of each shard, from shard 0. */
  readonly conditions: readonly QueryKeyCondition[];
  /** The expiry filter and its names and values, as an unsharded page has them. */
  readonly filter: Pick<
    QueryCommandInput,
    'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >;
  readonly limit: number;
  readonly descending: boolean;
  readonly consistent?: boolean;
  readonly cursor?: string;
  readonly concurrency: number;
}

interface ShardResult {
  readonly shard: number;
  readonly items: Item[];
  /** The sort key of the shard's `LastEvaluatedKey`: read up to there, maybe more after. */
  readonly last?: string;
}

interface Entry {
  readonly shard: number;
  readonly item: Item;
  readonly sortKey: string;
  readonly bytes: Buffer;
}

/** One page of a sharded list, its items as stored; `nextCursor` absent once every shard is read to its end. */
export async function shardedPage(request: ShardedPageRequest): Promise<{ items: Item[]; nextCursor?: string }> {
  const { table, conditions, limit, descending } = request;
  const { partitionKey: pk, sortKey: sk } = table.config;
  const prefix = conditions[0].ExpressionAttributeValues[':sk'] as string | undefined;
  const binding = bindingOf(request, prefix);
  const positions: Position[] =
    request.cursor === undefined
      ? conditions.map(() => NOT_STARTED)
      : decode(request.cursor, binding, conditions.length, prefix);

  const pending = positions.flatMap((position, shard) => (position === EXHAUSTED ? [] : [shard]));
  const results = await mapBounded(pending, request.concurrency, async (shard): Promise<ShardResult> => {
    const condition = conditions[shard];
    const position = positions[shard];
    const result = await table.client.send(
      new QueryCommand({
        TableName: table.config.tableName,
        ...condition,
        FilterExpression: request.filter.FilterExpression,
        ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, ...request.filter.ExpressionAttributeNames },
        ExpressionAttributeValues: {
          ...condition.ExpressionAttributeValues,
          ...request.filter.ExpressionAttributeValues,
        },
        Limit: limit,
        ScanIndexForward: !descending,
        ConsistentRead: request.consistent,
        ExclusiveStartKey:
          typeof position === 'string'
            ? { [pk]: condition.ExpressionAttributeValues[':pk'], [sk]: position }
            : undefined,
      }),
      sendOptions(),
    );
    const last = result.LastEvaluatedKey?.[sk];
    return { shard, items: result.Items ?? [], ...(typeof last === 'string' ? { last } : {}) };
  });

  // DynamoDB orders string sort keys by their UTF-8 bytes, which JavaScript's string order (UTF-16) does not follow
  // past U+FFFF: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
  const direction = descending ? -1 : 1;
  const before = (a: Buffer, b: Buffer) => direction * Buffer.compare(a, b);
  const entries: Entry[] = results.flatMap(({ shard, items }) =>
    items.map((item) => {
      const sortKey = String(item[sk]);
      return { shard, item, sortKey, bytes: Buffer.from(sortKey, 'utf8') };
    }),
  );
  entries.sort((a, b) => before(a.bytes, b.bytes) || a.shard - b.shard);
  // The least advanced shard that stopped early: nothing past its position is known to come in order.
  let frontier: Buffer | undefined;
  for (const { last } of results) {
    if (last === undefined) continue;
    const bytes = Buffer.from(last, 'utf8');
    if (frontier === undefined || before(bytes, frontier) < 0) frontier = bytes;
  }
  const page = (frontier === undefined ? entries : entries.filter((e) => before(e.bytes, frontier) <= 0)).slice(
    0,
    limit,
  );
  const cut = page.length === limit ? page[limit - 1].bytes : frontier;

  for (const { shard, items, last } of results) {
    const emitted = page.filter((entry) => entry.shard === shard);
    const allEmitted = emitted.length === items.length;
    if (allEmitted && last === undefined) {
      positions[shard] = EXHAUSTED;
    } else if (allEmitted && last !== undefined && cut !== undefined && before(Buffer.from(last, 'utf8'), cut) <= 0) {
      // Read up to the bound with nothing left to show (the expiry filter took the rest): resume after it.
      positions[shard] = last;
    } else if (emitted.length > 0) {
      positions[shard] = emitted[emitted.length - 1].sortKey;
    }
  }
  const done = positions.every((position) => position === EXHAUSTED);
  return {
    items: page.map((entry) => entry.item),
    ...(done ? {} : { nextCursor: encode(positions, binding) }),
  };
}

/**
 * Runs `fn` over `inputs`, at most `concurrency` at a time, and returns the results in input order. After a failure
 * nothing more is started, and the failure is the result.
 */
export async function mapBounded<T, R>(
  inputs: readonly T[],
  concurrency: number,
  fn: (input: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(inputs.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < inputs.length) {
      const index = next++;
      try {
        results[index] = await fn(inputs[index]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  return results;
}

/** What a cursor is bound to: this pattern, this partition's shards, this prefix and this order. */
function bindingOf(request: ShardedPageRequest, prefix: string | undefined): string {
  const partitions = request.conditions.map((condition) => condition.ExpressionAttributeValues[':pk']).join('\n');
  return createHash('sha256')
    .update(`${request.name}\n${partitions}\n${prefix ?? ''}\n${request.descending ? 'descending' : 'ascending'}`)
    .digest('base64url')
    .slice(0, 16);
}

function encode(positions: readonly Position[], binding: string): string {
  const json = JSON.stringify({ v: CURSOR_VERSION, b: binding, s: positions });
  return deflateRawSync(Buffer.from(json, 'utf8')).toString('base64url');
}

function malformed(): Error {
  return badRequest(MALFORMED, [{ field: 'cursor', message: 'not a cursor this list issued' }]);
}

/**
 * Each shard's position from a cursor, refusing one issued for another list (or the other order), and checking every
 * position: the partitions come from the pattern, never from the cursor, and each position is a sort key with the
 * pattern's prefix, so no edited cursor can move the query out of the list.
 */
function decode(cursor: string, binding: string, shards: number, prefix: string | undefined): Position[] {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw malformed();
  let parsed: { v?: unknown; b?: unknown; s?: unknown };
  try {
    const json = inflateRawSync(Buffer.from(cursor, 'base64url'), { maxOutputLength: MAX_INFLATED_BYTES });
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    throw malformed();
  }
  if (parsed?.v !== CURSOR_VERSION || !Array.isArray(parsed.s)) throw malformed();
  if (parsed.b !== binding) {
    throw badRequest('`cursor` belongs to another list: start again without a cursor', [
      { field: 'cursor', message: 'issued for another list' },
    ]);
  }
  const positions = parsed.s as unknown[];
  const valid =
    positions.length === shards &&
    positions.every(
      (position) =>
        position === NOT_STARTED ||
        position === EXHAUSTED ||
        (typeof position === 'string' &&
          position !== '' &&
          Buffer.byteLength(position) <= MAX_SORT_KEY_BYTES &&
          (prefix === undefined || position.startsWith(prefix))),
    );
  if (!valid || positions.every((position) => position === EXHAUSTED)) throw malformed();
  return positions as Position[];
}
