import type {
  AuthorizationInput,
  AuthOutcome,
  FunctionInvoker,
  GatewayRequest,
  GatewayResult,
  InvokeOptions,
  InvokeOutcome,
  RouteAuthorizer,
} from '../../../../src/local/contracts';
import { createRestGateway } from '../../../../src/local/gateway/rest';
import type { LocalApiModel, LocalAppModel, LocalRouteModel } from '../../../../src/local/model';
import { TEST_EPOCH_MS } from '../../../helpers/clock';

/** Hand-built REST models, a scripted function invoker and authorizer, and requests, for the REST gateway's tests. */

export const STAGE = 'prod';

export function route(method: string, path: string, extra: Partial<LocalRouteModel> = {}): LocalRouteModel {
  return {
    method,
    path,
    routeKey: `${method} ${path}`,
    functionId: 'ItemsFunction',
    authorization: { type: 'NONE' },
    scopes: [],
    apiKeyRequired: false,
    requiredParameters: { querystrings: [], headers: [] },
    ...extra,
  };
}

export function restApp(api: Partial<LocalApiModel> & Pick<LocalApiModel, 'routes'>): LocalAppModel {
  return {
    stackName: 'ShopStack',
    region: 'eu-west-1',
    accountId: '123456789012',
    assemblyDir: 'cdk.out',
    tables: [],
    functions: {
      ItemsFunction: {
        logicalId: 'ItemsFunction',
        name: 'items',
        functionName: 'ShopStack-items',
        handler: 'index.handler',
        runtime: 'nodejs22.x',
        architecture: 'arm64',
        codeDir: 'asset.items',
        environment: {},
        timeoutSeconds: 10,
        memorySize: 512,
        role: { logicalId: 'ItemsRole', arn: 'arn:aws:iam::123456789012:role/items', statements: [] },
        logGroupName: '/aws/lambda/ShopStack-items',
        logFormat: 'Text',
      },
    },
    api: {
      type: 'REST',
      logicalId: 'ApiRestApi',
      apiId: 'r3st4p1id0',
      name: 'shop',
      stageName: STAGE,
      authorizers: {},
      usagePlans: [],
      apiKeys: [],
      binaryMediaTypes: [],
      integrationTimeoutMs: 29_000,
      ...api,
    },
  };
}

export const ok = (payload: unknown): InvokeOutcome => ({ status: 'ok', payload, durationMs: 3 });

/** Records every invocation and answers with `answer` (a 200 "ok" unless a test changes it). */
export class FakeInvoker implements FunctionInvoker {
  public readonly calls: { functionId: string; event: any; options?: InvokeOptions }[] = [];
  public answer: (event: any) => InvokeOutcome | Promise<InvokeOutcome> = () => ok({ statusCode: 200, body: 'ok' });

  public async invoke(functionId: string, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    this.calls.push({ functionId, event, options });
    return this.answer(event);
  }

  public get lastEvent(): any {
    return this.calls[this.calls.length - 1]?.event;
  }
}

/** Records what it was asked and answers with `answer` (allowed unless a test changes it). */
export class FakeAuthorizer implements RouteAuthorizer {
  public readonly inputs: AuthorizationInput[] = [];
  public answer: (input: AuthorizationInput) => AuthOutcome | Promise<AuthOutcome> = () => ({ ok: true });

  public async authorize(input: AuthorizationInput): Promise<AuthOutcome> {
    this.inputs.push(input);
    return this.answer(input);
  }
}

/** A clock that moves only when a test moves it. */
export class ManualClock {
  constructor(public ms: number = TEST_EPOCH_MS) {}
  public readonly now = (): number => this.ms;
  public advance(ms: number): void {
    this.ms += ms;
  }
}

let requestCount = 0;

export interface RequestOptions {
  readonly headers?: { [name: string]: string | string[] };
  readonly body?: string | Buffer;
  readonly sourceIp?: string;
}

/** A request as the server hands it over: `target` is the path (with the stage) and query as sent. */
export function request(method: string, target: string, options: RequestOptions = {}): GatewayRequest {
  const q = target.indexOf('?');
  const headers: { [name: string]: string[] } = { host: ['127.0.0.1:3000'], 'user-agent': ['jest/30'] };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = [value].flat();
  requestCount += 1;
  return {
    method,
    rawPath: q < 0 ? target : target.slice(0, q),
    rawQueryString: q < 0 ? '' : target.slice(q + 1),
    headers,
    body: Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body ?? ''),
    sourceIp: options.sourceIp ?? '127.0.0.1',
    requestId: `c6af9ac6-7b61-11e6-9a41-93e8deadbe${String(requestCount % 100).padStart(2, '0')}`,
    timeEpoch: TEST_EPOCH_MS,
  };
}

/** A gateway over `app` with fresh fakes. */
export function gatewayFor(app: LocalAppModel, clock: ManualClock = new ManualClock()) {
  const invoker = new FakeInvoker();
  const authorizer = new FakeAuthorizer();
  const lines: string[] = [];
  const gateway = createRestGateway({ app, invoker, authorizer, now: clock.now, log: (line) => lines.push(line) });
  return { gateway, invoker, authorizer, clock, lines };
}

/** The parsed JSON body of a result. */
export function json(result: GatewayResult): any {
  return JSON.parse(result.response.body.toString('utf8'));
}

/** A response header's single value, whatever its spelling. */
export function header(result: GatewayResult, name: string): string | undefined {
  const found = Object.entries(result.response.headers).find(([n]) => n.toLowerCase() === name.toLowerCase());
  return found?.[1].join(', ');
}
