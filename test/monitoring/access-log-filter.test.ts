import {
  ACCESS_LOG_METRIC_DIMENSIONS,
  THROTTLED_REQUESTS_FILTER_PATTERN,
} from '../../src/monitoring/access-log-metrics';
import { buildApi, resources } from '../helpers/api';
import { matchesFilterPattern, selectJsonValue } from '../helpers/filter-pattern';

describe('the filter pattern evaluator', () => {
  const event = JSON.stringify({
    eventType: 'UpdateTrail',
    sourceIPAddress: '111.111.111.111',
    latency: 500,
    user: { id: 1, email: 'John.Stiles@example.com' },
    actions: ['GET', 'PUT'],
    SomeObject: null,
    ThisFlag: true,
  });

  test.each([
    ['{ $.eventType = "UpdateTrail" }', true],
    ['{ $.eventType = UpdateTrail }', true],
    ['{ $.eventType = "updatetrail" }', false],
    ['{ $.eventType = "UpdateTrai" }', false],
    ['{ $.eventType = "UpdateTrails" }', false],
    ['{ $.eventType != "UpdateTrail" }', false],
    ['{ $.eventType != "DeleteTrail" }', true],
    ['{ $.eventType = "*Trail" }', true],
    ['{ $.eventType = "Update*" }', true],
    ['{ $.eventType = "*dateTr*" }', true],
    ['{ $.eventType = "Up*Trail" }', false],
    ['{ $.sourceIPAddress != 123.123.* }', true],
    ['{ $.sourceIPAddress != 111.111.* }', false],
    ['{ $.latency = * }', true],
    ['{ $.latency >= 500 }', true],
    ['{ $.latency > 500 }', false],
    ['{ $.latency < 5e2 }', false],
    ['{ $.latency <= +500.0 }', true],
    ['{ $.latency != 500 }', false],
    ['{ $.user.id = 1 }', true],
    ['{ $.user.email = "John.Stiles@example.com" }', true],
    ['{ $.missing = "x" }', false],
    ['{ $.missing != "x" }', false],
    ['{ $.user.missing.deeper = 1 }', false],
    ['{ $.user = 1 }', false],
    ['{ $.user != 1 }', false],
    ['{ $.actions = "GET" }', false],
    ['{ $.eventType = "UpdateTrail" && $.latency > 100 }', true],
    ['{ $.eventType = "UpdateTrail" && $.latency > 1000 }', false],
    ['{ $.eventType = "Nope" || $.latency > 100 }', true],
    ['{ $.user.id = 2 && $.eventType = "Nope" || $.user.id = 1 }', true],
    ['{ $.user.id = 2 && ($.eventType = "Nope" || $.user.id = 1) }', false],
    ['{ ($.user.id = 1 || $.user.id = 2) && $.eventType = "UpdateTrail" }', true],
  ])('GIVEN %s THEN it matches: %s', (pattern, expected) => {
    // WHEN
    const matched = matchesFilterPattern(pattern, event);

    // THEN
    expect(matched).toBe(expected);
  });

  test('GIVEN a log event that is not JSON THEN no JSON pattern matches it', () => {
    expect(matchesFilterPattern('{ $.status = "429" }', 'status 429 Too Many Requests')).toBe(false);
  });

  test.each([
    ['', 0],
    ['ERROR', 0],
    ['[ip, user, status = 429]', 0],
    ['{ }', 2],
    ['{ $.status = "429"', 18],
    ['{ $.status = "429" } extra', 21],
    ['{ $.SomeObject IS NULL }', 15],
    ['{ $.SomeOtherObject NOT EXISTS }', 20],
    ['{ $.ThisFlag IS TRUE }', 13],
    ['{ $.actions[0] = "GET" }', 11],
    ['{ $.user.email = John.Stiles@example.com }', 28],
    ['{ $.eventType = %Update% }', 16],
    ['{ $.eventType = "Update\\"Trail" }', 23],
    ['{ $.eventType > "A" }', 16],
    ['{ !($.latency = 1) }', 2],
    ['{ $.latency == 1 }', 13],
  ])('GIVEN the unsupported pattern %s THEN it throws at offset %d', (pattern, offset) => {
    expect(() => matchesFilterPattern(pattern, event)).toThrow(
      new Error(`unsupported filter pattern syntax at offset ${offset}: ${pattern}`),
    );
  });

  test.each([
    ['{ $.latency = "500" }', 'undocumented comparison: $.latency is 500, compared with the string "500"'],
    ['{ $.eventType = 1 }', 'undocumented comparison: $.eventType is "UpdateTrail", compared with the number 1'],
    ['{ $.SomeObject = "x" }', 'undocumented comparison: $.SomeObject is null, compared with the string "x"'],
    ['{ $.ThisFlag = * }', 'undocumented comparison: $.ThisFlag is true, compared with the string "*"'],
  ])('GIVEN %s, a comparison the documentation leaves open, THEN it throws', (pattern, message) => {
    expect(() => matchesFilterPattern(pattern, event)).toThrow(new Error(message));
  });

  test('selects the JSON value of a selector, and nothing for a missing field', () => {
    expect(selectJsonValue('$.user.email', event)).toBe('John.Stiles@example.com');
    expect(selectJsonValue('$.latency', event)).toBe(500);
    expect(selectJsonValue('$.missing', event)).toBeUndefined();
    expect(() => selectJsonValue('$.actions[0]', event)).toThrow(new Error('unsupported selector: $.actions[0]'));
  });
});

/** `$context` values of a successful `GET /items` through the Lambda proxy integration. */
const OK_REQUEST: { readonly [variable: string]: string } = {
  '$context.apiId': 'a1b2c3d4e5',
  '$context.requestId': 'Jd0E5gSLoAMEV3Q=',
  '$context.requestTime': '21/Nov/2026:05:57:05 +0000',
  '$context.identity.sourceIp': '203.0.113.7',
  '$context.identity.userAgent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
  '$context.httpMethod': 'GET',
  '$context.routeKey': 'GET /items',
  '$context.path': '/items',
  '$context.protocol': 'HTTP/1.1',
  '$context.status': '200',
  '$context.responseLength': '512',
  '$context.responseLatency': '48',
  '$context.integrationLatency': '41',
  '$context.integrationStatus': '200',
  '$context.integrationErrorMessage': '-',
  '$context.authorizer.error': '-',
  '$context.authorizer.principalId': '-',
  '$context.error.message': '-',
};

/** The stage throttled the request: no integration ran. */
const THROTTLED_BY_STAGE = {
  '$context.status': '429',
  '$context.responseLength': '33',
  '$context.responseLatency': '1',
  '$context.integrationLatency': '-',
  '$context.integrationStatus': '-',
  '$context.error.message': 'Too Many Requests',
};

describe('the throttled requests filter on the access log', () => {
  let format: string;
  beforeAll(() => {
    const { template } = buildApi();
    const stage = Object.values(resources(template)).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    format = stage.Properties.AccessLogSettings.Format;
  });

  /** The line API Gateway writes for `context`: each `$context` variable replaced by its value, "-" when absent. */
  function accessLogLine(context: { readonly [variable: string]: string }): string {
    return format.replace(/\$context\.[A-Za-z.]+/g, (variable) => {
      const value = context[variable] ?? '-';
      // The format quotes each value itself, so a sample value must need no JSON escaping.
      if (/["\\]/.test(value)) throw new Error(`sample value of ${variable} needs JSON escaping: ${value}`);
      return value;
    });
  }

  test('the access log format writes the status and the API id as JSON strings', () => {
    expect(format).toContain('"status":"$context.status"');
    expect(format).toContain('"apiId":"$context.apiId"');
  });

  test('GIVEN a request the stage throttled THEN its line matches', () => {
    // GIVEN
    const line = accessLogLine({ ...OK_REQUEST, ...THROTTLED_BY_STAGE });
    expect(JSON.parse(line)).toMatchObject({
      status: '429',
      integrationStatus: '-',
      errorMessage: 'Too Many Requests',
    });

    // WHEN
    const matched = matchesFilterPattern(THROTTLED_REQUESTS_FILTER_PATTERN, line);

    // THEN
    expect(matched).toBe(true);
  });

  test('GIVEN the function itself answered 429 THEN its line matches too: the metric counts every 429 the client sees', () => {
    // GIVEN a Lambda proxy integration: integrationStatus is Lambda's invoke status, status the function's statusCode
    const line = accessLogLine({ ...OK_REQUEST, '$context.status': '429', '$context.responseLength': '45' });
    expect(JSON.parse(line)).toMatchObject({ status: '429', integrationStatus: '200' });

    // WHEN
    const matched = matchesFilterPattern(THROTTLED_REQUESTS_FILTER_PATTERN, line);

    // THEN
    expect(matched).toBe(true);
  });

  test.each(['-', '200', '429'])(
    'GIVEN status 429 and integrationStatus %s THEN the line matches',
    (integrationStatus) => {
      // GIVEN
      const line = accessLogLine({
        ...OK_REQUEST,
        '$context.status': '429',
        '$context.integrationStatus': integrationStatus,
      });

      // WHEN
      const matched = matchesFilterPattern(THROTTLED_REQUESTS_FILTER_PATTERN, line);

      // THEN
      expect(matched).toBe(true);
    },
  );

  test.each(['200', '201', '400', '401', '403', '404', '500', '502', '503', '504', '4290', '42'])(
    'GIVEN status %s THEN the line does not match',
    (status) => {
      // GIVEN
      const line = accessLogLine({ ...OK_REQUEST, '$context.status': status });
      expect(JSON.parse(line).status).toBe(status);

      // WHEN
      const matched = matchesFilterPattern(THROTTLED_REQUESTS_FILTER_PATTERN, line);

      // THEN
      expect(matched).toBe(false);
    },
  );

  test('GIVEN integrationStatus 429 but another status for the client THEN the line does not match', () => {
    // GIVEN
    const line = accessLogLine({ ...OK_REQUEST, '$context.status': '500', '$context.integrationStatus': '429' });

    // WHEN
    const matched = matchesFilterPattern(THROTTLED_REQUESTS_FILTER_PATTERN, line);

    // THEN
    expect(matched).toBe(false);
  });

  test('GIVEN a throttled line THEN the ApiId dimension resolves to the API id', () => {
    // GIVEN
    const line = accessLogLine({ ...OK_REQUEST, ...THROTTLED_BY_STAGE });

    // WHEN
    const dimensions = Object.entries(ACCESS_LOG_METRIC_DIMENSIONS).map(([name, selector]) => [
      name,
      selectJsonValue(selector, line),
    ]);

    // THEN
    expect(dimensions).toEqual([['ApiId', 'a1b2c3d4e5']]);
  });
});
