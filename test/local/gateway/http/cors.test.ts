/**
 * CORS of an HTTP API: preflights answered by API Gateway itself, the configured headers on responses to CORS
 * requests, the integration's own CORS headers ignored.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 */
import { createHttpGateway } from '../../../../src/local/gateway/http';
import type { LocalCorsModel, LocalRouteModel } from '../../../../src/local/model';
import { FakeAuthorizer, FakeInvoker, httpApp, json, request, route } from '../fixtures';

const CORS: LocalCorsModel = {
  allowOrigins: ['https://app.example.com'],
  allowMethods: ['GET', 'POST', 'DELETE'],
  allowHeaders: ['Content-Type', 'Authorization'],
  exposeHeaders: ['X-Request-Id'],
  allowCredentials: true,
  maxAgeSeconds: 600,
};

function corsGateway(cors: LocalCorsModel | 'none' = CORS, routes: LocalRouteModel[] = [route('GET /items')]) {
  const invoker = new FakeInvoker(() => ({
    status: 'ok',
    payload: {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'Access-Control-Allow-Origin': '*', 'X-Request-Id': 'r1' },
      body: '[]',
    },
    durationMs: 1,
  }));
  const app = httpApp({ routes, cors: cors === 'none' ? undefined : cors });
  const gw = createHttpGateway({ app, invoker, authorizer: new FakeAuthorizer(), log: () => {} });
  return { gw, invoker };
}

function preflight(path: string, origin: string) {
  return request('OPTIONS', path, {
    headers: {
      host: ['127.0.0.1:3000'],
      origin: [origin],
      'access-control-request-method': ['POST'],
      'access-control-request-headers': ['content-type'],
    },
  });
}

describe('preflight requests', () => {
  test('GIVEN a preflight from an allowed origin THEN API Gateway answers it with the configuration, no route needed', async () => {
    // GIVEN no OPTIONS route: "even if there isn't an OPTIONS route configured for your API"
    const { gw, invoker } = corsGateway();
    const req = preflight('/items', 'https://app.example.com');

    // WHEN
    const { response } = await gw.handle(req);

    // THEN
    expect(response.statusCode).toBe(204);
    expect(response.body.length).toBe(0);
    expect(response.headers).toEqual({
      'access-control-allow-origin': ['https://app.example.com'],
      'access-control-allow-credentials': ['true'],
      'access-control-allow-methods': ['GET,POST,DELETE'],
      'access-control-allow-headers': ['Content-Type,Authorization'],
      'access-control-max-age': ['600'],
      'apigw-requestid': [req.requestId],
    });
    expect(invoker.invocations).toHaveLength(0);
  });

  test('GIVEN a preflight for a path with no route at all THEN it is still answered: preflights are not routed', async () => {
    const { gw } = corsGateway();

    const { response } = await gw.handle(preflight('/not/a/route', 'https://app.example.com'));

    expect(response.statusCode).toBe(204);
  });

  test('GIVEN a preflight from an origin not allowed THEN 204 without any CORS header (undocumented), nothing invoked', async () => {
    // The documentation does not say what API Gateway answers to an origin outside allowOrigins. Without
    // Access-Control-Allow-Origin the browser refuses the actual request, which is what matters to the caller.
    const { gw, invoker } = corsGateway();
    const req = preflight('/items', 'https://evil.example.com');

    const { response } = await gw.handle(req);

    expect(response.statusCode).toBe(204);
    expect(response.headers).toEqual({ 'apigw-requestid': [req.requestId] });
    expect(invoker.invocations).toHaveLength(0);
  });

  test('GIVEN allowOrigins "*" THEN the preflight allows "*"', async () => {
    const { gw } = corsGateway({ ...CORS, allowOrigins: ['*'], allowCredentials: false });

    const { response } = await gw.handle(preflight('/items', 'https://any.example.org'));

    expect(response.headers['access-control-allow-origin']).toEqual(['*']);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  test('GIVEN OPTIONS without Access-Control-Request-Method THEN it is not a preflight: 404 with no OPTIONS route', async () => {
    const { gw } = corsGateway();

    const { response } = await gw.handle(
      request('OPTIONS', '/items', { headers: { host: ['h'], origin: ['https://app.example.com'] } }),
    );

    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toEqual(['https://app.example.com']);
  });

  test('GIVEN an ANY route on the path THEN it takes the preflight like any OPTIONS request ($default and ANY catch OPTIONS)', async () => {
    // "The $default route catches requests for all methods ... including OPTIONS requests"; evidence for ANY:
    // arpadt.com/articles/cors-in-http-api (an authorized ANY /{proxy+} route broke preflights).
    const { gw, invoker } = corsGateway(CORS, [route('ANY /{proxy+}')]);

    const { response } = await gw.handle(preflight('/items', 'https://app.example.com'));

    expect(invoker.invocations).toHaveLength(1);
    expect(response.statusCode).toBe(200);
  });

  test('GIVEN no CORS configuration THEN a preflight is an ordinary request: 404 without a route', async () => {
    const { gw } = corsGateway('none');

    const { response } = await gw.handle(preflight('/items', 'https://app.example.com'));

    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS headers on responses', () => {
  test('GIVEN a request from an allowed origin THEN the configured headers replace the integration ones', async () => {
    // GIVEN "API Gateway ignores CORS headers returned from your backend integration"
    const { gw } = corsGateway();

    // WHEN
    const { response } = await gw.handle(
      request('GET', '/items', { headers: { host: ['h'], origin: ['https://app.example.com'] } }),
    );

    // THEN
    expect(response.headers['access-control-allow-origin']).toEqual(['https://app.example.com']);
    expect(response.headers['access-control-allow-credentials']).toEqual(['true']);
    expect(response.headers['access-control-expose-headers']).toEqual(['X-Request-Id']);
    expect(response.headers['access-control-allow-methods']).toBeUndefined();
    expect(response.headers['x-request-id']).toEqual(['r1']);
  });

  test('GIVEN a request without Origin THEN no CORS header, the integration ones dropped too', async () => {
    const { gw } = corsGateway();

    const { response } = await gw.handle(request('GET', '/items'));

    expect(Object.keys(response.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  test('GIVEN an origin not allowed THEN no CORS header', async () => {
    const { gw } = corsGateway();

    const { response } = await gw.handle(
      request('GET', '/items', { headers: { host: ['h'], origin: ['https://evil.example.com'] } }),
    );

    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('GIVEN the gateway answers an error itself THEN it carries the CORS headers too, so a browser can read it', async () => {
    // GIVEN a route throttled to nothing and one refused by its authorizer
    const invoker = new FakeInvoker();
    const routes = [
      route('GET /items', { throttle: { rateLimit: 0, burstLimit: 0 } }),
      route('GET /me', { authorization: { type: 'AUTHORIZER', authorizerId: 'Jwt' } }),
    ];
    const authorizer = new FakeAuthorizer(() => ({ ok: false, failure: 'missing', message: 'no token' }));
    const gw = createHttpGateway({ app: httpApp({ routes, cors: CORS }), invoker, authorizer, log: () => {} });
    const headers = { host: ['h'], origin: ['https://app.example.com'] };

    // WHEN
    const answers = await Promise.all(
      ['/items', '/me', '/missing'].map((path) => gw.handle(request('GET', path, { headers }))),
    );

    // THEN
    expect(answers.map((a) => a.response.statusCode)).toEqual([429, 401, 404]);
    for (const { response } of answers) {
      expect(response.headers['access-control-allow-origin']).toEqual(['https://app.example.com']);
      expect(json(response.body).message).toBeDefined();
    }
  });
});
