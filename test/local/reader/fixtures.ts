import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AccessPattern, ApiAuthorization, ApiType, ServerlessApi, TableBilling } from '../../../src';
import { ENV, HANDLER_ENTRY, ISSUER, AUDIENCE } from '../../helpers/api';

/** The committed assemblies with real bundles. */
export const TASK_BOARD = path.join(__dirname, '..', '..', '..', 'integ', 'integ.task-board.ts.snapshot');
export const REST_API = path.join(__dirname, '..', '..', '..', 'integ', 'integ.rest-api.ts.snapshot');

/** A folder the test removes when it is done. */
export function temporaryDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Synthesizes, with real bundling and in one pass, the shapes the snapshots lack:
 * - `HttpShapes` (bound to `ENV`): a Lambda request authorizer, an IAM route, a greedy `ANY` route, a route
 *   throttle, CORS, a provisioned table with auto scaling (its GSI with read capacity of its own) and TTL, two secrets the route function reads at run time (one under a
 *   customer-managed key), which the authorizer does not;
 * - `RestShapes`: a Lambda token authorizer API-wide, a request authorizer on one route, an IAM route with required
 *   parameters and a throttle, a greedy `ANY` route, a usage plan with a throttle and a quota, CORS for two origins;
 * - `Beta/Svc`: an HTTP API in a stage (a nested assembly);
 * - `Plain`: a stack without an API.
 */
export function synthesizeShapes(outdir: string): void {
  const app = new App({
    outdir,
    postCliContext: { 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-path-metadata': true },
  });

  const http = new Stack(app, 'HttpShapes', { env: ENV });
  const secret = new secretsmanager.Secret(http, 'ApiSecret');
  const keyed = new secretsmanager.Secret(http, 'KeyedSecret', { encryptionKey: new kms.Key(http, 'SecretKey') });
  new ServerlessApi(http, 'Api', {
    authorization: ApiAuthorization.lambdaRequest({
      entry: HANDLER_ENTRY,
      identitySource: ['$request.header.Authorization', '$request.querystring.tenant'],
      resultsCacheTtl: Duration.minutes(1),
    }),
    cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true, exposeHeaders: ['X-Request-Id'] },
    table: {
      timeToLiveAttribute: 'expiresAt',
      billing: TableBilling.provisioned({
        readCapacity: { minCapacity: 1, maxCapacity: 10 },
        writeCapacity: { minCapacity: 1, maxCapacity: 5 },
        indexes: { byStatus: { readCapacity: { minCapacity: 1, maxCapacity: 4 } } },
      }),
      globalSecondaryIndexes: [
        {
          indexName: 'byStatus',
          partitionKey: 'GSI1PK',
          sortKey: 'GSI1SK',
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: ['title'],
        },
      ],
    },
    accessPatterns: {
      getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{itemId}', sortKey: 'ITEM' }),
      byStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
    },
    functions: {
      items: {
        entry: HANDLER_ENTRY,
        accessPatterns: ['getItem', 'byStatus'],
        reservedConcurrentExecutions: 3,
        secrets: { API_SECRET: secret, KEYED_SECRET: keyed },
        routes: [
          { method: HttpMethod.ANY, path: '/items/{proxy+}' },
          { method: HttpMethod.POST, path: '/items', throttle: { rateLimit: 5, burstLimit: 10 } },
          { method: HttpMethod.GET, path: '/admin', authorization: ApiAuthorization.iam() },
        ],
      },
    },
  });

  const rest = new Stack(app, 'RestShapes');
  new ServerlessApi(rest, 'Api', {
    apiType: ApiType.REST,
    authorization: ApiAuthorization.lambdaToken({
      entry: HANDLER_ENTRY,
      header: 'X-Token',
      validationRegex: '^tok-[a-z]+$',
      resultsCacheTtl: Duration.seconds(0),
    }),
    cors: { allowOrigins: ['https://a.example.com', 'https://b.example.com'] },
    usagePlans: {
      partners: {
        apiKeys: ['acme'],
        throttle: { rateLimit: 2, burstLimit: 4 },
        quota: { limit: 1000 },
      },
    },
    functions: {
      things: {
        entry: HANDLER_ENTRY,
        routes: [
          {
            method: HttpMethod.GET,
            path: '/things/{thingId}',
            authorization: ApiAuthorization.lambdaRequest({
              entry: HANDLER_ENTRY,
              identitySource: ['$request.header.X-Key'],
            }),
          },
          {
            method: HttpMethod.POST,
            path: '/things',
            authorization: ApiAuthorization.iam(),
            requiredParameters: { querystrings: ['mode'], headers: ['X-Trace'] },
            throttle: { rateLimit: 7, burstLimit: 9 },
          },
          { method: HttpMethod.ANY, path: '/files/{proxy+}', apiKeyRequired: false },
        ],
      },
    },
  });

  const beta = new Stage(app, 'Beta');
  new ServerlessApi(new Stack(beta, 'Svc'), 'Api', {
    authorization: ApiAuthorization.jwt({ issuer: ISSUER, audience: AUDIENCE }),
    functions: { hello: { entry: HANDLER_ENTRY, routes: [{ method: HttpMethod.GET, path: '/hello' }] } },
  });

  new secretsmanager.Secret(new Stack(app, 'Plain'), 'Unrelated');
  app.synth();
}

/** Synthesizes one HTTP API without bundling (context `aws:cdk:bundling-stacks: []`, as unit tests run). */
export function synthesizeUnbundled(outdir: string): void {
  const app = new App({ outdir });
  new ServerlessApi(new Stack(app, 'Unbundled'), 'Api', {
    authorization: ApiAuthorization.jwt({ issuer: ISSUER, audience: AUDIENCE }),
    functions: { hello: { entry: HANDLER_ENTRY, routes: [{ method: HttpMethod.GET, path: '/hello' }] } },
  });
  app.synth();
}
