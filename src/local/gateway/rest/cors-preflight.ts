/**
 * The answer of the OPTIONS mock method that `defaultCorsPreflightOptions` puts on every resource of a REST API: a
 * 204 with the CORS headers, the first allowed origin unless the request's `Origin` is one of the others (the mock's
 * response template echoes it then). REST APIs answer preflights only through such methods: nothing is automatic.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
 */
import type { GatewayResponse } from '../../contracts';
import type { LocalCorsModel } from '../../model';

export function preflightResponse(
  cors: LocalCorsModel,
  origin: string | undefined,
  ids: { requestId: string; extendedRequestId: string },
): GatewayResponse {
  const [first, ...others] = cors.allowOrigins;
  const headers: { [name: string]: string[] } = {
    'Access-Control-Allow-Headers': [cors.allowHeaders.join(',')],
    'Access-Control-Allow-Origin': [origin !== undefined && others.includes(origin) ? origin : first],
  };
  if (first !== '*') headers.Vary = ['Origin'];
  headers['Access-Control-Allow-Methods'] = [cors.allowMethods.join(',')];
  if (cors.allowCredentials) headers['Access-Control-Allow-Credentials'] = ['true'];
  if (cors.maxAgeSeconds) headers['Access-Control-Max-Age'] = [String(cors.maxAgeSeconds)];
  if (cors.exposeHeaders.length > 0) headers['Access-Control-Expose-Headers'] = [cors.exposeHeaders.join(',')];
  headers['x-amzn-RequestId'] = [ids.requestId];
  headers['x-amz-apigw-id'] = [ids.extendedRequestId];
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}
