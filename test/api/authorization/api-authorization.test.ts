import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiAuthorization } from '../../../src';
import { buildApi, BuiltApi, fn, HANDLER_ENTRY, logicalId, newStack, ref, resources, route } from '../../helpers/api';
import { buildRest, method } from '../../helpers/rest-api';

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

const AUTHORIZER = 'AWS::ApiGateway::Authorizer';

/** A method's authorization, as [AuthorizationType, AuthorizerId, AuthorizationScopes]. */
function authorizationOf(template: Template, key: string): unknown[] {
  const m = method(template, key);
  return [m.AuthorizationType, m.AuthorizerId, m.AuthorizationScopes];
}

describe('one authorizer per ApiAuthorization object', () => {
  test('GIVEN one token authorization on several routes and functions THEN there is one authorizer', () => {
    const tokens = ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY });
    const { template } = buildRest({
      authorization: tokens,
      functions: {
        items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.POST, '/items', { authorization: tokens })]),
        orders: fn([route(HttpMethod.GET, '/orders', { authorization: tokens })]),
      },
    });
    template.resourceCountIs(AUTHORIZER, 1);
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Description: Match.stringLikeRegexp('lambdatoken') },
      1,
    );
  });

  test('GIVEN two token authorizations THEN the second gets suffixed ids and name, and its own function', () => {
    const { template } = buildRest({
      authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY }),
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items'),
          route(HttpMethod.GET, '/other', {
            authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY, header: 'X-Partner-Token' }),
          }),
        ]),
      },
    });
    template.resourceCountIs(AUTHORIZER, 2);
    const first = logicalId(template, AUTHORIZER, 'ApiLambdaTokenAuthorizerE');
    const second = logicalId(template, AUTHORIZER, 'ApiLambdaTokenAuthorizer2');
    expect(resources(template)[first].Properties.Name).toBe('lambdatoken');
    expect(resources(template)[second].Properties).toEqual(
      expect.objectContaining({ Name: 'lambdatoken2', IdentitySource: 'method.request.header.X-Partner-Token' }),
    );
    logicalId(template, 'AWS::Lambda::Function', 'ApiLambdaTokenAuthorizer2Function');
    expect(authorizationOf(template, 'GET /items')[1]).toEqual(ref(first));
    expect(authorizationOf(template, 'GET /other')[1]).toEqual(ref(second));
  });

  test('GIVEN Cognito, request and token authorizations mixed THEN each route uses its own', () => {
    const { template } = buildRest({
      authorization: ApiAuthorization.cognito(),
      functions: {
        items: fn([
          route(HttpMethod.GET, '/users'),
          route(HttpMethod.GET, '/partners', {
            authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
          }),
          route(HttpMethod.GET, '/devices', { authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY }) }),
          route(HttpMethod.GET, '/admin', { authorization: ApiAuthorization.iam() }),
        ]),
      },
    });
    template.resourceCountIs(AUTHORIZER, 3);
    expect(authorizationOf(template, 'GET /users').slice(0, 2)).toEqual([
      'COGNITO_USER_POOLS',
      ref(logicalId(template, AUTHORIZER, 'ApiCognitoAuthorizer')),
    ]);
    expect(authorizationOf(template, 'GET /partners').slice(0, 2)).toEqual([
      'CUSTOM',
      ref(logicalId(template, AUTHORIZER, 'ApiLambdaAuthorizer')),
    ]);
    expect(authorizationOf(template, 'GET /devices').slice(0, 2)).toEqual([
      'CUSTOM',
      ref(logicalId(template, AUTHORIZER, 'ApiLambdaTokenAuthorizer')),
    ]);
    expect(authorizationOf(template, 'GET /admin').slice(0, 2)).toEqual(['AWS_IAM', undefined]);
  });
});
