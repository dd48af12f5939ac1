import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { CognitoAuthorizationProps } from './api-authorization';

/** The password policy of a created user pool: stronger than cdk-nag's COG1 floor of 8 characters. */
export const USER_POOL_PASSWORD_POLICY: cognito.PasswordPolicy = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
};

export interface CreatedUserPool {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
}

/**
 * A user pool with secure defaults and one app client for browsers and mobile apps.
 *
 * MFA is required with authenticator apps (TOTP) only: SMS needs an SNS role and is open to SIM swapping.
 * Recovery goes by email only, for the same reason. The client has no secret (a public client cannot
 * keep one), signs in with SRP (the password never leaves the device) and does not reveal which
 * users exist. OAuth is off: add your own client for a hosted sign-in page.
 */
export function createUserPool(scope: Construct, props: CognitoAuthorizationProps): CreatedUserPool {
  const threatProtection = props.threatProtection ?? true;
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  const userPool = new cognito.UserPool(scope, 'UserPool', {
    selfSignUpEnabled: props.selfSignUp ?? false,
    signInAliases: { email: true },
    signInCaseSensitive: false,
    autoVerify: { email: true },
    keepOriginal: { email: true },
    standardAttributes: { email: { required: true, mutable: true } },
    passwordPolicy: USER_POOL_PASSWORD_POLICY,
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { sms: false, otp: true },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    featurePlan: threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
    standardThreatProtectionMode: threatProtection ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
    deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
    removalPolicy,
  });
  if (!threatProtection) {
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        "The API's owner turned threat protection off (`threatProtection: false`): the pool stays on the Essentials plan, with MFA required and a 12-character password policy.",
    });
  }
  const userPoolClient = new cognito.UserPoolClient(scope, 'UserPoolClient', {
    userPool,
    generateSecret: false,
    authFlows: { userSrp: true },
    preventUserExistenceErrors: true,
    enableTokenRevocation: true,
    disableOAuth: true,
  });
  return { userPool, userPoolClient };
}
