import { RemovalPolicy } from 'aws-cdk-lib';
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
import { createApiUserPool, validateUserPoolClients } from './created-user-pool';
import { DEFAULT_IDENTITY_SOURCE, restIdentitySource } from './identity-source';
import { httpJwtAuthorizer } from './jwt';
import { UserPoolClientOptions } from './user-pool-client-options';
import { UserPoolMfa, validateUserPoolMfa } from './user-pool-mfa';
import { validateRouteScope } from './user-pool-scopes';
import { UserPoolSignInDomain } from './user-pool-sign-in-domain';
import { fail } from '../../private/validation';

/**
 * A Cognito user pool authorizer: API Gateway validates the pool's ID or access tokens.
 *
 * Import a pool with `userPool` and `userPoolClients`, or leave both out and the API creates a pool
 * and app clients with secure defaults (`ServerlessApi.userPool`, `ServerlessApi.userPoolClients`).
 */
export interface CognitoAuthorizationProps {
  /**
   * An existing user pool whose tokens are accepted.
   *
   * @default - a new user pool: sign-in by email, passwords of at least 12 characters with upper and
   * lower case letters, digits and symbols, MFA as `mfa` says, recovery by email only, no self sign-up,
   * threat protection enforced, deletion protection, retained on delete
   */
  readonly userPool?: cognito.IUserPool;
  /**
   * The app clients of `userPool` whose tokens are accepted; required with `userPool` (for a created pool, see
   * `clients`).
   *
   * @default - the client created with the new user pool: no secret, SRP sign-in, no user existence errors
   */
  readonly userPoolClients?: cognito.IUserPoolClient[];
  /**
   * Whether users of the new user pool sign in with an authenticator app (TOTP) as a second factor. Weakening it
   * lets a stolen or guessed password alone open an account: `OPTIONAL` suits consumer apps (keep
   * `threatProtection` on), `OFF` only federated or machine-only pools; cdk-nag's AwsSolutions-COG2 is
   * acknowledged with that reason. Only for a pool the API creates.
   *
   * @default UserPoolMfa.REQUIRED
   */
  readonly mfa?: UserPoolMfa;
  /**
   * The domain of the new user pool's hosted sign-in pages and OAuth endpoints; needed by clients with an
   * `oauthGrant`. Only for a pool the API creates.
   *
   * @default - no domain: clients sign users in with SRP and have no OAuth grant
   */
  readonly signInDomain?: UserPoolSignInDomain;
  /**
   * The app clients of the new user pool, by name (letters and digits); `default` configures the client exposed as
   * `userPoolClient`. Every client's tokens are accepted, those of clients added later too. Only for a pool the API
   * creates.
   *
   * @default - only `default`: no secret, SRP sign-in, no OAuth, no user existence errors
   */
  readonly clients?: { [name: string]: UserPoolClientOptions };
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
        ['mfa', props.mfa],
        ['signInDomain', props.signInDomain],
        ['clients', props.clients],
      ];
      for (const [name, value] of createOnly) {
        if (value !== undefined) {
          fail(`${prop}.${name}`, 'be left out when `userPool` is imported: the pool keeps its own settings', value);
        }
      }
    } else if (clients !== undefined) {
      fail(
        `${prop}.userPoolClients`,
        'be left out unless `userPool` is imported: the API creates the clients of the pool it creates (see `clients`)',
        clients.map((client) => client.node.path),
      );
    } else {
      validateUserPoolMfa(`${prop}.mfa`, props.mfa);
      props.signInDomain?._validate(`${prop}.signInDomain`);
      validateUserPoolClients(prop, props);
    }
  }

  /** With a created pool, each scope must name a resource server of it (or be one of Cognito's own). */
  public validateScopes(prop: string, scopes: string[]): void {
    if (this.props.userPool) return;
    scopes.forEach((scope, i) => validateRouteScope(`${prop}[${i}]`, scope));
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
    return this.props.userPool ? undefined : createApiUserPool(scope, this.props);
  }

  /** Accepts ID and access tokens of the listed app clients, or of every client of a created pool. */
  public bindHttp(context: HttpAuthorizerContext): HttpRouteAuthorization {
    const userPool = this.userPoolOf(context);
    const created = context.createdUserPool;
    const { id, name } = context.next('Cognito');
    const authorizer = httpJwtAuthorizer(
      context,
      id,
      this.props.authorizerName ?? name,
      `https://cognito-idp.${userPool.env.region}.amazonaws.com/${userPool.userPoolId}`,
      created ? created.audience() : (this.props.userPoolClients ?? []).map((client) => client.userPoolClientId),
      undefined,
    );
    return { authorizationType: 'JWT', authorizer };
  }

  /** Accepts ID and access tokens of the pool (access tokens only on routes with `authorizationScopes`). */
  public bindRest(context: RestAuthorizerContext): RestMethodAuthorization {
    const userPool = this.userPoolOf(context);
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

  /** The user pool whose tokens are accepted: the created or the imported one. */
  private userPoolOf(context: AuthorizerContext): cognito.IUserPool {
    return context.createdUserPool?.userPool ?? this.props.userPool!;
  }
}
