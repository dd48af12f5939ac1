/**
 * Route selection of an HTTP API.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */
import { createHttpGateway } from '../../../../src/local/gateway/http';
import { HttpRouteTable } from '../../../../src/local/gateway/http/routes';
import { FakeAuthorizer, FakeInvoker, httpApp, json, request, route } from '../fixtures';

/** The routes of the page's routing example, plus `$default`. */
const PETS = [
  route('GET /pets/dog/1', { functionId: 'Dog1' }),
  route('GET /pets/dog/{id}', { functionId: 'DogById' }),
  route('GET /pets/{proxy+}', { functionId: 'PetsProxy' }),
  route('ANY /{proxy+}', { functionId: 'AnyProxy' }),
  route('$default', { functionId: 'Default' }),
];

describe('which route takes a request (http-api-develop-routes.html, "Routing API requests")', () => {
  const table = new HttpRouteTable(PETS);

  test.each([
    ['GET', '/pets/dog/1', 'GET /pets/dog/1', {}],
    ['GET', '/pets/dog/2', 'GET /pets/dog/{id}', { id: '2' }],
    ['GET', '/pets/cat/1', 'GET /pets/{proxy+}', { proxy: 'cat/1' }],
    ['POST', '/pets/dog/1', 'ANY /{proxy+}', { proxy: 'pets/dog/1' }],
    ['GET', '/test', 'ANY /{proxy+}', { proxy: 'test' }],
    ['GET', '/', '$default', {}],
  ])('GIVEN %s %s THEN the route is %s', (method, path, routeKey, pathParameters) => {
    // WHEN
    const match = table.match(method, path);

    // THEN a full match beats a greedy variable, which beats $default
    expect(match?.route.routeKey).toBe(routeKey);
    expect(match?.pathParameters).toEqual(pathParameters);
  });

  test('GIVEN a literal and a variable sibling THEN the literal path wins, whatever the order of the routes', () => {
    // GIVEN
    const table2 = new HttpRouteTable([route('GET /items/{id}'), route('GET /items/search')]);

    // WHEN / THEN
    expect(table2.match('GET', '/items/search')?.route.routeKey).toBe('GET /items/search');
    expect(table2.match('GET', '/items/42')?.route.routeKey).toBe('GET /items/{id}');
  });

  test('GIVEN GET and ANY on one path THEN ANY takes only the methods the path does not define', () => {
    // GIVEN "the ANY method to match all methods that you haven't defined for a resource"
    const table2 = new HttpRouteTable([route('ANY /items'), route('GET /items')]);

    // WHEN / THEN
    expect(table2.match('GET', '/items')?.route.routeKey).toBe('GET /items');
    expect(table2.match('DELETE', '/items')?.route.routeKey).toBe('ANY /items');
  });

  test('GIVEN a longer greedy prefix THEN it beats a shorter one', () => {
    const table2 = new HttpRouteTable([route('GET /{proxy+}'), route('GET /files/{path+}')]);

    expect(table2.match('GET', '/files/a/b')?.pathParameters).toEqual({ path: 'a/b' });
    expect(table2.match('GET', '/other/a')?.pathParameters).toEqual({ proxy: 'other/a' });
  });

  test('GIVEN a path with a trailing "/" THEN it misses the route without it (route keys cannot end in "/")', () => {
    // Evidence: github.com/storacha/w3infra/pull/166 (a deployed HTTP API answered 404 to `/x/`).
    const table2 = new HttpRouteTable([route('GET /items'), route('GET /files/{proxy+}')]);

    expect(table2.match('GET', '/items/')).toBeUndefined();
    expect(table2.match('GET', '/items')?.route.routeKey).toBe('GET /items');
    // A greedy variable never takes an empty rest, and keeps a trailing "/" of a longer one.
    expect(table2.match('GET', '/files/')).toBeUndefined();
    expect(table2.match('GET', '/files/a/')?.pathParameters).toEqual({ proxy: 'a/' });
  });

  test('GIVEN an empty segment THEN a path variable does not take it', () => {
    const table2 = new HttpRouteTable([route('GET /items/{id}/tags')]);

    expect(table2.match('GET', '/items//tags')).toBeUndefined();
  });

  test('GIVEN the method in another case THEN no route takes it: methods are case-sensitive tokens', () => {
    const table2 = new HttpRouteTable([route('GET /items')]);

    expect(table2.match('get', '/items')).toBeUndefined();
  });
});

describe('the gateway routing requests', () => {
  function gateway(routes = [route('GET /items/{id}'), route('GET /files/{proxy+}')]) {
    const invoker = new FakeInvoker();
    const gw = createHttpGateway({
      app: httpApp({ routes }),
      invoker,
      authorizer: new FakeAuthorizer(),
      log: () => {},
    });
    return { gw, invoker };
  }

  test('GIVEN no route for the path THEN 404 {"message":"Not Found"} with apigw-requestid, and no function runs', async () => {
    // GIVEN
    const { gw, invoker } = gateway();
    const req = request('GET', '/nothing/here');

    // WHEN
    const { response, context } = await gw.handle(req);

    // THEN
    expect(response.statusCode).toBe(404);
    expect(json(response.body)).toEqual({ message: 'Not Found' });
    expect(response.headers['content-type']).toEqual(['application/json']);
    expect(response.headers['apigw-requestid']).toEqual([req.requestId]);
    expect(response.headers['x-amzn-errortype']).toBeUndefined();
    expect(invoker.invocations).toHaveLength(0);
    expect(context).toMatchObject({ status: 404, 'error.message': 'Not Found', routeKey: undefined });
  });

  test('GIVEN a method the path does not define THEN 404, not 405', async () => {
    const { gw } = gateway();

    const { response } = await gw.handle(request('DELETE', '/items/1'));

    expect(response.statusCode).toBe(404);
  });

  test('GIVEN percent-encoded path parameters THEN the function gets them decoded, and a decoded rawPath', async () => {
    // GIVEN "API Gateway decodes URL-encoded request parameters before passing them to your backend integration"
    const { gw, invoker } = gateway();

    // WHEN
    await gw.handle(request('GET', '/items/caf%C3%A9%20au%20lait'));
    await gw.handle(request('GET', '/files/reports/2026%2F01.csv'));

    // THEN rawPath is decoded too (evidence: github.com/fastify/aws-lambda-fastify/issues/169, `/a%2Fb` -> `/a/b`)
    expect(invoker.invocations[0].event.pathParameters).toEqual({ id: 'café au lait' });
    expect(invoker.invocations[0].event.rawPath).toBe('/items/café au lait');
    expect(invoker.invocations[1].event.pathParameters).toEqual({ proxy: 'reports/2026/01.csv' });
  });

  test('GIVEN a malformed percent-escape THEN it reaches the function as sent instead of failing the request', async () => {
    const { gw, invoker } = gateway();

    const { response } = await gw.handle(request('GET', '/items/100%25%ZZ'));

    expect(response.statusCode).toBe(200);
    expect(invoker.invocations[0].event.pathParameters).toEqual({ id: '100%%ZZ' });
  });

  test('GIVEN a named stage THEN routes match below it and rawPath keeps it; other paths are 404', async () => {
    // GIVEN evidence: github.com/floci-io/floci/issues/2172 (rawPath of a named stage starts with the stage)
    const invoker = new FakeInvoker();
    const app = httpApp({ stageName: 'dev', routes: [route('GET /items/{id}')] });
    const gw = createHttpGateway({ app, invoker, authorizer: new FakeAuthorizer(), log: () => {} });

    // WHEN
    const hit = await gw.handle(request('GET', '/dev/items/7'));
    const miss = await gw.handle(request('GET', '/items/7'));

    // THEN
    expect(hit.response.statusCode).toBe(200);
    expect(invoker.invocations[0].event.rawPath).toBe('/dev/items/7');
    expect(invoker.invocations[0].event.requestContext.stage).toBe('dev');
    expect(miss.response.statusCode).toBe(404);
  });

  test('GIVEN an asterisk request target THEN 404 rather than a crash', async () => {
    const { gw } = gateway();

    const { response } = await gw.handle(request('OPTIONS', '*'));

    expect(response.statusCode).toBe(404);
  });
});
