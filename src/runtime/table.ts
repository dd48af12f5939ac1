// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { callerBoundClient } from './caller';
import { CallerSessions, type CallerCredentials, type CallerSessionOptions } from './caller-credentials';
import { systemClock, type Clock } from './clock';
import { ItemPattern, type ItemPatternOptions } from './items';
import { QueryPattern, type PageLimits } from './query';
import { readTableConfig, type TableConfig, type TableContext } from './table-config';
import type { AccessPatternDescriptor } from '../shared/key-shape';

/** Options of `Table.fromEnvironment()`. */
export interface TableOptions {
  /** A document client to use instead of the toolkit's own (tests, custom retry settings). */
  readonly client?: DynamoDBDocumentClient;
  /** Milliseconds to wait for a connection to DynamoDB. Default 1,000. */
  readonly connectionTimeoutMs?: number;
  /**
   * Milliseconds to wait for each DynamoDB answer before the attempt counts as failed and is retried.
   * Without one, a stalled connection holds the request until API Gateway gives up. Default 3,000.
   */
  readonly requestTimeoutMs?: number;
  /**
   * The time every expiry, idempotency lock and rate-limit window of this table is computed from, in milliseconds
   * since the epoch. Pass one to test a handler at a chosen time, or to step time forward, without waiting.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * How the client retries throttling and network errors (an AWS SDK retry strategy), for example fewer attempts
   * on a latency-critical route, or no backoff delay in a test.
   * @default the AWS SDK's standard strategy: 3 attempts (`AWS_MAX_ATTEMPTS`), exponential backoff with jitter
   */
  readonly retryStrategy?: DynamoDBClientConfig['retryStrategy'];
  /**
   * How caller-bound patterns get their sessions of the caller role: the STS client, session length, renewal and
   * how many callers one execution environment keeps.
   * @default one-hour sessions renewed 5 minutes before they expire, up to 1,000 callers
   */
  readonly callerSessions?: Omit<CallerSessionOptions, 'roleArn' | 'clock'>;
  /**
   * Makes the client of one caller's session. Default: a client like the toolkit's own (same timeouts and retry
   * strategy) signing with the session's credentials.
   */
  readonly callerClient?: (credentials: CallerCredentials) => DynamoDBDocumentClient;
  /** Credentials of the toolkit's own client. Default: the AWS SDK's chain (the function's execution role). */
  readonly credentials?: DynamoDBClientConfig['credentials'];
}

/**
 * A document client for module scope, so warm invocations reuse its connections. It drops empty attributes
 * rather than failing, bounds each attempt with a timeout, and keeps the SDK's standard retries (with backoff
 * for throttling); the endpoint and region come from the standard AWS SDK environment.
 */
export function createDocumentClient(
  options: TableOptions = {},
  shared?: { readonly requestHandler?: DynamoDBClientConfig['requestHandler'] },
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    requestHandler: shared?.requestHandler ?? {
      connectionTimeout: options.connectionTimeoutMs ?? 1_000,
      requestTimeout: options.requestTimeoutMs ?? 3_000,
      // Without it, the timeout only logs a warning and a stalled connection still holds the request.
      throwOnRequestTimeout: true,
    },
    retryStrategy: options.retryStrategy,
    credentials: options.credentials,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * The application table as one route function may use it: only through the access patterns its role was
 * granted, so every key a handler builds is one the role allows (`dynamodb:LeadingKeys`).
 *
 * Create it once at module scope: a pattern the function was not given fails the cold start, naming it,
 * instead of failing requests with AccessDenied.
 */
export class Table implements TableContext {
  /** Reads the configuration `ServerlessApi` set on the function. */
  public static fromEnvironment(options: TableOptions = {}): Table {
    return new Table(readTableConfig(), options.client ?? createDocumentClient(options), options.clock, options);
  }

  public readonly config: TableConfig;
  public readonly client: DynamoDBDocumentClient;
  /** The time this table's expiries, locks and windows are computed from. */
  public readonly clock: Clock;
  /** Sessions of the caller role per caller, made on first use. */
  private sessions?: CallerSessions<DynamoDBDocumentClient>;
  /** How caller sessions and their clients are made (`callerSessions`, `callerClient`, timeouts, retries). */
  private readonly sessionOptions: TableOptions;

  /**
   * @param clock the time of expiries, idempotency locks and rate-limit windows
   * @default systemClock
   * @param options how caller-bound patterns make their sessions and clients
   */
  constructor(
    config: TableConfig,
    client: DynamoDBDocumentClient,
    clock: Clock = systemClock,
    options: TableOptions = {},
  ) {
    this.config = config;
    this.client = client;
    this.clock = clock;
    this.sessionOptions = options;
  }

  /**
   * The client of the caller's session of the function's caller role, for caller-bound patterns: made with
   * `AssumeRole` and the caller's values as session tags, and kept per caller until shortly before it expires.
   */
  public async callerClient(tags: { readonly [param: string]: string }): Promise<DynamoDBDocumentClient> {
    const roleArn = this.config.callerRoleArn;
    if (roleArn === undefined) {
      throw new Error(
        'this function has caller-bound access patterns but no caller role: ServerlessApi sets TABLE_CALLER_ROLE_ARN on such functions',
      );
    }
    if (!this.sessions) {
      const options = this.sessionOptions;
      const make =
        options.callerClient ??
        ((credentials: CallerCredentials) =>
          // One connection pool for every caller: a caller's first call needs no new TLS handshake.
          createDocumentClient({ ...options, credentials }, { requestHandler: this.client.config.requestHandler }));
      this.sessions = new CallerSessions({ ...options.callerSessions, roleArn, clock: this.clock }, make);
    }
    return this.sessions.get(tags);
  }

  /** An item pattern (`GetItem`, `PutItem`, `UpdateItem` or `DeleteItem`) of this function, by name. */
  public item(name: string, options: ItemPatternOptions = {}): ItemPattern {
    const descriptor = this.descriptor(name);
    if (descriptor.operation === 'Scan') throw scanUnsupported(name);
    if (descriptor.operation === 'Query') {
      throw new Error(`access pattern "${name}" is a Query: use table.query("${name}")`);
    }
    return new ItemPattern(this.contextOf(name, descriptor), name, descriptor, options);
  }

  /** A Query pattern of this function, by name. */
  public query(name: string, options: PageLimits = {}): QueryPattern {
    const descriptor = this.descriptor(name);
    if (descriptor.operation === 'Scan') throw scanUnsupported(name);
    if (descriptor.operation !== 'Query') {
      throw new Error(`access pattern "${name}" is a ${descriptor.operation}, not a Query: use table.item("${name}")`);
    }
    return new QueryPattern(this.contextOf(name, descriptor), name, descriptor, options);
  }

  /** What a pattern sends with: this table, or for a caller-bound pattern the caller's session of the caller role. */
  private contextOf(name: string, descriptor: AccessPatternDescriptor): TableContext {
    if (descriptor.caller === undefined) return this;
    if (this.config.callerRoleArn === undefined) {
      throw new Error(
        `access pattern "${name}" is bound to the caller, but the function has no caller role: ServerlessApi sets TABLE_CALLER_ROLE_ARN on functions with caller-bound patterns`,
      );
    }
    return { config: this.config, clock: this.clock, client: callerBoundClient(this, name, descriptor) };
  }

  private descriptor(name: string): AccessPatternDescriptor {
    const descriptor = Object.hasOwn(this.config.accessPatterns, name) ? this.config.accessPatterns[name] : undefined;
    if (descriptor === undefined) {
      const known = Object.keys(this.config.accessPatterns);
      throw new Error(
        `this function has no access pattern "${name}": add it to the function's \`accessPatterns\` in the stack (it has: ${known.length ? known.join(', ') : 'none'})`,
      );
    }
    return descriptor;
  }
}

function scanUnsupported(name: string): Error {
  return new Error(
    `access pattern "${name}" is a Scan, which the toolkit does not run: list with a Query pattern, or use table.client for a deliberate Scan`,
  );
}
