import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { API_CORS_ENV } from '../../src/shared/env';

/** The API's CORS settings: a REST proxy integration passes this response through, so its CORS headers are ours. */
const allowOrigins: string[] = JSON.parse(process.env[API_CORS_ENV] ?? '{"allowOrigins":[]}').allowOrigins;

/**
 * Echoes the request body with 201. It runs only for requests API Gateway let through: with an API key and,
 * for the routes with a request model, a body matching it.
 */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const origin = event.headers.origin ?? event.headers.Origin;
  const headers: { [name: string]: string } = { 'content-type': 'application/json' };
  if (origin && allowOrigins.includes(origin)) {
    Object.assign(headers, { 'access-control-allow-origin': origin, vary: 'Origin' });
  }
  return {
    statusCode: 201,
    headers,
    body: JSON.stringify({ received: JSON.parse(event.body ?? 'null') }),
  };
};
