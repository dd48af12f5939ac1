import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiAuthorization, OAuthGrant, ServerlessApi, UserPoolSignInDomain } from '../../../src';
import { splitScope } from '../../../src/api/authorization/user-pool-scopes';
import { buildApi, defaultProps, expectError, fn, logicalId, newStack, ref, resources, route } from '../../helpers/api';
import { buildRest, method } from '../../helpers/rest-api';

const DOMAIN = UserPoolSignInDomain.cognitoPrefix('my-shop');
const SERVER = 'AWS::Cognito::UserPoolResourceServer';

/** Each resource server's identifier, name and scope names. */
function servers(template: Template): { identifier: string; name: string; scopes: string[] }[] {
  return Object.values(template.findResources(SERVER)).map(({ Properties: p }) => ({
    identifier: p.Identifier,
    name: p.Name,
    scopes: p.Scopes.map((s: { ScopeName: string }) => s.ScopeName),
  }));
}

// Scope format: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
describe('a route scope as a resource server scope', () => {
  test.each([
    ['shop/orders.read', { identifier: 'shop', name: 'orders.read' }],
    ['https://api.example.com/orders.read', { identifier: 'https://api.example.com', name: 'orders.read' }],
    ['shop/admin/*', { identifier: 'shop/admin', name: '*' }],
    ['orders', undefined],
    ['/orders', undefined],
    ['shop/', undefined],
    ['shop"x/read', undefined],
  ])('%s', (scope, expected) => {
    expect(splitScope(scope)).toEqual(expected);
  });
});

describe('the resource servers of a created user pool', () => {
  let template: Template;
  let poolId: string;
  beforeAll(() => {
    // GIVEN routes with scopes of two resource servers, one scope used twice, and Cognito's own openid
    ({ template } = buildApi({
      authorization: ApiAuthorization.cognito(),
      functions: {
        orders: fn([
          route(HttpMethod.GET, '/orders', { authorizationScopes: ['shop/orders.read', 'openid'] }),
          route(HttpMethod.POST, '/orders', { authorizationScopes: ['shop/orders.write'] }),
          route(HttpMethod.DELETE, '/orders/{id}', {
            authorizationScopes: ['https://admin.example.com/orders.delete'],
          }),
        ]),
        reports: fn([route(HttpMethod.GET, '/reports', { authorizationScopes: ['shop/orders.read'] })]),
        health: fn([route(HttpMethod.GET, '/health')]),
      },
    }));
    poolId = logicalId(template, 'AWS::Cognito::UserPool', 'ApiUserPool');
  });

  test('creates one resource server per identifier, with each scope once, in the order routes use them', () => {
    expect(servers(template)).toEqual([
      { identifier: 'shop', name: 'shop', scopes: ['orders.read', 'orders.write'] },
      { identifier: 'https://admin.example.com', name: 'https---admin.example.com', scopes: ['orders.delete'] },
    ]);
  });

  test('describes each scope and belongs to the pool', () => {
    const id = logicalId(template, SERVER, 'ApiUserPoolResourceServershop');
    expect(resources(template)[id].Properties).toEqual({
      UserPoolId: ref(poolId),
      Identifier: 'shop',
      Name: 'shop',
      Scopes: [
        { ScopeName: 'orders.read', ScopeDescription: 'Routes that require shop/orders.read' },
        { ScopeName: 'orders.write', ScopeDescription: 'Routes that require shop/orders.write' },
      ],
    });
  });

  test('keeps the route scopes on the routes, which the JWT authorizer checks', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /orders',
      AuthorizationScopes: ['shop/orders.read', 'openid'],
    });
  });

  test('GIVEN a function added later with a new scope THEN its scope joins the resource server', () => {
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      authorization: ApiAuthorization.cognito(),
      functions: { orders: fn([route(HttpMethod.GET, '/orders', { authorizationScopes: ['shop/orders.read'] })]) },
    });
    api.addFunction(
      'refunds',
      fn([route(HttpMethod.POST, '/refunds', { authorizationScopes: ['shop/refunds.write'] })]),
    );
    expect(servers(Template.fromStack(stack))).toEqual([
      { identifier: 'shop', name: 'shop', scopes: ['orders.read', 'refunds.write'] },
    ]);
  });

  test('GIVEN no route with a scope THEN there is no resource server', () => {
    buildApi({ authorization: ApiAuthorization.cognito() }).template.resourceCountIs(SERVER, 0);
  });

  test('GIVEN an imported pool THEN no resource server is created and its scopes are taken as they are', () => {
    const stack = newStack();
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abc123');
    const userPoolClients = [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', 'client-id')];
    const { template: imported } = buildApi(
      {
        authorization: ApiAuthorization.cognito({ userPool, userPoolClients }),
        functions: { orders: fn([route(HttpMethod.GET, '/orders', { authorizationScopes: ['orders'] })]) },
      },
      stack,
    );
    imported.resourceCountIs(SERVER, 0);
    imported.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationScopes: ['orders'] });
  });
});

describe('route scopes with a created user pool', () => {
  test('GIVEN a scope without a resource server THEN it is refused, with the mapping in the message', () => {
    expectError(
      {
        authorization: ApiAuthorization.cognito(),
        functions: {
          orders: fn([route(HttpMethod.GET, '/orders', { authorizationScopes: ['shop/orders.read', 'orders'] })]),
        },
      },
      '`functions.orders.routes[0].authorizationScopes[1]` must be "<resource server>/<scope>" such as "shop/orders.read" (the API\'s user pool gets resource server "shop" with scope "orders.read"), or one of Cognito\'s scopes openid, email, phone, profile, aws.cognito.signin.user.admin, got: "orders"',
    );
  });

  test('GIVEN a scope without a name through addFunction() THEN it is refused at the same path', () => {
    const api = new ServerlessApi(newStack(), 'Api', { ...defaultProps(), authorization: ApiAuthorization.cognito() });
    expect(() =>
      api.addFunction('orders', fn([route(HttpMethod.GET, '/orders', { authorizationScopes: ['shop/'] })])),
    ).toThrow(
      new Error(
        '`functions.orders.routes[0].authorizationScopes[0]` must be "<resource server>/<scope>" such as "shop/orders.read" (the API\'s user pool gets resource server "shop" with scope "orders.read"), or one of Cognito\'s scopes openid, email, phone, profile, aws.cognito.signin.user.admin, got: "shop/"',
      ),
    );
  });

  test("GIVEN a client asking for a scope no route uses THEN synth fails, naming the routes' scopes", () => {
    const api = new ServerlessApi(newStack(), 'Api', {
      ...defaultProps(),
      authorization: ApiAuthorization.cognito({
        signInDomain: DOMAIN,
        clients: { partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS, scopes: ['shop/orders.write'] } },
      }),
      functions: { orders: fn([route(HttpMethod.GET, '/orders', { authorizationScopes: ['shop/orders.read'] })]) },
    });
    expect(() => Template.fromStack(Stack.of(api))).toThrow(
      'Validation failed with the following errors:\n  [Test/Api/UserPool] `authorization.clients.partner.scopes[0]` must be a scope a route of the API uses (shop/orders.read), got: "shop/orders.write"',
    );
  });

  test('GIVEN a machine client and no route with a scope THEN synth fails: its token could call nothing', () => {
    const api = new ServerlessApi(newStack(), 'Api', {
      ...defaultProps(),
      authorization: ApiAuthorization.cognito({
        signInDomain: DOMAIN,
        clients: { partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS } },
      }),
    });
    expect(() => Template.fromStack(Stack.of(api))).toThrow(
      'Validation failed with the following errors:\n  [Test/Api/UserPool] `authorization.clients.partner.scopes` must list at least one route scope: a client credentials token holds route scopes only, and no route uses one, got: []',
    );
  });
});

// A REST Cognito authorizer takes access tokens only on methods with OAuth scopes:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
describe('route scopes on a REST API with a created user pool', () => {
  test('THEN the methods carry the scopes, the resource server has them, and the clients may request them', () => {
    const { template } = buildRest({
      authorization: ApiAuthorization.cognito({
        signInDomain: DOMAIN,
        clients: { partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS } },
      }),
      functions: {
        orders: fn([
          route(HttpMethod.GET, '/orders', { authorizationScopes: ['shop/orders.read'] }),
          route(HttpMethod.GET, '/profile'),
        ]),
      },
    });
    expect(method(template, 'GET /orders').AuthorizationScopes).toEqual(['shop/orders.read']);
    expect(method(template, 'GET /profile').AuthorizationScopes).toBeUndefined();
    expect(servers(template)).toEqual([{ identifier: 'shop', name: 'shop', scopes: ['orders.read'] }]);
    const serverId = logicalId(template, SERVER, 'ApiUserPoolResourceServershop');
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [{ 'Fn::Join': ['', [ref(serverId), '/orders.read']] }],
    });
  });
});

// "Scopes ... Maximum: 100": https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpoolresourceserver.html
// "AllowedOAuthScopes ... Maximum number of 50 items": https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolClient.html
describe('Cognito limits on scopes', () => {
  const scopes = (count: number) => Array.from({ length: count }, (_, i) => `shop/s${i}`);
  const synth = (routeScopes: string[], clientScopes?: string[]) => {
    const api = new ServerlessApi(newStack(), 'Api', {
      ...defaultProps(),
      authorization: ApiAuthorization.cognito({
        signInDomain: DOMAIN,
        clients: { partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS, scopes: clientScopes } },
      }),
      functions: { orders: fn([route(HttpMethod.GET, '/orders', { authorizationScopes: routeScopes })]) },
    });
    return () => Template.fromStack(Stack.of(api));
  };

  test('GIVEN 101 scopes of one resource server THEN synth fails', () => {
    expect(synth(scopes(101), ['shop/s0'])).toThrow(
      'Validation failed with the following errors:\n  [Test/Api/UserPool] `functions.*.routes[*].authorizationScopes` must use at most 100 scopes of resource server "shop" (a Cognito limit): spread them over more identifiers, got: 101 scopes',
    );
  });

  test('GIVEN a client that would get 51 scopes by default THEN synth fails, asking for its own list', () => {
    expect(synth(scopes(51))).toThrow(
      'Validation failed with the following errors:\n  [Test/Api/UserPool] `authorization.clients.partner.scopes` must list at most 50 scopes (a Cognito limit): name the ones the client needs, got: 51 scopes',
    );
  });

  test('GIVEN 100 route scopes and a client naming 50 THEN it synthesizes', () => {
    expect(synth(scopes(100), scopes(50))).not.toThrow();
  });
});
