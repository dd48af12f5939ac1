/**
 * The access log: the stage's format with `$context` variables replaced, `-` for absent values, as API Gateway writes
 * it, so the construct's metric filters can read the local log.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html
 */
import { FakeAuthorizer, FakeInvoker, httpApp, request, REQUEST_TIME, route } from './fixtures';
import { ACCESS_LOG_FORMAT, accessLogFormat } from '../../../src/api/access-log';
import { ApiType } from '../../../src/api/api-type';
import { formatAccessLog } from '../../../src/local/gateway/access-log';
import { createHttpGateway } from '../../../src/local/gateway/http';
import { apiIdentity } from '../../../src/local/gateway/http/events';
import { THROTTLED_REQUESTS_FILTER_PATTERN } from '../../../src/monitoring/access-log-metrics';
import { matchesFilterPattern } from '../../helpers/filter-pattern';

describe('formatAccessLog', () => {
  test('GIVEN a CLF format THEN each variable is replaced, "-" where the request has no value', () => {
    // GIVEN the console's example CLF format (http-api-logging.html)
    const format =
      '$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" $context.status $context.responseLength $context.requestId';

    // WHEN
    const line = formatAccessLog(format, {
      'identity.sourceIp': '192.0.2.1',
      requestTime: REQUEST_TIME,
      httpMethod: 'GET',
      routeKey: 'GET /items',
      protocol: 'HTTP/1.1',
      status: 200,
      responseLength: 0,
    });

    // THEN
    expect(line).toBe(`192.0.2.1 - - [${REQUEST_TIME}] "GET GET /items HTTP/1.1" 200 0 -`);
  });

  test('GIVEN variables that share a prefix THEN each is read whole ($context.error.message vs .messageString)', () => {
    const line = formatAccessLog('$context.error.messageString|$context.error.message.', {
      'error.message': 'Not Found',
      'error.messageString': '"Not Found"',
    });

    expect(line).toBe('"Not Found"|Not Found.');
  });

  test('GIVEN a JSON format and values with quotes and backslashes THEN the line stays valid JSON', () => {
    // GIVEN
    const format = accessLogFormat(ApiType.HTTP);

    // WHEN
    const line = formatAccessLog(format, { 'identity.userAgent': 'say "hi" \\ \n', status: 200 });

    // THEN
    expect(JSON.parse(line)).toMatchObject({ userAgent: 'say "hi" \\ \n', status: '200', ip: '-' });
  });

  test('GIVEN an empty value THEN "-", as for an absent one', () => {
    expect(formatAccessLog('[$context.integrationErrorMessage]', { integrationErrorMessage: '' })).toBe('[-]');
  });

  test('GIVEN the REST format THEN composite values are filled too', () => {
    const line = formatAccessLog(accessLogFormat(ApiType.REST), { httpMethod: 'GET', resourcePath: '/items/{id}' });

    expect(JSON.parse(line).routeKey).toBe('GET /items/{id}');
  });
});

describe("the gateway's context in the construct's access-log format", () => {
  const format = accessLogFormat(ApiType.HTTP);

  async function line(answer: ConstructorParameters<typeof FakeInvoker>[0], path = '/items') {
    const routes = [
      route('GET /items', { authorization: { type: 'AUTHORIZER', authorizerId: 'Jwt' } }),
      route('GET /busy', { throttle: { rateLimit: 1, burstLimit: 0 } }),
    ];
    const app = httpApp({ routes });
    const authorizer = new FakeAuthorizer(() => ({
      ok: true,
      authorizer: { jwt: { claims: { sub: 'user-42' }, scopes: null } },
    }));
    const gw = createHttpGateway({ app, invoker: new FakeInvoker(answer), authorizer, log: () => {} });
    const req = request('GET', path);
    const { context } = await gw.handle(req);
    return { text: formatAccessLog(format, context), req, app };
  }

  test('GIVEN a successful request THEN every field the construct logs is filled, the error fields "-"', async () => {
    // WHEN
    const { text, req, app } = await line(undefined);

    // THEN
    const fields = JSON.parse(text);
    expect(Object.keys(fields)).toEqual(Object.keys(ACCESS_LOG_FORMAT));
    expect(fields).toEqual({
      apiId: apiIdentity(app).apiId,
      requestId: req.requestId,
      requestTime: REQUEST_TIME,
      ip: '127.0.0.1',
      userAgent: 'curl/8.5.0',
      httpMethod: 'GET',
      routeKey: 'GET /items',
      path: '/items',
      protocol: 'HTTP/1.1',
      status: '200',
      responseLength: '11',
      responseLatency: expect.stringMatching(/^\d+$/),
      integrationLatency: expect.stringMatching(/^\d+$/),
      integrationStatus: '200',
      integrationError: '-',
      authorizerError: '-',
      principalId: 'user-42',
      errorMessage: '-',
    });
  });

  test('GIVEN a request the route throttled THEN its line matches the 429 metric filter of the construct', async () => {
    // WHEN
    const { text } = await line(undefined, '/busy');

    // THEN
    expect(JSON.parse(text)).toMatchObject({
      status: '429',
      integrationStatus: '-',
      errorMessage: 'Too Many Requests',
    });
    expect(matchesFilterPattern(THROTTLED_REQUESTS_FILTER_PATTERN, text)).toBe(true);
  });

  test('GIVEN the function itself answered 429 THEN the filter counts it too, as it counts every 429 a client sees', async () => {
    const { text } = await line(() => ({
      status: 'ok',
      payload: { statusCode: 429, body: 'slow down' },
      durationMs: 1,
    }));

    expect(JSON.parse(text)).toMatchObject({ status: '429', integrationStatus: '200' });
    expect(matchesFilterPattern(THROTTLED_REQUESTS_FILTER_PATTERN, text)).toBe(true);
  });

  test.each([
    ['a success', undefined, '/items'],
    ['a 404', undefined, '/missing'],
    ['a throttled Lambda (500)', () => ({ status: 'throttled' as const }), '/items'],
  ])('GIVEN %s THEN the filter does not count it', async (_name, answer, path) => {
    const { text } = await line(answer, path);

    expect(matchesFilterPattern(THROTTLED_REQUESTS_FILTER_PATTERN, text)).toBe(false);
  });
});
