import { gatewayFor, request, restApp, route } from './fixtures';
import { localRestApiId } from '../../../../src/local/gateway/rest';
import { TEST_EPOCH_MS } from '../../../helpers/clock';

/**
 * The event a REST API's Lambda proxy integration receives (payload format 1.0), and the TOKEN and REQUEST
 * authorizers' events.
 * Pages: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * (input format), https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html; LocalStack's
 * AWS-validated `test_lambda_aws_proxy_integration` snapshot where the page shows no example.
 */

const app = restApp({ routes: [route('POST', '/carts/{cartId}/items')], binaryMediaTypes: ['image/*'] });
const apiId = localRestApiId(app);

describe('REST proxy event (payload 1.0)', () => {
  test('has every top-level field and the requestContext of the input-format page', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
    const { gateway, invoker } = gatewayFor(app);
    await gateway.handle(
      request('POST', '/prod/carts/c-1/items?size=L', {
        headers: { 'content-type': 'application/json', 'x-trace': ['a', 'b'] },
        body: '{"sku":"A1"}',
        sourceIp: '203.0.113.9',
      }),
    );
    const event = invoker.lastEvent;
    expect(Object.keys(event).sort()).toEqual(
      [
        'body',
        'headers',
        'httpMethod',
        'isBase64Encoded',
        'multiValueHeaders',
        'multiValueQueryStringParameters',
        'path',
        'pathParameters',
        'queryStringParameters',
        'requestContext',
        'resource',
        'stageVariables',
      ].sort(),
    );
    expect(event).toMatchObject({
      resource: '/carts/{cartId}/items',
      path: '/carts/c-1/items',
      httpMethod: 'POST',
      queryStringParameters: { size: 'L' },
      multiValueQueryStringParameters: { size: ['L'] },
      pathParameters: { cartId: 'c-1' },
      stageVariables: null,
      body: '{"sku":"A1"}',
      isBase64Encoded: false,
    });
    expect(event.headers['x-trace']).toBe('b');
    expect(event.multiValueHeaders['x-trace']).toEqual(['a', 'b']);
    expect(event.requestContext).toEqual({
      resourceId: expect.stringMatching(/^[a-z0-9]{6}$/),
      resourcePath: '/carts/{cartId}/items',
      httpMethod: 'POST',
      extendedRequestId: expect.stringMatching(/^[A-Za-z0-9+/]{15}=$/),
      requestTime: '15/Jan/2027:08:00:00 +0000',
      path: '/prod/carts/c-1/items',
      accountId: '123456789012',
      protocol: 'HTTP/1.1',
      stage: 'prod',
      domainPrefix: '127',
      requestTimeEpoch: TEST_EPOCH_MS,
      requestId: invoker.calls[0].options?.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: '203.0.113.9',
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent: 'jest/30',
        user: null,
      },
      domainName: '127.0.0.1:3000',
      deploymentId: expect.stringMatching(/^[a-z0-9]{6}$/),
      apiId,
    });
  });

  test('empty maps and an empty body are null', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html (LocalStack AWS-validated: "queryStringParameters": null)
    const { gateway, invoker } = gatewayFor(restApp({ routes: [route('GET', '/ping')] }));
    await gateway.handle(request('GET', '/prod/ping'));
    expect(invoker.lastEvent).toMatchObject({
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      body: null,
      isBase64Encoded: false,
    });
  });

  test('a repeated query parameter keeps its last value in the single map, every value in the multi map', async () => {
    // LocalStack AWS-validated `invocation-payload-with-params-encoding-multi`; values are form-decoded (+ is a space)
    const { gateway, invoker } = gatewayFor(app);
    await gateway.handle(
      request(
        'POST',
        '/prod/carts/c/items?category=electronics&category=books&email=test%2Balias%40x.com&plus=a+b&flag',
      ),
    );
    expect(invoker.lastEvent.queryStringParameters).toEqual({
      category: 'books',
      email: 'test+alias@x.com',
      plus: 'a b',
      flag: '',
    });
    expect(invoker.lastEvent.multiValueQueryStringParameters).toEqual({
      category: ['electronics', 'books'],
      email: ['test+alias@x.com'],
      plus: ['a b'],
      flag: [''],
    });
  });

  test('hop-by-hop headers such as Content-Length and Connection do not reach the function', async () => {
    // LocalStack AWS-validated snapshot: a POST event has Content-Type but no Content-Length
    const { gateway, invoker } = gatewayFor(app);
    await gateway.handle(
      request('POST', '/prod/carts/c/items', {
        headers: { 'content-length': '2', connection: 'keep-alive' },
        body: '{}',
      }),
    );
    expect(invoker.lastEvent.headers).not.toHaveProperty('content-length');
    expect(invoker.lastEvent.headers).not.toHaveProperty('connection');
    expect(invoker.lastEvent.headers.host).toBe('127.0.0.1:3000');
  });

  test('the body is base64 only when its Content-Type is a binary media type', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
    const { gateway, invoker } = gatewayFor(app);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    await gateway.handle(
      request('POST', '/prod/carts/c/items', { headers: { 'content-type': 'image/png' }, body: png }),
    );
    expect(invoker.lastEvent.isBase64Encoded).toBe(true);
    expect(Buffer.from(invoker.lastEvent.body, 'base64')).toEqual(png);
    await gateway.handle(
      request('POST', '/prod/carts/c/items', { headers: { 'content-type': 'text/plain' }, body: 'héllo' }),
    );
    expect(invoker.lastEvent.isBase64Encoded).toBe(false);
    expect(invoker.lastEvent.body).toBe('héllo');
  });

  test('binary media types written as the API stores them (image~1png) match too', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/api/API_RestApi.html (binaryMediaTypes; "/" is "~1" in patch paths)
    const { gateway, invoker } = gatewayFor(
      restApp({ routes: [route('POST', '/up')], binaryMediaTypes: ['image~1png'] }),
    );
    await gateway.handle(request('POST', '/prod/up', { headers: { 'content-type': 'image/png' }, body: 'x' }));
    expect(invoker.lastEvent.isBase64Encoded).toBe(true);
  });

  test("the authorizer's requestContext.authorizer and IAM identity fields reach the event", async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html (requestContext.authorizer, identity)
    const secured = restApp({
      routes: [route('GET', '/me', { authorization: { type: 'IAM' } })],
    });
    const { gateway, invoker, authorizer } = gatewayFor(secured);
    authorizer.answer = () => ({
      ok: true,
      identity: { accessKey: 'AKIALOCAL', userArn: 'arn:aws:iam::123456789012:user/dev', user: 'AIDALOCAL' },
      principalId: 'AIDALOCAL',
    });
    await gateway.handle(request('GET', '/prod/me'));
    expect(invoker.lastEvent.requestContext.identity).toMatchObject({
      accessKey: 'AKIALOCAL',
      userArn: 'arn:aws:iam::123456789012:user/dev',
      user: 'AIDALOCAL',
      sourceIp: '127.0.0.1',
    });
    expect(invoker.lastEvent.requestContext).not.toHaveProperty('authorizer');

    authorizer.answer = () => ({ ok: true, authorizer: { claims: { sub: 'u-1' } } });
    await gateway.handle(request('GET', '/prod/me'));
    expect(invoker.lastEvent.requestContext.authorizer).toEqual({ claims: { sub: 'u-1' } });
  });
});

describe('REST Lambda authorizer events', () => {
  const secured = restApp({
    routes: [route('GET', '/carts/{cartId}', { authorization: { type: 'AUTHORIZER', authorizerId: 'Auth' } })],
    authorizers: {
      Auth: {
        kind: 'lambda-token',
        id: 'Auth',
        name: 'auth',
        functionId: 'AuthFunction',
        identitySource: 'method.request.header.Authorization',
        resultTtlSeconds: 300,
      },
    },
  });

  test('TOKEN: type, the identity source header as authorizationToken, and the methodArn', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
    const { gateway, authorizer } = gatewayFor(secured);
    await gateway.handle(request('GET', '/prod/carts/c%201', { headers: { Authorization: 'Bearer abc' } }));
    const event = authorizer.inputs[0].lambdaAuthorizerEvent('TOKEN', ['method.request.header.Authorization']);
    expect(event).toEqual({
      type: 'TOKEN',
      authorizationToken: 'Bearer abc',
      methodArn: `arn:aws:execute-api:eu-west-1:123456789012:${localRestApiId(secured)}/prod/GET/carts/c%201`,
    });
    // The matched request gives the authorizer decoded path parameters (contracts.ts: MatchedRequest).
    expect(authorizer.inputs[0].matched.pathParameters).toEqual({ cartId: 'c 1' });
    // ...and the policy is checked against the very ARN the event carries, encoded path and all.
    expect(authorizer.inputs[0].requestArn).toBe((event as { methodArn: string }).methodArn);
  });

  test('REQUEST: the request without its body, with methodArn and requestContext', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
    const { gateway, authorizer } = gatewayFor(secured);
    await gateway.handle(request('GET', '/prod/carts/c1?x=1&x=2', { headers: { 'x-tenant': 't1' } }));
    const event: any = authorizer.inputs[0].lambdaAuthorizerEvent('REQUEST', ['method.request.header.x-tenant']);
    expect(Object.keys(event).sort()).toEqual(
      [
        'headers',
        'httpMethod',
        'methodArn',
        'multiValueHeaders',
        'multiValueQueryStringParameters',
        'path',
        'pathParameters',
        'queryStringParameters',
        'requestContext',
        'resource',
        'stageVariables',
        'type',
      ].sort(),
    );
    expect(event).toMatchObject({
      type: 'REQUEST',
      resource: '/carts/{cartId}',
      path: '/carts/c1',
      httpMethod: 'GET',
      headers: { 'x-tenant': 't1' },
      queryStringParameters: { x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      pathParameters: { cartId: 'c1' },
      stageVariables: null,
      requestContext: { resourcePath: '/carts/{cartId}', stage: 'prod', path: '/prod/carts/c1' },
    });
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  test('the root resource ARN ends with the method and a slash', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html
    const root = restApp({ routes: [route('GET', '/', { authorization: { type: 'IAM' } })] });
    const { gateway, authorizer } = gatewayFor(root);
    await gateway.handle(request('GET', '/prod/'));
    const event: any = authorizer.inputs[0].lambdaAuthorizerEvent('TOKEN', []);
    expect(event.methodArn).toBe(`arn:aws:execute-api:eu-west-1:123456789012:${localRestApiId(root)}/prod/GET/`);
  });
});
