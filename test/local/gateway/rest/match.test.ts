import { createHash } from 'crypto';
import { gatewayFor, header, json, request, restApp, route } from './fixtures';

/**
 * Which resource and method answer a request, and what API Gateway answers when none does.
 * Pages: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
 * (resources, {proxy+}, ANY), https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
 * (403 Missing Authentication Token), LocalStack's AWS-validated router and proxy tests where the docs are silent.
 */

const shop = restApp({
  routes: [
    route('GET', '/items', { functionId: 'List' }),
    route('GET', '/items/{itemId}', { functionId: 'Get' }),
    route('GET', '/items/featured', { functionId: 'Featured' }),
    route('POST', '/files/{proxy+}', { functionId: 'Upload' }),
    route('ANY', '/{proxy+}', { functionId: 'Fallback' }),
    route('DELETE', '/orders/{orderId}', { functionId: 'DeleteOrder' }),
  ],
});

async function functionFor(method: string, target: string): Promise<string | undefined> {
  const { gateway, invoker } = gatewayFor(shop);
  const result = await gateway.handle(request(method, target));
  expect(result.response.statusCode).toBe(200);
  return invoker.calls[0]?.functionId;
}

describe('REST resource matching', () => {
  test('a static path part beats a variable sibling', async () => {
    // GIVEN /items/featured and /items/{itemId} (method-request page: a static resource is matched first)
    // WHEN /items/featured and /items/42 are called THEN each goes to its own resource
    expect(await functionFor('GET', '/prod/items/featured')).toBe('Featured');
    expect(await functionFor('GET', '/prod/items/42')).toBe('Get');
  });

  test('a greedy {proxy+} takes the rest of the path, without its leading slash, still encoded', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html
    const { gateway, invoker } = gatewayFor(shop);
    await gateway.handle(request('POST', '/prod/files/a/b%20c/d.txt'));
    expect(invoker.lastEvent.resource).toBe('/files/{proxy+}');
    expect(invoker.lastEvent.pathParameters).toEqual({ proxy: 'a/b%20c/d.txt' });
    expect(invoker.lastEvent.path).toBe('/files/a/b%20c/d.txt');
  });

  test('when the matched resource lacks the method, a greedy resource that has it answers', async () => {
    // GIVEN GET /items/{itemId} and ANY /{proxy+} (LocalStack AWS-validated: OPTIONS /test goes to /{proxy+})
    // WHEN PUT /items/42 THEN /{proxy+} answers
    expect(await functionFor('PUT', '/prod/items/42')).toBe('Fallback');
  });

  test('ANY stands for the seven methods API Gateway knows, and HEAD is not GET', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
    const app = restApp({ routes: [route('ANY', '/things'), route('GET', '/only-get')] });
    const { gateway } = gatewayFor(app);
    for (const method of ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']) {
      expect((await gateway.handle(request(method, '/prod/things'))).response.statusCode).toBe(200);
    }
    expect((await gateway.handle(request('TRACE', '/prod/things'))).response.statusCode).toBe(403);
    expect((await gateway.handle(request('HEAD', '/prod/only-get'))).response.statusCode).toBe(403);
  });

  test('a trailing slash reaches the resource, but /r/ does not reach /r/{id}', async () => {
    // LocalStack AWS-validated proxy test: /proxy-value/ keeps its slash in `path`, not in the parameter
    const app = restApp({ routes: [route('GET', '/orders'), route('GET', '/carts/{cartId}')] });
    const { gateway, invoker } = gatewayFor(app);
    expect((await gateway.handle(request('GET', '/prod/orders/'))).response.statusCode).toBe(200);
    expect(invoker.lastEvent.path).toBe('/orders/');
    expect(invoker.lastEvent.requestContext.path).toBe('/prod/orders/');
    expect((await gateway.handle(request('GET', '/prod/carts/'))).response.statusCode).toBe(403);
  });

  test('path and pathParameters keep the percent-encoding the client sent', async () => {
    // Evidence: LocalStack AWS-validated `invocation-payload-with-path-encoded-email`
    const { gateway, invoker } = gatewayFor(shop);
    await gateway.handle(request('GET', '/prod/items/test%2Balias@gmail.com'));
    expect(invoker.lastEvent.pathParameters).toEqual({ itemId: 'test%2Balias@gmail.com' });
    expect(invoker.lastEvent.path).toBe('/items/test%2Balias@gmail.com');
  });

  test('slashes doubled around the stage are merged in `path` and kept in requestContext.path', async () => {
    // LocalStack AWS-validated: //stage/x and /stage//x both reach /x
    const { gateway, invoker } = gatewayFor(shop);
    await gateway.handle(request('GET', '/prod//items'));
    expect(invoker.lastEvent.path).toBe('/items');
    expect(invoker.lastEvent.requestContext.path).toBe('/prod//items');
    await gateway.handle(request('GET', '//prod/items'));
    expect(invoker.lastEvent.requestContext.path).toBe('/prod/items');
  });
});

describe('REST requests no method answers', () => {
  test('an unknown path is 403 Missing Authentication Token, with the REST error headers', async () => {
    // https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
    const app = restApp({ routes: [route('GET', '/items')] });
    const { gateway, invoker, lines } = gatewayFor(app);
    const result = await gateway.handle(request('GET', '/prod/nothing/here'));
    expect(lines[0]).toMatch(/no resource of the API has GET \/nothing\/here; it has GET \/items$/);
    expect(result.response.statusCode).toBe(403);
    expect(json(result)).toEqual({ message: 'Missing Authentication Token' });
    expect(header(result, 'x-amzn-ErrorType')).toBe('MissingAuthenticationTokenException');
    expect(header(result, 'x-amzn-RequestId')).toBe(result.context.requestId);
    expect(header(result, 'x-amz-apigw-id')).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(header(result, 'content-type')).toBe('application/json');
    expect(result.context['error.responseType']).toBe('MISSING_AUTHENTICATION_TOKEN');
    expect(invoker.calls).toHaveLength(0);
  });

  test('a method the resource does not declare is also 403 Missing Authentication Token', async () => {
    // https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden ("wrong-method", LocalStack AWS-validated)
    const app = restApp({ routes: [route('GET', '/items')] });
    const { gateway } = gatewayFor(app);
    const result = await gateway.handle(request('POST', '/prod/items'));
    expect(result.response.statusCode).toBe(403);
    expect(json(result)).toEqual({ message: 'Missing Authentication Token' });
  });

  test('with an Authorization: Bearer header, the 403 reads it as a malformed SigV4 header', async () => {
    // github.com/HumanCellAtlas/data-store/issues/328, serverless/serverless#3205 (E): the header's value, hashed
    const app = restApp({ routes: [route('GET', '/items')] });
    const { gateway } = gatewayFor(app);
    const result = await gateway.handle(
      request('GET', '/prod/missing', { headers: { Authorization: 'Bearer t0k3n' } }),
    );
    const hash = createHash('sha256').update('Bearer t0k3n').digest('base64');
    expect(result.response.statusCode).toBe(403);
    expect(json(result)).toEqual({
      message: `Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '${hash}'.`,
    });
    expect(header(result, 'x-amzn-ErrorType')).toBe('IncompleteSignatureException');
  });

  test('a path outside the stage is 403 Forbidden', async () => {
    // E: github.com/OWASP/Serverless-Goat/issues/14 (a URL without the stage answers {"message":"Forbidden"})
    const app = restApp({ routes: [route('GET', '/items')] });
    const { gateway } = gatewayFor(app);
    for (const target of ['/items', '/dev/items', '/production/items']) {
      const result = await gateway.handle(request('GET', target));
      expect(result.response.statusCode).toBe(403);
      expect(json(result)).toEqual({ message: 'Forbidden' });
      expect(header(result, 'x-amzn-ErrorType')).toBe('ForbiddenException');
    }
  });

  test('the root resource answers the stage path', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html (root resource "/")
    const app = restApp({ routes: [route('GET', '/')] });
    const { gateway, invoker } = gatewayFor(app);
    expect((await gateway.handle(request('GET', '/prod/'))).response.statusCode).toBe(200);
    expect((await gateway.handle(request('GET', '/prod'))).response.statusCode).toBe(200);
    expect(invoker.lastEvent.resource).toBe('/');
    expect(invoker.lastEvent.path).toBe('/');
  });
});
