import { createHash } from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { nowEpochSeconds } from './clock';
import { sendOptions } from './deadline';
import { liveCondition } from './items';
import { queryKeyConditionOf, queryKeyConditionsOf, type KeyValues } from './keys';
import { badRequest } from './problem';
import { rawOf, viewOf, type Item } from './representation';
import { DEFAULT_SHARD_CONCURRENCY, shardedPage } from './sharded-query';
import type { TableContext } from './table-config';
import type { AccessPatternDescriptor } from '../shared/key-shape';

/**
 * One page of a list. Its items are as a response may show them (see `ItemPattern`), each carrying its version
 * invisibly: a page has no one `ETag`, so a handler shows an item's with `entityTagOf(item)` if clients need it.
 */
export interface Page {
  readonly items: Item[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** Options of `QueryPattern.page()`. */
export interface PageOptions {
  /** Items per page, from 1 to `maxLimit`. Default `defaultLimit`. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
  /** Newest first when the sort key orders by time. Default false (ascending). */
  readonly descending?: boolean;
  readonly consistent?: boolean;
  /**
   * The items exactly as stored, keys and bookkeeping included. Only `true` counts, so options built from a query
   * string (`?raw=true`, a string) never turn it on. Default false.
   */
  readonly raw?: boolean;
}

/** Page-size limits of a list. */
export interface PageLimits {
  /** Every item of the pattern must expire: one without a numeric expiry is left out. Default false. */
  readonly expires?: boolean;
  /** Default 25. */
  readonly defaultLimit?: number;
  /** Default 100. */
  readonly maxLimit?: number;
  /**
   * How many shards of a write-sharded pattern are queried at once, from 1 (one after the other) up. Default 16: the
   * most shards (32) take two rounds, well within the SDK's 50 connections.
   */
  readonly shardConcurrency?: number;
}

const CURSOR_VERSION = 1;
const MAX_CURSOR_LENGTH = 2048;
const MAX_SORT_KEY_BYTES = 1024;
const MALFORMED = '`cursor` is not one this list issued: pass back the `nextCursor` of the previous page unchanged';

/**
 * A Query pattern of the function: the partition key is always built from its shape and the sort key always
 * starts with its prefix, so a list endpoint reads one partition of the items its role allows, and never scans.
 */
export class QueryPattern {
  public readonly defaultLimit: number;
  public readonly maxLimit: number;
  private readonly table: TableContext;
  private readonly name: string;
  private readonly descriptor: AccessPatternDescriptor;
  private readonly limits: PageLimits;

  constructor(table: TableContext, name: string, descriptor: AccessPatternDescriptor, limits: PageLimits = {}) {
    this.table = table;
    this.name = name;
    this.descriptor = descriptor;
    this.limits = limits;
    this.defaultLimit = limits.defaultLimit ?? 25;
    this.maxLimit = limits.maxLimit ?? 100;
    const concurrency = limits.shardConcurrency;
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new Error(`shardConcurrency must be a whole number of at least 1, got: ${String(concurrency)}`);
    }
  }

  /** The same pattern with other page-size limits. */
  public withLimits(limits: PageLimits): QueryPattern {
    return new QueryPattern(this.table, this.name, this.descriptor, { ...this.limits, ...limits });
  }

  /**
   * One page of the partition's items, oldest sort key first. Items past their expiry are left out (a filter,
   * so a page can hold fewer than `limit` items and still have a next page). A write-sharded pattern reads every
   * shard and merges them by sort key (see `shardedPage`).
   */
  public async page(values: KeyValues, options: PageOptions = {}): Promise<Page> {
    const limit = options.limit ?? this.defaultLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > this.maxLimit) {
      throw badRequest(`\`limit\` must be an integer from 1 to ${this.maxLimit}, got: ${String(limit)}`, [
        { field: 'limit', message: `an integer from 1 to ${this.maxLimit}` },
      ]);
    }
    if (this.descriptor.shards !== undefined) return this.shardedPage(values, limit, options);
    const keyCondition = queryKeyConditionOf(this.descriptor, values);
    const partition = keyCondition.ExpressionAttributeValues[':pk'];
    const prefix = keyCondition.ExpressionAttributeValues[':sk'] as string | undefined;
    const binding = this.binding(partition, prefix);
    const result = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.config.tableName,
        ...keyCondition,
        FilterExpression: liveCondition(this.limits.expires === true),
        ExpressionAttributeNames: { ...keyCondition.ExpressionAttributeNames, '#ttl': this.table.config.ttlAttribute },
        ExpressionAttributeValues: {
          ...keyCondition.ExpressionAttributeValues,
          ':now': nowEpochSeconds(this.table.clock),
        },
        Limit: limit,
        ScanIndexForward: !options.descending,
        ConsistentRead: options.consistent,
        ExclusiveStartKey:
          options.cursor === undefined ? undefined : this.decode(options.cursor, binding, partition, prefix),
      }),
      sendOptions(),
    );
    return {
      items: (result.Items ?? []).map((item) => (options.raw === true ? rawOf(item) : viewOf(item, this.table.config))),
      nextCursor: result.LastEvaluatedKey ? this.encode(result.LastEvaluatedKey, binding) : undefined,
    };
  }

  private async shardedPage(values: KeyValues, limit: number, options: PageOptions): Promise<Page> {
    if (this.descriptor.index !== undefined) {
      // Shards resume from table keys; ServerlessApi refuses `shards` with `indexName` for that reason.
      throw new Error(
        `access pattern "${this.name}" is sharded on index ${this.descriptor.index}: shards are read from the table only`,
      );
    }
    const page = await shardedPage({
      table: this.table,
      name: this.name,
      conditions: queryKeyConditionsOf(this.descriptor, values),
      filter: {
        FilterExpression: liveCondition(this.limits.expires === true),
        ExpressionAttributeNames: { '#ttl': this.table.config.ttlAttribute },
        ExpressionAttributeValues: { ':now': nowEpochSeconds(this.table.clock) },
      },
      limit,
      descending: Boolean(options.descending),
      consistent: options.consistent,
      cursor: options.cursor,
      concurrency: this.limits.shardConcurrency ?? DEFAULT_SHARD_CONCURRENCY,
    });
    return {
      items: page.items.map((item) => (options.raw === true ? rawOf(item) : viewOf(item, this.table.config))),
      nextCursor: page.nextCursor,
    };
  }

  /** What a cursor is bound to: this pattern, this partition and this prefix. */
  private binding(partition: string, prefix: string | undefined): string {
    return createHash('sha256')
      .update(`${this.name}\n${this.descriptor.index ?? ''}\n${partition}\n${prefix ?? ''}`)
      .digest('base64url')
      .slice(0, 16);
  }

  private encode(lastKey: Item, binding: string): string {
    return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, b: binding, k: lastKey }), 'utf8').toString('base64url');
  }

  /**
   * Turns a cursor back into a start key, refusing one issued for another list, and checking the start key
   * itself: its partition is the one being queried and its sort key has the pattern's prefix, so no edited
   * cursor can move the query into another partition, whatever its binding says.
   */
  private decode(cursor: string, binding: string, partition: string, prefix: string | undefined): Item {
    if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
      throw badRequest(MALFORMED, [{ field: 'cursor', message: 'not a cursor this list issued' }]);
    }
    let parsed: { v?: unknown; b?: unknown; k?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw badRequest(MALFORMED, [{ field: 'cursor', message: 'not a cursor this list issued' }]);
    }
    const key =
      typeof parsed?.k === 'object' && parsed.k !== null && !Array.isArray(parsed.k) ? (parsed.k as Item) : undefined;
    if (parsed?.v !== CURSOR_VERSION || key === undefined) {
      throw badRequest(MALFORMED, [{ field: 'cursor', message: 'not a cursor this list issued' }]);
    }
    if (parsed.b !== binding) {
      throw badRequest('`cursor` belongs to another list: start again without a cursor', [
        { field: 'cursor', message: 'issued for another list' },
      ]);
    }
    const [pk] = this.descriptor.partitionKey!;
    const sk = this.descriptor.sortKey?.[0];
    // Within DynamoDB's key limits (2,048 bytes for a partition key, 1,024 for a sort key), or the Query itself
    // would be refused: an edited cursor is the client's error, never a 500.
    const scalars = Object.values(key).every(
      (value) =>
        (typeof value === 'string' && Buffer.byteLength(value) <= MAX_SORT_KEY_BYTES) ||
        (typeof value === 'number' && Number.isFinite(value)),
    );
    const allowed = new Set([pk, sk, this.table.config.partitionKey, this.table.config.sortKey]);
    // An index's sort key is not in the descriptor when the pattern has no prefix: allow that one attribute.
    const unknownAllowed = this.descriptor.index !== undefined && sk === undefined ? 1 : 0;
    const unknown = Object.keys(key).filter((attribute) => !allowed.has(attribute)).length;
    const inRange =
      key[pk] === partition &&
      (sk === undefined ||
        prefix === undefined ||
        (typeof key[sk] === 'string' && (key[sk] as string).startsWith(prefix)));
    if (!scalars || !inRange || unknown > unknownAllowed) {
      throw badRequest(MALFORMED, [{ field: 'cursor', message: 'not a cursor this list issued' }]);
    }
    return key;
  }
}
