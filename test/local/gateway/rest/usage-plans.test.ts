import { gatewayFor, header, json, ManualClock, request, restApp, route } from './fixtures';
import { quotaPeriodStart } from '../../../../src/local/gateway/rest/usage-plans';
import type { LocalApiModel, LocalUsagePlanModel } from '../../../../src/local/model';
import { TEST_EPOCH_MS } from '../../../helpers/clock';

/**
 * API keys, usage plans (throttle per key and method, quota per period) and the stage's method throttling of a REST
 * API. The clock is the test's: buckets refill and quota periods turn only when a test moves it.
 * Pages: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html,
 * https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html.
 */

const KEYS = [
  { id: 'KeyA', name: 'partner-a', value: 'key-a-0123456789abcdef', enabled: true },
  { id: 'KeyB', name: 'partner-b', value: 'key-b-0123456789abcdef', enabled: true },
  { id: 'KeyOff', name: 'retired', value: 'key-off-0123456789abcd', enabled: false },
  { id: 'KeyLoose', name: 'no-plan', value: 'key-loose-0123456789ab', enabled: true },
];

function plan(extra: Partial<LocalUsagePlanModel> = {}): LocalUsagePlanModel {
  return { id: 'Plan', name: 'partners', apiKeyIds: ['KeyA', 'KeyB', 'KeyOff'], methodThrottles: {}, ...extra };
}

function keyed(usagePlan: LocalUsagePlanModel, api: Partial<LocalApiModel> = {}) {
  const clock = new ManualClock();
  const app = restApp({
    routes: [
      route('GET', '/items', { apiKeyRequired: true }),
      route('POST', '/items', { apiKeyRequired: true }),
      route('GET', '/open'),
    ],
    usagePlans: [usagePlan],
    apiKeys: KEYS,
    ...api,
  });
  const parts = gatewayFor(app, clock);
  const call = async (key: string | undefined, method = 'GET', target = '/prod/items') =>
    parts.gateway.handle(request(method, target, { headers: key ? { 'x-api-key': key } : {} }));
  return { ...parts, call };
}

describe('REST API keys', () => {
  test.each([
    ['no x-api-key header', undefined],
    ['an unknown key', 'nope'],
    ['a disabled key', 'key-off-0123456789abcd'],
    ['a key in no usage plan of the stage', 'key-loose-0123456789ab'],
  ])('%s: 403 {"message":"Forbidden"}, ForbiddenException, the function never runs', async (_, key) => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html ("the caller receives a 403 Forbidden")
    const { call, invoker, lines } = keyed(plan());
    const result = await call(key);
    expect(result.response.statusCode).toBe(403);
    expect(json(result)).toEqual({ message: 'Forbidden' });
    expect(header(result, 'x-amzn-ErrorType')).toBe('ForbiddenException');
    expect(result.context['error.responseType']).toBe('INVALID_API_KEY');
    expect(invoker.calls).toHaveLength(0);
    expect(lines).toHaveLength(1);
  });

  test('a valid key reaches the function with the key and its id in requestContext.identity', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html ($context.identity.apiKey, apiKeyId)
    const { call, invoker } = keyed(plan());
    const result = await call('key-a-0123456789abcdef');
    expect(result.response.statusCode).toBe(200);
    expect(invoker.lastEvent.requestContext.identity).toMatchObject({
      apiKey: 'key-a-0123456789abcdef',
      apiKeyId: 'KeyA',
    });
    expect(result.context['identity.apiKeyId']).toBe('KeyA');
  });

  test('a method that does not require a key ignores it and counts against no plan', async () => {
    // Execution log: "API Key authorized because method ... does not require API Key. Request will not contribute to throttle or quota limits"
    const { call, invoker } = keyed(plan({ quota: { limit: 1, period: 'DAY', offset: 0 } }));
    for (let i = 0; i < 3; i++) {
      expect((await call('key-a-0123456789abcdef', 'GET', '/prod/open')).response.statusCode).toBe(200);
    }
    expect(invoker.lastEvent.requestContext.identity).not.toHaveProperty('apiKey');
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(200);
  });
});

describe('REST usage plan throttling', () => {
  test('each key gets the plan burst, refilled at the plan rate: then 429 Too Many Requests', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html (per-client limits, token bucket)
    const { call, clock } = keyed(plan({ throttle: { rateLimit: 1, burstLimit: 2 } }));
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(200);
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(200);
    const throttled = await call('key-a-0123456789abcdef');
    expect(throttled.response.statusCode).toBe(429);
    expect(json(throttled)).toEqual({ message: 'Too Many Requests' });
    expect(header(throttled, 'x-amzn-ErrorType')).toBe('TooManyRequestsException');
    expect(throttled.context['error.responseType']).toBe('THROTTLED');
    expect((await call('key-b-0123456789abcdef')).response.statusCode).toBe(200);
    clock.advance(1000);
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(200);
  });

  test('a per-method throttle of the plan overrides its throttle for that method only', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html (method-level targets in a usage plan)
    const { call } = keyed(
      plan({
        throttle: { rateLimit: 100, burstLimit: 100 },
        methodThrottles: { '/items/POST': { rateLimit: 1, burstLimit: 1 } },
      }),
    );
    expect((await call('key-a-0123456789abcdef', 'POST')).response.statusCode).toBe(200);
    expect((await call('key-a-0123456789abcdef', 'POST')).response.statusCode).toBe(429);
    expect((await call('key-a-0123456789abcdef', 'GET')).response.statusCode).toBe(200);
  });
});

describe('REST usage plan quotas', () => {
  test('over the daily quota: 429 Limit Exceeded until the next UTC day', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html (quota); LimitExceededException (E: LocalStack)
    const { call, clock } = keyed(plan({ quota: { limit: 2, period: 'DAY', offset: 0 } }));
    await call('key-a-0123456789abcdef');
    await call('key-a-0123456789abcdef');
    const over = await call('key-a-0123456789abcdef');
    expect(over.response.statusCode).toBe(429);
    expect(json(over)).toEqual({ message: 'Limit Exceeded' });
    expect(header(over, 'x-amzn-ErrorType')).toBe('LimitExceededException');
    expect(over.context['error.responseType']).toBe('QUOTA_EXCEEDED');
    expect((await call('key-b-0123456789abcdef')).response.statusCode).toBe(200);
    clock.ms = Date.UTC(2027, 0, 16) - 1;
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(429);
    clock.ms = Date.UTC(2027, 0, 16);
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(200);
  });

  test('a refused key does not use the quota', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html (the key is matched before throttling and quota)
    const { call } = keyed(plan({ quota: { limit: 1, period: 'DAY', offset: 0 } }));
    await call('key-off-0123456789abcd');
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(200);
  });

  test('periods start at UTC midnight; a week on the offset day (0 Sunday), a month on day 1 + offset', () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-usageplan-quotasettings.html (Offset)
    // TEST_EPOCH_MS is Friday 2027-01-15T08:00:00Z
    expect(quotaPeriodStart({ period: 'DAY', offset: 0 }, TEST_EPOCH_MS)).toBe(Date.UTC(2027, 0, 15));
    expect(quotaPeriodStart({ period: 'WEEK', offset: 0 }, TEST_EPOCH_MS)).toBe(Date.UTC(2027, 0, 10));
    expect(quotaPeriodStart({ period: 'WEEK', offset: 1 }, TEST_EPOCH_MS)).toBe(Date.UTC(2027, 0, 11));
    expect(quotaPeriodStart({ period: 'WEEK', offset: 5 }, TEST_EPOCH_MS)).toBe(Date.UTC(2027, 0, 15));
    expect(quotaPeriodStart({ period: 'MONTH', offset: 0 }, TEST_EPOCH_MS)).toBe(Date.UTC(2027, 0, 1));
    expect(quotaPeriodStart({ period: 'MONTH', offset: 20 }, TEST_EPOCH_MS)).toBe(Date.UTC(2026, 11, 21));
    expect(quotaPeriodStart({ period: 'MONTH', offset: 0 }, Date.UTC(2027, 0, 1) - 1)).toBe(Date.UTC(2026, 11, 1));
  });

  test('a weekly quota turns on its offset day', async () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-usageplan-quotasettings.html
    const { call, clock } = keyed(plan({ quota: { limit: 1, period: 'WEEK', offset: 1 } }));
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(200);
    clock.ms = Date.UTC(2027, 0, 17, 23, 59);
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(429);
    clock.ms = Date.UTC(2027, 0, 18);
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(200);
  });
});

describe('REST stage and method throttling', () => {
  function throttledApp(extraRoute = {}) {
    const clock = new ManualClock();
    const app = restApp({
      routes: [route('GET', '/a'), route('GET', '/b', extraRoute)],
      throttle: { rateLimit: 1, burstLimit: 1 },
    });
    return gatewayFor(app, clock);
  }

  test("the stage's */* limits apply to each method on its own", async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html ("applied at the API method level for a stage")
    const { gateway, clock } = throttledApp();
    expect((await gateway.handle(request('GET', '/prod/a'))).response.statusCode).toBe(200);
    const second = await gateway.handle(request('GET', '/prod/a'));
    expect(second.response.statusCode).toBe(429);
    expect(json(second)).toEqual({ message: 'Too Many Requests' });
    expect((await gateway.handle(request('GET', '/prod/b'))).response.statusCode).toBe(200);
    clock.advance(1000);
    expect((await gateway.handle(request('GET', '/prod/a'))).response.statusCode).toBe(200);
  });

  test("a method's own throttle replaces the stage's for that method", async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html (per-method throttling)
    const { gateway } = throttledApp({ throttle: { rateLimit: 10, burstLimit: 3 } });
    for (let i = 0; i < 3; i++) expect((await gateway.handle(request('GET', '/prod/b'))).response.statusCode).toBe(200);
    expect((await gateway.handle(request('GET', '/prod/b'))).response.statusCode).toBe(429);
  });

  test('the API key is checked before the stage throttle: a bad key stays 403 when the stage is exhausted', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html (usage plan limits first)
    const { call } = keyed(plan(), { throttle: { rateLimit: 1, burstLimit: 1 } });
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(200);
    expect((await call('key-a-0123456789abcdef')).response.statusCode).toBe(429);
    expect((await call('nope')).response.statusCode).toBe(403);
  });

  test('refusals before the integration cost the function nothing', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
    const { gateway, invoker } = throttledApp();
    await gateway.handle(request('GET', '/prod/a'));
    await gateway.handle(request('GET', '/prod/a'));
    expect(invoker.calls).toHaveLength(1);
  });
});
