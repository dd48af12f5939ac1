/**
 * One version of an app as the local API serves it: its functions, authorizers and gateway, and the table, secrets,
 * SQS and EventBridge authorizers that hold its functions to their roles. A reload builds a new version and retires the old one once
 * the requests it is answering are done, so a reload never cuts a request short.
 */
import { createHash } from 'crypto';
import { createRouteAuthorizer, type DevKeys } from './auth';
import type {
  Gateway,
  GatewayRequest,
  GatewayResult,
  InvokeOutcome,
  SecretsAuthorizer,
  TableAuthorizer,
} from './contracts';
import { createHttpGateway } from './gateway/http';
import { createRestGateway } from './gateway/rest';
import { createSecretsAuthorizer, createTableAuthorizer, functionPrincipal } from './iam';
import { RoleSessions } from './iam/role-sessions';
import { createServiceAuthorizer, type ServiceAuthorizer } from './iam/service-authorizer';
import { createFunctionRunner, type FunctionRunner } from './lambda';
import type { LocalAppModel, LocalFunctionModel } from './model';
import { assumeRoleAnswer, readAssumeRole, type StsAnswer } from './sts/query-protocol';

/** An access key id per function: the local DynamoDB tells callers apart by it, as IAM tells roles apart. */
export function functionAccessKeyId(fn: LocalFunctionModel): string {
  return `ASIALOCAL${createHash('sha256').update(fn.logicalId).digest('hex').slice(0, 11).toUpperCase()}`;
}

/** Who may do what on the tables, for one version of the app. */
export interface TableAccess {
  /** Its denials name the function, its logical id and its role, for the `DENIED` log line. */
  readonly authorizer: TableAuthorizer;
  /** The declared name of the function an access key id (its own, or of a role session it assumed) belongs to. */
  functionName(accessKeyId: string): string | undefined;
  /** Answers an STS request (`AssumeRole`) signed with `accessKeyId`; denials are logged through `log`. */
  sts(accessKeyId: string, form: URLSearchParams, log: (line: string) => void): StsAnswer;
}

/** Which function signs with each access key id, by logical id. */
function functionIdentities(app: LocalAppModel): ReadonlyMap<string, string> {
  return new Map(Object.values(app.functions).map((fn) => [functionAccessKeyId(fn), fn.logicalId] as const));
}

/** Who may read which secrets, for one version of the app. */
export function secretsAuthorizerOf(app: LocalAppModel): SecretsAuthorizer {
  return createSecretsAuthorizer(app, functionIdentities(app));
}

/** Who may send to which queues and put which events, for one version of the app. */
export function serviceAuthorizerOf(app: LocalAppModel): ServiceAuthorizer {
  return createServiceAuthorizer(app, functionIdentities(app));
}

/**
 * The function's environment values that hold a queue URL as the template has it (`https://sqs.<region>...`), with the
 * local endpoint in its place: the AWS SDK sends a queue's requests to the host of its URL, so the function must see
 * the local one. Only the changed variables.
 */
export function localQueueUrls(
  app: LocalAppModel,
  fn: LocalFunctionModel,
  endpoint: string,
): { [name: string]: string } {
  const queues = app.workers?.queues ?? [];
  const changed: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    let local = value;
    for (const queue of queues) {
      const path = new URL(queue.url).pathname;
      local = local.split(queue.url).join(`${endpoint.replace(/\/$/, '')}${path}`);
    }
    if (local !== value) changed[name] = local;
  }
  return changed;
}

export function tableAccessOf(app: LocalAppModel, now: () => number = Date.now): TableAccess {
  const identities = functionIdentities(app);
  const functionOf = (accessKeyId: string) => {
    const functionId = identities.get(accessKeyId);
    return functionId === undefined ? undefined : app.functions[functionId];
  };
  const sessions = new RoleSessions(
    app,
    (accessKeyId) => {
      const fn = functionOf(accessKeyId);
      return fn && { fn, principal: functionPrincipal(app, fn) };
    },
    now,
  );
  return {
    authorizer: createTableAuthorizer(app, identities, sessions, now),
    functionName: (accessKeyId) => (functionOf(accessKeyId) ?? sessions.session(accessKeyId)?.assumedBy)?.name,
    sts(accessKeyId, form, log) {
      const input = readAssumeRole(form);
      if ('status' in input) return input;
      const outcome = sessions.assumeRole(accessKeyId, input);
      if (!outcome.ok) log(`DENIED ${outcome.reason}`);
      return assumeRoleAnswer(outcome);
    },
  };
}

export interface AppVersionOptions {
  readonly app: LocalAppModel;
  readonly keys: DevKeys;
  /** The table endpoint the functions call. */
  readonly dynamodbEndpoint: string;
  /** The endpoint of the local SQS, EventBridge and Secrets Manager the functions call. */
  readonly servicesEndpoint: string;
  readonly moduleRoots?: readonly string[];
  readonly now?: () => number;
  readonly log: (line: string) => void;
}

export interface AppVersion extends Gateway {
  readonly app: LocalAppModel;
  readonly runner: FunctionRunner;
  readonly tableAccess: TableAccess;
  readonly secretsAuthorizer: SecretsAuthorizer;
  readonly serviceAuthorizer: ServiceAuthorizer;
  /** Invokes a function of this version for a worker source; counted with the requests in flight. */
  invoke(functionId: string, event: unknown): Promise<InvokeOutcome>;
  /** Resolves once the requests and worker invocations in flight are done, then stops the functions. */
  retire(): Promise<void>;
  /** Stops the functions now; invocations in flight end as Lambda ends a crashed runtime's. */
  close(): Promise<void>;
}

export function startAppVersion(options: AppVersionOptions): AppVersion {
  const { app, log } = options;
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
      // Queue URLs on the local endpoint, wherever the environment holds them (SERVERLESS_API_QUEUES too).
      ...localQueueUrls(app, fn, options.servicesEndpoint),
      // The function's own credentials, as its execution role's session would give them, the local table, and the
      // local SQS, EventBridge and Secrets Manager on one endpoint.
      // https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
      AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
      // The local STS answers on the same endpoint: caller-scoped sessions of the function's caller role.
      AWS_ENDPOINT_URL_STS: options.dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: options.servicesEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: options.servicesEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: options.servicesEndpoint,
      AWS_ACCESS_KEY_ID: functionAccessKeyId(fn),
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: 'local',
      // The SDK warns when the Node.js running it is older than it supports: a fact of this machine, not of the
      // Lambda runtime the function is emulated on.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    }),
    log: (name, line) => log(`[${name}] ${line}`),
  });
  const gatewayLog = (line: string) => log(`[gateway] ${line}`);
  const authorizer = createRouteAuthorizer({
    app,
    invoker: runner,
    keys: options.keys,
    now: options.now,
    log: gatewayLog,
  });
  const gatewayOptions = { app, invoker: runner, authorizer, now: options.now, log: gatewayLog };
  const gateway = app.api.type === 'HTTP' ? createHttpGateway(gatewayOptions) : createRestGateway(gatewayOptions);

  let inFlight = 0;
  let onIdle: (() => void) | undefined;
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= runner.close());
  const tracked = async <R>(work: () => Promise<R>): Promise<R> => {
    inFlight++;
    try {
      return await work();
    } finally {
      if (--inFlight === 0) onIdle?.();
    }
  };
  return {
    app,
    runner,
    tableAccess: tableAccessOf(app, options.now),
    secretsAuthorizer: secretsAuthorizerOf(app),
    serviceAuthorizer: serviceAuthorizerOf(app),
    handle: (request: GatewayRequest): Promise<GatewayResult> => tracked(() => gateway.handle(request)),
    invoke: (functionId, event) => tracked(() => runner.invoke(functionId, event)),
    async retire() {
      if (inFlight > 0) await new Promise<void>((resolve) => (onIdle = resolve));
      await close();
    },
    close,
  };
}
