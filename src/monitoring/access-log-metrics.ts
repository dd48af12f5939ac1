/**
 * Metrics API Gateway does not publish, derived from the API's JSON access log by metric filters.
 *
 * API Gateway counts 4xx responses but has no metric for 429s, so they are counted from the access log's
 * `status` field (every value in the log is a string, see `ACCESS_LOG_FORMAT`). The count is every 429 a
 * caller sees: the stage's or a route's throttling, and a function's own rate limiting (a Lambda proxy
 * integration logs Lambda's invoke status, 200, as `integrationStatus`, so the two cannot be told apart).
 */

/** The namespace of the metrics derived from access logs. */
export const ACCESS_LOG_METRIC_NAMESPACE = 'ServerlessApi';

/** Requests answered 429 Too Many Requests, by API (dimension `ApiId`), whoever refused them. */
export const THROTTLED_REQUESTS_METRIC = 'ThrottledRequests';

/** Matches the access-log lines of requests answered 429. */
export const THROTTLED_REQUESTS_FILTER_PATTERN = '{ $.status = "429" }';

/** Dimension of the derived metrics: the access log's `apiId` field, so one metric serves every API in the account. */
export const ACCESS_LOG_METRIC_DIMENSIONS = { ApiId: '$.apiId' };
