import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { ServerlessApi } from '../../src';
import { LocalApi } from '../../src/testing';
import { jwt } from '../helpers/api';

/**
 * The local API on an app with queues: it serves the routes (workers have none), and a sender's handler finds its
 * queues in `SERVERLESS_API_QUEUES` with the URLs the local stack resolves.
 */

let dir: string;
let api: LocalApi;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-queues-'));
  const entry = path.join(dir, 'uploads.ts');
  fs.writeFileSync(
    entry,
    'export const handler = async () => ({ statusCode: 200, body: process.env.SERVERLESS_API_QUEUES ?? "none" });\n',
  );
  const app = new App({ outdir: path.join(dir, 'cdk.out'), postCliContext: { 'aws:cdk:bundling-stacks': ['**'] } });
  new ServerlessApi(new Stack(app, 'Uploads'), 'Api', {
    authorization: jwt(),
    functions: {
      uploads: { entry, queues: ['thumbnails', 'receipts'], routes: [{ method: HttpMethod.POST, path: '/uploads' }] },
    },
    queues: { thumbnails: { worker: { entry } }, receipts: { fifo: true, worker: { entry } } },
  });
  api = await LocalApi.start({ app });
}, 60_000);
afterAll(async () => {
  await api?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('GIVEN a route function sending to two queues WHEN called locally THEN it finds both, by name, with their kind, on the local SQS', async () => {
  const token = await api.token({ sub: 'alice' });
  const res = await fetch(`${api.url}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const queues = JSON.parse(await res.text());
  expect(Object.keys(queues)).toEqual(['thumbnails', 'receipts']);
  // The SDK sends to the host of a queue's URL: locally each URL is the local SQS's, under the queue's own name.
  expect(queues.thumbnails).toEqual({ url: api.queue('thumbnails').url, fifo: false });
  expect(queues.thumbnails.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\d{12}\/.+/);
  expect(queues.receipts).toEqual({ url: api.queue('receipts').url, fifo: true });
});
