import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiAuthorization } from './authorization';

/** Request throttling with a token bucket: a steady rate and a burst. */
export interface ThrottleOptions {
  /**
   * Steady-state requests per second.
   *
   * @default 100 for the stage; the stage's rate for a route
   */
  readonly rateLimit?: number;
  /**
   * Requests that may arrive at once above the steady rate (the bucket size).
   *
   * @default 200 for the stage; the stage's burst for a route
   */
  readonly burstLimit?: number;
}

/** One HTTP route served by a function. */
export interface RouteOptions {
  /** The HTTP method. */
  readonly method: apigwv2.HttpMethod;
  /**
   * The path, starting with `/`; path parameters in braces (`/projects/{projectId}`), and
   * `{name+}` as the last segment for a greedy parameter.
   */
  readonly path: string;
  /**
   * Who may call the route.
   *
   * @default - the API's `authorization`
   */
  readonly authorization?: ApiAuthorization;
  /**
   * OAuth scopes the JWT must carry (any one of them) for this route; only with `ApiAuthorization.jwt()`
   * and `ApiAuthorization.cognito()`, whose authorizers check scopes.
   *
   * @default - any valid token is accepted
   */
  readonly authorizationScopes?: string[];
  /**
   * Throttling for this route, overriding the stage's.
   *
   * @default - the stage's throttling
   */
  readonly throttle?: ThrottleOptions;
}
