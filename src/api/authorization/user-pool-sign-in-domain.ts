import { Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { fail, isLiteral } from '../../private/validation';

/**
 * A prefix domain: "Pattern: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html).
 */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Words a prefix may not contain (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html). */
const RESERVED_PREFIX_WORDS = ['aws', 'amazon', 'cognito'];
/** A fully qualified domain name of at least two labels. */
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * Where a created user pool's hosted sign-in pages and OAuth endpoints (`/oauth2/authorize`, `/oauth2/token`,
 * `/logout`) are served: a prefix domain of Cognito's, or your own domain.
 */
export class UserPoolSignInDomain {
  /**
   * `https://<prefix>.auth.<region>.amazoncognito.com`: no certificate or DNS record to manage.
   *
   * @param prefix lowercase letters, digits and hyphens, unique in the region, without "aws", "amazon" or "cognito"
   */
  public static cognitoPrefix(prefix: string): UserPoolSignInDomain {
    return new UserPoolSignInDomain(prefix, undefined);
  }

  /**
   * Your own domain, such as `auth.shop.example.com`, served by a CloudFront distribution Cognito manages. Point
   * an alias record at it (its domain name is the `CloudFrontDistribution` attribute of the
   * `AWS::Cognito::UserPoolDomain`) once deployed; the parent domain must resolve (an A record) first.
   *
   * @param domainName the fully qualified domain name
   * @param certificate an ACM certificate for `domainName` in us-east-1, where CloudFront reads certificates
   */
  public static customDomain(domainName: string, certificate: acm.ICertificate): UserPoolSignInDomain {
    return new UserPoolSignInDomain(domainName, certificate);
  }

  /** The prefix, or the custom domain name. */
  public readonly domain: string;
  /** The certificate of a custom domain; undefined for a prefix domain. */
  public readonly certificate?: acm.ICertificate;

  private constructor(domain: string, certificate: acm.ICertificate | undefined) {
    this.domain = domain;
    this.certificate = certificate;
  }

  /**
   * Checks the prefix or the domain name and its certificate.
   *
   * @internal
   */
  public _validate(prop: string): void {
    const domain = this.domain;
    if (!isLiteral(domain)) return;
    if (!this.certificate) {
      if (!DOMAIN_PREFIX.test(domain)) {
        fail(
          prop,
          'be a prefix of 1 to 63 lowercase letters, digits and hyphens, not starting or ending with one',
          domain,
        );
      }
      if (RESERVED_PREFIX_WORDS.some((word) => domain.includes(word))) {
        fail(prop, 'be a prefix without the words "aws", "amazon" or "cognito", which Cognito reserves', domain);
      }
      return;
    }
    if (!DOMAIN_NAME.test(domain)) {
      fail(prop, 'be a fully qualified lowercase domain name such as "auth.example.com"', domain);
    }
    // An imported certificate's region is in its ARN; a created one is in its stack's.
    const arn = this.certificate.certificateArn;
    const region = isLiteral(arn) ? arn.split(':')[3] : Stack.of(this.certificate).region;
    if (isLiteral(region) && region !== 'us-east-1') {
      fail(
        `${prop}.certificate`,
        'be an ACM certificate in us-east-1, where CloudFront reads it',
        this.certificate.certificateArn,
      );
    }
  }

  /**
   * Adds the domain to the pool.
   *
   * @internal
   */
  public _addTo(userPool: cognito.UserPool): cognito.UserPoolDomain {
    return userPool.addDomain('SignInDomain', {
      cognitoDomain: this.certificate ? undefined : { domainPrefix: this.domain },
      customDomain: this.certificate ? { domainName: this.domain, certificate: this.certificate } : undefined,
    });
  }
}
