import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { buildApi, BuiltApi, fn, functionIds, logicalId, newStack, ref, resources, route } from '../util';

const ALARM = 'AWS::CloudWatch::Alarm';

/** The one alarm whose description starts with `prefix`. */
function alarmProps(template: Template, prefix: string): any {
  const found = Object.values(resources(template)).filter(
    (r) => r.Type === ALARM && `${r.Properties.AlarmDescription}`.startsWith(prefix),
  );
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

const stat = (id: string, namespace: string, metricName: string, dimensions: object[], statistic = 'Sum') => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions },
    Period: 300,
    Stat: statistic,
  },
  ReturnData: false,
});

describe('default alarms', () => {
  let built: BuiltApi;
  let apiDimension: object[];
  beforeAll(() => {
    // GIVEN two functions
    built = buildApi({
      functions: { items: fn([route(HttpMethod.GET, '/items')]), orders: fn([route(HttpMethod.GET, '/orders')]) },
    });
    apiDimension = [{ Name: 'ApiId', Value: ref(logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')) }];
  });

  test('one alarm per function plus API 5xx rate, API p99 latency and table throttles', () => {
    built.template.resourceCountIs(ALARM, 5);
    expect(built.api.alarms).toHaveLength(3);
    expect(built.api.functions.map((f) => f.alarm !== undefined)).toEqual([true, true]);
  });

  test("a function's alarm is one metric-math alarm over its errors, throttles and invocations", () => {
    const ids = functionIds(built.template, 'items');
    const fnDimension = [{ Name: 'FunctionName', Value: ref(ids.function) }];
    expect(resources(built.template)[ids.alarm!].Properties).toEqual({
      AlarmDescription:
        "Function items: more than 1% of invocations failed or more than 0 throttles in 5 minutes. Look first at the function's log group for errors, then at account concurrency for throttles.",
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        {
          Id: 'expr_1',
          Expression: 'IF(throttles > 0 OR (invocations > 0 AND 100 * errors / invocations > 1), 1, 0)',
          Label: 'items errors or throttles',
          ReturnData: true,
        },
        stat('errors', 'AWS/Lambda', 'Errors', fnDimension),
        stat('throttles', 'AWS/Lambda', 'Throttles', fnDimension),
        stat('invocations', 'AWS/Lambda', 'Invocations', fnDimension),
      ],
    });
  });

  test('the API alarm fires above a 1% rate of 5xx answers', () => {
    expect(alarmProps(built.template, 'API: more than')).toEqual(
      expect.objectContaining({
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        Metrics: [
          {
            Id: 'expr_1',
            Expression: 'IF(requests > 0, 100 * serverErrors / requests, 0)',
            Label: 'API 5xx rate (%)',
            ReturnData: true,
          },
          stat('serverErrors', 'AWS/ApiGateway', '5xx', apiDimension),
          stat('requests', 'AWS/ApiGateway', 'Count', apiDimension),
        ],
      }),
    );
  });

  test('the latency alarm fires when p99 latency is above 3 seconds in 2 of 3 periods', () => {
    expect(alarmProps(built.template, 'API: p99 latency')).toEqual(
      expect.objectContaining({
        Namespace: 'AWS/ApiGateway',
        MetricName: 'Latency',
        Dimensions: apiDimension,
        ExtendedStatistic: 'p99',
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 3000,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      }),
    );
  });

  test('the table alarm fires on any read or write throttle event', () => {
    const tableDimension = [
      { Name: 'TableName', Value: ref(logicalId(built.template, 'AWS::DynamoDB::GlobalTable', 'ApiTable')) },
    ];
    expect(alarmProps(built.template, 'Table:')).toEqual(
      expect.objectContaining({
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        Metrics: [
          {
            Id: 'expr_1',
            Expression: 'FILL(reads, 0) + FILL(writes, 0)',
            Label: 'Table throttle events',
            ReturnData: true,
          },
          stat('reads', 'AWS/DynamoDB', 'ReadThrottleEvents', tableDimension),
          stat('writes', 'AWS/DynamoDB', 'WriteThrottleEvents', tableDimension),
        ],
      }),
    );
  });

  test('no alarm has actions unless asked for', () => {
    built.template.allResourcesProperties(ALARM, { AlarmActions: Match.absent() });
  });
});

describe('alarm thresholds', () => {
  let built: BuiltApi;
  beforeAll(() => {
    built = buildApi({
      alarms: {
        functionErrorRatePercent: 5,
        functionThrottles: 10,
        apiServerErrorRatePercent: 2.5,
        apiLatencyP99: Duration.millis(1500),
        tableThrottledRequests: 3,
      },
    });
  });

  test('functionErrorRatePercent and functionThrottles go into the function alarm expression and description', () => {
    const props = resources(built.template)[functionIds(built.template, 'items').alarm!].Properties;
    expect(props.Metrics[0].Expression).toBe(
      'IF(throttles > 10 OR (invocations > 0 AND 100 * errors / invocations > 5), 1, 0)',
    );
    expect(props.AlarmDescription).toMatch(
      /^Function items: more than 5% of invocations failed or more than 10 throttles/,
    );
    expect(props.Threshold).toBe(1);
  });

  test('apiServerErrorRatePercent is the 5xx alarm threshold', () => {
    expect(alarmProps(built.template, 'API: more than 2.5% of requests').Threshold).toBe(2.5);
  });

  test('apiLatencyP99 is the latency alarm threshold in milliseconds', () => {
    expect(alarmProps(built.template, 'API: p99 latency above').Threshold).toBe(1500);
  });

  test('tableThrottledRequests is the table alarm threshold', () => {
    expect(alarmProps(built.template, 'Table: more than 3 throttled requests').Threshold).toBe(3);
  });
});

describe('alarms.enabled: false', () => {
  test('removes every alarm', () => {
    const { api, template } = buildApi({ alarms: { enabled: false } });
    template.resourceCountIs(ALARM, 0);
    expect(api.alarms).toEqual([]);
    expect(api.functions[0].alarm).toBeUndefined();
  });
});

describe('alarms.actions', () => {
  test('are added to every alarm', () => {
    // GIVEN a topic
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Oncall');

    // WHEN
    const { template } = buildApi(
      {
        alarms: { actions: [new cloudwatchActions.SnsAction(topic)] },
        functions: { items: fn([route(HttpMethod.GET, '/items')]), orders: fn([route(HttpMethod.GET, '/orders')]) },
      },
      stack,
    );

    // THEN
    template.resourceCountIs(ALARM, 5);
    template.allResourcesProperties(ALARM, { AlarmActions: [ref(logicalId(template, 'AWS::SNS::Topic', 'Oncall'))] });
  });
});
