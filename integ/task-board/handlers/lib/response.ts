import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** What every route returns: always the structured form, so status codes and headers are explicit. */
export type HttpResult = APIGatewayProxyStructuredResultV2;

/**
 * A failure the caller can fix (4xx). Its message is shown to the caller as `{ message }`;
 * any other error is logged and answered with a generic 500, so internals never leak.
 */
export class HttpError extends Error {
  public readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
  }
}

/** A JSON response. */
export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** A response without a body (HTTP 204). */
export function noContent(): HttpResult {
  return { statusCode: 204 };
}
