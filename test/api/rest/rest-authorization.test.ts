import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildRest, functionId, method, methods, restApiId } from './rest-util';
import { ApiAuthorization, ApiType, ServerlessApi } from '../../../src';
import {
  buildApi,
  BuiltApi,
  defaultProps,
  fn,
  getAtt,
  HANDLER_ENTRY,
  inlineStatements,
  logicalId,
  newStack,
  ref,
  resources,
  route,
  invocationUri,
  invokeRoleId,
} from '../../util';

const AUTHORIZER = 'AWS::ApiGateway::Authorizer';
const APP = 'https://app.example.com';
const CORS_ENV = 'SERVERLESS_API_CORS';

/** A method's authorization, as [AuthorizationType, AuthorizerId, AuthorizationScopes]. */
function authorizationOf(template: Template, key: string): unknown[] {
  const m = method(template, key);
  return [m.AuthorizationType, m.AuthorizerId, m.AuthorizationScopes];
}

function environmentOf(template: Template, functionLogicalId: string): { [name: string]: string } {
  return resources(template)[functionLogicalId].Properties.Environment.Variables;
}

describe('a Cognito user pool authorizer on a REST API', () => {
  let built: BuiltApi;
  let authorizerId: string;
  let poolId: string;
  beforeAll(() => {
    // GIVEN ApiAuthorization.cognito() API-wide, and a route with scopes
    built = buildRest({
      authorization: ApiAuthorization.cognito(),
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items'),
          route(HttpMethod.POST, '/items', { authorizationScopes: ['items/write', 'items/admin'] }),
        ]),
      },
    });
    authorizerId = logicalId(built.template, AUTHORIZER, 'ApiCognitoAuthorizer');
    poolId = logicalId(built.template, 'AWS::Cognito::UserPool', 'ApiUserPool');
  });

  test('is one COGNITO_USER_POOLS authorizer of the created pool, reading the Authorization header', () => {
    built.template.resourceCountIs(AUTHORIZER, 1);
    built.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    expect(resources(built.template)[authorizerId].Properties).toEqual({
      Name: 'cognito',
      RestApiId: ref(restApiId(built.template)),
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [getAtt(poolId)],
      IdentitySource: 'method.request.header.Authorization',
    });
    expect(built.stack.resolve(built.api.userPool!.userPoolArn)).toEqual(getAtt(poolId));
  });

  test('authorizes every route with it, passing the route scopes', () => {
    expect(authorizationOf(built.template, 'GET /items')).toEqual(['COGNITO_USER_POOLS', ref(authorizerId), undefined]);
    expect(authorizationOf(built.template, 'POST /items')).toEqual([
      'COGNITO_USER_POOLS',
      ref(authorizerId),
      ['items/write', 'items/admin'],
    ]);
  });

  test('is not invoked through the invoke role: the role may invoke the route function only', () => {
    expect(inlineStatements(built.template, invokeRoleId(built.template))).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt(functionId(built.template, 'items')) },
    ]);
  });

  test('GIVEN an imported pool and a name THEN the authorizer accepts that pool, and no pool is created', () => {
    // GIVEN
    const stack = newStack();
    const userPool = cognito.UserPool.fromUserPoolArn(
      stack,
      'Pool',
      'arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_abc123',
    );
    const userPoolClients = [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Web', 'web-client-id')];

    // WHEN
    const { template, api } = buildRest(
      { authorization: ApiAuthorization.cognito({ userPool, userPoolClients, authorizerName: 'users' }) },
      stack,
    );

    // THEN
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(api.userPool).toBeUndefined();
    expect(resources(template)[logicalId(template, AUTHORIZER, 'ApiCognitoAuthorizer')].Properties).toEqual({
      Name: 'users',
      RestApiId: ref(restApiId(template)),
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: ['arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_abc123'],
      IdentitySource: 'method.request.header.Authorization',
    });
  });
});

describe('a Lambda request authorizer on a REST API', () => {
  let built: BuiltApi;
  let authorizerId: string;
  let authorizerFunctionId: string;
  beforeAll(() => {
    // GIVEN ApiAuthorization.lambdaRequest({ entry }) API-wide, on two functions
    built = buildRest({
      authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
      functions: {
        items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.POST, '/items')]),
        orders: fn([route(HttpMethod.GET, '/orders')]),
      },
    });
    authorizerId = logicalId(built.template, AUTHORIZER, 'ApiLambdaAuthorizer');
    authorizerFunctionId = logicalId(built.template, 'AWS::Lambda::Function', 'ApiLambdaAuthorizerFunction');
  });

  test('is one REQUEST authorizer invoked through the invoke role, cached 5 minutes by the Authorization header', () => {
    built.template.resourceCountIs(AUTHORIZER, 1);
    expect(resources(built.template)[authorizerId].Properties).toEqual({
      Name: 'lambda',
      RestApiId: ref(restApiId(built.template)),
      Type: 'REQUEST',
      AuthorizerUri: invocationUri(getAtt(authorizerFunctionId)),
      AuthorizerCredentials: getAtt(invokeRoleId(built.template)),
      AuthorizerResultTtlInSeconds: 300,
      IdentitySource: 'method.request.header.Authorization',
    });
  });

  test('authorizes every route as CUSTOM with it', () => {
    for (const key of ['GET /items', 'POST /items', 'GET /orders']) {
      expect(authorizationOf(built.template, key)).toEqual(['CUSTOM', ref(authorizerId), undefined]);
    }
  });

  test('needs no Lambda permission: the invoke role may invoke the route functions and the authorizer', () => {
    built.template.resourceCountIs('AWS::Lambda::Permission', 0);
    expect(inlineStatements(built.template, invokeRoleId(built.template))).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        // In build order: the authorizer is built with the first route that needs it.
        Resource: [
          getAtt(functionId(built.template, 'items')),
          getAtt(authorizerFunctionId),
          getAtt(functionId(built.template, 'orders')),
        ],
      },
    ]);
  });

  test("translates the identity sources from HTTP APIs' selection expressions to REST's, and keeps a TTL override", () => {
    // GIVEN one source of each kind
    const { template } = buildRest({
      authorization: ApiAuthorization.lambdaRequest({
        entry: HANDLER_ENTRY,
        identitySource: [
          '$request.header.X-Tenant',
          '$request.querystring.token',
          '$context.identity.sourceIp',
          '$stageVariables.environment',
        ],
        resultsCacheTtl: Duration.minutes(1),
      }),
    });

    // THEN
    template.hasResourceProperties(AUTHORIZER, {
      Type: 'REQUEST',
      IdentitySource:
        'method.request.header.X-Tenant,method.request.querystring.token,context.identity.sourceIp,stageVariables.environment',
      AuthorizerResultTtlInSeconds: 60,
    });
  });

  test('GIVEN no identity source and caching off THEN the authorizer has no IdentitySource', () => {
    const { template } = buildRest({
      authorization: ApiAuthorization.lambdaRequest({
        entry: HANDLER_ENTRY,
        identitySource: [],
        resultsCacheTtl: Duration.seconds(0),
      }),
    });
    template.hasResourceProperties(AUTHORIZER, {
      Type: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: Match.absent(),
    });
  });

  test('GIVEN an existing function THEN it is invoked through the invoke role and nothing is bundled for it', () => {
    // GIVEN
    const stack = newStack();
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:authorizer';
    const authorizerFunction = lambda.Function.fromFunctionArn(stack, 'Authorizer', arn);

    // WHEN
    const { template } = buildRest({ authorization: ApiAuthorization.lambdaRequest({ authorizerFunction }) }, stack);

    // THEN
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties(AUTHORIZER, {
      AuthorizerUri: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':apigateway:',
            { Ref: 'AWS::Region' },
            `:lambda:path/2015-03-31/functions/${arn}/invocations`,
          ],
        ],
      },
      AuthorizerCredentials: getAtt(invokeRoleId(template)),
    });
    expect(inlineStatements(template, invokeRoleId(template))[0].Resource).toEqual([
      getAtt(functionId(template, 'items')),
      arn,
    ]);
  });
});

describe('a Lambda token authorizer', () => {
  let built: BuiltApi;
  let authorizerId: string;
  let authorizerFunctionId: string;
  let roleId: string;
  let logGroupId: string;
  beforeAll(() => {
    // GIVEN ApiAuthorization.lambdaToken({ entry }) API-wide
    built = buildRest({
      authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY }),
      logRetention: logs.RetentionDays.TWO_WEEKS,
      functions: { items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.DELETE, '/items/{itemId}')]) },
    });
    authorizerId = logicalId(built.template, AUTHORIZER, 'ApiLambdaTokenAuthorizer');
    authorizerFunctionId = logicalId(built.template, 'AWS::Lambda::Function', 'ApiLambdaTokenAuthorizerFunction');
    roleId = logicalId(built.template, 'AWS::IAM::Role', 'ApiLambdaTokenAuthorizerFunctionRole');
    logGroupId = logicalId(built.template, 'AWS::Logs::LogGroup', 'ApiLambdaTokenAuthorizerFunctionLogs');
  });

  test('is one TOKEN authorizer on the Authorization header, invoked through the invoke role, cached 5 minutes', () => {
    built.template.resourceCountIs(AUTHORIZER, 1);
    expect(resources(built.template)[authorizerId].Properties).toEqual({
      Name: 'lambdatoken',
      RestApiId: ref(restApiId(built.template)),
      Type: 'TOKEN',
      AuthorizerUri: invocationUri(getAtt(authorizerFunctionId)),
      AuthorizerCredentials: getAtt(invokeRoleId(built.template)),
      AuthorizerResultTtlInSeconds: 300,
      IdentitySource: 'method.request.header.Authorization',
    });
  });

  test('authorizes every route as CUSTOM with it', () => {
    expect(authorizationOf(built.template, 'GET /items')).toEqual(['CUSTOM', ref(authorizerId), undefined]);
    expect(authorizationOf(built.template, 'DELETE /items/{itemId}')).toEqual(['CUSTOM', ref(authorizerId), undefined]);
  });

  test('is a bundled function with its own role and log group, which the invoke role may invoke', () => {
    const props = resources(built.template)[authorizerFunctionId].Properties;
    expect(props.Role).toEqual(getAtt(roleId));
    expect(props.LoggingConfig.LogGroup).toEqual(ref(logGroupId));
    expect(resources(built.template)[logGroupId].Properties).toEqual({ RetentionInDays: 14 });
    expect(inlineStatements(built.template, roleId)).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt(logGroupId) },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]);
    expect(inlineStatements(built.template, invokeRoleId(built.template))).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [getAtt(functionId(built.template, 'items')), getAtt(authorizerFunctionId)],
      },
    ]);
    built.template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  test('GIVEN a header, a validation regex, a TTL and a name THEN the authorizer uses them', () => {
    const { template } = buildRest({
      authorization: ApiAuthorization.lambdaToken({
        entry: HANDLER_ENTRY,
        header: 'X-Api-Token',
        validationRegex: '^Bearer [-0-9A-Za-z._~+/]+=*$',
        resultsCacheTtl: Duration.seconds(0),
        authorizerName: 'tokens',
      }),
    });
    expect(resources(template)[logicalId(template, AUTHORIZER, 'ApiLambdaTokenAuthorizer')].Properties).toEqual(
      expect.objectContaining({
        Name: 'tokens',
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.X-Api-Token',
        IdentityValidationExpression: '^Bearer [-0-9A-Za-z._~+/]+=*$',
        AuthorizerResultTtlInSeconds: 0,
      }),
    );
  });

  test('validates no token format unless told to', () => {
    expect(resources(built.template)[authorizerId].Properties.IdentityValidationExpression).toBeUndefined();
  });
});

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

describe('CORS on a REST API with one origin', () => {
  let built: BuiltApi;
  const preflightHeaders = {
    'method.response.header.Access-Control-Allow-Headers': "'Content-Type,Authorization,X-Api-Key,Idempotency-Key'",
    'method.response.header.Access-Control-Allow-Origin': `'${APP}'`,
    'method.response.header.Vary': "'Origin'",
    'method.response.header.Access-Control-Allow-Methods': "'GET,POST,PUT,PATCH,DELETE,HEAD'",
    'method.response.header.Access-Control-Max-Age': "'600'",
  };
  beforeAll(() => {
    // GIVEN one allowed origin, the defaults otherwise, and usage plans (preflights carry no API key)
    built = buildRest({
      cors: { allowOrigins: [APP] },
      usagePlans: { basic: {} },
      functions: { items: fn([route(HttpMethod.GET, '/items/{itemId}'), route(HttpMethod.POST, '/items')]) },
    });
  });

  test('answers preflights with an OPTIONS method on every resource, root included', () => {
    const options = Object.keys(methods(built.template))
      .filter((key) => key.startsWith('OPTIONS '))
      .sort();
    expect(options).toEqual(['OPTIONS /', 'OPTIONS /items', 'OPTIONS /items/{itemId}']);
  });

  test('answers them 204 with the CORS headers, from a public mock integration needing no API key', () => {
    const preflight = method(built.template, 'OPTIONS /items/{itemId}');
    expect([preflight.AuthorizationType, preflight.ApiKeyRequired, preflight.Integration.Type]).toEqual([
      'NONE',
      false,
      'MOCK',
    ]);
    expect(preflight.Integration.IntegrationResponses).toEqual([
      { StatusCode: '204', ResponseParameters: preflightHeaders },
    ]);
    expect(preflight.MethodResponses).toEqual([
      {
        StatusCode: '204',
        ResponseParameters: Object.fromEntries(Object.keys(preflightHeaders).map((header) => [header, true])),
      },
    ]);
  });

  test("adds the origin and Vary to API Gateway's own 4xx and 5xx responses", () => {
    const responses = Object.values(built.template.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (r) => r.Properties,
    );
    expect(responses).toEqual(
      ['DEFAULT_4XX', 'DEFAULT_5XX'].map((type) => ({
        RestApiId: ref(restApiId(built.template)),
        ResponseType: type,
        ResponseParameters: {
          'gatewayresponse.header.Access-Control-Allow-Origin': `'${APP}'`,
          'gatewayresponse.header.Vary': "'Origin'",
        },
      })),
    );
  });

  test('gives the route functions the CORS settings in SERVERLESS_API_CORS, as JSON', () => {
    const variables = environmentOf(built.template, functionId(built.template, 'items'));
    expect(JSON.parse(variables[CORS_ENV])).toEqual({
      allowOrigins: [APP],
      allowCredentials: false,
      exposeHeaders: [],
    });
    expect(ServerlessApi.TABLE_NAME_ENV in variables).toBe(true);
  });
});

describe('CORS options on a REST API', () => {
  /** The response parameters of the API's gateway responses, which must be the same for 4xx and 5xx. */
  function gatewayResponseHeaders(template: Template): { [name: string]: string } {
    const found = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(found.map((r) => r.Properties.ResponseType).sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
    expect(found[0].Properties.ResponseParameters).toEqual(found[1].Properties.ResponseParameters);
    return found[0].Properties.ResponseParameters;
  }

  test('GIVEN any origin THEN error responses allow "*", without Vary', () => {
    const { template } = buildRest({ cors: { allowOrigins: ['*'] } });
    expect(gatewayResponseHeaders(template)).toEqual({ 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" });
  });

  test("GIVEN several origins THEN error responses echo the request's Origin, with Vary", () => {
    const { template } = buildRest({ cors: { allowOrigins: [APP, 'https://admin.example.com'] } });
    expect(gatewayResponseHeaders(template)).toEqual({
      'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
      'gatewayresponse.header.Vary': "'Origin'",
    });
  });

  test('GIVEN credentials and exposed headers THEN error responses and preflights carry them, and so does the variable', () => {
    // GIVEN / WHEN
    const { template } = buildRest({
      cors: {
        allowOrigins: [APP],
        allowCredentials: true,
        exposeHeaders: ['X-Request-Id', 'ETag'],
        allowHeaders: ['Content-Type'],
        allowMethods: [HttpMethod.GET, HttpMethod.POST],
        maxAge: Duration.minutes(1),
      },
    });

    // THEN
    expect(gatewayResponseHeaders(template)).toEqual({
      'gatewayresponse.header.Access-Control-Allow-Origin': `'${APP}'`,
      'gatewayresponse.header.Vary': "'Origin'",
      'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
      'gatewayresponse.header.Access-Control-Expose-Headers': "'X-Request-Id,ETag'",
    });
    expect(method(template, 'OPTIONS /items/{itemId}').Integration.IntegrationResponses[0].ResponseParameters).toEqual({
      'method.response.header.Access-Control-Allow-Headers': "'Content-Type'",
      'method.response.header.Access-Control-Allow-Origin': `'${APP}'`,
      'method.response.header.Vary': "'Origin'",
      'method.response.header.Access-Control-Allow-Methods': "'GET,POST'",
      'method.response.header.Access-Control-Allow-Credentials': "'true'",
      'method.response.header.Access-Control-Max-Age': "'60'",
      'method.response.header.Access-Control-Expose-Headers': "'X-Request-Id,ETag'",
    });
    expect(JSON.parse(environmentOf(template, functionId(template, 'items'))[CORS_ENV])).toEqual({
      allowOrigins: [APP],
      allowCredentials: true,
      exposeHeaders: ['X-Request-Id', 'ETag'],
    });
  });

  test('GIVEN no cors THEN there is no preflight method, no gateway response and no SERVERLESS_API_CORS', () => {
    const { template } = buildRest();
    expect(Object.keys(methods(template))).toEqual(['GET /items/{itemId}']);
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 0);
    expect(environmentOf(template, functionId(template, 'items'))[CORS_ENV]).toBeUndefined();
  });
});

describe('CORS on an HTTP API', () => {
  function corsConfiguration(template: Template): unknown {
    return resources(template)[logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')].Properties
      .CorsConfiguration;
  }

  test('GIVEN one origin THEN API Gateway answers with the default headers, methods and max age', () => {
    // GIVEN / WHEN
    const { template } = buildApi({ cors: { allowOrigins: [APP] } });

    // THEN
    expect(corsConfiguration(template)).toEqual({
      AllowOrigins: [APP],
      AllowHeaders: ['Content-Type', 'Authorization', 'X-Api-Key', 'Idempotency-Key'],
      AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'],
      AllowCredentials: false,
      MaxAge: 600,
    });
  });

  test('GIVEN every option THEN API Gateway uses them', () => {
    const { template } = buildApi({
      cors: {
        allowOrigins: [APP, 'https://admin.example.com'],
        allowHeaders: ['Content-Type', 'X-Tenant'],
        allowMethods: [HttpMethod.GET, HttpMethod.DELETE],
        exposeHeaders: ['ETag'],
        allowCredentials: true,
        maxAge: Duration.hours(1),
      },
    });
    expect(corsConfiguration(template)).toEqual({
      AllowOrigins: [APP, 'https://admin.example.com'],
      AllowHeaders: ['Content-Type', 'X-Tenant'],
      AllowMethods: ['GET', 'DELETE'],
      ExposeHeaders: ['ETag'],
      AllowCredentials: true,
      MaxAge: 3600,
    });
  });

  test('does not set SERVERLESS_API_CORS: the HTTP API adds the headers to responses itself', () => {
    const { template } = buildApi({ cors: { allowOrigins: [APP] } });
    const id = logicalId(template, 'AWS::Lambda::Function', 'ApiFunctionsitemsFunction');
    expect(environmentOf(template, id)[CORS_ENV]).toBeUndefined();
    expect(ServerlessApi.TABLE_NAME_ENV in environmentOf(template, id)).toBe(true);
  });

  test('GIVEN no cors THEN the HTTP API has no CORS configuration', () => {
    const { template } = buildApi();
    expect(corsConfiguration(template)).toBeUndefined();
  });
});
