/**
 * The local DynamoDB of the tests: dynalite in this process, on a loopback port, with a table created from a
 * schema, and a record of the requests the server received (from any client), each with the status it answered.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';

// The SDK warns about the Node version on its first client; tests are not the place to hear it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Operations that change the table. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** One request the table received: its operation (`Query`, `PutItem`...) and its input, in DynamoDB JSON. */
export interface TableOperation {
  readonly operation: string;
  readonly input: any;
  /** The HTTP status the server answered with; undefined until it has answered. */
  readonly status?: number;
}

/** A table in an in-process dynalite server. */
export interface LocalTable {
  readonly tableName: string;
  /** `http://127.0.0.1:<port>` of the server. */
  readonly endpoint: string;
  /** A document client for arranging and checking items directly, beside the code under test. */
  readonly client: DynamoDBDocumentClient;
  /** Every item in the table (tests may scan; the toolkit never does). */
  items(): Promise<Record<string, unknown>[]>;
  put(item: Record<string, unknown>): Promise<void>;
  /**
   * Runs `action` and returns, with its result, every request the table received meanwhile (from any client),
   * in arrival order: to prove how a handler reaches the table (one Query, never a Scan), and what it wrote.
   */
  record<T>(action: () => Promise<T>): Promise<{ readonly result: T; readonly operations: TableOperation[] }>;
  close(): Promise<void>;
}

/** The writes among `operations` that the table applied (answered 200). */
export function appliedWrites(operations: readonly TableOperation[]): TableOperation[] {
  return operations.filter((op) => WRITE_OPERATIONS.has(op.operation) && op.status === 200);
}

/** The string or number value of a key attribute in DynamoDB JSON (`{ S: 'PROJECT#a' }` gives `PROJECT#a`). */
export function keyValue(attribute: unknown): string | undefined {
  if (typeof attribute !== 'object' || attribute === null) return undefined;
  const value = (attribute as { S?: unknown }).S ?? (attribute as { N?: unknown }).N;
  return typeof value === 'string' ? value : undefined;
}

/** The variables the AWS SDK reads, pointing it at `endpoint` with throwaway credentials. */
export function sdkEnvironment(endpoint: string): { [name: string]: string } {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * Starts dynalite on a random loopback port, creates `table` (on demand) and points the AWS SDK at it (process
 * environment), so a client created afterwards talks to this table.
 */
export async function startLocalTable(table: CreateTableCommandInput & { TableName: string }): Promise<LocalTable> {
  const server = dynalite({ createTableMs: 0 });
  // Keep idle connections open like DynamoDB does, rather than Node's 5 seconds: after a pause, every handler
  // would otherwise reconnect at once, and a burst of connections to this single-threaded server can outlast the
  // handlers' 1-second connection timeout.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let recording: { operation: string; input: any; status?: number }[] | undefined;
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const log = recording;
    if (log === undefined) return;
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const entry: { operation: string; input: any; status?: number } = { operation, input: {} };
    log.push(entry);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (chunks.length) entry.input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    });
    // Noted as the server answers, not on 'finish', which may come after the client has read the answer.
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.end = ((...args: unknown[]) => {
      entry.status = response.statusCode;
      return end(...args);
    }) as ServerResponse['end'];
  });
  Object.assign(process.env, sdkEnvironment(endpoint));

  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const close = async () => {
    client.destroy();
    // Keep-alive sockets of the handlers' own clients would hold the server open for its keep-alive timeout.
    server.closeAllConnections?.();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  };
  try {
    await client.send(new CreateTableCommand({ BillingMode: 'PAY_PER_REQUEST', ...table }));
  } catch (error) {
    await close();
    throw error;
  }
  const tableName = table.TableName;

  return {
    tableName,
    endpoint,
    client,
    async items() {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async put(item) {
      await client.send(new PutCommand({ TableName: tableName, Item: item }));
    },
    async record(action) {
      const operations: TableOperation[] = [];
      const previous = recording;
      recording = operations;
      try {
        const result = await action();
        return { result, operations: [...operations] };
      } finally {
        recording = previous;
      }
    },
    close,
  };
}
