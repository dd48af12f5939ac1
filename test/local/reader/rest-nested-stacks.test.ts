import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { temporaryDir } from './fixtures';
import { AccessPattern, ApiAuthorization, ApiStacks, ApiType, ServerlessApi } from '../../../src';
import { loadAssemblyStacks, summarizeTemplate } from '../../../src/cli/summary';
import { readLocalApp } from '../../../src/local/reader';
import { LocalApi } from '../../../src/testing';
import { ENV, fn, route } from '../../helpers/api';

/**
 * A REST API whose route functions and methods are in nested stacks: each method refers to the API and its path
 * resource through parameters of its nested template, which the reader resolves to the parent's resources.
 */

const NAMES = ['tasks', 'projects', 'users', 'comments', 'labels', 'boards'];

let outdir: string;
let cacheDir: string;
beforeAll(() => {
  outdir = temporaryDir('reader-rest-nested-');
  cacheDir = temporaryDir('reader-rest-nested-cache-');
  process.env.CDK_SERVERLESS_API_CACHE_DIR = cacheDir;
  const app = new App({
    outdir,
    postCliContext: { 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-path-metadata': true },
  });
  new ServerlessApi(new Stack(app, 'RestNested', { env: ENV }), 'Api', {
    apiType: ApiType.REST,
    authorization: ApiAuthorization.cognito(),
    stacks: ApiStacks.nested({ stackCount: 4 }),
    accessPatterns: { getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{id}', sortKey: 'ITEM' }) },
    functions: Object.fromEntries(
      NAMES.map((name) => [
        name,
        fn(
          [
            route(HttpMethod.GET, `/${name}/{id}`),
            route(HttpMethod.DELETE, `/${name}/{id}`, { throttle: { rateLimit: 5, burstLimit: 10 } }),
          ],
          { accessPatterns: ['getItem'] },
        ),
      ]),
    ),
  });
  app.synth();
});
afterAll(() => {
  delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
  for (const dir of [outdir, cacheDir]) fs.rmSync(dir, { recursive: true, force: true });
});

test('GIVEN the local API reader THEN it finds every method on its path, with its function, authorizer and throttle', () => {
  expect(fs.readdirSync(outdir).filter((file) => file.endsWith('.nested.template.json')).length).toBeGreaterThan(1);
  const app = readLocalApp(outdir);
  expect(app.api.routes.map((r) => r.routeKey).sort()).toEqual(
    NAMES.flatMap((name) => [`DELETE /${name}/{id}`, `GET /${name}/{id}`]).sort(),
  );
  const functions = Object.values(app.functions);
  expect(functions.map((f) => f.name).sort()).toEqual([...NAMES].sort());
  for (const f of functions) {
    expect(fs.existsSync(path.join(f.codeDir, 'index.js'))).toBe(true);
    expect(f.environment.TABLE_NAME).toBe(app.tables[0].tableName);
  }
  // AND the throttle the parent's stage sets, by path, for a method of a nested stack
  expect(app.api.routes.find((r) => r.routeKey === 'DELETE /tasks/{id}')?.throttle).toEqual({
    rateLimit: 5,
    burstLimit: 10,
  });
});

test('GIVEN the summary THEN it lists the REST API (whose methods it does not parse) and every function with its table access', () => {
  const [stack] = loadAssemblyStacks(outdir);
  const summary = summarizeTemplate(stack.template, stack.stackName);
  expect(summary.apis.map((api) => api.protocol)).toEqual(['REST']);
  expect(summary.functions.map((f) => f.name).sort()).toEqual([...NAMES].sort());
  for (const f of summary.functions) expect(f.dynamodb.length).toBeGreaterThan(0);
  expect(summary.resources.byType['AWS::CloudFormation::Stack']).toBeUndefined();
  expect(summary.resources.byType['AWS::ApiGateway::Method']).toBe(12);
  expect(summary.warnings.filter((w) => w.includes('WARNING'))).toEqual([]);
});

test('GIVEN LocalApi on the assembly THEN a method of a nested stack answers through the local gateway, with a dev token', async () => {
  const api = await LocalApi.start({ assembly: outdir });
  try {
    const token = await api.token({ sub: 'alice' });
    const res = await fetch(`${api.url}/boards/b1`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(204);
    expect((await fetch(`${api.url}/boards/b1`)).status).toBe(401);
  } finally {
    await api.stop();
  }
}, 60_000);
