// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowEpochSeconds } from './clock';
import { sendOptions } from './deadline';
import { isConditionalCheckFailed, itemOfConditionFailure } from './dynamodb-errors';
import type { DeleteOptions, GetOptions, ItemPatternOptions, UpdateOptions, WriteOptions } from './item-options';
import { itemKeyOf, keyParamsOf, type KeyValues } from './keys';
import { conflict, notFound, preconditionFailed } from './problem';
import { rawOf, VERSION_ATTRIBUTE, viewOf, type Item } from './representation';
import type { TableContext } from './table-config';
import { carriesWrite, nextWriteId, notYetWritten, WRITE_ID_ATTRIBUTE } from './write-ids';
import type { AccessPatternDescriptor } from '../shared/key-shape';

// Patterns take these options where `Table.item()` makes them.
export type { ItemPatternOptions } from './item-options';

const RESERVED = new Set([WRITE_ID_ATTRIBUTE, VERSION_ATTRIBUTE]);

/** The condition that an item has not expired, as the pattern counts expiry. */
export function liveCondition(expires: boolean): string {
  return expires ? '#ttl > :now' : '(attribute_not_exists(#ttl) OR #ttl > :now)';
}

/**
 * One item access pattern of the function: keys built from its shapes, and conditional writes by default.
 *
 * The items it returns are as a response may show them: without the table's and the indexes' key attributes,
 * the write id and the version. Each carries its version invisibly, so `ok(item)` answers with `ETag: "<version>"`
 * (`versionOf(item)` reads it). `get(values, { raw: true })` returns the item as stored.
 */
export class ItemPattern {
  private readonly table: TableContext;
  private readonly name: string;
  private readonly descriptor: AccessPatternDescriptor;
  private readonly options: ItemPatternOptions;

  constructor(
    table: TableContext,
    name: string,
    descriptor: AccessPatternDescriptor,
    options: ItemPatternOptions = {},
  ) {
    this.table = table;
    this.name = name;
    this.descriptor = descriptor;
    this.options = options;
  }

  /** The item's key (`{ PK, SK }`), from the pattern's key shapes and `values`. */
  public key(values: KeyValues): { [attribute: string]: string } {
    return itemKeyOf(this.descriptor, values);
  }

  /**
   * Reads the item, treating one past its expiry as absent: DynamoDB's TTL deletes expired items in the
   * background, often days late, so an expired item can still be read.
   */
  public async get(values: KeyValues, options: GetOptions = {}): Promise<Item | undefined> {
    this.require('GetItem', 'get');
    const result = await this.table.client.send(
      new GetCommand({
        TableName: this.table.config.tableName,
        Key: this.key(values),
        ConsistentRead: options.consistent,
      }),
      sendOptions(),
    );
    const item = this.liveRaw(result.Item);
    if (item === undefined) return undefined;
    return options.raw === true ? rawOf(item) : viewOf(item, this.table.config);
  }

  /**
   * Creates the item unless it exists (an expired item counts as absent): 409 when it does. A create is never
   * an overwrite, so a retried or concurrent create cannot clobber the first.
   */
  public async create(values: KeyValues, attributes: Item, options: WriteOptions = {}): Promise<Item> {
    this.require('PutItem', 'create');
    this.requireExpiry(options);
    const { tableName, partitionKey, ttlAttribute } = this.table.config;
    const key = this.key(values);
    const write = nextWriteId(tableName, key);
    const item: Item = Object.assign(this.attributes(attributes, options), key);
    item[VERSION_ATTRIBUTE] = 1;
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: tableName,
          Item: Object.assign({ [WRITE_ID_ATTRIBUTE]: write.id }, item),
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#pk': partitionKey, '#ttl': ttlAttribute },
          ExpressionAttributeValues: { ':now': this.now() },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        sendOptions(),
      );
      return viewOf(item, this.table.config);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = await this.current(values, error);
      // This write (retried by the SDK, or made by an earlier run of the same idempotent request) is there.
      if (carriesWrite(current, write)) return viewOf(current!, this.table.config);
      throw conflict(`${this.describe(values)} already exists`);
    }
  }

  /**
   * Writes the item whether or not it exists: for items whose every write carries the whole state. It has no
   * version (a put cannot count the writes before it), so it is answered without an `ETag`, and an `ifVersion`
   * on it is a 412. It is not written again while it holds this very write (the SDK's retry, or another run of
   * the same idempotent request).
   */
  public async put(values: KeyValues, attributes: Item, options: WriteOptions = {}): Promise<Item> {
    this.require('PutItem', 'put');
    this.requireExpiry(options);
    const key = this.key(values);
    const write = nextWriteId(this.table.config.tableName, key);
    const item = Object.assign(this.attributes(attributes, options), key);
    const unwritten = notYetWritten(write);
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.config.tableName,
          Item: Object.assign({ [WRITE_ID_ATTRIBUTE]: write.id }, item),
          ConditionExpression: unwritten.condition,
          ExpressionAttributeNames: unwritten.names,
          ExpressionAttributeValues: unwritten.values,
        }),
        sendOptions(),
      );
    } catch (error) {
      // The condition's only clause: the item already holds this write.
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return viewOf(item, this.table.config);
  }

  /**
   * Updates an existing, unexpired item: 404 when there is none, 409 when it is not in the `expect`ed state,
   * 412 when its version is not `ifVersion`. Returns the item as it is after the update.
   */
  public async update(values: KeyValues, options: UpdateOptions): Promise<Item> {
    this.require('UpdateItem', 'update');
    const { tableName, partitionKey, ttlAttribute } = this.table.config;
    const key = this.key(values);
    const write = nextWriteId(tableName, key);
    const unwritten = notYetWritten(write);
    const set = this.attributes(options.set ?? {}, options);
    set[WRITE_ID_ATTRIBUTE] = write.id;
    const names: { [name: string]: string } = {
      '#pk': partitionKey,
      '#ttl': ttlAttribute,
      '#v': VERSION_ATTRIBUTE,
      ...unwritten.names,
    };
    const expressionValues: Item = { ':now': this.now(), ':one': 1, ...unwritten.values };
    // Undefined values are left out, as the document client leaves them out of a put.
    const assignments = Object.entries(set).flatMap(([attribute, value], i) => {
      if (value === undefined) return [];
      names[`#s${i}`] = attribute;
      expressionValues[`:s${i}`] = value;
      return [`#s${i} = :s${i}`];
    });
    const removals = (options.remove ?? []).map((attribute, i) => {
      this.checkAttribute(attribute);
      names[`#r${i}`] = attribute;
      return `#r${i}`;
    });
    // Without the write id clause, the SDK's retry of an applied update would apply it again (one version more).
    const conditions = ['attribute_exists(#pk)', liveCondition(this.options.expires === true), unwritten.condition];
    conditions.push(...this.expectations(options, names, expressionValues));
    const expression = `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''} ADD #v :one`;
    try {
      const result = await this.table.client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: expression,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: expressionValues,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        sendOptions(),
      );
      return viewOf(result.Attributes ?? {}, this.table.config);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = await this.current(values, error);
      if (carriesWrite(current, write)) return viewOf(current!, this.table.config);
      throw this.refusal(values, current, options);
    }
  }

  /**
   * Deletes an existing, unexpired item and returns it: 404 when there is none, 409 or 412 when it is not in
   * the expected state or version.
   */
  public async delete(values: KeyValues, options: DeleteOptions = {}): Promise<Item> {
    this.require('DeleteItem', 'delete');
    const { tableName, partitionKey, ttlAttribute } = this.table.config;
    const names: { [name: string]: string } = { '#pk': partitionKey, '#ttl': ttlAttribute };
    const expressionValues: Item = { ':now': this.now() };
    const conditions = ['attribute_exists(#pk)', liveCondition(this.options.expires === true)];
    conditions.push(...this.expectations(options, names, expressionValues));
    try {
      const result = await this.table.client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: this.key(values),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: expressionValues,
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        sendOptions(),
      );
      return viewOf(result.Attributes ?? {}, this.table.config);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      throw this.refusal(values, await this.current(values, error), options);
    }
  }

  /** Whether the item is past its expiry (the table's TTL attribute, epoch seconds). */
  public isExpired(item: Item, now: number = this.now()): boolean {
    const expiresAt = item[this.table.config.ttlAttribute];
    return typeof expiresAt === 'number' ? expiresAt <= now : this.options.expires === true;
  }

  /** Now, in epoch seconds, by the table's clock. */
  private now(): number {
    return nowEpochSeconds(this.table.clock);
  }

  private expectations(options: DeleteOptions, names: { [name: string]: string }, values: Item): string[] {
    const conditions = Object.entries(options.expect ?? {}).map(([attribute, value], i) => {
      names[`#e${i}`] = attribute;
      values[`:e${i}`] = value;
      return `#e${i} = :e${i}`;
    });
    const versions = versionsOf(options);
    if (versions !== undefined) {
      names['#v'] = VERSION_ATTRIBUTE;
      versions.forEach((version, i) => (values[`:version${i}`] = version));
      // No version accepted: never true, so an existing item is a 412 and a missing one still a 404.
      conditions.push(
        versions.length ? `#v IN (${versions.map((_, i) => `:version${i}`).join(', ')})` : 'attribute_not_exists(#pk)',
      );
    }
    return conditions;
  }

  /** Why a conditional update or delete was refused, from the item as it is now. */
  private refusal(values: KeyValues, current: Item | undefined, options: DeleteOptions) {
    if (current === undefined) return notFound(`${this.describe(values)} does not exist`);
    const versions = versionsOf(options);
    if (versions !== undefined && !versions.includes(current[VERSION_ATTRIBUTE] as number)) {
      const wanted = versions.length ? versions.join(' or ') : 'any version given';
      return preconditionFailed(
        `${this.describe(values)} is at version ${String(current[VERSION_ATTRIBUTE])}, not ${wanted}: read it again and retry`,
        { currentVersion: current[VERSION_ATTRIBUTE] },
      );
    }
    const state = Object.fromEntries(
      Object.keys(options.expect ?? {}).map((attribute) => [attribute, current[attribute]]),
    );
    const wanted = JSON.stringify(options.expect ?? {});
    return conflict(`${this.describe(values)} is not in the expected state ${wanted}`, { currentState: state });
  }

  /**
   * The item as it is after a condition failed: from the failure itself (DynamoDB returns it with
   * `ReturnValuesOnConditionCheckFailure`), else by a consistent read when the function may read the key (some
   * DynamoDB-compatible servers do not return it). Undefined when it does not exist or has expired.
   */
  private async current(values: KeyValues, error: unknown): Promise<Item | undefined> {
    const returned = itemOfConditionFailure(error);
    if (returned !== undefined) return this.liveRaw(returned);
    if (!this.mayReadBack()) return undefined;
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.config.tableName, Key: this.key(values), ConsistentRead: true }),
      sendOptions(),
    );
    return this.liveRaw(result.Item);
  }

  private liveRaw(item: Item | undefined): Item | undefined {
    return item === undefined || this.isExpired(item) ? undefined : item;
  }

  /** A GetItem pattern of the function with this pattern's key shapes, which lets it read this item back. */
  private mayReadBack(): boolean {
    const same = (a?: readonly [string, string], b?: readonly [string, string]) =>
      a?.[0] === b?.[0] && a?.[1] === b?.[1];
    return Object.values(this.table.config.accessPatterns).some(
      (d) =>
        d.operation === 'GetItem' &&
        d.index === undefined &&
        same(d.partitionKey, this.descriptor.partitionKey) &&
        same(d.sortKey, this.descriptor.sortKey),
    );
  }

  /** A copy of the caller's attributes (never the caller's object), with the expiry when one is asked for. */
  private attributes(attributes: Item, options: WriteOptions): Item {
    for (const attribute in attributes) this.checkAttribute(attribute);
    const copy: Item = Object.assign({}, attributes);
    if (options.ttlSeconds !== undefined) {
      if (!Number.isFinite(options.ttlSeconds) || options.ttlSeconds <= 0) {
        throw new Error(`ttlSeconds must be a positive number of seconds, got: ${options.ttlSeconds}`);
      }
      copy[this.table.config.ttlAttribute] = this.now() + Math.ceil(options.ttlSeconds);
    }
    return copy;
  }

  private checkAttribute(attribute: string): void {
    const { partitionKey, sortKey } = this.table.config;
    if (attribute === partitionKey || attribute === sortKey || RESERVED.has(attribute)) {
      throw new Error(
        `attribute "${attribute}" is managed by the toolkit: keys come from the pattern's shapes, "${VERSION_ATTRIBUTE}" and "${WRITE_ID_ATTRIBUTE}" from its writes`,
      );
    }
  }

  private requireExpiry(options: WriteOptions): void {
    if (this.options.expires && options.ttlSeconds === undefined) {
      throw new Error(`access pattern "${this.name}" is declared \`expires\`: pass \`ttlSeconds\` to every write`);
    }
  }

  private require(operation: string, method: string): void {
    if (this.descriptor.operation !== operation) {
      throw new Error(
        `access pattern "${this.name}" is a ${this.descriptor.operation}: ${method}() needs a ${operation} pattern, which grants that action`,
      );
    }
  }

  /** The item as the caller knows it, by its key values (`projectId "p-1", taskId "t-1"`), never its storage key. */
  private describe(values: KeyValues): string {
    if (this.options.label) return this.options.label(values);
    const named = keyParamsOf(this.descriptor).map((param) => `${param} ${JSON.stringify(String(values[param]))}`);
    return named.length ? `the item with ${named.join(', ')}` : 'the item';
  }
}

/** The versions an `ifVersion` accepts, without repeats; undefined when it sets no precondition. */
function versionsOf(options: DeleteOptions): readonly number[] | undefined {
  const { ifVersion } = options;
  if (ifVersion === undefined) return undefined;
  return typeof ifVersion === 'number' ? [ifVersion] : [...new Set(ifVersion)];
}
