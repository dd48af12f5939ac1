import { Lazy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiAuthorization, AuthorizationType } from '../../src';
import {
  AUDIENCE,
  buildApi,
  BuiltApi,
  fn,
  HANDLER_ENTRY,
  ISSUER,
  logicalId,
  newStack,
  ref,
  resources,
  route,
} from '../util';

describe('the API authorizer', () => {
  let built: BuiltApi;
  beforeAll(() => {
    // GIVEN an API-wide JWT authorization and two functions with three authorized routes
    built = buildApi({
      functions: {
        items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.POST, '/items')]),
        orders: fn([route(HttpMethod.GET, '/orders')]),
      },
    });
  });

  test('is one JWT authorizer shared by every route, checking issuer and audience on the Authorization header', () => {
    built.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    const id = logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', 'ApiJwtAuthorizer');
    expect(resources(built.template)[id].Properties).toEqual({
      ApiId: ref(logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')),
      AuthorizerType: 'JWT',
      Name: 'jwt',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER, Audience: AUDIENCE },
    });
    built.template.allResourcesProperties('AWS::ApiGatewayV2::Route', {
      AuthorizationType: 'JWT',
      AuthorizerId: ref(id),
    });
  });
});

describe('JWT authorization options', () => {
  test('GIVEN an identity source, an authorizer name and several audiences THEN the authorizer uses them', () => {
    const { template } = buildApi({
      authorization: ApiAuthorization.jwt({
        issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc123',
        audience: ['web', 'mobile'],
        identitySource: ['$request.header.X-Token'],
        authorizerName: 'cognito',
      }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      Name: 'cognito',
      IdentitySource: ['$request.header.X-Token'],
      JwtConfiguration: {
        Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc123',
        Audience: ['web', 'mobile'],
      },
    });
  });

  test('GIVEN a token issuer THEN it is not validated as a literal and reaches the authorizer', () => {
    const { template } = buildApi({
      authorization: ApiAuthorization.jwt({
        issuer: Lazy.string({ produce: () => 'https://late.example.com' }),
        audience: AUDIENCE,
      }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://late.example.com', Audience: AUDIENCE },
    });
  });

  test('GIVEN a route with its own JWT authorization THEN it gets a second authorizer, the other routes keep the first', () => {
    // GIVEN
    const partners = ApiAuthorization.jwt({ issuer: 'https://partners.example.com', audience: ['partner-app'] });

    // WHEN
    const { template } = buildApi({
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items'),
          route(HttpMethod.GET, '/partner/items', { authorization: partners }),
        ]),
      },
    });

    // THEN
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 2);
    const byName = (name: string) =>
      Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer', { Properties: { Name: name } }));
    const [first] = byName('jwt');
    const [second] = byName('jwt2');
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      Name: 'jwt',
      JwtConfiguration: { Issuer: ISSUER, Audience: AUDIENCE },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      Name: 'jwt2',
      JwtConfiguration: { Issuer: 'https://partners.example.com', Audience: ['partner-app'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /items', AuthorizerId: ref(first) });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /partner/items',
      AuthorizationType: 'JWT',
      AuthorizerId: ref(second),
    });
  });

  test('GIVEN only public routes THEN no authorizer is created', () => {
    const { template } = buildApi({
      functions: { hooks: fn([route(HttpMethod.POST, '/hooks', { authorization: ApiAuthorization.none() })]) },
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      AuthorizationType: 'NONE',
      AuthorizerId: Match.absent(),
    });
  });
});

describe('authorizations of every kind in one API', () => {
  let built: BuiltApi;
  beforeAll(() => {
    // GIVEN an API-wide JWT authorization, and routes of two functions overriding it with each other kind,
    // the same Lambda and IAM authorization objects used by both functions
    const stack = newStack();
    const keys = ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY });
    const internal = ApiAuthorization.iam();
    const staff = ApiAuthorization.cognito({
      userPool: cognito.UserPool.fromUserPoolId(stack, 'Staff', 'eu-west-1_staff'),
      userPoolClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Admin', 'admin-client-id')],
    });
    built = buildApi(
      {
        functions: {
          items: fn([
            route(HttpMethod.GET, '/partner/items', { authorization: keys }),
            route(HttpMethod.GET, '/items'),
            route(HttpMethod.GET, '/internal/items', { authorization: internal }),
            route(HttpMethod.DELETE, '/items/{id}', { authorization: staff }),
            route(HttpMethod.GET, '/health', { authorization: ApiAuthorization.none() }),
          ]),
          orders: fn([
            route(HttpMethod.GET, '/partner/orders', { authorization: keys }),
            route(HttpMethod.GET, '/internal/orders', { authorization: internal }),
            route(HttpMethod.GET, '/orders'),
          ]),
        },
      },
      stack,
    );
  });

  const routeOf = (key: string) =>
    Object.values(resources(built.template)).find((r) => r.Properties?.RouteKey === key)!.Properties;

  test('builds one authorizer per authorization object that needs one: JWT, Lambda and Cognito', () => {
    built.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 3);
    expect(logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', 'ApiJwtAuthorizer')).toBeDefined();
    expect(logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', 'ApiLambdaAuthorizer')).toBeDefined();
    expect(logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', 'ApiCognitoAuthorizer')).toBeDefined();
  });

  test('keeps the first JWT authorizer id and name when another kind is built before it', () => {
    const id = logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', 'ApiJwtAuthorizer');
    expect(id).toMatch(/^ApiJwtAuthorizer[0-9A-F]{8}$/);
    expect(resources(built.template)[id].Properties.Name).toBe('jwt');
  });

  test.each([
    ['GET /items', 'JWT', 'ApiJwtAuthorizer'],
    ['GET /orders', 'JWT', 'ApiJwtAuthorizer'],
    ['GET /partner/items', 'CUSTOM', 'ApiLambdaAuthorizer'],
    ['GET /partner/orders', 'CUSTOM', 'ApiLambdaAuthorizer'],
    ['DELETE /items/{id}', 'JWT', 'ApiCognitoAuthorizer'],
  ])('routes %s through a %s authorizer (%s)', (key, type, prefix) => {
    expect(routeOf(key)).toMatchObject({
      AuthorizationType: type,
      AuthorizerId: ref(logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', prefix)),
    });
  });

  test.each([
    ['GET /internal/items', 'AWS_IAM'],
    ['GET /internal/orders', 'AWS_IAM'],
    ['GET /health', 'NONE'],
  ])('routes %s as %s, without an authorizer', (key, type) => {
    expect(routeOf(key).AuthorizationType).toBe(type);
    expect(routeOf(key).AuthorizerId).toBeUndefined();
  });
});

describe('ApiAuthorization', () => {
  test('jwt() keeps its settings; none() has none', () => {
    const props = { issuer: ISSUER, audience: AUDIENCE };
    expect(ApiAuthorization.jwt(props).type).toBe(AuthorizationType.JWT);
    expect(ApiAuthorization.jwt(props).jwtProps).toEqual(props);
    expect(ApiAuthorization.none().type).toBe(AuthorizationType.NONE);
    expect(ApiAuthorization.none().jwtProps).toBeUndefined();
  });
});
