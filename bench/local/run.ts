/**
 * What the local API adds to a request, end to end, over calling the handler directly: the gateway (routing, the
 * JWT check, the 2.0 event, the access log), the hop into the function's worker, and the IAM check on its DynamoDB
 * call. Also: the time from start to the first answer, and 200 concurrent requests. Prints figures; asserts only
 * that every request got the answer it should.
 *
 *   npx projen bench:local [--requests 2000] [--warmup 300] [--concurrent 200]
 *
 * The app: an HTTP API with a JWT authorizer and one function whose handler reads one item (GetItem, through the AWS
 * SDK), synthesized with bundling into a temporary folder.
 * - `direct`: the function's bundle loaded in this process with its environment, called with a 2.0 event; its
 *   GetItem goes straight to the local DynamoDB engine (no IAM check).
 * - `local API`: the same request over HTTP from a keep-alive client: server, gateway, JWT, worker, IAM check.
 * Both read the same item from the same engine; rounds alternate between them so drift hits both alike.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, ApiAuthorization, ServerlessApi } from '../../src';
import { issueDevToken } from '../../src/local/auth';
import { readLocalApp } from '../../src/local/reader';
import { runLocal } from '../../src/local/run-local';
import { summarize, table, type Summary } from '../runtime/lib/stats';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '300' },
    concurrent: { type: 'string', default: '200' },
  },
});
const REQUESTS = Number(args.requests);
const WARMUP = Number(args.warmup);
const CONCURRENT = Number(args.concurrent);
const ROUND = 100;

const HANDLER = `
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async (event: { pathParameters: { itemId: string } }) => {
  const key = { PK: { S: 'ITEM#' + event.pathParameters.itemId }, SK: { S: 'DETAIL' } };
  const { Item } = await client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: key }));
  return { statusCode: Item ? 200 : 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify(Item ?? {}) };
};
`;

function synthesize(dir: string): string {
  const entry = path.join(dir, 'items.ts');
  fs.writeFileSync(entry, HANDLER);
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'Bench');
  new ServerlessApi(stack, 'Api', {
    authorization: ApiAuthorization.jwt({ issuer: 'https://auth.example.com', audience: ['bench'] }),
    // The account's own limits, so the stage's default throttle (100 req/s) does not cut the measurement short.
    throttle: { rateLimit: 10000, burstLimit: 5000 },
    accessPatterns: { getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{itemId}', sortKey: 'DETAIL' }) },
    functions: {
      items: { entry, accessPatterns: ['getItem'], routes: [{ method: HttpMethod.GET, path: '/items/{itemId}' }] },
    },
  });
  return app.synth().directory;
}

function event(itemId: string) {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: 'GET /items/{itemId}',
    rawPath: `/items/${itemId}`,
    rawQueryString: '',
    headers: { authorization: 'Bearer x' },
    pathParameters: { itemId },
    requestContext: {
      http: {
        method: 'GET',
        path: `/items/${itemId}`,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId: `r${now}`,
      routeKey: 'GET /items/{itemId}',
      stage: '$default',
      timeEpoch: now,
      authorizer: { jwt: { claims: { sub: 'bench' }, scopes: null } },
    },
    isBase64Encoded: false,
  };
}

function ms(value: number): string {
  return value.toFixed(3);
}

async function main(): Promise<void> {
  // Inside the project, so the bundle loaded in process resolves the AWS SDK (kept external) as Lambda provides it.
  const cache = path.join(process.cwd(), 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'bench-local-'));
  try {
    console.log(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores\n`,
    );
    const assembly = synthesize(dir);

    const startedAt = performance.now();
    const app = readLocalApp(assembly);
    const local = await runLocal(app, { keysDir: dir });
    const token = await issueDevToken(local.keys, {
      issuer: 'https://auth.example.com',
      audience: 'bench',
      sub: 'bench',
    });
    await local.dynamodb.request('PutItem', {
      TableName: app.tables[0].tableName,
      Item: { PK: { S: 'ITEM#a' }, SK: { S: 'DETAIL' }, name: { S: 'bench item' } },
    });
    const headers = { authorization: `Bearer ${token}` };
    const first = await fetch(`${local.url}/items/a`, { headers });
    const firstAnswerMs = performance.now() - startedAt;
    if (first.status !== 200) throw new Error(`first request answered ${first.status}: ${await first.text()}`);

    try {
      // The same bundle in this process, with the function's environment and the engine's endpoint.
      const fn = Object.values(app.functions)[0];
      Object.assign(process.env, fn.environment, {
        AWS_ENDPOINT_URL_DYNAMODB: local.dynamodb.engineEndpoint,
        AWS_ACCESS_KEY_ID: 'direct',
        AWS_SECRET_ACCESS_KEY: 'direct',
        AWS_REGION: app.region,
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const direct = require(path.join(fn.codeDir, 'index.js')).handler as (
        e: unknown,
      ) => Promise<{ statusCode: number }>;

      const directOnce = async () => {
        const t = performance.now();
        const result = await direct(event('a'));
        if (result.statusCode !== 200) throw new Error(`direct call answered ${result.statusCode}`);
        return performance.now() - t;
      };
      const localOnce = async () => {
        const t = performance.now();
        const response = await fetch(`${local.url}/items/a`, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`local API answered ${response.status}`);
        return performance.now() - t;
      };

      for (let i = 0; i < WARMUP; i++) {
        await directOnce();
        await localOnce();
      }
      const directTimes: number[] = [];
      const localTimes: number[] = [];
      for (let done = 0; done < REQUESTS; done += ROUND) {
        for (let i = 0; i < ROUND; i++) directTimes.push(await directOnce());
        for (let i = 0; i < ROUND; i++) localTimes.push(await localOnce());
      }
      const d: Summary = summarize(directTimes);
      const l: Summary = summarize(localTimes);
      console.log(`Per request, ${REQUESTS} each, GetItem handler behind a JWT route (ms)\n`);
      console.log(
        table(
          ['', 'p50', 'p90', 'p99'],
          [
            ['direct (handler in process, no IAM check)', ms(d.median), ms(d.p90), ms(d.p99)],
            ['local API (HTTP, gateway, JWT, worker, IAM)', ms(l.median), ms(l.p90), ms(l.p99)],
            ['overhead (difference)', ms(l.median - d.median), ms(l.p90 - d.p90), ms(l.p99 - d.p99)],
          ],
        ),
      );

      const t = performance.now();
      const answers = await Promise.all(
        Array.from({ length: CONCURRENT }, () =>
          fetch(`${local.url}/items/a`, { headers }).then(
            async (response) => ({ status: response.status, body: await response.text() }),
            (error: Error) => ({ status: 0, body: error.message }),
          ),
        ),
      );
      const failed = answers.filter((answer) => answer.status !== 200);
      const stats = local.runner.stats();
      const environments = Object.values(stats).reduce((sum, s) => sum + s.environments, 0);
      console.log(
        `\n${CONCURRENT} concurrent requests: ${CONCURRENT - failed.length} answered 200, ${failed.length} failed, in ${(performance.now() - t).toFixed(0)} ms (${environments} execution environments)`,
      );
      for (const answer of failed.slice(0, 5)) console.log(`  ${answer.status} ${answer.body.slice(0, 200)}`);
      console.log(
        `\nStart to first answer (read the assembly, start everything, cold start, one request): ${firstAnswerMs.toFixed(0)} ms`,
      );
      if (failed.length > 0) process.exitCode = 1;
    } finally {
      await local.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
