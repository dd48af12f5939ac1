import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import {
  ApiAuthorization,
  ApiDomainOptions,
  ApiType,
  DomainSecurityPolicy,
  ServerlessApi,
  ServerlessApiProps,
} from '../../src';
import { defaultProps, ENV, getAtt, newStack, ref, resources } from '../helpers/api';

/**
 * Custom domain names. The rules checked come from API Gateway's documentation:
 * - Regional custom domain names take a certificate of their own region:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html
 * - API mapping paths (characters, 300 characters, levels, 200 multi-level mappings, HTTP APIs only with TLS 1.2):
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html#rest-api-mappings-restrictions
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mappings.html
 * - TLS policies and the endpoint access mode of enhanced ones:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html
 * - dualstack domain names for IPv6 callers:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-custom-domain-ip-address-type.html
 */

const DOMAIN = 'api.example.com';
const CERTIFICATE_ARN = `arn:aws:acm:${ENV.region}:${ENV.account}:certificate/0123abcd-0123-4567-89ab-0123456789ab`;
const HTTP_DOMAIN = 'AWS::ApiGatewayV2::DomainName';
const HTTP_MAPPING = 'AWS::ApiGatewayV2::ApiMapping';
const REST_DOMAIN = 'AWS::ApiGateway::DomainName';
const REST_MAPPING = 'AWS::ApiGateway::BasePathMapping';
const RECORD = 'AWS::Route53::RecordSet';
const CERTIFICATE = 'AWS::CertificateManager::Certificate';

interface Built {
  readonly stack: Stack;
  readonly api: ServerlessApi;
  readonly template: Template;
}

function certificate(stack: Stack, arn = CERTIFICATE_ARN): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'Certificate', arn);
}

function zone(stack: Stack, zoneName = 'example.com'): route53.IHostedZone {
  return new route53.PublicHostedZone(stack, 'Zone', { zoneName });
}

/** The smallest API of `apiType` (IAM-authorized on REST, which has no JWT authorizer). */
function apiProps(apiType: ApiType): ServerlessApiProps {
  return { ...defaultProps(), apiType, ...(apiType === ApiType.REST ? { authorization: ApiAuthorization.iam() } : {}) };
}

/** An API of `apiType` with the domain `domain(stack)` gives, in a stack of a known region. */
function build(apiType: ApiType, domain: (stack: Stack) => ApiDomainOptions): Built {
  const stack = newStack({ env: ENV });
  const api = new ServerlessApi(stack, 'Api', { ...apiProps(apiType), domain: domain(stack) });
  return { stack, api, template: Template.fromStack(stack) };
}

function only(template: Template, type: string): { id: string; resource: any } {
  const found = Object.keys(template.findResources(type));
  expect(found).toHaveLength(1);
  return { id: found[0], resource: resources(template)[found[0]] };
}

function idOf(template: Template, type: string): string {
  return only(template, type).id;
}

/** Constructing must throw exactly `message`. */
function expectDomainError(apiType: ApiType, domain: (stack: Stack) => ApiDomainOptions, message: string): void {
  expect(() => build(apiType, domain)).toThrow(new Error(message));
}

describe('custom domain on an HTTP API', () => {
  test('with a given certificate: a Regional TLS 1.2 dualstack domain name mapped at its root to the $default stage', () => {
    // GIVEN / WHEN
    const { api, template } = build(ApiType.HTTP, (stack) => ({ domainName: DOMAIN, certificate: certificate(stack) }));

    // THEN
    template.hasResourceProperties(HTTP_DOMAIN, {
      DomainName: DOMAIN,
      DomainNameConfigurations: [
        {
          CertificateArn: CERTIFICATE_ARN,
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
          IpAddressType: 'dualstack',
        },
      ],
    });
    const mapping = only(template, HTTP_MAPPING).resource;
    expect(mapping.Properties).toEqual({
      ApiId: ref(idOf(template, 'AWS::ApiGatewayV2::Api')),
      DomainName: ref(idOf(template, HTTP_DOMAIN)),
      Stage: '$default',
    });
    // The stage is named by a literal: only an explicit dependency makes the mapping wait for it.
    expect(mapping.DependsOn).toEqual(expect.arrayContaining([idOf(template, 'AWS::ApiGatewayV2::Stage')]));
    template.resourceCountIs(CERTIFICATE, 0);
    template.resourceCountIs(RECORD, 0);
    expect(api.domainUrl).toBe('https://api.example.com/');
    expect(api.customDomain!.domainName).toBe(DOMAIN);
    expect(api.customDomain!.certificate.certificateArn).toBe(CERTIFICATE_ARN);
    expect(api.customDomain!.httpDomainName).toBeDefined();
    expect(api.customDomain!.restDomainName).toBeUndefined();
    expect(Stack.of(api).resolve(api.customDomain!.regionalDomainName)).toEqual(
      getAtt(idOf(template, HTTP_DOMAIN), 'RegionalDomainName'),
    );
  });

  test('keeps the execute-api endpoint by default', () => {
    const { template } = build(ApiType.HTTP, (stack) => ({ domainName: DOMAIN, certificate: certificate(stack) }));
    expect(only(template, 'AWS::ApiGatewayV2::Api').resource.Properties.DisableExecuteApiEndpoint).toBeUndefined();
  });

  test('turns the execute-api endpoint off when asked: the domain is the only way in', () => {
    const { api, template } = build(ApiType.HTTP, (stack) => ({
      domainName: DOMAIN,
      certificate: certificate(stack),
      disableExecuteApiEndpoint: true,
    }));
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    // `url` stays the stage's execute-api URL; `domainUrl` is the way in.
    expect(api.domainUrl).toBe('https://api.example.com/');
  });

  test('with a hosted zone: a certificate validated through DNS in it, and A and AAAA alias records', () => {
    // GIVEN / WHEN
    const { api, template } = build(ApiType.HTTP, (stack) => ({ domainName: DOMAIN, hostedZone: zone(stack) }));

    // THEN
    const zoneId = idOf(template, 'AWS::Route53::HostedZone');
    template.hasResourceProperties(CERTIFICATE, {
      DomainName: DOMAIN,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: DOMAIN, HostedZoneId: ref(zoneId) }],
    });
    const domainId = idOf(template, HTTP_DOMAIN);
    template.hasResourceProperties(HTTP_DOMAIN, {
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: ref(idOf(template, CERTIFICATE)) })],
    });
    const records = Object.values(template.findResources(RECORD)).map((record: any) => record.Properties);
    expect(records.map((record) => record.Type).sort()).toEqual(['A', 'AAAA']);
    for (const record of records) {
      expect(record).toEqual({
        Name: 'api.example.com.',
        Type: record.Type,
        HostedZoneId: ref(zoneId),
        AliasTarget: {
          DNSName: getAtt(domainId, 'RegionalDomainName'),
          HostedZoneId: getAtt(domainId, 'RegionalHostedZoneId'),
        },
      });
    }
    expect(api.customDomain!.certificate).toBeInstanceOf(acm.Certificate);
  });

  test('a given certificate with a hosted zone: the records, and no certificate created', () => {
    const { template } = build(ApiType.HTTP, (stack) => ({
      domainName: DOMAIN,
      certificate: certificate(stack),
      hostedZone: zone(stack),
    }));
    template.resourceCountIs(CERTIFICATE, 0);
    template.resourceCountIs(RECORD, 2);
  });

  test('maps the stage under each base path, root and multi-level included; domainUrl is the first', () => {
    // GIVEN / WHEN
    const { api, template } = build(ApiType.HTTP, (stack) => ({
      domainName: DOMAIN,
      certificate: certificate(stack),
      basePaths: ['v1', '', 'orders/v1'],
    }));

    // THEN
    const keys = Object.values(template.findResources(HTTP_MAPPING)).map((m: any) => m.Properties.ApiMappingKey);
    expect(keys.sort()).toEqual([undefined, 'orders/v1', 'v1'].sort());
    expect(api.domainUrl).toBe('https://api.example.com/v1/');
    expect(api.customDomain!.urls).toEqual([
      'https://api.example.com/v1/',
      'https://api.example.com/',
      'https://api.example.com/orders/v1/',
    ]);
  });

  test('exposes the $default stage, so an API mapping of your own depends on it (it fails without a stage)', () => {
    // GIVEN an API without `domain`, and a domain name of the user's
    const stack = newStack({ env: ENV });
    const api = new ServerlessApi(stack, 'Api', defaultProps());
    const domainName = new apigwv2.DomainName(stack, 'Own', { domainName: DOMAIN, certificate: certificate(stack) });

    // THEN the HTTP API has no default stage for aws-cdk-lib to find
    expect(() => new apigwv2.ApiMapping(stack, 'NoStage', { api: api.httpApi!, domainName })).toThrow(
      'stage property must be specified',
    );

    // WHEN the exposed stage is given
    new apigwv2.ApiMapping(stack, 'Mapping', { api: api.httpApi!, domainName, stage: api.httpStage });

    // THEN the mapping waits for the stage at deploy time
    const template = Template.fromStack(stack);
    const mapping = only(template, HTTP_MAPPING).resource;
    expect(mapping.Properties.Stage).toBe('$default');
    expect(mapping.DependsOn).toEqual(expect.arrayContaining([idOf(template, 'AWS::ApiGatewayV2::Stage')]));
    expect(api.restStage).toBeUndefined();
    expect(api.customDomain).toBeUndefined();
    expect(api.domainUrl).toBeUndefined();
  });
});

describe('custom domain on a REST API', () => {
  test('with a given certificate: a Regional TLS 1.2 dualstack domain name mapped at its root to the prod stage', () => {
    // GIVEN / WHEN
    const { api, template } = build(ApiType.REST, (stack) => ({ domainName: DOMAIN, certificate: certificate(stack) }));

    // THEN
    const domain = only(template, REST_DOMAIN).resource;
    expect(domain.Properties).toEqual({
      DomainName: DOMAIN,
      RegionalCertificateArn: CERTIFICATE_ARN,
      EndpointConfiguration: { Types: ['REGIONAL'], IpAddressType: 'dualstack' },
      SecurityPolicy: 'TLS_1_2',
    });
    const stageId = idOf(template, 'AWS::ApiGateway::Stage');
    expect(only(template, REST_MAPPING).resource.Properties).toEqual({
      DomainName: ref(idOf(template, REST_DOMAIN)),
      RestApiId: ref(idOf(template, 'AWS::ApiGateway::RestApi')),
      Stage: ref(stageId),
    });
    template.resourceCountIs(HTTP_MAPPING, 0);
    expect(api.domainUrl).toBe('https://api.example.com/');
    expect(api.customDomain!.restDomainName).toBeDefined();
    expect(api.customDomain!.httpDomainName).toBeUndefined();
    expect(api.restStage).toBe(api.restApi!.deploymentStage);
    expect(api.httpStage).toBeUndefined();
    expect(only(template, 'AWS::ApiGateway::RestApi').resource.Properties.DisableExecuteApiEndpoint).toBeUndefined();
  });

  test('one-level base paths become base path mappings, multi-level ones API mappings, each to the stage', () => {
    // GIVEN / WHEN
    const { api, template } = build(ApiType.REST, (stack) => ({
      domainName: DOMAIN,
      certificate: certificate(stack),
      basePaths: ['v1', 'orders/v1'],
    }));

    // THEN
    const stageId = idOf(template, 'AWS::ApiGateway::Stage');
    expect(only(template, REST_MAPPING).resource.Properties).toMatchObject({ BasePath: 'v1', Stage: ref(stageId) });
    expect(only(template, HTTP_MAPPING).resource.Properties).toEqual({
      ApiId: ref(idOf(template, 'AWS::ApiGateway::RestApi')),
      DomainName: ref(idOf(template, REST_DOMAIN)),
      Stage: ref(stageId),
      ApiMappingKey: 'orders/v1',
    });
    expect(api.customDomain!.urls).toEqual(['https://api.example.com/v1/', 'https://api.example.com/orders/v1/']);
  });

  test('TLS 1.3 only: the enhanced policy with the STRICT endpoint access mode', () => {
    const { template } = build(ApiType.REST, (stack) => ({
      domainName: DOMAIN,
      certificate: certificate(stack),
      securityPolicy: DomainSecurityPolicy.TLS_1_3,
    }));
    template.hasResourceProperties(REST_DOMAIN, {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      EndpointAccessMode: 'STRICT',
    });
  });

  test('turns the execute-api endpoint off when asked', () => {
    const { template } = build(ApiType.REST, (stack) => ({
      domainName: DOMAIN,
      certificate: certificate(stack),
      disableExecuteApiEndpoint: true,
    }));
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });

  test('with a hosted zone: the created certificate and the A and AAAA alias records of the Regional domain', () => {
    const { template } = build(ApiType.REST, (stack) => ({ domainName: DOMAIN, hostedZone: zone(stack) }));
    const domainId = idOf(template, REST_DOMAIN);
    template.hasResourceProperties(REST_DOMAIN, { RegionalCertificateArn: ref(idOf(template, CERTIFICATE)) });
    const records = Object.values(template.findResources(RECORD)).map((record: any) => record.Properties);
    expect(records.map((record) => record.Type).sort()).toEqual(['A', 'AAAA']);
    records.forEach((record) =>
      expect(record.AliasTarget).toEqual({
        DNSName: getAtt(domainId, 'RegionalDomainName'),
        HostedZoneId: getAtt(domainId, 'RegionalHostedZoneId'),
      }),
    );
  });

  test('exposes the prod stage for base path mappings of your own', () => {
    const stack = newStack({ env: ENV });
    const api = new ServerlessApi(stack, 'Api', apiProps(ApiType.REST));
    const domainName = new apigateway.DomainName(stack, 'Own', { domainName: DOMAIN, certificate: certificate(stack) });
    domainName.addBasePathMapping(api.restApi!, { basePath: 'partners', stage: api.restStage });
    const template = Template.fromStack(stack);
    expect(only(template, REST_MAPPING).resource.Properties.Stage).toEqual(
      ref(idOf(template, 'AWS::ApiGateway::Stage')),
    );
  });
});

describe('custom domain validation', () => {
  const given = (stack: Stack) => ({ domainName: DOMAIN, certificate: certificate(stack) });

  test.each([
    ['API.example.com', 'upper case'],
    ['localhost', 'a single label'],
    ['api.example.com.', 'a trailing dot'],
    ['-api.example.com', 'a label starting with a hyphen'],
    ['*.example.com', 'a wildcard'],
    ['', 'empty'],
  ])('refuses the domain name %j (%s)', (domainName) => {
    expectDomainError(
      ApiType.HTTP,
      (stack) => ({ ...given(stack), domainName }),
      `\`domain.domainName\` must be a fully qualified domain name in lower case (API Gateway refuses upper case), such as api.example.com, got: ${JSON.stringify(domainName)}`,
    );
  });

  test('refuses a domain with neither a certificate nor a hosted zone', () => {
    expectDomainError(
      ApiType.REST,
      () => ({ domainName: DOMAIN }),
      '`domain.certificate` must be given, or `domain.hostedZone` given to create one validated through DNS records in it, got: undefined',
    );
  });

  test("refuses a certificate of another region than the stack's", () => {
    expectDomainError(
      ApiType.HTTP,
      (stack) => ({
        domainName: DOMAIN,
        certificate: certificate(stack, CERTIFICATE_ARN.replace(ENV.region, 'us-east-1')),
      }),
      '`domain.certificate` must be issued in the stack\'s region, eu-west-1: a Regional custom domain name serves only a certificate of its own region (request or import one there), got: "us-east-1"',
    );
  });

  test("refuses a certificate the app creates in another region's stack", () => {
    const app = new App();
    const usEast = new Stack(app, 'UsEast', { env: { ...ENV, region: 'us-east-1' } });
    const cert = new acm.Certificate(usEast, 'Certificate', { domainName: DOMAIN });
    const stack = new Stack(app, 'Test', { env: ENV });
    expect(
      () => new ServerlessApi(stack, 'Api', { ...defaultProps(), domain: { domainName: DOMAIN, certificate: cert } }),
    ).toThrow(
      new Error(
        '`domain.certificate` must be issued in the stack\'s region, eu-west-1: a Regional custom domain name serves only a certificate of its own region (request or import one there), got: "us-east-1"',
      ),
    );
  });

  test('does not check the region of a certificate in a stack of no known region', () => {
    const stack = newStack();
    const cert = certificate(stack, CERTIFICATE_ARN.replace(ENV.region, 'us-east-1'));
    expect(
      () => new ServerlessApi(stack, 'Api', { ...defaultProps(), domain: { domainName: DOMAIN, certificate: cert } }),
    ).not.toThrow();
  });

  test('refuses a hosted zone that does not cover the domain name', () => {
    expectDomainError(
      ApiType.HTTP,
      (stack) => ({ domainName: DOMAIN, hostedZone: zone(stack, 'example.org') }),
      '`domain.hostedZone` must be the zone of `domain.domainName` (api.example.com) or of one of its parent domains: its records go in it, got: "example.org"',
    );
  });

  test('takes the zone of the domain name itself, and refuses a zone whose name only ends like it', () => {
    expect(() =>
      build(ApiType.HTTP, (stack) => ({ domainName: DOMAIN, hostedZone: zone(stack, DOMAIN) })),
    ).not.toThrow();
    expectDomainError(
      ApiType.HTTP,
      (stack) => ({ domainName: 'myapi.example.com', hostedZone: zone(stack, 'api.example.com') }),
      '`domain.hostedZone` must be the zone of `domain.domainName` (myapi.example.com) or of one of its parent domains: its records go in it, got: "api.example.com"',
    );
  });

  test('refuses a hosted zone imported by id alone: records cannot be named in it', () => {
    expectDomainError(
      ApiType.HTTP,
      (stack) => ({
        ...given(stack),
        hostedZone: route53.HostedZone.fromHostedZoneId(stack, 'ById', 'Z0123456789ABCDEFGHIJ'),
      }),
      '`domain.hostedZone` must know its name (HostedZone.fromLookup or fromHostedZoneAttributes, not fromHostedZoneId): the alias records are named in it, got: "Z0123456789ABCDEFGHIJ"',
    );
  });

  test('refuses TLS 1.0', () => {
    expectDomainError(
      ApiType.REST,
      (stack) => ({ ...given(stack), securityPolicy: 'TLS_1_0' as DomainSecurityPolicy }),
      '`domain.securityPolicy` must be TLS 1.2 or newer (DomainSecurityPolicy.TLS_1_2 or TLS_1_3): TLS 1.0 is deprecated and weak, got: "TLS_1_0"',
    );
  });

  test('refuses a security policy that is none of the choices', () => {
    expectDomainError(
      ApiType.REST,
      (stack) => ({ ...given(stack), securityPolicy: 'TLS_1_1' as DomainSecurityPolicy }),
      '`domain.securityPolicy` must be one of DomainSecurityPolicy.TLS_1_2, DomainSecurityPolicy.TLS_1_3, got: "TLS_1_1"',
    );
  });

  test('refuses TLS 1.3 only on an HTTP API', () => {
    expectDomainError(
      ApiType.HTTP,
      (stack) => ({ ...given(stack), securityPolicy: DomainSecurityPolicy.TLS_1_3 }),
      '`domain.securityPolicy` must be DomainSecurityPolicy.TLS_1_2 on an HTTP API: API Gateway maps HTTP APIs only to domain names with the TLS 1.2 policy, got: "SecurityPolicy_TLS13_1_3_2025_09"',
    );
  });

  test('refuses an empty list of base paths', () => {
    expectDomainError(
      ApiType.HTTP,
      (stack) => ({ ...given(stack), basePaths: [] }),
      "`domain.basePaths` must list at least one base path ('' for the domain's root), or be left out, got: []",
    );
  });

  test.each(['/v1', 'v1/', 'orders//v1', 'v 1', 'v1?x', 'é', 'a'.repeat(301)])(
    'refuses the base path %j',
    (basePath) => {
      expectDomainError(
        ApiType.REST,
        (stack) => ({ ...given(stack), basePaths: ['v2', basePath] }),
        `\`domain.basePaths[1]\` must be '' (the root) or levels of letters, digits and $-_.+!*'() joined by single slashes, with no slash first or last, in at most 300 characters (such as v1 or orders/v1), got: ${JSON.stringify(basePath)}`,
      );
    },
  );

  test('takes every character API Gateway allows, and 300 characters', () => {
    expect(() =>
      build(ApiType.HTTP, (stack) => ({ ...given(stack), basePaths: ["a$-_.+!*'()Z9/b", 'a'.repeat(300)] })),
    ).not.toThrow();
  });

  test('refuses a base path given twice', () => {
    expectDomainError(
      ApiType.HTTP,
      (stack) => ({ ...given(stack), basePaths: ['v1', '', 'v1'] }),
      '`domain.basePaths[2]` duplicates `domain.basePaths[0]`: "v1" is declared twice',
    );
  });

  test('refuses more than 200 multi-level base paths', () => {
    const basePaths = Array.from({ length: 201 }, (_, i) => `orders/v${i}`);
    expectDomainError(
      ApiType.HTTP,
      (stack) => ({ ...given(stack), basePaths }),
      "`domain.basePaths` must have at most 200 base paths of several levels: API Gateway's limit per domain name, got: 201",
    );
  });

  test('refuses a domain that is no object', () => {
    expectDomainError(
      ApiType.HTTP,
      () => 'api.example.com' as unknown as ApiDomainOptions,
      '`domain` must be the custom domain options, with at least `domainName`, got: "api.example.com"',
    );
  });

  test('leaves the resources to the API alone without `domain`', () => {
    const { template } = build(ApiType.HTTP, () => undefined as unknown as ApiDomainOptions);
    expect(Object.values(resources(template)).map((r) => r.Type)).not.toContain(HTTP_DOMAIN);
  });
});
