import * as path from 'path';
import { ARN_PREFIX, noParameters, observability, template } from './expected';
import { REST_API } from './fixtures';
import { readLocalApp } from '../../../src/local/reader';

/** The committed rest-api snapshot holds real bundles: the reader must turn it into the model, field by field. */

describe('the rest-api snapshot (REST, Cognito, API key and usage plan, request model, CORS)', () => {
  const STACK = 'RestApiIntegStack';
  const TABLE = `${STACK}-ApiTableDB4CD73A`;
  const resources = template(REST_API, STACK).Resources;
  const app = readLocalApp(REST_API);
  const cors = {
    'Access-Control-Allow-Origin': 'https://app.example.com',
    Vary: 'Origin',
  };

  test('THEN the API is the prod stage, with the stage throttle, CORS preflight, gateway responses and no binary types', () => {
    const { routes, authorizers, usagePlans, apiKeys, ...api } = app.api;
    expect(app.stackName).toBe(STACK);
    expect(api).toEqual({
      type: 'REST',
      logicalId: 'ApiRestApiE35FEAFE',
      apiId: expect.stringMatching(/^[a-z0-9]{10}$/),
      name: 'rest-api-integ',
      stageName: 'prod',
      throttle: { rateLimit: 100, burstLimit: 200 },
      cors: {
        allowOrigins: ['https://app.example.com'],
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'],
        allowHeaders: ['Content-Type', 'Authorization', 'X-Api-Key', 'Idempotency-Key'],
        exposeHeaders: [],
        allowCredentials: false,
        maxAgeSeconds: 600,
      },
      binaryMediaTypes: [],
      accessLogFormat: resources.ApiRestApiDeploymentStageprodE828476C.Properties.AccessLogSetting.Format,
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html: 29 seconds.
      integrationTimeoutMs: 29000,
      gatewayResponses: { DEFAULT_4XX: { headers: cors }, DEFAULT_5XX: { headers: cors } },
    });
  });

  test('THEN POST /items needs an API key and a valid body, GET /items a Cognito token; OPTIONS is no route', () => {
    const items = 'ApiFunctionsitemsFunction5AC011FB';
    expect(app.api.routes).toEqual([
      {
        method: 'POST',
        path: '/items',
        routeKey: 'POST /items',
        functionId: items,
        authorization: { type: 'NONE' },
        scopes: [],
        apiKeyRequired: true,
        requestModel: resources.ApiRestApiitemsRoute0Model46FE877D.Properties.Schema,
        requiredParameters: noParameters,
      },
      {
        method: 'GET',
        path: '/items',
        routeKey: 'GET /items',
        functionId: items,
        authorization: { type: 'AUTHORIZER', authorizerId: 'ApiCognitoAuthorizer9A06E3D6' },
        scopes: [],
        apiKeyRequired: false,
        requiredParameters: noParameters,
      },
    ]);
    expect(app.api.routes[0].requestModel).toMatchObject({ required: ['title'] });
  });

  test("THEN the Cognito authorizer's issuer is the pool's, from the pool's local ARN", () => {
    const authorizer = app.api.authorizers.ApiCognitoAuthorizer9A06E3D6;
    expect(authorizer).toEqual({
      kind: 'cognito',
      id: 'ApiCognitoAuthorizer9A06E3D6',
      name: 'cognito',
      userPoolArns: [
        expect.stringMatching(/^arn:aws:cognito-idp:us-east-1:123456789012:userpool\/us-east-1_[A-Za-z0-9]{9}$/),
      ],
      issuers: [expect.stringMatching(/^https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/us-east-1_[A-Za-z0-9]{9}$/)],
      identitySource: 'method.request.header.Authorization',
    });
    if (authorizer.kind !== 'cognito') throw new Error('not a Cognito authorizer');
    const poolId = authorizer.userPoolArns[0].split('/')[1];
    expect(authorizer.issuers[0].endsWith(`/${poolId}`)).toBe(true);
  });

  test('THEN the usage plan holds the enabled API key, whose generated value is the same on every read', () => {
    expect(app.api.usagePlans).toEqual([
      {
        id: 'ApiUsagePlansinteg98A51A8C',
        name: 'rest-api-integ-integ',
        apiKeyIds: ['ApiUsagePlansintegApiKeyinteg0B80C985'],
        methodThrottles: {},
      },
    ]);
    expect(app.api.apiKeys).toEqual([
      {
        id: 'ApiUsagePlansintegApiKeyinteg0B80C985',
        name: 'rest-api-integ-integ',
        value: expect.stringMatching(/^[A-Za-z0-9]{40}$/),
        enabled: true,
      },
    ]);
    expect(readLocalApp(REST_API).api.apiKeys[0].value).toBe(app.api.apiKeys[0].value);
  });

  test('THEN the one function, with the CORS variable and its logs and X-Ray statements only', () => {
    const id = 'ApiFunctionsitemsFunction5AC011FB';
    const variables = resources[id].Properties.Environment.Variables;
    expect(app.functions).toEqual({
      [id]: {
        logicalId: id,
        name: 'items',
        functionName: `${STACK}-${id}`,
        handler: 'index.handler',
        runtime: 'nodejs24.x',
        architecture: 'arm64',
        codeDir: path.resolve(REST_API, `asset.${String(resources[id].Properties.Code.S3Key).replace(/\.zip$/, '')}`),
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'items',
          SERVERLESS_API_CORS:
            '{"allowOrigins":["https://app.example.com"],"allowCredentials":false,"exposeHeaders":[]}',
          TABLE_NAME: TABLE,
          TABLE_PARTITION_KEY: 'PK',
          TABLE_SORT_KEY: 'SK',
          TABLE_TTL_ATTRIBUTE: 'expiresAt',
          TABLE_ACCESS_PATTERNS: variables.TABLE_ACCESS_PATTERNS,
        },
        timeoutSeconds: 10,
        memorySize: 512,
        role: {
          logicalId: 'ApiFunctionsitemsRole11A2A34F',
          arn: `arn:aws:iam::123456789012:role/${STACK}-ApiFunctionsitemsRole11A2A34F`,
          statements: observability(STACK, 'ApiFunctionsitemsLogsC7855BD3'),
        },
        logGroupName: `${STACK}-ApiFunctionsitemsLogsC7855BD3`,
        logFormat: 'JSON',
        applicationLogLevel: 'INFO',
      },
    });
  });

  test('THEN the table, and no warnings', () => {
    expect(app.tables).toEqual([
      {
        logicalId: 'ApiTableDB4CD73A',
        tableName: TABLE,
        arn: `${ARN_PREFIX}/${TABLE}`,
        partitionKey: { name: 'PK', type: 'S' },
        sortKey: { name: 'SK', type: 'S' },
        globalSecondaryIndexes: [],
        localSecondaryIndexes: [],
        ttlAttribute: 'expiresAt',
      },
    ]);
    expect(app.warnings).toEqual([]);
  });
});
