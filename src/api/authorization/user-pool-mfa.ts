import { Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { checkOneOf } from '../../private/validation';

/**
 * Whether the users of a created user pool sign in with a second factor: an authenticator app (TOTP).
 *
 * SMS and email codes are not offered: SMS needs an SNS role allowed to publish to any phone number and is open
 * to SIM swapping, email codes need an SES sending identity, and both cost per message.
 * See https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html
 */
export enum UserPoolMfa {
  /**
   * Every user sets up an authenticator app and enters its code at every sign-in: a stolen or guessed password
   * alone opens no account. The most secure choice, and the one with the most friction (back-office apps, staff).
   */
  REQUIRED = 'REQUIRED',
  /**
   * Users may set up an authenticator app; those who did enter its code at every sign-in, the others sign in with
   * their password alone and fall to phishing or credential stuffing. A consumer app's usual compromise: keep
   * `threatProtection` on, which blocks sign-ins with credentials known to be leaked.
   */
  OPTIONAL = 'OPTIONAL',
  /**
   * No second factor for anyone: a password is enough. Only for pools whose users sign in through an identity
   * provider that asks for its own second factor, or that only machine clients (client credentials) use.
   */
  OFF = 'OFF',
}

const COGNITO_MFA: { [mfa in UserPoolMfa]: cognito.Mfa } = {
  [UserPoolMfa.REQUIRED]: cognito.Mfa.REQUIRED,
  [UserPoolMfa.OPTIONAL]: cognito.Mfa.OPTIONAL,
  [UserPoolMfa.OFF]: cognito.Mfa.OFF,
};

/** Checks a literal `mfa` is one of the enum's values (JavaScript callers get no type check). */
export function validateUserPoolMfa(prop: string, mfa: UserPoolMfa | undefined): void {
  const values = Object.values(UserPoolMfa);
  checkOneOf(prop, mfa, values, `be one of UserPoolMfa.${values.join(', UserPoolMfa.')}`);
}

/** The user pool's MFA settings: TOTP is the second factor whenever MFA is not off. */
export function userPoolMfaSettings(mfa: UserPoolMfa): Pick<cognito.UserPoolProps, 'mfa' | 'mfaSecondFactor'> {
  return {
    mfa: COGNITO_MFA[mfa],
    mfaSecondFactor: mfa === UserPoolMfa.OFF ? undefined : { sms: false, otp: true },
  };
}

/** Acknowledges cdk-nag's AwsSolutions-COG2 (MFA not required) on a pool whose owner chose to weaken MFA. */
export function acknowledgeWeakenedMfa(userPool: cognito.UserPool, mfa: UserPoolMfa): void {
  if (mfa === UserPoolMfa.REQUIRED) return;
  const what =
    mfa === UserPoolMfa.OPTIONAL
      ? 'made MFA optional (`mfa: UserPoolMfa.OPTIONAL`): users who set up an authenticator app (TOTP) must use it'
      : 'turned MFA off (`mfa: UserPoolMfa.OFF`): users sign in with a password alone';
  Validations.of(userPool).acknowledge({
    id: 'AwsSolutions-COG2',
    reason: `The API's owner ${what}; passwords need 12 characters of four kinds.`,
  });
}
