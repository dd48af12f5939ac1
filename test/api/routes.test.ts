import { Lazy, Token } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiAuthorization } from '../../src';
import { buildApi, BuiltApi, fn, functionIds, logicalId, ref, resources, route } from '../helpers/api';

const LIST = 'GET /projects/{projectId}/tasks';
const CREATE = 'POST /projects/{projectId}/tasks';
const FILES = 'GET /files/{path+}';
const WEBHOOK = 'POST /webhooks/{provider}';

/** The logical id of the route with this route key. */
function routeId(built: BuiltApi, key: string): string {
  const ids = Object.keys(built.template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } }));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('routes', () => {
  let built: BuiltApi;
  let authorizerId: string;
  beforeAll(() => {
    // GIVEN routes with the API's JWT authorization, one with scopes and a throttle, a greedy one, and a public one
    built = buildApi({
      functions: {
        tasks: fn([
          route(HttpMethod.GET, '/projects/{projectId}/tasks'),
          route(HttpMethod.POST, '/projects/{projectId}/tasks', {
            authorizationScopes: ['tasks:write', 'admin'],
            throttle: { rateLimit: 5 },
          }),
        ]),
        files: fn([route(HttpMethod.GET, '/files/{path+}')]),
        hooks: fn([
          route(HttpMethod.POST, '/webhooks/{provider}', {
            authorization: ApiAuthorization.none(),
            throttle: { rateLimit: 20, burstLimit: 40 },
          }),
        ]),
      },
    });
    authorizerId = logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', 'ApiJwtAuthorizer');
  });

  test('one AWS::ApiGatewayV2::Route per route, keyed by method and path', () => {
    built.template.resourceCountIs('AWS::ApiGatewayV2::Route', 4);
    const keys = Object.values(built.template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey,
    );
    expect(keys.sort()).toEqual([FILES, LIST, CREATE, WEBHOOK].sort());
  });

  test("each route targets its own function's integration", () => {
    const target = (name: string) => ({
      'Fn::Join': ['', ['integrations/', ref(functionIds(built.template, name).integration)]],
    });
    const apiId = ref(logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi'));
    for (const [key, name] of [
      [LIST, 'tasks'],
      [CREATE, 'tasks'],
      [FILES, 'files'],
      [WEBHOOK, 'hooks'],
    ]) {
      built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: key,
        ApiId: apiId,
        Target: target(name),
      });
    }
  });

  test('by default a route requires a JWT from the API authorizer, with no scopes', () => {
    for (const key of [LIST, FILES]) {
      expect(resources(built.template)[routeId(built, key)].Properties).toEqual(
        expect.objectContaining({ AuthorizationType: 'JWT', AuthorizerId: ref(authorizerId) }),
      );
      built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: key,
        AuthorizationScopes: Match.absent(),
      });
    }
  });

  test('authorizationScopes are required of the JWT on that route only', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: CREATE,
      AuthorizationType: 'JWT',
      AuthorizerId: ref(authorizerId),
      AuthorizationScopes: ['tasks:write', 'admin'],
    });
  });

  test('a route with ApiAuthorization.none() is public: authorization NONE and no authorizer', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: WEBHOOK,
      AuthorizationType: 'NONE',
      AuthorizerId: Match.absent(),
      AuthorizationScopes: Match.absent(),
    });
  });

  test('a route throttle overrides the stage for that route; an unset burst or rate falls back to the stage', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.exact({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
      RouteSettings: Match.exact({
        [CREATE]: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 200 },
        [WEBHOOK]: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      }),
    });
  });

  test('the stage depends on exactly the routes it has settings for (route settings name existing routes)', () => {
    const stage = Object.values(built.template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect([...stage.DependsOn].sort()).toEqual([routeId(built, CREATE), routeId(built, WEBHOOK)].sort());
  });
});

describe('route throttling with a stage override', () => {
  test("GIVEN a stage throttle and a route throttle with only a burst THEN the route's rate is the stage's", () => {
    const { template } = buildApi({
      throttle: { rateLimit: 30, burstLimit: 60 },
      functions: { items: fn([route(HttpMethod.GET, '/items', { throttle: { burstLimit: 10 } })]) },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.exact({ ThrottlingRateLimit: 30, ThrottlingBurstLimit: 60 }),
      RouteSettings: Match.exact({ 'GET /items': { ThrottlingRateLimit: 30, ThrottlingBurstLimit: 10 } }),
    });
  });

  test('GIVEN token route throttle values THEN they are not validated as literals and reach the route settings', () => {
    const { template } = buildApi({
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items', {
            throttle: {
              rateLimit: Token.asNumber(Lazy.number({ produce: () => 0.5 })),
              burstLimit: Token.asNumber(Lazy.number({ produce: () => 3 })),
            },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: Match.exact({ 'GET /items': { ThrottlingRateLimit: 0.5, ThrottlingBurstLimit: 3 } }),
    });
  });
});

describe('route paths', () => {
  test('the root path, literal segments with allowed punctuation, and a greedy parameter are accepted', () => {
    const { template } = buildApi({
      functions: {
        items: fn([
          route(HttpMethod.GET, '/'),
          route(HttpMethod.GET, '/v1.0/a-b_c~d:e@f'),
          route(HttpMethod.ANY, '/{proxy+}'),
        ]),
      },
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 3);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /{proxy+}' });
  });

  test('the same path with different methods is two routes', () => {
    const { template } = buildApi({
      functions: {
        reads: fn([route(HttpMethod.GET, '/items/{id}')]),
        writes: fn([route(HttpMethod.PUT, '/items/{id}'), route(HttpMethod.DELETE, '/items/{id}')]),
      },
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 3);
  });
});
