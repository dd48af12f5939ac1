import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AlarmOptions } from './alarm-options';
import { ALARM_PERIOD, AlarmSpec } from '../private/alarm-factory';
import { checkInteger, checkPositive, fail, isLiteral } from '../private/validation';

/** Thresholds with every default applied. */
export interface AlarmThresholds {
  readonly functionErrorRatePercent: number;
  readonly functionThrottles: number;
  readonly apiServerErrorRatePercent: number;
  readonly apiLatencyP99: Duration;
  readonly tableThrottledRequests: number;
}

/** The documented defaults of `AlarmOptions`, in one place. */
export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  functionErrorRatePercent: 1,
  functionThrottles: 0,
  apiServerErrorRatePercent: 1,
  apiLatencyP99: Duration.seconds(3),
  tableThrottledRequests: 0,
};

export function validateAlarmOptions(options: AlarmOptions | undefined): void {
  if (!options) return;
  for (const prop of ['functionErrorRatePercent', 'apiServerErrorRatePercent'] as const) {
    const value = options[prop];
    checkPositive(`alarms.${prop}`, value);
    if (isLiteral(value) && (value as number) >= 100) fail(`alarms.${prop}`, 'be below 100', value);
  }
  checkInteger('alarms.functionThrottles', options.functionThrottles, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('alarms.tableThrottledRequests', options.tableThrottledRequests, 0, Number.MAX_SAFE_INTEGER);
  if (isLiteral(options.apiLatencyP99) && options.apiLatencyP99!.toMilliseconds() <= 0) {
    fail('alarms.apiLatencyP99', 'be a positive duration', options.apiLatencyP99);
  }
}

export function alarmThresholds(options: AlarmOptions | undefined): AlarmThresholds {
  return {
    functionErrorRatePercent: options?.functionErrorRatePercent ?? DEFAULT_ALARM_THRESHOLDS.functionErrorRatePercent,
    functionThrottles: options?.functionThrottles ?? DEFAULT_ALARM_THRESHOLDS.functionThrottles,
    apiServerErrorRatePercent: options?.apiServerErrorRatePercent ?? DEFAULT_ALARM_THRESHOLDS.apiServerErrorRatePercent,
    apiLatencyP99: options?.apiLatencyP99 ?? DEFAULT_ALARM_THRESHOLDS.apiLatencyP99,
    tableThrottledRequests: options?.tableThrottledRequests ?? DEFAULT_ALARM_THRESHOLDS.tableThrottledRequests,
  };
}

const sum = { statistic: cloudwatch.Stats.SUM, period: ALARM_PERIOD };

/**
 * One alarm per function for both errors and throttles: a metric-math alarm keeps the template at one
 * resource per function while still naming both signals.
 */
export function functionHealthAlarm(fn: lambda.IFunction, name: string, t: AlarmThresholds): AlarmSpec {
  return {
    metric: new cloudwatch.MathExpression({
      expression:
        `IF(throttles > ${t.functionThrottles} OR ` +
        `(invocations > 0 AND 100 * errors / invocations > ${t.functionErrorRatePercent}), 1, 0)`,
      usingMetrics: {
        errors: fn.metricErrors(sum),
        throttles: fn.metricThrottles(sum),
        invocations: fn.metricInvocations(sum),
      },
      period: ALARM_PERIOD,
      label: `${name} errors or throttles`,
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    description:
      `Function ${name}: more than ${t.functionErrorRatePercent}% of invocations failed or more than ` +
      `${t.functionThrottles} throttles in 5 minutes. Look first at the function's log group for errors, ` +
      'then at account concurrency for throttles.',
  };
}

export function apiServerErrorAlarm(api: apigwv2.IHttpApi, t: AlarmThresholds): AlarmSpec {
  return {
    metric: new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * serverErrors / requests, 0)',
      usingMetrics: { serverErrors: api.metricServerError(sum), requests: api.metricCount(sum) },
      period: ALARM_PERIOD,
      label: 'API 5xx rate (%)',
    }),
    threshold: t.apiServerErrorRatePercent,
    description:
      `API: more than ${t.apiServerErrorRatePercent}% of requests answered 5xx in 5 minutes. Look first at the ` +
      'access log (status, integrationError) and at the function alarms.',
  };
}

export function apiLatencyAlarm(api: apigwv2.IHttpApi, t: AlarmThresholds): AlarmSpec {
  return {
    metric: api.metricLatency({ statistic: cloudwatch.Stats.p(99), period: ALARM_PERIOD }),
    threshold: t.apiLatencyP99.toMilliseconds(),
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    description:
      `API: p99 latency above ${t.apiLatencyP99.toHumanString()} in 2 of 3 periods of 5 minutes. Look first at ` +
      'integrationLatency in the access log, then at function durations and table throttles.',
  };
}

export function tableThrottleAlarm(table: dynamodb.ITableV2, t: AlarmThresholds): AlarmSpec {
  const metric = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: table.tableName },
      ...sum,
    });
  return {
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(reads, 0) + FILL(writes, 0)',
      usingMetrics: { reads: metric('ReadThrottleEvents'), writes: metric('WriteThrottleEvents') },
      period: ALARM_PERIOD,
      label: 'Table throttle events',
    }),
    threshold: t.tableThrottledRequests,
    description:
      `Table: more than ${t.tableThrottledRequests} throttled requests in 5 minutes. On-demand tables throttle ` +
      'on hot partition keys: look first at CloudWatch Contributor Insights or the keys the failing routes use.',
  };
}
