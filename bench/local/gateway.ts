/**
 * What the local HTTP API gateway and its server add to a request: a function that answers at once sits behind a
 * JWT-authorized route, with throttling and the construct's access log on, and the time of each request is measured
 * from a keep-alive client. Prints figures; asserts only that every request got the answer it should.
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/local/gateway.ts [--requests 2000] [--concurrent 200]
 *
 * - `bare server`: a node:http server answering the same body at once, over the same client: the loopback and HTTP
 *   cost the local API cannot avoid.
 * - `gateway + server`: the full local path (parse, route, throttle, authorize, build the 2.0 event, invoke, read the
 *   result, access log); its excess over `bare server` is the overhead the local API adds.
 * - `gateway.handle`: the gateway alone, in process.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { parseArgs } from 'util';
import { accessLogFormat } from '../../src/api/access-log';
import { ApiType } from '../../src/api/api-type';
import type {
  AuthOutcome,
  FunctionInvoker,
  GatewayRequest,
  InvokeOutcome,
  RouteAuthorizer,
} from '../../src/local/contracts';
import { createHttpGateway } from '../../src/local/gateway/http';
import { startGatewayServer } from '../../src/local/gateway/server';
import type { LocalAppModel } from '../../src/local/model';
import { summarize, table, type Summary } from '../runtime/lib/stats';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '300' },
    concurrent: { type: 'string', default: '200' },
  },
});
const count = (name: keyof typeof args) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`--${name} must be a positive integer, got: ${args[name]}`);
  }
  return value;
};

const BODY = '{"taskId":"t1","title":"Write the benchmark"}';

const app: LocalAppModel = {
  stackName: 'BenchStack',
  region: 'eu-west-1',
  accountId: '123456789012',
  api: {
    type: 'HTTP',
    logicalId: 'BenchHttpApi',
    apiId: 'b3nch00api',
    name: 'bench',
    stageName: '$default',
    routes: [
      {
        method: 'POST',
        path: '/projects/{projectId}/tasks',
        routeKey: 'POST /projects/{projectId}/tasks',
        functionId: 'CreateTask',
        authorization: { type: 'AUTHORIZER', authorizerId: 'Jwt' },
        scopes: [],
        apiKeyRequired: false,
        requiredParameters: { querystrings: [], headers: [] },
      },
    ],
    throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 },
    authorizers: {},
    usagePlans: [],
    apiKeys: [],
    binaryMediaTypes: [],
    integrationTimeoutMs: 30_000,
  },
  functions: {},
  tables: [],
  assemblyDir: 'cdk.out',
};

/** A function that answers at once, reading nothing but the event's path parameter. */
const invoker: FunctionInvoker = {
  invoke: async (_id, event): Promise<InvokeOutcome> => ({
    status: 'ok',
    payload: {
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: BODY.replace('t1', (event as { pathParameters: { projectId: string } }).pathParameters.projectId),
    },
    durationMs: 0,
  }),
};

const authorizer: RouteAuthorizer = {
  authorize: async (): Promise<AuthOutcome> => ({
    ok: true,
    principalId: 'user-1',
    authorizer: { jwt: { claims: { sub: 'user-1', scope: 'tasks/write' }, scopes: null } },
  }),
};

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: keepAlive,
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

async function timeOne(port: number, i: number): Promise<number> {
  const started = process.hrtime.bigint();
  const { status } = await post(port, `/projects/p${i}/tasks`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (status !== 201) throw new Error(`request ${i} to port ${port} answered ${status}, expected 201`);
  return ms;
}

/** Both servers in alternating blocks, so that warm-up, GC and machine noise fall on both alike. */
async function timeInterleaved(ports: readonly number[], requests: number, warmup: number): Promise<Summary[]> {
  const samples: number[][] = ports.map(() => []);
  const block = 50;
  for (let start = 0; start < warmup + requests; start += block) {
    for (const [p, port] of ports.entries()) {
      for (let i = start; i < Math.min(start + block, warmup + requests); i++) {
        const ms = await timeOne(port, i);
        if (i >= warmup) samples[p].push(ms);
      }
    }
  }
  return samples.map(summarize);
}

async function timeInProcess(requests: number, warmup: number): Promise<Summary> {
  const gateway = createHttpGateway({ app, invoker, authorizer, log: () => {} });
  const samples: number[] = [];
  for (let i = 0; i < warmup + requests; i++) {
    const request: GatewayRequest = {
      method: 'POST',
      rawPath: `/projects/p${i}/tasks`,
      rawQueryString: '',
      headers: { host: ['127.0.0.1:3000'], authorization: ['Bearer t'], 'content-type': ['application/json'] },
      body: Buffer.from(BODY),
      sourceIp: '127.0.0.1',
      requestId: `bench${i}`,
      timeEpoch: Date.now(),
    };
    const started = process.hrtime.bigint();
    const { response } = await gateway.handle(request);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.statusCode !== 201) throw new Error(`request ${i} answered ${response.statusCode}`);
    if (i >= warmup) samples.push(ms);
  }
  return summarize(samples);
}

async function bareServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(BODY);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  const requests = count('requests');
  const warmup = count('warmup');
  const concurrent = count('concurrent');
  let accessLogLines = 0;
  const gateway = createHttpGateway({ app, invoker, authorizer, log: (line) => console.error(line) });
  const server = await startGatewayServer({
    gateway,
    accessLog: { format: accessLogFormat(ApiType.HTTP), write: () => (accessLogLines += 1) },
  });
  const bare = await bareServer();
  try {
    const [bareTimes, fullTimes] = await timeInterleaved([bare.port, server.port], requests, warmup);
    const handleTimes = await timeInProcess(requests, warmup);

    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: concurrent }, (_, i) => post(server.port, `/projects/c${i}/tasks`)),
    );
    const concurrentMs = Date.now() - started;
    const failed = answers.filter((a, i) => a.status !== 201 || !a.body.includes(`"c${i}"`));

    const ms = (n: number) => n.toFixed(3);
    const row = (name: string, s: Summary) => [name, ms(s.median), ms(s.p90), ms(s.p99)];
    console.log(
      `Local HTTP API gateway: ${requests} sequential requests per row after ${warmup} warm-up, keep-alive client\n`,
    );
    console.log(
      table(
        ['per request (ms)', 'p50', 'p90', 'p99'],
        [
          row('bare server', bareTimes),
          row('gateway + server', fullTimes),
          row('gateway.handle', handleTimes),
          [
            'overhead (gateway + server - bare)',
            ms(fullTimes.median - bareTimes.median),
            ms(fullTimes.p90 - bareTimes.p90),
            ms(fullTimes.p99 - bareTimes.p99),
          ],
        ],
      ),
    );
    console.log(
      `\n${concurrent} concurrent requests: ${concurrent - failed.length} answered 201, ${failed.length} failed, ${concurrentMs} ms in all`,
    );
    console.log(`access-log lines written: ${accessLogLines}`);
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    keepAlive.destroy();
    await Promise.all([server.close(), bare.close()]);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
