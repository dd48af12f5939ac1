import { Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { ApiDomainOptions, DomainSecurityPolicy } from './domain-options';
import { checkOneOf, checkUnique, fail, isLiteral } from '../../private/validation';
import { ApiType } from '../api-type';

/** A custom domain name, checked and resolved: what either API builder creates it from. */
export interface DomainModel {
  readonly domainName: string;
  /** The given certificate; undefined when one is created and validated in `hostedZone`. */
  readonly certificate?: acm.ICertificate;
  readonly hostedZone?: route53.IHostedZone;
  /** Each base path, `''` for the domain's root. */
  readonly basePaths: string[];
  readonly securityPolicy: DomainSecurityPolicy;
  readonly disableExecuteApiEndpoint: boolean;
}

/**
 * A domain name as API Gateway takes it: lower-case labels of letters, digits and inner hyphens, at least two,
 * 253 characters in all (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html).
 */
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * An API mapping's path: letters, digits and `$-_.+!*'()`, levels joined by single slashes, at most 300 characters
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html#rest-api-mappings-restrictions).
 */
const BASE_PATH = /^[A-Za-z0-9$\-_.+!*'()]+(\/[A-Za-z0-9$\-_.+!*'()]+)*$/;
const BASE_PATH_MAX_LENGTH = 300;
/** API Gateway allows 200 API mappings with several levels per domain name (same page). */
const MAX_MULTI_LEVEL_MAPPINGS = 200;

const POLICY_NAMES: { [value: string]: string } = {
  [DomainSecurityPolicy.TLS_1_2]: 'DomainSecurityPolicy.TLS_1_2',
  [DomainSecurityPolicy.TLS_1_3]: 'DomainSecurityPolicy.TLS_1_3',
};

/** Checks the `domain` prop against the kind of API and the stack, and resolves it; undefined without one. */
export function resolveDomain(
  scope: Construct,
  options: ApiDomainOptions | undefined,
  apiType: ApiType,
): DomainModel | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    fail('domain', 'be the custom domain options, with at least `domainName`', options);
  }
  const domainName = options.domainName;
  if (!Token.isUnresolved(domainName) && (typeof domainName !== 'string' || !DOMAIN_NAME.test(domainName))) {
    fail(
      'domain.domainName',
      'be a fully qualified domain name in lower case (API Gateway refuses upper case), such as api.example.com',
      domainName,
    );
  }
  const securityPolicy = options.securityPolicy ?? DomainSecurityPolicy.TLS_1_2;
  checkSecurityPolicy(securityPolicy, apiType);
  checkCertificate(scope, options);
  checkHostedZone(options.hostedZone, domainName);
  const basePaths = options.basePaths ?? [''];
  checkBasePaths(basePaths);
  return {
    domainName,
    certificate: options.certificate,
    hostedZone: options.hostedZone,
    basePaths,
    securityPolicy,
    disableExecuteApiEndpoint: options.disableExecuteApiEndpoint ?? false,
  };
}

function checkSecurityPolicy(policy: DomainSecurityPolicy, apiType: ApiType): void {
  if (!isLiteral(policy)) return;
  if ((policy as string) === 'TLS_1_0') {
    fail(
      'domain.securityPolicy',
      'be TLS 1.2 or newer (DomainSecurityPolicy.TLS_1_2 or TLS_1_3): TLS 1.0 is deprecated and weak',
      policy,
    );
  }
  const policies = Object.values(DomainSecurityPolicy);
  checkOneOf('domain.securityPolicy', policy, policies, `be one of ${Object.values(POLICY_NAMES).join(', ')}`);
  if (apiType === ApiType.HTTP && policy !== DomainSecurityPolicy.TLS_1_2) {
    fail(
      'domain.securityPolicy',
      'be DomainSecurityPolicy.TLS_1_2 on an HTTP API: API Gateway maps HTTP APIs only to domain names with the TLS 1.2 policy',
      policy,
    );
  }
}

/** A given certificate of another region cannot serve a Regional domain name; checked when both regions are known. */
function checkCertificate(scope: Construct, options: ApiDomainOptions): void {
  const certificate = options.certificate;
  if (certificate === undefined) {
    if (options.hostedZone === undefined) {
      fail(
        'domain.certificate',
        'be given, or `domain.hostedZone` given to create one validated through DNS records in it',
        undefined,
      );
    }
    return;
  }
  const region = Stack.of(scope).region;
  // An imported certificate's region is in its ARN; one of the app's is its stack's.
  const arnRegion = Token.isUnresolved(certificate.certificateArn)
    ? undefined
    : /^arn:[^:]+:acm:([^:]+):/.exec(certificate.certificateArn)?.[1];
  const certificateRegion = arnRegion ?? certificate.env.region;
  if (Token.isUnresolved(region) || Token.isUnresolved(certificateRegion) || region === certificateRegion) return;
  fail(
    'domain.certificate',
    `be issued in the stack's region, ${region}: a Regional custom domain name serves only a certificate of its own region (request or import one there)`,
    certificateRegion,
  );
}

function checkHostedZone(zone: route53.IHostedZone | undefined, domainName: string): void {
  if (zone === undefined) return;
  let zoneName: string;
  try {
    zoneName = zone.zoneName;
  } catch {
    // HostedZone.fromHostedZoneId() throws on zoneName: records cannot be named in such a zone.
    return fail(
      'domain.hostedZone',
      'know its name (HostedZone.fromLookup or fromHostedZoneAttributes, not fromHostedZoneId): the alias records are named in it',
      zone.hostedZoneId,
    );
  }
  if (Token.isUnresolved(zoneName) || Token.isUnresolved(domainName)) return;
  const name = zoneName.toLowerCase().replace(/\.$/, '');
  if (domainName !== name && !domainName.endsWith(`.${name}`)) {
    fail(
      'domain.hostedZone',
      `be the zone of \`domain.domainName\` (${domainName}) or of one of its parent domains: its records go in it`,
      zoneName,
    );
  }
}

function checkBasePaths(basePaths: string[]): void {
  if (!Array.isArray(basePaths) || basePaths.length === 0) {
    fail('domain.basePaths', "list at least one base path ('' for the domain's root), or be left out", basePaths);
  }
  basePaths.forEach((basePath, i) => {
    if (!isLiteral(basePath) || basePath === '') return;
    if (typeof basePath !== 'string' || basePath.length > BASE_PATH_MAX_LENGTH || !BASE_PATH.test(basePath)) {
      fail(
        `domain.basePaths[${i}]`,
        "be '' (the root) or levels of letters, digits and $-_.+!*'() joined by single slashes, with no slash first or last, in at most 300 characters (such as v1 or orders/v1)",
        basePath,
      );
    }
  });
  checkUnique('domain.basePaths', basePaths, (basePath) => basePath);
  const multiLevel = basePaths.filter((basePath) => isLiteral(basePath) && basePath.includes('/'));
  if (multiLevel.length > MAX_MULTI_LEVEL_MAPPINGS) {
    fail(
      'domain.basePaths',
      `have at most ${MAX_MULTI_LEVEL_MAPPINGS} base paths of several levels: API Gateway's limit per domain name`,
      multiLevel.length,
    );
  }
}
