import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiAuthorization } from './authorization/api-authorization';
import { RequiredParameters, RouteCacheOptions } from './rest/rest-options';
import { ThrottleOptions } from './throttle';

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
   * Throttling for this route, overriding the stage's (a route setting on HTTP APIs, a method setting on
   * REST APIs).
   *
   * @default - the stage's throttling
   */
  readonly throttle?: ThrottleOptions;
  /**
   * JSON schema (draft 4) the `application/json` request body must match; API Gateway answers 400 with
   * the reason before the function runs. REST APIs only.
   *
   * @default - the body is not validated by API Gateway
   */
  readonly requestModel?: apigateway.JsonSchema;
  /**
   * Query strings and headers the request must carry; API Gateway answers 400 when one is missing.
   * REST APIs only.
   *
   * @default - none required
   */
  readonly requiredParameters?: RequiredParameters;
  /**
   * Whether callers must send an API key of one of the API's `usagePlans` (header `x-api-key`).
   * REST APIs only.
   *
   * @default - true when the API has `usagePlans`, false otherwise
   */
  readonly apiKeyRequired?: boolean;
  /**
   * Caching of the route's responses by API Gateway; GET routes of a REST API with `cache` only.
   *
   * @default - not cached
   */
  readonly cache?: RouteCacheOptions;
}
