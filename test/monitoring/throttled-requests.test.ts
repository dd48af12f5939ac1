import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AlarmSeverity, ApiAuthorization, ApiType, ServerlessApiProps } from '../../src';
import {
  QUOTA_EXCEEDED_FILTER_PATTERN,
  THROTTLED_NOT_QUOTA_FILTER_PATTERN,
  THROTTLED_REQUESTS_FILTER_PATTERN,
} from '../../src/monitoring/access-log-metrics';
import { buildApi, expectError, fn, logicalId, route } from '../helpers/api';
import { graph, lines, onlyDashboard } from '../helpers/dashboard';
import { matchesFilterPattern } from '../helpers/filter-pattern';

/**
 * A 429 is the API refusing traffic as it was told to, so its alarm is a warning unless the user makes it critical; on a
 * REST API with usage plans, a caller's exhausted quota (gateway response QUOTA_EXCEEDED) is counted apart from
 * throttling (THROTTLED), as the partner's own limit
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
 */

const ALARM = 'AWS::CloudWatch::Alarm';
const FILTER = 'AWS::Logs::MetricFilter';

function build(props: Partial<ServerlessApiProps> = {}) {
  return buildApi({
    apiName: 'shop',
    accessPatterns: {},
    functions: { items: fn([route(HttpMethod.GET, '/items')]) },
    ...props,
  });
}

/** A REST API whose partners call with API keys under a usage plan with a quota. */
function buildPartnerApi(props: Partial<ServerlessApiProps> = {}) {
  return build({
    apiType: ApiType.REST,
    authorization: ApiAuthorization.iam(),
    usagePlans: { partners: { apiKeys: ['acme'], quota: { limit: 1000 } } },
    ...props,
  });
}

function throttledAlarm(template: Template): { id: string; props: any } {
  const [entry] = Object.entries(template.findResources(ALARM)).filter(
    ([, resource]) => resource.Properties.AlarmName === 'shop-Api-429Rate',
  );
  return { id: entry[0], props: entry[1].Properties };
}

function compositeRuleIds(template: Template): string[] {
  const [composite] = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
  const parts: unknown[] = composite.Properties.AlarmRule['Fn::Join'][1];
  return parts.flatMap((part: any) => (part?.['Fn::GetAtt'] ? [part['Fn::GetAtt'][0]] : []));
}

function topic(template: Template): object {
  return { Ref: logicalId(template, 'AWS::SNS::Topic', 'ApiMonitoringAlarmTopic') };
}

/** A REST access-log line as API Gateway writes it (every value a string), for the fields the filters read. */
function restLogLine(status: string, errorType: string): string {
  return JSON.stringify({ apiId: 'a1b2c3', status, errorType, apiKeyId: 'k1' });
}

describe('the severity of the 429 alarm', () => {
  test.each([
    ['by default', undefined],
    ['with AlarmSeverity.WARNING', AlarmSeverity.WARNING],
  ])('%s is a warning: left out of the composite alarm, it notifies the topic itself', (_, severity) => {
    // GIVEN
    const { template } = build({ alarms: { api: { throttledRequestRate: { severity } } } });

    // THEN
    const alarm = throttledAlarm(template);
    expect(compositeRuleIds(template)).not.toContain(alarm.id);
    expect(alarm.props.AlarmActions).toEqual([topic(template)]);
    expect(alarm.props.OKActions).toEqual([topic(template)]);
  });

  test('with AlarmSeverity.CRITICAL rolls into the composite alarm, which alone notifies', () => {
    // GIVEN
    const { template } = build({ alarms: { api: { throttledRequestRate: { severity: AlarmSeverity.CRITICAL } } } });

    // THEN
    const alarm = throttledAlarm(template);
    expect(compositeRuleIds(template)).toContain(alarm.id);
    expect(alarm.props.AlarmActions).toBeUndefined();
  });

  test('keeps its threshold when only the severity is given', () => {
    // GIVEN
    const { template } = build({ alarms: { api: { throttledRequestRate: { severity: AlarmSeverity.CRITICAL } } } });

    // THEN
    expect(throttledAlarm(template).props.Threshold).toBe(1);
  });

  test('refuses a severity that is not an AlarmSeverity', () => {
    expectError(
      { alarms: { api: { throttledRequestRate: { severity: 'page' as AlarmSeverity } } } },
      '`alarms.api.throttledRequestRate.severity` must be an AlarmSeverity (critical, warning), got: "page"',
    );
  });
});

describe('the 429 metric filters', () => {
  test('on an HTTP API count every 429 (HTTP APIs have no usage plans)', () => {
    // GIVEN
    const { template } = build();

    // THEN
    const filters = Object.values(template.findResources(FILTER));
    expect(filters.map((filter) => filter.Properties.FilterPattern)).toEqual([THROTTLED_REQUESTS_FILTER_PATTERN]);
  });

  test('on a REST API without usage plans count every 429: there is no quota to tell apart', () => {
    // GIVEN
    const { template } = build({ apiType: ApiType.REST, authorization: ApiAuthorization.iam() });

    // THEN
    const filters = Object.values(template.findResources(FILTER));
    expect(filters.map((filter) => filter.Properties.FilterPattern)).toEqual([THROTTLED_REQUESTS_FILTER_PATTERN]);
  });

  test('on a REST API with usage plans count throttling and exhausted quotas on two metrics', () => {
    // GIVEN
    const { template } = buildPartnerApi();

    // THEN
    const filters = Object.values(template.findResources(FILTER)).map((filter) => filter.Properties);
    expect(filters.map((f) => [f.FilterPattern, f.MetricTransformations[0].MetricName])).toEqual([
      [THROTTLED_NOT_QUOTA_FILTER_PATTERN, 'ThrottledRequests'],
      [QUOTA_EXCEEDED_FILTER_PATTERN, 'QuotaExceededRequests'],
    ]);
    expect(filters[1].MetricTransformations[0]).toEqual({
      MetricNamespace: 'ServerlessApi',
      MetricName: 'QuotaExceededRequests',
      MetricValue: '1',
      Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
    });
  });

  test.each([
    ['a usage plan, method, stage or account throttle', '429', 'THROTTLED', true, false],
    ['an exhausted usage-plan quota', '429', 'QUOTA_EXCEEDED', false, true],
    ["a function's own 429", '429', '-', true, false],
    ['a success', '200', '-', false, false],
    ['a missing API key', '403', 'INVALID_API_KEY', false, false],
  ])('GIVEN %s (status %s, errorType %s) THEN throttled: %s, quota: %s', (_, status, errorType, throttled, quota) => {
    // GIVEN
    const line = restLogLine(status, errorType);

    // THEN
    expect(matchesFilterPattern(THROTTLED_NOT_QUOTA_FILTER_PATTERN, line)).toBe(throttled);
    expect(matchesFilterPattern(QUOTA_EXCEEDED_FILTER_PATTERN, line)).toBe(quota);
  });

  test('read errorType, which the REST access log carries as $context.error.responseType', () => {
    // GIVEN
    const { template } = buildPartnerApi();

    // THEN
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format).errorType).toBe('$context.error.responseType');
  });
});

describe('the dashboard with usage plans', () => {
  test('draws the quota answers on their own line beside the 429 rate, with no threshold of their own', () => {
    // GIVEN
    const dashboard = onlyDashboard(buildPartnerApi().template);

    // THEN
    const rates = graph(dashboard, '5xx, 4xx and 429 (% of requests)');
    expect(lines(rates).map((l) => l.label)).toEqual([
      '5xx rate (%)',
      '4xx rate (%)',
      '429 rate (%)',
      '429 quota rate (%)',
    ]);
    expect(lines(rates)[3].using).toEqual({
      quotaExceeded: expect.objectContaining({ namespace: 'ServerlessApi', metricName: 'QuotaExceededRequests' }),
      requests_quota: expect.objectContaining({ namespace: 'AWS/ApiGateway', metricName: 'Count' }),
    });
  });

  test('without usage plans draws no quota line', () => {
    // GIVEN
    const dashboard = onlyDashboard(build().template);

    // THEN
    expect(lines(graph(dashboard, '5xx, 4xx and 429 (% of requests)')).map((l) => l.label)).not.toContain(
      '429 quota rate (%)',
    );
  });
});
