/** The local table as a test sees it: plain items in and out, past IAM, to arrange data and check what was written. */
import { fromItem, toItem, type AttributeValue, type PlainItem } from './dynamodb-json';
import type { LocalDynamoDb } from '../local/dynamodb';
import type { LocalTableModel } from '../local/model';
import type { FunctionTableCall } from '../local/run-local';

/** Settings for an AWS SDK client of the test's own (`new DynamoDBClient(api.table.clientConfig())`). */
export interface LocalTableClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * A DynamoDB call a function made: `function` (its declared name), `operation` (`Query`, `PutItem`...), `input`
 * (DynamoDB JSON), `status` (200, or 400 for an error such as a failed condition) and `errorType`
 * (`AccessDeniedException` when IAM denied it, `ConditionalCheckFailedException`...).
 */
export type LocalTableCall = FunctionTableCall;

export class LocalTable {
  /** The table's name, as the functions' environment has it. */
  public readonly tableName: string;

  constructor(
    private readonly dynamodb: LocalDynamoDb,
    private readonly table: LocalTableModel | undefined,
    private readonly recorded: readonly LocalTableCall[],
  ) {
    this.tableName = table?.tableName ?? '';
  }

  /** Every DynamoDB call the functions made so far, in the order answered; the test's own calls here are not in it. */
  public get calls(): readonly LocalTableCall[] {
    return [...this.recorded];
  }

  /**
   * Runs `action` (requests to the API) and returns its result with the functions' DynamoDB calls meanwhile: to
   * prove a route reads one partition with a Query and never scans, or that a refused request wrote nothing.
   */
  public async record<T>(action: () => Promise<T>): Promise<{ readonly result: T; readonly calls: LocalTableCall[] }> {
    const from = this.recorded.length;
    const result = await action();
    return { result, calls: this.recorded.slice(from) };
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
