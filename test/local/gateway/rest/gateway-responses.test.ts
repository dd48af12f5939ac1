import { gatewayFor, header, json, ManualClock, ok, request, restApp, route } from './fixtures';
import { REST_ACCESS_LOG_FORMAT } from '../../../../src/api/access-log';
import type { LocalApiModel, LocalCorsModel } from '../../../../src/local/model';

/**
 * The REST API's own answers through its gateway responses (how the construct puts CORS headers on the gateway's
 * errors), the CORS preflight mock, and the `$context` variables of the access log.
 * Pages: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html.
 */

/** What the construct declares with `cors` (src/api/cors-config.ts `restGatewayResponseHeaders`). */
const CORS_RESPONSES: LocalApiModel['gatewayResponses'] = {
  DEFAULT_4XX: { headers: { 'Access-Control-Allow-Origin': "'https://app.example.com'", Vary: "'Origin'" } },
  DEFAULT_5XX: { headers: { 'Access-Control-Allow-Origin': "'https://app.example.com'", Vary: "'Origin'" } },
};

describe('REST gateway responses', () => {
  test('DEFAULT_4XX headers go on every 4xx the gateway answers itself', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html ("defaults to the DEFAULT_4XX type")
    const app = restApp({
      routes: [
        route('GET', '/items', { authorization: { type: 'IAM' } }),
        route('POST', '/items', { requiredParameters: { querystrings: ['q'], headers: [] } }),
      ],
      gatewayResponses: CORS_RESPONSES,
    });
    const { gateway, authorizer } = gatewayFor(app);
    authorizer.answer = () => ({ ok: false, failure: 'missing', message: 'unsigned' });
    for (const [method, target, status] of [
      ['GET', '/prod/nowhere', 403],
      ['GET', '/prod/items', 403],
      ['POST', '/prod/items', 400],
    ] as const) {
      const result = await gateway.handle(request(method, target));
      expect(result.response.statusCode).toBe(status);
      expect(header(result, 'Access-Control-Allow-Origin')).toBe('https://app.example.com');
      expect(header(result, 'Vary')).toBe('Origin');
    }
  });

  test('DEFAULT_5XX headers go on the 5xx answers: a function error and an integration timeout', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html (DEFAULT_5XX)
    const app = restApp({
      routes: [route('GET', '/items')],
      gatewayResponses: CORS_RESPONSES,
      integrationTimeoutMs: 10,
    });
    const { gateway, invoker } = gatewayFor(app);
    invoker.answer = () => ({ status: 'error', errorType: 'Error', errorMessage: 'x', durationMs: 1 });
    expect(header(await gateway.handle(request('GET', '/prod/items')), 'Access-Control-Allow-Origin')).toBe(
      'https://app.example.com',
    );
    invoker.answer = () => new Promise((resolve) => setTimeout(() => resolve(ok({})), 30));
    const timedOut = await gateway.handle(request('GET', '/prod/items'));
    expect(timedOut.response.statusCode).toBe(504);
    expect(header(timedOut, 'Access-Control-Allow-Origin')).toBe('https://app.example.com');
  });

  test("an uncustomized type takes DEFAULT_4XX's template: ACCESS_DENIED's Message becomes message", async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    // (ACCESS_DENIED: "If the response type is unspecified, this response defaults to the DEFAULT_4XX type"; U: no capture)
    const app = restApp({
      routes: [route('GET', '/items', { authorization: { type: 'IAM' } })],
      gatewayResponses: CORS_RESPONSES,
    });
    const { gateway, authorizer } = gatewayFor(app);
    authorizer.answer = () => ({
      ok: false,
      failure: 'denied',
      message: 'User: anonymous is not authorized to perform: execute-api:Invoke',
    });
    const result = await gateway.handle(request('GET', '/prod/items'));
    expect(result.response.statusCode).toBe(403);
    expect(json(result)).toEqual({ message: 'User: anonymous is not authorized to perform: execute-api:Invoke' });
    expect(header(result, 'Access-Control-Allow-Origin')).toBe('https://app.example.com');
  });

  test("a function's own response gets no gateway response headers", async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html (Lambda proxy: the function returns the CORS headers)
    const app = restApp({ routes: [route('GET', '/items')], gatewayResponses: CORS_RESPONSES });
    const { gateway } = gatewayFor(app);
    expect(header(await gateway.handle(request('GET', '/prod/items')), 'Access-Control-Allow-Origin')).toBeUndefined();
  });

  test('a specific type wins over DEFAULT_4XX; a status set on DEFAULT_4XX replaces unset ones', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    // ("Changing the status code of this fallback gateway response changes the status codes of all other 4XX responses")
    const app = restApp({
      routes: [route('GET', '/items', { apiKeyRequired: true })],
      apiKeys: [],
      usagePlans: [],
      gatewayResponses: {
        DEFAULT_4XX: { statusCode: 418, headers: { 'x-fallback': "'yes'" } },
        MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, headers: { 'x-specific': "'yes'" } },
      },
    });
    const { gateway } = gatewayFor(app);
    const notFound = await gateway.handle(request('GET', '/prod/nowhere'));
    expect(notFound.response.statusCode).toBe(404);
    expect(header(notFound, 'x-specific')).toBe('yes');
    expect(header(notFound, 'x-fallback')).toBeUndefined();
    expect(json(notFound)).toEqual({ message: 'Missing Authentication Token' });
    const noKey = await gateway.handle(request('GET', '/prod/items'));
    expect(noKey.response.statusCode).toBe(418);
    expect(header(noKey, 'x-fallback')).toBe('yes');
  });

  test('header values may echo the request: method.request.header.Origin, left out when absent', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html (response parameters)
    const app = restApp({
      routes: [route('GET', '/items')],
      gatewayResponses: {
        DEFAULT_4XX: {
          headers: {
            'Access-Control-Allow-Origin': 'method.request.header.Origin',
            'x-q': 'method.request.querystring.q',
          },
        },
      },
    });
    const { gateway } = gatewayFor(app);
    const withOrigin = await gateway.handle(
      request('GET', '/prod/nowhere?q=1', { headers: { Origin: 'https://b.example.com' } }),
    );
    expect(header(withOrigin, 'Access-Control-Allow-Origin')).toBe('https://b.example.com');
    expect(header(withOrigin, 'x-q')).toBe('1');
    expect(
      header(await gateway.handle(request('GET', '/prod/nowhere')), 'Access-Control-Allow-Origin'),
    ).toBeUndefined();
  });
});

describe('REST CORS preflight', () => {
  const cors: LocalCorsModel = {
    allowOrigins: ['https://app.example.com', 'https://admin.example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['Content-Type', 'Authorization'],
    exposeHeaders: ['x-id'],
    allowCredentials: true,
    maxAgeSeconds: 600,
  };

  test('OPTIONS on any resource is answered by the mock: 204 and the CORS headers, the function never runs', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html (OPTIONS method with a mock integration)
    const app = restApp({
      routes: [route('GET', '/items/{itemId}', { authorization: { type: 'IAM' }, apiKeyRequired: true })],
      cors,
    });
    const { gateway, invoker, authorizer } = gatewayFor(app);
    for (const target of ['/prod/items/1', '/prod/items', '/prod/']) {
      const result = await gateway.handle(
        request('OPTIONS', target, { headers: { Origin: 'https://app.example.com' } }),
      );
      expect(result.response.statusCode).toBe(204);
      expect(result.response.headers).toMatchObject({
        'Access-Control-Allow-Headers': ['Content-Type,Authorization'],
        'Access-Control-Allow-Origin': ['https://app.example.com'],
        Vary: ['Origin'],
        'Access-Control-Allow-Methods': ['GET,POST'],
        'Access-Control-Allow-Credentials': ['true'],
        'Access-Control-Max-Age': ['600'],
        'Access-Control-Expose-Headers': ['x-id'],
      });
      expect(result.response.body.length).toBe(0);
    }
    expect(invoker.calls).toHaveLength(0);
    expect(authorizer.inputs).toHaveLength(0);
  });

  test('the mock echoes an Origin that is one of the other allowed origins', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html (aws-cdk-lib's response template for several origins)
    const { gateway } = gatewayFor(restApp({ routes: [route('GET', '/items')], cors }));
    const admin = await gateway.handle(
      request('OPTIONS', '/prod/items', { headers: { Origin: 'https://admin.example.com' } }),
    );
    expect(header(admin, 'Access-Control-Allow-Origin')).toBe('https://admin.example.com');
    const other = await gateway.handle(
      request('OPTIONS', '/prod/items', { headers: { Origin: 'https://evil.example.com' } }),
    );
    expect(header(other, 'Access-Control-Allow-Origin')).toBe('https://app.example.com');
  });

  test('without cors, OPTIONS is a method like any other: 403 where none is declared', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html (REST APIs answer no preflight by themselves)
    const { gateway } = gatewayFor(restApp({ routes: [route('GET', '/items')] }));
    expect((await gateway.handle(request('OPTIONS', '/prod/items'))).response.statusCode).toBe(403);
  });
});

describe('REST access-log context', () => {
  const variables = [
    ...new Set(
      Object.values(REST_ACCESS_LOG_FORMAT).flatMap((v) => [...v.matchAll(/\$context\.([\w.]+)/g)].map((m) => m[1])),
    ),
  ];

  test("every variable of the construct's REST access-log format is filled for a served request", async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html (context variables)
    const clock = new ManualClock();
    const app = restApp({
      routes: [route('GET', '/items/{id}', { apiKeyRequired: true, authorization: { type: 'IAM' } })],
      apiKeys: [{ id: 'KeyA', name: 'a', value: 'key-a-0123456789abcdef', enabled: true }],
      usagePlans: [{ id: 'Plan', name: 'p', apiKeyIds: ['KeyA'], methodThrottles: {} }],
    });
    const { gateway, invoker, authorizer } = gatewayFor(app, clock);
    authorizer.answer = () => ({ ok: true, principalId: 'AIDALOCAL' });
    invoker.answer = () => {
      clock.advance(12);
      return ok({ statusCode: 201, body: 'made' });
    };
    const result = await gateway.handle(
      request('GET', '/prod/items/7', { headers: { 'x-api-key': 'key-a-0123456789abcdef' } }),
    );
    for (const variable of variables) expect(Object.keys(result.context)).toContain(variable);
    expect(result.context).toMatchObject({
      httpMethod: 'GET',
      resourcePath: '/items/{id}',
      path: '/prod/items/7',
      protocol: 'HTTP/1.1',
      status: 201,
      responseLength: 4,
      responseLatency: 12,
      integrationLatency: 12,
      'integration.status': 201,
      'identity.sourceIp': '127.0.0.1',
      'identity.userAgent': 'jest/30',
      'identity.apiKeyId': 'KeyA',
      'authorizer.principalId': 'AIDALOCAL',
      requestTime: '15/Jan/2027:08:00:00 +0000',
    });
    for (const absent of [
      'error.message',
      'error.responseType',
      'error.validationErrorString',
      'waf.status',
      'authorizer.error',
    ]) {
      expect(result.context[absent]).toBeUndefined();
    }
  });

  test('a refused request logs its error message, type and status', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html ($context.error.*)
    const { gateway } = gatewayFor(restApp({ routes: [route('GET', '/items')] }));
    const result = await gateway.handle(request('GET', '/prod/other'));
    for (const variable of variables) expect(Object.keys(result.context)).toContain(variable);
    expect(result.context).toMatchObject({
      status: 403,
      'error.message': 'Missing Authentication Token',
      'error.messageString': '"Missing Authentication Token"',
      'error.responseType': 'MISSING_AUTHENTICATION_TOKEN',
    });
    expect(result.context.resourcePath).toBeUndefined();
    expect(result.context.integrationLatency).toBeUndefined();
  });
});
