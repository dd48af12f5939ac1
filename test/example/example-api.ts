/**
 * The task-board example as a user's suite runs it: the stack synthesized in this process with bundling, served by
 * `LocalApi` (the test kit), and driven over HTTP with dev tokens. Every request goes through the gateway (routes,
 * the JWT authorizer, throttling), reaches the function's real bundle in its own execution environment, and every
 * table call is checked against the function's IAM role.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { problemBody, WEBHOOK_SECRET } from './task-board';
import { TaskBoardStack } from '../../integ/task-board/stack';
import { LocalApi } from '../../src/testing';

/**
 * A JSON media type the example's handlers accept but API Gateway does not treat as text: an HTTP API passes such a
 * body base64-encoded (`isBase64Encoded: true`), so the handler decodes it.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export const BASE64_JSON = 'application/vnd.api+json';

/**
 * The TTL sweeper stays out of a suite's way: the suites arrange items whose expiry has passed but that TTL has not
 * deleted yet (DynamoDB takes up to days), and check that the handlers treat them as gone.
 */
const NO_TTL_SWEEP_DURING_A_SUITE = { sweepIntervalMs: 60 * 60 * 1000 };

/**
 * Synthesizes `TaskBoardStack` with bundling into a temporary folder and starts it locally; `stop()` also removes
 * the folder. The unit tests' setup turns bundling off for every app; this one asks for it, as `cdk synth` does.
 */
export async function startExample(): Promise<LocalApi> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'task-board-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const app = new App({ outdir: path.join(dir, 'cdk.out'), postCliContext: { 'aws:cdk:bundling-stacks': ['**'] } });
    new TaskBoardStack(app, 'TaskBoard');
    const api = await LocalApi.start({
      app,
      secrets: { WebhookSigningSecret: WEBHOOK_SECRET },
      ttl: NO_TTL_SWEEP_DURING_A_SUITE,
    });
    const stop = api.stop.bind(api);
    return Object.assign(api, {
      stop: async () => {
        try {
          await stop();
        } finally {
          removeDir();
        }
      },
    });
  } catch (error) {
    removeDir();
    throw error;
  }
}

/** What a request sends besides its method and path. */
export interface RequestOptions {
  /** The caller: a dev token for this `sub` is sent as `Bearer`. */
  readonly sub?: string;
  /** A token sent as is, as `Bearer <token>` (wins over `sub`). */
  readonly token?: string;
  /** Encoded into the query string. */
  readonly query?: { readonly [name: string]: string };
  /** Sent as bytes, exactly. */
  readonly body?: string | Uint8Array;
  /** `content-type` of the request. @default application/json when there is a body; `null` sends none */
  readonly contentType?: string | null;
  /** More headers; pairs may repeat a name (the gateway joins repeated values with commas). */
  readonly headers?: { readonly [name: string]: string } | readonly (readonly [string, string])[];
}

/** An answer, as the client sees it. */
export interface HttpResult {
  readonly status: number;
  /**
   * The answer's headers without those HTTP and the gateway add to every answer (`date`, `content-length`,
   * `connection`, `keep-alive`, `apigw-requestid`): for a function's answer, the headers the function returned.
   */
  readonly headers: { readonly [name: string]: string };
  /** The gateway's request id (`apigw-requestid`), which the function sees as `requestContext.requestId`. */
  readonly requestId: string;
  /** The body parsed as JSON; undefined when empty. */
  readonly body: any;
}

const TRANSPORT_HEADERS = new Set(['date', 'content-length', 'connection', 'keep-alive', 'apigw-requestid']);

/**
 * API Gateway's own answer when a route's token bucket is empty (the function did not run). The suites send
 * requests one after another faster than the webhook route's 20 requests a second, so a throttled request waits
 * for the bucket to refill and is sent again, as a client of API Gateway would.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
 */
const GATEWAY_THROTTLED = '{"message":"Too Many Requests"}';
const THROTTLE_PAUSE_MS = 60;
const THROTTLE_RETRIES = 100;

const tokens = new WeakMap<LocalApi, Map<string, Promise<string>>>();

/** A dev token for `sub`, issued once per API. */
function tokenFor(api: LocalApi, sub: string): Promise<string> {
  let bySub = tokens.get(api);
  if (!bySub) tokens.set(api, (bySub = new Map()));
  let token = bySub.get(sub);
  if (!token) bySub.set(sub, (token = api.token({ sub })));
  return token;
}

/** Sends `method route` (a path, its parameters percent-encoded) to the running example and parses the answer. */
export async function request(
  api: LocalApi,
  method: string,
  route: string,
  options: RequestOptions = {},
): Promise<HttpResult> {
  const headers: { [name: string]: string[] } = {};
  const add = (name: string, value: string) => (headers[name.toLowerCase()] ??= []).push(value);
  const token = options.token ?? (options.sub === undefined ? undefined : await tokenFor(api, options.sub));
  if (token !== undefined) add('authorization', `Bearer ${token}`);
  const contentType =
    options.contentType === undefined && options.body !== undefined ? 'application/json' : options.contentType;
  if (contentType !== undefined && contentType !== null) add('content-type', contentType);
  const extra = Array.isArray(options.headers) ? options.headers : Object.entries(options.headers ?? {});
  for (const [name, value] of extra) add(name, value);
  const query = options.query ? `?${new URLSearchParams(options.query as Record<string, string>)}` : '';
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  // Node's client declares no length for a GET's body on its own: the server would read the body as a new request.
  if (body !== undefined) add('content-length', String(body.length));
  for (let attempt = 0; ; attempt++) {
    const answer = await send(new URL(`${api.url}${route}${query}`), method, headers, body);
    if (answer.status === 429 && answer.text === GATEWAY_THROTTLED && attempt < THROTTLE_RETRIES) {
      await new Promise((resolve) => setTimeout(resolve, THROTTLE_PAUSE_MS));
      continue;
    }
    return {
      status: answer.status,
      headers: Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name))),
      requestId: answer.headers['apigw-requestid'],
      body: answer.text === '' ? undefined : JSON.parse(answer.text),
    };
  }
}

/**
 * One exchange with Node's HTTP client rather than fetch: it sends a body with any method (a GET with a body is
 * one of the bad requests), repeated header lines, and header values as the bytes of their Latin-1 characters.
 */
function send(
  url: URL,
  method: string,
  headers: { readonly [name: string]: string[] },
  body: Buffer | undefined,
): Promise<{ status: number; headers: { [name: string]: string }; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const received: { [name: string]: string } = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) received[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: response.statusCode ?? 0, headers: received, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    outgoing.on('error', reject);
    // A Buffer, so the headers go out as Latin-1 rather than in the body's encoding.
    outgoing.end(body ?? Buffer.alloc(0));
  });
}

/** The problem document `res` must carry, for `toEqual`: its request id is the gateway's, as the function saw it. */
export function problemOf(
  res: HttpResult,
  status: number,
  detail: unknown,
  extensions: { readonly [member: string]: unknown } = {},
): { [member: string]: unknown } {
  return problemBody(status, detail, extensions, res.requestId);
}
