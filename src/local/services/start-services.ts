/**
 * Everything of a local run that is not the gateway and not the table: the queues, the tables' streams, the workers
 * and the one endpoint the functions reach SQS, EventBridge and Secrets Manager on. Started once per run; each
 * version of the app the run serves is handed to `serve`.
 */
import { randomBytes } from 'crypto';
import type { SecretsAuthorizer } from '../contracts';
import { startLocalServices } from './local-services';
import { createEventsApi, type EventsApi } from '../events/api';
import type { ServiceAuthorizer } from '../iam/service-authorizer';
import type { LocalAppModel } from '../model';
import { secretsManagerListener } from '../secrets';
import { createSqsApi, type SqsApi } from '../sqs/api';
import { QueueBroker } from '../sqs/broker';
import { StreamLogs } from '../streams/stream-log';
import type { WorkerInvocation } from '../workers/invocations';
import { Workers, type WorkerVersion } from '../workers/workers';
import type { LocalEventBusModel } from '../workers-model';

export interface ServicesOptions {
  /** The version being served, read at each request. */
  readonly app: () => LocalAppModel;
  readonly authorizer: () => ServiceAuthorizer;
  readonly secretsAuthorizer: () => SecretsAuthorizer;
  /** Writes to streamed tables whose records are not written yet (the local DynamoDB's). */
  readonly writesInFlight: () => number;
  readonly retryDelayMs: number;
  readonly onInvocation?: (invocation: WorkerInvocation) => void;
  readonly log: (line: string) => void;
  readonly host?: string;
}

export interface Services {
  /** `http://127.0.0.1:<port>`: SQS, EventBridge and Secrets Manager. */
  readonly endpoint: string;
  /** Requests signed with this key skip IAM: the test kit's own sends and puts. */
  readonly adminAccessKeyId: string;
  readonly broker: QueueBroker;
  readonly streams: StreamLogs;
  readonly workers: Workers;
  /** The SQS and EventBridge APIs, in process: the test kit calls them as the admin. */
  readonly sqs: SqsApi;
  readonly events: EventsApi;
  /** Hands a version of the app to the workers. */
  serve(version: WorkerVersion): void;
  close(): Promise<void>;
}

/** The buses of an app: those it read, or the default bus every account has. */
export function busesOf(app: LocalAppModel): readonly LocalEventBusModel[] {
  return (
    app.workers?.buses ?? [{ name: 'default', arn: `arn:aws:events:${app.region}:${app.accountId}:event-bus/default` }]
  );
}

export async function startServices(options: ServicesOptions): Promise<Services> {
  const adminAccessKeyId = `LOCALADMIN${randomBytes(5).toString('hex').toUpperCase()}`;
  const broker = new QueueBroker({ log: (line) => options.log(`[sqs] ${line}`) });
  const streams = new StreamLogs(
    (tableName) => options.app().tables.find((table) => table.tableName === tableName)?.stream,
    () => options.app().region,
  );
  const workers = new Workers({
    broker,
    streams,
    retryDelayMs: options.retryDelayMs,
    writesInFlight: options.writesInFlight,
    onInvocation: options.onInvocation,
    log: options.log,
  });
  let endpoint = '';
  const sqs = createSqsApi({
    broker,
    authorizer: options.authorizer,
    adminAccessKeyId,
    endpoint: () => endpoint,
    region: () => options.app().region,
    log: (line) => options.log(`[sqs] ${line}`),
  });
  const events = createEventsApi({
    buses: () => busesOf(options.app()),
    authorizer: options.authorizer,
    adminAccessKeyId,
    region: () => options.app().region,
    accountId: () => options.app().accountId,
    route: (bus, event) => workers.route(bus, event),
    log: (line) => options.log(`[events] ${line}`),
  });
  const secretsManager = secretsManagerListener({
    app: options.app,
    authorizer: options.secretsAuthorizer,
    log: (line) => options.log(`[secretsmanager] ${line}`),
  });
  const server = await startLocalServices({ sqs, events, secretsManager, log: options.log, host: options.host });
  endpoint = server.endpoint;
  return {
    endpoint,
    adminAccessKeyId,
    broker,
    streams,
    workers,
    sqs,
    events,
    serve: (version) => workers.serve(version),
    async close() {
      await workers.stop();
      broker.close();
      await server.close();
    },
  };
}
