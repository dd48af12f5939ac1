import { Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiAuthorization, UserPoolMfa, UserPoolSignInDomain } from '../../../src';
import { buildApi, expectError, logicalId, newStack, ref, resources } from '../../helpers/api';

/** The acknowledgements recorded on the created pool, by finding id. */
function poolAcknowledgements(pool: cognito.IUserPool): { [id: string]: string } {
  const found: { [id: string]: string } = {};
  for (const entry of pool.node.metadata) {
    if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
    for (const [id, reason] of Object.entries(entry.data as { [id: string]: string })) {
      found[id.replace(/^annotation::/i, '')] = reason;
    }
  }
  return found;
}

// MFA modes: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html
describe('the MFA of a created user pool', () => {
  test('GIVEN no mfa THEN MFA is required with authenticator apps (TOTP) only, and nothing is acknowledged', () => {
    const { template, api } = buildApi({ authorization: ApiAuthorization.cognito() });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    expect(poolAcknowledgements(api.userPool!)).toEqual({});
  });

  test('GIVEN UserPoolMfa.REQUIRED THEN it is the default', () => {
    const { template } = buildApi({ authorization: ApiAuthorization.cognito({ mfa: UserPoolMfa.REQUIRED }) });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  test('GIVEN UserPoolMfa.OPTIONAL THEN users may set up TOTP, and COG2 is acknowledged with the reason', () => {
    const { template, api } = buildApi({ authorization: ApiAuthorization.cognito({ mfa: UserPoolMfa.OPTIONAL }) });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      SmsConfiguration: Match.absent(),
    });
    expect(poolAcknowledgements(api.userPool!)).toEqual({
      'AwsSolutions-COG2':
        "The API's owner made MFA optional (`mfa: UserPoolMfa.OPTIONAL`): users who set up an authenticator app (TOTP) must use it; passwords need 12 characters of four kinds.",
    });
  });

  test('GIVEN UserPoolMfa.OFF THEN there is no second factor, and COG2 is acknowledged with the reason', () => {
    const { template, api } = buildApi({ authorization: ApiAuthorization.cognito({ mfa: UserPoolMfa.OFF }) });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OFF',
      EnabledMfas: Match.absent(),
    });
    expect(poolAcknowledgements(api.userPool!)).toEqual({
      'AwsSolutions-COG2':
        "The API's owner turned MFA off (`mfa: UserPoolMfa.OFF`): users sign in with a password alone; passwords need 12 characters of four kinds.",
    });
  });

  test('GIVEN MFA off and threat protection off THEN both findings are acknowledged, COG8 naming the MFA mode', () => {
    const { api } = buildApi({
      authorization: ApiAuthorization.cognito({ mfa: UserPoolMfa.OFF, threatProtection: false }),
    });
    const found = poolAcknowledgements(api.userPool!);
    expect(Object.keys(found).sort()).toEqual(['AwsSolutions-COG2', 'AwsSolutions-COG8']);
    expect(found['AwsSolutions-COG8']).toBe(
      "The API's owner turned threat protection off (`threatProtection: false`): the pool stays on the Essentials plan, with a 12-character password policy and MFA off.",
    );
  });

  test('GIVEN an mfa that is not a UserPoolMfa THEN it is refused', () => {
    expectError(
      { authorization: ApiAuthorization.cognito({ mfa: 'SMS' as UserPoolMfa }) },
      '`authorization.mfa` must be one of UserPoolMfa.REQUIRED, UserPoolMfa.OPTIONAL, UserPoolMfa.OFF, got: "SMS"',
    );
  });
});

describe('the sign-in domain of a created user pool', () => {
  test('GIVEN none THEN the pool has no domain', () => {
    const { template } = buildApi({ authorization: ApiAuthorization.cognito() });
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
  });

  test('GIVEN a Cognito prefix THEN the pool has that prefix domain', () => {
    const { template } = buildApi({
      authorization: ApiAuthorization.cognito({ signInDomain: UserPoolSignInDomain.cognitoPrefix('my-shop') }),
    });
    const poolId = logicalId(template, 'AWS::Cognito::UserPool', 'ApiUserPool');
    const domainId = logicalId(template, 'AWS::Cognito::UserPoolDomain', 'ApiUserPoolSignInDomain');
    expect(resources(template)[domainId].Properties).toEqual({ Domain: 'my-shop', UserPoolId: ref(poolId) });
  });

  test('GIVEN a custom domain with a us-east-1 certificate THEN the pool has that domain with the certificate', () => {
    const stack = newStack();
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', arn);
    const { template } = buildApi(
      {
        authorization: ApiAuthorization.cognito({
          signInDomain: UserPoolSignInDomain.customDomain('auth.shop.example.com', certificate),
        }),
      },
      stack,
    );
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'auth.shop.example.com',
      CustomDomainConfig: { CertificateArn: arn },
    });
  });

  test.each([
    [
      'My-Shop',
      '`authorization.signInDomain` must be a prefix of 1 to 63 lowercase letters, digits and hyphens, not starting or ending with one, got: "My-Shop"',
    ],
    [
      '-shop',
      '`authorization.signInDomain` must be a prefix of 1 to 63 lowercase letters, digits and hyphens, not starting or ending with one, got: "-shop"',
    ],
    [
      'shop.auth',
      '`authorization.signInDomain` must be a prefix of 1 to 63 lowercase letters, digits and hyphens, not starting or ending with one, got: "shop.auth"',
    ],
    [
      'my-cognito-shop',
      '`authorization.signInDomain` must be a prefix without the words "aws", "amazon" or "cognito", which Cognito reserves, got: "my-cognito-shop"',
    ],
  ])('GIVEN the prefix %s THEN it is refused', (prefix, message) => {
    expectError(
      { authorization: ApiAuthorization.cognito({ signInDomain: UserPoolSignInDomain.cognitoPrefix(prefix) }) },
      message,
    );
  });

  test('GIVEN a custom domain with a certificate outside us-east-1 THEN it is refused', () => {
    const stack = new Stack();
    const arn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', arn);
    expectError(
      {
        authorization: ApiAuthorization.cognito({
          signInDomain: UserPoolSignInDomain.customDomain('auth.example.com', certificate),
        }),
      },
      `\`authorization.signInDomain.certificate\` must be an ACM certificate in us-east-1, where CloudFront reads it, got: "${arn}"`,
    );
  });

  test('GIVEN a custom domain that is not a domain name THEN it is refused', () => {
    const certificate = acm.Certificate.fromCertificateArn(
      new Stack(),
      'C',
      'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    );
    expectError(
      {
        authorization: ApiAuthorization.cognito({
          signInDomain: UserPoolSignInDomain.customDomain('https://auth.example.com', certificate),
        }),
      },
      '`authorization.signInDomain` must be a fully qualified lowercase domain name such as "auth.example.com", got: "https://auth.example.com"',
    );
  });
});

describe('settings only a created pool has', () => {
  test.each([
    ['mfa', { mfa: UserPoolMfa.OFF }, '"OFF"'],
    ['signInDomain', { signInDomain: UserPoolSignInDomain.cognitoPrefix('shop') }, '{"domain":"shop"}'],
    ['clients', { clients: { web: {} } }, '{"web":{}}'],
  ])('GIVEN %s with an imported pool THEN it is refused', (name, settings, shown) => {
    const stack = new Stack();
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abc123');
    const userPoolClients = [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', 'client-id')];
    expectError(
      { authorization: ApiAuthorization.cognito({ userPool, userPoolClients, ...settings }) },
      `\`authorization.${name}\` must be left out when \`userPool\` is imported: the pool keeps its own settings, got: ${shown}`,
    );
  });
});
