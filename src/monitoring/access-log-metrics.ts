/**
 * Metrics API Gateway does not publish, derived from the API's JSON access log by metric filters.
 *
 * API Gateway counts 4xx responses but has no metric for 429s, so they are counted from the access log's
 * `status` field (every value in the log is a string, see `ACCESS_LOG_FORMAT`). The count is every 429 a
 * caller sees: the stage's or a route's throttling, and a function's own rate limiting (a Lambda proxy
 * integration logs Lambda's invoke status, 200, as `integrationStatus`, so the two cannot be told apart).
 *
 * A REST API with usage plans also answers 429 when a caller's usage-plan quota is used up. Its access log's
 * `errorType` (`$context.error.responseType`) tells the two gateway responses apart: `THROTTLED` for usage-plan, method,
 * stage or account throttling, `QUOTA_EXCEEDED` for a quota
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html). A quota is the
 * partner's own limit, not the API failing: it is counted on its own metric, outside the 429 alarm's.
 */

/** The namespace of the metrics derived from access logs. */
export const ACCESS_LOG_METRIC_NAMESPACE = 'ServerlessApi';

/** Requests answered 429 Too Many Requests, by API (dimension `ApiId`), whoever refused them; quotas aside. */
export const THROTTLED_REQUESTS_METRIC = 'ThrottledRequests';

/** Matches the access-log lines of requests answered 429. */
export const THROTTLED_REQUESTS_FILTER_PATTERN = '{ $.status = "429" }';

/** Matches the access-log lines of requests answered 429 other than for an exhausted usage-plan quota (REST). */
export const THROTTLED_NOT_QUOTA_FILTER_PATTERN = '{ $.status = "429" && $.errorType != "QUOTA_EXCEEDED" }';

/** Requests refused because the caller's usage-plan quota is used up (REST APIs with usage plans), by API. */
export const QUOTA_EXCEEDED_REQUESTS_METRIC = 'QuotaExceededRequests';

/** Matches the access-log lines of requests refused for an exhausted usage-plan quota (REST). */
export const QUOTA_EXCEEDED_FILTER_PATTERN = '{ $.errorType = "QUOTA_EXCEEDED" }';

/** Dimension of the derived metrics: the access log's `apiId` field, so one metric serves every API in the account. */
export const ACCESS_LOG_METRIC_DIMENSIONS = { ApiId: '$.apiId' };
