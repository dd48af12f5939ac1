import { Lazy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { fail, isLiteral } from '../../private/validation';

/** Cognito's own OAuth scopes, which need no resource server (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html). */
export const COGNITO_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'];
/** The scopes a client with the authorization code grant may request beside the routes' when it names none. */
export const DEFAULT_SIGN_IN_SCOPES = ['openid', 'email', 'profile'];

/**
 * A resource server's identifier and a scope's name, as Cognito writes them
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerScopeType.html).
 */
const IDENTIFIER = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
const SCOPE_NAME = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/;
/** "Scopes ... Maximum: 100" (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpoolresourceserver.html). */
const MAX_SCOPES_PER_SERVER = 100;

/**
 * A route scope `shop/orders.read` is scope `orders.read` of resource server `shop`: the identifier is everything
 * before the last `/`, so a URL identifier (`https://api.example.com/orders.read`) works too.
 */
export function splitScope(scope: string): { identifier: string; name: string } | undefined {
  const slash = scope.lastIndexOf('/');
  if (slash <= 0 || slash === scope.length - 1) return undefined;
  const identifier = scope.slice(0, slash);
  const name = scope.slice(slash + 1);
  return IDENTIFIER.test(identifier) && SCOPE_NAME.test(name) ? { identifier, name } : undefined;
}

/** A route scope checked by the user pool the API creates: Cognito's own, or `<resource server>/<scope>`. */
export function validateRouteScope(prop: string, scope: string): void {
  if (!isLiteral(scope) || COGNITO_SCOPES.includes(scope) || splitScope(scope)) return;
  fail(
    prop,
    `be "<resource server>/<scope>" such as "shop/orders.read" (the API's user pool gets resource server "shop" with scope "orders.read"), or one of Cognito's scopes ${COGNITO_SCOPES.join(', ')}`,
    scope,
  );
}

/** A scope a client asks for: a route scope, or (for users signing in) one of Cognito's own. */
export function validateClientScope(prop: string, scope: string, grant: string): void {
  if (!isLiteral(scope)) return;
  if (COGNITO_SCOPES.includes(scope)) {
    if (grant === 'client_credentials') {
      fail(
        prop,
        'be a route scope such as "shop/orders.read": a client credentials token has no user, so Cognito\'s user scopes do not apply',
        scope,
      );
    }
    return;
  }
  validateRouteScope(prop, scope);
}

/**
 * The resource servers of a created user pool, made from the scopes routes use: one per identifier, created at the
 * first route that needs it, with the scopes of every route (routes added later included).
 */
export class ResourceServers {
  private readonly servers = new Map<string, { resource: cognito.CfnUserPoolResourceServer; names: string[] }>();

  constructor(
    private readonly scope: Construct,
    private readonly userPool: cognito.IUserPool,
  ) {}

  /** Records the scopes of a route; Cognito's own scopes need no server. */
  public add(scopes: readonly string[]): void {
    for (const scope of scopes) {
      const split = isLiteral(scope) ? splitScope(scope) : undefined;
      if (!split) continue;
      const server = this.server(split.identifier);
      if (!server.names.includes(split.name)) server.names.push(split.name);
    }
  }

  /** Checked at synth, when every route is known: a resource server holds at most 100 scopes. */
  public errors(): string[] {
    return [...this.servers]
      .filter(([, server]) => server.names.length > MAX_SCOPES_PER_SERVER)
      .map(
        ([identifier, server]) =>
          `\`functions.*.routes[*].authorizationScopes\` must use at most ${MAX_SCOPES_PER_SERVER} scopes of resource server "${identifier}" (a Cognito limit): spread them over more identifiers, got: ${server.names.length} scopes`,
      );
  }

  /** Every route scope in full (`shop/orders.read`), in the order routes declared them. */
  public get routeScopes(): string[] {
    return [...this.servers].flatMap(([identifier, server]) => server.names.map((name) => `${identifier}/${name}`));
  }

  /**
   * The route scopes as a client's allowed scopes: each refers to its resource server, so CloudFormation creates the
   * server before the client that asks for its scopes.
   */
  public clientScopes(scopes: readonly string[]): string[] {
    return scopes.map((scope) => {
      const split = splitScope(scope);
      const server = split && this.servers.get(split.identifier);
      return server ? `${server.resource.ref}/${split.name}` : scope;
    });
  }

  private server(identifier: string): { resource: cognito.CfnUserPoolResourceServer; names: string[] } {
    let server = this.servers.get(identifier);
    if (!server) {
      const names: string[] = [];
      const resource = new cognito.CfnUserPoolResourceServer(this.scope, `UserPoolResourceServer-${identifier}`, {
        userPoolId: this.userPool.userPoolId,
        identifier,
        name: identifier.replace(/[^\w\s+=,.@-]/g, '-'),
        scopes: Lazy.any({
          produce: () =>
            names.map((name) => ({
              scopeName: name,
              scopeDescription: `Routes that require ${identifier}/${name}`.slice(0, 256),
            })),
        }),
      });
      server = { resource, names };
      this.servers.set(identifier, server);
    }
    return server;
  }
}
