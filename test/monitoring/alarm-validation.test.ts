import { CfnResource, Duration, Lazy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, AlarmOptions, FunctionAlarmOptions, ServerlessApi } from '../../src';
import { buildApi, defaultProps, expectError, fn, itemPatterns, newStack, route } from '../helpers/api';

const SHARED =
  'must not be set while the signals of a function share one alarm: set `evaluation` instead, or `separateAlarms: true`';

/** The default API's function `items`, with these alarms of its own. */
function itemsWithAlarms(alarms: FunctionAlarmOptions) {
  return { items: fn([route(HttpMethod.GET, '/items/{itemId}')], { accessPatterns: ['getItem'], alarms }) };
}

/** The properties of the metric alarm named `<apiName>-<name>`. */
function alarmProps(template: Template, apiName: string, name: string): any {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
    (alarm) => alarm.Properties.AlarmName === `${apiName}-${name}`,
  );
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

describe('alarm thresholds', () => {
  test.each([0, -1, 100, NaN])('GIVEN maxPercent %p THEN construction fails', (maxPercent) => {
    expectError(
      { alarms: { api: { serverErrorRate: { maxPercent } } } },
      `\`alarms.api.serverErrorRate.maxPercent\` must be above 0 and below 100 (a share in percent), got: ${maxPercent}`,
    );
  });

  test.each([-1, 0.5])('GIVEN maxCount %p THEN construction fails', (maxCount) => {
    expectError(
      { alarms: { table: { readThrottles: { maxCount } } } },
      `\`alarms.table.readThrottles.maxCount\` must be a whole number, 0 or more, got: ${maxCount}`,
    );
  });

  test('GIVEN maxLatency 0 THEN construction fails', () => {
    expectError(
      { alarms: { api: { latencyP99: { maxLatency: Duration.seconds(0) } } } },
      '`alarms.api.latencyP99.maxLatency` must be a positive duration, got: 0 seconds',
    );
  });

  test("GIVEN a bad maxPercent in a function's own alarms THEN the message names the function's prop", () => {
    expectError(
      { functions: itemsWithAlarms({ errorRate: { maxPercent: 100 } }) },
      '`functions.items.alarms.errorRate.maxPercent` must be above 0 and below 100 (a share in percent), got: 100',
    );
  });
});

describe('alarm evaluation', () => {
  test.each([
    ['30 seconds', Duration.seconds(30)],
    ['1 minute 30 seconds', Duration.seconds(90)],
  ])('GIVEN period %s THEN construction fails', (shown, period) => {
    expectError(
      { alarms: { api: { serverErrorRate: { period } } } },
      `\`alarms.api.serverErrorRate.period\` must be a whole number of minutes, at least 1, got: ${shown}`,
    );
  });

  test('GIVEN evaluationPeriods 0 THEN construction fails', () => {
    expectError(
      { alarms: { api: { serverErrorRate: { evaluationPeriods: 0 } } } },
      '`alarms.api.serverErrorRate.evaluationPeriods` must be a whole number between 1 and 168, got: 0',
    );
  });

  test('GIVEN hourly periods THEN up to 7 days are accepted, and more is refused', () => {
    // GIVEN 168 periods of an hour: exactly 7 days
    const week = { period: Duration.hours(1), evaluationPeriods: 168 };
    expect(() => buildApi({ alarms: { api: { serverErrorRate: week } } })).not.toThrow();
    // THEN 2 hours x 85 is more than 7 days
    expectError(
      { alarms: { api: { serverErrorRate: { period: Duration.hours(2), evaluationPeriods: 85 } } } },
      "`alarms.api.serverErrorRate.evaluationPeriods` must cover at most 7 days with periods of 2 hours (CloudWatch's limit), got: 85",
    );
  });

  test("GIVEN the API's evaluation and a function's own that are valid alone THEN what they make together is checked", () => {
    // GIVEN 4 of 5 API-wide, and a function that shortens it to 2 periods
    expect(() =>
      buildApi({
        alarms: { functions: { evaluation: { evaluationPeriods: 5, datapointsToAlarm: 4 } } },
        functions: {
          items: fn([route(HttpMethod.GET, '/items')], { alarms: { evaluation: { evaluationPeriods: 2 } } }),
        },
      }),
    ).toThrow('`functions.items.alarms.evaluation.datapointsToAlarm` must be a whole number between 1 and 2, got: 4');
  });

  test("GIVEN separate alarms and a signal's period API-wide and its evaluation periods on a function THEN the sum is checked", () => {
    expect(() =>
      buildApi({
        alarms: { functions: { separateAlarms: true, errorRate: { period: Duration.minutes(30) } } },
        functions: {
          items: fn([route(HttpMethod.GET, '/items')], { alarms: { errorRate: { evaluationPeriods: 60 } } }),
        },
      }),
    ).toThrow(
      "`functions.items.alarms.errorRate.evaluationPeriods` must cover at most one day with periods of 30 minutes (CloudWatch's limit), got: 60",
    );
  });

  test("GIVEN a per-signal period API-wide and a function opting out of separate alarms THEN the error names the API's option", () => {
    expect(() =>
      buildApi({
        alarms: { functions: { separateAlarms: true, errorRate: { period: Duration.minutes(10) } } },
        functions: {
          items: fn([route(HttpMethod.GET, '/items')], { alarms: { separateAlarms: false } }),
        },
      }),
    ).toThrow(
      '`alarms.functions.errorRate.period` must not be set while the signals of a function share one alarm: set `evaluation` instead, or `separateAlarms: true`, got: 10 minutes',
    );
  });

  test('GIVEN datapointsToAlarm above evaluationPeriods THEN construction fails', () => {
    expectError(
      { alarms: { api: { serverErrorRate: { evaluationPeriods: 2, datapointsToAlarm: 3 } } } },
      '`alarms.api.serverErrorRate.datapointsToAlarm` must be a whole number between 1 and 2, got: 3',
    );
  });

  test("GIVEN datapointsToAlarm above the alarm's default evaluationPeriods THEN construction fails", () => {
    // latencyP99 looks at 3 periods by default
    expectError(
      { alarms: { api: { latencyP99: { datapointsToAlarm: 4 } } } },
      '`alarms.api.latencyP99.datapointsToAlarm` must be a whole number between 1 and 3, got: 4',
    );
  });

  test('GIVEN periods covering more than one day THEN construction fails', () => {
    expectError(
      { alarms: { api: { serverErrorRate: { period: Duration.minutes(30), evaluationPeriods: 49 } } } },
      "`alarms.api.serverErrorRate.evaluationPeriods` must cover at most one day with periods of 30 minutes (CloudWatch's limit), got: 49",
    );
  });

  test('GIVEN a bad evaluation of the shared function alarm THEN the message names `evaluation`', () => {
    expectError(
      { alarms: { functions: { evaluation: { period: Duration.seconds(30) } } } },
      '`alarms.functions.evaluation.period` must be a whole number of minutes, at least 1, got: 30 seconds',
    );
  });
});

describe('the evaluation of a signal on a shared function alarm', () => {
  test('GIVEN alarms.functions.errorRate.period THEN construction fails', () => {
    expectError(
      { alarms: { functions: { errorRate: { period: Duration.minutes(1) } } } },
      `\`alarms.functions.errorRate.period\` ${SHARED}, got: 1 minute`,
    );
  });

  test("GIVEN a function's own throttles.evaluationPeriods THEN construction fails, naming the function", () => {
    expectError(
      { functions: itemsWithAlarms({ throttles: { evaluationPeriods: 2 } }) },
      `\`functions.items.alarms.throttles.evaluationPeriods\` ${SHARED}, got: 2`,
    );
  });

  test('GIVEN the same through addFunction() THEN it fails the same way', () => {
    // GIVEN
    const api = new ServerlessApi(newStack(), 'Api', defaultProps());

    // WHEN
    const add = () =>
      api.addFunction(
        'late',
        fn([route(HttpMethod.GET, '/late')], { alarms: { durationP99: { datapointsToAlarm: 1 } } }),
      );

    // THEN
    expect(add).toThrow(new Error(`\`functions.late.alarms.durationP99.datapointsToAlarm\` ${SHARED}, got: 1`));
  });

  test.each<[string, AlarmOptions | undefined, FunctionAlarmOptions]>([
    ['API-wide', { functions: { separateAlarms: true, errorRate: { period: Duration.minutes(1) } } }, {}],
    ["the function's own", undefined, { separateAlarms: true, errorRate: { period: Duration.minutes(1) } }],
  ])('GIVEN %s separateAlarms THEN a signal may have its own evaluation', (_, alarms, own) => {
    // WHEN
    const { template } = buildApi({ apiName: 'shop', alarms, functions: itemsWithAlarms(own) });

    // THEN
    const props = alarmProps(template, 'shop', 'Function-items-ErrorRate');
    expect(props.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period)).toEqual([60, 60]);
  });
});

describe('valid edge values', () => {
  test('maxPercent 99.9 is accepted', () => {
    // WHEN
    const { template } = buildApi({ apiName: 'shop', alarms: { api: { serverErrorRate: { maxPercent: 99.9 } } } });

    // THEN
    expect(alarmProps(template, 'shop', 'Api-5xxRate').Threshold).toBe(99.9);
  });

  test('maxCount 0 is accepted', () => {
    // WHEN
    const { template } = buildApi({
      apiName: 'shop',
      alarms: { table: { conditionalCheckFailures: { enabled: true, maxCount: 0 } } },
    });

    // THEN
    expect(alarmProps(template, 'shop', 'Table-ConditionalCheckFailures').Threshold).toBe(0);
  });

  test('maxLatency 1 ms is accepted', () => {
    // WHEN
    const { template } = buildApi({
      apiName: 'shop',
      alarms: { api: { latencyP99: { maxLatency: Duration.millis(1) } } },
    });

    // THEN
    expect(alarmProps(template, 'shop', 'Api-LatencyP99').Threshold).toBe(1);
  });

  test('period 1 minute is accepted', () => {
    // WHEN
    const { template } = buildApi({
      apiName: 'shop',
      dashboard: false,
      alarms: { table: { readThrottles: { period: Duration.minutes(1) } } },
    });

    // THEN
    expect(alarmProps(template, 'shop', 'Table-ReadThrottles').Metrics[0].MetricStat.Period).toBe(60);
  });

  test('periods covering exactly one day, every one breaching, are accepted', () => {
    // WHEN
    const { template } = buildApi({
      apiName: 'shop',
      alarms: {
        table: {
          systemErrors: { period: Duration.minutes(30), evaluationPeriods: 48, datapointsToAlarm: 48 },
        },
      },
    });

    // THEN
    expect(alarmProps(template, 'shop', 'Table-SystemErrors')).toMatchObject({
      EvaluationPeriods: 48,
      DatapointsToAlarm: 48,
    });
  });

  test('an unresolved token is not validated', () => {
    // GIVEN a maxPercent known only at synth, outside the literal range
    const maxPercent = Lazy.number({ produce: () => 150 });

    // WHEN
    const { template } = buildApi({ apiName: 'shop', alarms: { api: { serverErrorRate: { maxPercent } } } });

    // THEN
    expect(alarmProps(template, 'shop', 'Api-5xxRate').Threshold).toBe(150);
  });
});

describe('alarm names', () => {
  test("GIVEN a name beyond CloudWatch's 255 characters THEN construction fails, naming what to shorten", () => {
    // GIVEN an index whose alarm names are too long
    const indexName = 'i'.repeat(240);
    const name = `shop-Index-${indexName}-ReadThrottles`;

    // THEN
    expectError(
      {
        apiName: 'shop',
        accessPatterns: {
          ...itemPatterns(),
          byLongIndex: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName }),
        },
      },
      `Alarm name "${name}" is 265 characters, CloudWatch allows 255: shorten \`apiName\` or the name of the function or index it watches`,
    );
  });

  test('GIVEN a name that is too long THEN the check fires before anything is built', () => {
    const stack = newStack();
    const indexName = 'i'.repeat(240);

    expect(
      () =>
        new ServerlessApi(stack, 'Api', {
          ...defaultProps(),
          apiName: 'shop',
          accessPatterns: { ...itemPatterns(), byLongIndex: AccessPattern.query({ partitionKey: 'S#{s}', indexName }) },
        }),
    ).toThrow(/^Alarm name "shop-Index-i+-ReadThrottles" is 265 characters/);
    expect(stack.node.findAll().filter((c) => CfnResource.isCfnResource(c))).toEqual([]);
  });
});
