import { Lazy, Token } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { ACCESS_LOG_FORMAT } from '../../../src/api/access-log';
import { buildApi, BuiltApi, fn, functionIds, getAtt, logicalId, ref, resources, route } from '../../helpers/api';

describe('the HTTP API of a default ServerlessApi', () => {
  let built: BuiltApi;
  let apiId: string;
  beforeAll(() => {
    built = buildApi();
    apiId = logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
  });

  test('is an HTTP API', () => {
    built.template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
  });

  test('has one stage, $default, deployed automatically', () => {
    built.template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: ref(apiId),
      StageName: '$default',
      AutoDeploy: true,
    });
  });

  test('throttles the stage at 100 requests per second with bursts of 200, and no route on its own', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.exact({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
      RouteSettings: Match.absent(),
    });
    built.template.hasResource('AWS::ApiGatewayV2::Stage', { DependsOn: Match.absent() });
  });

  test('writes the access log to its own log group, kept 30 days', () => {
    const logGroupId = logicalId(built.template, 'AWS::Logs::LogGroup', 'ApiAccessLogs');
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: { DestinationArn: getAtt(logGroupId), Format: Match.anyValue() },
    });
    built.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(resources(built.template)[logGroupId].Properties).toEqual({ RetentionInDays: 30 });
  });

  test('logs one JSON object per request, every field a string (API Gateway writes "-" for an absent value)', () => {
    // GIVEN the format API Gateway fills in, with a value substituted for each $context variable
    const stage = Object.values(resources(built.template)).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    const format: string = stage.Properties.AccessLogSettings.Format;
    const line = format.replace(/\$context\.[A-Za-z.]+/g, '-').replace('"status":"-"', '"status":"429"');

    // WHEN a log line is parsed
    const entry = JSON.parse(line);

    // THEN
    expect(entry.status).toBe('429');
    expect(Object.keys(entry)).toEqual(Object.keys(ACCESS_LOG_FORMAT));
    Object.entries(entry).forEach(([key, value]) => expect([key, typeof value]).toEqual([key, 'string']));
    expect(format).toContain('"requestId":"$context.requestId"');
    expect(format).toContain('"status":"$context.status"');
    expect(format).toContain('"integrationError":"$context.integrationErrorMessage"');
  });

  test('is named after its construct path by default', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: Match.stringLikeRegexp('^TestApi[0-9A-F]{8}$'),
    });
  });

  test('is named after the apiName prop when given', () => {
    const { template } = buildApi({ apiName: 'orders-api' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'orders-api' });
  });
});

describe('stage throttling overrides', () => {
  test('GIVEN throttle rate and burst THEN the stage uses both', () => {
    const { template } = buildApi({ throttle: { rateLimit: 10, burstLimit: 20 } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.exact({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
    });
  });

  test('GIVEN only a rate THEN the burst stays at its default of 200', () => {
    const { template } = buildApi({ throttle: { rateLimit: 10 } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.exact({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 200 }),
    });
  });

  test('GIVEN only a burst THEN the rate stays at its default of 100', () => {
    const { template } = buildApi({ throttle: { burstLimit: 50 } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.exact({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50 }),
    });
  });

  test('GIVEN token throttle values THEN they are not validated as literals and reach the stage', () => {
    const { template } = buildApi({
      throttle: {
        rateLimit: Token.asNumber(Lazy.number({ produce: () => 42 })),
        burstLimit: Token.asNumber(Lazy.number({ produce: () => 84 })),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.exact({ ThrottlingRateLimit: 42, ThrottlingBurstLimit: 84 }),
    });
  });
});

describe('integrations', () => {
  let built: BuiltApi;
  beforeAll(() => {
    // GIVEN two functions, the first serving three routes
    built = buildApi({
      functions: {
        tasks: fn([
          route(HttpMethod.GET, '/tasks'),
          route(HttpMethod.POST, '/tasks'),
          route(HttpMethod.GET, '/tasks/{taskId}'),
        ]),
        hooks: fn([route(HttpMethod.POST, '/hooks')]),
      },
    });
  });

  test('one integration per function, shared by all of its routes', () => {
    const { template } = built;
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 2);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 4);
    const tasks = functionIds(template, 'tasks');
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    const targetsOfTasks = routes
      .filter((r) => r.Properties.RouteKey.includes('/tasks'))
      .map((r) => r.Properties.Target);
    expect(targetsOfTasks).toEqual(
      [1, 2, 3].map(() => ({ 'Fn::Join': ['', ['integrations/', ref(tasks.integration)]] })),
    );
  });

  test('each integration is an AWS_PROXY integration with payload 2.0 of its own function, using the invoke role', () => {
    const invokeRole = logicalId(built.template, 'AWS::IAM::Role', 'ApiInvokeRole');
    for (const name of ['tasks', 'hooks']) {
      const ids = functionIds(built.template, name);
      expect(resources(built.template)[ids.integration].Properties).toEqual({
        ApiId: ref(logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')),
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: getAtt(ids.function),
        PayloadFormatVersion: '2.0',
        CredentialsArn: getAtt(invokeRole),
      });
    }
  });

  test('the invoke role is assumed by API Gateway and may invoke exactly the route functions', () => {
    const { template } = built;
    const invokeRole = logicalId(template, 'AWS::IAM::Role', 'ApiInvokeRole');
    expect(resources(template)[invokeRole].Properties).toEqual({
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } }],
        Version: '2012-10-17',
      },
      Description: 'Lets the API invoke its route functions, and nothing else',
      Policies: [
        {
          PolicyName: 'invoke',
          PolicyDocument: {
            Statement: [
              {
                Action: 'lambda:InvokeFunction',
                Effect: 'Allow',
                Resource: [
                  getAtt(functionIds(template, 'tasks').function),
                  getAtt(functionIds(template, 'hooks').function),
                ],
              },
            ],
            Version: '2012-10-17',
          },
        },
      ],
    });
  });

  test('no Lambda permissions: the integrations invoke with the role', () => {
    built.template.resourceCountIs('AWS::Lambda::Permission', 0);
  });
});
