import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { ApiAuthorization, ApiType, DomainSecurityPolicy, ServerlessApi } from '../../../src';
import { CfnTemplate, formatSummary, StackSummary, summarizeTemplate } from '../../../src/cli/summary';
import { defaultProps, ENV } from '../../helpers/api';

/** The summary's API section names each custom domain URL an API answers at, and an execute-api endpoint turned off. */

const CERTIFICATE_ARN = `arn:aws:acm:${ENV.region}:${ENV.account}:certificate/0123abcd-0123-4567-89ab-0123456789ab`;

function summarize(
  apiType: ApiType,
  domain: boolean,
  options: { securityPolicy?: DomainSecurityPolicy } = {},
): StackSummary {
  const stack = new Stack(new App(), 'Test', { env: ENV });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
  new ServerlessApi(stack, 'Api', {
    ...defaultProps(),
    apiType,
    apiName: 'shop',
    ...(apiType === ApiType.REST ? { authorization: ApiAuthorization.iam() } : {}),
    ...(domain
      ? {
          domain: {
            domainName: 'api.example.com',
            certificate,
            basePaths: ['v1', '', 'orders/v1'],
            disableExecuteApiEndpoint: true,
            ...options,
          },
        }
      : {}),
  });
  return summarizeTemplate(Template.fromStack(stack).toJSON() as CfnTemplate, 'Test');
}

describe.each([ApiType.HTTP, ApiType.REST])(
  'GIVEN a %s API with a custom domain and no execute-api endpoint',
  (apiType) => {
    let summary: StackSummary;
    beforeAll(() => {
      summary = summarize(apiType, true);
    });

    test('THEN the API lists each URL of the domain, with its TLS policy, and the endpoint as disabled', () => {
      expect(summary.apis[0].customDomains).toEqual([
        { url: 'https://api.example.com/', securityPolicy: 'TLS_1_2' },
        { url: 'https://api.example.com/orders/v1/', securityPolicy: 'TLS_1_2' },
        { url: 'https://api.example.com/v1/', securityPolicy: 'TLS_1_2' },
      ]);
      expect(summary.apis[0].executeApiDisabled).toBe(true);
    });

    test('THEN the text prints them under the API', () => {
      const text = formatSummary(summary);
      expect(text).toContain(
        [
          '    custom domain: https://api.example.com/ (TLS_1_2)',
          '    custom domain: https://api.example.com/orders/v1/ (TLS_1_2)',
          '    custom domain: https://api.example.com/v1/ (TLS_1_2)',
          '    execute-api endpoint: disabled (custom domains only)',
        ].join('\n'),
      );
    });
  },
);

test('GIVEN a REST domain with TLS 1.3 only THEN the summary names the enhanced policy', () => {
  const summary = summarize(ApiType.REST, true, { securityPolicy: DomainSecurityPolicy.TLS_1_3 });
  expect(summary.apis[0].customDomains![0].securityPolicy).toBe('SecurityPolicy_TLS13_1_3_2025_09');
});

test('GIVEN an API without a domain THEN its summary says nothing of domains', () => {
  const summary = summarize(ApiType.HTTP, false);
  expect(summary.apis[0].customDomains).toBeUndefined();
  expect(summary.apis[0].executeApiDisabled).toBeUndefined();
  expect(formatSummary(summary)).not.toContain('custom domain');
});

test("GIVEN a domain name that sets no policy THEN the summary shows API Gateway's default, TLS 1.0", () => {
  const summary = summarizeTemplate({
    Resources: {
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'legacy', ProtocolType: 'HTTP' } },
      Domain: { Type: 'AWS::ApiGatewayV2::DomainName', Properties: { DomainName: 'old.example.com' } },
      Mapping: {
        Type: 'AWS::ApiGatewayV2::ApiMapping',
        Properties: { ApiId: { Ref: 'Api' }, DomainName: { Ref: 'Domain' }, Stage: '$default' },
      },
    },
  });
  expect(summary.apis[0].customDomains).toEqual([{ url: 'https://old.example.com/', securityPolicy: 'TLS_1_0' }]);
});
