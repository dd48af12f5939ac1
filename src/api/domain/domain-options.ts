import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';

/**
 * The lowest TLS version the custom domain name accepts
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html).
 * TLS 1.0 is not offered.
 */
export enum DomainSecurityPolicy {
  /** TLS 1.2 and newer (`TLS_1_2`): the only policy HTTP APIs can be mapped with. */
  TLS_1_2 = 'TLS_1_2',
  /**
   * TLS 1.3 only (`SecurityPolicy_TLS13_1_3_2025_09`), with the `STRICT` endpoint access mode. REST APIs only;
   * clients that speak TLS 1.2 at most cannot connect.
   */
  TLS_1_3 = 'SecurityPolicy_TLS13_1_3_2025_09',
}

/**
 * A custom domain name for the API (a Regional one, like the API), its certificate, its base paths and its DNS
 * records.
 */
export interface ApiDomainOptions {
  /** The domain name, lower case and fully qualified, such as `api.example.com`. */
  readonly domainName: string;
  /**
   * The ACM certificate of the domain name, issued in the stack's region (a Regional custom domain name cannot use
   * one from another region, https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html).
   *
   * @default - a new certificate for `domainName`, validated through DNS records in `hostedZone`
   */
  readonly certificate?: acm.ICertificate;
  /**
   * The Route 53 public hosted zone of the domain name: it gets the certificate's validation records (when the
   * certificate is created) and the `A` and `AAAA` alias records of the domain name. The zone must know its name
   * (`HostedZone.fromLookup`, `fromHostedZoneAttributes`, or a zone of the app).
   *
   * @default - no DNS records: point the domain name at `customDomain.regionalDomainName` yourself
   */
  readonly hostedZone?: route53.IHostedZone;
  /**
   * The base paths the API is mapped under, each an API mapping such as `v1` or `orders/v1`
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html); `''` maps the domain's
   * root. API Gateway strips the base path before routing: `https://api.example.com/v1/items` reaches `/items`.
   *
   * @default [''] - the API answers at the domain's root
   */
  readonly basePaths?: string[];
  /**
   * The lowest TLS version callers may use.
   *
   * @default DomainSecurityPolicy.TLS_1_2
   */
  readonly securityPolicy?: DomainSecurityPolicy;
  /**
   * Whether to turn off the API's default `https://{api-id}.execute-api.{region}.amazonaws.com` endpoint, so that
   * the custom domain name is the only way in (and its TLS policy cannot be bypassed).
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;
}

/** The custom domain name of a `ServerlessApi`. */
export interface IApiCustomDomain extends IConstruct {
  /** The domain name, such as `api.example.com`. */
  readonly domainName: string;
  /** The URL of the API through its first base path: `https://api.example.com/` or `https://api.example.com/v1`. */
  readonly url: string;
  /** The URL of the API through each base path, in the order they were given. */
  readonly urls: string[];
  /** The certificate the domain name serves (given or created). */
  readonly certificate: acm.ICertificate;
  /** The target of the domain's DNS record (`d-xxxx.execute-api.<region>.amazonaws.com`), for a zone the API does not manage. */
  readonly regionalDomainName: string;
  /** The Route 53 hosted zone id of `regionalDomainName`, for an alias record. */
  readonly regionalHostedZoneId: string;
  /** The HTTP API's domain name resource; undefined on a REST API. */
  readonly httpDomainName?: apigwv2.IDomainName;
  /** The REST API's domain name resource; undefined on an HTTP API. */
  readonly restDomainName?: apigateway.IDomainName;
}
