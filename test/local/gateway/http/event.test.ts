/**
 * The payload format 2.0 event a route's function receives.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { createHttpGateway } from '../../../../src/local/gateway/http';
import { apiIdentity } from '../../../../src/local/gateway/http/events';
import { FakeAuthorizer, FakeInvoker, httpApp, request, REQUEST_EPOCH_MS, REQUEST_TIME, route } from '../fixtures';

function gatewayWith(routes = [route('POST /projects/{projectId}/tasks')], outcome?: FakeAuthorizer['outcome']) {
  const invoker = new FakeInvoker();
  const authorizer = new FakeAuthorizer(outcome);
  const app = httpApp({ routes });
  return { gw: createHttpGateway({ app, invoker, authorizer, log: () => {} }), invoker, app };
}

describe('the 2.0 event', () => {
  test('GIVEN a request with repeated headers, cookies and query values THEN the event is the documented shape', async () => {
    // GIVEN
    const { gw, invoker, app } = gatewayWith();
    const req = request('POST', '/projects/p1/tasks', {
      rawQueryString: 'tag=a&tag=b&q=caf%C3%A9&empty=&flag',
      headers: {
        host: ['127.0.0.1:3000'],
        'user-agent': ['curl/8.5.0'],
        'content-type': ['application/json'],
        'x-custom': ['one', 'two'],
        cookie: ['sid=abc; theme=dark', 'lang=fr'],
      },
      body: Buffer.from('{"title":"Write tests"}'),
      sourceIp: '192.0.2.10',
    });

    // WHEN
    await gw.handle(req);

    // THEN
    const event = invoker.invocations[0].event;
    const { apiId } = apiIdentity(app);
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'POST /projects/{projectId}/tasks',
      rawPath: '/projects/p1/tasks',
      rawQueryString: 'tag=a&tag=b&q=caf%C3%A9&empty=&flag',
      cookies: ['sid=abc', 'theme=dark', 'lang=fr'],
      headers: {
        host: '127.0.0.1:3000',
        'user-agent': 'curl/8.5.0',
        'content-type': 'application/json',
        'x-custom': 'one,two',
        'x-forwarded-for': '192.0.2.10',
        'x-forwarded-port': '3000',
        'x-forwarded-proto': 'http',
        'x-amzn-trace-id': expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
      },
      queryStringParameters: { tag: 'a,b', q: 'café', empty: '', flag: '' },
      pathParameters: { projectId: 'p1' },
      requestContext: {
        accountId: '123456789012',
        apiId,
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        http: {
          method: 'POST',
          path: '/projects/p1/tasks',
          protocol: 'HTTP/1.1',
          sourceIp: '192.0.2.10',
          userAgent: 'curl/8.5.0',
        },
        requestId: req.requestId,
        routeKey: 'POST /projects/{projectId}/tasks',
        stage: '$default',
        time: REQUEST_TIME,
        timeEpoch: REQUEST_EPOCH_MS,
      },
      body: '{"title":"Write tests"}',
      isBase64Encoded: false,
    });
    expect(invoker.invocations[0].options).toEqual({ requestId: req.requestId });
  });

  test('GIVEN a request without query, cookies, parameters or body THEN those fields are left out, stageVariables too', async () => {
    // GIVEN
    const { gw, invoker } = gatewayWith([route('GET /items')]);

    // WHEN
    await gw.handle(request('GET', '/items'));

    // THEN
    const event = invoker.invocations[0].event;
    expect(Object.keys(event)).toEqual([
      'version',
      'routeKey',
      'rawPath',
      'rawQueryString',
      'headers',
      'requestContext',
      'isBase64Encoded',
    ]);
    expect(event.rawQueryString).toBe('');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  test.each([
    ['text/plain; charset=utf-8', false],
    ['text/csv', false],
    ['application/json', false],
    ['Application/JSON; charset=UTF-8', false],
    ['application/xml', false],
    ['application/javascript', false],
    ['application/x-www-form-urlencoded', true],
    ['application/octet-stream', true],
    ['image/png', true],
    [undefined, true],
  ])('GIVEN a body of content type %s THEN isBase64Encoded is %s', async (contentType, base64) => {
    // GIVEN evidence captured against AWS: github.com/ministackorg/ministack/pull/766 (the docs list no types)
    const { gw, invoker } = gatewayWith([route('POST /upload')]);
    const body = Buffer.from('a=1&b=é');
    const headers: { [name: string]: string[] } = { host: ['127.0.0.1:3000'] };
    if (contentType) headers['content-type'] = [contentType];

    // WHEN
    await gw.handle(request('POST', '/upload', { body, headers }));

    // THEN
    const event = invoker.invocations[0].event;
    expect(event.isBase64Encoded).toBe(base64);
    expect(event.body).toBe(base64 ? body.toString('base64') : 'a=1&b=é');
  });

  test('GIVEN no user agent THEN requestContext.http.userAgent is empty', async () => {
    const { gw, invoker } = gatewayWith([route('GET /items')]);

    await gw.handle(request('GET', '/items', { headers: { host: ['localhost:4000'] } }));

    expect(invoker.invocations[0].event.requestContext.http.userAgent).toBe('');
    expect(invoker.invocations[0].event.requestContext.domainPrefix).toBe('localhost');
  });

  test('GIVEN an authorized request THEN requestContext.authorizer is what the authorizer gives', async () => {
    // GIVEN a JWT route: claims as strings, scopes as a list (http-api-jwt-authorizer.html)
    const authorizer = { jwt: { claims: { sub: 'user-1', exp: '1618366253' }, scopes: ['tasks/read'] } };
    const jwtRoute = route('GET /items', { authorization: { type: 'AUTHORIZER', authorizerId: 'Jwt' } });
    const { gw, invoker } = gatewayWith([jwtRoute], () => ({ ok: true, authorizer, principalId: 'user-1' }));

    // WHEN
    await gw.handle(request('GET', '/items'));

    // THEN
    expect(invoker.invocations[0].event.requestContext.authorizer).toEqual(authorizer);
  });

  test("GIVEN an API THEN the event's API id is the one the model gives `Ref` to the API", () => {
    expect(apiIdentity(httpApp())).toEqual({
      apiId: 'f9k2m4p6q8',
      accountId: '123456789012',
      region: 'eu-west-1',
      stageName: '$default',
    });
  });
});
