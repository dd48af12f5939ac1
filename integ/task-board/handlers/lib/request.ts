import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { HttpError } from './response';

/** An HTTP API (payload format 2.0) event, with or without a JWT authorizer in front of the route. */
export type HttpApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer | APIGatewayProxyEventV2;

/** The request body exactly as the client sent it; API Gateway base64-encodes bodies it does not treat as text. */
export function rawBody(event: HttpApiEvent): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
}

/** The request body parsed as a JSON object, or a 400 that says what is wrong with it. */
export function jsonBody(event: HttpApiEvent): Record<string, unknown> {
  const text = rawBody(event).toString('utf8');
  if (text.trim() === '') {
    throw new HttpError(400, 'request body is required: send a JSON object');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body must be valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * A path parameter of the matched route. A missing one means the route was wired to the wrong
 * handler, a deployment bug rather than a client error, so it surfaces as a 500.
 */
export function pathParameter(event: HttpApiEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === '') {
    throw new Error(`route "${event.routeKey}" has no path parameter "${name}"`);
  }
  return value;
}
