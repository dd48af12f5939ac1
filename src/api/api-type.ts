/**
 * The kind of API Gateway API in front of the functions. Routes, functions, authorization, throttling,
 * table access, logs and alarms work the same way on both; each has features the other lacks.
 */
export enum ApiType {
  /**
   * An HTTP API: cheaper per request, lower latency, native JWT authorizers. Integrations time out after
   * 30 seconds.
   */
  HTTP = 'HTTP',
  /**
   * A REST API: usage plans and API keys, request validation, AWS WAF, response caching and compression,
   * Lambda token authorizers. Integrations time out after 29 seconds.
   */
  REST = 'REST',
}
