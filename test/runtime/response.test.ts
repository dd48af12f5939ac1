import { httpApiEvent, parse, quietLogger, restApiEvent } from './util';
import { apiHandler, route } from '../../src/runtime/handler';
import { HttpError } from '../../src/runtime/problem';
import { readApiEvent } from '../../src/runtime/request';
import {
  created,
  json,
  noContent,
  ok,
  readCorsSettings,
  toProxyResult,
  addCorsHeaders,
} from '../../src/runtime/response';
import { API_CORS_ENV } from '../../src/shared/env';

describe('results', () => {
  it('json() renders status, JSON body, lower-cased headers and a JSON content type', () => {
    const result = toProxyResult(json(202, { accepted: true }, { 'X-Job-Id': 'j-1' }));
    expect(result).toEqual({
      statusCode: 202,
      headers: { 'x-job-id': 'j-1', 'content-type': 'application/json' },
      body: '{"accepted":true}',
    });
  });

  it('ok() is a 200 with the body', () => {
    expect(toProxyResult(ok([1, 'two']))).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '[1,"two"]',
    });
  });

  it('ok(null) still has a JSON body', () => {
    expect(toProxyResult(ok(null))).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: 'null',
    });
  });

  it('created() is a 201, with Location only when given', () => {
    expect(toProxyResult(created({ id: 'a' }, '/things/a'))).toEqual({
      statusCode: 201,
      headers: { location: '/things/a', 'content-type': 'application/json' },
      body: '{"id":"a"}',
    });
    expect(toProxyResult(created({ id: 'a' }))).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: '{"id":"a"}',
    });
  });

  it('noContent() is a 204 with an empty body and no content type', () => {
    expect(noContent()).toEqual({ status: 204 });
    expect(toProxyResult(noContent())).toEqual({ statusCode: 204, headers: {}, body: '' });
  });

  it('keeps a content type the route set, in any case', () => {
    const result = toProxyResult(json(200, 'csv,data', { 'Content-Type': 'text/csv' }), 'application/problem+json');
    expect(result.headers).toEqual({ 'content-type': 'text/csv' });
  });

  it('uses the given default content type (problem documents)', () => {
    expect(toProxyResult({ status: 400, body: { title: 'x' } }, 'application/problem+json').headers).toEqual({
      'content-type': 'application/problem+json',
    });
  });
});

describe('readCorsSettings', () => {
  it('is undefined when the variable is unset or empty', () => {
    expect(readCorsSettings({})).toBeUndefined();
    expect(readCorsSettings({ [API_CORS_ENV]: '' })).toBeUndefined();
  });

  it('reads the JSON settings', () => {
    const settings = { allowOrigins: ['https://a.example.com'], allowCredentials: true, exposeHeaders: ['etag'] };
    expect(readCorsSettings({ [API_CORS_ENV]: JSON.stringify(settings) })).toEqual(settings);
  });

  it('ignores settings without an allowOrigins list', () => {
    expect(readCorsSettings({ [API_CORS_ENV]: '{"allowOrigins":"*"}' })).toBeUndefined();
  });

  it('throws on invalid JSON, naming the variable', () => {
    expect(() => readCorsSettings({ [API_CORS_ENV]: '{allowOrigins' })).toThrow(
      'environment variable SERVERLESS_API_CORS is not valid JSON: ServerlessApi sets it from `cors`',
    );
  });
});

describe('addCorsHeaders', () => {
  it('adds nothing without settings', () => {
    const result = { statusCode: 200, headers: {}, body: '' };
    addCorsHeaders(
      result,
      readApiEvent(restApiEvent('GET /x', { headers: { Origin: 'https://a.example.com' } })),
      undefined,
    );
    expect(result.headers).toEqual({});
  });

  it('appends Origin to an existing vary header', () => {
    const result = { statusCode: 200, headers: { vary: 'Accept-Encoding' }, body: '' };
    const request = readApiEvent(restApiEvent('GET /x', { headers: { Origin: 'https://a.example.com' } }));
    addCorsHeaders(result, request, { allowOrigins: ['https://a.example.com'] });
    expect(result.headers).toEqual({
      vary: 'Accept-Encoding, Origin',
      'access-control-allow-origin': 'https://a.example.com',
    });
  });
});

describe('CORS headers of a REST API handler (SERVERLESS_API_CORS)', () => {
  const ROUTE = 'GET /things';
  const FAILING = 'GET /broken';

  /** A handler created while SERVERLESS_API_CORS holds `settings`, as at a cold start. */
  function handlerWithCors(settings: unknown) {
    process.env[API_CORS_ENV] = JSON.stringify(settings);
    try {
      return apiHandler({
        logger: quietLogger(),
        routes: {
          [ROUTE]: route({ handle: async () => ok({ things: [] }) }),
          [FAILING]: route({
            handle: async () => {
              throw new HttpError(409, 'nope');
            },
          }),
        },
      });
    } finally {
      delete process.env[API_CORS_ENV];
    }
  }

  const origin = 'https://app.example.com';

  it('echoes an allowed origin with vary, credentials and exposed headers', async () => {
    // GIVEN CORS settings listing origins, with credentials and exposed headers
    const handler = handlerWithCors({
      allowOrigins: ['https://other.example.com', origin],
      allowCredentials: true,
      exposeHeaders: ['etag', 'location'],
    });

    // WHEN an allowed origin calls
    const result = await handler(restApiEvent(ROUTE, { headers: { Origin: origin } }));

    // THEN the response allows exactly that origin
    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({
      'content-type': 'application/json',
      'access-control-allow-origin': origin,
      vary: 'Origin',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'etag, location',
    });
  });

  it('answers "*" to any origin when every origin is allowed, without vary or credentials', async () => {
    const handler = handlerWithCors({ allowOrigins: ['*'], exposeHeaders: ['etag'] });
    const withOrigin = await handler(restApiEvent(ROUTE, { headers: { Origin: 'https://anyone.example.net' } }));
    const withoutOrigin = await handler(restApiEvent(ROUTE));
    for (const result of [withOrigin, withoutOrigin]) {
      expect(result.headers).toEqual({
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'etag',
      });
    }
  });

  it('omits credentials when not allowed', async () => {
    const handler = handlerWithCors({ allowOrigins: [origin] });
    const result = await handler(restApiEvent(ROUTE, { headers: { origin } }));
    expect(result.headers).toEqual({
      'content-type': 'application/json',
      'access-control-allow-origin': origin,
      vary: 'Origin',
    });
  });

  it('adds no CORS header for a disallowed origin, or without an origin', async () => {
    const handler = handlerWithCors({ allowOrigins: [origin], allowCredentials: true, exposeHeaders: ['etag'] });
    const disallowed = await handler(restApiEvent(ROUTE, { headers: { Origin: 'https://evil.example.com' } }));
    const noOrigin = await handler(restApiEvent(ROUTE));
    expect(disallowed.headers).toEqual({ 'content-type': 'application/json' });
    expect(noOrigin.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('matches the origin exactly (no prefix or case-insensitive match)', async () => {
    const handler = handlerWithCors({ allowOrigins: [origin] });
    const prefixed = await handler(restApiEvent(ROUTE, { headers: { Origin: `${origin}.evil.com` } }));
    expect(prefixed.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('adds CORS headers to problem responses too (404 and a route error)', async () => {
    const handler = handlerWithCors({ allowOrigins: [origin] });
    const notFound = await handler(restApiEvent('GET /nowhere', { headers: { Origin: origin } }));
    const conflict = await handler(restApiEvent(FAILING, { headers: { Origin: origin } }));
    expect(notFound.statusCode).toBe(404);
    expect(conflict.statusCode).toBe(409);
    for (const result of [notFound, conflict]) {
      expect(result.headers).toEqual({
        'content-type': 'application/problem+json',
        'access-control-allow-origin': origin,
        vary: 'Origin',
      });
    }
  });

  it('adds no CORS header to an HTTP API response (API Gateway adds them)', async () => {
    const handler = handlerWithCors({ allowOrigins: ['*', origin], allowCredentials: true, exposeHeaders: ['etag'] });
    const result = await handler(httpApiEvent(ROUTE, { headers: { origin } }));
    expect(parse(result)).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: { things: [] },
    });
  });

  it('reads the settings once, when the handler is created', async () => {
    // GIVEN a handler created without CORS settings
    delete process.env[API_CORS_ENV];
    const handler = apiHandler({ logger: quietLogger(), routes: { [ROUTE]: route({ handle: async () => ok(1) }) } });

    // WHEN the variable is set afterwards
    process.env[API_CORS_ENV] = JSON.stringify({ allowOrigins: ['*'] });
    try {
      const result = await handler(restApiEvent(ROUTE, { headers: { Origin: origin } }));
      // THEN the handler still adds none
      expect(result.headers).toEqual({ 'content-type': 'application/json' });
    } finally {
      delete process.env[API_CORS_ENV];
    }
  });

  it('fails the cold start on invalid settings', () => {
    process.env[API_CORS_ENV] = 'not json';
    try {
      expect(() => apiHandler({ routes: {} })).toThrow('environment variable SERVERLESS_API_CORS is not valid JSON');
    } finally {
      delete process.env[API_CORS_ENV];
    }
  });
});
