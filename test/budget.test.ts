import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, ApiAuthorization, ApiFunctionOptions, ServerlessApi, ServerlessApiProps } from '../src';
import { fn, jwt, newStack, resourceTypeCounts, route } from './util';

/**
 * CloudFormation allows 500 resources per stack. The API must stay well inside that at 200 routes over
 * 50 functions: each route may cost exactly one resource and each function at most five.
 */
const CLOUDFORMATION_RESOURCE_LIMIT = 500;

type TypeCounts = { [type: string]: number };

/** `functionCount` functions serving `routeCount` routes between them, spread evenly. */
function functions(functionCount: number, routeCount: number): { [name: string]: ApiFunctionOptions } {
  const result: { [name: string]: ApiFunctionOptions } = {};
  for (let f = 0; f < functionCount; f++) {
    const count = Math.floor(routeCount / functionCount) + (f < routeCount % functionCount ? 1 : 0);
    const routes = Array.from({ length: count }, (_, r) => route(HttpMethod.GET, `/fn${f}/items${r}/{id}`));
    result[`fn${f}`] = fn(routes, { accessPatterns: ['getItem', 'putItem'] });
  }
  return result;
}

function typeCounts(functionCount: number, routeCount: number, extra: Partial<ServerlessApiProps> = {}): TypeCounts {
  const stack = newStack();
  new ServerlessApi(stack, 'Api', {
    ...extra,
    authorization: jwt(),
    accessPatterns: {
      getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{id}', sortKey: 'ITEM' }),
      putItem: AccessPattern.putItem({ partitionKey: 'ITEM#{id}', sortKey: 'ITEM' }),
    },
    functions: functions(functionCount, routeCount),
  });
  return resourceTypeCounts(Template.fromStack(stack));
}

const total = (counts: TypeCounts) => Object.values(counts).reduce((a, b) => a + b, 0);

/** What `after` has that `before` has not, by resource type. */
function added(after: TypeCounts, before: TypeCounts): TypeCounts {
  const diff: TypeCounts = {};
  for (const type of Object.keys(after)) {
    if (after[type] !== (before[type] ?? 0)) diff[type] = after[type] - (before[type] ?? 0);
  }
  return diff;
}

describe('resource budget', () => {
  // GIVEN the same API with 2 functions and 2 routes, with one more route, and with one more function (and its route)
  let base: TypeCounts;
  let oneMoreRoute: TypeCounts;
  let oneMoreFunction: TypeCounts;
  beforeAll(() => {
    base = typeCounts(2, 2);
    oneMoreRoute = typeCounts(2, 3);
    oneMoreFunction = typeCounts(3, 3);
  });

  test('a route costs exactly one resource: its AWS::ApiGatewayV2::Route', () => {
    expect(added(oneMoreRoute, base)).toEqual({ 'AWS::ApiGatewayV2::Route': 1 });
  });

  test('a function costs five resources, its alarm included: log group, role, function, integration, alarm', () => {
    expect(added(oneMoreFunction, oneMoreRoute)).toEqual({
      'AWS::Logs::LogGroup': 1,
      'AWS::IAM::Role': 1,
      'AWS::Lambda::Function': 1,
      'AWS::ApiGatewayV2::Integration': 1,
      'AWS::CloudWatch::Alarm': 1,
    });
  });

  test('the fixed cost is twenty resources: six for the API and table, fourteen for monitoring', () => {
    // 2 functions x 5 and 2 routes x 1 on top of the fixed part
    expect(base).toEqual({
      // table, API, stage, authorizer, access log, invoke role
      'AWS::DynamoDB::GlobalTable': 1,
      'AWS::ApiGatewayV2::Api': 1,
      'AWS::ApiGatewayV2::Stage': 1,
      'AWS::ApiGatewayV2::Authorizer': 1,
      'AWS::Logs::LogGroup': 1 + 2,
      'AWS::IAM::Role': 1 + 2,
      // API 5xx, 4xx and 429 rates, p99 latency and integration latency; table read and write throttles and
      // system errors; the composite alarm, the dashboard, the 429 metric filter, the topic, its policy and key
      'AWS::CloudWatch::Alarm': 8 + 2,
      'AWS::CloudWatch::CompositeAlarm': 1,
      'AWS::CloudWatch::Dashboard': 1,
      'AWS::Logs::MetricFilter': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::KMS::Key': 1,
      'AWS::Lambda::Function': 2,
      'AWS::ApiGatewayV2::Integration': 2,
      'AWS::ApiGatewayV2::Route': 2,
    });
    expect(total(base) - 2 * 5 - 2 * 1).toBe(20);
  });

  test('monitoring costs one resource per function (its shared alarm) and fourteen per API; separate alarms are an opt-in at one per signal', () => {
    // GIVEN the base API without monitoring, and with one alarm per signal of each function
    const quiet = typeCounts(2, 2, { alarms: { enabled: false }, dashboard: false });
    const separate = typeCounts(2, 2, { alarms: { functions: { separateAlarms: true } } });

    // THEN without monitoring only the 429 metric filter stays (metricThrottledRequests() needs it)
    expect(total(base) - total(quiet)).toBe(2 * 1 + 13);
    expect(quiet['AWS::Logs::MetricFilter']).toBe(1);
    // AND separate alarms cost error rate, throttles and p99 duration per function instead of one
    expect(added(separate, base)).toEqual({ 'AWS::CloudWatch::Alarm': 2 * 2 });
  });

  test('200 routes over 50 functions: 20 + 50 x 5 + 200 x 1 = 470 resources, under the limit of 500', () => {
    const counts = typeCounts(50, 200);
    expect(counts['AWS::ApiGatewayV2::Route']).toBe(200);
    expect(counts['AWS::Lambda::Function']).toBe(50);
    expect(total(counts)).toBe(20 + 50 * 5 + 200 * 1);
    expect(total(counts)).toBeLessThan(CLOUDFORMATION_RESOURCE_LIMIT);
  });

  test('a route throttle override and a public route cost nothing extra', () => {
    // GIVEN the same two functions, once with plain routes and once with a throttled route and a public one
    const build = (extra: boolean) => {
      const stack = newStack();
      new ServerlessApi(stack, 'Api', {
        authorization: jwt(),
        functions: {
          items: fn([
            route(HttpMethod.GET, '/items'),
            route(HttpMethod.POST, '/items', { throttle: extra ? { rateLimit: 1 } : undefined }),
          ]),
          hooks: fn([route(HttpMethod.POST, '/hooks', { authorization: extra ? ApiAuthorization.none() : undefined })]),
        },
      });
      return resourceTypeCounts(Template.fromStack(stack));
    };
    // THEN the public route drops the authorizer only when no other route needs it, which is not the case here
    expect(build(true)).toEqual(build(false));
  });
});
