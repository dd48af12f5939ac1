import { FakeAuthorizer, FakeInvoker, gatewayFor, header, json, request, restApp, route } from './fixtures';
import type { GatewayRequest } from '../../../../src/local/contracts';
import { createRestGateway } from '../../../../src/local/gateway/rest';

/**
 * The REST gateway as a whole: what it serves, how it explains its refusals, and that no request crashes it.
 * Pages: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-rest-api.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html.
 */

describe('REST gateway', () => {
  test('refuses an HTTP API model, naming the API and the gateway to use', () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html (two API types, two behaviours)
    const app = restApp({ routes: [], type: 'HTTP' });
    expect(() => createRestGateway({ app, invoker: new FakeInvoker(), authorizer: new FakeAuthorizer() })).toThrow(
      'createRestGateway serves REST APIs, got: the HTTP API "shop" of stack "ShopStack". Serve it with the HTTP API gateway.',
    );
  });

  test('a request it cannot read is answered 500 Internal server error, never thrown', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html (DEFAULT_5XX)
    const { gateway, lines } = gatewayFor(restApp({ routes: [route('POST', '/items')] }));
    const broken = request('POST', '/prod/items');
    Object.defineProperty(broken, 'body', {
      get() {
        throw new Error('socket closed');
      },
    });
    const result = await gateway.handle(broken as GatewayRequest);
    expect(result.response.statusCode).toBe(500);
    expect(json(result)).toEqual({ message: 'Internal server error' });
    expect(lines.join('\n')).toContain('socket closed');
  });

  test('each refusal is explained in one log line naming the request and the fix', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html (execution logs explain refusals)
    const { gateway, lines } = gatewayFor(restApp({ routes: [route('GET', '/items')] }));
    const result = await gateway.handle(request('GET', '/items'));
    expect(lines).toEqual([
      `${result.context.requestId} GET /items: 403: the path does not start with the stage: call /prod/...`,
    ]);
  });

  test('a trace id sent by the caller is kept on the response', async () => {
    // https://docs.aws.amazon.com/xray/latest/devguide/xray-services-apigateway.html (X-Amzn-Trace-Id)
    const { gateway } = gatewayFor(restApp({ routes: [route('GET', '/items')] }));
    const result = await gateway.handle(
      request('GET', '/prod/items', {
        headers: { 'X-Amzn-Trace-Id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' },
      }),
    );
    expect(header(result, 'X-Amzn-Trace-Id')).toBe('Root=1-5759e988-bd862e3fe1be46a994272793');
  });

  test('the stage throttle applies to the CORS preflight mock too', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html (every method of the stage)
    const cors = {
      allowOrigins: ['*'],
      allowMethods: ['GET'],
      allowHeaders: ['Content-Type'],
      exposeHeaders: [],
      allowCredentials: false,
    };
    const { gateway } = gatewayFor(
      restApp({ routes: [route('GET', '/items')], cors, throttle: { rateLimit: 1, burstLimit: 1 } }),
    );
    const first = await gateway.handle(request('OPTIONS', '/prod/items'));
    expect(first.response.statusCode).toBe(204);
    expect(header(first, 'Vary')).toBeUndefined();
    expect(header(first, 'Access-Control-Allow-Origin')).toBe('*');
    expect((await gateway.handle(request('OPTIONS', '/prod/items'))).response.statusCode).toBe(429);
  });
});
