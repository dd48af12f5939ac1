/**
 * The local API's DynamoDB: the app's tables in dynalite (in memory, or persisted under a data folder), expired
 * items deleted late as DynamoDB's TTL does, and an endpoint in front that holds each function to its role.
 */
import { randomBytes } from 'crypto';
import type { TableAuthorizer } from '../contracts';
import type { LocalTableModel } from '../model';
import { startEndpoint, type StsHandler, type TableCall } from './endpoint';
import { startEngine } from './engine';
import { jsonClient } from './json-client';
import { StreamCapture } from './stream-capture';
import { ensureTables } from './tables';
import { TtlSweeper } from './ttl-sweeper';
import type { ItemChange } from '../streams/change';

export interface LocalDynamoDbOptions {
  readonly tables: readonly LocalTableModel[];
  /**
   * The folder that keeps the tables and items between runs: the tables are created only when missing, and those
   * already there must match the app (key and indexes), or starting fails and says how.
   * @default - in memory, empty at every start
   */
  readonly dataDir?: string;
  /**
   * Decides each request signed with a key other than the admin's.
   * @default - every request is allowed
   */
  readonly authorizer?: TableAuthorizer;
  /**
   * Answers STS requests (form-encoded, `Action=AssumeRole`) sent to the same endpoint.
   * @default - STS requests are refused
   */
  readonly sts?: StsHandler;
  /**
   * The name of the caller behind an access key id, for the `DENIED` log line.
   * @default - the access key id
   */
  readonly callerName?: (accessKeyId: string) => string | undefined;
  /**
   * The tables' streams: which tables have one now, and where each change of their items goes.
   * @default - no table has a stream
   */
  readonly streams?: {
    readonly streamed: (tableName: string) => boolean;
    readonly emit: (change: ItemChange) => void;
  };
  /** Told of every DynamoDB call the functions make (not the admin's), once it is answered. */
  readonly onCall?: (call: TableCall) => void;
  /**
   * Requests signed with this access key id skip the authorizer: for arranging and checking data in tests.
   * @default - a random `LOCALADMIN...` key
   */
  readonly adminAccessKeyId?: string;
  readonly ttl?: {
    /**
     * How often expired items are looked for.
     * @default 30000
     */
    readonly sweepIntervalMs?: number;
    /**
     * How long an item stays readable after it expires. DynamoDB deletes expired items "within a few days" and reads
     * return them until then; a minute locally is short enough that expired items do not pile up over a day of work,
     * and long enough that a handler which forgets to check the expiry itself is seen returning expired items.
     * @default 60
     */
    readonly delaySeconds?: number;
  };
  /**
   * The clock TTL uses, in epoch milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Where `DENIED ...` lines, unsupported operations and TTL deletions are reported.
   * @default - standard error
   */
  readonly log?: (line: string) => void;
  /**
   * The interface the endpoint and the engine listen on.
   * @default 127.0.0.1
   */
  readonly host?: string;
}

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: the endpoint the functions use, enforcing their roles. */
  readonly endpoint: string;
  /** The engine itself, without IAM: for measurements and tools, never for the functions. */
  readonly engineEndpoint: string;
  /** The region of the tables' ARNs. */
  readonly region: string;
  /** Credentials whose requests skip the authorizer. */
  readonly adminCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * Sends one operation (`PutItem`, `Query`...) with its input in DynamoDB JSON through the endpoint, as the admin;
   * resolves to the output, or rejects with the error DynamoDB answered (`name` is its exception).
   */
  request(operation: string, input: object): Promise<{ [key: string]: any }>;
  /** Writes whose stream records are not written yet. */
  writesInFlight(): number;
  /** Runs one TTL pass now; resolves to the number of items deleted. */
  sweepExpired(): Promise<number>;
  close(): Promise<void>;
}

const DEFAULT_SWEEP_INTERVAL_MS = 30_000;
const DEFAULT_TTL_DELAY_SECONDS = 60;

export async function startLocalDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const sweepIntervalMs = options.ttl?.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  const delaySeconds = options.ttl?.delaySeconds ?? DEFAULT_TTL_DELAY_SECONDS;
  if (!(sweepIntervalMs > 0)) {
    throw new Error(`\`ttl.sweepIntervalMs\` must be greater than 0, got: ${sweepIntervalMs}`);
  }
  if (!(delaySeconds >= 0)) throw new Error(`\`ttl.delaySeconds\` must be 0 or more, got: ${delaySeconds}`);
  const { region, accountId } = arnScope(options.tables);
  const adminCredentials = {
    accessKeyId: options.adminAccessKeyId ?? `LOCALADMIN${randomBytes(5).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };

  const engine = await startEngine({ dataDir: options.dataDir, region, accountId, host, log });
  const direct = jsonClient({ endpoint: engine.endpoint, region, credentials: adminCredentials });
  const closers: (() => Promise<void> | void)[] = [() => engine.close(), () => direct.close()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  const keyNames = (tableName: string) => {
    const table = options.tables.find((t) => t.tableName === tableName);
    return table && [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])];
  };
  const capture = options.streams
    ? new StreamCapture({ send: direct.send, keyNames, streamed: options.streams.streamed, emit: options.streams.emit })
    : undefined;
  try {
    await ensureTables(direct.send, options.tables, options.dataDir);
    const endpoint = await startEndpoint({
      engine: engine.endpoint,
      host,
      authorizer: options.authorizer,
      sts: options.sts,
      adminAccessKeyId: adminCredentials.accessKeyId,
      callerName: options.callerName,
      onCall: options.onCall,
      keyNames,
      capture,
      log,
    });
    closers.push(() => endpoint.close());
    const admin = jsonClient({ endpoint: endpoint.url, region, credentials: adminCredentials });
    closers.push(() => admin.close());
    const sweeper = new TtlSweeper({
      tables: options.tables,
      send: direct.send,
      now: options.now ?? Date.now,
      delaySeconds,
      capture,
      log,
    });
    sweeper.start(sweepIntervalMs);
    closers.push(() => sweeper.stop());

    return {
      endpoint: endpoint.url,
      engineEndpoint: engine.endpoint,
      region,
      adminCredentials,
      request: admin.send,
      writesInFlight: () => capture?.inFlight ?? 0,
      sweepExpired: () => sweeper.sweep(),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The region and account of the tables' ARNs (`arn:aws:dynamodb:<region>:<account>:table/...`). */
function arnScope(tables: readonly LocalTableModel[]): { region: string; accountId: string } {
  const [, , , region, accountId] = tables[0]?.arn.split(':') ?? [];
  return { region: region || 'us-east-1', accountId: accountId || '000000000000' };
}
