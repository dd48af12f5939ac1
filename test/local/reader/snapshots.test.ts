import * as fs from 'fs';
import * as path from 'path';
import { REST_API, TASK_BOARD } from './fixtures';
import { listLocalApps, readLocalApp } from '../../../src/local/reader';

/** The committed integ snapshots hold real bundles: the reader must turn each into the model, field by field. */

const template = (dir: string, stack: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, `${stack}.template.json`), 'utf-8')) as { Resources: any };

const ARN_PREFIX = 'arn:aws:dynamodb:us-east-1:123456789012:table';
const noParameters = { querystrings: [], headers: [] };

/** A role statement allowing `actions` on the table for keys starting with `prefix` (never without a key). */
const tableStatement = (table: string, actions: string[], prefix: string) => ({
  Effect: 'Allow',
  Action: actions,
  Resource: [`${ARN_PREFIX}/${table}`],
  Condition: {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}?*`] },
    Null: { 'dynamodb:LeadingKeys': ['false'] },
  },
});

/** The log and X-Ray statements every bundled function's role starts with. */
const observability = (stack: string, logGroup: string) => [
  {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [`arn:aws:logs:us-east-1:123456789012:log-group:${stack}-${logGroup}:*`],
  },
  { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: ['*'] },
];

describe('the task-board snapshot (HTTP API, JWT, three functions, a secret)', () => {
  const STACK = 'TaskBoardIntegStack';
  const TABLE = `${STACK}-ApiTableDB4CD73A`;
  const resources = template(TASK_BOARD, STACK).Resources;
  const app = readLocalApp(TASK_BOARD);
  const jwtRoute = (method: string, routePath: string, functionId: string) => ({
    method,
    path: routePath,
    routeKey: `${method} ${routePath}`,
    functionId,
    authorization: { type: 'AUTHORIZER', authorizerId: 'ApiJwtAuthorizer84FEA7B0' },
    scopes: [],
    apiKeyRequired: false,
    requiredParameters: noParameters,
  });

  test('GIVEN no stack option THEN the one stack with an API is read, skipping the assertion stack', () => {
    expect(listLocalApps(TASK_BOARD)).toEqual([STACK]);
    expect(app.stackName).toBe(STACK);
    expect(app.assemblyDir).toBe(path.resolve(TASK_BOARD));
  });

  test('GIVEN an environment-agnostic stack THEN ARNs use us-east-1 and 123456789012', () => {
    expect(app.region).toBe('us-east-1');
    expect(app.accountId).toBe('123456789012');
  });

  test('THEN the API is the $default stage with its throttle, access log format and no CORS', () => {
    const { routes, authorizers, ...api } = app.api;
    expect(api).toEqual({
      type: 'HTTP',
      logicalId: 'ApiHttpApi4C294DC0',
      name: 'task-board',
      stageName: '$default',
      throttle: { rateLimit: 100, burstLimit: 200 },
      usagePlans: [],
      apiKeys: [],
      binaryMediaTypes: [],
      accessLogFormat: resources.ApiStage4697DF29.Properties.AccessLogSettings.Format,
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html: 30 seconds.
      integrationTimeoutMs: 30000,
    });
  });

  test('THEN every route has its function, the JWT authorizer, and the webhook route is public with its own throttle', () => {
    const tasks = 'ApiFunctionstasksFunctionE973E7DF';
    const sessions = 'ApiFunctionssessionsFunction5EC34EEF';
    expect(app.api.routes).toEqual([
      jwtRoute('GET', '/projects/{projectId}/tasks', tasks),
      jwtRoute('POST', '/projects/{projectId}/tasks', tasks),
      jwtRoute('POST', '/projects/{projectId}/tasks/{taskId}/complete', tasks),
      jwtRoute('POST', '/sessions', sessions),
      jwtRoute('GET', '/sessions', sessions),
      jwtRoute('GET', '/sessions/{sessionId}', sessions),
      jwtRoute('DELETE', '/sessions/{sessionId}', sessions),
      {
        method: 'POST',
        path: '/webhooks/{provider}',
        routeKey: 'POST /webhooks/{provider}',
        functionId: 'ApiFunctionswebhooksFunction2AE28B66',
        authorization: { type: 'NONE' },
        scopes: [],
        throttle: { rateLimit: 20, burstLimit: 40 },
        apiKeyRequired: false,
        requiredParameters: noParameters,
      },
    ]);
    expect(app.api.authorizers).toEqual({
      ApiJwtAuthorizer84FEA7B0: {
        kind: 'jwt',
        id: 'ApiJwtAuthorizer84FEA7B0',
        name: 'jwt',
        issuer: 'https://auth.example.com',
        audience: ['task-board-web'],
        identitySource: ['$request.header.Authorization'],
      },
    });
  });

  test('THEN the three functions are named as declared, with their settings, code, environment, role and logs', () => {
    const variables = (id: string) => resources[id].Properties.Environment.Variables;
    const fn = (name: string, id: string, asset: string, role: string, logs: string, statements: unknown[]) => ({
      logicalId: id,
      name,
      functionName: `${STACK}-${id}`,
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      codeDir: path.resolve(TASK_BOARD, `asset.${asset}`),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        TABLE_NAME: TABLE,
        TABLE_PARTITION_KEY: 'PK',
        TABLE_SORT_KEY: 'SK',
        TABLE_TTL_ATTRIBUTE: 'expiresAt',
        TABLE_ACCESS_PATTERNS: variables(id).TABLE_ACCESS_PATTERNS,
      },
      timeoutSeconds: 10,
      memorySize: 512,
      role: {
        logicalId: role,
        arn: `arn:aws:iam::123456789012:role/${STACK}-${role}`,
        statements: [...observability(STACK, logs), ...statements],
      },
      logGroupName: `${STACK}-${logs}`,
    });
    const tasks = fn(
      'tasks',
      'ApiFunctionstasksFunctionE973E7DF',
      '2c5b12569b1503a6f0a73d76f3f90a01ab4792e982fb561fdb701f09cff1064a',
      'ApiFunctionstasksRole256DED7F',
      'ApiFunctionstasksLogsA4CDAC23',
      [
        tableStatement(
          TABLE,
          ['BatchGetItem', 'ConditionCheckItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].map(
            (a) => `dynamodb:${a}`,
          ),
          'PROJECT#',
        ),
        tableStatement(
          TABLE,
          ['BatchGetItem', 'ConditionCheckItem', 'GetItem', 'PutItem'].map((a) => `dynamodb:${a}`),
          'IDEMPOTENCY#tasks#',
        ),
        tableStatement(TABLE, ['dynamodb:UpdateItem'], 'RATE#tasks#'),
      ],
    );
    const sessions = fn(
      'sessions',
      'ApiFunctionssessionsFunction5EC34EEF',
      'c7649937b3d9f8079e8f11ea993e065c199e52048cc27a4b266f2cea62b949cc',
      'ApiFunctionssessionsRoleAF633719',
      'ApiFunctionssessionsLogs960388B9',
      [
        tableStatement(
          TABLE,
          ['BatchGetItem', 'ConditionCheckItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query'].map(
            (a) => `dynamodb:${a}`,
          ),
          'USER#',
        ),
      ],
    );
    const webhooks = fn(
      'webhooks',
      'ApiFunctionswebhooksFunction2AE28B66',
      '637d123a10061a0155245b0d5d09abfb017265de8e98d3e4af66f21fc3ba5b69',
      'ApiFunctionswebhooksRole2A798992',
      'ApiFunctionswebhooksLogsFC520AE4',
      [
        tableStatement(TABLE, ['dynamodb:PutItem'], 'WEBHOOK#'),
        tableStatement(
          TABLE,
          ['BatchGetItem', 'ConditionCheckItem', 'GetItem', 'PutItem'].map((a) => `dynamodb:${a}`),
          'IDEMPOTENCY#webhooks#',
        ),
      ],
    );
    expect(app.functions).toEqual({
      [tasks.logicalId]: tasks,
      [sessions.logicalId]: sessions,
      [webhooks.logicalId]: {
        ...webhooks,
        environment: {
          ...webhooks.environment,
          WEBHOOK_SIGNING_SECRET: 'local-placeholder-WebhookSigningSecretDD964680',
        },
      },
    });
    for (const { codeDir } of Object.values(app.functions)) {
      expect(fs.existsSync(path.join(codeDir, 'index.js'))).toBe(true);
    }
  });

  test('THEN the table has its keys and TTL', () => {
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
  });

  test('GIVEN no value for the webhook secret THEN a placeholder, and a warning that says how to give one', () => {
    expect(app.warnings).toEqual([
      'function webhooks (ApiFunctionswebhooksFunction2AE28B66): environment variable WEBHOOK_SIGNING_SECRET reads secret WebhookSigningSecret (WebhookSigningSecretDD964680), which exists only in AWS: it is "local-placeholder-WebhookSigningSecretDD964680" locally; pass secrets: { "WebhookSigningSecret": "<value>" } to set it',
    ]);
  });

  test.each(['WebhookSigningSecret', 'WebhookSigningSecretDD964680'])(
    'GIVEN the secret by %s THEN the webhook function gets its value and no warning',
    (key) => {
      const withSecret = readLocalApp(TASK_BOARD, { secrets: { [key]: 's3cret' } });
      expect(withSecret.functions.ApiFunctionswebhooksFunction2AE28B66.environment.WEBHOOK_SIGNING_SECRET).toBe(
        's3cret',
      );
      expect(withSecret.warnings).toEqual([]);
    },
  );

  test('GIVEN a region and an account THEN every ARN and the stack name follow them', () => {
    const elsewhere = readLocalApp(TASK_BOARD, { region: 'cn-north-1', accountId: '210987654321', stack: STACK });
    expect([elsewhere.region, elsewhere.accountId]).toEqual(['cn-north-1', '210987654321']);
    // The China regions are the aws-cn partition: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
    expect(elsewhere.tables[0].arn).toBe(`arn:aws-cn:dynamodb:cn-north-1:210987654321:table/${TABLE}`);
    expect(elsewhere.functions.ApiFunctionstasksFunctionE973E7DF.role.arn).toBe(
      `arn:aws-cn:iam::210987654321:role/${STACK}-ApiFunctionstasksRole256DED7F`,
    );
  });
});

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
        codeDir: path.resolve(REST_API, 'asset.64735726f38e06c55dc2a7e1dd591a51c3887630497db71dfcf869202725a8f6'),
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
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
