import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AccessPattern, ApiAuthorization, CallerAttribute, PartitionIsolation, ServerlessApi } from '../../src';
import { CfnTemplate, formatSummary, formatTable, StackSummary, summarizeTemplate } from '../../src/cli/summary';

/**
 * aws-cdk-lib's own TableV2 reads deprecated props internally and warns on every synth; that noise is not ours.
 * Set only while building fixtures, so other test files in the same worker still see their deprecations.
 */
function quietly<R>(build: () => R): R {
  const previous = process.env.JSII_DEPRECATED;
  process.env.JSII_DEPRECATED = 'quiet';
  try {
    return build();
  } finally {
    if (previous === undefined) delete process.env.JSII_DEPRECATED;
    else process.env.JSII_DEPRECATED = previous;
  }
}

// The CLI adds construct paths to templates; tests turn them on so names come out as they do in a real assembly.
const PATH_METADATA = { 'aws:cdk:enable-path-metadata': true };

const PROJECT_KEYS = {
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PROJECT#*'] },
  Null: { 'dynamodb:LeadingKeys': 'false' },
};

interface RouteFunctionProps {
  readonly retention: logs.RetentionDays;
  readonly statements: (table: dynamodb.TableV2) => iam.PolicyStatement[];
  readonly reservedConcurrentExecutions?: number;
}

/** A route function as the library lays it out: `Api/<Route>/Function`, its own role and log group. */
function routeFunction(scope: Construct, id: string, table: dynamodb.TableV2, props: RouteFunctionProps) {
  const route = new Construct(scope, id);
  const logGroup = new logs.LogGroup(route, 'LogGroup', {
    retention: props.retention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(route, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: { Access: new iam.PolicyDocument({ statements: props.statements(table) }) },
  });
  return new lambda.Function(route, 'Function', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(10),
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup,
    role,
  });
}

function addTable(stack: Stack): dynamodb.TableV2 {
  return new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: 'expiresAt',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    globalSecondaryIndexes: [
      {
        indexName: 'byStatus',
        partitionKey: { name: 'GSI1PK', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      },
    ],
  });
}

function addApi(scope: Construct, tasks: lambda.IFunction, webhook: lambda.IFunction): logs.LogGroup {
  const accessLogs = new logs.LogGroup(scope, 'AccessLogs', { retention: logs.RetentionDays.ONE_WEEK });
  const httpApi = new apigwv2.HttpApi(scope, 'HttpApi', { apiName: 'task-board', createDefaultStage: false });
  const stage = new apigwv2.HttpStage(scope, 'Stage', {
    httpApi,
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: 100, burstLimit: 200 },
  });
  const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
  cfnStage.accessLogSettings = {
    destinationArn: accessLogs.logGroupArn,
    format: JSON.stringify({ requestId: '$context.requestId', status: '$context.status' }),
  };
  cfnStage.routeSettings = { 'POST /webhooks/{provider}': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 } };

  const authorizer = new HttpJwtAuthorizer('Jwt', 'https://issuer.example.com', {
    authorizerName: 'TaskBoardJwt',
    jwtAudience: ['task-board'],
  });
  const tasksIntegration = new HttpLambdaIntegration('TasksIntegration', tasks);
  httpApi.addRoutes({
    path: '/projects/{projectId}/tasks',
    methods: [apigwv2.HttpMethod.GET],
    integration: tasksIntegration,
    authorizer,
    authorizationScopes: ['tasks/read'],
  });
  httpApi.addRoutes({
    path: '/projects/{projectId}/tasks',
    methods: [apigwv2.HttpMethod.POST],
    integration: tasksIntegration,
    authorizer,
    authorizationScopes: ['tasks/write', 'tasks/admin'],
  });
  httpApi.addRoutes({
    path: '/webhooks/{provider}',
    methods: [apigwv2.HttpMethod.POST],
    integration: new HttpLambdaIntegration('WebhookIntegration', webhook),
  });
  return accessLogs;
}

/** Monitoring as the library lays it out: named alarms, critical ones rolled into a composite that alone notifies. */
function addMonitoring(stack: Stack, tasks: lambda.Function, accessLogs: logs.LogGroup): void {
  const key = new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true });
  const topic = new sns.Topic(stack, 'AlarmTopic', { masterKey: key });
  const errors = new cloudwatch.Alarm(stack, 'TasksErrors', {
    alarmName: 'board-Tasks-Errors',
    alarmDescription: 'Tasks function errors',
    metric: tasks.metricErrors({ period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const errorRate = new cloudwatch.Alarm(stack, 'TasksErrorRate', {
    alarmName: 'board-Tasks-ErrorRate',
    alarmDescription: 'Tasks error rate above 5%',
    metric: new cloudwatch.MathExpression({
      expression: '100 * errors / invocations',
      usingMetrics: { errors: tasks.metricErrors(), invocations: tasks.metricInvocations() },
      period: Duration.minutes(5),
    }),
    threshold: 5,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
  });
  // No name and no action: the table falls back to the logical id and shows that nobody hears of it.
  new cloudwatch.Alarm(stack, 'Throttles', {
    metric: tasks.metricThrottles(),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
  });
  const health = new cloudwatch.CompositeAlarm(stack, 'ApiHealth', {
    compositeAlarmName: 'board-Unhealthy',
    alarmDescription: 'Task board unhealthy',
    alarmRule: cloudwatch.AlarmRule.anyOf(errors, errorRate),
  });
  health.addAlarmAction(new cloudwatchActions.SnsAction(topic));
  health.addOkAction(new cloudwatchActions.SnsAction(topic));
  new cloudwatch.Dashboard(stack, 'Dashboard', { dashboardName: 'board' });
  new logs.MetricFilter(stack, 'ThrottledFilter', {
    logGroup: accessLogs,
    filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
    metricNamespace: 'Board',
    metricName: 'ThrottledRequests',
    metricValue: '1',
  });
}

/** A stack shaped like the task-board integ app, with one least-privilege function and one over-privileged one. */
function buildTaskBoardStack(scope: Construct, id = 'TaskBoard'): Stack {
  const stack = new Stack(scope, id);
  const table = addTable(stack);
  const api = new Construct(stack, 'Api');
  const tasks = routeFunction(api, 'Tasks', table, {
    retention: logs.RetentionDays.ONE_MONTH,
    reservedConcurrentExecutions: 5,
    statements: (t) => [
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [t.tableArn],
        conditions: PROJECT_KEYS,
      }),
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${t.tableArn}/index/byStatus`],
        conditions: PROJECT_KEYS,
      }),
    ],
  });
  // Lands in a separate AWS::IAM::Policy: the summary must merge it with the role's inline policy.
  tasks.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [table.tableArn], conditions: PROJECT_KEYS }),
  );
  tasks.addToRolePolicy(new iam.PolicyStatement({ actions: ['xray:PutTraceSegments'], resources: ['*'] }));
  const webhook = routeFunction(api, 'Webhook', table, {
    retention: logs.RetentionDays.INFINITE,
    statements: (t) => [
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:PartiQLSelect'],
        resources: [t.tableArn],
      }),
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [t.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WEBHOOK#*'] } },
      }),
    ],
  });
  const accessLogs = addApi(api, tasks, webhook);
  addMonitoring(stack, tasks, accessLogs);
  return stack;
}

function taskBoardTemplate(): CfnTemplate {
  const app = new App({ context: PATH_METADATA });
  return quietly(() => Template.fromStack(buildTaskBoardStack(app)).toJSON() as CfnTemplate);
}

function findFunction(summary: StackSummary, name: string) {
  const fn = summary.functions.find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in ${summary.functions.map((f) => f.name).join(', ')}`);
  return fn;
}

describe('summarizeTemplate on a synthesized task-board stack', () => {
  // GIVEN
  const template = taskBoardTemplate();
  // WHEN
  const summary = summarizeTemplate(template, 'TaskBoard');

  test('reports the API with stage throttling, access log and authorizer', () => {
    expect(summary.apis).toHaveLength(1);
    expect(summary.apis[0]).toMatchObject({ name: 'task-board', protocol: 'HTTP' });
    expect(summary.apis[0].stages).toEqual([
      {
        name: '$default',
        throttle: { rateLimit: 100, burstLimit: 200 },
        accessLogGroup: 'AccessLogs',
        accessLogRetentionDays: 7,
        accessLogFormat: 'JSON: requestId, status',
      },
    ]);
    expect(summary.apis[0].authorizers).toEqual([
      expect.objectContaining({
        name: 'TaskBoardJwt',
        type: 'JWT',
        issuer: 'https://issuer.example.com',
        audience: ['task-board'],
      }),
    ]);
  });

  test('reports each route with its function, authorization and throttle, sorted by path', () => {
    expect(summary.routes).toEqual([
      {
        api: 'task-board',
        method: 'GET',
        path: '/projects/{projectId}/tasks',
        target: 'Tasks',
        authorization: 'JWT',
        authorizer: 'TaskBoardJwt',
        scopes: ['tasks/read'],
        throttle: undefined,
      },
      {
        api: 'task-board',
        method: 'POST',
        path: '/projects/{projectId}/tasks',
        target: 'Tasks',
        authorization: 'JWT',
        authorizer: 'TaskBoardJwt',
        scopes: ['tasks/write', 'tasks/admin'],
        throttle: undefined,
      },
      {
        api: 'task-board',
        method: 'POST',
        path: '/webhooks/{provider}',
        target: 'Webhook',
        authorization: 'PUBLIC',
        authorizer: undefined,
        scopes: [],
        throttle: { rateLimit: 10, burstLimit: 20 },
      },
    ]);
  });

  test('names functions after the construct above Function/Resource and reports their configuration', () => {
    expect(summary.functions.map((f) => f.name).sort()).toEqual(['Tasks', 'Webhook']);
    expect(findFunction(summary, 'Tasks')).toMatchObject({
      runtime: 'nodejs22.x',
      architecture: 'arm64',
      memoryMb: 256,
      timeoutSeconds: 10,
      reservedConcurrency: 5,
      logGroup: 'Tasks/LogGroup',
      logRetentionDays: 30,
      logFormat: 'JSON',
    });
    expect(findFunction(summary, 'Webhook').reservedConcurrency).toBeUndefined();
  });

  test('merges inline role policies with separate AWS::IAM::Policy resources', () => {
    const tasks = findFunction(summary, 'Tasks');
    expect(tasks.dynamodb).toEqual([
      {
        effect: 'Allow',
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        targets: ['Table'],
        leadingKeys: ['PROJECT#*'],
        otherConditions: [],
        warnings: [],
      },
      {
        effect: 'Allow',
        actions: ['dynamodb:Query'],
        targets: ['Table index byStatus'],
        leadingKeys: ['PROJECT#*'],
        otherConditions: [],
        warnings: [],
      },
      {
        effect: 'Allow',
        actions: ['dynamodb:PutItem'],
        targets: ['Table'],
        leadingKeys: ['PROJECT#*'],
        otherConditions: [],
        warnings: [],
      },
    ]);
    expect(tasks.otherActions).toEqual(['xray:PutTraceSegments']);
    expect(tasks.warnings).toEqual([]);
  });

  test('flags table-wide, Scan and PartiQL access, and ForAllValues without the Null guard', () => {
    const webhook = findFunction(summary, 'Webhook');
    expect(webhook.dynamodb[0].warnings).toEqual([
      'WARNING: table-wide (no dynamodb:LeadingKeys condition)',
      'WARNING: dynamodb:Scan reads every item',
      'WARNING: PartiQL action (statements are not bounded by key)',
    ]);
    expect(webhook.dynamodb[1]).toMatchObject({
      leadingKeys: ['WEBHOOK#*'],
      warnings: ['WARNING: ForAllValues on LeadingKeys without {"Null": {"dynamodb:LeadingKeys": "false"}}'],
    });
    // The log group without retention is flagged once, by the log group section.
    expect(webhook.warnings).toEqual([]);
  });

  test('reports every log group with its retention and users', () => {
    expect(summary.logGroups.map(({ name, retentionDays, usedBy }) => ({ name, retentionDays, usedBy }))).toEqual([
      { name: 'Tasks/LogGroup', retentionDays: 30, usedBy: ['function Tasks'] },
      { name: 'Webhook/LogGroup', retentionDays: undefined, usedBy: ['function Webhook'] },
      { name: 'AccessLogs', retentionDays: 7, usedBy: ['access log of stage $default'] },
    ]);
  });

  test('reports the TableV2 keys, index, TTL, PITR, deletion protection, encryption and deletion policy', () => {
    expect(summary.tables).toEqual([
      {
        logicalId: expect.stringMatching(/^Table/),
        name: 'Table',
        type: 'GlobalTable',
        keys: 'PK (S, partition), SK (S, sort)',
        billingMode: 'PAY_PER_REQUEST',
        indexes: [
          { name: 'byStatus', kind: 'GSI', keys: 'GSI1PK (S, partition), status (S, sort)', projection: 'ALL' },
        ],
        ttlAttribute: 'expiresAt',
        pointInTimeRecovery: true,
        deletionProtection: true,
        encryption: 'AWS owned key',
        deletionPolicy: 'Retain',
        replicas: ['${AWS::Region}'],
      },
    ]);
  });

  test('keeps each alarm description and full condition, metric dimensions and math inputs included', () => {
    expect(summary.alarms.map(({ description, kind, condition }) => ({ description, kind, condition }))).toEqual([
      {
        description: 'Tasks function errors',
        kind: 'metric',
        condition: 'AWS/Lambda Errors Sum (FunctionName=Tasks) >= 1 for 3 of 5 x 60s, missing data: notBreaching',
      },
      {
        description: 'Tasks error rate above 5%',
        kind: 'metric',
        condition:
          '100 * errors / invocations [errors=AWS/Lambda Errors Sum (FunctionName=Tasks); ' +
          'invocations=AWS/Lambda Invocations Sum (FunctionName=Tasks)] > 5 for 1 of 1 x 300s, missing data: missing',
      },
      {
        description: 'Throttles',
        kind: 'metric',
        condition: 'AWS/Lambda Throttles Sum (FunctionName=Tasks) > 0 for 1 of 1 x 300s, missing data: missing',
      },
      {
        description: 'Task board unhealthy',
        kind: 'composite',
        condition: 'rule (ALARM("board-Tasks-Errors") OR ALARM("board-Tasks-ErrorRate"))',
      },
    ]);
  });

  test('names each alarm, says in short what it watches and when it fires, and who hears of it', () => {
    const throttlesId = Object.keys(template.Resources ?? {}).find((id) => id.startsWith('Throttles'));
    expect(summary.alarms.map(({ logicalId, description, kind, condition, ...short }) => short)).toEqual([
      {
        name: 'board-Tasks-Errors',
        watches: 'AWS/Lambda Errors Sum',
        firesWhen: '>= 1 in 3 of 5 x 1 min',
        alarmActions: [],
        okActions: [],
        insufficientDataActions: [],
        ruleAlarms: [],
        rolledInto: ['board-Unhealthy'],
      },
      {
        name: 'board-Tasks-ErrorRate',
        watches: 'expr: errors, invocations',
        firesWhen: '> 5 in 1 of 1 x 5 min, missing data: missing',
        alarmActions: [],
        okActions: [],
        insufficientDataActions: [],
        ruleAlarms: [],
        rolledInto: ['board-Unhealthy'],
      },
      {
        name: throttlesId,
        watches: 'AWS/Lambda Throttles Sum',
        firesWhen: '> 0 in 1 of 1 x 5 min, missing data: missing',
        alarmActions: [],
        okActions: [],
        insufficientDataActions: [],
        ruleAlarms: [],
        rolledInto: [],
      },
      {
        name: 'board-Unhealthy',
        watches: 'composite of 2 alarms',
        firesWhen: 'any in ALARM',
        alarmActions: ['AlarmTopic'],
        okActions: ['AlarmTopic'],
        insufficientDataActions: [],
        ruleAlarms: ['board-Tasks-Errors', 'board-Tasks-ErrorRate'],
        rolledInto: [],
      },
    ]);
  });

  test('reports the dashboard, the alarm topic with its key, and the metric filter on the access log', () => {
    expect(summary.monitoring).toEqual({
      dashboards: [{ logicalId: expect.stringMatching(/^Dashboard/), name: 'board' }],
      topics: [
        {
          logicalId: expect.stringMatching(/^AlarmTopic/),
          name: 'AlarmTopic',
          encryption: 'KMS key AlarmKey (rotation on)',
          subscriptions: [],
        },
      ],
      metricFilters: [
        {
          logicalId: expect.stringMatching(/^ThrottledFilter/),
          logGroup: 'AccessLogs',
          pattern: '{ $.status = "429" }',
          metrics: ['Board ThrottledRequests'],
        },
      ],
    });
  });

  test('counts resources by type, with routes and functions', () => {
    const types = Object.values(template.Resources ?? {}).map((resource) => resource.Type);
    expect(summary.resources.total).toBe(types.length);
    expect(summary.resources.routes).toBe(3);
    expect(summary.resources.functions).toBe(2);
    expect(summary.resources.byType['AWS::Logs::LogGroup']).toBe(3);
    expect(summary.resources.byType['AWS::IAM::Policy']).toBe(1);
  });

  test('collects warnings with where they were found, and none for the least-privilege function', () => {
    expect(summary.warnings).toContain(
      'function Webhook: dynamodb:PutItem, dynamodb:Scan, dynamodb:PartiQLSelect on Table: ' +
        'WARNING: table-wide (no dynamodb:LeadingKeys condition)',
    );
    expect(summary.warnings).toContain('log group Webhook/LogGroup: WARNING: no RetentionInDays (never expires)');
    expect(summary.warnings.filter((w) => w.startsWith('function Tasks'))).toEqual([]);
    expect(summary.warnings.filter((w) => w.startsWith('api '))).toEqual([]);
  });
});

describe('summarizeTemplate on hand-written templates', () => {
  test('reads AWS::DynamoDB::Table settings and defaults DeletionPolicy to Delete', () => {
    // GIVEN
    const template: CfnTemplate = {
      Resources: {
        Orders: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            AttributeDefinitions: [
              { AttributeName: 'id', AttributeType: 'S' },
              { AttributeName: 'createdAt', AttributeType: 'N' },
            ],
            LocalSecondaryIndexes: [
              {
                IndexName: 'byDate',
                KeySchema: [
                  { AttributeName: 'id', KeyType: 'HASH' },
                  { AttributeName: 'createdAt', KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'KEYS_ONLY' },
              },
            ],
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
            DeletionProtectionEnabled: true,
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } },
          },
        },
      },
    };
    // WHEN
    const [table] = summarizeTemplate(template).tables;
    // THEN
    expect(table).toMatchObject({
      name: 'Orders',
      type: 'Table',
      keys: 'id (S, partition)',
      billingMode: 'PROVISIONED',
      indexes: [
        { name: 'byDate', kind: 'LSI', keys: 'id (S, partition), createdAt (N, sort)', projection: 'KEYS_ONLY' },
      ],
      ttlAttribute: undefined,
      pointInTimeRecovery: false,
      deletionProtection: true,
      encryption: 'customer-managed KMS key ${Key.Arn}',
      deletionPolicy: 'Delete',
      replicas: [],
    });
  });

  test('reports PITR off for a global table when one replica lacks it', () => {
    const template: CfnTemplate = {
      Resources: {
        Table: {
          Type: 'AWS::DynamoDB::GlobalTable',
          Properties: {
            Replicas: [
              { Region: 'eu-west-1', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } },
              { Region: 'us-east-1' },
            ],
          },
        },
      },
    };
    expect(summarizeTemplate(template).tables[0]).toMatchObject({
      pointInTimeRecovery: false,
      deletionProtection: false,
      replicas: ['eu-west-1', 'us-east-1'],
    });
  });

  const api = { Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'orders', ProtocolType: 'HTTP' } } };
  const route = (key: string, extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::ApiGatewayV2::Route',
    Properties: { ApiId: { Ref: 'Api' }, RouteKey: key, ...extra },
  });

  test('labels IAM, CUSTOM and missing authorization, and keeps $default without a method', () => {
    // GIVEN
    const template: CfnTemplate = {
      Resources: {
        ...api,
        Lambda: {
          Type: 'AWS::ApiGatewayV2::Authorizer',
          Properties: { ApiId: { Ref: 'Api' }, AuthorizerType: 'REQUEST', Name: 'LambdaAuth' },
        },
        Iam: route('GET /admin', { AuthorizationType: 'AWS_IAM' }),
        Custom: route('GET /custom', { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Lambda' } }),
        Default: route('$default'),
      },
    };
    // WHEN
    const routes = summarizeTemplate(template).routes;
    // THEN
    expect(routes.map((r) => [r.method, r.path, r.authorization, r.authorizer, r.target])).toEqual([
      ['', '$default', 'PUBLIC', undefined, '-'],
      ['GET', '/admin', 'IAM', undefined, '-'],
      ['GET', '/custom', 'CUSTOM', 'LambdaAuth', '-'],
    ]);
  });

  test('describes a non-Lambda integration by type and URI', () => {
    const template: CfnTemplate = {
      Resources: {
        ...api,
        Proxy: {
          Type: 'AWS::ApiGatewayV2::Integration',
          Properties: { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com' },
        },
        Get: route('GET /proxy', { Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'Proxy' }]] } }),
      },
    };
    expect(summarizeTemplate(template).routes[0].target).toBe('HTTP_PROXY https://example.com');
  });

  test('warns about a stage without throttling or access log, and a RouteSettings key that matches no route', () => {
    const template: CfnTemplate = {
      Resources: {
        ...api,
        Get: route('GET /orders'),
        Stage: {
          Type: 'AWS::ApiGatewayV2::Stage',
          Properties: {
            ApiId: { Ref: 'Api' },
            StageName: 'prod',
            RouteSettings: { 'GET /order': { ThrottlingRateLimit: 1 } },
          },
        },
      },
    };
    const summary = summarizeTemplate(template);
    expect(summary.routes[0].throttle).toBeUndefined();
    expect(summary.warnings).toEqual([
      'api orders: WARNING: stage prod has no default throttling',
      'api orders: WARNING: stage prod has no access log',
      'WARNING: stage RouteSettings key "GET /order" matches no route',
    ]);
  });

  test('lists a REST API and says its routes are not summarized', () => {
    const summary = summarizeTemplate({
      Resources: { Rest: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'legacy' } } },
    });
    expect(summary.apis).toEqual([
      { logicalId: 'Rest', name: 'legacy', protocol: 'REST', stages: [], authorizers: [] },
    ]);
    expect(summary.warnings).toEqual(['api legacy: REST API routes are not summarized by this tool']);
  });

  test('renders intrinsics in a JWT issuer', () => {
    const template: CfnTemplate = {
      Resources: {
        ...api,
        Jwt: {
          Type: 'AWS::ApiGatewayV2::Authorizer',
          Properties: {
            ApiId: { Ref: 'Api' },
            AuthorizerType: 'JWT',
            Name: 'Cognito',
            JwtConfiguration: {
              Issuer: {
                'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: 'Pool' }]],
              },
              Audience: [{ Ref: 'Client' }],
            },
          },
        },
      },
    };
    expect(summarizeTemplate(template).apis[0].authorizers[0]).toMatchObject({
      issuer: 'https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}',
      audience: ['${Client}'],
    });
  });

  const fnWithPolicy = (statements: unknown[], extra: Record<string, unknown> = {}): CfnTemplate => ({
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: statements } }],
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
      },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, ...extra } },
    },
  });

  test('applies Lambda defaults and falls back to the logical id without a construct path', () => {
    const fn = summarizeTemplate(fnWithPolicy([], { Runtime: 'python3.13' })).functions[0];
    expect(fn).toMatchObject({
      name: 'Fn',
      runtime: 'python3.13',
      architecture: 'x86_64',
      memoryMb: 128,
      timeoutSeconds: 3,
      logGroup: undefined,
      logFormat: 'Text',
      managedPolicies: ['service-role/AWSLambdaBasicExecutionRole'],
      warnings: ['WARNING: no managed log group: logs go to /aws/lambda/<name>, which never expires'],
    });
  });

  test('flags a Custom::LogRetention without RetentionInDays', () => {
    const resources = { ...fnWithPolicy([]).Resources };
    resources.Retention = {
      Type: 'Custom::LogRetention',
      Properties: { LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'Fn' }]] } },
    };
    const fn = summarizeTemplate({ Resources: resources }).functions[0];
    expect(fn.warnings).toEqual(['WARNING: log group /aws/lambda/${Fn} never expires']);
  });

  test('finds retention set through Custom::LogRetention', () => {
    const template = fnWithPolicy([]);
    const resources = { ...template.Resources };
    resources.Retention = {
      Type: 'Custom::LogRetention',
      Properties: {
        LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'Fn' }]] },
        RetentionInDays: 14,
      },
    };
    const fn = summarizeTemplate({ Resources: resources }).functions[0];
    expect(fn).toMatchObject({ logGroup: '/aws/lambda/${Fn}', logRetentionDays: 14, warnings: [] });
  });

  test('warns about a log group named in LoggingConfig but not in the template', () => {
    const fn = summarizeTemplate(fnWithPolicy([], { LoggingConfig: { LogGroup: 'shared-logs' } })).functions[0];
    expect(fn.warnings).toEqual(['WARNING: log group shared-logs is not in this template: its retention is unknown']);
  });

  test('accepts single-string Action and Resource, and flags Resource "*" and wildcard actions', () => {
    const fn = summarizeTemplate(
      fnWithPolicy([
        { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
        { Effect: 'Allow', Action: ['kms:*', 'logs:PutLogEvents'], Resource: '*' },
      ]),
    ).functions[0];
    expect(fn.dynamodb[0]).toMatchObject({
      actions: ['dynamodb:*'],
      targets: ['*'],
      warnings: [
        'WARNING: table-wide (no dynamodb:LeadingKeys condition)',
        'WARNING: wildcard action',
        'WARNING: Resource "*" (every table in the account)',
      ],
    });
    expect(fn.otherActions).toEqual(['kms:*', 'logs:PutLogEvents']);
    expect(fn.warnings).toContain('WARNING: wildcard action kms:*');
  });

  test('does not flag Deny statements, reports all-index targets and other condition keys', () => {
    const tableArn = { 'Fn::GetAtt': ['Table', 'Arn'] };
    const fn = summarizeTemplate(
      fnWithPolicy([
        { Effect: 'Deny', Action: 'dynamodb:Scan', Resource: tableArn },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: { 'Fn::Join': ['', [tableArn, '/index/*']] },
          Condition: {
            'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': 'USER#1', 'dynamodb:Attributes': ['a'] },
            Null: { 'dynamodb:LeadingKeys': 'false' },
          },
        },
      ]),
    ).functions[0];
    expect(fn.dynamodb).toEqual([
      expect.objectContaining({ effect: 'Deny', targets: ['Table'], warnings: [] }),
      expect.objectContaining({
        targets: ['Table (all indexes)'],
        leadingKeys: ['USER#1'],
        otherConditions: ['dynamodb:Attributes'],
        warnings: [],
      }),
    ]);
  });

  test('reads statements of an in-template managed policy attached through ManagedPolicyArns', () => {
    const template: CfnTemplate = {
      Resources: {
        Managed: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] },
          },
        },
        Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ Ref: 'Managed' }] } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
      },
    };
    const fn = summarizeTemplate(template).functions[0];
    expect(fn.otherActions).toEqual(['sqs:SendMessage']);
    expect(fn.managedPolicies).toEqual([]);
  });

  test('lengthens construct paths until names are unique', () => {
    const fn = (cdkPath: string) => ({ Type: 'AWS::Lambda::Function', Metadata: { 'aws:cdk:path': cdkPath } });
    const template: CfnTemplate = {
      Resources: {
        A: fn('Stack/Orders/Handler/Resource'),
        B: fn('Stack/Users/Handler/Resource'),
        C: fn('Stack/Handler/Resource'),
      },
    };
    expect(summarizeTemplate(template).functions.map((f) => f.name)).toEqual(['Orders/Handler', 'Users/Handler', 'C']);
  });

  test('reads a metric-math alarm whose expression leaves ReturnData out', () => {
    const template: CfnTemplate = {
      Resources: {
        Alarm: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            ComparisonOperator: 'LessThanThreshold',
            Threshold: 99,
            EvaluationPeriods: 2,
            AlarmActions: ['arn:aws:sns:eu-west-1:1:topic'],
            Metrics: [
              {
                Id: 'm1',
                ReturnData: false,
                MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Stat: 'Sum', Period: 60 },
              },
              { Id: 'e1', Expression: '100 - m1' },
            ],
          },
        },
      },
    };
    expect(summarizeTemplate(template).alarms[0]).toEqual({
      logicalId: 'Alarm',
      name: 'Alarm',
      description: 'Alarm',
      kind: 'metric',
      condition: '100 - m1 [m1=N M Sum] < 99 for 2 of 2 x 60s, missing data: missing',
      watches: 'expr: m1',
      firesWhen: '< 99 in 2 of 2 x 1 min, missing data: missing',
      alarmActions: ['arn:aws:sns:eu-west-1:1:topic'],
      okActions: [],
      insufficientDataActions: [],
      ruleAlarms: [],
      rolledInto: [],
    });
  });

  test('shortens metric math to the inputs it names, and an expression that names none to its start', () => {
    // GIVEN a sum of five inputs, a SEARCH that names none, and an anomaly band
    const stat = (name: string) => ({ Metric: { Namespace: 'AWS/Lambda', MetricName: name }, Stat: 'Sum', Period: 60 });
    const input = (id: string) => ({ Id: id, MetricStat: stat('Errors'), ReturnData: false });
    const alarm = (properties: Record<string, unknown>) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 1, ...properties },
    });
    const template: CfnTemplate = {
      Resources: {
        Sum: alarm({
          Metrics: [
            { Id: 'total', Expression: 'a + b + c + d + e', ReturnData: true },
            ...['a', 'b', 'c', 'd', 'e'].map(input),
          ],
        }),
        Search: alarm({
          Metrics: [
            {
              Id: 'worst',
              Expression: "MAX(SEARCH('{AWS/Lambda,FunctionName} MetricName=\"Errors\"', 'Sum', 60))",
              Period: 60,
              ReturnData: true,
            },
          ],
        }),
        Band: alarm({
          ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
          Threshold: undefined,
          ThresholdMetricId: 'ad1',
          Metrics: [
            { Id: 'm1', MetricStat: stat('Duration'), ReturnData: true },
            { Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1, 2)', ReturnData: true },
          ],
        }),
      },
    };
    // WHEN
    const alarms = summarizeTemplate(template).alarms;
    // THEN
    expect(alarms.map(({ name, watches, firesWhen }) => [name, watches, firesWhen])).toEqual([
      ['Sum', 'expr: a, b, c, +2 more', '> 0 in 1 of 1 x 1 min, missing data: missing'],
      ['Search', "expr: MAX(SEARCH('{AWS/Lambda,FunctionName} Me...", '> 0 in 1 of 1 x 1 min, missing data: missing'],
      ['Band', 'AWS/Lambda Duration Sum', 'outside band ad1 in 1 of 1 x 1 min, missing data: missing'],
    ]);
  });

  test('reads composite rules written with AND, with Fn::Sub, with names and with ARNs', () => {
    // GIVEN two named alarms, one left to CloudFormation to name, and two composites over them
    const metricAlarm = (name?: string) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: name,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      },
    });
    const template: CfnTemplate = {
      Resources: {
        A: metricAlarm('a'),
        B: metricAlarm('b'),
        C: metricAlarm(),
        AllOf: {
          Type: 'AWS::CloudWatch::CompositeAlarm',
          Properties: { AlarmName: 'all-of', AlarmRule: { 'Fn::Sub': 'ALARM("${A.Arn}") AND ALARM("${C.Arn}")' } },
        },
        Mixed: {
          Type: 'AWS::CloudWatch::CompositeAlarm',
          Properties: {
            AlarmName: 'mixed',
            AlarmRule: 'ALARM("arn:aws:cloudwatch:eu-west-1:1:alarm:b") AND NOT OK(a)',
          },
        },
      },
    };
    // WHEN
    const alarms = summarizeTemplate(template).alarms;
    // THEN
    expect(
      alarms.map(({ name, watches, firesWhen, ruleAlarms, rolledInto }) => ({
        name,
        watches,
        firesWhen,
        ruleAlarms,
        rolledInto,
      })),
    ).toEqual([
      {
        name: 'a',
        watches: 'AWS/Lambda Errors Sum',
        firesWhen: '> 0 in 1 of 1 x 1 min, missing data: missing',
        ruleAlarms: [],
        rolledInto: ['all-of', 'mixed'],
      },
      {
        name: 'b',
        watches: 'AWS/Lambda Errors Sum',
        firesWhen: '> 0 in 1 of 1 x 1 min, missing data: missing',
        ruleAlarms: [],
        rolledInto: ['mixed'],
      },
      {
        name: 'C',
        watches: 'AWS/Lambda Errors Sum',
        firesWhen: '> 0 in 1 of 1 x 1 min, missing data: missing',
        ruleAlarms: [],
        rolledInto: ['all-of'],
      },
      {
        name: 'all-of',
        watches: 'composite of 2 alarms',
        firesWhen: 'all in ALARM',
        ruleAlarms: ['a', 'C'],
        rolledInto: [],
      },
      {
        name: 'mixed',
        watches: 'composite of 2 alarms',
        firesWhen: 'ALARM(b) AND NOT OK(a)',
        ruleAlarms: ['b', 'a'],
        rolledInto: [],
      },
    ]);
  });

  test('reports a topic without encryption, an AWS managed key, subscriptions, and a filter that sets a value', () => {
    // GIVEN
    const template: CfnTemplate = {
      Resources: {
        Plain: {
          Type: 'AWS::SNS::Topic',
          Properties: { Subscription: [{ Protocol: 'email', Endpoint: 'ops@example.com' }] },
        },
        Managed: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } },
        Pager: {
          Type: 'AWS::SNS::Subscription',
          Properties: { TopicArn: { Ref: 'Plain' }, Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': ['Fn', 'Arn'] } },
        },
        Board: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: '{}' } },
        Bytes: {
          Type: 'AWS::Logs::MetricFilter',
          Properties: {
            LogGroupName: '/aws/http-api/orders',
            FilterPattern: '',
            MetricTransformations: [
              { MetricNamespace: 'Orders', MetricName: 'Bytes', MetricValue: '$.responseLength' },
            ],
          },
        },
      },
    };
    // WHEN
    const summary = summarizeTemplate(template);
    // THEN
    expect(summary.monitoring).toEqual({
      dashboards: [{ logicalId: 'Board', name: 'Board' }],
      topics: [
        {
          logicalId: 'Plain',
          name: 'Plain',
          encryption: 'none',
          subscriptions: ['email ops@example.com', 'lambda ${Fn.Arn}'],
        },
        { logicalId: 'Managed', name: 'Managed', encryption: 'KMS key alias/aws/sns', subscriptions: [] },
      ],
      metricFilters: [
        {
          logicalId: 'Bytes',
          logGroup: '/aws/http-api/orders',
          pattern: '',
          metrics: ['Orders Bytes value $.responseLength'],
        },
      ],
    });
    expect(formatSummary(summary)).toContain(
      [
        'Monitoring',
        '  dashboard Board',
        '  topic Plain: NOT encrypted; subscriptions email ops@example.com, lambda ${Fn.Arn}',
        '  topic Managed: encrypted with KMS key alias/aws/sns; no subscriptions in this template',
        '  metric filter on /aws/http-api/orders: (every event) -> Orders Bytes value $.responseLength',
      ].join('\n'),
    );
  });
});

describe('formatSummary', () => {
  const text = formatSummary(summarizeTemplate(taskBoardTemplate(), 'TaskBoard'));

  test('prints the sections in order', () => {
    const headings = text.split('\n').filter((line) => /^[A-Z]/.test(line));
    expect(headings).toEqual([
      'Stack TaskBoard',
      'API',
      'Routes (3)',
      'Functions (2)',
      'Queues (0)',
      'Access patterns (0)',
      'Partition isolation (0)',
      'Tables (1)',
      'Events',
      'Table streams (0)',
      'Log groups (3)',
      'Alarms (4)',
      'Monitoring',
      expect.stringMatching(/^Resources \(\d+ total; routes: 3, functions: 2\)$/),
      expect.stringMatching(/^Warnings \(\d+\)$/),
    ]);
  });

  test('prints routes as an aligned table', () => {
    expect(text).toContain(
      [
        'Routes (3)',
        '  ROUTE                             FUNCTION  AUTHORIZATION                                THROTTLE',
        '  GET /projects/{projectId}/tasks   Tasks     JWT TaskBoardJwt [tasks/read]                stage default',
        '  POST /projects/{projectId}/tasks  Tasks     JWT TaskBoardJwt [tasks/write, tasks/admin]  stage default',
        '  POST /webhooks/{provider}         Webhook   PUBLIC                                       10 req/s, burst 20',
      ].join('\n'),
    );
  });

  test('prints the API stage and access log', () => {
    expect(text).toContain('    stage $default: 100 req/s, burst 200\n');
    expect(text).toContain('    access log: AccessLogs (7 days), JSON: requestId, status\n');
    expect(text).toContain(
      '    authorizer TaskBoardJwt (JWT): issuer https://issuer.example.com, audience task-board\n',
    );
  });

  test('prints DynamoDB access per statement with the warnings under it', () => {
    expect(text).toContain('    dynamodb: Query on Table index byStatus; keys PROJECT#*\n');
    expect(text).toContain(
      [
        '    dynamodb: PutItem, Scan, PartiQLSelect on Table',
        '      WARNING: table-wide (no dynamodb:LeadingKeys condition)',
        '      WARNING: dynamodb:Scan reads every item',
      ].join('\n'),
    );
    expect(text).toContain('    other actions: xray: PutTraceSegments\n');
  });

  test('prints log retention and flags a log group that never expires', () => {
    expect(text).toMatch(/^ {2}Tasks\/LogGroup +30 days +function Tasks$/m);
    expect(text).toMatch(/^ {2}Webhook\/LogGroup +NEVER EXPIRES +function Webhook$/m);
  });

  test('prints table settings', () => {
    expect(text).toContain('    GSI byStatus: GSI1PK (S, partition), status (S, sort); projection ALL\n');
    expect(text).toContain('    point-in-time recovery: on\n    deletion protection: on\n');
  });

  test('leaves no trailing blanks', () => {
    expect(text.split('\n').filter((line) => line !== line.trimEnd())).toEqual([]);
  });
});

describe('the alarm table and the monitoring section', () => {
  // GIVEN monitoring shaped like the library's: two critical alarms rolled into a composite that alone notifies,
  // a warning with its own actions and no AlarmName, a dashboard, an encrypted topic and a metric filter
  const cdkPath = (p: string) => ({ 'aws:cdk:path': `Orders/${p}` });
  const topic = { Ref: 'Topic' };
  const apiMetric = (name: string) => ({
    Namespace: 'AWS/ApiGateway',
    MetricName: name,
    Dimensions: [{ Name: 'ApiId', Value: { Ref: 'Api' } }],
  });
  const template: CfnTemplate = {
    Resources: {
      Key: {
        Type: 'AWS::KMS::Key',
        Properties: { EnableKeyRotation: true },
        Metadata: cdkPath('Monitoring/Key/Resource'),
      },
      Topic: {
        Type: 'AWS::SNS::Topic',
        Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } },
        Metadata: cdkPath('Monitoring/Topic/Resource'),
      },
      Latency: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: 'orders-Api-LatencyP99',
          AlarmDescription:
            'API: p99 latency above 3 seconds in 2 of 3 periods of 5 minutes. Look first at the access log.',
          ...apiMetric('Latency'),
          ExtendedStatistic: 'p99',
          Period: 300,
          EvaluationPeriods: 3,
          DatapointsToAlarm: 2,
          Threshold: 3000,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        },
      },
      ServerErrors: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: 'orders-Api-5xxRate',
          Metrics: [
            { Id: 'expr_1', Expression: '100 * serverErrors / requests', ReturnData: true },
            {
              Id: 'serverErrors',
              MetricStat: { Metric: apiMetric('5xx'), Stat: 'Sum', Period: 60 },
              ReturnData: false,
            },
            { Id: 'requests', MetricStat: { Metric: apiMetric('Count'), Stat: 'Sum', Period: 60 }, ReturnData: false },
          ],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 1,
          TreatMissingData: 'breaching',
        },
      },
      ClientErrors: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          Metrics: [
            { Id: 'm1', MetricStat: { Metric: apiMetric('4xx'), Stat: 'Sum', Period: 3600 }, ReturnData: true },
          ],
          Threshold: 10,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 1,
          AlarmActions: [topic],
          OKActions: [topic],
        },
      },
      Unhealthy: {
        Type: 'AWS::CloudWatch::CompositeAlarm',
        Properties: {
          AlarmName: 'orders-Unhealthy',
          AlarmRule: {
            'Fn::Join': [
              '',
              [
                '(ALARM("',
                { 'Fn::GetAtt': ['Latency', 'Arn'] },
                '") OR ALARM("',
                { 'Fn::GetAtt': ['ServerErrors', 'Arn'] },
                '"))',
              ],
            ],
          },
          AlarmActions: [topic],
          OKActions: [topic],
        },
      },
      Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardName: 'orders', DashboardBody: '{}' } },
      AccessLogs: { Type: 'AWS::Logs::LogGroup', Metadata: cdkPath('Api/AccessLogs/Resource') },
      Throttled: {
        Type: 'AWS::Logs::MetricFilter',
        Properties: {
          LogGroupName: { Ref: 'AccessLogs' },
          FilterPattern: '{ $.status = "429" }',
          MetricTransformations: [
            {
              MetricNamespace: 'Orders',
              MetricName: 'ThrottledRequests',
              MetricValue: '1',
              Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
            },
          ],
        },
      },
    },
  };
  // WHEN
  const summary = summarizeTemplate(template, 'Orders');
  const text = formatSummary(summary);

  test('prints one aligned row per alarm: name, what it watches, when it fires, who hears of it', () => {
    expect(text).toContain(
      [
        'Alarms (4)',
        '  NAME                   WATCHES                       FIRES WHEN                                       ACTIONS',
        '  orders-Api-LatencyP99  AWS/ApiGateway Latency p99    > 3000 in 2 of 3 x 5 min                         rolled into orders-Unhealthy',
        '  orders-Api-5xxRate     expr: serverErrors, requests  >= 1 in 1 of 1 x 1 min, missing data: breaching  rolled into orders-Unhealthy',
        '  ClientErrors           AWS/ApiGateway 4xx Sum        > 10 in 1 of 1 x 1 h, missing data: missing      Monitoring/Topic',
        '  orders-Unhealthy       composite of 2 alarms         any in ALARM                                     Monitoring/Topic',
        '',
      ].join('\n'),
    );
  });

  test('leaves descriptions out of the text but keeps them, with the full condition, in the summary', () => {
    expect(text).not.toContain('Look first');
    expect(summary.alarms[0]).toMatchObject({
      description: 'API: p99 latency above 3 seconds in 2 of 3 periods of 5 minutes. Look first at the access log.',
      condition: 'AWS/ApiGateway Latency p99 (ApiId=Api) > 3000 for 2 of 3 x 300s, missing data: notBreaching',
    });
  });

  test('prints the dashboard, the topic with its key, and the metric filter with its metric', () => {
    expect(text).toContain(
      [
        'Monitoring',
        '  dashboard orders',
        '  topic Monitoring/Topic: encrypted with KMS key Monitoring/Key (rotation on); no subscriptions in this template',
        '  metric filter on AccessLogs: { $.status = "429" } -> Orders ThrottledRequests (ApiId=$.apiId)',
        '',
      ].join('\n'),
    );
  });

  test('prints (none) for a stack without alarms or monitoring', () => {
    const empty = formatSummary(summarizeTemplate({ Resources: {} }, 'Empty'));
    expect(empty).toContain('Alarms (0)\n  (none)\n\nMonitoring\n  (none)\n');
  });
});

describe('the access-pattern table of a ServerlessApi', () => {
  // GIVEN an API whose patterns cover a Query, an index Query, a Scan and one pattern nobody uses
  const stack = new Stack(new App(), 'Board');
  quietly(
    () =>
      new ServerlessApi(stack, 'Api', {
        authorization: ApiAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['web'] }),
        accessPatterns: {
          listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{projectId}', sortKeyPrefix: 'TASK#' }),
          byOwner: AccessPattern.query({ partitionKey: 'USER#{userId}', indexName: 'byOwner' }),
          exportAll: AccessPattern.scan(),
          deleteTask: AccessPattern.deleteItem({ partitionKey: 'PROJECT#{projectId}', sortKey: 'TASK#{taskId}' }),
        },
        functions: {
          tasks: {
            entry: path.join(__dirname, '..', 'fixtures', 'handler.ts'),
            routes: [{ method: apigwv2.HttpMethod.GET, path: '/tasks' }],
            accessPatterns: ['listTasks', 'byOwner', 'exportAll'],
          },
        },
      }),
  );
  const summary = summarizeTemplate(Template.fromStack(stack).toJSON() as CfnTemplate, 'Board');

  test('reads each pattern from the template metadata, with the functions using it', () => {
    expect(summary.accessPatterns.map((p) => [p.name, p.operation, p.index, p.keyCondition, p.functions])).toEqual([
      ['listTasks', 'Query', undefined, 'PK = PROJECT#{projectId} AND begins_with(SK, TASK#)', ['tasks']],
      ['byOwner', 'Query', 'byOwner', 'byOwnerPK = USER#{userId}', ['tasks']],
      ['exportAll', 'Scan', undefined, '(none: every item)', ['tasks']],
      ['deleteTask', 'DeleteItem', undefined, 'PK = PROJECT#{projectId} AND SK = TASK#{taskId}', []],
    ]);
  });

  test('prints the patterns as an aligned table, marking unused ones', () => {
    expect(formatSummary(summary)).toContain(
      [
        'Access patterns (4)',
        '  PATTERN     OPERATION   INDEX    KEY CONDITION                                        PARTITIONS  FUNCTIONS  ACTIONS',
        '  listTasks   Query       -        PK = PROJECT#{projectId} AND begins_with(SK, TASK#)  many        tasks      Query',
        '  byOwner     Query       byOwner  byOwnerPK = USER#{userId}                            many        tasks      Query',
        '  exportAll   Scan        -        (none: every item)                                   all         tasks      Scan',
        '  deleteTask  DeleteItem  -        PK = PROJECT#{projectId} AND SK = TASK#{taskId}      many        UNUSED     DeleteItem',
      ].join('\n'),
    );
  });

  test('warns about a Scan pattern in use', () => {
    expect(summary.warnings).toContain(
      'access pattern exportAll: Scan reads every item, whatever the key (used by tasks)',
    );
  });
});

describe('the partition isolation of a ServerlessApi', () => {
  // GIVEN a shop whose cart and preferences functions both write USER# partitions, and sessions bound to the caller
  const isolationApp = (partitionIsolation?: PartitionIsolation) => {
    const stack = new Stack(new App(), 'Shop');
    const entry = path.join(__dirname, '..', 'fixtures', 'handler.ts');
    const bound = { callerBound: { userId: CallerAttribute.id() } };
    quietly(
      () =>
        new ServerlessApi(stack, 'Api', {
          authorization: ApiAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['web'] }),
          partitionIsolation,
          accessPatterns: {
            putCart: AccessPattern.putItem({ partitionKey: 'USER#{userId}', sortKey: 'CART' }),
            putPreferences: AccessPattern.putItem({ partitionKey: 'USER#{userId}', sortKey: 'PREFERENCES' }),
            putSession: AccessPattern.putItem({ partitionKey: 'SESSION#{userId}', sortKey: 'S#{sessionId}', ...bound }),
            getOrder: AccessPattern.getItem({ partitionKey: 'ORDER#{orderId}', sortKey: 'ORDER' }),
          },
          functions: {
            cart: { entry, routes: [{ method: apigwv2.HttpMethod.PUT, path: '/cart' }], accessPatterns: ['putCart'] },
            preferences: {
              entry,
              routes: [{ method: apigwv2.HttpMethod.PUT, path: '/preferences' }],
              accessPatterns: ['putPreferences'],
            },
            sessions: {
              entry,
              routes: [{ method: apigwv2.HttpMethod.POST, path: '/sessions' }],
              accessPatterns: ['putSession'],
            },
            orders: {
              entry,
              routes: [{ method: apigwv2.HttpMethod.GET, path: '/orders/{orderId}' }],
              accessPatterns: ['getOrder'],
            },
          },
        }),
    );
    return stack;
  };
  const summary = summarizeTemplate(Template.fromStack(isolationApp()).toJSON() as CfnTemplate, 'Shop');

  test('lists, per written partition prefix, the functions that may write it and what is bound to the caller', () => {
    expect(formatSummary(summary)).toContain(
      [
        'Partition isolation (2)',
        "  IAM bounds partition keys, not sort keys: functions writing one prefix can overwrite each other's items there",
        '  PARTITION PREFIX  WRITTEN BY                                    BOUND TO THE CALLER',
        '  SESSION#          sessions (putSession)                         userId = caller id',
        '  USER#             cart (putCart), preferences (putPreferences)  -',
      ].join('\n'),
    );
  });

  test("prints a function's caller-bound access as the caller's, with the session tag in its keys", () => {
    expect(formatSummary(summary)).toContain(
      '    dynamodb (as the caller): PutItem on ApiTableDB4CD73A; keys SESSION#${aws:PrincipalTag/userId}; conditions aws:PrincipalTag/userId\n',
    );
  });

  test('warns when functions with different writes share a prefix', () => {
    expect(summary.warnings).toContain(
      "partition prefix USER#: WARNING: functions cart, preferences write partitions USER#... with different patterns: IAM bounds partition keys, not sort keys, so each can overwrite the others' items there; give them their own prefixes, or set partitionIsolation: PartitionIsolation.STRICT to refuse this at synth",
    );
  });

  test('WHEN isolation is strict THEN synth refuses the shared prefix, naming both functions', () => {
    const stack = isolationApp(PartitionIsolation.STRICT);
    expect(() => Template.fromStack(stack)).toThrow(
      '`functions.preferences.accessPatterns` must not write partitions of the prefix "USER#" that function cart also writes with other patterns (putCart): IAM bounds partition keys, not sort keys, so either could overwrite the other\'s items; give the patterns their own prefix, or set partitionIsolation to PartitionIsolation.SHARED, got: ["putPreferences"]',
    );
  });
});

describe('formatTable', () => {
  test('pads every column but the last to its widest cell', () => {
    expect(formatTable(['A', 'BB'], [['long', 'x']], '')).toEqual(['A     BB', 'long  x']);
  });
});
