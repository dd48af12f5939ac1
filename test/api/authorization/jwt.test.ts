import { Lazy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiAuthorization, AuthorizationType } from '../../../src';
import { JwtAuthorization } from '../../../src/api/authorization/jwt';
import { AUDIENCE, buildApi, BuiltApi, fn, ISSUER, logicalId, ref, resources, route } from '../../helpers/api';

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

describe('ApiAuthorization.jwt()', () => {
  test('keeps its settings', () => {
    const props = { issuer: ISSUER, audience: AUDIENCE };
    const authorization = ApiAuthorization.jwt(props);
    expect(authorization.type).toBe(AuthorizationType.JWT);
    expect(authorization._kind).toBeInstanceOf(JwtAuthorization);
    expect((authorization._kind as JwtAuthorization).props).toEqual(props);
  });
});
