import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  AccessPattern,
  ApiAuthorization,
  ApiFunctionOptions,
  ApiStacks,
  ApiType,
  RouteOptions,
  ServerlessApi,
  ServerlessApiProps,
} from '../src';
import { fn, HANDLER_ENTRY, jwt, newStack, resourceTypeCounts, route } from './helpers/api';

/**
 * CloudFormation allows 500 resources per stack. The API must stay well inside that at 200 routes over
 * 50 functions: each route may cost exactly one resource and each function at most five. A REST API also
 * pays one resource per path segment (two with CORS), so there the layout of the paths counts too.
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

const ACCESS_PATTERNS = {
  getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{id}', sortKey: 'ITEM' }),
  putItem: AccessPattern.putItem({ partitionKey: 'ITEM#{id}', sortKey: 'ITEM' }),
};

/** An HTTP API with a JWT authorizer serving `fns`. */
function httpStack(fns: { [name: string]: ApiFunctionOptions }, extra: Partial<ServerlessApiProps> = {}): Stack {
  const stack = newStack();
  new ServerlessApi(stack, 'Api', { ...extra, authorization: jwt(), accessPatterns: ACCESS_PATTERNS, functions: fns });
  return stack;
}

function typeCounts(functionCount: number, routeCount: number, extra: Partial<ServerlessApiProps> = {}): TypeCounts {
  return resourceTypeCounts(Template.fromStack(httpStack(functions(functionCount, routeCount), extra)));
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

/** The five methods every path of the REST layout below serves. */
const METHODS = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE];

/**
 * `routeCount` routes laid out as a REST design: collections `/things{c}` and their items `/things{c}/{id}`, each
 * path serving GET, POST, PUT, PATCH and DELETE, so 200 routes share 40 paths, which are 40 path segments and so
 * 40 `AWS::ApiGateway::Resource`s. Every segment is a path some route uses, as in a real design that routes its
 * collections and their items (`/projects`, `/projects/{projectId}`). That is the cheap end: real APIs rarely
 * serve five methods on every path, and each segment no route uses (a `/v1` prefix, the `/users/{userId}` above an
 * `/users/{userId}/orders` nobody routes) costs one more resource. The routes go to the functions in order, a few
 * consecutive ones each, so the paths stay the same however many functions serve them.
 */
function restFunctions(functionCount: number, routeCount: number): { [name: string]: ApiFunctionOptions } {
  const routes: RouteOptions[] = Array.from({ length: routeCount }, (_, r) => {
    const pathIndex = Math.floor(r / METHODS.length);
    const collection = `/things${Math.floor(pathIndex / 2)}`;
    return route(METHODS[r % METHODS.length], pathIndex % 2 ? `${collection}/{id}` : collection);
  });
  const result: { [name: string]: ApiFunctionOptions } = {};
  let next = 0;
  for (let f = 0; f < functionCount; f++) {
    const count = Math.floor(routeCount / functionCount) + (f < routeCount % functionCount ? 1 : 0);
    result[`fn${f}`] = fn(routes.slice(next, (next += count)), { accessPatterns: ['getItem'] });
  }
  return result;
}

/**
 * A REST API serving `fns`, built like `httpStack()` builds an HTTP one: the same table, monitoring and one
 * authorizer, here a Cognito authorizer of an imported pool (a REST API has no JWT authorizer, and a pool it
 * created would add resources of its own).
 */
function restStack(fns: { [name: string]: ApiFunctionOptions }, extra: Partial<ServerlessApiProps> = {}): Stack {
  const stack = newStack();
  new ServerlessApi(stack, 'Api', {
    ...extra,
    apiType: ApiType.REST,
    authorization: ApiAuthorization.cognito({
      userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abc123'),
      userPoolClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', 'web-client')],
    }),
    accessPatterns: ACCESS_PATTERNS,
    functions: fns,
  });
  return stack;
}

function restTypeCounts(
  fns: { [name: string]: ApiFunctionOptions },
  extra: Partial<ServerlessApiProps> = {},
): TypeCounts {
  return resourceTypeCounts(Template.fromStack(restStack(fns, extra)));
}

const CORS = { allowOrigins: ['https://app.example.com'] };

describe('resource budget of a REST API', () => {
  // GIVEN two functions with a route each, on /things and /things/{id} (two path segments, two resources), and
  // variants of it with more routes for one of them or for a third function
  const twoFunctions = (extra: { [name: string]: RouteOptions[] } = {}) => {
    const routes: { [name: string]: RouteOptions[] } = {
      list: [route(HttpMethod.GET, '/things')],
      get: [route(HttpMethod.GET, '/things/{id}')],
    };
    for (const [name, more] of Object.entries(extra)) routes[name] = [...(routes[name] ?? []), ...more];
    const result: { [name: string]: ApiFunctionOptions } = {};
    for (const [name, list] of Object.entries(routes)) result[name] = fn(list, { accessPatterns: ['getItem'] });
    return result;
  };
  let base: TypeCounts;
  beforeAll(() => {
    base = restTypeCounts(twoFunctions());
  });

  test('a route on a path that has its resources costs exactly one resource: its AWS::ApiGateway::Method', () => {
    const oneMoreRoute = restTypeCounts(twoFunctions({ get: [route(HttpMethod.DELETE, '/things/{id}')] }));
    expect(added(oneMoreRoute, base)).toEqual({ 'AWS::ApiGateway::Method': 1 });
  });

  test('a route on a new path costs its method and one AWS::ApiGateway::Resource per new path segment', () => {
    const nested = restTypeCounts(twoFunctions({ get: [route(HttpMethod.GET, '/things/{id}/parts/{partId}')] }));
    expect(added(nested, base)).toEqual({ 'AWS::ApiGateway::Method': 1, 'AWS::ApiGateway::Resource': 2 });
  });

  test('a function costs four resources, its alarm included: log group, role, function, alarm; no integration, no permission', () => {
    // GIVEN the same extra route, served once by an existing function and once by a new one
    const sameFunction = restTypeCounts(twoFunctions({ get: [route(HttpMethod.DELETE, '/things/{id}')] }));
    const newFunction = restTypeCounts(twoFunctions({ remove: [route(HttpMethod.DELETE, '/things/{id}')] }));

    // THEN the integration is part of the method, and API Gateway invokes through the shared invoke role
    expect(added(newFunction, sameFunction)).toEqual({
      'AWS::Logs::LogGroup': 1,
      'AWS::IAM::Role': 1,
      'AWS::Lambda::Function': 1,
      'AWS::CloudWatch::Alarm': 1,
    });
    expect(newFunction['AWS::Lambda::Permission']).toBeUndefined();
  });

  test('the fixed cost is twenty-one resources, one more than an HTTP API: the deployment', () => {
    // 2 functions x 4, 2 routes x 1 and 2 path segments x 1 on top of the fixed part
    expect(base).toEqual({
      // table, API, deployment, stage, authorizer, access log, invoke role
      'AWS::DynamoDB::GlobalTable': 1,
      'AWS::ApiGateway::RestApi': 1,
      'AWS::ApiGateway::Deployment': 1,
      'AWS::ApiGateway::Stage': 1,
      'AWS::ApiGateway::Authorizer': 1,
      'AWS::Logs::LogGroup': 1 + 2,
      'AWS::IAM::Role': 1 + 2,
      // the same fourteen for monitoring as on an HTTP API
      'AWS::CloudWatch::Alarm': 8 + 2,
      'AWS::CloudWatch::CompositeAlarm': 1,
      'AWS::CloudWatch::Dashboard': 1,
      'AWS::Logs::MetricFilter': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::KMS::Key': 1,
      'AWS::Lambda::Function': 2,
      'AWS::ApiGateway::Method': 2,
      'AWS::ApiGateway::Resource': 2,
    });
    expect(total(base) - 2 * 4 - 2 * 1 - 2 * 1).toBe(21);
    const http = typeCounts(2, 2);
    expect(total(http) - 2 * 5 - 2 * 1).toBe(20);
  });

  test('CORS costs three resources and one preflight OPTIONS method per path segment: a segment then costs two', () => {
    const withCors = restTypeCounts(twoFunctions(), { cors: CORS });
    // the root's OPTIONS method and the 4xx and 5xx gateway responses, then an OPTIONS method on things and on {id}
    expect(added(withCors, base)).toEqual({ 'AWS::ApiGateway::Method': 1 + 2, 'AWS::ApiGateway::GatewayResponse': 2 });
    const nested = restTypeCounts(twoFunctions({ get: [route(HttpMethod.GET, '/things/{id}/parts/{partId}')] }), {
      cors: CORS,
    });
    expect(added(nested, withCors)).toEqual({ 'AWS::ApiGateway::Method': 1 + 2, 'AWS::ApiGateway::Resource': 2 });
  });

  test('a request model costs its AWS::ApiGateway::Model plus, once per API, the request validator; a usage plan with one key four (with its quota metric filter)', () => {
    const model = { type: apigateway.JsonSchemaType.OBJECT, required: ['title'] };
    const validated = restTypeCounts(
      twoFunctions({
        get: [
          route(HttpMethod.POST, '/things', { requestModel: model }),
          route(HttpMethod.PUT, '/things/{id}', { requestModel: model }),
        ],
      }),
    );
    expect(added(validated, base)).toEqual({
      'AWS::ApiGateway::Method': 2,
      'AWS::ApiGateway::Model': 2,
      'AWS::ApiGateway::RequestValidator': 1,
    });
    const withPlan = restTypeCounts(twoFunctions(), { usagePlans: { partners: { apiKeys: ['acme'] } } });
    expect(added(withPlan, base)).toEqual({
      'AWS::ApiGateway::UsagePlan': 1,
      'AWS::ApiGateway::ApiKey': 1,
      'AWS::ApiGateway::UsagePlanKey': 1,
      'AWS::Logs::MetricFilter': 1,
    });
  });

  test('200 routes over 50 functions on 40 shared paths: 21 + 50 x 4 + 200 x 1 + 40 x 1 = 461 resources, under the limit of 500', () => {
    const counts = restTypeCounts(restFunctions(50, 200));
    expect(counts['AWS::ApiGateway::Method']).toBe(200);
    expect(counts['AWS::ApiGateway::Resource']).toBe(40);
    expect(counts['AWS::Lambda::Function']).toBe(50);
    expect(total(counts)).toBe(21 + 50 * 4 + 200 * 1 + 40 * 1);
    expect(total(counts)).toBeLessThan(CLOUDFORMATION_RESOURCE_LIMIT);
    // AND the same routes on an HTTP API cost 470: nothing per path, but an integration per function
    const http = resourceTypeCounts(Template.fromStack(httpStack(restFunctions(50, 200))));
    expect(total(http)).toBe(20 + 50 * 5 + 200 * 1);
  });

  test('with CORS the same REST layout needs 461 + 3 + 40 = 504 resources, over the limit: synth refuses it', () => {
    // CORS on REST costs a preflight OPTIONS method per path segment (see above): a design this size must do without
    // CORS (a same-origin front end), share more path segments, or split into two stacks
    expect(() => Template.fromStack(restStack(restFunctions(50, 200), { cors: CORS }))).toThrow(
      new Error(
        "Validation failed with the following errors:\n  [Test/Api] `functions` and `queues` must fit CloudFormation's 500 resources per stack: this API makes 504 of the stack's 504: 200 for its 50 route functions, about 4 each, 304 for the API and its routes, the table and monitoring; serve the routes with fewer functions, or put the functions in nested stacks (`stacks: ApiStacks.nested()`), got: 504 resources",
      ),
    );
  });

  test('with CORS and nested stacks the same REST layout fits: the methods and functions leave the API stack, its 40 path resources and their preflights stay', () => {
    const stack = restStack(restFunctions(50, 200), { cors: CORS, stacks: ApiStacks.nested({ stackCount: 4 }) });
    const parent = resourceTypeCounts(Template.fromStack(stack));
    expect(parent['AWS::ApiGateway::Resource']).toBe(40);
    // one preflight OPTIONS method per path segment and the root's
    expect(parent['AWS::ApiGateway::Method']).toBe(41);
    expect(parent['AWS::CloudFormation::Stack']).toBe(4);
    expect(total(parent)).toBeLessThan(CLOUDFORMATION_RESOURCE_LIMIT);
    const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
    const methods = nested.map((n) => resourceTypeCounts(Template.fromStack(n))['AWS::ApiGateway::Method'] ?? 0);
    expect(methods.reduce((a, b) => a + b, 0)).toBe(200);
  });
});

describe('resource budget of queues and their workers', () => {
  /** `typeCounts` with `queues` queues with workers, the route functions sending to them. */
  function withQueues(
    functionCount: number,
    routeCount: number,
    queues: number,
    extra: Partial<ServerlessApiProps> = {},
  ): Stack {
    const names = Array.from({ length: queues }, (_, q) => `jobs${q}`);
    const fns = functions(functionCount, routeCount);
    for (const [i, name] of Object.keys(fns).entries()) {
      fns[name] = { ...fns[name], queues: names.length ? [names[i % names.length]] : [] };
    }
    return httpStack(fns, {
      ...extra,
      queues: Object.fromEntries(
        names.map((name) => [name, { worker: { entry: HANDLER_ENTRY, accessPatterns: ['getItem'] } }]),
      ),
    });
  }

  test('a queue with its worker costs eleven resources; sending to it costs nothing', () => {
    // GIVEN the base API, and the same with one queue its functions send to
    const base = typeCounts(2, 2);
    const one = resourceTypeCounts(Template.fromStack(withQueues(2, 2, 1)));

    // THEN the queue, its dead-letter queue, their TLS-only policies, the mapping, the worker's log group, role and
    // function, the worker's alarm and the queue's two alarms
    expect(added(one, base)).toEqual({
      'AWS::SQS::Queue': 2,
      'AWS::SQS::QueuePolicy': 2,
      'AWS::Lambda::EventSourceMapping': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::IAM::Role': 1,
      'AWS::Lambda::Function': 1,
      'AWS::CloudWatch::Alarm': 3,
    });
  });

  test('200 routes over 50 functions and 10 queue workers in one stack: 470 + 10 x 11 = 580 resources, 80 over: synth says what costs what', () => {
    expect(() => Template.fromStack(withQueues(50, 200, 10, { stacks: ApiStacks.single() }))).toThrow(
      new Error(
        "Validation failed with the following errors:\n  [Test/Api] `functions` and `queues` must fit CloudFormation's 500 resources per stack: this API makes 580 of the stack's 580: 250 for its 50 route functions, about 5 each, 110 for its 10 queues with their workers, about 11 each, 220 for the API and its routes, the table and monitoring; serve the routes with fewer functions, or declare some queues in an API of another stack, or put the functions in nested stacks (`stacks: ApiStacks.nested()`), got: 580 resources",
      ),
    );
  });

  test('by default the same API goes to nested stacks: it cannot fit one stack even at its fewest resources (4 per function, 1 per route, 8 per queue, 3 per worker: 510)', () => {
    const stack = withQueues(50, 200, 10);
    // THEN the route functions leave the API's stack, which keeps the queues and their workers
    const counts = resourceTypeCounts(Template.fromStack(stack));
    expect(counts['AWS::Lambda::Function']).toBe(10);
    expect(counts['AWS::CloudFormation::Stack']).toBeGreaterThan(1);
    expect(total(counts)).toBeLessThan(CLOUDFORMATION_RESOURCE_LIMIT);
  });

  test('the same 200 routes over 25 functions fit with the 10 queue workers: 20 + 25 x 5 + 200 + 10 x 11 = 455', () => {
    const counts = resourceTypeCounts(Template.fromStack(withQueues(25, 200, 10)));
    expect(total(counts)).toBe(20 + 25 * 5 + 200 + 10 * 11);
  });

  test("the app's @aws-cdk/core:stackResourceLimit sets the limit, as for aws-cdk-lib's own check, and 0 turns it off", () => {
    const stackWith = (limit: number) => {
      const stack = new Stack(new App({ context: { '@aws-cdk/core:stackResourceLimit': limit } }), 'Test');
      new ServerlessApi(stack, 'Api', {
        authorization: jwt(),
        accessPatterns: ACCESS_PATTERNS,
        functions: functions(1, 1),
        queues: { jobs: { worker: { entry: HANDLER_ENTRY } } },
      });
      return stack;
    };
    expect(() => Template.fromStack(stackWith(30))).toThrow(
      /must fit CloudFormation's 30 resources per stack: this API makes 37 of the stack's 37: 5 for its 1 route function, about 5 each, 11 for its 1 queue with its worker, about 11 each, 21 for/,
    );
    expect(total(resourceTypeCounts(Template.fromStack(stackWith(0))))).toBe(37);
  });
});
