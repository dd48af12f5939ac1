import * as fs from 'fs';
import * as path from 'path';
import { ARN_PREFIX, noParameters, observability, tableStatement, template } from './expected';
import { TASK_BOARD } from './fixtures';
import { listLocalApps, readLocalApp } from '../../../src/local/reader';

/** The committed task-board snapshot holds real bundles: the reader must turn it into the model, field by field. */

describe('the task-board snapshot (HTTP API, JWT, three route functions and a queue worker, a secret)', () => {
  const STACK = 'TaskBoardIntegStack';
  const TABLE = `${STACK}-ApiTableDB4CD73A`;
  /** The secret's local ARN: its name and the 6-character suffix Secrets Manager appends, stable for the stack. */
  const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${STACK}-WebhookSigningSecretDD964680-n1su4y`;
  /** The notifications queue: the tasks function sends to it, its worker receives from it. */
  const QUEUE_NAME = `${STACK}-ApiQueuesnotificationsQueueDC86A9E4`;
  const QUEUE_ARN = `arn:aws:sqs:us-east-1:123456789012:${QUEUE_NAME}`;
  const QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/123456789012/${QUEUE_NAME}`;
  /** The one warning of the app with its secret given: its queue is standard, so locally its worker never sees a repeat. */
  const QUEUE_WARNING =
    "event source mapping EventSource (ApiWorkersnotificationsEventSource4A9924BC): SQS delivers a standard queue's messages at least once and not always in order; locally each comes once and in order (again only after its visibility timeout), so a worker that is not idempotent passes here and fails in AWS";
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
      // What `Ref` to the API gives: ten characters like an API Gateway id, stable for the stack.
      apiId: expect.stringMatching(/^[a-z0-9]{10}$/),
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
      jwtRoute('GET', '/projects/{projectId}/notifications', tasks),
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

  test('THEN the three route functions and the queue worker are named as declared, with their settings, code, environment, role and logs', () => {
    const variables = (id: string) => resources[id].Properties.Environment.Variables;
    // The asset folder is the one the template's S3 key names (its hash changes with every handler edit).
    const assetOf = (id: string) => String(resources[id].Properties.Code.S3Key).replace(/\.zip$/, '');
    const fn = (name: string, id: string, role: string, logs: string, statements: unknown[]) => ({
      logicalId: id,
      name,
      functionName: `${STACK}-${id}`,
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      codeDir: path.resolve(TASK_BOARD, `asset.${assetOf(id)}`),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: name,
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
      logFormat: 'JSON',
      applicationLogLevel: 'INFO',
    });
    const tasks = fn(
      'tasks',
      'ApiFunctionstasksFunctionE973E7DF',
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
        tableStatement(TABLE, ['dynamodb:Query'], 'NOTIFICATIONS#'),
        // The one queue it declared: it may send to it, and do nothing else with it.
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [QUEUE_ARN] },
      ],
    );
    // Sessions are bound to the caller: the function's own role may only assume its caller role, with the tag.
    const callerRoleArn = `arn:aws:iam::123456789012:role/${STACK}-ApiFunctionssessionsCallerRoleD08C033A`;
    const sessions = fn(
      'sessions',
      'ApiFunctionssessionsFunction5EC34EEF',
      'ApiFunctionssessionsRoleAF633719',
      'ApiFunctionssessionsLogs960388B9',
      [
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Resource: [callerRoleArn],
          Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['userId'] } },
        },
      ],
    );
    const webhooks = fn(
      'webhooks',
      'ApiFunctionswebhooksFunction2AE28B66',
      'ApiFunctionswebhooksRole2A798992',
      'ApiFunctionswebhooksLogsFC520AE4',
      [
        tableStatement(TABLE, ['dynamodb:PutItem'], 'WEBHOOK#'),
        tableStatement(
          TABLE,
          ['BatchGetItem', 'ConditionCheckItem', 'GetItem', 'PutItem'].map((a) => `dynamodb:${a}`),
          'IDEMPOTENCY#webhooks#',
        ),
        // The one secret it declared, and nothing else of Secrets Manager.
        { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [SECRET_ARN] },
      ],
    );
    // The queue's worker: it writes each notification once, claims each message id, and Lambda's poller receives
    // with its role, so the role may receive, delete and hide messages of its queue, and never send to it.
    const notifications = fn(
      'notifications',
      'ApiWorkersnotificationsFunctionD890DCDF',
      'ApiWorkersnotificationsRoleB0502E69',
      'ApiWorkersnotificationsLogs276C514D',
      [
        tableStatement(TABLE, ['dynamodb:PutItem'], 'NOTIFICATIONS#'),
        tableStatement(
          TABLE,
          ['BatchGetItem', 'ConditionCheckItem', 'GetItem', 'PutItem'].map((a) => `dynamodb:${a}`),
          'IDEMPOTENCY#notifier#',
        ),
        {
          Effect: 'Allow',
          Action: ['ChangeMessageVisibility', 'DeleteMessage', 'GetQueueAttributes', 'ReceiveMessage'].map(
            (a) => `sqs:${a}`,
          ),
          Resource: [QUEUE_ARN],
        },
      ],
    );
    expect(app.functions).toEqual({
      // The variable holds the URL of each queue it declared, resolved to the local queue's.
      [tasks.logicalId]: {
        ...tasks,
        environment: {
          ...tasks.environment,
          SERVERLESS_API_QUEUES: JSON.stringify({ notifications: { url: QUEUE_URL, fifo: false } }),
        },
      },
      [sessions.logicalId]: {
        ...sessions,
        environment: { ...sessions.environment, TABLE_CALLER_ROLE_ARN: callerRoleArn },
      },
      // The variable holds the secret's ARN, which the function asks the local Secrets Manager for at run time.
      [webhooks.logicalId]: {
        ...webhooks,
        environment: { ...webhooks.environment, WEBHOOK_SIGNING_SECRET: SECRET_ARN },
      },
      [notifications.logicalId]: notifications,
    });
    for (const { codeDir } of Object.values(app.functions)) {
      expect(fs.existsSync(path.join(codeDir, 'index.js'))).toBe(true);
    }
  });

  test("THEN the sessions function's caller role is there for the local STS: its trust, and LeadingKeys on the session tag", () => {
    const arn = `arn:aws:iam::123456789012:role/${STACK}-ApiFunctionssessionsCallerRoleD08C033A`;
    expect(Object.keys(app.roles ?? {})).toEqual([arn]);
    const role = app.roles![arn];
    expect(role.trust).toEqual([
      {
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Principal: { AWS: [`arn:aws:iam::123456789012:role/${STACK}-ApiFunctionssessionsRoleAF633719`] },
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['userId'] },
          Null: { 'aws:RequestTag/userId': ['false'] },
          StringLike: { 'aws:RequestTag/userId': ['?*'] },
        },
      },
    ]);
    expect(role.statements).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:BatchGetItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
        ],
        Resource: [`${ARN_PREFIX}/${TABLE}`],
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#${aws:PrincipalTag/userId}'] },
          Null: { 'dynamodb:LeadingKeys': ['false'], 'aws:PrincipalTag/userId': ['false'] },
          StringLike: { 'aws:PrincipalTag/userId': ['?*'] },
        },
      },
    ]);
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
      QUEUE_WARNING,
      'function webhooks (ApiFunctionswebhooksFunction2AE28B66): environment variable WEBHOOK_SIGNING_SECRET holds the ARN of secret WebhookSigningSecret (WebhookSigningSecretDD964680), which exists only in AWS: the local Secrets Manager answers "local-placeholder-WebhookSigningSecretDD964680" for it; give it a value with --secret WebhookSigningSecret=<value> (serverless-api dev) or secrets: { "WebhookSigningSecret": "<value>" } (LocalApi)',
    ]);
    expect(app.secrets).toEqual([
      {
        logicalId: 'WebhookSigningSecretDD964680',
        name: 'WebhookSigningSecret',
        secretName: `${STACK}-WebhookSigningSecretDD964680`,
        arn: SECRET_ARN,
        value: 'local-placeholder-WebhookSigningSecretDD964680',
        given: false,
      },
    ]);
  });

  test.each(['WebhookSigningSecret', 'WebhookSigningSecretDD964680'])(
    'GIVEN the secret by %s THEN the local Secrets Manager holds its value, the variable its ARN, and no warning about it',
    (key) => {
      const withSecret = readLocalApp(TASK_BOARD, { secrets: { [key]: 's3cret' } });
      expect(withSecret.secrets).toEqual([expect.objectContaining({ arn: SECRET_ARN, value: 's3cret', given: true })]);
      expect(withSecret.functions.ApiFunctionswebhooksFunction2AE28B66.environment.WEBHOOK_SIGNING_SECRET).toBe(
        SECRET_ARN,
      );
      // The queue's warning stays: it does not depend on the secret.
      expect(withSecret.warnings).toEqual([QUEUE_WARNING]);
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
