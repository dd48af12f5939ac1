/**
 * Route throttling of an HTTP API: a token bucket per route, with the route's own settings or the stage's default
 * route settings; an empty bucket is answered 429 before any authorizer or function runs.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
 */
import { createHttpGateway } from '../../../../src/local/gateway/http';
import type { ThrottleModel } from '../../../../src/local/model';
import { FakeAuthorizer, FakeInvoker, httpApp, json, request, route } from '../fixtures';

function throttledGateway(stage: ThrottleModel | undefined, routeThrottle?: ThrottleModel) {
  let now = 1_000_000;
  const invoker = new FakeInvoker();
  const authorizer = new FakeAuthorizer();
  const routes = [
    route('GET /items'),
    route('GET /orders'),
    route('POST /orders', { throttle: routeThrottle, authorization: { type: 'AUTHORIZER', authorizerId: 'Jwt' } }),
  ];
  const gw = createHttpGateway({
    app: httpApp({ routes, throttle: stage }),
    invoker,
    authorizer,
    now: () => now,
    log: () => {},
  });
  return { gw, invoker, authorizer, advance: (ms: number) => (now += ms) };
}

async function statuses(gw: ReturnType<typeof throttledGateway>['gw'], method: string, path: string, count: number) {
  const result: number[] = [];
  for (let i = 0; i < count; i++) result.push((await gw.handle(request(method, path))).response.statusCode);
  return result;
}

describe('throttling', () => {
  test('GIVEN the stage default burst of 2 THEN the third request at once is 429 Too Many Requests, the function not invoked', async () => {
    // GIVEN
    const { gw, invoker } = throttledGateway({ rateLimit: 1, burstLimit: 2 });

    // WHEN
    const answers = await statuses(gw, 'GET', '/items', 3);
    const { response, context } = await gw.handle(request('GET', '/items'));

    // THEN
    expect(answers).toEqual([200, 200, 429]);
    expect(response.statusCode).toBe(429);
    expect(json(response.body)).toEqual({ message: 'Too Many Requests' });
    expect(response.headers['apigw-requestid']).toBeDefined();
    expect(invoker.invocations).toHaveLength(2);
    expect(context).toMatchObject({ status: 429, 'error.message': 'Too Many Requests', routeKey: 'GET /items' });
    expect(context.integrationStatus).toBeUndefined();
  });

  test('GIVEN an empty bucket THEN it refills at the rate limit', async () => {
    const { gw, advance } = throttledGateway({ rateLimit: 2, burstLimit: 1 });
    await statuses(gw, 'GET', '/items', 1);

    const before = await statuses(gw, 'GET', '/items', 1);
    advance(499);
    const tooEarly = await statuses(gw, 'GET', '/items', 1);
    advance(1);
    const refilled = await statuses(gw, 'GET', '/items', 1);

    expect([before, tooEarly, refilled]).toEqual([[429], [429], [200]]);
  });

  test('GIVEN the stage default THEN each route has a bucket of its own (default route settings)', async () => {
    const { gw } = throttledGateway({ rateLimit: 1, burstLimit: 1 });

    const items = await statuses(gw, 'GET', '/items', 2);
    const orders = await statuses(gw, 'GET', '/orders', 2);

    expect(items).toEqual([200, 429]);
    expect(orders).toEqual([200, 429]);
  });

  test('GIVEN a route setting THEN it overrides the stage default for that route only', async () => {
    const { gw } = throttledGateway({ rateLimit: 1, burstLimit: 1 }, { rateLimit: 1, burstLimit: 3 });

    const post = await statuses(gw, 'POST', '/orders', 4);
    const get = await statuses(gw, 'GET', '/orders', 2);

    expect(post).toEqual([200, 200, 200, 429]);
    expect(get).toEqual([200, 429]);
  });

  test('GIVEN a throttled authorized route THEN the authorizer is not run for the refused request', async () => {
    const { gw, authorizer } = throttledGateway(undefined, { rateLimit: 1, burstLimit: 1 });

    await statuses(gw, 'POST', '/orders', 3);

    expect(authorizer.inputs).toHaveLength(1);
  });

  test('GIVEN no stage or route throttle THEN only the account limit applies: 5,000 requests at once pass', async () => {
    // "Account-level throttling per Region": 10,000 rps steady, 5,000 burst (http-api-quotas.html)
    const { gw } = throttledGateway(undefined);

    const answers = await statuses(gw, 'GET', '/items', 5001);

    expect(answers.slice(0, 5000).every((s) => s === 200)).toBe(true);
    expect(answers[5000]).toBe(429);
  });
});
