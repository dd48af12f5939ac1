import { Stack } from 'aws-cdk-lib';
import { Template, Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ApiAuthorization, AuthorizationType, ServerlessApi, ApiType } from '../../../src';
import { IamAuthorization } from '../../../src/api/authorization/iam';
import { buildApi, defaultProps, fn, logicalId, newStack, ref, route } from '../../helpers/api';
import { method, restApiId } from '../../helpers/rest-api';

/** The execute-api ARN of the `$default` stage's `resource` (`METHOD/path`) of the API `Api`. */
const routeArn = (apiId: string, resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':execute-api:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':',
      ref(apiId),
      `/$default/${resource}`,
    ],
  ],
});

/** The statements of the one policy attached to the role `roleId`. */
function policyStatements(template: Template, roleId: string): unknown[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(roleId)] } });
  expect(Object.keys(policies)).toHaveLength(1);
  return Object.values(policies)[0].Properties.PolicyDocument.Statement;
}

describe('an API-wide IAM authorization', () => {
  test('marks every route AWS_IAM, with no authorizer', () => {
    // GIVEN / WHEN
    const { template } = buildApi({
      authorization: ApiAuthorization.iam(),
      functions: { items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.PUT, '/items/{id}')]) },
    });

    // THEN
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    template.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Route',
      { AuthorizationType: 'AWS_IAM', AuthorizerId: Match.absent() },
      2,
    );
  });
});

describe('grantInvoke', () => {
  test('grants execute-api:Invoke on exactly the IAM routes of the $default stage, path parameters as *', () => {
    // GIVEN a JWT API with IAM on some routes, and a caller role
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items'),
          route(HttpMethod.GET, '/internal/items/{itemId}/parts/{partId}', { authorization: ApiAuthorization.iam() }),
          route(HttpMethod.ANY, '/internal/files/{path+}', { authorization: ApiAuthorization.iam() }),
          route(HttpMethod.POST, '/', { authorization: ApiAuthorization.iam() }),
        ]),
      },
    });
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });

    // WHEN
    const grant = api.grantInvoke(caller);

    // THEN
    expect(grant.success).toBe(true);
    const template = Template.fromStack(stack);
    const apiId = logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
    expect(policyStatements(template, logicalId(template, 'AWS::IAM::Role', 'Caller'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Resource: [
          routeArn(apiId, 'GET/internal/items/*/parts/*'),
          routeArn(apiId, '*/internal/files/*'),
          routeArn(apiId, 'POST/'),
        ],
      },
    ]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /items', AuthorizationType: 'JWT' });
    template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Route', { AuthorizationType: 'AWS_IAM' }, 3);
  });

  test('includes IAM routes added with addFunction() after the grant', () => {
    // GIVEN an IAM API granted to a caller
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), authorization: ApiAuthorization.iam() });
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(caller);

    // WHEN a function is added afterwards
    api.addFunction('orders', fn([route(HttpMethod.DELETE, '/orders/{orderId}')]));

    // THEN
    const template = Template.fromStack(stack);
    const apiId = logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
    expect(policyStatements(template, logicalId(template, 'AWS::IAM::Role', 'Caller'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Resource: [routeArn(apiId, 'GET/items/*'), routeArn(apiId, 'DELETE/orders/*')],
      },
    ]);
  });

  test('fails at synth when the API has no IAM-authorized route, naming the fix', () => {
    // GIVEN a JWT-only API
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', defaultProps());

    // WHEN
    api.grantInvoke(new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() }));

    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      '[Test/Api] `grantInvoke()` must be called on an API with a route authorized by ApiAuthorization.iam() (API-wide or per route), got: no such route',
    );
  });
});

describe('ApiAuthorization.iam()', () => {
  test('has no settings', () => {
    const authorization = ApiAuthorization.iam();
    expect(authorization.type).toBe(AuthorizationType.IAM);
    expect(authorization._kind).toBeInstanceOf(IamAuthorization);
    expect(Object.keys(authorization._kind)).not.toContain('props');
  });
});

const AUTHORIZER = 'AWS::ApiGateway::Authorizer';

/** A method's authorization, as [AuthorizationType, AuthorizerId, AuthorizationScopes]. */
function authorizationOf(template: Template, key: string): unknown[] {
  const m = method(template, key);
  return [m.AuthorizationType, m.AuthorizerId, m.AuthorizationScopes];
}

describe('IAM authorization on a REST API', () => {
  let stack: Stack;
  let api: ServerlessApi;
  let template: Template;
  beforeAll(() => {
    // GIVEN a public route and IAM routes, and a caller granted invoke
    stack = newStack();
    api = new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      apiType: ApiType.REST,
      authorization: ApiAuthorization.iam(),
      functions: {
        items: fn([
          route(HttpMethod.GET, '/admin/items/{itemId}'),
          route(HttpMethod.DELETE, '/admin/items/{itemId}/parts/{partId}'),
          route(HttpMethod.GET, '/items', { authorization: ApiAuthorization.none() }),
        ]),
      },
    });
    api.grantInvoke(new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() }));
    template = Template.fromStack(stack);
  });

  test('authorizes its routes as AWS_IAM, with no authorizer', () => {
    template.resourceCountIs(AUTHORIZER, 0);
    expect(authorizationOf(template, 'GET /admin/items/{itemId}')).toEqual(['AWS_IAM', undefined, undefined]);
    expect(authorizationOf(template, 'DELETE /admin/items/{itemId}/parts/{partId}')).toEqual([
      'AWS_IAM',
      undefined,
      undefined,
    ]);
  });

  test('leaves a route marked ApiAuthorization.none() public (NONE)', () => {
    expect(authorizationOf(template, 'GET /items')).toEqual(['NONE', undefined, undefined]);
  });

  test('grantInvoke() allows execute-api:Invoke on exactly the IAM routes of the prod stage, path parameters as *', () => {
    const arn = (resource: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':execute-api:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':',
          ref(restApiId(template)),
          `/prod/${resource}`,
        ],
      ],
    });
    const callerId = logicalId(template, 'AWS::IAM::Role', 'Caller');
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(callerId)] } }),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Resource: [arn('GET/admin/items/*'), arn('DELETE/admin/items/*/parts/*')],
      },
    ]);
  });
});
