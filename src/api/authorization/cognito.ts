import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import {
  AuthorizationKind,
  AuthorizerContext,
  CreatedUserPool,
  HttpAuthorizerContext,
  HttpRouteAuthorization,
  RestAuthorizerContext,
  restAuthorizer,
  RestMethodAuthorization,
} from './authorization-kind';
import { DEFAULT_IDENTITY_SOURCE, restIdentitySource } from './identity-source';
import { httpJwtAuthorizer } from './jwt';
import { fail } from '../../private/validation';

/** The password policy of a created user pool: stronger than cdk-nag's COG1 floor of 8 characters. */
export const USER_POOL_PASSWORD_POLICY: cognito.PasswordPolicy = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
};

/**
 * A Cognito user pool authorizer: API Gateway validates the pool's ID or access tokens.
 *
 * Import a pool with `userPool` and `userPoolClients`, or leave both out and the API creates a pool
 * and an app client with secure defaults (`ServerlessApi.userPool`, `ServerlessApi.userPoolClient`).
 */
export interface CognitoAuthorizationProps {
  /**
   * An existing user pool whose tokens are accepted.
   *
   * @default - a new user pool: sign-in by email, passwords of at least 12 characters with upper and
   * lower case letters, digits and symbols, MFA required (TOTP), recovery by email only, no self sign-up,
   * threat protection enforced, deletion protection, retained on delete
   */
  readonly userPool?: cognito.IUserPool;
  /**
   * The app clients of `userPool` whose tokens are accepted; required with `userPool`.
   *
   * @default - the client created with the new user pool: no secret, SRP sign-in, no user existence errors
   */
  readonly userPoolClients?: cognito.IUserPoolClient[];
  /**
   * Whether anyone may sign up to the new user pool. Only for a pool the API creates.
   *
   * @default false
   */
  readonly selfSignUp?: boolean;
  /**
   * Whether the new user pool is on the Plus feature plan with standard threat protection enforced
   * (compromised credentials and risky sign-ins blocked). Only for a pool the API creates.
   *
   * Plus is billed for every monthly active user, with no free tier (about USD 0.02 each in us-east-1
   * when this was written, see https://aws.amazon.com/cognito/pricing/); `false` selects the Essentials plan.
   *
   * @default true
   */
  readonly threatProtection?: boolean;
  /**
   * What happens to the new user pool when it leaves the stack. Deletion protection is on unless
   * this is `RemovalPolicy.DESTROY`. Only for a pool the API creates.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Name of the authorizer in API Gateway.
   *
   * @default 'cognito'
   */
  readonly authorizerName?: string;
}

/**
 * `ApiAuthorization.cognito()`: on HTTP APIs a JWT authorizer for the pool's issuer (the same check as
 * aws-cdk-lib's HttpUserPoolAuthorizer), on REST APIs a Cognito user pool authorizer.
 */
export class CognitoAuthorization extends AuthorizationKind {
  public readonly factory = 'ApiAuthorization.cognito()';
  public readonly checksScopes = true;

  constructor(public readonly props: CognitoAuthorizationProps) {
    super();
  }

  public validate(prop: string): void {
    const props = this.props;
    const clients = props.userPoolClients;
    if (props.userPool) {
      if (!clients || clients.length === 0) {
        fail(
          `${prop}.userPoolClients`,
          'list at least one app client of the imported `userPool`: their ids are the accepted audiences',
          clients ?? [],
        );
      }
      const createOnly: [string, unknown][] = [
        ['selfSignUp', props.selfSignUp],
        ['threatProtection', props.threatProtection],
        ['removalPolicy', props.removalPolicy],
      ];
      for (const [name, value] of createOnly) {
        if (value !== undefined) {
          fail(`${prop}.${name}`, 'be left out when `userPool` is imported: the pool keeps its own settings', value);
        }
      }
    } else if (clients !== undefined) {
      fail(
        `${prop}.userPoolClients`,
        'be left out unless `userPool` is imported: the API creates the client of the pool it creates',
        clients.map((client) => client.node.path),
      );
    }
  }

  public validateOnRoute(prop: string, apiWide: boolean): void {
    if (!this.props.userPool && !apiWide) {
      fail(
        `${prop}.userPool`,
        "be given on a route's own ApiAuthorization.cognito(): only the API-wide `authorization` creates a user pool (pass that same object, or import a pool)",
        undefined,
      );
    }
  }

  public createUserPool(scope: Construct): CreatedUserPool | undefined {
    return this.props.userPool ? undefined : createUserPool(scope, this.props);
  }

  /** Accepts ID and access tokens of the listed app clients. */
  public bindHttp(context: HttpAuthorizerContext): HttpRouteAuthorization {
    const { userPool, clients } = this.userPoolOf(context);
    const { id, name } = context.next('Cognito');
    const authorizer = httpJwtAuthorizer(
      context,
      id,
      this.props.authorizerName ?? name,
      `https://cognito-idp.${userPool.env.region}.amazonaws.com/${userPool.userPoolId}`,
      clients.map((client) => client.userPoolClientId),
      undefined,
    );
    return { authorizationType: 'JWT', authorizer };
  }

  /** Accepts ID and access tokens of the pool (access tokens only on routes with `authorizationScopes`). */
  public bindRest(context: RestAuthorizerContext): RestMethodAuthorization {
    const { userPool } = this.userPoolOf(context);
    const { id, name } = context.next('Cognito');
    const identitySource = restIdentitySource(DEFAULT_IDENTITY_SOURCE[0]);
    const authorizer = restAuthorizer(context.scope, id, apigateway.AuthorizationType.COGNITO, [identitySource], {
      name: this.props.authorizerName ?? name,
      restApiId: context.api.restApiId,
      type: 'COGNITO_USER_POOLS',
      providerArns: [userPool.userPoolArn],
      identitySource,
    });
    return { authorizationType: apigateway.AuthorizationType.COGNITO, authorizer };
  }

  /** The user pool and app clients whose tokens are accepted. */
  private userPoolOf(context: AuthorizerContext): {
    userPool: cognito.IUserPool;
    clients: cognito.IUserPoolClient[];
  } {
    const created = context.createdUserPool;
    return {
      userPool: created?.userPool ?? this.props.userPool!,
      clients: created ? [created.userPoolClient] : (this.props.userPoolClients ?? []),
    };
  }
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
