/**
 * The local API's `RouteAuthorizer`: each route authorized as its `authorization` says, and the caller's identity put
 * where its API type puts it (`requestContext.authorizer`, or `requestContext.identity` on REST IAM routes).
 */
import type { AuthorizationInput, AuthOutcome, FunctionInvoker, RouteAuthorizer } from '../contracts';
import type { LocalAppModel } from '../model';
import { authorizeCognito } from './cognito-authorizer';
import type { DevKeys } from './dev-keys';
import { authorizeIam } from './iam-authorizer';
import { authorizeJwt, type TokenAuthorizerContext } from './jwt-authorizer';
import { LambdaAuthorizer } from './lambda-authorizer';

export interface RouteAuthorizerOptions {
  readonly app: LocalAppModel;
  readonly invoker: FunctionInvoker;
  readonly keys: DevKeys;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Where the reason of each refusal goes. @default - nowhere */
  readonly log?: (line: string) => void;
}

export function createRouteAuthorizer(options: RouteAuthorizerOptions): RouteAuthorizer {
  const { app, invoker, keys } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const tokens: TokenAuthorizerContext = { app, keys, now, log };
  // One per authorizer, so each keeps its own result cache, shared by every route it guards.
  const lambdas = new Map<string, LambdaAuthorizer>();
  for (const [id, model] of Object.entries(app.api.authorizers)) {
    if (model.kind === 'lambda-request' || model.kind === 'lambda-token') {
      lambdas.set(id, new LambdaAuthorizer({ app, model, invoker, now, log }));
    }
  }

  async function authorize(input: AuthorizationInput): Promise<AuthOutcome> {
    const { route, request } = input.matched;
    const authorization = route.authorization;
    switch (authorization.type) {
      case 'NONE':
        // Neither API type puts an authorizer object in the event of an open route.
        return { ok: true };
      case 'IAM':
        return authorizeIam(app, keys, request, now(), log);
      case 'AUTHORIZER': {
        const model = app.api.authorizers[authorization.authorizerId];
        if (!model) {
          const message = `route ${route.routeKey} names authorizer ${authorization.authorizerId}, which the API does not have`;
          log(message);
          return { ok: false, failure: 'authorizer-error', message };
        }
        if (model.kind === 'jwt') return authorizeJwt(tokens, model, input.matched);
        if (model.kind === 'cognito') return authorizeCognito(tokens, model, input.matched);
        return lambdas.get(authorization.authorizerId)!.authorize(input);
      }
      default: {
        const message = `route ${route.routeKey} has an authorization type the local API does not know: ${JSON.stringify(authorization)}`;
        log(message);
        return { ok: false, failure: 'authorizer-error', message };
      }
    }
  }

  return {
    async authorize(input) {
      try {
        return await authorize(input);
      } catch (error) {
        // A fault here is the local API's, not the caller's: answer as an authorizer failure, never crash the server.
        const message = `authorizing ${input.matched.route.routeKey} failed: ${error instanceof Error ? error.stack : String(error)}`;
        log(message);
        return { ok: false, failure: 'authorizer-error', message };
      }
    },
  };
}
