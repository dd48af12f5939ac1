import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiAuthorization, AuthorizationType } from '../../../src';
import { NoAuthorization } from '../../../src/api/authorization/none';
import { buildApi, expectError, fn, route } from '../../helpers/api';

describe('ApiAuthorization.none()', () => {
  test('has no settings', () => {
    const authorization = ApiAuthorization.none();
    expect(authorization.type).toBe(AuthorizationType.NONE);
    expect(authorization._kind).toBeInstanceOf(NoAuthorization);
    expect(Object.keys(authorization._kind)).not.toContain('props');
  });

  test('GIVEN a public route THEN it has no authorizer and no authorization', () => {
    // GIVEN the default JWT authorization and one public route
    const { template } = buildApi({
      functions: { health: fn([route(HttpMethod.GET, '/health', { authorization: ApiAuthorization.none() })]) },
    });
    // THEN the route is NONE and the API has no authorizer
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /health', AuthorizationType: 'NONE' });
  });

  test('is refused API-wide', () => {
    expectError(
      { authorization: ApiAuthorization.none() },
      '`authorization` must not be ApiAuthorization.none(): mark each public route with `authorization: ApiAuthorization.none()` instead, got: "ApiAuthorization.none()"',
    );
  });
});
