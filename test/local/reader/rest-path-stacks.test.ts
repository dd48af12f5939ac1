import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { temporaryDir } from './fixtures';
import { AccessPattern, ApiAuthorization, ApiType, ServerlessApi } from '../../../src';
import { readLocalApp } from '../../../src/local/reader';
import { ENV, fn, route } from '../../helpers/api';

/**
 * A REST API whose path resources are in path stacks and whose methods are in function stacks: a method's resource id
 * comes from a sibling nested stack, an output of one passed as a parameter of the other through the parent.
 */

const NAMES = ['tasks', 'boards'];
/** 230 paths per function, each its own first-level segment: 460 path resources, over the API stack's budget. */
const PATHS = 230;

let outdir: string;
let cacheDir: string;
beforeAll(() => {
  outdir = temporaryDir('reader-rest-paths-');
  cacheDir = temporaryDir('reader-rest-paths-cache-');
  process.env.CDK_SERVERLESS_API_CACHE_DIR = cacheDir;
  const app = new App({
    outdir,
    postCliContext: { 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-path-metadata': true },
  });
  new ServerlessApi(new Stack(app, 'RestPaths', { env: ENV }), 'Api', {
    apiType: ApiType.REST,
    authorization: ApiAuthorization.iam(),
    accessPatterns: { getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{id}', sortKey: 'ITEM' }) },
    functions: Object.fromEntries(
      NAMES.map((name) => [
        name,
        fn(Array.from({ length: PATHS }, (_, i) => route(HttpMethod.GET, `/${name}${i}/{id}`)).slice(0, PATHS / 2), {
          accessPatterns: ['getItem'],
        }),
      ]),
    ),
  });
  app.synth();
});
afterAll(() => {
  delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
  for (const dir of [outdir, cacheDir]) fs.rmSync(dir, { recursive: true, force: true });
});

test('GIVEN the local API reader THEN it finds every method on its full path, the resource ids through two levels of parameters', () => {
  const templates = fs.readdirSync(outdir).filter((file) => file.endsWith('.nested.template.json'));
  expect(templates.some((file) => file.includes('Paths'))).toBe(true);
  const app = readLocalApp(outdir);
  expect(app.api.routes.map((r) => r.routeKey).sort()).toEqual(
    NAMES.flatMap((name) => Array.from({ length: PATHS / 2 }, (_, i) => `GET /${name}${i}/{id}`)).sort(),
  );
});
