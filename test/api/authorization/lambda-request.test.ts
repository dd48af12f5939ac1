import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiAuthorization, AuthorizationType } from '../../../src';
import { LambdaRequestAuthorization } from '../../../src/api/authorization/lambda-request';
import {
  buildApi,
  BuiltApi,
  fn,
  functionIds,
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
} from '../../helpers/api';
import { buildRest, functionId, method, restApiId } from '../../helpers/rest-api';

describe('an API-wide Lambda authorizer bundled from an entry', () => {
  let built: BuiltApi;
  let authorizerId: string;
  let authorizerFunctionId: string;
  let roleId: string;
  let logGroupId: string;
  beforeAll(() => {
    // GIVEN ApiAuthorization.lambdaRequest({ entry }) and two functions with three routes
    built = buildApi({
      authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
      logRetention: logs.RetentionDays.TWO_WEEKS,
      functions: {
        items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.POST, '/items')]),
        orders: fn([route(HttpMethod.GET, '/orders')]),
      },
    });
    authorizerId = logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', 'ApiLambdaAuthorizer');
    authorizerFunctionId = logicalId(built.template, 'AWS::Lambda::Function', 'ApiLambdaAuthorizerFunction');
    roleId = logicalId(built.template, 'AWS::IAM::Role', 'ApiLambdaAuthorizerFunctionRole');
    logGroupId = logicalId(built.template, 'AWS::Logs::LogGroup', 'ApiLambdaAuthorizerFunctionLogs');
  });

  test('is one request authorizer with simple responses, payload 2.0 and a 5-minute cache on the Authorization header', () => {
    built.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    expect(resources(built.template)[authorizerId].Properties).toEqual({
      ApiId: ref(logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')),
      AuthorizerType: 'REQUEST',
      Name: 'lambda',
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerUri: invocationUri(getAtt(authorizerFunctionId)),
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 300,
      AuthorizerCredentialsArn: getAtt(logicalId(built.template, 'AWS::IAM::Role', 'ApiInvokeRole')),
    });
  });

  test('authorizes every route as CUSTOM', () => {
    built.template.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Route',
      { AuthorizationType: 'CUSTOM', AuthorizerId: ref(authorizerId) },
      3,
    );
  });

  test("is invoked through the API's invoke role, with no Lambda permission", () => {
    const statements = inlineStatements(built.template, logicalId(built.template, 'AWS::IAM::Role', 'ApiInvokeRole'));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        // In build order: the authorizer is built with the first route that needs it.
        Resource: [
          getAtt(functionIds(built.template, 'items').function),
          getAtt(authorizerFunctionId),
          getAtt(functionIds(built.template, 'orders').function),
        ],
      },
    ]);
    built.template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  test('is a traced, JSON-logging Node.js function with its own log group kept as long as the API logs', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 10,
      TracingConfig: { Mode: 'Active' },
      Role: getAtt(roleId),
      // Its log lines carry its authorizer's name ("lambda" unless named): Powertools' service name.
      Environment: {
        Variables: Match.exact({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'lambda' }),
      },
    });
    expect(resources(built.template)[authorizerFunctionId].Properties.LoggingConfig).toEqual({
      LogFormat: 'JSON',
      ApplicationLogLevel: 'INFO',
      SystemLogLevel: 'INFO',
      LogGroup: ref(logGroupId),
    });
    expect(resources(built.template)[logGroupId].Properties).toEqual({ RetentionInDays: 14 });
  });

  test('has a role that may only write its own log group and send traces', () => {
    const role = resources(built.template)[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(inlineStatements(built.template, roleId)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt(logGroupId),
      },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    ]);
    built.template.resourcePropertiesCountIs('AWS::IAM::Policy', { Roles: [ref(roleId)] }, 0);
  });
});

describe('Lambda authorizer options', () => {
  test('GIVEN an existing function THEN it is invoked through the invoke role and nothing is bundled', () => {
    // GIVEN
    const stack = newStack();
    const handler = lambda.Function.fromFunctionArn(
      stack,
      'Authorizer',
      'arn:aws:lambda:eu-west-1:123456789012:function:authorizer',
    );

    // WHEN
    const { template } = buildApi(
      { authorization: ApiAuthorization.lambdaRequest({ authorizerFunction: handler }) },
      stack,
    );

    // THEN
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerUri: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':apigateway:',
            { Ref: 'AWS::Region' },
            ':lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:authorizer/invocations',
          ],
        ],
      },
      AuthorizerCredentialsArn: getAtt(logicalId(template, 'AWS::IAM::Role', 'ApiInvokeRole')),
    });
    const statements = inlineStatements(template, logicalId(template, 'AWS::IAM::Role', 'ApiInvokeRole'));
    expect(statements[0].Resource).toEqual([
      getAtt(functionIds(template, 'items').function),
      'arn:aws:lambda:eu-west-1:123456789012:function:authorizer',
    ]);
  });

  test('GIVEN identity sources, a cache TTL and a name THEN the authorizer uses them', () => {
    const { template } = buildApi({
      authorization: ApiAuthorization.lambdaRequest({
        entry: HANDLER_ENTRY,
        identitySource: ['$request.header.X-Api-Key', '$context.sourceIp'],
        resultsCacheTtl: Duration.hours(1),
        authorizerName: 'api-keys',
      }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      Name: 'api-keys',
      IdentitySource: ['$request.header.X-Api-Key', '$context.sourceIp'],
      AuthorizerResultTtlInSeconds: 3600,
    });
  });

  test('GIVEN caching off and no identity source THEN the authorizer reads nothing up front', () => {
    const { template } = buildApi({
      authorization: ApiAuthorization.lambdaRequest({
        entry: HANDLER_ENTRY,
        identitySource: [],
        resultsCacheTtl: Duration.seconds(0),
      }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: Match.absent(),
    });
  });

  test("GIVEN functionDefaults THEN the bundled authorizer takes them, its timeout capped at API Gateway's 10 seconds", () => {
    const { template } = buildApi({
      authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
      functionDefaults: { memorySize: 256, timeout: Duration.seconds(20), architecture: lambda.Architecture.X86_64 },
    });
    const authorizerFunction = logicalId(template, 'AWS::Lambda::Function', 'ApiLambdaAuthorizerFunction');
    expect(resources(template)[authorizerFunction].Properties).toMatchObject({
      MemorySize: 256,
      Timeout: 10,
      Architectures: ['x86_64'],
    });
  });

  describe('GIVEN functionDefaults with tracing off and both log levels, and a route function with settings of its own', () => {
    let built: BuiltApi;
    let authorizerFunction: string;
    let authorizerRole: string;
    let authorizerLogs: string;
    beforeAll(() => {
      // GIVEN
      built = buildApi({
        authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
        functionDefaults: {
          tracing: false,
          logLevel: lambda.ApplicationLogLevel.WARN,
          systemLogLevel: lambda.SystemLogLevel.DEBUG,
        },
        functions: {
          items: fn([route(HttpMethod.GET, '/items')], {
            tracing: true,
            logLevel: lambda.ApplicationLogLevel.ERROR,
            systemLogLevel: lambda.SystemLogLevel.INFO,
          }),
        },
      });
      authorizerFunction = logicalId(built.template, 'AWS::Lambda::Function', 'ApiLambdaAuthorizerFunction');
      authorizerRole = logicalId(built.template, 'AWS::IAM::Role', 'ApiLambdaAuthorizerFunctionRole');
      authorizerLogs = logicalId(built.template, 'AWS::Logs::LogGroup', 'ApiLambdaAuthorizerFunctionLogs');
    });

    test("THEN the bundled authorizer logs at functionDefaults' levels, not the route function's", () => {
      expect(resources(built.template)[authorizerFunction].Properties.LoggingConfig).toEqual({
        LogFormat: 'JSON',
        ApplicationLogLevel: 'WARN',
        SystemLogLevel: 'DEBUG',
        LogGroup: ref(authorizerLogs),
      });
    });

    test('THEN the bundled authorizer is not traced and its role may only write its own log group', () => {
      expect(resources(built.template)[authorizerFunction].Properties.TracingConfig).toBeUndefined();
      expect(inlineStatements(built.template, authorizerRole)).toEqual([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt(authorizerLogs) },
      ]);
      built.template.resourcePropertiesCountIs('AWS::IAM::Policy', { Roles: [ref(authorizerRole)] }, 0);
    });

    test('THEN the route function keeps its own settings', () => {
      const ids = functionIds(built.template, 'items');
      expect(resources(built.template)[ids.function].Properties).toMatchObject({
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { ApplicationLogLevel: 'ERROR', SystemLogLevel: 'INFO' },
      });
    });
  });

  test('GIVEN a shorter default timeout THEN the bundled authorizer keeps it', () => {
    const { template } = buildApi({
      authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
      functionDefaults: { timeout: Duration.seconds(3) },
    });
    const authorizerFunction = logicalId(template, 'AWS::Lambda::Function', 'ApiLambdaAuthorizerFunction');
    expect(resources(template)[authorizerFunction].Properties.Timeout).toBe(3);
  });

  test('GIVEN a Lambda authorizer on one route of a JWT API THEN only that route is CUSTOM', () => {
    const keys = ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY });
    const { template } = buildApi({
      functions: {
        items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.GET, '/partner/items', { authorization: keys })]),
      },
    });
    const jwtId = logicalId(template, 'AWS::ApiGatewayV2::Authorizer', 'ApiJwtAuthorizer');
    const lambdaId = logicalId(template, 'AWS::ApiGatewayV2::Authorizer', 'ApiLambdaAuthorizer');
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /items',
      AuthorizationType: 'JWT',
      AuthorizerId: ref(jwtId),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /partner/items',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: ref(lambdaId),
    });
  });

  test('GIVEN two Lambda authorizations THEN the second gets suffixed ids and name, and its own function', () => {
    const first = ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY });
    const second = ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY });
    const { template } = buildApi({
      authorization: first,
      functions: {
        items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.GET, '/other', { authorization: second })]),
      },
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 2);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { Name: 'lambda' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { Name: 'lambda2' });
    logicalId(template, 'AWS::Lambda::Function', 'ApiLambdaAuthorizer2Function');
    logicalId(template, 'AWS::ApiGatewayV2::Authorizer', 'ApiLambdaAuthorizer2');
  });
});

describe('ApiAuthorization.lambdaRequest()', () => {
  test('keeps its settings', () => {
    const props = { entry: HANDLER_ENTRY, resultsCacheTtl: Duration.minutes(1) };
    const authorization = ApiAuthorization.lambdaRequest(props);
    expect(authorization.type).toBe(AuthorizationType.LAMBDA);
    expect(authorization._kind).toBeInstanceOf(LambdaRequestAuthorization);
    expect((authorization._kind as LambdaRequestAuthorization).props).toEqual(props);
  });
});

const AUTHORIZER = 'AWS::ApiGateway::Authorizer';

/** A method's authorization, as [AuthorizationType, AuthorizerId, AuthorizationScopes]. */
function authorizationOf(template: Template, key: string): unknown[] {
  const m = method(template, key);
  return [m.AuthorizationType, m.AuthorizerId, m.AuthorizationScopes];
}

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
