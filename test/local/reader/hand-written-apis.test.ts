import * as fs from 'fs';
import { CODE, httpApi, lambdaFunction, role, writeAssembly } from './assembly';
import { temporaryDir } from './fixtures';
import { LocalAppModel } from '../../../src/local/model';
import { readLocalApp } from '../../../src/local/reader';

/**
 * API shapes other constructs write, by hand: what API Gateway does with a setting left out, and REST settings
 * ServerlessApi never writes.
 */

let dir: string;
beforeEach(() => {
  dir = temporaryDir('reader-templates-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function read(template: { Resources: { [id: string]: unknown } }, options = {}): LocalAppModel {
  writeAssembly(dir, { Hand: { template } });
  return readLocalApp(dir, options);
}

describe('HTTP APIs', () => {
  test('GIVEN a $default route, a partial route setting and an integration timeout THEN each as API Gateway applies it', () => {
    const template = httpApi({
      Stage: {
        Type: 'AWS::ApiGatewayV2::Stage',
        Properties: {
          ApiId: { Ref: 'Api' },
          StageName: '$default',
          DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 60 },
          RouteSettings: { $default: { ThrottlingRateLimit: 5 } },
        },
      },
    });
    template.Resources.Route = {
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: { ApiId: { Ref: 'Api' }, RouteKey: '$default', Target: { 'Fn::Sub': 'integrations/${Integration}' } },
    };
    (template.Resources.Integration as any).Properties.TimeoutInMillis = 5000;
    const [route] = read(template).api.routes;
    expect(route).toEqual({
      method: 'ANY',
      path: '$default',
      routeKey: '$default',
      functionId: 'Fn',
      authorization: { type: 'NONE' },
      scopes: [],
      // The burst the route leaves unset is the stage's.
      throttle: { rateLimit: 5, burstLimit: 60 },
      integrationTimeoutMs: 5000,
      apiKeyRequired: false,
      requiredParameters: { querystrings: [], headers: [] },
    });
  });

  test("GIVEN a JWT authorizer for a user pool of the stack THEN the issuer is the pool's, the audience its client", () => {
    const template = httpApi({
      Pool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
      Client: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'Pool' } } },
      Jwt: {
        Type: 'AWS::ApiGatewayV2::Authorizer',
        Properties: {
          ApiId: { Ref: 'Api' },
          AuthorizerType: 'JWT',
          Name: 'pool',
          IdentitySource: ['$request.header.Authorization'],
          JwtConfiguration: {
            Issuer: {
              'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: 'Pool' }]],
            },
            Audience: [{ Ref: 'Client' }],
          },
        },
      },
    });
    Object.assign((template.Resources.Route as any).Properties, {
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: 'Jwt' },
      AuthorizationScopes: ['orders/read'],
    });
    const app = read(template);
    const authorizer = app.api.authorizers.Jwt;
    expect(authorizer).toEqual({
      kind: 'jwt',
      id: 'Jwt',
      name: 'pool',
      issuer: expect.stringMatching(/^https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/us-east-1_[A-Za-z0-9]{9}$/),
      audience: [expect.stringMatching(/^[a-z0-9]{26}$/)],
      identitySource: ['$request.header.Authorization'],
    });
    expect(app.api.routes[0].authorization).toEqual({ type: 'AUTHORIZER', authorizerId: 'Jwt' });
    expect(app.api.routes[0].scopes).toEqual(['orders/read']);
  });
});

describe('Lambda authorizers without a cache TTL', () => {
  const uri = { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations' };

  test('GIVEN REST TOKEN and REQUEST authorizers without a TTL THEN 300 seconds, identity sources split at commas', () => {
    // https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html: "If this field is not set, the default
    // value is 300"; a REQUEST authorizer's identity source is a comma-separated list of mapping expressions.
    const authorizer = (Type: string, IdentitySource: string) => ({
      Type: 'AWS::ApiGateway::Authorizer',
      Properties: { RestApiId: { Ref: 'Api' }, Type, Name: Type.toLowerCase(), AuthorizerUri: uri, IdentitySource },
    });
    const app = read(
      restApi({
        Token: authorizer('TOKEN', 'method.request.header.Auth'),
        Request: authorizer('REQUEST', 'method.request.header.Auth, method.request.querystring.tenant'),
      }),
    );
    expect(app.api.authorizers).toEqual({
      Token: {
        kind: 'lambda-token',
        id: 'Token',
        name: 'token',
        functionId: 'Fn',
        identitySource: 'method.request.header.Auth',
        resultTtlSeconds: 300,
      },
      Request: {
        kind: 'lambda-request',
        id: 'Request',
        name: 'request',
        functionId: 'Fn',
        identitySource: ['method.request.header.Auth', 'method.request.querystring.tenant'],
        resultTtlSeconds: 300,
        simpleResponses: false,
      },
    });
  });

  test('GIVEN an HTTP request authorizer without a TTL or simple responses THEN no caching and IAM-policy answers', () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html: simple responses
    // are opt-in. AWS documents no default TTL for HTTP APIs: locally nothing is cached.
    const app = read(
      httpApi({
        Lambda: {
          Type: 'AWS::ApiGatewayV2::Authorizer',
          Properties: {
            ApiId: { Ref: 'Api' },
            AuthorizerType: 'REQUEST',
            Name: 'v1',
            AuthorizerUri: uri,
            AuthorizerPayloadFormatVersion: '1.0',
          },
        },
      }),
    );
    expect(app.api.authorizers.Lambda).toEqual({
      kind: 'lambda-request',
      id: 'Lambda',
      name: 'v1',
      functionId: 'Fn',
      identitySource: [],
      resultTtlSeconds: 0,
      payloadFormatVersion: '1.0',
      simpleResponses: false,
    });
  });
});

/** A REST API with one resource `/a`, its stage `live`, and `resources` on top. */
function restApi(resources: { [id: string]: unknown }): { Resources: { [id: string]: unknown } } {
  const uri = {
    'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations',
  };
  const method = (httpMethod: string, extra: object = {}) => ({
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: { Ref: 'Api' },
      ResourceId: { Ref: 'A' },
      HttpMethod: httpMethod,
      AuthorizationType: 'NONE',
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: uri },
      ...extra,
    },
  });
  return {
    Resources: {
      Api: {
        Type: 'AWS::ApiGateway::RestApi',
        Properties: { Name: 'hand', BinaryMediaTypes: ['image~1png', 'application/octet-stream'] },
      },
      A: {
        Type: 'AWS::ApiGateway::Resource',
        Properties: { RestApiId: { Ref: 'Api' }, ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: 'a' },
      },
      Get: method('GET'),
      Put: method('PUT'),
      Delete: method('DELETE', { Integration: { Type: 'AWS_PROXY', Uri: uri, TimeoutInMillis: 50000 } }),
      Stage: {
        Type: 'AWS::ApiGateway::Stage',
        Properties: { RestApiId: { Ref: 'Api' }, StageName: 'live', DeploymentId: 'd' },
      },
      Fn: lambdaFunction({ Code: CODE }),
      Role: role(),
      ...resources,
    },
  };
}

describe('REST APIs', () => {
  test('GIVEN method settings for the stage, a resource and a method THEN each method takes the most specific one', () => {
    // https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html: method settings by `{resource_path}/{http_method}`,
    // `/*/*` for every method of the stage; CloudFormation escapes the path's `/` as `~1`:
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-stage-methodsetting.html
    const setting = (ResourcePath: string, HttpMethod: string, rate: number) => ({
      ResourcePath,
      HttpMethod,
      ThrottlingRateLimit: rate,
      ThrottlingBurstLimit: rate * 2,
    });
    const app = read(
      restApi({
        Stage: {
          Type: 'AWS::ApiGateway::Stage',
          Properties: {
            RestApiId: { Ref: 'Api' },
            StageName: 'live',
            MethodSettings: [setting('/*', '*', 100), setting('/~1a', '*', 20), setting('/~1a', 'GET', 10)],
          },
        },
      }),
    );
    expect(app.api.throttle).toEqual({ rateLimit: 100, burstLimit: 200 });
    expect(Object.fromEntries(app.api.routes.map((route) => [route.routeKey, route.throttle]))).toEqual({
      'GET /a': { rateLimit: 10, burstLimit: 20 },
      'PUT /a': { rateLimit: 20, burstLimit: 40 },
      'DELETE /a': { rateLimit: 20, burstLimit: 40 },
    });
  });

  test('GIVEN binary media types, a raised integration timeout and a MOCK method THEN each is read, the MOCK left out', () => {
    const app = read(
      restApi({
        Mock: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ResourceId: { Ref: 'A' },
            HttpMethod: 'POST',
            AuthorizationType: 'NONE',
            Integration: { Type: 'MOCK' },
          },
        },
      }),
    );
    expect(app.api.stageName).toBe('live');
    expect(app.api.throttle).toBeUndefined();
    expect(app.api.binaryMediaTypes).toEqual(['image/png', 'application/octet-stream']);
    expect(app.api.routes.find((route) => route.method === 'DELETE')?.integrationTimeoutMs).toBe(50000);
    expect(app.api.routes.map((route) => route.routeKey)).toEqual(['GET /a', 'PUT /a', 'DELETE /a']);
    expect(app.warnings).toEqual([
      'method POST /a (Mock): its integration is not a Lambda function of this stack, so the local API leaves the method out',
    ]);
  });

  test('GIVEN a validator of the body only THEN the model applies and the required parameters do not', () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html:
    // API Gateway checks only what the method's request validator turns on.
    const schema = { type: 'object', required: ['name'] };
    const app = read(
      restApi({
        Put: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ResourceId: { Ref: 'A' },
            HttpMethod: 'PUT',
            AuthorizationType: 'NONE',
            Integration: { Type: 'AWS_PROXY', Uri: { 'Fn::GetAtt': ['Fn', 'Arn'] } },
            RequestModels: { 'application/json': { Ref: 'Model' } },
            RequestParameters: { 'method.request.querystring.q': true },
            RequestValidatorId: { Ref: 'BodyOnly' },
          },
        },
        Model: {
          Type: 'AWS::ApiGateway::Model',
          Properties: { RestApiId: { Ref: 'Api' }, ContentType: 'application/json', Schema: JSON.stringify(schema) },
        },
        BodyOnly: {
          Type: 'AWS::ApiGateway::RequestValidator',
          Properties: { RestApiId: { Ref: 'Api' }, ValidateRequestBody: true },
        },
      }),
    );
    const put = app.api.routes.find((route) => route.method === 'PUT')!;
    expect(put.requestModel).toEqual(schema);
    expect(put.requiredParameters).toEqual({ querystrings: [], headers: [] });
  });

  test('GIVEN an API key with a value and no Enabled, per-method plan throttles and a gateway response status THEN each', () => {
    const app = read(
      restApi({
        Plan: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: {
            ApiStages: [
              { ApiId: { Ref: 'Api' }, Stage: 'live', Throttle: { '/a/GET': { RateLimit: 1, BurstLimit: 2 } } },
            ],
            Quota: { Limit: 10, Period: 'WEEK', Offset: 1 },
          },
        },
        Key: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Value: 'abcdefghij0123456789' } },
        PlanKey: {
          Type: 'AWS::ApiGateway::UsagePlanKey',
          Properties: { KeyId: { Ref: 'Key' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } },
        },
        Expired: {
          Type: 'AWS::ApiGateway::GatewayResponse',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ResponseType: 'EXPIRED_TOKEN',
            StatusCode: '401',
            ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
          },
        },
      }),
    );
    expect(app.api.usagePlans).toEqual([
      {
        id: 'Plan',
        name: 'Hand-Plan',
        quota: { limit: 10, period: 'WEEK', offset: 1 },
        apiKeyIds: ['Key'],
        methodThrottles: { '/a/GET': { rateLimit: 1, burstLimit: 2 } },
      },
    ]);
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-apikey.html: Enabled
    // defaults to false.
    expect(app.api.apiKeys).toEqual([{ id: 'Key', name: 'Hand-Key', value: 'abcdefghij0123456789', enabled: false }]);
    expect(app.api.gatewayResponses).toEqual({
      EXPIRED_TOKEN: { statusCode: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
    });
  });
});
