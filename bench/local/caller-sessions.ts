/**
 * What a caller-bound access pattern costs per request, through the local API: the same GetItem handler shape on an
 * unbound pattern (the function's own role), on a caller-bound one with the caller's session cached (warm), and on
 * a caller-bound one for a caller seen for the first time (cold: AssumeRole on the local STS, a client for the new
 * credentials, then the GetItem). Prints figures; asserts only that every request got its 200.
 *
 *   npx projen bench:local   (or: ts-node bench/local/caller-sessions.ts [--requests 1000])
 *
 * The local STS answers in well under a millisecond; STS in AWS takes tens of milliseconds (it is a regional HTTPS
 * call), so the cold figure here is the toolkit's own share only, and the warm one is what every later request of
 * the same caller pays in AWS too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, ApiAuthorization, CallerAttribute, ServerlessApi } from '../../src';
import { issueDevToken } from '../../src/local/auth';
import { readLocalApp } from '../../src/local/reader';
import { runLocal } from '../../src/local/run-local';
import { summarize, table } from '../runtime/lib/stats';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '1000' } } });
const REQUESTS = Number(args.requests);
const ROUND = 50;
const RUNTIME = path.join(__dirname, '..', '..', 'src', 'runtime');

const HANDLER = `
import { apiHandler, ok, route, Table } from ${JSON.stringify(RUNTIME)};
const table = Table.fromEnvironment();
const getNote = table.item('getNote');
const getItem = table.item('getItem');
export const handler = apiHandler({
  table,
  routes: {
    'GET /notes/{noteId}': route({ handle: async ({ params }) => ok(await getNote.get({ noteId: String(params.noteId) })) }),
    'GET /items/{itemId}': route({ handle: async ({ params }) => ok(await getItem.get({ itemId: String(params.itemId) })) }),
  },
});
`;

function synthesize(dir: string): string {
  const entry = path.join(dir, 'notes.ts');
  fs.writeFileSync(entry, HANDLER);
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'CallerBench');
  new ServerlessApi(stack, 'Api', {
    authorization: ApiAuthorization.jwt({ issuer: 'https://auth.example.com', audience: ['bench'] }),
    throttle: { rateLimit: 10000, burstLimit: 5000 },
    accessPatterns: {
      getNote: AccessPattern.getItem({
        partitionKey: 'USER#{userId}',
        sortKey: 'NOTE#{noteId}',
        callerBound: { userId: CallerAttribute.id() },
      }),
      getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{itemId}', sortKey: 'DETAIL' }),
    },
    functions: {
      notes: {
        entry,
        accessPatterns: ['getNote', 'getItem'],
        // One execution environment, so every cold caller is cold in the environment that serves it.
        reservedConcurrentExecutions: 1,
        routes: [
          { method: HttpMethod.GET, path: '/notes/{noteId}' },
          { method: HttpMethod.GET, path: '/items/{itemId}' },
        ],
      },
    },
  });
  return app.synth().directory;
}

async function main(): Promise<void> {
  const cache = path.join(process.cwd(), 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'bench-caller-'));
  try {
    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    console.log(`load average ${load} on ${os.cpus().length} cores\n`);
    const app = readLocalApp(synthesize(dir));
    const local = await runLocal(app, { keysDir: dir });
    const tableName = app.tables[0].tableName;
    const tokenOf = (sub: string) =>
      issueDevToken(local.keys, { issuer: 'https://auth.example.com', audience: 'bench', sub });
    const callers = Array.from({ length: REQUESTS + 1 }, (_, i) => `caller-${i}`);
    const tokens = await Promise.all(callers.map(tokenOf));
    for (const caller of callers) {
      await local.dynamodb.request('PutItem', {
        TableName: tableName,
        Item: { PK: { S: `USER#${caller}` }, SK: { S: 'NOTE#n1' }, text: { S: 'hi' } },
      });
    }
    await local.dynamodb.request('PutItem', {
      TableName: tableName,
      Item: { PK: { S: 'ITEM#a' }, SK: { S: 'DETAIL' }, text: { S: 'hi' } },
    });
    const once = async (route: string, token: string) => {
      const t = performance.now();
      const response = await fetch(`${local.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${route} answered ${response.status}`);
      return performance.now() - t;
    };
    const warmToken = tokens[REQUESTS];
    for (let i = 0; i < 200; i++) {
      await once('/items/a', warmToken);
      await once('/notes/n1', warmToken);
    }
    const unbound: number[] = [];
    const warm: number[] = [];
    const cold: number[] = [];
    for (let done = 0; done < REQUESTS; done += ROUND) {
      for (let i = 0; i < ROUND; i++) unbound.push(await once('/items/a', warmToken));
      for (let i = 0; i < ROUND; i++) warm.push(await once('/notes/n1', warmToken));
      for (let i = done; i < Math.min(done + ROUND, REQUESTS); i++) cold.push(await once('/notes/n1', tokens[i]));
    }
    const u = summarize(unbound);
    const w = summarize(warm);
    const c = summarize(cold);
    const ms = (v: number) => v.toFixed(3);
    console.log(`Per request through the local API, ${REQUESTS} each, GetItem (ms)\n`);
    console.log(
      table(
        ['', 'p50', 'p90', 'p99'],
        [
          ["unbound pattern (the function's own role)", ms(u.median), ms(u.p90), ms(u.p99)],
          ["caller-bound, warm (the caller's session cached)", ms(w.median), ms(w.p90), ms(w.p99)],
          ['caller-bound, cold (AssumeRole on the local STS first)', ms(c.median), ms(c.p90), ms(c.p99)],
          ['warm over unbound', ms(w.median - u.median), ms(w.p90 - u.p90), ms(w.p99 - u.p99)],
          [
            'cold over warm (the toolkit share of a first request)',
            ms(c.median - w.median),
            ms(c.p90 - w.p90),
            ms(c.p99 - w.p99),
          ],
        ],
      ),
    );
    await local.stop();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
