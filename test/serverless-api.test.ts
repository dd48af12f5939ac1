import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ServerlessApi } from '../src';
import {
  buildApi,
  fullyConfigured,
  BuiltApi,
  fn,
  functionIds,
  getAtt,
  GRANTS_ONLY_FOR_AWS_SERVICES,
  itemPatterns,
  jwt,
  logicalId,
  newStack,
  ref,
  resources,
  resourceTypeCounts,
  route,
} from './helpers/api';
import {
  TABLE_NAME_ENV,
  TABLE_PARTITION_KEY_ENV,
  TABLE_SORT_KEY_ENV,
  TABLE_TTL_ATTRIBUTE_ENV,
} from '../src/shared/env';

describe('ServerlessApi with only the required props and one function', () => {
  let built: BuiltApi;
  beforeAll(() => {
    built = buildApi();
  });

  test('creates exactly the table, the API with its stage, authorizer, route and integration, the function and its monitoring', () => {
    expect(resourceTypeCounts(built.template)).toEqual({
      'AWS::DynamoDB::GlobalTable': 1,
      'AWS::ApiGatewayV2::Api': 1,
      'AWS::ApiGatewayV2::Stage': 1,
      'AWS::ApiGatewayV2::Authorizer': 1,
      'AWS::ApiGatewayV2::Route': 1,
      'AWS::ApiGatewayV2::Integration': 1,
      'AWS::Lambda::Function': 1,
      // the function's execution role and the API's invoke role
      'AWS::IAM::Role': 2,
      // the function's log group and the API access log
      'AWS::Logs::LogGroup': 2,
      // the function's alarm; API 5xx, 4xx and 429 rates, p99 latency and integration latency; table read
      // and write throttles and system errors
      'AWS::CloudWatch::Alarm': 9,
      'AWS::CloudWatch::CompositeAlarm': 1,
      'AWS::CloudWatch::Dashboard': 1,
      // 429s counted from the access log
      'AWS::Logs::MetricFilter': 1,
      // the alarm topic, its TLS-only policy and its key
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::KMS::Key': 1,
    });
  });

  test('grants only through inline role policies: no policy resources and no managed policies', () => {
    const { template } = built;
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(template.findResources('AWS::IAM::Role', { Properties: { ManagedPolicyArns: Match.anyValue() } })).toEqual(
      {},
    );
    template.allResourcesProperties('AWS::IAM::Role', {
      Policies: [Match.objectLike({ PolicyName: Match.anyValue() })],
    });
  });

  test('lets API Gateway invoke the function through the integration role, never through Lambda permissions', () => {
    built.template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  test('never creates the account-wide API Gateway CloudWatch role (AWS::ApiGateway::Account)', () => {
    built.template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('creates no API Gateway REST (v1) resources and no custom resources', () => {
    const types = new Set(Object.values(resources(built.template)).map((r) => r.Type));
    expect([...types].filter((t) => t.startsWith('AWS::ApiGateway::'))).toEqual([]);
    expect([...types].filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource')).toEqual(
      [],
    );
  });

  test('keeps every log group for 30 days', () => {
    built.template.resourceCountIs('AWS::Logs::LogGroup', 2);
    built.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('exposes its parts', () => {
    const { api, stack, template } = built;
    const ids = functionIds(template, 'items');
    expect(api.functions.map((f) => f.name)).toEqual(['items']);
    expect(stack.resolve(api.functions[0].lambdaFunction.functionArn)).toEqual(getAtt(ids.function));
    expect(stack.resolve(api.functions[0].role.roleArn)).toEqual(getAtt(ids.role));
    expect(stack.resolve(api.functions[0].logGroup.logGroupName)).toEqual(ref(ids.logGroup));
    expect(api.functions[0].alarms.map((a) => stack.resolve(a.alarmArn))).toEqual([getAtt(ids.alarm!)]);
    expect(api.alarms).toHaveLength(9);
    expect(api.alarms).toContain(api.functions[0].alarms[0]);
    expect(stack.resolve(api.alarmTopic!.topicArn)).toEqual(
      ref(logicalId(template, 'AWS::SNS::Topic', 'ApiMonitoringAlarmTopic')),
    );
    expect(stack.resolve(api.unhealthyAlarm!.alarmArn)).toEqual(
      getAtt(logicalId(template, 'AWS::CloudWatch::CompositeAlarm', 'ApiMonitoringUnhealthy')),
    );
    expect(stack.resolve(api.dashboard!.dashboardName)).toEqual(
      ref(logicalId(template, 'AWS::CloudWatch::Dashboard', 'ApiMonitoringDashboard')),
    );
    expect(stack.resolve(api.table.tableName)).toEqual(
      ref(logicalId(template, 'AWS::DynamoDB::GlobalTable', 'ApiTable')),
    );
    expect(stack.resolve(api.httpApi!.apiId)).toEqual(ref(logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')));
    expect(stack.resolve(api.accessLogGroup.logGroupName)).toEqual(
      ref(logicalId(template, 'AWS::Logs::LogGroup', 'ApiAccessLogs')),
    );
    expect(stack.resolve(api.invokeRole.roleArn)).toEqual(
      getAtt(logicalId(template, 'AWS::IAM::Role', 'ApiInvokeRole')),
    );
    expect(JSON.stringify(stack.resolve(api.url))).toContain('execute-api');
  });

  test('publishes the environment variable names handlers read, from the one shared module', () => {
    expect(ServerlessApi.TABLE_NAME_ENV).toBe(TABLE_NAME_ENV);
    expect(ServerlessApi.TABLE_PARTITION_KEY_ENV).toBe(TABLE_PARTITION_KEY_ENV);
    expect(ServerlessApi.TABLE_SORT_KEY_ENV).toBe(TABLE_SORT_KEY_ENV);
    expect(ServerlessApi.TABLE_TTL_ATTRIBUTE_ENV).toBe(TABLE_TTL_ATTRIBUTE_ENV);
    expect([TABLE_NAME_ENV, TABLE_PARTITION_KEY_ENV, TABLE_SORT_KEY_ENV, TABLE_TTL_ATTRIBUTE_ENV]).toEqual([
      'TABLE_NAME',
      'TABLE_PARTITION_KEY',
      'TABLE_SORT_KEY',
      'TABLE_TTL_ATTRIBUTE',
    ]);
  });
});

describe('logRetention', () => {
  test('GIVEN logRetention ONE_WEEK THEN every log group (functions and access log) keeps 7 days', () => {
    const { template } = buildApi({
      logRetention: logs.RetentionDays.ONE_WEEK,
      functions: {
        items: fn([route(HttpMethod.GET, '/items')]),
        orders: fn([route(HttpMethod.GET, '/orders')]),
      },
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });
});

describe('addFunction', () => {
  const items = () => fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['getItem', 'listItems'] });
  const orders = () => fn([route(HttpMethod.POST, '/orders')], { accessPatterns: ['putItem'] });

  test('builds exactly what the same function declared in props builds', () => {
    // GIVEN one API with both functions in props, and one that adds the second later
    const declared = buildApi({ functions: { items: items(), orders: orders() } });
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', {
      authorization: jwt(),
      accessPatterns: itemPatterns(),
      functions: { items: items() },
    });

    // WHEN
    const added = api.addFunction('orders', orders());

    // THEN the templates are identical and the function is returned and listed
    expect(Template.fromStack(stack).toJSON()).toEqual(declared.template.toJSON());
    expect(added.name).toBe('orders');
    expect(api.functions.map((f) => f.name)).toEqual(['items', 'orders']);
  });

  test('an API declared without functions synthesizes once a function is added', () => {
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', { authorization: jwt(), accessPatterns: itemPatterns() });
    api.addFunction('items', items());
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
  });
});

describe('an API without any function', () => {
  test('fails at synth, naming the prop and the fix', () => {
    const stack: Stack = newStack();
    new ServerlessApi(stack, 'Api', { authorization: jwt() });
    expect(() => Template.fromStack(stack)).toThrow(
      '[Test/Api] `functions` must declare at least one function, in props or with addFunction(), got: {}',
    );
  });
});

describe('invariants that hold with every option in use', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN a customer-managed key, an index, a public route, a route throttle and the user's alarm topic
    template = Template.fromStack(fullyConfigured().stack);
  });

  test('no policy resources, no managed policies, one inline policy per role', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(template.findResources('AWS::IAM::Role', { Properties: { ManagedPolicyArns: Match.anyValue() } })).toEqual(
      {},
    );
    template.allResourcesProperties('AWS::IAM::Role', {
      Policies: [Match.objectLike({ PolicyName: Match.anyValue() })],
    });
  });

  test('no Lambda permissions and no AWS::ApiGateway::Account', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('every log group has a retention of 30 days', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('the table key policy allows no one but the account, and grants only for AWS services: access to the key is granted in the roles only', () => {
    // the user's alarm topic is used: the API creates no topic and no key of its own for it
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: [Match.objectLike({ Action: 'kms:*', Resource: '*' }), GRANTS_ONLY_FOR_AWS_SERVICES] },
    });
  });
});
