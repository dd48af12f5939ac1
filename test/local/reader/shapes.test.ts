import * as fs from 'fs';
import * as path from 'path';
import { synthesizeShapes, temporaryDir } from './fixtures';
import { startLocalDynamoDb } from '../../../src/local/dynamodb';
import { LocalAppModel, LocalFunctionModel } from '../../../src/local/model';
import { listLocalApps, readLocalApp } from '../../../src/local/reader';

/**
 * Shapes the committed snapshots lack, synthesized once with real bundling (see `synthesizeShapes`): Lambda request
 * and token authorizers, IAM routes, greedy ANY routes, route and method throttles, a provisioned table with GSIs and
 * TTL, a usage plan with
 * limits, CORS for several origins, secrets read at run time, and a stack in a stage.
 */

let outdir: string;
let cacheDir: string;
beforeAll(() => {
  outdir = temporaryDir('reader-shapes-');
  cacheDir = temporaryDir('reader-cache-');
  process.env.CDK_SERVERLESS_API_CACHE_DIR = cacheDir;
  synthesizeShapes(outdir);
});
afterAll(() => {
  delete process.env.CDK_SERVERLESS_API_CACHE_DIR;
  for (const dir of [outdir, cacheDir]) fs.rmSync(dir, { recursive: true, force: true });
});

const noParameters = { querystrings: [], headers: [] };

function functionNamed(app: LocalAppModel, name: string): LocalFunctionModel {
  const found = Object.values(app.functions).find((fn) => fn.name === name);
  if (!found) throw new Error(`no function ${name} in ${Object.values(app.functions).map((fn) => fn.name)}`);
  return found;
}

describe('choosing a stack', () => {
  test('GIVEN stacks in the app and in a stage THEN the ones with an API are listed, the stage stack by its path', () => {
    expect(listLocalApps(outdir)).toEqual(['HttpShapes', 'RestShapes', 'Beta/Svc']);
  });

  test('GIVEN several stacks with an API and no stack option THEN the error lists them and says how to choose', () => {
    expect(() => readLocalApp(outdir)).toThrow(
      `3 stacks in ${outdir} hold an API: choose one with the stack option (--stack), one of: HttpShapes, RestShapes, Beta/Svc`,
    );
  });

  test.each(['Beta/Svc', 'BetaSvc24763EBC'])(
    'GIVEN the stage stack named by %s THEN it is read, its names from its CloudFormation name Beta-Svc',
    (name) => {
      const app = readLocalApp(outdir, { stack: name });
      expect(app.stackName).toBe('Beta/Svc');
      expect(app.assemblyDir).toBe(outdir);
      const hello = functionNamed(app, 'hello');
      expect(hello.functionName).toBe(`Beta-Svc-${hello.logicalId}`);
      expect(app.tables[0].tableName).toBe('Beta-Svc-ApiTableDB4CD73A');
      // The nested assembly's asset manifest points one folder up, where the stage's assets are staged.
      expect(path.dirname(hello.codeDir)).toBe(outdir);
      expect(fs.existsSync(path.join(hello.codeDir, 'index.js'))).toBe(true);
      expect(app.api.routes.map((route) => route.routeKey)).toEqual(['GET /hello']);
    },
  );

  test('GIVEN a stack bound to eu-west-1 and another region option THEN the error names both and the fix', () => {
    expect(() => readLocalApp(outdir, { stack: 'HttpShapes', region: 'us-east-1' })).toThrow(
      'stack HttpShapes is bound to region eu-west-1 (its template may name it in ARNs), so the region option cannot be us-east-1: leave the option out',
    );
  });
});

describe('an HTTP API with a Lambda request authorizer', () => {
  let app: LocalAppModel;
  beforeAll(() => {
    app = readLocalApp(outdir, { stack: 'HttpShapes' });
  });

  test("GIVEN a stack bound to an environment THEN ARNs use the stack's region and account", () => {
    expect([app.region, app.accountId]).toEqual(['eu-west-1', '123456789012']);
    expect(app.tables[0].arn).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/HttpShapes-ApiTableDB4CD73A');
  });

  test('THEN the greedy ANY route, the throttled route and the IAM route', () => {
    const items = functionNamed(app, 'items').logicalId;
    const authorizer = { type: 'AUTHORIZER', authorizerId: 'ApiLambdaAuthorizer001B3E6D' };
    const route = { functionId: items, scopes: [], apiKeyRequired: false, requiredParameters: noParameters };
    expect(app.api.routes).toEqual([
      { method: 'ANY', path: '/items/{proxy+}', routeKey: 'ANY /items/{proxy+}', authorization: authorizer, ...route },
      {
        method: 'POST',
        path: '/items',
        routeKey: 'POST /items',
        authorization: authorizer,
        throttle: { rateLimit: 5, burstLimit: 10 },
        ...route,
      },
      { method: 'GET', path: '/admin', routeKey: 'GET /admin', authorization: { type: 'IAM' }, ...route },
    ]);
    expect(app.api.throttle).toEqual({ rateLimit: 100, burstLimit: 200 });
  });

  test('THEN the authorizer answers simply (payload 2.0), keyed and cached as declared, from its own function', () => {
    const fn = functionNamed(app, 'LambdaAuthorizerFunction');
    expect(app.api.authorizers).toEqual({
      ApiLambdaAuthorizer001B3E6D: {
        kind: 'lambda-request',
        id: 'ApiLambdaAuthorizer001B3E6D',
        name: 'lambda',
        functionId: fn.logicalId,
        identitySource: ['$request.header.Authorization', '$request.querystring.tenant'],
        resultTtlSeconds: 60,
        payloadFormatVersion: '2.0',
        simpleResponses: true,
      },
    });
    // An authorizer's timeout is capped at 10 seconds; its role writes logs and traces only.
    expect(fn.timeoutSeconds).toBe(10);
    expect(fn.role.statements.flatMap((statement) => statement.Action)).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ]);
    expect(fs.readFileSync(path.join(fn.codeDir, 'index.js'), 'utf-8')).toContain('statusCode');
  });

  test("THEN the HTTP API's CORS configuration", () => {
    expect(app.api.cors).toEqual({
      allowOrigins: ['https://app.example.com'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'],
      allowHeaders: ['Content-Type', 'Authorization', 'X-Api-Key', 'Idempotency-Key'],
      exposeHeaders: ['X-Request-Id'],
      allowCredentials: true,
      maxAgeSeconds: 600,
    });
  });

  test("THEN the function's reserved concurrency, and its index statement on the index's ARN", () => {
    const items = functionNamed(app, 'items');
    expect(items.reservedConcurrency).toBe(3);
    expect(items.role.statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      Resource: ['arn:aws:dynamodb:eu-west-1:123456789012:table/HttpShapes-ApiTableDB4CD73A/index/byStatus'],
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['STATUS#?*'] },
        Null: { 'dynamodb:LeadingKeys': ['false'] },
      },
    });
  });

  test('THEN the table with its GSI (INCLUDE projection) and TTL', () => {
    expect(app.tables).toEqual([
      {
        logicalId: 'ApiTableDB4CD73A',
        tableName: 'HttpShapes-ApiTableDB4CD73A',
        arn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/HttpShapes-ApiTableDB4CD73A',
        partitionKey: { name: 'PK', type: 'S' },
        sortKey: { name: 'SK', type: 'S' },
        globalSecondaryIndexes: [
          {
            indexName: 'byStatus',
            partitionKey: { name: 'GSI1PK', type: 'S' },
            sortKey: { name: 'GSI1SK', type: 'S' },
            projectionType: 'INCLUDE',
            nonKeyAttributes: ['title'],
          },
        ],
        localSecondaryIndexes: [],
        ttlAttribute: 'expiresAt',
      },
    ]);
  });

  test('GIVEN the table is provisioned with auto scaling THEN it is read like any, and the local DynamoDB serves it', async () => {
    // GIVEN the template holds provisioned billing with auto scaling, on the table and its index
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'HttpShapes.template.json'), 'utf8'));
    const table = template.Resources.ApiTableDB4CD73A.Properties;
    expect(table.BillingMode).toBe('PROVISIONED');
    expect(table.WriteProvisionedThroughputSettings.WriteCapacityAutoScalingSettings).toMatchObject({ MaxCapacity: 5 });
    expect(table.Replicas[0].GlobalSecondaryIndexes[0].ReadProvisionedThroughputSettings).toEqual({
      ReadCapacityAutoScalingSettings: expect.objectContaining({ MaxCapacity: 4 }),
    });

    // WHEN the local DynamoDB creates the tables the reader found (capacity is a deploy-time concern: locally on demand)
    const db = await startLocalDynamoDb({ tables: app.tables, log: () => undefined });
    try {
      const tableName = app.tables[0].tableName;
      await db.request('PutItem', {
        TableName: tableName,
        Item: {
          PK: { S: 'ITEM#1' },
          SK: { S: 'ITEM' },
          GSI1PK: { S: 'STATUS#open' },
          GSI1SK: { S: '1' },
          title: { S: 'a' },
        },
      });
      const found = await db.request('Query', {
        TableName: tableName,
        IndexName: 'byStatus',
        KeyConditionExpression: 'GSI1PK = :status',
        ExpressionAttributeValues: { ':status': { S: 'STATUS#open' } },
      });

      // THEN the item is written, and found through the index
      expect(found.Items).toEqual([
        { PK: { S: 'ITEM#1' }, SK: { S: 'ITEM' }, GSI1PK: { S: 'STATUS#open' }, GSI1SK: { S: '1' }, title: { S: 'a' } },
      ]);
    } finally {
      await db.close();
    }
  });

  test("GIVEN secrets the function declares THEN its variables hold the secrets' ARNs, which the model lists with their values", () => {
    const withValues = readLocalApp(outdir, {
      stack: 'HttpShapes',
      secrets: { ApiSecret: 's3cret', KeyedSecret: 'k3y' },
    });
    const items = functionNamed(withValues, 'items');
    const [apiSecret, keyed] = withValues.secrets!;
    const arnPattern = (name: string) =>
      new RegExp(`^arn:aws:secretsmanager:eu-west-1:123456789012:secret:HttpShapes-${name}-[A-Za-z0-9]{6}$`);

    expect(withValues.secrets).toEqual([
      {
        logicalId: 'ApiSecret852BEBBB',
        name: 'ApiSecret',
        secretName: 'HttpShapes-ApiSecret852BEBBB',
        arn: expect.stringMatching(arnPattern('ApiSecret852BEBBB')),
        value: 's3cret',
        given: true,
      },
      {
        logicalId: keyed.logicalId,
        name: 'KeyedSecret',
        secretName: `HttpShapes-${keyed.logicalId}`,
        arn: expect.stringMatching(arnPattern(keyed.logicalId)),
        value: 'k3y',
        given: true,
        kmsKeyArn: expect.stringMatching(/^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/),
      },
    ]);
    expect(items.environment).toMatchObject({ API_SECRET: apiSecret.arn, KEYED_SECRET: keyed.arn });
    expect(withValues.warnings).toEqual([]);
  });

  test('GIVEN no value for a declared secret THEN a placeholder, and a warning naming the function and how to give one', () => {
    const withOne = readLocalApp(outdir, { stack: 'HttpShapes', secrets: { KeyedSecret: 'k3y' } });

    expect(withOne.secrets![0]).toMatchObject({ value: 'local-placeholder-ApiSecret852BEBBB', given: false });
    expect(withOne.warnings).toEqual([
      'function items (ApiFunctionsitemsFunction5AC011FB): environment variable API_SECRET holds the ARN of secret ApiSecret (ApiSecret852BEBBB), which exists only in AWS: the local Secrets Manager answers "local-placeholder-ApiSecret852BEBBB" for it; give it a value with --secret ApiSecret=<value> (serverless-api dev) or secrets: { "ApiSecret": "<value>" } (LocalApi)',
    ]);
  });
});

describe('a REST API with Lambda token and request authorizers and a usage plan', () => {
  let app: LocalAppModel;
  beforeAll(() => {
    app = readLocalApp(outdir, { stack: 'RestShapes' });
  });

  test('THEN each method with its authorization, API key requirement, required parameters and method throttle', () => {
    const things = functionNamed(app, 'things').logicalId;
    expect(app.api.routes).toEqual([
      {
        method: 'GET',
        path: '/things/{thingId}',
        routeKey: 'GET /things/{thingId}',
        functionId: things,
        authorization: { type: 'AUTHORIZER', authorizerId: 'ApiLambdaAuthorizer58AA6056' },
        scopes: [],
        apiKeyRequired: true,
        requiredParameters: noParameters,
      },
      {
        method: 'POST',
        path: '/things',
        routeKey: 'POST /things',
        functionId: things,
        authorization: { type: 'IAM' },
        scopes: [],
        throttle: { rateLimit: 7, burstLimit: 9 },
        apiKeyRequired: true,
        requiredParameters: { querystrings: ['mode'], headers: ['X-Trace'] },
      },
      {
        method: 'ANY',
        path: '/files/{proxy+}',
        routeKey: 'ANY /files/{proxy+}',
        functionId: things,
        authorization: { type: 'AUTHORIZER', authorizerId: 'ApiLambdaTokenAuthorizerE49039E4' },
        scopes: [],
        apiKeyRequired: false,
        requiredParameters: noParameters,
      },
    ]);
  });

  test('THEN the token authorizer reads its header with its regex and no cache; the request one caches 300 s by default', () => {
    expect(app.api.authorizers).toEqual({
      ApiLambdaTokenAuthorizerE49039E4: {
        kind: 'lambda-token',
        id: 'ApiLambdaTokenAuthorizerE49039E4',
        name: 'lambdatoken',
        functionId: functionNamed(app, 'LambdaTokenAuthorizerFunction').logicalId,
        identitySource: 'method.request.header.X-Token',
        validationRegex: '^tok-[a-z]+$',
        resultTtlSeconds: 0,
      },
      ApiLambdaAuthorizer58AA6056: {
        kind: 'lambda-request',
        id: 'ApiLambdaAuthorizer58AA6056',
        name: 'lambda',
        functionId: functionNamed(app, 'LambdaAuthorizerFunction').logicalId,
        identitySource: ['method.request.header.X-Key'],
        resultTtlSeconds: 300,
        simpleResponses: false,
      },
    });
    // The functions the API reaches: the route function and both authorizers' functions.
    expect(
      Object.values(app.functions)
        .map((fn) => fn.name)
        .sort(),
    ).toEqual(['LambdaAuthorizerFunction', 'LambdaTokenAuthorizerFunction', 'things']);
  });

  test('THEN the usage plan with its throttle, daily quota and key', () => {
    expect(app.api.usagePlans).toEqual([
      {
        id: 'ApiUsagePlanspartners14A45BE9',
        name: 'RestShapesApi40B8F064-partners',
        throttle: { rateLimit: 2, burstLimit: 4 },
        quota: { limit: 1000, period: 'DAY', offset: 0 },
        apiKeyIds: ['ApiUsagePlanspartnersApiKeyacme5DA4EC1B'],
        methodThrottles: {},
      },
    ]);
    expect(app.api.apiKeys).toEqual([
      {
        id: 'ApiUsagePlanspartnersApiKeyacme5DA4EC1B',
        name: 'RestShapesApi40B8F064-acme',
        value: expect.stringMatching(/^[A-Za-z0-9]{40}$/),
        enabled: true,
      },
    ]);
  });

  test("GIVEN CORS for two origins THEN both are allowed, and API Gateway's errors echo the request's Origin", () => {
    expect(app.api.cors?.allowOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    const headers = { 'Access-Control-Allow-Origin': 'method.request.header.Origin', Vary: 'Origin' };
    expect(app.api.gatewayResponses).toEqual({ DEFAULT_4XX: { headers }, DEFAULT_5XX: { headers } });
  });
});
