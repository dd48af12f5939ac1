import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'http';
import type { AddressInfo, Socket } from 'net';
import { keyValue } from './local-dynamodb';

/**
 * What the proxy does with one DynamoDB request:
 * - `throttle`: answers `ProvisionedThroughputExceededException` (HTTP 400) without forwarding;
 * - `drop`: destroys the client's connection before forwarding (nothing reaches the table);
 * - `applyThenDrop`: forwards, lets the table apply the request, then destroys the client's connection instead
 *   of returning the answer (the write happened, its answer was lost);
 * - `stall`: holds the request without forwarding or answering it, until the client gives up on it;
 * - `pass`: forwards and returns the answer unchanged.
 */
export type FaultAction = 'throttle' | 'drop' | 'applyThenDrop' | 'stall' | 'pass';

/** A DynamoDB request as the proxy sees it. */
export interface DynamoRequest {
  /** The operation, from `X-Amz-Target` (`DynamoDB_20120810.PutItem` gives `PutItem`). */
  readonly operation: string;
  /** The JSON request body (DynamoDB JSON: `{ Key: { PK: { S: '...' } } }`). */
  readonly body: { readonly [member: string]: any };
  /** The partition key value of the item the request names (`Item` or `Key`), when it names one. */
  readonly pk?: string;
  /** The sort key value of the item the request names, when it names one. */
  readonly sk?: string;
}

/** One rule of a plan: requests it matches get `action`, for the first `times` matches (default: all). */
export interface FaultRule {
  readonly match: (request: DynamoRequest) => boolean;
  readonly action: FaultAction;
  readonly times?: number;
}

/** What happened to one request that reached the proxy. */
export interface ProxyLogEntry {
  readonly operation: string;
  readonly pk?: string;
  readonly sk?: string;
  readonly action: FaultAction;
  /** HTTP status of the table's answer, when forwarded (`undefined` for `throttle`, `drop` and `stall`). */
  readonly upstreamStatus?: number;
  /** The `__type` of the table's error answer, when it was one (`...#ConditionalCheckFailedException`). */
  readonly upstreamError?: string;
}

/** A rule matching one operation, optionally only on items whose partition key starts with `pkPrefix`. */
export function on(
  operation: string,
  pkPrefix?: string,
): (request: { readonly operation: string; readonly pk?: string }) => boolean {
  return (request) =>
    request.operation === operation && (pkPrefix === undefined || (request.pk ?? '').startsWith(pkPrefix));
}

export const THROTTLING_ERROR_TYPE = 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException';

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a DynamoDB-compatible server (dynalite), which injects faults into the
 * requests a plan matches and logs every request with what it did to it. Rules are tried in order; the first
 * whose `match` holds and which has uses left decides; no rule means `pass`.
 */
export class FaultProxy {
  /** Starts a proxy in front of `upstream` (`http://127.0.0.1:<port>`). */
  public static async start(upstream: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(upstream));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** Every request that reached the proxy since the last `reset()`, in arrival order. */
  public readonly log: ProxyLogEntry[] = [];
  /**
   * Answer a failed conditional write that asks for `ReturnValuesOnConditionCheckFailure: ALL_OLD` with the item,
   * as DynamoDB does and dynalite does not (read with a consistent GetItem right after the failure). Default false:
   * dynalite's own answer, without the item.
   */
  public returnOldItemOnConditionFailure = false;
  private readonly server: Server;
  private readonly upstream: URL;
  private readonly sockets = new Set<Socket>();
  private rules: { rule: FaultRule; used: number }[] = [];

  private constructor(upstream: URL) {
    this.upstream = upstream;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        // A failure of the proxy itself must not look like an injected fault: make it loud.
        res.statusCode = 599;
        res.end(`fault proxy failure: ${error.message}`);
      });
    });
    // Keep idle connections like DynamoDB does (Node's default is 5 s): a handler idle for longer would otherwise
    // reuse a connection the proxy is closing, and lose an attempt to a fault nobody planned.
    this.server.keepAliveTimeout = 120_000;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** `http://127.0.0.1:<port>`: point the SDK here (`AWS_ENDPOINT_URL_DYNAMODB`). */
  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Replaces the plan. */
  public plan(...rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, used: 0 }));
  }

  /** Clears the plan and the log. */
  public reset(): void {
    this.rules = [];
    this.log.length = 0;
  }

  /** Log entries of one operation, optionally only those on a partition key prefix. */
  public entries(operation: string, pkPrefix?: string): ProxyLogEntry[] {
    return this.log.filter((entry) => on(operation, pkPrefix)(entry));
  }

  public async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private decide(request: DynamoRequest): FaultAction {
    for (const entry of this.rules) {
      if ((entry.rule.times === undefined || entry.used < entry.rule.times) && entry.rule.match(request)) {
        entry.used++;
        return entry.rule.action;
      }
    }
    return 'pass';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readAll(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    let body: { [member: string]: any } = {};
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      // Not JSON: logged under its target with no key.
    }
    const named = (body.Item ?? body.Key ?? {}) as { [attribute: string]: unknown };
    const request: DynamoRequest = {
      operation: target.slice(target.indexOf('.') + 1),
      body,
      pk: keyValue(named.PK),
      sk: keyValue(named.SK),
    };
    const action = this.decide(request);
    const entry = { operation: request.operation, pk: request.pk, sk: request.sk, action };

    if (action === 'throttle') {
      this.log.push(entry);
      const answer = JSON.stringify({
        __type: THROTTLING_ERROR_TYPE,
        message: 'The level of configured provisioned throughput for the table was exceeded (injected)',
      });
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(answer),
        'x-amzn-requestid': `fault-${this.log.length}`,
      });
      res.end(answer);
      return;
    }
    if (action === 'drop') {
      this.log.push(entry);
      req.socket.destroy();
      return;
    }
    if (action === 'stall') {
      this.log.push(entry);
      return;
    }

    let answer = await this.forward(req.method ?? 'POST', req.url ?? '/', req.headers, raw);
    if (
      this.returnOldItemOnConditionFailure &&
      answer.status === 400 &&
      body.ReturnValuesOnConditionCheckFailure === 'ALL_OLD'
    ) {
      answer = await this.withOldItem(req, body, answer);
    }
    let upstreamError: string | undefined;
    if (answer.status !== 200) {
      try {
        upstreamError = JSON.parse(answer.body.toString('utf8')).__type;
      } catch {
        upstreamError = 'unparseable';
      }
    }
    this.log.push({ ...entry, upstreamStatus: answer.status, upstreamError });
    if (action === 'applyThenDrop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  /** A ConditionalCheckFailedException answer with the item as it is now, read from upstream. */
  private async withOldItem(req: IncomingMessage, body: { [member: string]: any }, answer: Answer): Promise<Answer> {
    const error = JSON.parse(answer.body.toString('utf8'));
    const named = body.Item ?? body.Key;
    if (!String(error.__type).endsWith('#ConditionalCheckFailedException') || named === undefined) return answer;
    const get = Buffer.from(
      JSON.stringify({ TableName: body.TableName, Key: { PK: named.PK, SK: named.SK }, ConsistentRead: true }),
    );
    const headers = { ...req.headers, 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-length': `${get.length}` };
    const read = await this.forward('POST', req.url ?? '/', headers, get);
    const item = JSON.parse(read.body.toString('utf8')).Item;
    if (item === undefined) return answer;
    const changed = Buffer.from(JSON.stringify({ ...error, Item: item }));
    const { 'x-amz-crc32': _crc, ...rest } = answer.headers;
    return { ...answer, headers: { ...rest, 'content-length': `${changed.length}` }, body: changed };
  }

  private forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) {
    return new Promise<Answer>((resolve, reject) => {
      const upstreamRequest = httpRequest(
        {
          host: this.upstream.hostname,
          port: this.upstream.port,
          method,
          path,
          headers: { ...headers, host: this.upstream.host },
        },
        (response) => {
          readAll(response).then(
            (answer) => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: answer }),
            reject,
          );
        },
      );
      upstreamRequest.on('error', reject);
      upstreamRequest.end(body);
    });
  }
}

/**
 * Runs `fn` with `variables` set in the process environment, then restores it. The AWS SDK reads some settings
 * (the endpoint from `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_MAX_ATTEMPTS`) when a client sends its first request, not
 * when it is created: a handler must make its first call inside this to see them.
 */
export async function withEnvironment<T>(
  variables: { readonly [name: string]: string },
  fn: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return await fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
