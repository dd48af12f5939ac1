import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { CorsOptions } from './cors';
import { checkOneOf, fail, isLiteral } from '../private/validation';
import { API_CORS_ENV } from '../shared/env';

/** The documented defaults of `CorsOptions`, in one place. */
export const CORS_DEFAULTS = {
  allowHeaders: ['Content-Type', 'Authorization', 'X-Api-Key', 'Idempotency-Key'],
  allowMethods: [
    apigwv2.HttpMethod.GET,
    apigwv2.HttpMethod.POST,
    apigwv2.HttpMethod.PUT,
    apigwv2.HttpMethod.PATCH,
    apigwv2.HttpMethod.DELETE,
    apigwv2.HttpMethod.HEAD,
  ],
  maxAge: Duration.minutes(10),
  allowCredentials: false,
};

/** Browsers cap preflight caching well below this; API Gateway rejects more. */
const MAX_AGE_LIMIT = Duration.days(1);
const ORIGIN = /^https?:\/\/[^/\s:]+(:\d{1,5})?$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function validateCors(prop: string, cors: CorsOptions | undefined): void {
  if (!cors) return;
  const origins = cors.allowOrigins ?? [];
  if (origins.length === 0) {
    fail(`${prop}.allowOrigins`, 'list at least one origin, such as "https://app.example.com", or "*"', origins);
  }
  origins.forEach((origin, i) => {
    if (isLiteral(origin) && origin !== '*' && !ORIGIN.test(origin)) {
      fail(
        `${prop}.allowOrigins[${i}]`,
        'be "*" or an origin: scheme, host and optional port, with no path or trailing "/" (e.g. "https://app.example.com")',
        origin,
      );
    }
  });
  if (origins.includes('*') && origins.length > 1) {
    fail(`${prop}.allowOrigins`, 'be either ["*"] or a list of origins, not both', origins);
  }
  if (origins.includes('*') && cors.allowCredentials) {
    fail(
      `${prop}.allowOrigins`,
      'list the origins explicitly when `allowCredentials` is true: browsers refuse credentials with "*"',
      origins,
    );
  }
  for (const name of ['allowHeaders', 'exposeHeaders'] as const) {
    (cors[name] ?? []).forEach((header, i) => {
      if (isLiteral(header) && header !== '*' && !HEADER_NAME.test(header)) {
        fail(`${prop}.${name}[${i}]`, 'be a header name such as "Content-Type"', header);
      }
    });
  }
  const methods = Object.values(apigwv2.HttpMethod).filter(
    (method) => method !== apigwv2.HttpMethod.ANY && method !== apigwv2.HttpMethod.OPTIONS,
  );
  (cors.allowMethods ?? []).forEach((method, i) =>
    checkOneOf(
      `${prop}.allowMethods[${i}]`,
      method,
      methods,
      `be one of ${methods.join(', ')} (preflight OPTIONS requests are answered by API Gateway)`,
    ),
  );
  if (cors.allowMethods && cors.allowMethods.length === 0) {
    fail(`${prop}.allowMethods`, 'list at least one method, or be left out', cors.allowMethods);
  }
  const maxAge = cors.maxAge;
  if (maxAge && isLiteral(maxAge)) {
    const ms = maxAge.toMilliseconds();
    if (ms < 0 || ms % 1000 !== 0 || ms > MAX_AGE_LIMIT.toMilliseconds()) {
      fail(`${prop}.maxAge`, 'be a whole number of seconds from 0 to 1 day', maxAge);
    }
  }
}

function settings(cors: CorsOptions) {
  return {
    allowOrigins: cors.allowOrigins,
    allowHeaders: cors.allowHeaders ?? CORS_DEFAULTS.allowHeaders,
    allowMethods: cors.allowMethods ?? CORS_DEFAULTS.allowMethods,
    exposeHeaders: cors.exposeHeaders ?? [],
    allowCredentials: cors.allowCredentials ?? CORS_DEFAULTS.allowCredentials,
    maxAge: cors.maxAge ?? CORS_DEFAULTS.maxAge,
  };
}

/** The HTTP API's CORS configuration: API Gateway answers preflights and adds the headers to responses. */
export function httpCorsPreflight(cors: CorsOptions): apigwv2.CorsPreflightOptions {
  const s = settings(cors);
  return {
    allowOrigins: s.allowOrigins,
    allowHeaders: s.allowHeaders,
    allowMethods: s.allowMethods.map((method) => method as string as apigwv2.CorsHttpMethod),
    exposeHeaders: s.exposeHeaders.length ? s.exposeHeaders : undefined,
    allowCredentials: s.allowCredentials,
    maxAge: s.maxAge,
  };
}

/** The REST API's preflight: an OPTIONS method (mock integration) on every resource. */
export function restCorsPreflight(cors: CorsOptions): apigateway.CorsOptions {
  const s = settings(cors);
  return {
    allowOrigins: s.allowOrigins,
    allowHeaders: s.allowHeaders,
    allowMethods: s.allowMethods,
    exposeHeaders: s.exposeHeaders.length ? s.exposeHeaders : undefined,
    allowCredentials: s.allowCredentials,
    maxAge: s.maxAge,
    statusCode: 204,
  };
}

/**
 * The CORS headers of the REST API's own error responses (authorizer 401 and 403, missing API key, 429,
 * validation 400, 5xx). A gateway response cannot choose among several origins, so with more than one it
 * echoes the request's `Origin`: these bodies are API Gateway's generic messages.
 */
export function restGatewayResponseHeaders(cors: CorsOptions): { [header: string]: string } {
  const s = settings(cors);
  const [origin] = s.allowOrigins;
  const headers: { [header: string]: string } = {
    'Access-Control-Allow-Origin': s.allowOrigins.length === 1 ? `'${origin}'` : 'method.request.header.Origin',
  };
  if (s.allowOrigins.length > 1 || origin !== '*') headers.Vary = "'Origin'";
  if (s.allowCredentials) headers['Access-Control-Allow-Credentials'] = "'true'";
  if (s.exposeHeaders.length) headers['Access-Control-Expose-Headers'] = `'${s.exposeHeaders.join(',')}'`;
  return headers;
}

/** The functions' `SERVERLESS_API_CORS` variable on a REST API, from which they add the CORS headers. */
export function restCorsEnvironment(cors: CorsOptions | undefined): { [key: string]: string } {
  if (!cors) return {};
  const s = settings(cors);
  return {
    [API_CORS_ENV]: JSON.stringify({
      allowOrigins: s.allowOrigins,
      allowCredentials: s.allowCredentials,
      exposeHeaders: s.exposeHeaders,
    }),
  };
}
