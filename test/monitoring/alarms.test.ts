import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AccessPattern, AlarmOptions, ApiFunctionOptions, ServerlessApi, ServerlessApiProps } from '../../src';
import { THROTTLED_REQUESTS_FILTER_PATTERN } from '../../src/monitoring/access-log-metrics';
import {
  buildApi,
  BuiltApi,
  defaultProps,
  ENV,
  fn,
  functionIds,
  getAtt,
  GRANTS_ONLY_FOR_AWS_SERVICES,
  logicalId,
  newStack,
  ref,
  resources,
  route,
} from '../helpers/api';

const ALARM = 'AWS::CloudWatch::Alarm';
const COMPOSITE = 'AWS::CloudWatch::CompositeAlarm';
const API_NAME = 'shop';
const ITEM_KEY = { partitionKey: 'ITEM#{itemId}', sortKey: 'DETAIL#{detailId}' };

/** The route function `items`: a get and an index query, so the table has the index `byStatus`. */
function items(options: Partial<ApiFunctionOptions> = {}): ApiFunctionOptions {
  return fn([route(HttpMethod.GET, '/items/{itemId}')], { accessPatterns: ['getItem', 'itemsByStatus'], ...options });
}

/** A second route function, without table access. */
function orders(options: Partial<ApiFunctionOptions> = {}): ApiFunctionOptions {
  return fn([route(HttpMethod.GET, '/orders')], options);
}

/** The API `shop`: one function and one index (from an index Query pattern), so every default alarm exists. */
function shopProps(props: Partial<ServerlessApiProps> = {}): Partial<ServerlessApiProps> {
  return {
    apiName: API_NAME,
    accessPatterns: {
      getItem: AccessPattern.getItem(ITEM_KEY),
      itemsByStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
    },
    functions: { items: items() },
    ...props,
  };
}

function buildShop(props: Partial<ServerlessApiProps> = {}): BuiltApi {
  return buildApi(shopProps(props));
}

/** Every alarm `shop` has by default, without the composite alarm. */
const DEFAULT_ALARM_NAMES = [
  'shop-Api-5xxRate',
  'shop-Api-429Rate',
  'shop-Api-LatencyP99',
  'shop-Api-4xxRate',
  'shop-Api-IntegrationLatencyP99',
  'shop-Table-ReadThrottles',
  'shop-Table-WriteThrottles',
  'shop-Index-byStatus-ReadThrottles',
  'shop-Index-byStatus-WriteThrottles',
  'shop-Table-SystemErrors',
  'shop-Function-items',
];

/** The names of the metric alarms in the template, sorted. */
function alarmNames(template: Template): string[] {
  return Object.values(template.findResources(ALARM))
    .map((resource) => resource.Properties.AlarmName)
    .sort();
}

/** The metric alarm named `shop-<name>`: its logical id and properties. Fails unless there is exactly one. */
function alarm(template: Template, name: string): { id: string; props: any } {
  const found = Object.entries(template.findResources(ALARM)).filter(
    ([, resource]) => resource.Properties.AlarmName === `${API_NAME}-${name}`,
  );
  if (found.length !== 1) throw new Error(`expected one alarm named ${API_NAME}-${name}, found ${found.length}`);
  return { id: found[0][0], props: untagged(found[0][1].Properties) };
}

/** Properties without the cost-allocation tag every resource carries (test/monitoring/cost-allocation-tag.test.ts). */
function untagged(properties: any): any {
  const { Tags: _tags, ...rest } = properties;
  return rest;
}

/** The properties of the one composite alarm. */
function composite(template: Template): any {
  const found = Object.values(template.findResources(COMPOSITE));
  expect(found).toHaveLength(1);
  return untagged(found[0].Properties);
}

/** The logical ids of the alarms the composite alarm's rule names, in order. */
function ruleAlarmIds(template: Template): string[] {
  const parts: unknown[] = composite(template).AlarmRule['Fn::Join'][1];
  return parts.flatMap((part: any) => (part?.['Fn::GetAtt'] ? [part['Fn::GetAtt'][0]] : []));
}

/** The rule CloudWatch gets for `AlarmRule.anyOf(ALARM(a), ALARM(b), ...)` over these alarms. */
function anyOfRule(alarmIds: string[]): object {
  const parts: unknown[] = ['(ALARM("'];
  alarmIds.forEach((id, i) => {
    if (i > 0) parts.push('") OR ALARM("');
    parts.push(getAtt(id));
  });
  parts.push('"))');
  return { 'Fn::Join': ['', parts] };
}

function metricStat(
  id: string,
  namespace: string,
  metricName: string,
  dimensions: object[],
  stat: string,
  options: { period?: number; label?: string; returnData?: boolean } = {},
): object {
  return {
    Id: id,
    ...(options.label ? { Label: options.label } : {}),
    MetricStat: {
      Metric: { Dimensions: dimensions, MetricName: metricName, Namespace: namespace },
      Period: options.period ?? 300,
      Stat: stat,
    },
    ReturnData: options.returnData ?? false,
  };
}

function expression(id: string, expr: string, label?: string, returnData = false): object {
  return { Expression: expr, Id: id, ...(label ? { Label: label } : {}), ReturnData: returnData };
}

/** The periods, in seconds, of every metric an alarm reads. */
function periods(props: any): number[] {
  return props.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period);
}

/** The expression of the alarm's result (the metric it compares with its threshold). */
function returned(props: any): string {
  return props.Metrics.find((m: any) => m.ReturnData).Expression;
}

function topicId(template: Template): string {
  return logicalId(template, 'AWS::SNS::Topic', 'ApiMonitoringAlarmTopic');
}

describe('the default alarms', () => {
  let built: BuiltApi;
  let apiDimensions: object[];
  let tableDimensions: object[];
  let indexDimensions: object[];
  beforeAll(() => {
    // GIVEN the API shop with defaults: one function (a get, an index query), so one index
    built = buildShop();
    const apiId = logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
    const tableId = logicalId(built.template, 'AWS::DynamoDB::GlobalTable', 'ApiTable');
    apiDimensions = [{ Name: 'ApiId', Value: ref(apiId) }];
    tableDimensions = [{ Name: 'TableName', Value: ref(tableId) }];
    indexDimensions = [{ Name: 'GlobalSecondaryIndexName', Value: 'byStatus' }, ...tableDimensions];
  });

  test('are exactly the API, table, index and function alarms, named <apiName>-<name>', () => {
    // THEN
    expect(alarmNames(built.template)).toEqual([...DEFAULT_ALARM_NAMES].sort());
  });

  test('are all listed by api.alarms, the composite alarm aside', () => {
    // WHEN
    const arns = built.api.alarms.map((a) => built.stack.resolve(a.alarmArn));

    // THEN
    expect(arns).toEqual(
      expect.arrayContaining(DEFAULT_ALARM_NAMES.map((name) => getAtt(alarm(built.template, name.slice(5)).id))),
    );
    expect(arns).toHaveLength(DEFAULT_ALARM_NAMES.length);
  });

  test('API 5xx rate: above 1% of requests in one period of 5 minutes, critical', () => {
    expect(alarm(built.template, 'Api-5xxRate').props).toEqual({
      AlarmName: 'shop-Api-5xxRate',
      AlarmDescription:
        'API: share of requests answered 5xx above 1% in one period of 5 minutes. Look first at the access log ' +
        '(status, integrationError, authorizerError), then at the alarms of the functions.',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        expression(
          'expr_1',
          'IF(FILL(requests_5xx, 0) > 0, 100 * FILL(serverErrors, 0) / FILL(requests_5xx, 0), 0)',
          '5xx rate (%)',
          true,
        ),
        metricStat('serverErrors', 'AWS/ApiGateway', '5xx', apiDimensions, 'Sum', { label: '5xx' }),
        metricStat('requests_5xx', 'AWS/ApiGateway', 'Count', apiDimensions, 'Sum', { label: 'Requests' }),
      ],
    });
  });

  test('API 4xx rate: above 10% in 3 of 3 periods of 5 minutes, a warning that notifies the topic itself', () => {
    const topic = ref(topicId(built.template));
    expect(alarm(built.template, 'Api-4xxRate').props).toEqual({
      AlarmName: 'shop-Api-4xxRate',
      AlarmDescription:
        "API: share of requests answered 4xx above 10% in 3 of 3 periods of 5 minutes. Look first at the access log's " +
        'status by routeKey: 401/403 point at tokens or the authorizer, 400/404 at a client release.',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 10,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      Metrics: [
        expression(
          'expr_1',
          'IF(FILL(requests_4xx, 0) > 0, 100 * FILL(clientErrors, 0) / FILL(requests_4xx, 0), 0)',
          '4xx rate (%)',
          true,
        ),
        metricStat('clientErrors', 'AWS/ApiGateway', '4xx', apiDimensions, 'Sum', { label: '4xx' }),
        metricStat('requests_4xx', 'AWS/ApiGateway', 'Count', apiDimensions, 'Sum', { label: 'Requests' }),
      ],
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  test('API 429 rate: the access-log metric ServerlessApi/ThrottledRequests by ApiId, above 1% of requests, a warning', () => {
    expect(alarm(built.template, 'Api-429Rate').props).toEqual({
      AlarmName: 'shop-Api-429Rate',
      AlarmDescription:
        'API: share of requests answered 429 Too Many Requests above 1% in one period of 5 minutes (usage-plan ' +
        'quotas not counted). Look first at the access log for the routes and callers (ip, principalId, apiKeyId) ' +
        'refused, then raise the stage, route or usage-plan throttling if the traffic is legitimate.',
      AlarmActions: [ref(topicId(built.template))],
      OKActions: [ref(topicId(built.template))],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        expression(
          'expr_1',
          'IF(FILL(requests_429, 0) > 0, 100 * FILL(throttled, 0) / FILL(requests_429, 0), 0)',
          '429 rate (%)',
          true,
        ),
        metricStat('throttled', 'ServerlessApi', 'ThrottledRequests', apiDimensions, 'Sum', { label: '429' }),
        metricStat('requests_429', 'AWS/ApiGateway', 'Count', apiDimensions, 'Sum', { label: 'Requests' }),
      ],
    });
  });

  test('API latency: p99 above 3 seconds in 2 of 3 periods of 5 minutes, critical', () => {
    expect(alarm(built.template, 'Api-LatencyP99').props).toEqual({
      AlarmName: 'shop-Api-LatencyP99',
      AlarmDescription:
        'API: p99 latency above 3 seconds in 2 of 3 periods of 5 minutes. Look first at integrationLatency in the ' +
        'access log (the functions) against responseLatency (authorizer and gateway), then at function durations ' +
        'and table throttles.',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 3000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      Metrics: [
        metricStat('m1', 'AWS/ApiGateway', 'Latency', apiDimensions, 'p99', { label: 'Latency p99', returnData: true }),
      ],
    });
  });

  test('API integration latency: p99 above 2 seconds in 2 of 3 periods of 5 minutes, a warning', () => {
    const topic = ref(topicId(built.template));
    expect(alarm(built.template, 'Api-IntegrationLatencyP99').props).toEqual({
      AlarmName: 'shop-Api-IntegrationLatencyP99',
      AlarmDescription:
        'API: p99 integration latency (time the functions take to answer) above 2 seconds in 2 of 3 periods of ' +
        "5 minutes. Look first at the functions' p99 durations and their X-Ray traces, then at table throttles.",
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 2000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      Metrics: [
        metricStat('m1', 'AWS/ApiGateway', 'IntegrationLatency', apiDimensions, 'p99', {
          label: 'Integration latency p99',
          returnData: true,
        }),
      ],
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  test('table read throttles: more than 0 in one period of 5 minutes', () => {
    expect(alarm(built.template, 'Table-ReadThrottles').props).toEqual({
      AlarmName: 'shop-Table-ReadThrottles',
      AlarmDescription:
        'Table: read throttle events above 0 in one period of 5 minutes. On-demand capacity throttles hot partition ' +
        'keys: look first at CloudWatch Contributor Insights for the most-read keys, then spread them.',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        metricStat('m1', 'AWS/DynamoDB', 'ReadThrottleEvents', tableDimensions, 'Sum', {
          label: 'table read throttles',
          returnData: true,
        }),
      ],
    });
  });

  test('table write throttles: more than 0 in one period of 5 minutes', () => {
    expect(alarm(built.template, 'Table-WriteThrottles').props).toEqual({
      AlarmName: 'shop-Table-WriteThrottles',
      AlarmDescription:
        'Table: write throttle events above 0 in one period of 5 minutes. Look first at CloudWatch Contributor ' +
        "Insights for the most-written keys; an index's throttling also throttles the table's writes.",
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        metricStat('m1', 'AWS/DynamoDB', 'WriteThrottleEvents', tableDimensions, 'Sum', {
          label: 'table write throttles',
          returnData: true,
        }),
      ],
    });
  });

  test("an index's read throttles: its own alarm, on the GlobalSecondaryIndexName dimension", () => {
    expect(alarm(built.template, 'Index-byStatus-ReadThrottles').props).toEqual({
      AlarmName: 'shop-Index-byStatus-ReadThrottles',
      AlarmDescription:
        'Index byStatus of the table: read throttle events above 0 in one period of 5 minutes. On-demand capacity ' +
        'throttles hot partition keys: look first at CloudWatch Contributor Insights for the most-read keys, then ' +
        'spread them.',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        metricStat('m1', 'AWS/DynamoDB', 'ReadThrottleEvents', indexDimensions, 'Sum', {
          label: 'byStatus read throttles',
          returnData: true,
        }),
      ],
    });
  });

  test("an index's write throttles: its own alarm, on the GlobalSecondaryIndexName dimension", () => {
    expect(alarm(built.template, 'Index-byStatus-WriteThrottles').props).toEqual({
      AlarmName: 'shop-Index-byStatus-WriteThrottles',
      AlarmDescription:
        'Index byStatus of the table: write throttle events above 0 in one period of 5 minutes. Look first at ' +
        "CloudWatch Contributor Insights for the most-written keys; an index's throttling also throttles the " +
        "table's writes.",
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        metricStat('m1', 'AWS/DynamoDB', 'WriteThrottleEvents', indexDimensions, 'Sum', {
          label: 'byStatus write throttles',
          returnData: true,
        }),
      ],
    });
  });

  test('conditional-check failures are off', () => {
    expect(alarmNames(built.template)).not.toContain('shop-Table-ConditionalCheckFailures');
  });

  test('the function: one metric-math alarm, 1 when its error rate, throttles or p99 duration breaches', () => {
    const fnDimensions = [{ Name: 'FunctionName', Value: ref(functionIds(built.template, 'items').function) }];
    expect(alarm(built.template, 'Function-items').props).toEqual({
      AlarmName: 'shop-Function-items',
      AlarmDescription:
        'Function items: share of invocations failed above 1%, or throttled invocations above 0, or p99 duration ' +
        "above 80% of the 10 seconds timeout in one period of 5 minutes. Look first at the dashboard's function row " +
        "for the signal, then at ERROR lines in the function's log group, by requestId; or concurrent executions " +
        "against the function's reservation or the account's unreserved pool; or slow table calls in its X-Ray " +
        'traces, then its memory size (CPU grows with it).',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        expression(
          'expr_1',
          'IF(FILL(errorRate, 0) > 1 OR FILL(throttles, 0) > 0 OR FILL(durationP99, 0) > 80, 1, 0)',
          'items: 1 when a signal breaches',
          true,
        ),
        expression(
          'errorRate',
          'IF(FILL(invocations_items, 0) > 0, 100 * FILL(errors_items, 0) / FILL(invocations_items, 0), 0)',
          'items error rate (%)',
        ),
        metricStat('errors_items', 'AWS/Lambda', 'Errors', fnDimensions, 'Sum'),
        metricStat('invocations_items', 'AWS/Lambda', 'Invocations', fnDimensions, 'Sum'),
        metricStat('throttles', 'AWS/Lambda', 'Throttles', fnDimensions, 'Sum', { label: 'items throttles' }),
        expression('durationP99', '100 * FILL(duration_items, 0) / 10000', 'items p99 duration (% of timeout)'),
        metricStat('duration_items', 'AWS/Lambda', 'Duration', fnDimensions, 'p99'),
      ],
    });
  });

  test('the function lists its alarm as functions[i].alarms', () => {
    // WHEN
    const arns = built.api.functions[0].alarms.map((a) => built.stack.resolve(a.alarmArn));

    // THEN
    expect(arns).toEqual([getAtt(alarm(built.template, 'Function-items').id)]);
  });
});

describe('the default alarms on the table', () => {
  test('system errors: the sum over exactly the operations the declared access patterns grant', () => {
    // GIVEN only a get pattern (GetItem and BatchGetItem) and a put pattern (PutItem)
    const { template } = buildShop({
      accessPatterns: { getItem: AccessPattern.getItem(ITEM_KEY), putItem: AccessPattern.putItem(ITEM_KEY) },
      functions: { items: fn([route(HttpMethod.GET, '/items/{itemId}')], { accessPatterns: ['getItem', 'putItem'] }) },
    });
    const tableDimensions = [
      { Name: 'TableName', Value: ref(logicalId(template, 'AWS::DynamoDB::GlobalTable', 'ApiTable')) },
    ];
    const operation = (id: string, name: string) =>
      metricStat(id, 'AWS/DynamoDB', 'SystemErrors', [{ Name: 'Operation', Value: name }, ...tableDimensions], 'Sum');

    // THEN
    expect(alarm(template, 'Table-SystemErrors').props).toEqual({
      AlarmName: 'shop-Table-SystemErrors',
      AlarmDescription:
        'Table: DynamoDB system errors (HTTP 500) above 0 in one period of 5 minutes, over GetItem, BatchGetItem, ' +
        'PutItem. The SDK retries them: look first at the AWS Health Dashboard for DynamoDB in the region.',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        expression('expr_1', 'FILL(getitem, 0) + FILL(batchgetitem, 0) + FILL(putitem, 0)', 'System errors', true),
        operation('getitem', 'GetItem'),
        operation('batchgetitem', 'BatchGetItem'),
        operation('putitem', 'PutItem'),
      ],
    });
  });

  test('system errors: every operation the library grants when no access pattern is declared', () => {
    // GIVEN no access pattern
    const { template } = buildShop({ accessPatterns: {}, functions: { orders: orders() } });

    // WHEN
    const { props } = alarm(template, 'Table-SystemErrors');

    // THEN
    expect(returned(props)).toBe(
      'FILL(getitem, 0) + FILL(batchgetitem, 0) + FILL(query, 0) + FILL(putitem, 0) + FILL(updateitem, 0) + ' +
        'FILL(deleteitem, 0) + FILL(scan, 0)',
    );
    expect(props.AlarmDescription).toContain(' over every operation. ');
  });

  test('conditional-check failures, when enabled: more than 10 in one period of 5 minutes, a warning', () => {
    // GIVEN
    const { template } = buildShop({ alarms: { table: { conditionalCheckFailures: { enabled: true } } } });
    const tableDimensions = [
      { Name: 'TableName', Value: ref(logicalId(template, 'AWS::DynamoDB::GlobalTable', 'ApiTable')) },
    ];
    const topic = ref(topicId(template));

    // THEN
    expect(alarm(template, 'Table-ConditionalCheckFailures').props).toEqual({
      AlarmName: 'shop-Table-ConditionalCheckFailures',
      AlarmDescription:
        'Table: conditional writes that failed their condition above 10 in one period of 5 minutes. Look first ' +
        'at which writers race on the same items (409 and 412 responses in the access log, by routeKey).',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 10,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        metricStat('m1', 'AWS/DynamoDB', 'ConditionalCheckFailedRequests', tableDimensions, 'Sum', {
          label: 'Conditional check failures',
          returnData: true,
        }),
      ],
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(ruleAlarmIds(template)).not.toContain(alarm(template, 'Table-ConditionalCheckFailures').id);
  });
});

describe('the default alarm of a function', () => {
  test.each([
    ['its own timeout', { items: items({ timeout: Duration.seconds(3) }) }, {}, 3000, '3 seconds'],
    ['functionDefaults.timeout', { items: items() }, { timeout: Duration.seconds(20) }, 20000, '20 seconds'],
  ])('GIVEN %s THEN p99 duration is a share of that timeout in ms', (_, functions, functionDefaults, ms, human) => {
    // WHEN
    const { template } = buildShop({ functions, functionDefaults });
    const { props } = alarm(template, 'Function-items');

    // THEN
    expect(props.Metrics.find((m: any) => m.Id === 'durationP99').Expression).toBe(
      `100 * FILL(duration_items, 0) / ${ms}`,
    );
    expect(props.AlarmDescription).toContain(`p99 duration above 80% of the ${human} timeout`);
  });

  test('watches peak concurrency against the reservation, only for a function with reservedConcurrentExecutions', () => {
    // GIVEN items reserves 5 executions, orders none
    const { template } = buildShop({
      functions: { items: items({ reservedConcurrentExecutions: 5 }), orders: orders() },
    });
    const fnDimensions = [{ Name: 'FunctionName', Value: ref(functionIds(template, 'items').function) }];

    // WHEN
    const reserved = alarm(template, 'Function-items').props;
    const unreserved = alarm(template, 'Function-orders').props;

    // THEN
    expect(returned(reserved)).toBe(
      'IF(FILL(errorRate, 0) > 1 OR FILL(throttles, 0) > 0 OR FILL(durationP99, 0) > 80 OR FILL(concurrency, 0) > 80, 1, 0)',
    );
    expect(reserved.Metrics.slice(-2)).toEqual([
      expression('concurrency', '100 * FILL(concurrency_items, 0) / 5', 'items concurrency (% of reserved)'),
      metricStat('concurrency_items', 'AWS/Lambda', 'ConcurrentExecutions', fnDimensions, 'Maximum'),
    ]);
    expect(reserved.AlarmDescription).toContain(
      ', or peak concurrency above 80% of its reserved executions in one period of 5 minutes.',
    );
    expect(returned(unreserved)).toBe(
      'IF(FILL(errorRate, 0) > 1 OR FILL(throttles, 0) > 0 OR FILL(durationP99, 0) > 80, 1, 0)',
    );
    expect(unreserved.Metrics.map((m: any) => m.Id)).not.toContain('concurrency');
  });
});

describe('overrides of an alarm', () => {
  test('a percent alarm takes maxPercent, period, evaluationPeriods and datapointsToAlarm', () => {
    // GIVEN
    const { template } = buildShop({
      dashboard: false,
      alarms: {
        api: {
          serverErrorRate: { maxPercent: 5, period: Duration.minutes(1), evaluationPeriods: 4, datapointsToAlarm: 2 },
        },
      },
    });

    // WHEN
    const { props } = alarm(template, 'Api-5xxRate');

    // THEN
    expect(props).toMatchObject({ Threshold: 5, EvaluationPeriods: 4, DatapointsToAlarm: 2 });
    expect(periods(props)).toEqual([60, 60]);
    expect(props.AlarmDescription).toMatch(
      /^API: share of requests answered 5xx above 5% in 2 of 4 periods of 1 minute\. /,
    );
  });

  test('a count alarm takes maxCount, period, evaluationPeriods and datapointsToAlarm, on the table and each index', () => {
    // GIVEN
    const { template } = buildShop({
      alarms: {
        table: {
          readThrottles: { maxCount: 3, period: Duration.minutes(10), evaluationPeriods: 2, datapointsToAlarm: 1 },
        },
      },
    });

    // THEN
    for (const name of ['Table-ReadThrottles', 'Index-byStatus-ReadThrottles']) {
      const { props } = alarm(template, name);
      expect(props).toMatchObject({ Threshold: 3, EvaluationPeriods: 2, DatapointsToAlarm: 1 });
      expect(periods(props)).toEqual([600]);
      expect(props.AlarmDescription).toContain(': read throttle events above 3 in 1 of 2 periods of 10 minutes. ');
    }
    // and the write alarms keep their defaults
    expect(alarm(template, 'Table-WriteThrottles').props).toMatchObject({ Threshold: 0, EvaluationPeriods: 1 });
  });

  test('a latency alarm takes maxLatency (in ms), period, evaluationPeriods and datapointsToAlarm', () => {
    // GIVEN
    const { template } = buildShop({
      alarms: {
        api: {
          latencyP99: {
            maxLatency: Duration.seconds(5),
            period: Duration.minutes(1),
            evaluationPeriods: 5,
            datapointsToAlarm: 4,
          },
        },
      },
    });

    // WHEN
    const { props } = alarm(template, 'Api-LatencyP99');

    // THEN
    expect(props).toMatchObject({ Threshold: 5000, EvaluationPeriods: 5, DatapointsToAlarm: 4 });
    expect(periods(props)).toEqual([60]);
    expect(props.AlarmDescription).toMatch(/^API: p99 latency above 5 seconds in 4 of 5 periods of 1 minute\. /);
  });

  test('the rate alarms may each have their own period with the dashboard on (one graph draws them all)', () => {
    // GIVEN 5xx per minute, 4xx and 429 per 5 minutes
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      ...shopProps({ alarms: { api: { serverErrorRate: { period: Duration.minutes(1) } } } }),
    });

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    expect(periods(alarm(template, 'Api-5xxRate').props)).toEqual([60, 60]);
    expect(periods(alarm(template, 'Api-4xxRate').props)).toEqual([300, 300]);
  });

  test('period alone keeps the default evaluation (2 of 3) of the alarm', () => {
    // GIVEN
    const { template } = buildShop({ alarms: { api: { latencyP99: { period: Duration.minutes(2) } } } });

    // WHEN
    const { props } = alarm(template, 'Api-LatencyP99');

    // THEN
    expect(props).toMatchObject({ Threshold: 3000, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(periods(props)).toEqual([120]);
  });

  test('evaluationPeriods alone makes every period count (datapointsToAlarm = evaluationPeriods)', () => {
    // GIVEN the latency alarm's default is 2 of 3
    const { template } = buildShop({ alarms: { api: { latencyP99: { evaluationPeriods: 5 } } } });

    // THEN
    expect(alarm(template, 'Api-LatencyP99').props).toMatchObject({ EvaluationPeriods: 5, DatapointsToAlarm: 5 });
  });

  test('datapointsToAlarm alone keeps the default evaluationPeriods', () => {
    // GIVEN
    const { template } = buildShop({ alarms: { api: { latencyP99: { datapointsToAlarm: 3 } } } });

    // THEN
    expect(alarm(template, 'Api-LatencyP99').props).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 3 });
  });

  const disabled: [string, AlarmOptions, string[]][] = [
    ['api.serverErrorRate', { api: { serverErrorRate: { enabled: false } } }, ['shop-Api-5xxRate']],
    ['api.clientErrorRate', { api: { clientErrorRate: { enabled: false } } }, ['shop-Api-4xxRate']],
    ['api.throttledRequestRate', { api: { throttledRequestRate: { enabled: false } } }, ['shop-Api-429Rate']],
    ['api.latencyP99', { api: { latencyP99: { enabled: false } } }, ['shop-Api-LatencyP99']],
    [
      'api.integrationLatencyP99',
      { api: { integrationLatencyP99: { enabled: false } } },
      ['shop-Api-IntegrationLatencyP99'],
    ],
    [
      'table.readThrottles',
      { table: { readThrottles: { enabled: false } } },
      ['shop-Table-ReadThrottles', 'shop-Index-byStatus-ReadThrottles'],
    ],
    [
      'table.writeThrottles',
      { table: { writeThrottles: { enabled: false } } },
      ['shop-Table-WriteThrottles', 'shop-Index-byStatus-WriteThrottles'],
    ],
    ['table.systemErrors', { table: { systemErrors: { enabled: false } } }, ['shop-Table-SystemErrors']],
  ];
  test.each(disabled)('GIVEN %s.enabled false THEN exactly its alarms are gone', (_, alarms, gone) => {
    // WHEN
    const { template } = buildShop({ alarms });

    // THEN
    expect(alarmNames(template)).toEqual(DEFAULT_ALARM_NAMES.filter((name) => !gone.includes(name)).sort());
  });
});

describe('overrides of the function alarms', () => {
  test('thresholds of every signal go into the shared alarm', () => {
    // GIVEN
    const { template } = buildShop({
      functions: { items: items({ reservedConcurrentExecutions: 5 }) },
      alarms: {
        functions: {
          errorRate: { maxPercent: 5 },
          throttles: { maxCount: 2 },
          durationP99: { maxPercent: 50 },
          concurrency: { maxPercent: 90 },
        },
      },
    });

    // THEN
    expect(returned(alarm(template, 'Function-items').props)).toBe(
      'IF(FILL(errorRate, 0) > 5 OR FILL(throttles, 0) > 2 OR FILL(durationP99, 0) > 50 OR FILL(concurrency, 0) > 90, 1, 0)',
    );
  });

  test.each([
    ['errorRate', 'IF(FILL(throttles, 0) > 0 OR FILL(durationP99, 0) > 80 OR FILL(concurrency, 0) > 80, 1, 0)'],
    ['throttles', 'IF(FILL(errorRate, 0) > 1 OR FILL(durationP99, 0) > 80 OR FILL(concurrency, 0) > 80, 1, 0)'],
    ['durationP99', 'IF(FILL(errorRate, 0) > 1 OR FILL(throttles, 0) > 0 OR FILL(concurrency, 0) > 80, 1, 0)'],
    ['concurrency', 'IF(FILL(errorRate, 0) > 1 OR FILL(throttles, 0) > 0 OR FILL(durationP99, 0) > 80, 1, 0)'],
  ])('GIVEN %s.enabled false THEN the shared alarm leaves that signal out', (signal, expected) => {
    // GIVEN
    const { template } = buildShop({
      functions: { items: items({ reservedConcurrentExecutions: 5 }) },
      alarms: { functions: { [signal]: { enabled: false } } },
    });

    // WHEN
    const { props } = alarm(template, 'Function-items');

    // THEN
    expect(returned(props)).toBe(expected);
    expect(props.Metrics.map((m: any) => m.Id)).not.toContain(signal);
  });

  test('with every signal disabled a function has no alarm', () => {
    // GIVEN
    const { template, api } = buildShop({
      alarms: {
        functions: { errorRate: { enabled: false }, throttles: { enabled: false }, durationP99: { enabled: false } },
      },
    });

    // THEN
    expect(alarmNames(template)).toEqual(DEFAULT_ALARM_NAMES.filter((name) => name !== 'shop-Function-items').sort());
    expect(api.functions[0].alarms).toEqual([]);
  });

  test("a function's own alarms win field by field; other fields and signals keep the API-wide values", () => {
    // GIVEN API-wide thresholds, and items overriding some of their fields
    const { template } = buildShop({
      functions: {
        items: items({
          alarms: { throttles: { maxCount: 1 }, durationP99: { enabled: true } },
        }),
        orders: orders(),
      },
      alarms: {
        functions: {
          errorRate: { maxPercent: 5 },
          throttles: { maxCount: 3 },
          durationP99: { maxPercent: 90, enabled: false },
        },
      },
    });

    // THEN items: its own throttles and durationP99.enabled, the API-wide error rate and durationP99.maxPercent
    expect(returned(alarm(template, 'Function-items').props)).toBe(
      'IF(FILL(errorRate, 0) > 5 OR FILL(throttles, 0) > 1 OR FILL(durationP99, 0) > 90, 1, 0)',
    );
    // and orders has the API-wide values only
    expect(returned(alarm(template, 'Function-orders').props)).toBe(
      'IF(FILL(errorRate, 0) > 5 OR FILL(throttles, 0) > 3, 1, 0)',
    );
  });

  test('evaluation sets the period and evaluation of the shared alarm and of every metric in it', () => {
    // GIVEN
    const { template } = buildShop({
      functions: { items: items({ reservedConcurrentExecutions: 5 }) },
      alarms: {
        functions: { evaluation: { period: Duration.minutes(1), evaluationPeriods: 5, datapointsToAlarm: 3 } },
      },
    });

    // WHEN
    const { props } = alarm(template, 'Function-items');

    // THEN
    expect(props).toMatchObject({ Threshold: 0, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    expect(periods(props)).toEqual([60, 60, 60, 60, 60]);
    expect(props.AlarmDescription).toContain(' in 3 of 5 periods of 1 minute. ');
  });

  test("a function's own evaluation wins field by field over the API-wide one", () => {
    // GIVEN
    const { template } = buildShop({
      functions: {
        items: items({ alarms: { evaluation: { period: Duration.minutes(1), evaluationPeriods: 3 } } }),
        orders: orders(),
      },
      alarms: { functions: { evaluation: { evaluationPeriods: 4, datapointsToAlarm: 2 } } },
    });

    // WHEN
    const own = alarm(template, 'Function-items').props;
    const apiWide = alarm(template, 'Function-orders').props;

    // THEN items: its own period and evaluationPeriods, the API-wide datapointsToAlarm
    expect(own).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(periods(own)).toEqual([60, 60, 60, 60]);
    expect(apiWide).toMatchObject({ EvaluationPeriods: 4, DatapointsToAlarm: 2 });
    expect(periods(apiWide)).toEqual([300, 300, 300, 300]);
  });
});

describe('separate function alarms', () => {
  let built: BuiltApi;
  let fnDimensions: object[];
  beforeAll(() => {
    // GIVEN separateAlarms API-wide, a reservation, and an evaluation of its own for the error rate
    built = buildShop({
      functions: { items: items({ reservedConcurrentExecutions: 5 }) },
      alarms: {
        functions: {
          separateAlarms: true,
          errorRate: { period: Duration.minutes(1), evaluationPeriods: 3, datapointsToAlarm: 2 },
        },
      },
    });
    fnDimensions = [{ Name: 'FunctionName', Value: ref(functionIds(built.template, 'items').function) }];
  });

  test('one alarm per signal, named <apiName>-Function-<name>-<signal>, and no shared alarm', () => {
    // THEN
    expect(alarmNames(built.template).filter((name) => name.startsWith('shop-Function-'))).toEqual([
      'shop-Function-items-Concurrency',
      'shop-Function-items-DurationP99',
      'shop-Function-items-ErrorRate',
      'shop-Function-items-Throttles',
    ]);
    expect(built.api.functions[0].alarms.map((a) => built.stack.resolve(a.alarmArn))).toEqual(
      ['ErrorRate', 'Throttles', 'DurationP99', 'Concurrency'].map((s) =>
        getAtt(alarm(built.template, `Function-items-${s}`).id),
      ),
    );
  });

  test('the error rate alarm has its own evaluation', () => {
    expect(alarm(built.template, 'Function-items-ErrorRate').props).toEqual({
      AlarmName: 'shop-Function-items-ErrorRate',
      AlarmDescription:
        'Function items: share of invocations failed above 1% in 2 of 3 periods of 1 minute. Look first at ERROR ' +
        "lines in the function's log group, by requestId.",
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      Metrics: [
        expression(
          'expr_1',
          'IF(FILL(invocations_items, 0) > 0, 100 * FILL(errors_items, 0) / FILL(invocations_items, 0), 0)',
          'items error rate (%)',
          true,
        ),
        metricStat('errors_items', 'AWS/Lambda', 'Errors', fnDimensions, 'Sum', { period: 60 }),
        metricStat('invocations_items', 'AWS/Lambda', 'Invocations', fnDimensions, 'Sum', { period: 60 }),
      ],
    });
  });

  test('throttles: more than 0 in one period of 5 minutes', () => {
    expect(alarm(built.template, 'Function-items-Throttles').props).toMatchObject({
      Threshold: 0,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Metrics: [
        metricStat('m1', 'AWS/Lambda', 'Throttles', fnDimensions, 'Sum', {
          label: 'items throttles',
          returnData: true,
        }),
      ],
    });
  });

  test('p99 duration keeps its default evaluation, 2 of 3 periods of 5 minutes', () => {
    // WHEN
    const { props } = alarm(built.template, 'Function-items-DurationP99');

    // THEN
    expect(props).toMatchObject({ Threshold: 80, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(returned(props)).toBe('100 * FILL(duration_items, 0) / 10000');
    expect(periods(props)).toEqual([300]);
  });

  test('concurrency: above 80% of the reservation in one period of 5 minutes', () => {
    // WHEN
    const { props } = alarm(built.template, 'Function-items-Concurrency');

    // THEN
    expect(props).toMatchObject({ Threshold: 80, EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    expect(returned(props)).toBe('100 * FILL(concurrency_items, 0) / 5');
  });

  test('every one of them rolls up into the composite alarm', () => {
    // THEN
    expect(ruleAlarmIds(built.template)).toEqual(
      expect.arrayContaining(
        ['ErrorRate', 'Throttles', 'DurationP99', 'Concurrency'].map(
          (s) => alarm(built.template, `Function-items-${s}`).id,
        ),
      ),
    );
  });

  test("a function's own separateAlarms leaves the other functions on a shared alarm", () => {
    // GIVEN
    const { template } = buildShop({
      functions: { items: items({ alarms: { separateAlarms: true } }), orders: orders() },
    });

    // THEN
    expect(alarmNames(template).filter((name) => name.startsWith('shop-Function-'))).toEqual([
      'shop-Function-items-DurationP99',
      'shop-Function-items-ErrorRate',
      'shop-Function-items-Throttles',
      'shop-Function-orders',
    ]);
  });
});

describe('the composite alarm', () => {
  let built: BuiltApi;
  beforeAll(() => {
    // GIVEN the defaults
    built = buildShop();
  });

  test('is <apiName>-Unhealthy, any of exactly the critical alarms, and alone notifies the topic for them', () => {
    // GIVEN
    const topic = ref(topicId(built.template));
    const critical = [
      'Api-5xxRate',
      'Api-LatencyP99',
      'Table-ReadThrottles',
      'Table-WriteThrottles',
      'Index-byStatus-ReadThrottles',
      'Index-byStatus-WriteThrottles',
      'Table-SystemErrors',
      'Function-items',
    ].map((name) => alarm(built.template, name).id);

    // THEN
    expect(composite(built.template)).toEqual({
      AlarmName: 'shop-Unhealthy',
      AlarmDescription:
        'API shop is unhealthy: one of its critical alarms (5xx rate, latency, a function, an authorizer or a worker, ' +
        'a queue, table throttles or system errors, the 429 rate when made critical) is in ALARM. Look first at the ' +
        'alarm status row of its dashboard.',
      AlarmRule: anyOfRule(critical),
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  test('leaves the warnings out: they notify on their own', () => {
    // WHEN
    const rule = ruleAlarmIds(built.template);

    // THEN
    for (const warning of ['Api-4xxRate', 'Api-429Rate', 'Api-IntegrationLatencyP99']) {
      expect(rule).not.toContain(alarm(built.template, warning).id);
      expect(alarm(built.template, warning).props.AlarmActions).toEqual([ref(topicId(built.template))]);
    }
  });

  test('is api.unhealthyAlarm, and the created topic is api.alarmTopic', () => {
    // WHEN
    const unhealthy = built.stack.resolve(built.api.unhealthyAlarm!.alarmArn);
    const topic = built.stack.resolve(built.api.alarmTopic!.topicArn);

    // THEN
    expect(unhealthy).toEqual(getAtt(logicalId(built.template, COMPOSITE, 'ApiMonitoringUnhealthy')));
    expect(topic).toEqual(ref(topicId(built.template)));
  });

  test('rolls up the alarm of a function added later with addFunction()', () => {
    // GIVEN
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...shopProps() });

    // WHEN
    api.addFunction('late', fn([route(HttpMethod.GET, '/late')]));
    const template = Template.fromStack(stack);

    // THEN
    expect(ruleAlarmIds(template).slice(-2)).toEqual([
      alarm(template, 'Function-items').id,
      alarm(template, 'Function-late').id,
    ]);
  });

  test('fails synth, naming the fix, when every critical alarm is disabled', () => {
    // GIVEN every critical alarm off, the warnings on
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      ...shopProps({
        alarms: {
          api: {
            serverErrorRate: { enabled: false },
            throttledRequestRate: { enabled: false },
            latencyP99: { enabled: false },
          },
          table: {
            readThrottles: { enabled: false },
            writeThrottles: { enabled: false },
            systemErrors: { enabled: false },
          },
          functions: { errorRate: { enabled: false }, throttles: { enabled: false }, durationP99: { enabled: false } },
        },
      }),
    });

    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      new Error(
        'Validation failed with the following errors:\n  [Test/Api/Monitoring/Unhealthy] `alarms.compositeAlarm` ' +
          'must have a critical alarm to roll up (all are disabled): set `compositeAlarm: false`, got: true',
      ),
    );
  });
});

describe('alarm actions', () => {
  test('okActions false: the composite alarm and the warnings notify on ALARM only', () => {
    // GIVEN
    const { template } = buildShop({ alarms: { okActions: false } });
    const topic = ref(topicId(template));

    // THEN
    for (const props of [composite(template), alarm(template, 'Api-4xxRate').props]) {
      expect(props.AlarmActions).toEqual([topic]);
      expect(props.OKActions).toBeUndefined();
      expect(props.InsufficientDataActions).toBeUndefined();
    }
  });

  test('insufficientDataActions true: the composite alarm and the warnings notify on INSUFFICIENT_DATA too', () => {
    // GIVEN
    const { template } = buildShop({ alarms: { insufficientDataActions: true } });
    const topic = ref(topicId(template));

    // THEN
    for (const props of [composite(template), alarm(template, 'Api-IntegrationLatencyP99').props]) {
      expect(props.AlarmActions).toEqual([topic]);
      expect(props.OKActions).toEqual([topic]);
      expect(props.InsufficientDataActions).toEqual([topic]);
    }
    expect(alarm(template, 'Api-5xxRate').props.InsufficientDataActions).toBeUndefined();
  });

  test('actions run after the topic, on the composite alarm and the warnings', () => {
    // GIVEN
    const stack = newStack();
    const oncall = new sns.Topic(stack, 'Oncall');

    // WHEN
    const { template } = buildApi(shopProps({ alarms: { actions: [new cloudwatchActions.SnsAction(oncall)] } }), stack);

    // THEN
    const expected = [ref(topicId(template)), ref(logicalId(template, 'AWS::SNS::Topic', 'Oncall'))];
    for (const props of [composite(template), alarm(template, 'Api-4xxRate').props]) {
      expect(props.AlarmActions).toEqual(expected);
      expect(props.OKActions).toEqual(expected);
    }
    expect(alarm(template, 'Api-5xxRate').props.AlarmActions).toBeUndefined();
  });

  test('compositeAlarm false: no composite alarm, and every alarm notifies the topic', () => {
    // GIVEN
    const { template, api } = buildShop({ alarms: { compositeAlarm: false } });
    const topic = ref(topicId(template));

    // THEN
    template.resourceCountIs(COMPOSITE, 0);
    expect(api.unhealthyAlarm).toBeUndefined();
    const alarms = Object.values(template.findResources(ALARM));
    expect(alarms).toHaveLength(DEFAULT_ALARM_NAMES.length);
    for (const { Properties: props } of alarms) {
      expect({ name: props.AlarmName, alarm: props.AlarmActions, ok: props.OKActions }).toEqual({
        name: props.AlarmName,
        alarm: [topic],
        ok: [topic],
      });
    }
  });

  test('compositeAlarm false: synthesizes with every critical alarm disabled', () => {
    // GIVEN
    const { template } = buildShop({
      alarms: {
        compositeAlarm: false,
        api: {
          serverErrorRate: { enabled: false },
          throttledRequestRate: { enabled: false },
          latencyP99: { enabled: false },
        },
        table: {
          readThrottles: { enabled: false },
          writeThrottles: { enabled: false },
          systemErrors: { enabled: false },
        },
        functions: { errorRate: { enabled: false }, throttles: { enabled: false }, durationP99: { enabled: false } },
      },
    });

    // THEN only the warnings remain
    expect(alarmNames(template)).toEqual(['shop-Api-4xxRate', 'shop-Api-IntegrationLatencyP99']);
  });

  test('topic given: no topic or key is created, and the alarms notify that topic', () => {
    // GIVEN
    const stack = newStack();
    const oncall = new sns.Topic(stack, 'Oncall');

    // WHEN
    const { template, api } = buildApi(shopProps({ alarms: { topic: oncall } }), stack);

    // THEN
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(api.alarmTopic).toBe(oncall);
    const oncallRef = ref(logicalId(template, 'AWS::SNS::Topic', 'Oncall'));
    expect(composite(template).AlarmActions).toEqual([oncallRef]);
    expect(alarm(template, 'Api-4xxRate').props.AlarmActions).toEqual([oncallRef]);
  });

  test('enabled false: no alarm, no composite alarm, no topic, no key', () => {
    // GIVEN
    const { template, api } = buildShop({ alarms: { enabled: false } });

    // THEN
    template.resourceCountIs(ALARM, 0);
    template.resourceCountIs(COMPOSITE, 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(api.alarms).toEqual([]);
    expect(api.alarmTopic).toBeUndefined();
    expect(api.unhealthyAlarm).toBeUndefined();
    expect(api.functions[0].alarms).toEqual([]);
  });
});

describe('the created alarm topic', () => {
  let template: Template;
  let keyId: string;
  let topic: string;
  const sourceConditions = {
    StringEquals: { 'aws:SourceAccount': ENV.account },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${ENV.region}:${ENV.account}:alarm:shop-*`]],
      },
    },
  };
  beforeAll(() => {
    // GIVEN a stack with an account and a region
    template = buildApi(shopProps(), newStack({ env: ENV })).template;
    keyId = logicalId(template, 'AWS::KMS::Key', 'ApiMonitoringAlarmTopicKey');
    topic = topicId(template);
  });

  test('is encrypted with its own rotated KMS key', () => {
    const key = resources(template)[keyId];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(resources(template)[topic].Properties.KmsMasterKeyId).toEqual(getAtt(keyId));
  });

  test("whose key lets CloudWatch in only for this API's alarms", () => {
    const statements = resources(template)[keyId].Properties.KeyPolicy.Statement;
    expect(statements.filter((s: any) => s.Principal.Service)).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: sourceConditions,
      },
    ]);
  });

  test('whose key lets only AWS services, for the resources they run on it, create grants', () => {
    const statements = resources(template)[keyId].Properties.KeyPolicy.Statement;
    expect(statements.filter((s: any) => s.Effect === 'Deny')).toEqual([GRANTS_ONLY_FOR_AWS_SERVICES]);
  });

  test("denies publishing without TLS and lets CloudWatch publish only for this API's alarms", () => {
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policy).toHaveLength(1);
    expect(policy[0].Properties.Topics).toEqual([ref(topic)]);
    expect(policy[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: ref(topic),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: '1',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: ref(topic),
        Condition: sourceConditions,
      },
    ]);
  });
});

describe('the 429 metric filter', () => {
  test('counts the access log lines answered 429 into ServerlessApi/ThrottledRequests by ApiId', () => {
    // GIVEN
    const { template } = buildShop();

    // THEN
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter'));
    expect(filters).toHaveLength(1);
    expect(filters[0].Properties).toEqual({
      LogGroupName: ref(logicalId(template, 'AWS::Logs::LogGroup', 'ApiAccessLogs')),
      FilterPattern: THROTTLED_REQUESTS_FILTER_PATTERN,
      MetricTransformations: [
        {
          MetricNamespace: 'ServerlessApi',
          MetricName: 'ThrottledRequests',
          MetricValue: '1',
          Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
        },
      ],
    });
  });

  test('exists with alarms off, since metricThrottledRequests() reads it', () => {
    // GIVEN
    const { template } = buildShop({ alarms: { enabled: false }, dashboard: false });

    // THEN
    template.resourceCountIs('AWS::Logs::MetricFilter', 1);
  });
});
