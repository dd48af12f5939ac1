/**
 * Time to Live, late as DynamoDB is: an item whose TTL attribute (a top-level Number, epoch seconds) is in the past is
 * expired, but reads keep returning it until a background process deletes it, typically within a few days; items
 * whose TTL is not a Number, or more than five years in the past, are never deleted.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html
 */
import type { LocalTableModel } from '../model';
import type { Send } from './json-client';
import type { StreamCapture } from './stream-capture';

export interface TtlSweeperOptions {
  readonly tables: readonly LocalTableModel[];
  /** Straight to the engine: TTL deletions are DynamoDB's own, no caller's role is involved. */
  readonly send: Send;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** An item is deleted once it has been expired for longer than this. */
  readonly delaySeconds: number;
  /** Orders each deletion with the endpoint's writes of the item, and reports it to the table's stream. */
  readonly capture?: StreamCapture;
  readonly log: (line: string) => void;
}

export class TtlSweeper {
  private readonly tables: readonly LocalTableModel[];
  private running: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: TtlSweeperOptions) {
    this.tables = options.tables.filter((table) => table.ttlAttribute !== undefined);
  }

  /** Deletes what is due now, after any pass already under way; resolves to the number of items deleted. */
  public sweep(): Promise<number> {
    const pass = this.running.then(() => this.pass());
    this.running = pass.catch(() => undefined);
    return pass;
  }

  /** Sweeps every `intervalMs` without keeping the process alive; a pass that fails is logged, not thrown. */
  public start(intervalMs: number): void {
    if (this.tables.length === 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) =>
        this.options.log(`TTL sweep failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass under way. */
  public async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async pass(): Promise<number> {
    const now = this.options.now();
    // Five calendar years back from now, as DynamoDB counts "no more than five years in the past".
    const oldest = new Date(now);
    oldest.setUTCFullYear(oldest.getUTCFullYear() - 5);
    const window = { cutoff: now / 1000 - this.options.delaySeconds, oldest: oldest.getTime() / 1000 };
    let deleted = 0;
    for (const table of this.tables) {
      const count = await this.sweepTable(table, window);
      if (count > 0) this.options.log(`TTL deleted ${count} expired item(s) from ${table.tableName}`);
      deleted += count;
    }
    return deleted;
  }

  private async sweepTable(table: LocalTableModel, window: { cutoff: number; oldest: number }): Promise<number> {
    const ttl = table.ttlAttribute as string;
    const keys = [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])];
    const names: { [placeholder: string]: string } = {};
    const placeholder = (name: string) => {
      const existing = Object.keys(names).find((p) => names[p] === name);
      if (existing) return existing;
      const p = `#a${Object.keys(names).length}`;
      names[p] = name;
      return p;
    };
    const ttlName = placeholder(ttl);
    const projection = [...new Set([...keys.map(placeholder), ttlName])].join(', ');
    let deleted = 0;
    let start: object | undefined;
    do {
      const page = await this.options.send('Scan', {
        TableName: table.tableName,
        ConsistentRead: true,
        ProjectionExpression: projection,
        FilterExpression: `attribute_type(${ttlName}, :number) AND ${ttlName} < :cutoff AND ${ttlName} >= :oldest`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':number': { S: 'N' },
          ':cutoff': { N: String(window.cutoff) },
          ':oldest': { N: String(window.oldest) },
        },
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of page.Items ?? []) {
        if (await this.deleteIfUnchanged(table, keys, ttl, item)) deleted++;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return deleted;
  }

  /** A write that moved the expiry (or removed it) since the scan wins: the item stays. */
  private async deleteIfUnchanged(
    table: LocalTableModel,
    keys: readonly string[],
    ttl: string,
    item: { [name: string]: unknown },
  ): Promise<boolean> {
    const key = Object.fromEntries(keys.map((name) => [name, item[name]]));
    const remove = async () => {
      try {
        const { Attributes } = await this.options.send('DeleteItem', {
          TableName: table.tableName,
          Key: key,
          ConditionExpression: '#ttl = :seen',
          ExpressionAttributeNames: { '#ttl': ttl },
          ExpressionAttributeValues: { ':seen': item[ttl] },
          ReturnValues: 'ALL_OLD',
        });
        // A TTL deletion is a REMOVE in the stream, made by DynamoDB itself.
        if (Attributes) this.options.capture?.expired(table.tableName, key, Attributes);
        return true;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    };
    return this.options.capture ? this.options.capture.serialize(table.tableName, key, remove) : remove();
  }
}
