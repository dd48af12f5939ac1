import { Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiAuthorization, ApiCacheSize, ApiType, ServerlessApi } from '../../../src';
import { REST_ACCESS_LOG_FORMAT } from '../../../src/api/access-log';
import {
  buildApi,
  BuiltApi,
  CfnResource,
  expectError,
  fn,
  getAtt,
  HANDLER_ENTRY,
  inlineStatements,
  logicalId,
  ref,
  resources,
  route,
  invocationUri,
  invokeRoleId,
} from '../../helpers/api';
import { buildRest, functionId, method, methods, restApiId } from '../../helpers/rest-api';

const REST_API = 'AWS::ApiGateway::RestApi';
const STAGE = 'AWS::ApiGateway::Stage';
const WEB_ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/0123abcd-0123-4567-89ab-0123456789ab';

function stageId(template: Template): string {
  const ids = Object.keys(template.findResources(STAGE));
  expect(ids).toHaveLength(1);
  return ids[0];
}

function stage(template: Template): CfnResource {
  return resources(template)[stageId(template)];
}

function methodSettings(template: Template): any[] {
  return stage(template).Properties.MethodSettings;
}

/** The method setting of one route (`ResourcePath` as CloudFormation escapes it). */
function methodSetting(template: Template, httpMethod: string, resourcePath: string): any {
  const found = methodSettings(template).filter((s) => s.HttpMethod === httpMethod && s.ResourcePath === resourcePath);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The Lambda proxy integration of a route function, through the invoke role. */
function proxyIntegration(template: Template, name: string, extra: object = {}): object {
  return {
    Type: 'AWS_PROXY',
    IntegrationHttpMethod: 'POST',
    Credentials: getAtt(invokeRoleId(template)),
    Uri: invocationUri(getAtt(functionId(template, name))),
    ...extra,
  };
}

describe('the REST API and its stage by default', () => {
  let built: BuiltApi;
  beforeAll(() => {
    // GIVEN apiType REST and two functions with three routes
    built = buildRest({
      functions: {
        items: fn([route(HttpMethod.GET, '/items/{itemId}'), route(HttpMethod.POST, '/items')], {
          accessPatterns: ['getItem', 'putItem'],
        }),
        orders: fn([route(HttpMethod.GET, '/orders')]),
      },
    });
  });

  test('is one REGIONAL REST API named after its construct path, reading API keys from the header, and no HTTP API', () => {
    built.template.resourceCountIs(REST_API, 1);
    built.template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    expect(resources(built.template)[restApiId(built.template)].Properties).toEqual({
      Name: expect.stringMatching(/^TestApi[0-9A-F]{8}$/),
      EndpointConfiguration: { Types: ['REGIONAL'] },
      ApiKeySourceType: 'HEADER',
    });
    expect(built.api.apiType).toBe(ApiType.REST);
    expect(built.api.httpApi).toBeUndefined();
    expect(built.stack.resolve(built.api.restApi!.restApiId)).toEqual(ref(restApiId(built.template)));
    expect(built.stack.resolve(built.api.apiId)).toEqual(ref(restApiId(built.template)));
  });

  test('is named after the apiName prop when given', () => {
    const { template } = buildRest({ apiName: 'orders-api' });
    template.hasResourceProperties(REST_API, { Name: 'orders-api' });
  });

  test("does not set the account's CloudWatch role: no AWS::ApiGateway::Account, no role but the invoke role for API Gateway", () => {
    built.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const apiGatewayRoles = Object.keys(
      built.template.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
          },
        },
      }),
    );
    expect(apiGatewayRoles).toEqual([invokeRoleId(built.template)]);
  });

  test('adds no CloudFormation output (RestApi would add an `Endpoint` one)', () => {
    expect(built.template.toJSON().Outputs).toBeUndefined();
    expect(built.api.restApi!.node.tryFindChild('Endpoint')).toBeUndefined();
  });

  test('has one stage, prod, of the latest deployment, traced with X-Ray', () => {
    built.template.resourceCountIs('AWS::ApiGateway::Deployment', 1);
    const deploymentId = Object.keys(built.template.findResources('AWS::ApiGateway::Deployment'))[0];
    expect(stage(built.template).Properties).toEqual(
      expect.objectContaining({
        RestApiId: ref(restApiId(built.template)),
        DeploymentId: ref(deploymentId),
        StageName: 'prod',
        TracingEnabled: true,
      }),
    );
    expect(built.stack.resolve(built.api.url)).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          ref(restApiId(built.template)),
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          ref(stageId(built.template)),
          '/',
        ],
      ],
    });
  });

  test('GIVEN functionDefaults.tracing false THEN the stage is not traced', () => {
    const { template } = buildRest({ functionDefaults: { tracing: false } });
    expect(stage(template).Properties.TracingEnabled).toBe(false);
  });

  test('writes the access log to its own log group, kept 30 days', () => {
    const logGroupId = logicalId(built.template, 'AWS::Logs::LogGroup', 'ApiAccessLogs');
    expect(stage(built.template).Properties.AccessLogSetting).toEqual({
      DestinationArn: getAtt(logGroupId),
      Format: expect.any(String),
    });
    expect(resources(built.template)[logGroupId].Properties).toEqual({ RetentionInDays: 30 });
    expect(built.stack.resolve(built.api.accessLogGroup.logGroupArn)).toEqual(getAtt(logGroupId));
  });

  test("logs one JSON object per request with REST's context variables, every field a string", () => {
    // GIVEN the format API Gateway fills in, with "-" for each $context variable
    const format: string = stage(built.template).Properties.AccessLogSetting.Format;
    const line = format.replace(/\$context\.[A-Za-z.]+/g, '-');

    // WHEN a log line is parsed
    const entry = JSON.parse(line);

    // THEN it has the REST fields, all strings
    expect(Object.keys(entry)).toEqual(Object.keys(REST_ACCESS_LOG_FORMAT));
    Object.entries(entry).forEach(([key, value]) => expect([key, typeof value]).toEqual([key, 'string']));
    expect(JSON.parse(format)).toEqual(REST_ACCESS_LOG_FORMAT);
    expect(JSON.parse(format)).toEqual(
      expect.objectContaining({
        apiId: '$context.apiId',
        status: '$context.status',
        routeKey: '$context.httpMethod $context.resourcePath',
        integrationStatus: '$context.integration.status',
        integrationError: '$context.integration.error',
        apiKeyId: '$context.identity.apiKeyId',
        wafStatus: '$context.waf.status',
        errorType: '$context.error.responseType',
        validationError: '$context.error.validationErrorString',
      }),
    );
  });

  test('throttles every method at 100 requests per second with bursts of 200, and no route on its own', () => {
    expect(methodSettings(built.template)).toEqual([
      {
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 100,
        ThrottlingBurstLimit: 200,
        DataTraceEnabled: false,
      },
    ]);
    const props = stage(built.template).Properties;
    expect([props.CacheClusterEnabled, props.CacheClusterSize]).toEqual([undefined, undefined]);
  });

  test('has one method per route, on one resource per path segment', () => {
    expect(Object.keys(methods(built.template)).sort()).toEqual(['GET /items/{itemId}', 'GET /orders', 'POST /items']);
    expect(
      Object.values(built.template.findResources('AWS::ApiGateway::Resource'))
        .map((r) => r.Properties.PathPart)
        .sort(),
    ).toEqual(['items', 'orders', '{itemId}']);
  });

  test("calls each route's function with a Lambda proxy integration (POST) through the invoke role", () => {
    const t = built.template;
    expect(method(t, 'GET /items/{itemId}')).toEqual({
      RestApiId: ref(restApiId(t)),
      ResourceId: expect.objectContaining({ Ref: expect.stringMatching(/^ApiRestApiitemsitemId/) }),
      HttpMethod: 'GET',
      AuthorizationType: 'AWS_IAM',
      ApiKeyRequired: false,
      Integration: proxyIntegration(t, 'items'),
    });
    expect(method(t, 'POST /items').Integration).toEqual(proxyIntegration(t, 'items'));
    expect(method(t, 'GET /orders').Integration).toEqual(proxyIntegration(t, 'orders'));
  });

  test("integrates every route of a function the same way, and another function's routes with that function", () => {
    const t = built.template;
    expect(method(t, 'GET /items/{itemId}').Integration).toEqual(method(t, 'POST /items').Integration);
    expect(method(t, 'GET /orders').Integration).not.toEqual(method(t, 'GET /items/{itemId}').Integration);
  });

  test('adds no Lambda permission: the invoke role may invoke exactly the route functions', () => {
    built.template.resourceCountIs('AWS::Lambda::Permission', 0);
    expect(inlineStatements(built.template, invokeRoleId(built.template))).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [getAtt(functionId(built.template, 'items')), getAtt(functionId(built.template, 'orders'))],
      },
    ]);
    built.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } }],
      },
      Description: 'Lets the API invoke its route functions, and nothing else',
    });
    expect(built.stack.resolve(built.api.invokeRole.roleArn)).toEqual(getAtt(invokeRoleId(built.template)));
  });

  test('has no usage plan, API key, request validator, model, web ACL, gateway response or execution log group', () => {
    const t = built.template;
    for (const type of [
      'AWS::ApiGateway::UsagePlan',
      'AWS::ApiGateway::ApiKey',
      'AWS::ApiGateway::UsagePlanKey',
      'AWS::ApiGateway::RequestValidator',
      'AWS::ApiGateway::Model',
      'AWS::ApiGateway::GatewayResponse',
      'AWS::WAFv2::WebACLAssociation',
    ]) {
      expect([type, Object.keys(t.findResources(type)).length]).toEqual([type, 0]);
    }
    t.resourcePropertiesCountIs('AWS::Logs::LogGroup', { LogGroupName: Match.anyValue() }, 0);
    expect(resources(t)[restApiId(t)].Properties.MinimumCompressionSize).toBeUndefined();
    expect(built.api.usagePlans).toEqual({});
    expect(built.api.apiKeys).toEqual({});
  });
});

describe('stage throttling overrides', () => {
  test('GIVEN throttle rate and burst THEN every method uses both', () => {
    const { template } = buildRest({ throttle: { rateLimit: 10, burstLimit: 20 } });
    expect(methodSetting(template, '*', '/*')).toEqual(
      expect.objectContaining({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
    );
  });

  test('GIVEN only a rate THEN the burst stays at its default of 200', () => {
    const { template } = buildRest({ throttle: { rateLimit: 10 } });
    expect(methodSetting(template, '*', '/*')).toEqual(
      expect.objectContaining({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 200 }),
    );
  });
});

describe('route throttling', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN routes with their own throttling, one of them with a rate only, one at the root, one ANY
    ({ template } = buildRest({
      throttle: { rateLimit: 50, burstLimit: 80 },
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items/{itemId}', { throttle: { rateLimit: 5, burstLimit: 10 } }),
          route(HttpMethod.POST, '/items', { throttle: { rateLimit: 2 } }),
          route(HttpMethod.GET, '/', { throttle: { burstLimit: 3 } }),
          route(HttpMethod.ANY, '/proxy/{path+}', { throttle: { rateLimit: 7, burstLimit: 7 } }),
          route(HttpMethod.DELETE, '/items/{itemId}'),
        ]),
      },
    }));
  });

  test("is a method setting on the route's resource path, escaped as CloudFormation wants it (/~1items~1{itemId})", () => {
    expect(methodSetting(template, 'GET', '/~1items~1{itemId}')).toEqual({
      HttpMethod: 'GET',
      ResourcePath: '/~1items~1{itemId}',
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 10,
    });
  });

  test("fills in the stage's burst or rate where the route gives only one", () => {
    expect(methodSetting(template, 'POST', '/~1items')).toEqual({
      HttpMethod: 'POST',
      ResourcePath: '/~1items',
      ThrottlingRateLimit: 2,
      ThrottlingBurstLimit: 80,
    });
    expect(methodSetting(template, 'GET', '/')).toEqual({
      HttpMethod: 'GET',
      ResourcePath: '/',
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 3,
    });
  });

  test('names an ANY route * and escapes a greedy path', () => {
    expect(methodSetting(template, '*', '/~1proxy~1{path+}')).toEqual({
      HttpMethod: '*',
      ResourcePath: '/~1proxy~1{path+}',
      ThrottlingRateLimit: 7,
      ThrottlingBurstLimit: 7,
    });
  });

  test('adds no setting for a route without throttling', () => {
    expect(methodSettings(template)).toHaveLength(5);
    expect(methodSettings(template).filter((s) => s.HttpMethod === 'DELETE')).toEqual([]);
  });
});

describe('usage plans and API keys', () => {
  let built: BuiltApi;
  let apiId: string;
  let basicId: string;
  let premiumId: string;
  beforeAll(() => {
    // GIVEN two usage plans, one with throttling, a quota, a description and two keys, one with a monthly quota
    built = buildRest({
      apiName: 'orders',
      throttle: { rateLimit: 50, burstLimit: 80 },
      usagePlans: {
        basic: {
          throttle: { rateLimit: 5, burstLimit: 10 },
          quota: { limit: 1000 },
          apiKeys: ['partner', 'mobile'],
          description: 'Partners',
        },
        premium: { quota: { limit: 100000, period: apigateway.Period.MONTH }, throttle: { rateLimit: 20 } },
      },
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items/{itemId}'),
          route(HttpMethod.GET, '/health', { apiKeyRequired: false, authorization: ApiAuthorization.none() }),
        ]),
      },
    });
    apiId = restApiId(built.template);
    basicId = logicalId(built.template, 'AWS::ApiGateway::UsagePlan', 'ApiUsagePlansbasic');
    premiumId = logicalId(built.template, 'AWS::ApiGateway::UsagePlan', 'ApiUsagePlanspremium');
  });

  test('creates one plan per entry, named <apiName>-<plan>, on the prod stage', () => {
    built.template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2);
    expect(resources(built.template)[basicId].Properties).toEqual({
      UsagePlanName: 'orders-basic',
      Description: 'Partners',
      Throttle: { RateLimit: 5, BurstLimit: 10 },
      Quota: { Limit: 1000, Period: 'DAY' },
      ApiStages: [expect.objectContaining({ ApiId: ref(apiId), Stage: ref(stageId(built.template)) })],
    });
  });

  test("counts a quota per day unless told otherwise, and fills a plan's partial throttle from the stage's", () => {
    expect(resources(built.template)[premiumId].Properties).toEqual({
      UsagePlanName: 'orders-premium',
      Throttle: { RateLimit: 20, BurstLimit: 80 },
      Quota: { Limit: 100000, Period: 'MONTH' },
      ApiStages: [expect.objectContaining({ ApiId: ref(apiId), Stage: ref(stageId(built.template)) })],
    });
  });

  test('creates each API key, named <apiName>-<key>, in its plan, without its value in the template', () => {
    built.template.resourceCountIs('AWS::ApiGateway::ApiKey', 2);
    built.template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 2);
    for (const key of ['partner', 'mobile']) {
      const keyId = logicalId(built.template, 'AWS::ApiGateway::ApiKey', `ApiUsagePlansbasicApiKey${key}`);
      expect(resources(built.template)[keyId].Properties).toEqual({ Name: `orders-${key}`, Enabled: true });
      built.template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
        KeyId: ref(keyId),
        KeyType: 'API_KEY',
        UsagePlanId: ref(basicId),
      });
    }
  });

  test('exposes the plans and the keys by name', () => {
    expect(Object.keys(built.api.usagePlans).sort()).toEqual(['basic', 'premium']);
    expect(built.stack.resolve(built.api.usagePlans.basic.usagePlanId)).toEqual(ref(basicId));
    expect(built.stack.resolve(built.api.usagePlans.premium.usagePlanId)).toEqual(ref(premiumId));
    expect(Object.keys(built.api.apiKeys).sort()).toEqual(['mobile', 'partner']);
    expect(built.stack.resolve(built.api.apiKeys.partner.keyId)).toEqual(
      ref(logicalId(built.template, 'AWS::ApiGateway::ApiKey', 'ApiUsagePlansbasicApiKeypartner')),
    );
  });

  test('requires an API key on every route unless it says apiKeyRequired: false', () => {
    expect(method(built.template, 'GET /items/{itemId}').ApiKeyRequired).toBe(true);
    expect(method(built.template, 'GET /health').ApiKeyRequired).toBe(false);
  });

  test('GIVEN no usage plans THEN no route requires an API key', () => {
    const { template } = buildRest();
    expect(method(template, 'GET /items/{itemId}').ApiKeyRequired).toBe(false);
  });
});

describe('request validation', () => {
  let template: Template;
  let validatorId: string;
  beforeAll(() => {
    // GIVEN a route with a body model, one with required parameters, and one with neither
    ({ template } = buildRest({
      functions: {
        items: fn([
          route(HttpMethod.POST, '/items', {
            requestModel: {
              type: apigateway.JsonSchemaType.OBJECT,
              required: ['title'],
              properties: { title: { type: apigateway.JsonSchemaType.STRING, maxLength: 200 } },
            },
          }),
          route(HttpMethod.GET, '/items', {
            requiredParameters: { querystrings: ['limit'], headers: ['X-Tenant'] },
          }),
          route(HttpMethod.GET, '/items/{itemId}'),
        ]),
      },
    }));
    validatorId = logicalId(template, 'AWS::ApiGateway::RequestValidator', 'ApiRestApiRequestValidator');
  });

  test('is one request validator checking both the body and the parameters', () => {
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 1);
    expect(resources(template)[validatorId].Properties).toEqual({
      RestApiId: ref(restApiId(template)),
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  test("makes a route's requestModel an application/json model of JSON schema draft 4", () => {
    template.resourceCountIs('AWS::ApiGateway::Model', 1);
    const modelId = logicalId(template, 'AWS::ApiGateway::Model', 'ApiRestApiitemsRoute0Model');
    expect(resources(template)[modelId].Properties).toEqual({
      RestApiId: ref(restApiId(template)),
      ContentType: 'application/json',
      Schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['title'],
        properties: { title: { type: 'string', maxLength: 200 } },
      },
    });
    expect(method(template, 'POST /items')).toEqual(
      expect.objectContaining({
        RequestModels: { 'application/json': ref(modelId) },
        RequestValidatorId: ref(validatorId),
      }),
    );
    expect(method(template, 'POST /items').RequestParameters).toBeUndefined();
  });

  test('makes required query strings and headers required method request parameters, validated', () => {
    expect(method(template, 'GET /items')).toEqual(
      expect.objectContaining({
        RequestParameters: { 'method.request.querystring.limit': true, 'method.request.header.X-Tenant': true },
        RequestValidatorId: ref(validatorId),
      }),
    );
    expect(method(template, 'GET /items').RequestModels).toBeUndefined();
  });

  test('leaves a route without either unvalidated', () => {
    const plain = method(template, 'GET /items/{itemId}');
    expect([plain.RequestValidatorId, plain.RequestModels, plain.RequestParameters]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('GIVEN no route needs validation THEN there is no validator and no model', () => {
    const { template: plain } = buildRest();
    plain.resourceCountIs('AWS::ApiGateway::RequestValidator', 0);
    plain.resourceCountIs('AWS::ApiGateway::Model', 0);
  });
});

describe('AWS WAF', () => {
  test('GIVEN webAclArn THEN the web ACL is associated with the prod stage', () => {
    // GIVEN / WHEN
    const { template } = buildRest({ webAclArn: WEB_ACL_ARN });

    // THEN
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: WEB_ACL_ARN,
      ResourceArn: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':apigateway:',
            { Ref: 'AWS::Region' },
            '::/restapis/',
            ref(restApiId(template)),
            '/stages/',
            ref(stageId(template)),
          ],
        ],
      },
    });
  });
});

describe('response compression', () => {
  test('GIVEN minCompressionSize THEN the REST API compresses responses from that many bytes', () => {
    const { template } = buildRest({ minCompressionSize: Size.kibibytes(1) });
    template.hasResourceProperties(REST_API, { MinimumCompressionSize: 1024 });
  });

  test('GIVEN minCompressionSize 0 THEN every response is compressed', () => {
    const { template } = buildRest({ minCompressionSize: Size.bytes(0) });
    template.hasResourceProperties(REST_API, { MinimumCompressionSize: 0 });
  });
});

describe('the response cache', () => {
  let template: Template;
  beforeAll(() => {
    // GIVEN a cache, a Lambda request authorizer reading a header and the source IP, and cached and uncached routes
    ({ template } = buildRest({
      cache: {},
      authorization: ApiAuthorization.lambdaRequest({
        entry: HANDLER_ENTRY,
        identitySource: ['$request.header.X-Session', '$context.identity.sourceIp'],
      }),
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items/{itemId}', {
            cache: { ttl: Duration.minutes(1), keyParameters: ['querystring.limit', 'header.Accept-Language'] },
          }),
          route(HttpMethod.GET, '/public/{category}/{id}', {
            authorization: ApiAuthorization.none(),
            cache: { ttl: Duration.minutes(5) },
          }),
          route(HttpMethod.GET, '/items'),
        ]),
      },
    }));
  });

  test('is a 0.5 GB cache cluster on the stage', () => {
    expect(stage(template).Properties).toEqual(
      expect.objectContaining({ CacheClusterEnabled: true, CacheClusterSize: '0.5' }),
    );
  });

  test('caches no method by default, and encrypts what is cached', () => {
    expect(methodSetting(template, '*', '/*')).toEqual({
      HttpMethod: '*',
      ResourcePath: '/*',
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
      DataTraceEnabled: false,
      CachingEnabled: false,
      CacheDataEncrypted: true,
    });
  });

  test("caches a route that sets `cache` for its ttl, encrypted, with a method setting on the route's path that keeps the stage's throttle", () => {
    expect(methodSetting(template, 'GET', '/~1items~1{itemId}')).toEqual({
      HttpMethod: 'GET',
      ResourcePath: '/~1items~1{itemId}',
      CachingEnabled: true,
      CacheTtlInSeconds: 60,
      CacheDataEncrypted: true,
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
    expect(methodSetting(template, 'GET', '/~1public~1{category}~1{id}')).toEqual({
      HttpMethod: 'GET',
      ResourcePath: '/~1public~1{category}~1{id}',
      CachingEnabled: true,
      CacheTtlInSeconds: 300,
      CacheDataEncrypted: true,
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
    expect(methodSettings(template)).toHaveLength(3);
  });

  test("keys an authorized route's cache by its path parameters, the authorizer's identity header and its own key parameters", () => {
    const cached = method(template, 'GET /items/{itemId}');
    expect(cached.Integration).toEqual(
      proxyIntegration(template, 'items', {
        CacheKeyParameters: [
          'method.request.path.itemId',
          'method.request.header.X-Session',
          'method.request.querystring.limit',
          'method.request.header.Accept-Language',
        ],
      }),
    );
    expect(cached.RequestParameters).toEqual({
      'method.request.path.itemId': true,
      'method.request.header.X-Session': false,
      'method.request.querystring.limit': false,
      'method.request.header.Accept-Language': false,
    });
  });

  test("keys a public route's cache by its path parameters only", () => {
    const cached = method(template, 'GET /public/{category}/{id}');
    expect(cached.Integration).toEqual(
      proxyIntegration(template, 'items', {
        CacheKeyParameters: ['method.request.path.category', 'method.request.path.id'],
      }),
    );
    expect(cached.RequestParameters).toEqual({
      'method.request.path.category': true,
      'method.request.path.id': true,
    });
  });

  test('leaves an uncached route without cache keys or request parameters', () => {
    const plain = method(template, 'GET /items');
    expect(plain.Integration).toEqual(proxyIntegration(template, 'items'));
    expect(plain.RequestParameters).toBeUndefined();
  });

  test('GIVEN a cache size THEN the cluster has that size', () => {
    const { template: sized } = buildRest({ cache: { size: ApiCacheSize.GB_1_6 } });
    expect(stage(sized).Properties).toEqual(
      expect.objectContaining({ CacheClusterEnabled: true, CacheClusterSize: '1.6' }),
    );
  });

  test('GIVEN a Cognito authorization THEN the cache is keyed by the Authorization header too', () => {
    const { template: cognito } = buildRest({
      cache: {},
      authorization: ApiAuthorization.cognito(),
      functions: { items: fn([route(HttpMethod.GET, '/items', { cache: { ttl: Duration.seconds(30) } })]) },
    });
    expect(method(cognito, 'GET /items').Integration.CacheKeyParameters).toEqual([
      'method.request.header.Authorization',
    ]);
  });
});

describe('execution logging', () => {
  test('GIVEN executionLogging {} THEN errors are logged, without data traces, to a log group kept as long as the API logs', () => {
    // GIVEN / WHEN
    const { template } = buildRest({ executionLogging: {}, logRetention: logs.RetentionDays.TWO_WEEKS });

    // THEN
    expect(methodSetting(template, '*', '/*')).toEqual(
      expect.objectContaining({ LoggingLevel: 'ERROR', DataTraceEnabled: false }),
    );
    const logGroupId = logicalId(template, 'AWS::Logs::LogGroup', 'ApiExecutionLogs');
    expect(resources(template)[logGroupId].Properties).toEqual({
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', ref(restApiId(template)), '/prod']] },
      RetentionInDays: 14,
    });
  });

  test('GIVEN executionLogging THEN the stage waits for the log group, so API Gateway never creates it unbounded', () => {
    const { template } = buildRest({ executionLogging: {} });
    expect(stage(template).DependsOn).toEqual([logicalId(template, 'AWS::Logs::LogGroup', 'ApiExecutionLogs')]);
  });

  test('GIVEN level INFO and dataTrace THEN the stage and each route setting log at INFO with data traces', () => {
    // GIVEN / WHEN
    const { template } = buildRest({
      executionLogging: { level: apigateway.MethodLoggingLevel.INFO, dataTrace: true },
      functions: { items: fn([route(HttpMethod.GET, '/items', { throttle: { rateLimit: 5 } })]) },
    });

    // THEN
    expect(methodSetting(template, '*', '/*')).toEqual(
      expect.objectContaining({ LoggingLevel: 'INFO', DataTraceEnabled: true }),
    );
    expect(methodSetting(template, 'GET', '/~1items')).toEqual({
      HttpMethod: 'GET',
      ResourcePath: '/~1items',
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 200,
      LoggingLevel: 'INFO',
      DataTraceEnabled: true,
    });
  });

  test('GIVEN no executionLogging THEN nothing is logged but the access log, and the stage depends on nothing', () => {
    const { template } = buildRest();
    expect(methodSetting(template, '*', '/*').LoggingLevel).toBeUndefined();
    expect(stage(template).DependsOn).toBeUndefined();
  });
});

describe("the account's CloudWatch role", () => {
  let template: Template;
  let roleId: string;
  let accountId: string;
  beforeAll(() => {
    // GIVEN setAccountCloudWatchRole
    ({ template } = buildRest({ setAccountCloudWatchRole: true }));
    roleId = logicalId(template, 'AWS::IAM::Role', 'ApiAccountCloudWatchRole');
    accountId = logicalId(template, 'AWS::ApiGateway::Account', 'ApiAccount');
  });

  test('is a role API Gateway assumes, with an inline policy writing any log group of the account', () => {
    expect(resources(template)[roleId].Properties).toEqual({
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } }],
      },
      Description: "API Gateway's account-wide role for writing REST APIs' access and execution logs",
      Policies: [
        {
          PolicyName: 'logs',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  'logs:CreateLogGroup',
                  'logs:CreateLogStream',
                  'logs:DescribeLogGroups',
                  'logs:DescribeLogStreams',
                  'logs:PutLogEvents',
                  'logs:GetLogEvents',
                  'logs:FilterLogEvents',
                ],
                Resource: 'arn:*:logs:*:*:log-group:*',
              },
            ],
          },
        },
      ],
    });
  });

  test("is set as the account's role by one AWS::ApiGateway::Account", () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    expect(resources(template)[accountId].Properties).toEqual({ CloudWatchRoleArn: getAtt(roleId) });
  });

  test('are both retained when the stack is deleted, so other APIs keep logging', () => {
    expect([resources(template)[roleId].DeletionPolicy, resources(template)[roleId].UpdateReplacePolicy]).toEqual([
      'Retain',
      'Retain',
    ]);
    expect([resources(template)[accountId].DeletionPolicy, resources(template)[accountId].UpdateReplacePolicy]).toEqual(
      ['Retain', 'Retain'],
    );
  });

  test('is set before the stage, whose access log needs it', () => {
    expect(stage(template).DependsOn).toEqual([accountId]);
  });
});

describe("the REST API's 29-second integration timeout", () => {
  const limit = (seconds: number) =>
    `must be below the API's 29 seconds integration timeout, or callers get a 503 while the function still runs, got: ${seconds} seconds`;

  test.each([29, 30])('GIVEN a REST API THEN a function default timeout of %d seconds is rejected', (seconds) => {
    expectError(
      {
        apiType: ApiType.REST,
        authorization: ApiAuthorization.iam(),
        functionDefaults: { timeout: Duration.seconds(seconds) },
      },
      `\`functionDefaults.timeout\` ${limit(seconds)}`,
    );
  });

  test("GIVEN a REST API THEN a function's own timeout of 29 seconds is rejected", () => {
    expectError(
      {
        apiType: ApiType.REST,
        authorization: ApiAuthorization.iam(),
        functions: { items: fn([route(HttpMethod.GET, '/items')], { timeout: Duration.seconds(29) }) },
      },
      `\`functions.items.timeout\` ${limit(29)}`,
    );
  });

  test('GIVEN a REST API THEN a timeout of 28 seconds is accepted', () => {
    const { template } = buildRest({ functionDefaults: { timeout: Duration.seconds(28) } });
    expect(resources(template)[functionId(template, 'items')].Properties.Timeout).toBe(28);
  });

  test('GIVEN an HTTP API THEN a timeout of 29 seconds is accepted (its limit is 30 seconds)', () => {
    const { template } = buildApi({ functionDefaults: { timeout: Duration.seconds(29) } });
    expect(resources(template)[functionId(template, 'items')].Properties.Timeout).toBe(29);
  });
});

describe('the access-pattern table', () => {
  test('is written to the REST API resource, as it is to the HTTP API resource', () => {
    // GIVEN the same API as HTTP and as REST
    const functions = {
      items: fn([route(HttpMethod.GET, '/items/{itemId}')], { accessPatterns: ['getItem', 'listItems'] }),
      writer: fn([route(HttpMethod.PUT, '/items/{itemId}')], { accessPatterns: ['putItem'] }),
    };

    // WHEN
    const rest = buildRest({ functions }).template;
    const http = buildApi({ functions }).template;

    // THEN
    const restTable = resources(rest)[restApiId(rest)].Metadata[ServerlessApi.ACCESS_PATTERNS_METADATA_KEY];
    const httpApiId = logicalId(http, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
    expect(restTable).toEqual(resources(http)[httpApiId].Metadata[ServerlessApi.ACCESS_PATTERNS_METADATA_KEY]);
    expect(restTable[0]).toEqual({
      name: 'getItem',
      operation: 'GetItem',
      keyCondition: 'PK = ITEM#{itemId} AND SK = DETAIL#{detailId}',
      leadingKeys: 'ITEM#?*',
      partitionPrefix: 'ITEM#',
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem'],
      functions: ['items'],
    });
    expect(restTable.find((row: any) => row.name === 'putItem').functions).toEqual(['writer']);
  });
});

describe('the alarms and the dashboard of a REST API', () => {
  let built: BuiltApi;
  const apiName = [{ Name: 'ApiName', Value: 'orders' }];

  /** The metrics an alarm reads, as [id, namespace, metric name, dimensions]. */
  function alarmMetrics(name: string): [string, string, string, unknown][] {
    const found = Object.values(built.template.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.AlarmName === `orders-${name}`,
    );
    expect(found).toHaveLength(1);
    return found[0].Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [
      m.Id,
      m.MetricStat.Metric.Namespace,
      m.MetricStat.Metric.MetricName,
      m.MetricStat.Metric.Dimensions,
    ]);
  }

  beforeAll(() => {
    // GIVEN a REST API named orders, with its default alarms and dashboard
    built = buildRest({ apiName: 'orders' });
  });

  test("read API Gateway's REST metrics by ApiName: 5XXError, 4XXError, Count, Latency, IntegrationLatency", () => {
    expect(alarmMetrics('Api-5xxRate')).toEqual([
      ['serverErrors', 'AWS/ApiGateway', '5XXError', apiName],
      ['requests_5xx', 'AWS/ApiGateway', 'Count', apiName],
    ]);
    expect(alarmMetrics('Api-4xxRate')).toEqual([
      ['clientErrors', 'AWS/ApiGateway', '4XXError', apiName],
      ['requests_4xx', 'AWS/ApiGateway', 'Count', apiName],
    ]);
    expect(alarmMetrics('Api-LatencyP99')).toEqual([['m1', 'AWS/ApiGateway', 'Latency', apiName]]);
    expect(alarmMetrics('Api-IntegrationLatencyP99')).toEqual([
      ['m1', 'AWS/ApiGateway', 'IntegrationLatency', apiName],
    ]);
  });

  test("count 429s from the access log by ApiId, the REST API's id", () => {
    expect(alarmMetrics('Api-429Rate')).toEqual([
      ['throttled', 'ServerlessApi', 'ThrottledRequests', [{ Name: 'ApiId', Value: ref(restApiId(built.template)) }]],
      ['requests_429', 'AWS/ApiGateway', 'Count', apiName],
    ]);
  });

  test('draw the same REST metrics on the dashboard', () => {
    const dashboardId = logicalId(built.template, 'AWS::CloudWatch::Dashboard', 'ApiMonitoringDashboard');
    const body = JSON.stringify(resources(built.template)[dashboardId].Properties.DashboardBody);
    for (const metric of ['Count', '5XXError', '4XXError', 'Latency', 'IntegrationLatency']) {
      expect(body).toContain(`[\\"AWS/ApiGateway\\",\\"${metric}\\",\\"ApiName\\",\\"orders\\"`);
    }
    expect(body).not.toMatch(/\\"AWS\/ApiGateway\\",\\"[45]xx\\"/);
  });

  test('are what the metric methods return', () => {
    const metric = built.api.metricServerErrors();
    expect([metric.namespace, metric.metricName, metric.dimensions]).toEqual([
      'AWS/ApiGateway',
      '5XXError',
      { ApiName: 'orders' },
    ]);
    expect(built.stack.resolve(built.api.metricThrottledRequests().dimensions)).toEqual({
      ApiId: ref(restApiId(built.template)),
    });
  });
});
