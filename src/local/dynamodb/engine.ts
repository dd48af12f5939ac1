/**
 * The DynamoDB engine: dynalite in this process, in memory or in a LevelDB store under a data folder, on a loopback
 * port. Only the enforcing endpoint, the TTL sweeper and the admin client talk to it.
 */
import { EventEmitter } from 'events';
import * as fs from 'fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'http';
import * as path from 'path';
import { sendError, serializationError } from './errors';
import { operationOf } from './operations';
import { closeServer, listen } from '../listen';

/** DynamoDB refuses requests over 16 MiB, and dynalite answers them 413 as it does. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * Idle connections stay open this long, as DynamoDB keeps them, rather than Node's 5 seconds: after a pause, every
 * client would otherwise reconnect at once, and a burst of connections to one single-threaded server can outlast a
 * handler's connection timeout.
 */
export const KEEP_ALIVE_MS = 120_000;

interface DynaliteOptions {
  /** Milliseconds a new table stays CREATING: none, so the tables are ready when the engine is. */
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
  /** The LevelDB folder; in memory without it. */
  readonly path?: string;
}

type Dynalite = (options?: DynaliteOptions) => Server;

interface LevelStore {
  open(): Promise<void>;
  close(): Promise<void>;
}

export interface Engine {
  /** `http://<host>:<port>` of dynalite itself: no IAM. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface EngineOptions {
  readonly dataDir?: string;
  /** The region and account of the tables' ARNs, as DescribeTable reports them. */
  readonly region: string;
  readonly accountId: string;
  readonly host: string;
  readonly log: (line: string) => void;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  if (options.dataDir !== undefined) await checkDataDir(options.dataDir);
  // dynalite ships no type declarations.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as Dynalite;
  // dynalite takes the ARNs' region and account from the environment, once, as it starts.
  const server = withEnvironment({ AWS_REGION: options.region, AWS_ACCOUNT_ID: options.accountId }, () =>
    dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.dataDir }),
  );
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  guard(server, options.log);
  const { url } = await listen(server, options.host);
  return { endpoint: url, close: () => closeServer(server) };
}

function withEnvironment<T>(variables: { [name: string]: string }, action: () => T): T {
  const saved = Object.keys(variables).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, variables);
  try {
    return action();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/**
 * dynalite reads the body it is given and throws, from inside its request handler, on some input it does not expect
 * (a `null` where an attribute value should be): in this process that would end the local API. Its handler runs
 * here on a request whose body is already read, so that such a throw happens inside a try and gets an answer.
 */
function guard(server: Server, log: (line: string) => void): void {
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        request.removeAllListeners('data');
        request.removeAllListeners('end');
        request.resume();
        response.writeHead(413, { Connection: 'close' }).end();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      const shim = Object.assign(new EventEmitter(), {
        headers: request.headers,
        method: request.method,
        url: request.url,
      });
      try {
        for (const handler of handlers) handler(shim as unknown as IncomingMessage, response);
        if (chunks.length > 0) shim.emit('data', Buffer.concat(chunks));
        shim.emit('end');
      } catch (error) {
        const operation = operationOf(request.headers['x-amz-target']) ?? 'a request';
        const reason = error instanceof Error ? error.message : String(error);
        log(`The local DynamoDB (dynalite) could not read ${operation}: ${reason}`);
        sendError(response, serializationError(`The local DynamoDB could not read this request: ${reason}`));
      }
    });
  });
}

/**
 * The data folder must be a LevelDB store (or empty, or absent) that no other process holds: dynalite opens its store
 * on the first request and throws, out of reach, if the folder is locked.
 */
async function checkDataDir(dataDir: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await fs.promises.readdir(dataDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') {
      throw new Error(`\`dataDir\` must be a folder for the local DynamoDB's data, got a file: ${dataDir}`);
    }
    if (code !== 'ENOENT') throw error;
  }
  if (entries.length > 0 && !entries.includes('CURRENT')) {
    throw new Error(
      `\`dataDir\` must be an empty or new folder, or one the local DynamoDB wrote before, got a folder with other files (${entries
        .slice(0, 3)
        .join(
          ', ',
        )}${entries.length > 3 ? ', ...' : ''}): ${dataDir}. Choose a folder of its own, such as .local-api/dynamodb.`,
    );
  }
  await fs.promises.mkdir(dataDir, { recursive: true });
  const store = openLevel(dataDir);
  try {
    await store.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new Error(
        `The local DynamoDB's data folder is in use by another local API (or another process): ${dataDir}. Stop that one, or choose another \`dataDir\`.`,
      );
    }
    throw error;
  }
  await store.close();
}

/** The `level` module dynalite itself uses (a dependency of dynalite, wherever npm placed it). */
function openLevel(location: string): LevelStore {
  const fromDynalite = require.resolve('level', { paths: [path.dirname(require.resolve('dynalite'))] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Level } = require(fromDynalite) as { Level: new (location: string) => LevelStore };
  return new Level(location);
}
