/**
 * The test kit: the user's API running locally, for their own test runner.
 *
 *     const api = await LocalApi.start({ assembly: 'cdk.out', stack: 'MyStack' });
 *     const token = await api.token({ sub: 'alice', scopes: ['tasks:write'] });
 *     const res = await fetch(`${api.url}/projects/p1/tasks`, { headers: { authorization: `Bearer ${token}` } });
 *     await api.stop();
 */
import type { Stage } from 'aws-cdk-lib';
import { LocalQueue } from './local-queue';
import { LocalTable, type LocalTableCall, type LocalTableClientConfig } from './local-table';
import { issueAppToken, type AppTokenOptions } from '../local/app-token';
import { signIamRequest } from '../local/auth';
import type { InvokeOutcome } from '../local/contracts';
import type { LocalAppModel } from '../local/model';
import { readLocalApp } from '../local/reader';
import { runLocal, type RunningLocal } from '../local/run-local';
import type { WorkerInvocation } from '../local/workers/invocations';

/** Where the API comes from, and how it runs. */
export interface LocalApiStartOptions {
  /** A synthesized cloud assembly folder. One of `assembly` and `app` is required. */
  readonly assembly?: string;
  /**
   * An app (or stage) to synthesize now, in this process, with bundling: the test needs no `cdk synth` first.
   */
  readonly app?: Stage;
  /** The stack to run (its name, or `Stage/Stack`); needed when the assembly holds more than one API. */
  readonly stack?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Keep the table's items in this folder across runs. @default in memory */
  readonly dataDir?: string;
  /**
   * Values of the stack's secrets, which the local Secrets Manager serves to the functions that declare them (by the
   * secret's construct name, logical id or name). @default a placeholder for each, with a warning
   */
  readonly secrets?: { readonly [name: string]: string };
  /**
   * Where the lines of the functions, the gateway, the access log and the local DynamoDB go.
   * @default kept in `api.logs` only
   */
  readonly log?: (line: string) => void;
  /** TTL emulation. @default expired items are deleted 60 s after expiry at the earliest, swept every 30 s */
  readonly ttl?: { readonly sweepIntervalMs?: number; readonly delaySeconds?: number };
  /** Folders whose node_modules provide what bundles keep external (the AWS SDK). @default the working directory */
  readonly moduleRoots?: readonly string[];
  /** Where the dev signing keys live. @default node_modules/.cache/cdk-serverless-api */
  readonly keysDir?: string;
  /**
   * The pause before a worker's retry (asynchronous invocations wait this, then twice this; stream batches this,
   * growing). Lambda waits about a minute. @default 1000
   */
  readonly retryDelayMs?: number;
}

/** An event to put on a bus, as PutEvents takes it. */
export interface LocalEventEntry {
  readonly source: string;
  readonly detailType: string;
  /** The detail object (sent as its JSON). */
  readonly detail: object;
  /** The bus's name or ARN. @default the default bus */
  readonly bus?: string;
  readonly resources?: readonly string[];
}

/** The claims of a dev token, and which authorizer it is for (when the API has several JWT or Cognito ones). */
export type LocalTokenOptions = Pick<
  AppTokenOptions,
  'sub' | 'scopes' | 'claims' | 'expiresInSeconds' | 'authorizer' | 'tokenUse'
>;

export class LocalApi {
  /** Starts the API; `stop()` it when the tests are done. */
  public static async start(options: LocalApiStartOptions): Promise<LocalApi> {
    const assemblyDir = assemblyOf(options);
    const model = readLocalApp(assemblyDir, { stack: options.stack, secrets: options.secrets });
    const logs: string[] = [];
    const calls: LocalTableCall[] = [];
    const invocations: WorkerInvocation[] = [];
    const running = await runLocal(model, {
      onTableCall: (call) => calls.push(call),
      onWorkerInvocation: (invocation) => invocations.push(invocation),
      retryDelayMs: options.retryDelayMs,
      port: options.port,
      dataDir: options.dataDir,
      keysDir: options.keysDir,
      moduleRoots: options.moduleRoots,
      ttl: options.ttl,
      log: (line) => {
        logs.push(line);
        options.log?.(line);
      },
    });
    return new LocalApi(running, logs, calls, invocations);
  }

  /** The stage's base URL, without a trailing slash (`http://127.0.0.1:<port>`, or `.../prod` for a REST stage): append the route path. */
  public readonly url: string;
  /** The API's table (the first, when the stack has several), read and written past IAM for arranging tests. */
  public readonly table: LocalTable;
  /** Every line written so far. */
  public readonly logs: readonly string[];

  private constructor(
    private readonly running: RunningLocal,
    logs: string[],
    calls: readonly LocalTableCall[],
    private readonly invocations: readonly WorkerInvocation[],
  ) {
    this.url = running.url.replace(/\/$/, '');
    this.logs = logs;
    this.table = new LocalTable(running.dynamodb, running.app.tables[0], calls);
  }

  /**
   * Resolves once the app has nothing asynchronous left to do: no message waiting in, or in flight from, a queue a
   * worker reads; no stream record not yet handed on; no asynchronous invocation queued or waiting for a retry. Rejects,
   * naming what is still pending, after `timeoutMs`. Call it after the requests whose work happens in workers.
   */
  public async settled(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    await this.running.services.workers.settled(options.timeoutMs);
  }

  /** A queue of the app, by the name it was declared with, its logical id or its name in SQS. */
  public queue(name: string): LocalQueue {
    const { broker } = this.running.services;
    const queue = broker.all().find((q) => [q.model.name, q.model.logicalId, q.model.queueName].includes(name));
    if (!queue) {
      const names = broker.all().map((q) => q.model.name);
      throw new Error(`no queue "${name}" in ${this.running.app.stackName}: it has ${names.join(', ') || 'none'}`);
    }
    return new LocalQueue(queue, this.running.services);
  }

  /**
   * Puts an event on a bus, as PutEvents does (past IAM): the rules whose pattern matches deliver it to their targets.
   * Resolves to its id; rejects with EventBridge's error for an entry it refuses.
   */
  public async putEvent(entry: LocalEventEntry): Promise<string> {
    const { services } = this.running;
    const output = services.events.call(
      'PutEvents',
      {
        Entries: [
          {
            Source: entry.source,
            DetailType: entry.detailType,
            Detail: JSON.stringify(entry.detail),
            ...(entry.bus === undefined ? {} : { EventBusName: entry.bus }),
            ...(entry.resources === undefined ? {} : { Resources: entry.resources }),
          },
        ],
      },
      services.adminAccessKeyId,
    ) as { Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[] };
    const [result] = output.Entries;
    if (!result.EventId) throw new Error(`PutEvents refused the event: ${result.ErrorCode}: ${result.ErrorMessage}`);
    return result.EventId;
  }

  /**
   * Invokes a function (a worker, by its declared name, logical id or function name) with an event of your own, as
   * Lambda's synchronous Invoke does: to test a worker alone with a batch you build.
   */
  public async invoke(name: string, event: unknown): Promise<InvokeOutcome> {
    const fn = Object.values(this.running.app.functions).find((f) =>
      [f.name, f.logicalId, f.functionName].includes(name),
    );
    if (!fn) {
      const names = Object.values(this.running.app.functions).map((f) => f.name);
      throw new Error(`no function "${name}" in ${this.running.app.stackName}: it has ${names.join(', ')}`);
    }
    return this.running.runner.invoke(fn.logicalId, event);
  }

  /** Every invocation of a worker so far (queue batches, stream batches, events), in the order they ended. */
  public get workerInvocations(): readonly WorkerInvocation[] {
    return [...this.invocations];
  }

  /** Endpoint and credentials of SQS and EventBridge clients of the test's own, which bypass IAM. */
  public servicesConfig(): LocalTableClientConfig {
    const { services, app } = this.running;
    return {
      endpoint: services.endpoint,
      region: app.region,
      credentials: { accessKeyId: services.adminAccessKeyId, secretAccessKey: 'local' },
    };
  }

  /** What the local API read from the assembly. */
  public get model(): LocalAppModel {
    return this.running.app;
  }

  /** A token the API's JWT or Cognito authorizer accepts, signed with the local dev key. */
  public async token(options: LocalTokenOptions): Promise<string> {
    return issueAppToken(this.running.app, this.running.keys, options);
  }

  /**
   * The value of a REST API key, by the name it was declared with in `usagePlans` (the construct names the key
   * `<apiName>-<name>`), or by its full name.
   */
  public apiKey(name: string): string {
    const api = this.running.app.api;
    const key = api.apiKeys.find((k) => k.name === `${api.name}-${name}` || k.name === name || k.id === name);
    if (!key) {
      const names = api.apiKeys.map((k) => k.name);
      throw new Error(`no API key "${name}" in ${this.running.app.stackName}: it has ${names.join(', ') || 'none'}`);
    }
    return key.value;
  }

  /** Headers that sign a request for an IAM-authorized route with the local credentials (SigV4). */
  public sign(request: {
    readonly method: string;
    readonly url: string;
    readonly headers?: { readonly [name: string]: string };
    readonly body?: string;
  }): { [name: string]: string } {
    return signIamRequest(this.running.keys, {
      ...request,
      headers: { ...request.headers },
      region: this.running.app.region,
    });
  }

  /** Stops the server, the functions and the table. */
  public async stop(): Promise<void> {
    await this.running.stop();
  }
}

function assemblyOf(options: LocalApiStartOptions): string {
  if (options.assembly !== undefined && options.app !== undefined) {
    throw new Error('`assembly` and `app` must not both be given: pass a synthesized folder or an app to synthesize');
  }
  if (options.app) return options.app.synth().directory;
  if (options.assembly !== undefined) return options.assembly;
  throw new Error('`assembly` or `app` must be given, got: neither (for example `{ assembly: "cdk.out" }`)');
}
