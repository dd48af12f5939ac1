import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AccessPattern, IApiFunction, ServerlessApi, ServerlessApiProps } from '../../src';
import {
  buildApi,
  BuiltApi,
  defaultProps,
  fn,
  functionIds,
  logicalId,
  newStack,
  ref,
  resources,
  route,
} from '../helpers/api';

/**
 * An API with an index (`byStatus`, created for a Query access pattern) and two functions: `orders` with the
 * defaults, `reports` with a 5-second timeout and 10 reserved executions.
 */
function ordersProps(): Partial<ServerlessApiProps> {
  return {
    apiName: 'orders',
    accessPatterns: {
      getOrder: AccessPattern.getItem({ partitionKey: 'ORDER#{orderId}', sortKey: 'ORDER' }),
      putOrder: AccessPattern.putItem({ partitionKey: 'ORDER#{orderId}', sortKey: 'ORDER' }),
      ordersByStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
    },
    functions: {
      orders: fn([route(HttpMethod.GET, '/orders/{orderId}')], { accessPatterns: ['getOrder', 'putOrder'] }),
      reports: fn([route(HttpMethod.GET, '/reports/{status}')], {
        accessPatterns: ['ordersByStatus'],
        timeout: Duration.seconds(5),
        reservedConcurrentExecutions: 10,
      }),
    },
  };
}

/** A metric as plain values, its dimensions resolved in the API's stack. */
function summary(built: BuiltApi, metric: cloudwatch.Metric) {
  return {
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: built.stack.resolve(metric.dimensions),
    statistic: metric.statistic,
    periodSeconds: metric.period.toSeconds(),
    label: metric.label,
  };
}

/** A metric-math expression as plain values, with the metrics it uses. */
function expressionSummary(built: BuiltApi, expression: cloudwatch.MathExpression) {
  return {
    expression: expression.expression,
    label: expression.label,
    periodSeconds: expression.period.toSeconds(),
    usingMetrics: Object.fromEntries(
      Object.entries(expression.usingMetrics).map(([id, m]) => [id, summary(built, m as cloudwatch.Metric)]),
    ),
  };
}

function fnNamed(api: ServerlessApi, name: string): IApiFunction {
  return api.functions.find((f) => f.name === name)!;
}

type MetricMethod = (api: ServerlessApi, props?: cloudwatch.MetricOptions) => cloudwatch.Metric;
type ExpressionMethod = (api: ServerlessApi, props?: cloudwatch.MathExpressionOptions) => cloudwatch.MathExpression;

const METRIC_METHODS: [string, MetricMethod][] = [
  ['metricRequests', (api, props) => api.metricRequests(props)],
  ['metricServerErrors', (api, props) => api.metricServerErrors(props)],
  ['metricClientErrors', (api, props) => api.metricClientErrors(props)],
  ['metricThrottledRequests', (api, props) => api.metricThrottledRequests(props)],
  ['metricLatency', (api, props) => api.metricLatency(props)],
  ['metricIntegrationLatency', (api, props) => api.metricIntegrationLatency(props)],
  ['metricTableReadThrottleEvents', (api, props) => api.metricTableReadThrottleEvents(props)],
  [
    'metricTableReadThrottleEvents({ indexName })',
    (api, props) => api.metricTableReadThrottleEvents({ indexName: 'byStatus', ...props }),
  ],
  ['metricTableWriteThrottleEvents', (api, props) => api.metricTableWriteThrottleEvents(props)],
  [
    'metricTableWriteThrottleEvents({ indexName })',
    (api, props) => api.metricTableWriteThrottleEvents({ indexName: 'byStatus', ...props }),
  ],
  ['metricTableConditionalCheckFailures', (api, props) => api.metricTableConditionalCheckFailures(props)],
];

const EXPRESSION_METHODS: [string, ExpressionMethod][] = [
  ['metricServerErrorRate', (api, props) => api.metricServerErrorRate(props)],
  ['metricClientErrorRate', (api, props) => api.metricClientErrorRate(props)],
  ['metricThrottledRequestRate', (api, props) => api.metricThrottledRequestRate(props)],
  ['metricTableSystemErrors', (api, props) => api.metricTableSystemErrors(props)],
  ['fn.metricErrorRate', (api, props) => fnNamed(api, 'reports').metricErrorRate(props)],
  ['fn.metricDurationP99Percent', (api, props) => fnNamed(api, 'reports').metricDurationP99Percent(props)],
  ['fn.metricConcurrencyPercent', (api, props) => fnNamed(api, 'reports').metricConcurrencyPercent(props)!],
];

let built: BuiltApi;
let apiId: { Ref: string };
let tableName: { Ref: string };
beforeAll(() => {
  built = buildApi(ordersProps());
  apiId = ref(logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi'));
  tableName = ref(logicalId(built.template, 'AWS::DynamoDB::GlobalTable', 'ApiTable'));
});

describe('the API metrics', () => {
  test.each([
    ['metricRequests', 'AWS/ApiGateway', 'Count', 'Sum', 'Requests'],
    ['metricServerErrors', 'AWS/ApiGateway', '5xx', 'Sum', '5xx'],
    ['metricClientErrors', 'AWS/ApiGateway', '4xx', 'Sum', '4xx'],
    ['metricThrottledRequests', 'ServerlessApi', 'ThrottledRequests', 'Sum', '429'],
    ['metricLatency', 'AWS/ApiGateway', 'Latency', 'p99', 'Latency p99'],
    ['metricIntegrationLatency', 'AWS/ApiGateway', 'IntegrationLatency', 'p99', 'Integration latency p99'],
  ])('%s() is %s %s of the API, %s per 5 minutes', (method, namespace, metricName, statistic, label) => {
    // WHEN
    const metric = METRIC_METHODS.find(([name]) => name === method)![1](built.api);

    // THEN
    expect(summary(built, metric)).toEqual({
      namespace,
      metricName,
      dimensions: { ApiId: apiId },
      statistic,
      periodSeconds: 300,
      label,
    });
  });

  test('metricThrottledRequests() is the metric the access-log filter publishes', () => {
    // WHEN
    const metric = built.api.metricThrottledRequests();

    // THEN
    const filter = Object.values(built.template.findResources('AWS::Logs::MetricFilter'));
    expect(filter).toHaveLength(1);
    expect(filter[0].Properties.MetricTransformations).toEqual([
      expect.objectContaining({
        MetricNamespace: metric.namespace,
        MetricName: metric.metricName,
        Dimensions: [{ Key: Object.keys(metric.dimensions!)[0], Value: '$.apiId' }],
      }),
    ]);
  });

  test.each([
    ['metricServerErrorRate', 'serverErrors', 'requests_5xx', 'AWS/ApiGateway', '5xx', '5xx', '5xx rate (%)'],
    ['metricClientErrorRate', 'clientErrors', 'requests_4xx', 'AWS/ApiGateway', '4xx', '4xx', '4xx rate (%)'],
    [
      'metricThrottledRequestRate',
      'throttled',
      'requests_429',
      'ServerlessApi',
      'ThrottledRequests',
      '429',
      '429 rate (%)',
    ],
  ])(
    '%s() is 100 * %s / %s per 5 minutes, 0 without requests',
    (method, id, requestsId, namespace, metricName, partLabel, label) => {
      // WHEN
      const expression = EXPRESSION_METHODS.find(([name]) => name === method)![1](built.api);

      // THEN
      const sum = (ns: string, name: string, metricLabel: string) => ({
        namespace: ns,
        metricName: name,
        dimensions: { ApiId: apiId },
        statistic: 'Sum',
        periodSeconds: 300,
        label: metricLabel,
      });
      expect(expressionSummary(built, expression)).toEqual({
        expression: `IF(FILL(${requestsId}, 0) > 0, 100 * FILL(${id}, 0) / FILL(${requestsId}, 0), 0)`,
        label,
        periodSeconds: 300,
        usingMetrics: {
          [id]: sum(namespace, metricName, partLabel),
          [requestsId]: sum('AWS/ApiGateway', 'Count', 'Requests'),
        },
      });
    },
  );

  test('GIVEN the three rates with three different periods WHEN drawn on one graph THEN the graph renders each with its period', () => {
    // GIVEN
    const rates = [
      built.api.metricServerErrorRate(),
      built.api.metricClientErrorRate({ period: Duration.minutes(15) }),
      built.api.metricThrottledRequestRate({ period: Duration.minutes(1) }),
    ];

    // WHEN
    const widget = new cloudwatch.GraphWidget({ left: rates });
    const rows: any[][] = built.stack.resolve(widget.toJson())[0].properties.metrics;

    // THEN every hidden metric has an id of its own, with the period of its rate
    const hidden = rows.filter((row) => row[row.length - 1].visible === false).map((row) => row[row.length - 1]);
    expect(Object.fromEntries(hidden.map((options) => [options.id, options.period ?? 300]))).toEqual({
      serverErrors: 300,
      requests_5xx: 300,
      clientErrors: 900,
      requests_4xx: 900,
      throttled: 60,
      requests_429: 60,
    });
    expect(hidden).toHaveLength(6);
  });
});

describe('the table metrics', () => {
  test.each([
    ['metricTableReadThrottleEvents', 'ReadThrottleEvents', undefined, 'table read throttles'],
    ['metricTableReadThrottleEvents({ indexName })', 'ReadThrottleEvents', 'byStatus', 'byStatus read throttles'],
    ['metricTableWriteThrottleEvents', 'WriteThrottleEvents', undefined, 'table write throttles'],
    ['metricTableWriteThrottleEvents({ indexName })', 'WriteThrottleEvents', 'byStatus', 'byStatus write throttles'],
    ['metricTableConditionalCheckFailures', 'ConditionalCheckFailedRequests', undefined, 'Conditional check failures'],
  ])('%s is AWS/DynamoDB %s of the table (index: %s), Sum per 5 minutes', (method, metricName, indexName, label) => {
    // WHEN
    const metric = METRIC_METHODS.find(([name]) => name === method)![1](built.api);

    // THEN
    expect(summary(built, metric)).toEqual({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensions: indexName ? { TableName: tableName, GlobalSecondaryIndexName: indexName } : { TableName: tableName },
      statistic: 'Sum',
      periodSeconds: 300,
      label,
    });
  });

  test('metricTableSystemErrors() sums SystemErrors over the operations of the access patterns, per 5 minutes', () => {
    // WHEN
    const expression = built.api.metricTableSystemErrors();

    // THEN
    const operations = ['GetItem', 'BatchGetItem', 'Query', 'PutItem'];
    expect(expressionSummary(built, expression)).toEqual({
      expression: 'FILL(getitem, 0) + FILL(batchgetitem, 0) + FILL(query, 0) + FILL(putitem, 0)',
      label: 'System errors',
      periodSeconds: 300,
      usingMetrics: Object.fromEntries(
        operations.map((operation) => [
          operation.toLowerCase(),
          {
            namespace: 'AWS/DynamoDB',
            metricName: 'SystemErrors',
            dimensions: { TableName: tableName, Operation: operation },
            statistic: 'Sum',
            periodSeconds: 300,
            label: undefined,
          },
        ]),
      ),
    });
  });
});

describe('the function metrics', () => {
  const lambdaMetric = (functionName: unknown, metricName: string, statistic: string) => ({
    namespace: 'AWS/Lambda',
    metricName,
    dimensions: { FunctionName: functionName },
    statistic,
    periodSeconds: 300,
    label: undefined,
  });

  test('metricErrorRate() is 100 * Errors / Invocations of the function per 5 minutes, 0 without invocations', () => {
    // WHEN
    const expression = fnNamed(built.api, 'reports').metricErrorRate();

    // THEN
    const functionName = ref(functionIds(built.template, 'reports').function);
    expect(expressionSummary(built, expression)).toEqual({
      expression:
        'IF(FILL(invocations_reports, 0) > 0, 100 * FILL(errors_reports, 0) / FILL(invocations_reports, 0), 0)',
      label: 'reports error rate (%)',
      periodSeconds: 300,
      usingMetrics: {
        errors_reports: lambdaMetric(functionName, 'Errors', 'Sum'),
        invocations_reports: lambdaMetric(functionName, 'Invocations', 'Sum'),
      },
    });
  });

  test.each([
    ['orders', 10000],
    ['reports', 5000],
  ])('metricDurationP99Percent() of %s is its p99 Duration per 5 minutes over its timeout of %d ms', (name, ms) => {
    // WHEN
    const expression = fnNamed(built.api, name).metricDurationP99Percent();

    // THEN
    const functionName = ref(functionIds(built.template, name).function);
    expect(expressionSummary(built, expression)).toEqual({
      expression: `100 * FILL(duration_${name}, 0) / ${ms}`,
      label: `${name} p99 duration (% of timeout)`,
      periodSeconds: 300,
      usingMetrics: { [`duration_${name}`]: lambdaMetric(functionName, 'Duration', 'p99') },
    });
  });

  test('metricConcurrencyPercent() is the peak ConcurrentExecutions per 5 minutes over the reservation', () => {
    // WHEN
    const expression = fnNamed(built.api, 'reports').metricConcurrencyPercent();

    // THEN
    const functionName = ref(functionIds(built.template, 'reports').function);
    expect(expression).toBeDefined();
    expect(expressionSummary(built, expression!)).toEqual({
      expression: '100 * FILL(concurrency_reports, 0) / 10',
      label: 'reports concurrency (% of reserved)',
      periodSeconds: 300,
      usingMetrics: { concurrency_reports: lambdaMetric(functionName, 'ConcurrentExecutions', 'Maximum') },
    });
  });

  test('metricConcurrencyPercent() is undefined for a function without reserved concurrency', () => {
    expect(fnNamed(built.api, 'orders').metricConcurrencyPercent()).toBeUndefined();
  });

  test('a function added with addFunction() has the same metrics', () => {
    // GIVEN
    const api = new ServerlessApi(newStack(), 'Api', { ...defaultProps(), ...ordersProps() });
    const late = api.addFunction('late', fn([route(HttpMethod.GET, '/late')]));

    // WHEN
    const expression = late.metricErrorRate();

    // THEN
    expect(expression.label).toBe('late error rate (%)');
    expect(Object.keys(expression.usingMetrics)).toEqual(['errors_late', 'invocations_late']);
  });
});

describe("the caller's options win", () => {
  test.each(METRIC_METHODS)('%s: period, statistic and label', (_, method) => {
    // GIVEN
    const defaults = method(built.api);

    // WHEN
    const metric = method(built.api, { period: Duration.minutes(1), statistic: 'Average', label: 'mine' });

    // THEN
    expect(summary(built, metric)).toEqual({
      ...summary(built, defaults),
      periodSeconds: 60,
      statistic: 'Average',
      label: 'mine',
    });
  });

  test.each(EXPRESSION_METHODS)('%s: period, for the metrics it uses too, and label', (_, method) => {
    // GIVEN
    const defaults = expressionSummary(built, method(built.api));

    // WHEN
    const expression = method(built.api, { period: Duration.minutes(15), label: 'mine' });

    // THEN
    expect(expressionSummary(built, expression)).toEqual({
      ...defaults,
      periodSeconds: 900,
      label: 'mine',
      usingMetrics: Object.fromEntries(
        Object.entries(defaults.usingMetrics).map(([id, m]) => [id, { ...m, periodSeconds: 900 }]),
      ),
    });
  });
});

describe('the metrics in the hands of the user', () => {
  let user: BuiltApi;
  beforeAll(() => {
    // GIVEN an API, and alarms of the user's own in the API's stack
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...ordersProps() });
    api.metricThrottledRequestRate().createAlarm(stack, 'MyThrottling', { threshold: 5, evaluationPeriods: 2 });
    api
      .metricTableReadThrottleEvents({ indexName: 'byStatus', period: Duration.minutes(1) })
      .createAlarm(stack, 'MyIndexThrottling', { threshold: 3, evaluationPeriods: 1 });
    fnNamed(api, 'reports')
      .metricConcurrencyPercent()!
      .createAlarm(stack, 'MyReportsConcurrency', { threshold: 50, evaluationPeriods: 1 });

    // WHEN
    user = { stack, api, template: Template.fromStack(stack) };
  });

  const alarm = (prefix: string) =>
    resources(user.template)[logicalId(user.template, 'AWS::CloudWatch::Alarm', prefix)];

  test('an alarm on metricThrottledRequestRate() watches the 429 rate of the API', () => {
    const props = alarm('MyThrottling').Properties;
    const apiGatewayId = ref(logicalId(user.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi'));
    expect([props.Threshold, props.EvaluationPeriods, props.ComparisonOperator]).toEqual([
      5,
      2,
      'GreaterThanOrEqualToThreshold',
    ]);
    expect(props.Metrics).toEqual([
      {
        Id: 'expr_1',
        Expression: 'IF(FILL(requests_429, 0) > 0, 100 * FILL(throttled, 0) / FILL(requests_429, 0), 0)',
        Label: '429 rate (%)',
        ReturnData: true,
      },
      {
        Id: 'throttled',
        Label: '429',
        MetricStat: {
          Metric: {
            Namespace: 'ServerlessApi',
            MetricName: 'ThrottledRequests',
            Dimensions: [{ Name: 'ApiId', Value: apiGatewayId }],
          },
          Period: 300,
          Stat: 'Sum',
        },
        ReturnData: false,
      },
      {
        Id: 'requests_429',
        Label: 'Requests',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApiGateway',
            MetricName: 'Count',
            Dimensions: [{ Name: 'ApiId', Value: apiGatewayId }],
          },
          Period: 300,
          Stat: 'Sum',
        },
        ReturnData: false,
      },
    ]);
  });

  test('an alarm on metricTableReadThrottleEvents({ indexName }) watches the index, with the period given', () => {
    const props = alarm('MyIndexThrottling').Properties;
    expect(props.Metrics).toEqual([
      {
        Id: 'm1',
        Label: 'byStatus read throttles',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/DynamoDB',
            MetricName: 'ReadThrottleEvents',
            Dimensions: [
              { Name: 'GlobalSecondaryIndexName', Value: 'byStatus' },
              { Name: 'TableName', Value: ref(logicalId(user.template, 'AWS::DynamoDB::GlobalTable', 'ApiTable')) },
            ],
          },
          Period: 60,
          Stat: 'Sum',
        },
        ReturnData: true,
      },
    ]);
  });

  test("an alarm on a function's metricConcurrencyPercent() watches that function", () => {
    const props = alarm('MyReportsConcurrency').Properties;
    expect(props.Threshold).toBe(50);
    expect(props.Metrics).toEqual([
      expect.objectContaining({ Expression: '100 * FILL(concurrency_reports, 0) / 10', ReturnData: true }),
      expect.objectContaining({
        Id: 'concurrency_reports',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: 'ConcurrentExecutions',
            Dimensions: [{ Name: 'FunctionName', Value: ref(functionIds(user.template, 'reports').function) }],
          },
          Period: 300,
          Stat: 'Maximum',
        },
      }),
    ]);
  });
});
