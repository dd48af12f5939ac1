import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { temporaryDir } from './fixtures';
import { AccessPattern, ApiStacks, ServerlessApi } from '../../../src';
import { loadStackArtifacts } from '../../../src/assembly/assembly';
import { loadAssemblyStacks, summarizeTemplate } from '../../../src/cli/summary';
import { readLocalApp } from '../../../src/local/reader';
import { LocalApi } from '../../../src/testing';
import { ENV, fn, jwt, route } from '../../helpers/api';

/**
 * An API whose route functions are in nested stacks: the cloud assembly holds the API's template and one
 * `*.nested.template.json` per nested stack (an asset of the parent). The local API, the summary and the check read
 * them as one template, and LocalApi serves it.
 */

const NAMES = ['tasks', 'projects', 'users', 'comments', 'labels', 'boards'];

let outdir: string;
let cacheDir: string;
beforeAll(() => {
  outdir = temporaryDir('reader-nested-');
  cacheDir = temporaryDir('reader-nested-cache-');
  process.env.CDK_SERVERLESS_API_CACHE_DIR = cacheDir;
  const app = new App({
    outdir,
    postCliContext: { 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-path-metadata': true },
  });
  new ServerlessApi(new Stack(app, 'Nested', { env: ENV }), 'Api', {
    authorization: jwt(),
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

test('GIVEN the assembly THEN it holds the nested templates as files beside the parent', () => {
  const nested = fs.readdirSync(outdir).filter((file) => file.endsWith('.nested.template.json'));
  expect(nested.length).toBeGreaterThan(1);
  const [stack] = loadStackArtifacts(outdir);
  expect(stack.hasNestedStacks).toBe(true);
  // THEN the template read holds no nested stack, and every reference it holds names a resource it holds
  const resources = stack.template.Resources ?? {};
  expect(Object.values(resources).filter((r) => r.Type === 'AWS::CloudFormation::Stack')).toEqual([]);
  const text = JSON.stringify(resources);
  const refs = [...text.matchAll(/"Ref":"([^"]+)"/g)].map((m) => m[1]).filter((id) => !id.startsWith('AWS::'));
  const atts = [...text.matchAll(/"Fn::GetAtt":\["([^"]+)"/g)].map((m) => m[1]);
  expect([...refs, ...atts].filter((id) => !(id in resources) && !(id in (stack.template.Parameters ?? {})))).toEqual(
    [],
  );
  // AND the nested stacks' own invoke roles, one logical id in each nested template, are all there under their own ids
  const invokeRoles = Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties).includes('apigateway.amazonaws.com'),
  );
  expect(invokeRoles.length).toBe(nested.length + 1);
});

test('GIVEN the local API reader THEN it finds every route and function, their code and their resolved environment', () => {
  const app = readLocalApp(outdir);
  expect(app.api.routes.map((r) => r.routeKey).sort()).toEqual(
    NAMES.flatMap((name) => [`DELETE /${name}/{id}`, `GET /${name}/{id}`]).sort(),
  );
  const functions = Object.values(app.functions);
  expect(functions.map((f) => f.name).sort()).toEqual([...NAMES].sort());
  for (const f of functions) {
    expect(fs.existsSync(path.join(f.codeDir, 'index.js'))).toBe(true);
    // the table name the nested stack received as a parameter is the parent's table
    expect(f.environment.TABLE_NAME).toBe(app.tables[0].tableName);
    expect(f.role.statements.length).toBeGreaterThan(0);
  }
  // AND the route throttles the parent's stage sets for routes of nested stacks
  expect(app.api.routes.find((r) => r.routeKey === 'DELETE /tasks/{id}')?.throttle).toEqual({
    rateLimit: 5,
    burstLimit: 10,
  });
});

test('GIVEN the summary THEN it lists every route with its function and every function with its table access', () => {
  const [stack] = loadAssemblyStacks(outdir);
  const summary = summarizeTemplate(stack.template, stack.stackName);
  expect(summary.routes).toHaveLength(12);
  expect(new Set(summary.routes.map((r) => r.target))).toEqual(new Set(summary.functions.map((f) => f.name)));
  expect(summary.functions).toHaveLength(6);
  for (const f of summary.functions) expect(f.dynamodb.length).toBeGreaterThan(0);
  expect(summary.resources.byType['AWS::CloudFormation::Stack']).toBeUndefined();
  expect(summary.warnings.filter((w) => w.includes('WARNING'))).toEqual([]);
});

test('GIVEN LocalApi on the assembly THEN a route of a nested stack answers through the local gateway, with a dev token', async () => {
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
