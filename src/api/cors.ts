import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';

/**
 * Cross-origin resource sharing: which web origins may call the API from a browser. API Gateway answers
 * preflight requests, and its own error responses (401, 403, 429, 5xx) carry the CORS headers too, so a
 * browser sees a 401 as a 401 rather than as a network error.
 */
export interface CorsOptions {
  /**
   * Origins allowed to call the API, e.g. `['https://app.example.com']`; `['*']` for any origin (not with
   * `allowCredentials`).
   */
  readonly allowOrigins: string[];
  /**
   * Request headers the browser may send.
   *
   * @default ['Content-Type', 'Authorization', 'X-Api-Key', 'Idempotency-Key']
   */
  readonly allowHeaders?: string[];
  /**
   * Methods the browser may use.
   *
   * @default - GET, POST, PUT, PATCH, DELETE and HEAD
   */
  readonly allowMethods?: apigwv2.HttpMethod[];
  /**
   * Response headers the browser's scripts may read, besides the CORS-safelisted ones.
   *
   * @default - none
   */
  readonly exposeHeaders?: string[];
  /**
   * Whether the browser may send cookies and credentials.
   *
   * @default false
   */
  readonly allowCredentials?: boolean;
  /**
   * How long a browser may cache a preflight answer.
   *
   * @default Duration.minutes(10)
   */
  readonly maxAge?: Duration;
}
