/**
 * Runs one stack's API locally: the embedded DynamoDB (with its tables' streams), SQS, EventBridge and Secrets Manager,
 * each holding every function to its role, the functions in their own execution environments, the workers their
 * queues, rules and streams feed, and the authorizers and the gateway of the API's type behind a loopback HTTP server.
 * `serverless-api dev` and the test kit's `LocalApi` both start here; `dev --watch` swaps in each new synth with
 * `reload`, behind the same server.
 */
import {
  secretsAuthorizerOf,
  serviceAuthorizerOf,
  startAppVersion,
  tableAccessOf,
  type AppVersion,
  type TableAccess,
} from './app-version';
import { DevKeys, loadDevKeys } from './auth';
import type { Gateway, SecretsAuthorizer } from './contracts';
import { startLocalDynamoDb, type LocalDynamoDb, type TableCall } from './dynamodb';
import { startGatewayServer } from './gateway/server';
import type { ServiceAuthorizer } from './iam/service-authorizer';
import type { FunctionRunner } from './lambda';
import type { LocalAppModel, LocalTableModel } from './model';
import { startServices, type Services } from './services/start-services';
import { tableChanges } from './table-changes';
import type { WorkerInvocation } from './workers/invocations';

export { functionAccessKeyId } from './app-version';

/** How to run the stack locally. */
export interface RunLocalOptions {
  /** Loopback by default: the local API has no TLS and trusts its dev keys. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Keeps the table's items across runs in this folder; in memory when absent. */
  readonly dataDir?: string;
  /** Where the dev signing keys live (shared with `serverless-api token`). */
  readonly keysDir?: string;
  /** Folders whose node_modules provide what bundles keep external (the AWS SDK). */
  readonly moduleRoots?: readonly string[];
  /** TTL emulation: how often expired items are swept, and how long after expiry at the earliest. */
  readonly ttl?: { readonly sweepIntervalMs?: number; readonly delaySeconds?: number };
  /** Every line the local API, the functions and the access log write. */
  readonly log?: (line: string) => void;
  /** Told of every DynamoDB call a function makes, once answered, with the function's declared name. */
  readonly onTableCall?: (call: FunctionTableCall) => void;
  /**
   * The pause before a worker's retry: Lambda's asynchronous retries wait this, then twice this (about 1 and 2
   * minutes in AWS); a stream batch's retries this, growing with each retry.
   * @default 1000
   */
  readonly retryDelayMs?: number;
  /** Told of every invocation of a worker (a queue, stream or rule fed it), once it ended. */
  readonly onWorkerInvocation?: (invocation: WorkerInvocation) => void;
  readonly now?: () => number;
}

/** What a reload did with the tables. */
export interface ReloadResult {
  /**
   * `kept`: the tables' models are unchanged, so the same DynamoDB and its items serve the new version.
   * `restarted`: a table was added, removed or changed (keys, indexes, TTL): DynamoDB restarted with the new tables.
   */
  readonly tables: 'kept' | 'restarted';
  /** What changed in the tables, one entry per table, when they were restarted. */
  readonly tableChanges: readonly string[];
}

/** A stack running locally. */
export interface RunningLocal {
  /** The stage's base URL without a trailing slash: `http://127.0.0.1:<port>` or `.../prod` for a named stage. */
  readonly url: string;
  /** The port the server listens on, kept across reloads. */
  readonly port: number;
  /** The version being served (the latest reloaded). */
  readonly app: LocalAppModel;
  readonly keys: DevKeys;
  readonly dynamodb: LocalDynamoDb;
  /** The local SQS, EventBridge and Secrets Manager, the queues, streams and workers. */
  readonly services: Services;
  readonly runner: FunctionRunner;
  /**
   * Serves `app` from now on, behind the same server and port: new functions, authorizers and gateway; the same
   * DynamoDB and items when the tables are unchanged, else a new one. Requests in flight finish on the old version.
   * When it fails, the old version keeps serving.
   */
  reload(app: LocalAppModel): Promise<ReloadResult>;
  stop(): Promise<void>;
}

/** A DynamoDB call of a function, as the local table answered it. */
export interface FunctionTableCall extends TableCall {
  /** The function's declared name (`tasks`); undefined for a key no function of the served version has. */
  readonly function?: string;
}

export async function runLocal(app: LocalAppModel, options: RunLocalOptions = {}): Promise<RunningLocal> {
  const log = options.log ?? (() => undefined);
  const keys = loadDevKeys({ dir: options.keysDir });
  // The table endpoint asks the version being served: functions of a retired version still finishing a request are
  // held to the new version's roles, which is what a deployment does to a running function too.
  let access: TableAccess = tableAccessOf(app, options.now);
  // The same holds for secrets: the version being served decides, with its secrets and roles.
  let served: LocalAppModel = app;
  let secretsAccess: SecretsAuthorizer = secretsAuthorizerOf(app);
  let serviceAccess: ServiceAuthorizer = serviceAuthorizerOf(app);
  let dynamodb: LocalDynamoDb | undefined;
  const services: Services = await startServices({
    app: () => served,
    authorizer: () => serviceAccess,
    secretsAuthorizer: () => secretsAccess,
    writesInFlight: () => dynamodb?.writesInFlight() ?? 0,
    retryDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
    onInvocation: options.onWorkerInvocation,
    log,
    host: options.host,
  });
  const startDynamoDb = (tables: readonly LocalTableModel[]) =>
    startLocalDynamoDb({
      tables,
      dataDir: options.dataDir,
      authorizer: { authorize: (request) => access.authorizer.authorize(request) },
      sts: (accessKeyId, form) => access.sts(accessKeyId, form, (line) => log(`[sts] ${line}`)),
      onCall: options.onTableCall
        ? (call) => options.onTableCall!({ ...call, function: access.functionName(call.accessKeyId) })
        : undefined,
      adminAccessKeyId: ADMIN_ACCESS_KEY_ID,
      streams: {
        streamed: (table) => services.streams.streamed(table),
        emit: (change) => services.streams.append(change),
      },
      ttl: options.ttl,
      now: options.now,
      log: (line) => log(`[dynamodb] ${line}`),
    });
  const startVersion = (model: LocalAppModel, db: LocalDynamoDb) => {
    const version = startAppVersion({
      app: model,
      keys,
      dynamodbEndpoint: db.endpoint,
      servicesEndpoint: services.endpoint,
      moduleRoots: options.moduleRoots,
      now: options.now,
      log,
    });
    services.serve({ app: model, invoke: version.invoke, authorizer: version.serviceAuthorizer });
    return version;
  };

  let db: LocalDynamoDb;
  try {
    db = dynamodb = await startDynamoDb(app.tables);
  } catch (e) {
    await services.close();
    throw e;
  }
  let current: AppVersion;
  try {
    current = startVersion(app, db);
  } catch (e) {
    await Promise.allSettled([db.close(), services.close()]);
    throw e;
  }
  /** Old versions and databases, stopped once their requests are answered (or at once, by `stop`). */
  const retiring = new Set<Promise<void>>();
  const retired = new Set<AppVersion>();
  const retire = (stop: () => Promise<void>) => {
    const done: Promise<void> = stop()
      .catch((error) => log(`[local] a retired version did not stop cleanly: ${describe(error)}`))
      .finally(() => retiring.delete(done));
    retiring.add(done);
  };

  // One server for every version: the port stays while versions come and go.
  const gateway: Gateway = { handle: (request) => current.handle(request) };
  let server;
  try {
    server = await startGatewayServer({
      gateway,
      host: options.host,
      port: options.port,
      // Read at each request, so a reload that adds, changes or removes the access log takes effect at once.
      accessLog: {
        get format() {
          return current.app.api.accessLogFormat ?? '';
        },
        write: (line) => {
          if (current.app.api.accessLogFormat) log(`[access] ${line}`);
        },
      },
    });
  } catch (e) {
    await Promise.allSettled([services.close(), current.close(), db.close()]);
    throw e;
  }
  const gatewayServer = server;

  /** Serves `next` with `db` from now on; the version it replaces finishes its requests, then stops. */
  function swap(next: LocalAppModel, nextDb: LocalDynamoDb, stopAfter?: LocalDynamoDb): void {
    const previous = current;
    served = next;
    current = startVersion(next, nextDb);
    access = current.tableAccess;
    secretsAccess = current.secretsAuthorizer;
    serviceAccess = current.serviceAuthorizer;
    db = dynamodb = nextDb;
    retired.add(previous);
    retire(async () => {
      await previous.retire();
      retired.delete(previous);
      await stopAfter?.close();
    });
  }

  async function reload(next: LocalAppModel): Promise<ReloadResult> {
    const changes = tableChanges(current.app.tables, next.tables);
    if (changes.length === 0) {
      swap(next, db);
      return { tables: 'kept', tableChanges: [] };
    }
    if (options.dataDir === undefined) {
      // In memory, the new DynamoDB starts beside the old one, which serves until the swap.
      swap(next, await startDynamoDb(next.tables), db);
      return { tables: 'restarted', tableChanges: changes };
    }
    // A data folder can be open once only: the old DynamoDB stops first, and starts again if the new one cannot;
    // the functions then get a version that calls it where it now listens.
    await db.close();
    let restarted: LocalDynamoDb;
    try {
      restarted = await startDynamoDb(next.tables);
    } catch (error) {
      swap(current.app, await startDynamoDb(current.app.tables));
      throw error;
    }
    swap(next, restarted);
    return { tables: 'restarted', tableChanges: changes };
  }

  // Reloads one at a time: each compares its tables with those of the version before it.
  let reloading: Promise<unknown> = Promise.resolve();
  let stopped: Promise<void> | undefined;
  const serialReload = (next: LocalAppModel): Promise<ReloadResult> => {
    if (stopped) return Promise.reject(new Error('the local API is stopped: it cannot reload'));
    const result = reloading.then(() => reload(next));
    reloading = result.catch(() => undefined);
    return result;
  };

  const stopAll = async () => {
    await reloading;
    await stopEach([
      () => gatewayServer.close(),
      // The pollers stop taking batches before the functions stop.
      () => services.close(),
      () => current.close(),
      // A retired version still answering a request is not waited for: its invocations end as the server does.
      () => Promise.all([...retired].map((version) => version.close())).then(() => undefined),
      () => Promise.all(retiring).then(() => undefined),
      () => db.close(),
    ]);
  };

  return {
    get url() {
      return `${gatewayServer.url.replace(/\/$/, '')}${stagePath(current.app)}`;
    },
    port: gatewayServer.port,
    get app() {
      return current.app;
    },
    keys,
    get dynamodb() {
      return db;
    },
    services,
    get runner() {
      return current.runner;
    },
    reload: serialReload,
    stop: () => (stopped ??= stopAll()),
  };
}

const ADMIN_ACCESS_KEY_ID = 'AKIALOCALADMIN';
const DEFAULT_RETRY_DELAY_MS = 1000;

/** API Gateway serves a named stage under its name (`/prod/...`); the `$default` stage at the root. */
function stagePath(app: LocalAppModel): string {
  return app.api.stageName === '$default' ? '' : `/${encodeURIComponent(app.api.stageName)}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Stops each part, in order, even when one fails; rethrows the first failure. */
async function stopEach(stops: readonly (() => Promise<void>)[]): Promise<void> {
  let failure: unknown;
  for (const stop of stops) {
    try {
      await stop();
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw failure;
}
