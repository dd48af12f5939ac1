/**
 * Runs one stack's API locally: the embedded DynamoDB with each function's role enforced, the functions in their
 * own execution environments, the authorizers and the gateway of the API's type behind a loopback HTTP server.
 * `serverless-api dev` and the test kit's `LocalApi` both start here.
 */
import { createHash } from 'crypto';
import { createRouteAuthorizer, DevKeys, loadDevKeys } from './auth';
import type { Gateway } from './contracts';
import { startLocalDynamoDb, type LocalDynamoDb } from './dynamodb';
import { createHttpGateway } from './gateway/http';
import { createRestGateway } from './gateway/rest';
import { startGatewayServer } from './gateway/server';
import { createTableAuthorizer } from './iam';
import { createFunctionRunner, type FunctionRunner } from './lambda';
import type { LocalAppModel, LocalFunctionModel } from './model';

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
  readonly now?: () => number;
}

/** A stack running locally. */
export interface RunningLocal {
  /** The stage's base URL without a trailing slash: `http://127.0.0.1:<port>` or `.../prod` for a named stage. */
  readonly url: string;
  readonly app: LocalAppModel;
  readonly keys: DevKeys;
  readonly dynamodb: LocalDynamoDb;
  readonly runner: FunctionRunner;
  stop(): Promise<void>;
}

/** An access key id per function: the local DynamoDB tells callers apart by it, as IAM tells roles apart. */
export function functionAccessKeyId(fn: LocalFunctionModel): string {
  return `ASIALOCAL${createHash('sha256').update(fn.logicalId).digest('hex').slice(0, 11).toUpperCase()}`;
}

const ADMIN_ACCESS_KEY_ID = 'AKIALOCALADMIN';

export async function runLocal(app: LocalAppModel, options: RunLocalOptions = {}): Promise<RunningLocal> {
  const log = options.log ?? (() => undefined);
  const functions = Object.values(app.functions);
  const identities = new Map(functions.map((fn) => [functionAccessKeyId(fn), fn.logicalId] as const));

  const dynamodb = await startLocalDynamoDb({
    tables: app.tables,
    dataDir: options.dataDir,
    authorizer: createTableAuthorizer(app, identities),
    adminAccessKeyId: ADMIN_ACCESS_KEY_ID,
    ttl: options.ttl,
    now: options.now,
    log: (line) => log(`[dynamodb] ${line}`),
  });
  const stops: (() => Promise<void>)[] = [() => dynamodb.close()];
  try {
    const runner = createFunctionRunner({
      functions: app.functions,
      region: app.region,
      accountId: app.accountId,
      moduleRoots: options.moduleRoots ? [...options.moduleRoots] : undefined,
      extraEnvironment: (fn) => ({
        // Lambda sets these from the function's LoggingConfig.
        // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
        ...(fn.logFormat === 'JSON' ? { AWS_LAMBDA_LOG_FORMAT: 'JSON' } : {}),
        ...(fn.applicationLogLevel ? { AWS_LAMBDA_LOG_LEVEL: fn.applicationLogLevel } : {}),
        // The function's own credentials, as its execution role's session would give them, and the local table.
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
        AWS_ACCESS_KEY_ID: functionAccessKeyId(fn),
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SESSION_TOKEN: 'local',
        // The SDK warns when the Node.js running it is older than it supports: a fact of this machine, not of the
        // Lambda runtime the function is emulated on.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      }),
      log: (name, line) => log(`[${name}] ${line}`),
    });
    stops.unshift(() => runner.close());

    const keys = loadDevKeys({ dir: options.keysDir });
    const authorizer = createRouteAuthorizer({
      app,
      invoker: runner,
      keys,
      now: options.now,
      log: (line) => log(`[gateway] ${line}`),
    });
    const gatewayOptions = {
      app,
      invoker: runner,
      authorizer,
      now: options.now,
      log: (line: string) => log(`[gateway] ${line}`),
    };
    const gateway: Gateway =
      app.api.type === 'HTTP' ? createHttpGateway(gatewayOptions) : createRestGateway(gatewayOptions);
    const server = await startGatewayServer({
      gateway,
      host: options.host,
      port: options.port,
      accessLog: app.api.accessLogFormat
        ? { format: app.api.accessLogFormat, write: (line) => log(`[access] ${line}`) }
        : undefined,
    });
    stops.unshift(() => server.close());

    let stopped: Promise<void> | undefined;
    // API Gateway serves a named stage under its name (`/prod/...`); the `$default` stage at the root.
    const stagePath = app.api.stageName === '$default' ? '' : `/${encodeURIComponent(app.api.stageName)}`;
    return {
      url: `${server.url.replace(/\/$/, '')}${stagePath}`,
      app,
      keys,
      dynamodb,
      runner,
      stop: () => (stopped ??= stopAll(stops)),
    };
  } catch (e) {
    await stopAll(stops);
    throw e;
  }
}

/** Stops each part, last started first, even when one fails; rethrows the first failure. */
async function stopAll(stops: readonly (() => Promise<void>)[]): Promise<void> {
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
