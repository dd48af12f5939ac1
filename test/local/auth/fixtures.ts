import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDevKeys, type DevKeys } from '../../../src/local/auth';
import type {
  AuthorizationInput,
  FunctionInvoker,
  GatewayRequest,
  InvokeOutcome,
  MatchedRequest,
} from '../../../src/local/contracts';
import type { LocalApiType, LocalAppModel, LocalAuthorizerModel, LocalRouteModel } from '../../../src/local/model';
import { TEST_EPOCH_MS } from '../../helpers/clock';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const POOL_ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_TestPool1`;
export const CLIENT_ID = 'local-app-client';

/** Keys made once per test file, in a folder of its own. */
export function testKeys(): DevKeys {
  return loadDevKeys({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'local-auth-keys-')) });
}

export function route(overrides: Partial<LocalRouteModel> & { path?: string; method?: string } = {}): LocalRouteModel {
  const method = overrides.method ?? 'GET';
  const routePath = overrides.path ?? '/projects/{projectId}';
  return {
    method,
    path: routePath,
    routeKey: `${method} ${routePath}`,
    functionId: 'RouteFunction',
    authorization: { type: 'NONE' },
    scopes: [],
    apiKeyRequired: false,
    requiredParameters: { querystrings: [], headers: [] },
    ...overrides,
  };
}

export function appModel(
  type: LocalApiType,
  authorizers: { [id: string]: LocalAuthorizerModel } = {},
  routes: LocalRouteModel[] = [],
): LocalAppModel {
  return {
    stackName: 'TestStack',
    region: REGION,
    accountId: ACCOUNT,
    api: {
      type,
      logicalId: 'ApiF70053CD',
      apiId: 'a1b2c3d4e5',
      name: 'Api',
      stageName: type === 'HTTP' ? '$default' : 'prod',
      routes,
      authorizers,
      usagePlans: [],
      apiKeys: [],
      binaryMediaTypes: [],
      integrationTimeoutMs: type === 'HTTP' ? 30_000 : 29_000,
    },
    functions: {},
    tables: [],
    assemblyDir: '/nonexistent/cdk.out',
  };
}

export interface RequestParts {
  readonly method?: string;
  readonly rawPath?: string;
  readonly rawQueryString?: string;
  readonly headers?: { [name: string]: string | string[] };
  readonly body?: string;
  readonly timeEpoch?: number;
}

export function request(parts: RequestParts = {}): GatewayRequest {
  const headers: { [name: string]: string[] } = { host: ['127.0.0.1:3000'] };
  for (const [name, value] of Object.entries(parts.headers ?? {})) {
    headers[name.toLowerCase()] = typeof value === 'string' ? [value] : value;
  }
  return {
    method: parts.method ?? 'GET',
    rawPath: parts.rawPath ?? '/projects/p1',
    rawQueryString: parts.rawQueryString ?? '',
    headers,
    body: Buffer.from(parts.body ?? ''),
    sourceIp: '127.0.0.1',
    requestId: 'request-1',
    timeEpoch: parts.timeEpoch ?? TEST_EPOCH_MS,
  };
}

export function matched(
  routeModel: LocalRouteModel,
  parts: RequestParts = {},
  pathParameters: { [name: string]: string } = { projectId: 'p1' },
): MatchedRequest {
  return {
    request: request({ method: routeModel.method === 'ANY' ? 'GET' : routeModel.method, ...parts }),
    route: routeModel,
    pathParameters,
  };
}

/** The input the gateway gives, recording the events it was asked to build. */
export function authInput(
  match: MatchedRequest,
  /** The ARN the gateway would put in the authorizer's event; only Lambda authorizers read it. */
  requestArn = `arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/stage/${match.request.method}${match.request.rawPath}`,
): AuthorizationInput & { events: { type: string; identitySource: readonly string[] }[] } {
  const events: { type: string; identitySource: readonly string[] }[] = [];
  return {
    matched: match,
    requestArn,
    events,
    lambdaAuthorizerEvent: (type, identitySource) => {
      events.push({ type, identitySource });
      return { type, identitySource, marker: 'event-built-by-the-gateway' };
    },
  };
}

/** A function invoker whose authorizer answers with `answer`, counting its calls. */
export class FakeInvoker implements FunctionInvoker {
  public readonly calls: { functionId: string; event: unknown }[] = [];

  constructor(private readonly answer: (event: unknown) => InvokeOutcome | Promise<InvokeOutcome>) {}

  public async invoke(functionId: string, event: unknown): Promise<InvokeOutcome> {
    this.calls.push({ functionId, event });
    return this.answer(event);
  }
}

export function returns(payload: unknown): (event: unknown) => InvokeOutcome {
  return () => ({ status: 'ok', payload, durationMs: 12.4 });
}

export function allowPolicy(
  resource: string | string[],
  extra: { [key: string]: unknown } = {},
): { [key: string]: unknown } {
  return {
    principalId: 'user-42',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
    },
    ...extra,
  };
}

/** SHA-256 (HMAC when given a secret) for the AWS SDK's signer, which takes its hash as a constructor. */
export class NodeSha256 {
  private readonly hash: crypto.Hash | crypto.Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? crypto.createHash('sha256') : crypto.createHmac('sha256', bytes(secret));
  }

  public update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }

  public async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }

  public reset(): void {}
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
