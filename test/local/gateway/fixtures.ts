import type {
  AuthOutcome,
  AuthorizationInput,
  FunctionInvoker,
  GatewayRequest,
  InvokeOptions,
  InvokeOutcome,
  RouteAuthorizer,
} from '../../../src/local/contracts';
import type { LocalApiModel, LocalAppModel, LocalRouteModel } from '../../../src/local/model';

/** 2027-01-15T08:00:00Z, as API Gateway writes it in `requestContext.time`. */
export const REQUEST_EPOCH_MS = 1_800_000_000_000;
export const REQUEST_TIME = '15/Jan/2027:08:00:00 +0000';

/** A route of an HTTP API; public and unthrottled unless `overrides` say otherwise. */
export function route(routeKey: string, overrides: Partial<LocalRouteModel> = {}): LocalRouteModel {
  const [method, path] = routeKey === '$default' ? ['ANY', ''] : routeKey.split(' ');
  return {
    method,
    path,
    routeKey,
    functionId: 'ItemsFunction',
    authorization: { type: 'NONE' },
    scopes: [],
    apiKeyRequired: false,
    requiredParameters: { querystrings: [], headers: [] },
    ...overrides,
  };
}

/** The model of a stack holding one HTTP API on its `$default` stage. */
export function httpApp(api: Partial<LocalApiModel> = {}): LocalAppModel {
  return {
    stackName: 'ShopStack',
    region: 'eu-west-1',
    accountId: '123456789012',
    api: {
      type: 'HTTP',
      logicalId: 'ApiHttpApi1A2B3C4D',
      apiId: 'f9k2m4p6q8',
      name: 'shop',
      stageName: '$default',
      routes: [route('GET /items')],
      authorizers: {},
      usagePlans: [],
      apiKeys: [],
      binaryMediaTypes: [],
      integrationTimeoutMs: 30_000,
      ...api,
    },
    functions: {},
    tables: [],
    assemblyDir: 'cdk.out',
  };
}

let requestCounter = 0;

/** A request as the server hands it over: header names lower-case, every value a list. */
export function request(method: string, target: string, init: Partial<GatewayRequest> = {}): GatewayRequest {
  const question = target.indexOf('?');
  requestCounter += 1;
  return {
    method,
    rawPath: question < 0 ? target : target.slice(0, question),
    rawQueryString: question < 0 ? '' : target.slice(question + 1),
    headers: { host: ['127.0.0.1:3000'], 'user-agent': ['curl/8.5.0'] },
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    requestId: `req${String(requestCounter).padStart(12, '0')}=`,
    timeEpoch: REQUEST_EPOCH_MS,
    ...init,
  };
}

export interface Invocation {
  readonly functionId: string;
  readonly event: any;
  readonly options?: InvokeOptions;
}

/** Records each invocation and answers with `answer` (a 200 JSON result unless told otherwise). */
export class FakeInvoker implements FunctionInvoker {
  public readonly invocations: Invocation[] = [];

  constructor(
    public answer: (invocation: Invocation) => InvokeOutcome | Promise<InvokeOutcome> = () => ({
      status: 'ok',
      payload: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
      durationMs: 3,
    }),
  ) {}

  public async invoke(functionId: string, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome> {
    const invocation = { functionId, event, options };
    this.invocations.push(invocation);
    return this.answer(invocation);
  }
}

/** Records each authorization and answers with `outcome`. */
export class FakeAuthorizer implements RouteAuthorizer {
  public readonly inputs: AuthorizationInput[] = [];

  constructor(
    public outcome: (input: AuthorizationInput) => AuthOutcome | Promise<AuthOutcome> = () => ({ ok: true }),
  ) {}

  public async authorize(input: AuthorizationInput): Promise<AuthOutcome> {
    this.inputs.push(input);
    return this.outcome(input);
  }
}

/** The body of a response, parsed. */
export function json(body: Buffer): any {
  return JSON.parse(body.toString('utf8'));
}
