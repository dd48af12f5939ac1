/** The local table as a test sees it: plain items in and out, past IAM, to arrange data and check what was written. */
import { fromItem, toItem, type AttributeValue, type PlainItem } from './dynamodb-json';
import type { LocalDynamoDb } from '../local/dynamodb';
import type { LocalTableModel } from '../local/model';

/** Settings for an AWS SDK client of the test's own (`new DynamoDBClient(api.table.clientConfig())`). */
export interface LocalTableClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export class LocalTable {
  /** The table's name, as the functions' environment has it. */
  public readonly tableName: string;

  constructor(
    private readonly dynamodb: LocalDynamoDb,
    private readonly table: LocalTableModel | undefined,
  ) {
    this.tableName = table?.tableName ?? '';
  }

  /** Every item, in the table's key order per partition (a Scan: fine for a test, never for a handler). */
  public async items(): Promise<PlainItem[]> {
    const items: PlainItem[] = [];
    let startKey: unknown;
    do {
      const page = (await this.dynamodb.request('Scan', {
        TableName: this.name(),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      })) as { Items?: { [name: string]: AttributeValue }[]; LastEvaluatedKey?: unknown };
      items.push(...(page.Items ?? []).map(fromItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** One item by its key, or undefined. */
  public async get(key: PlainItem): Promise<PlainItem | undefined> {
    const result = (await this.dynamodb.request('GetItem', {
      TableName: this.name(),
      Key: toItem(key, 'key'),
      ConsistentRead: true,
    })) as { Item?: { [name: string]: AttributeValue } };
    return result.Item ? fromItem(result.Item) : undefined;
  }

  /** Writes an item as is (replacing one with the same key). */
  public async put(item: PlainItem): Promise<void> {
    await this.dynamodb.request('PutItem', { TableName: this.name(), Item: toItem(item) });
  }

  public async delete(key: PlainItem): Promise<void> {
    await this.dynamodb.request('DeleteItem', { TableName: this.name(), Key: toItem(key, 'key') });
  }

  /** Deletes the items whose TTL has passed, now, instead of waiting for the sweeper; returns how many. */
  public async sweepExpired(): Promise<number> {
    return this.dynamodb.sweepExpired();
  }

  /** Endpoint and credentials of a client that bypasses the functions' IAM checks. */
  public clientConfig(): LocalTableClientConfig {
    return {
      endpoint: this.dynamodb.endpoint,
      region: this.dynamodb.region,
      credentials: this.dynamodb.adminCredentials,
    };
  }

  private name(): string {
    if (!this.table) throw new Error('the stack has no DynamoDB table');
    return this.table.tableName;
  }
}
