import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { DomainModel } from './domain-model';
import { DomainSecurityPolicy, IApiCustomDomain } from './domain-options';

/** The HTTP API's stage a domain maps to. */
export interface HttpDomainTarget {
  readonly api: apigwv2.IHttpApi;
  readonly stage: apigwv2.IHttpStage;
}

/** The REST API's stage a domain maps to. */
export interface RestDomainTarget {
  readonly api: apigateway.IRestApi;
  readonly stage: apigateway.Stage;
}

/** API Gateway's security policies for REST domain names, by the library's choice. */
const REST_POLICIES: { [policy: string]: apigateway.SecurityPolicy } = {
  [DomainSecurityPolicy.TLS_1_2]: apigateway.SecurityPolicy.TLS_1_2,
  [DomainSecurityPolicy.TLS_1_3]: apigateway.SecurityPolicy.TLS13_1_3_2025_09,
};

/**
 * A Regional custom domain name mapped to the API's stage under each base path: the certificate (given, or created
 * and validated through DNS), the domain name for both IPv4 and IPv6 callers, one API mapping per base path and,
 * with a hosted zone, the `A` and `AAAA` alias records.
 */
export class ApiCustomDomain extends Construct implements IApiCustomDomain {
  public readonly domainName: string;
  public readonly urls: string[];
  public readonly certificate: acm.ICertificate;
  public readonly regionalDomainName: string;
  public readonly regionalHostedZoneId: string;
  public readonly httpDomainName?: apigwv2.IDomainName;
  public readonly restDomainName?: apigateway.IDomainName;

  constructor(
    scope: Construct,
    id: string,
    model: DomainModel,
    target: { http: HttpDomainTarget } | { rest: RestDomainTarget },
  ) {
    super(scope, id);
    this.domainName = model.domainName;
    this.certificate =
      model.certificate ??
      new acm.Certificate(this, 'Certificate', {
        domainName: model.domainName,
        validation: acm.CertificateValidation.fromDns(model.hostedZone),
      });
    if ('http' in target) {
      const domain = this.httpDomain(model);
      for (const basePath of model.basePaths) {
        // The stage given explicitly: the mapping then depends on it (an HTTP API without a default stage fails).
        new apigwv2.ApiMapping(this, mappingId(basePath), {
          api: target.http.api,
          stage: target.http.stage,
          domainName: domain,
          apiMappingKey: basePath === '' ? undefined : basePath,
        });
      }
      this.httpDomainName = domain;
      this.regionalDomainName = domain.regionalDomainName;
      this.regionalHostedZoneId = domain.regionalHostedZoneId;
    } else {
      const domain = this.restDomain(model);
      for (const basePath of model.basePaths) {
        if (basePath.includes('/')) {
          // Base path mappings have one level; API mappings (API Gateway v2's) have several.
          domain.addApiMapping(target.rest.stage, { basePath });
        } else {
          domain.addBasePathMapping(target.rest.api, {
            basePath: basePath === '' ? undefined : basePath,
            stage: target.rest.stage,
          });
        }
      }
      this.restDomainName = domain;
      this.regionalDomainName = domain.domainNameAliasDomainName;
      this.regionalHostedZoneId = domain.domainNameAliasHostedZoneId;
    }
    this.urls = model.basePaths.map(
      (basePath) => `https://${model.domainName}/${basePath === '' ? '' : `${basePath}/`}`,
    );
    if (model.hostedZone) this.aliasRecords(model.hostedZone);
  }

  public get url(): string {
    return this.urls[0];
  }

  private httpDomain(model: DomainModel): apigwv2.DomainName {
    return new apigwv2.DomainName(this, 'DomainName', {
      domainName: model.domainName,
      certificate: this.certificate,
      endpointType: apigwv2.EndpointType.REGIONAL,
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      ipAddressType: apigwv2.IpAddressType.DUAL_STACK,
    });
  }

  private restDomain(model: DomainModel): apigateway.DomainName {
    const domain = new apigateway.DomainName(this, 'DomainName', {
      domainName: model.domainName,
      certificate: this.certificate,
      endpointType: apigateway.EndpointType.REGIONAL,
      securityPolicy: REST_POLICIES[model.securityPolicy],
      // Enhanced (SecurityPolicy_*) policies need an access mode; STRICT also refuses requests whose SNI is not the
      // domain's (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html).
      endpointAccessMode:
        model.securityPolicy === DomainSecurityPolicy.TLS_1_2 ? undefined : apigateway.EndpointAccessMode.STRICT,
    });
    // aws-cdk-lib's REST DomainName has no IP address type; dualstack serves the AAAA record's IPv6 callers.
    (domain.node.defaultChild as apigateway.CfnDomainName).addPropertyOverride(
      'EndpointConfiguration.IpAddressType',
      'dualstack',
    );
    return domain;
  }

  /** `A` and `AAAA` alias records of the domain name, in its zone. */
  private aliasRecords(zone: route53.IHostedZone): void {
    const target = route53.RecordTarget.fromAlias(
      new targets.ApiGatewayv2DomainProperties(this.regionalDomainName, this.regionalHostedZoneId),
    );
    new route53.ARecord(this, 'AliasRecord', { zone, recordName: this.domainName, target });
    new route53.AaaaRecord(this, 'AliasRecordIpv6', { zone, recordName: this.domainName, target });
  }
}

/** One construct id per base path; `:` cannot occur in a base path, so ids never collide. */
function mappingId(basePath: string): string {
  return basePath === '' ? 'Mapping' : `Mapping:${basePath.replace(/\//g, ':')}`;
}
