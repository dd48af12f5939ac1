/**
 * Synth prints no deprecation warning the library causes: with jsii's deprecation mode set to `fail`, every
 * deprecated aws-cdk-lib API the library (or aws-cdk-lib on its behalf) touches would throw instead of printing.
 * https://aws.github.io/jsii/user-guides/lib-author/toolchain/jsii/#deprecation-warnings
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiAuthorization, ApiType, ServerlessApi, TableEncryption } from '../src';
import { fn, fullyConfigured, HANDLER_ENTRY, itemPatterns, route } from './helpers/api';

describe('synth with JSII_DEPRECATED=fail', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.JSII_DEPRECATED;
    process.env.JSII_DEPRECATED = 'fail';
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.JSII_DEPRECATED;
    else process.env.JSII_DEPRECATED = saved;
  });

  test('an HTTP API with every part (KMS table, index, alarms, scopes, throttles, a public route) builds', () => {
    expect(() => Template.fromStack(fullyConfigured().stack)).not.toThrow();
  });

  test('a REST API with a created user pool, a Lambda authorizer route, usage plans and CORS builds', () => {
    const stack = new Stack(new App(), 'Rest', { env: { account: '123456789012', region: 'eu-west-1' } });
    new ServerlessApi(stack, 'Api', {
      apiType: ApiType.REST,
      authorization: ApiAuthorization.cognito({ removalPolicy: RemovalPolicy.DESTROY }),
      accessPatterns: itemPatterns(),
      table: { encryption: TableEncryption.customerManaged() },
      usagePlans: { partners: { apiKeys: ['acme'], quota: { limit: 1000 } } },
      cors: { allowOrigins: ['https://app.example.com'] },
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items', { apiKeyRequired: true }),
          route(HttpMethod.POST, '/items', { authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY }) }),
        ]),
      },
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test("the app's own deprecated calls still fail as it chose: the mode is restored after the table is built", () => {
    Template.fromStack(fullyConfigured().stack);
    expect(process.env.JSII_DEPRECATED).toBe('fail');
  });
});
