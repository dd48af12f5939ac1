import { Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct, IConstruct } from 'constructs';
import { CreatedUserPool } from './authorization-kind';
import { clientGrant, OAuthGrant, UserPoolClientOptions, validateUserPoolClient } from './user-pool-client-options';
import { acknowledgeWeakenedMfa, UserPoolMfa, userPoolMfaSettings } from './user-pool-mfa';
import { DEFAULT_SIGN_IN_SCOPES, ResourceServers } from './user-pool-scopes';
import { UserPoolSignInDomain } from './user-pool-sign-in-domain';
import { checkPattern, fail, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE } from '../../private/validation';

export type { CreatedUserPool } from './authorization-kind';
export type { UserPoolClientOptions } from './user-pool-client-options';

/** The password policy of a created user pool: stronger than cdk-nag's COG1 floor of 8 characters. */
export const USER_POOL_PASSWORD_POLICY: cognito.PasswordPolicy = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
};

/** The settings of `ApiAuthorization.cognito()` that shape a pool the API creates. */
export interface UserPoolSettings {
  readonly selfSignUp?: boolean;
  readonly threatProtection?: boolean;
  readonly removalPolicy?: RemovalPolicy;
  readonly mfa?: UserPoolMfa;
  readonly signInDomain?: UserPoolSignInDomain;
  readonly clients?: { [name: string]: UserPoolClientOptions };
}

/** The name of the client kept at the construct id `UserPoolClient`, exposed as `userPoolClient`. */
export const DEFAULT_CLIENT = 'default';
/** "AllowedOAuthScopes ... Maximum number of 50 items" (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html). */
const MAX_CLIENT_SCOPES = 50;

/** Checks the `clients` of a pool the API creates: their names and each one's options. */
export function validateUserPoolClients(prop: string, props: UserPoolSettings): void {
  for (const [name, options] of Object.entries(props.clients ?? {})) {
    checkPattern(`${prop}.clients`, name, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE);
    validateUserPoolClient(`${prop}.clients.${name}`, options, props.signInDomain !== undefined);
  }
}

/**
 * A user pool with secure defaults, its app clients, its sign-in domain and the resource servers of the scopes the
 * routes use. See `createApiUserPool()` for the defaults.
 */
class ApiUserPool implements CreatedUserPool {
  public readonly userPool: cognito.UserPool;
  public readonly userPoolClient: cognito.UserPoolClient;
  /** Every client by name, the default one first; `addClient()` adds to it. */
  public readonly clients: { [name: string]: cognito.IUserPoolClient } = {};
  private readonly resourceServers: ResourceServers;
  /** Each client's options by name, for the scope checks at synth. */
  private readonly clientOptions = new Map<string, UserPoolClientOptions>();

  /** Only the API-wide `authorization` creates a pool. */
  private readonly prop = 'authorization';

  constructor(
    private readonly scope: Construct,
    private readonly props: UserPoolSettings,
  ) {
    const threatProtection = props.threatProtection ?? true;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const mfa = props.mfa ?? UserPoolMfa.REQUIRED;
    this.userPool = new cognito.UserPool(scope, 'UserPool', {
      selfSignUpEnabled: props.selfSignUp ?? false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: USER_POOL_PASSWORD_POLICY,
      ...userPoolMfaSettings(mfa),
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode: threatProtection ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy,
    });
    if (!threatProtection) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: `The API's owner turned threat protection off (\`threatProtection: false\`): the pool stays on the Essentials plan, with a 12-character password policy and MFA ${mfa.toLowerCase()}.`,
      });
    }
    acknowledgeWeakenedMfa(this.userPool, mfa);
    props.signInDomain?._addTo(this.userPool);
    this.resourceServers = new ResourceServers(scope, this.userPool);
    const clients = props.clients ?? {};
    this.clientOptions.set(DEFAULT_CLIENT, clients[DEFAULT_CLIENT] ?? {});
    this.userPoolClient = this.buildClient('UserPoolClient', clients[DEFAULT_CLIENT] ?? {});
    this.clients[DEFAULT_CLIENT] = this.userPoolClient;
    for (const [name, options] of Object.entries(clients)) {
      if (name === DEFAULT_CLIENT) continue;
      this.clientOptions.set(name, options);
      this.clients[name] = this.buildClient(`UserPoolClient-${name}`, options);
    }
    this.userPool.node.addValidation({ validate: () => this.scopeErrors() });
  }

  public addClient(name: string, options: UserPoolClientOptions): cognito.IUserPoolClient {
    checkPattern(`${this.prop}.clients`, name, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE);
    if (Object.keys(this.clients).includes(name)) fail(`${this.prop}.clients`, 'have unique names', name);
    validateUserPoolClient(`${this.prop}.clients.${name}`, options, this.props.signInDomain !== undefined);
    const client = this.buildClient(`UserPoolClient-${name}`, options);
    this.clients[name] = client;
    this.clientOptions.set(name, options);
    return client;
  }

  public useScopes(scopes: readonly string[]): void {
    this.resourceServers.add(scopes);
  }

  /** The ids of every app client of the pool in its stack, resolved at synth: clients added later are accepted. */
  public audience(): string[] {
    return Lazy.list({ produce: () => this.allClients().map((client) => client.ref) });
  }

  /** The API's clients first, then any other client of the pool in its stack (`userPool.addClient()`). */
  private allClients(): cognito.CfnUserPoolClient[] {
    const own = Object.values(this.clients).map((c) => c.node.defaultChild as cognito.CfnUserPoolClient);
    const stack = Stack.of(this.userPool);
    const poolId = JSON.stringify(stack.resolve(this.userPool.userPoolId));
    const others = stack.node
      .findAll()
      .filter(
        (c: IConstruct): c is cognito.CfnUserPoolClient =>
          c instanceof cognito.CfnUserPoolClient &&
          !own.includes(c) &&
          Stack.of(c) === stack &&
          JSON.stringify(stack.resolve(c.userPoolId)) === poolId,
      );
    return [...own, ...others];
  }

  /** A client's scopes must be scopes the routes use; a machine client needs at least one. */
  private scopeErrors(): string[] {
    const routeScopes = this.resourceServers.routeScopes;
    const errors = this.resourceServers.errors();
    for (const [name, options] of this.clientOptions) {
      const prop = `${this.prop}.clients.${name}`;
      (options.scopes ?? []).forEach((scope, i) => {
        if (scope.includes('/') && !routeScopes.includes(scope)) {
          errors.push(
            `\`${prop}.scopes[${i}]\` must be a scope a route of the API uses (${routeScopes.join(', ') || 'none yet'}), got: ${JSON.stringify(scope)}`,
          );
        }
      });
      const allowed = this.allowedScopes(options);
      if (clientGrant(options) === OAuthGrant.CLIENT_CREDENTIALS && allowed.length === 0) {
        errors.push(
          `\`${prop}.scopes\` must list at least one route scope: a client credentials token holds route scopes only, and no route uses one, got: []`,
        );
      }
      if (allowed.length > MAX_CLIENT_SCOPES) {
        errors.push(
          `\`${prop}.scopes\` must list at most ${MAX_CLIENT_SCOPES} scopes (a Cognito limit): name the ones the client needs, got: ${allowed.length} scopes`,
        );
      }
    }
    return errors;
  }

  /** The scopes a client may request, as listed or by default; none without OAuth. */
  private allowedScopes(options: UserPoolClientOptions): string[] {
    const grant = clientGrant(options);
    if (grant === undefined) return [];
    if (options.scopes) return options.scopes;
    const signIn = grant === OAuthGrant.AUTHORIZATION_CODE ? DEFAULT_SIGN_IN_SCOPES : [];
    return [...signIn, ...this.resourceServers.routeScopes];
  }

  private buildClient(id: string, options: UserPoolClientOptions): cognito.UserPoolClient {
    const grant = clientGrant(options);
    const client = new cognito.UserPoolClient(this.scope, id, {
      userPool: this.userPool,
      generateSecret: options.generateSecret ?? grant === OAuthGrant.CLIENT_CREDENTIALS,
      authFlows: grant === undefined ? { userSrp: true } : undefined,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      disableOAuth: grant === undefined,
      oAuth:
        grant === undefined
          ? undefined
          : {
              flows: {
                authorizationCodeGrant: grant === OAuthGrant.AUTHORIZATION_CODE,
                clientCredentials: grant === OAuthGrant.CLIENT_CREDENTIALS,
              },
              callbackUrls: options.callbackUrls,
              logoutUrls: options.logoutUrls,
            },
      supportedIdentityProviders: options.identityProviders,
      accessTokenValidity: options.accessTokenValidity,
      idTokenValidity: options.idTokenValidity,
      refreshTokenValidity: options.refreshTokenValidity,
    });
    if (grant !== undefined) {
      const cfn = client.node.defaultChild as cognito.CfnUserPoolClient;
      // Users sign in on the hosted pages (a machine client has no user): the client only refreshes tokens.
      cfn.explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
      cfn.allowedOAuthScopes = Lazy.list({
        produce: () => this.resourceServers.clientScopes(this.allowedScopes(options)),
      });
    }
    return client;
  }
}

/**
 * A user pool with secure defaults and one app client for browsers and mobile apps, plus the clients of `clients`.
 *
 * MFA is required with authenticator apps (TOTP) only unless `mfa` says otherwise. Recovery goes by email only (SMS
 * is open to SIM swapping). The default client has no secret (a public client cannot keep one), signs in with SRP
 * (the password never leaves the device) and does not reveal which users exist. OAuth needs a `signInDomain`.
 */
export function createApiUserPool(scope: Construct, props: UserPoolSettings): CreatedUserPool {
  return new ApiUserPool(scope, props);
}

/** `ServerlessApi.addUserPoolClient()`: a client of the pool the API created; an imported pool's clients are the app's. */
export function addUserPoolClient(
  created: CreatedUserPool | undefined,
  name: string,
  options: UserPoolClientOptions,
): cognito.IUserPoolClient {
  if (!created) {
    fail(
      'addUserPoolClient()',
      'be called on an API whose `authorization` is ApiAuthorization.cognito() without `userPool`: add clients to an imported pool where it is defined, and list them in `userPoolClients`',
      name,
    );
  }
  return created.addClient(name, options);
}
