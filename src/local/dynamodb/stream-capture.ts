/**
 * What a table's stream needs from each write: the item before and after it. DynamoDB writes a stream record for every
 * write that changes an item, with the old and new images; dynalite keeps no stream. So for a table with a stream the
 * endpoint holds a lock on each item a write touches, reads the item before forwarding the write and again once it
 * succeeded, and reports the change; a write that failed (a condition, a denial) or changed nothing reports none, as
 * DynamoDB writes no record for it. Tables without a stream pay nothing.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
 */
import type { Send } from './json-client';
import type { AttributeMap, ItemChange } from '../streams/change';

export interface StreamCaptureOptions {
  /** Straight to the engine, past IAM: reading images is DynamoDB's own work. */
  readonly send: Send;
  /** The key attribute names of a table. */
  readonly keyNames: (tableName: string) => readonly string[] | undefined;
  /** Whether the table has a stream now (a reload may turn it on or off). */
  readonly streamed: (tableName: string) => boolean;
  readonly emit: (change: ItemChange) => void;
}

type Input = { readonly [key: string]: unknown };
interface Target {
  readonly tableName: string;
  readonly key: AttributeMap;
}

const isObject = (value: unknown): value is Input =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON with object keys sorted: the same item read twice compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

export class StreamCapture {
  private readonly locks = new Map<string, Promise<void>>();
  private pending = 0;

  constructor(private readonly options: StreamCaptureOptions) {}

  /** Writes being captured now: their records are not in the stream yet. */
  get inFlight(): number {
    return this.pending;
  }

  /**
   * Before a write is forwarded: locks and reads the items it touches in tables with a stream. Resolves to what to
   * call with the engine's status once it answered, or undefined when the write touches no streamed table.
   */
  async begin(operation: string, input: Input): Promise<((status: number) => Promise<void>) | undefined> {
    const targets = this.targets(operation, input);
    if (targets.length === 0) return undefined;
    this.pending++;
    const release = await this.lockAll(targets);
    let before: (AttributeMap | undefined)[];
    try {
      before = await Promise.all(targets.map((target) => this.read(target)));
    } catch (error) {
      release();
      this.pending--;
      throw error;
    }
    return async (status) => {
      try {
        if (status !== 200) return;
        const after = await Promise.all(targets.map((target) => this.read(target)));
        targets.forEach((target, i) => this.report(target, before[i], after[i]));
      } finally {
        release();
        this.pending--;
      }
    };
  }

  /** Runs `action` holding the item's lock (the TTL sweeper's deletes, ordered with the endpoint's writes). */
  async serialize<R>(tableName: string, key: AttributeMap, action: () => Promise<R>): Promise<R> {
    this.pending++;
    const release = await this.lockAll([{ tableName, key }]);
    try {
      return await action();
    } finally {
      release();
      this.pending--;
    }
  }

  /** A TTL deletion: a REMOVE by DynamoDB itself. */
  expired(tableName: string, key: AttributeMap, oldImage: AttributeMap): void {
    if (this.options.streamed(tableName)) this.options.emit({ tableName, keys: key, oldImage, byTtl: true });
  }

  private report(target: Target, oldImage: AttributeMap | undefined, newImage: AttributeMap | undefined): void {
    if (oldImage === undefined && newImage === undefined) return;
    if (oldImage !== undefined && newImage !== undefined && canonical(oldImage) === canonical(newImage)) return;
    this.options.emit({
      tableName: target.tableName,
      keys: target.key,
      ...(oldImage ? { oldImage } : {}),
      ...(newImage ? { newImage } : {}),
    });
  }

  private async read(target: Target): Promise<AttributeMap | undefined> {
    const { Item } = await this.options.send('GetItem', {
      TableName: target.tableName,
      Key: target.key,
      ConsistentRead: true,
    });
    return Item;
  }

  /** The items a write touches in streamed tables; none for anything else. */
  private targets(operation: string, input: Input): Target[] {
    const keyOf = (tableName: unknown, item: unknown, whole: boolean): Target[] => {
      if (typeof tableName !== 'string' || !this.options.streamed(tableName) || !isObject(item)) return [];
      const names = this.options.keyNames(tableName);
      if (!names || !names.every((name) => name in item)) return [];
      return [{ tableName, key: whole ? Object.fromEntries(names.map((name) => [name, item[name]])) : item }];
    };
    switch (operation) {
      case 'PutItem':
        return keyOf(input.TableName, input.Item, true);
      case 'UpdateItem':
      case 'DeleteItem':
        return keyOf(input.TableName, input.Key, true);
      case 'BatchWriteItem':
        return Object.entries(isObject(input.RequestItems) ? input.RequestItems : {}).flatMap(([tableName, requests]) =>
          (Array.isArray(requests) ? requests : []).flatMap((request: unknown) => {
            const r = isObject(request) ? request : {};
            if (isObject(r.PutRequest)) return keyOf(tableName, r.PutRequest.Item, true);
            if (isObject(r.DeleteRequest)) return keyOf(tableName, r.DeleteRequest.Key, true);
            return [];
          }),
        );
      default:
        return [];
    }
  }

  /** Locks every item (in one order, so two batches never wait on each other); resolves to the release. */
  private async lockAll(targets: readonly Target[]): Promise<() => void> {
    const names = [...new Set(targets.map((target) => `${target.tableName}\u0000${canonical(target.key)}`))].sort();
    const releases: (() => void)[] = [];
    for (const name of names) {
      const previous = this.locks.get(name) ?? Promise.resolve();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const chained = previous.then(() => held);
      this.locks.set(name, chained);
      await previous;
      releases.push(() => {
        release();
        if (this.locks.get(name) === chained) this.locks.delete(name);
      });
    }
    return () => releases.forEach((release) => release());
  }
}
