/**
 * Reading the function's result, and the answers to a failed, timed-out or throttled invocation.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
 */
import type { InvokeOutcome } from '../../../../src/local/contracts';
import { createHttpGateway } from '../../../../src/local/gateway/http';
import { FakeAuthorizer, FakeInvoker, httpApp, json, request, route } from '../fixtures';

function gatewayAnswering(
  answer: () => InvokeOutcome | Promise<InvokeOutcome>,
  api: Parameters<typeof httpApp>[0] = {},
) {
  const lines: string[] = [];
  const invoker = new FakeInvoker(answer);
  const app = {
    ...httpApp({ routes: [route('GET /items')], ...api }),
    functions: { ItemsFunction: { timeoutSeconds: 6 } as any },
  };
  const gw = createHttpGateway({ app, invoker, authorizer: new FakeAuthorizer(), log: (line) => lines.push(line) });
  return { gw, invoker, lines };
}

const ok = (payload: unknown): InvokeOutcome => ({ status: 'ok', payload, durationMs: 4 });

describe('a result with statusCode', () => {
  test('GIVEN statusCode, headers, cookies and body THEN they make the response, one set-cookie per cookie', async () => {
    // GIVEN
    const { gw } = gatewayAnswering(() =>
      ok({
        statusCode: 201,
        headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc', 'X-Count': 3 },
        cookies: ['sid=1; HttpOnly', 'theme=dark'],
        body: '{"id":"t1"}',
      }),
    );
    const req = request('GET', '/items');

    // WHEN
    const { response, context } = await gw.handle(req);

    // THEN
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({
      'content-type': ['application/json'],
      'x-trace': ['abc'],
      'x-count': ['3'],
      'set-cookie': ['sid=1; HttpOnly', 'theme=dark'],
      'apigw-requestid': [req.requestId],
    });
    expect(response.body.toString()).toBe('{"id":"t1"}');
    expect(context).toMatchObject({ status: 201, integrationStatus: 200, 'integration.status': 201 });
  });

  test('GIVEN isBase64Encoded true THEN the body is decoded before it is sent', async () => {
    // Evidence: github.com/ministackorg/ministack/pull/766 (deployed HTTP API decodes it)
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const { gw } = gatewayAnswering(() =>
      ok({
        statusCode: 200,
        headers: { 'content-type': 'image/png' },
        body: png.toString('base64'),
        isBase64Encoded: true,
      }),
    );

    const { response } = await gw.handle(request('GET', '/items'));

    expect(response.body.equals(png)).toBe(true);
  });

  test('GIVEN no content-type THEN the response is text/plain (undocumented; deployed APIs answer so)', async () => {
    // Evidence: github.com/aws-powertools/powertools-lambda-python/issues/2464,
    // github.com/awslabs/aws-lambda-go-api-proxy/issues/116
    const { gw } = gatewayAnswering(() => ok({ statusCode: 204 }));

    const { response } = await gw.handle(request('GET', '/items'));

    expect(response.statusCode).toBe(204);
    expect(response.headers['content-type']).toEqual(['text/plain; charset=utf-8']);
    expect(response.body.length).toBe(0);
  });
});

describe('a result without statusCode ("API Gateway assumes the response format")', () => {
  test.each([
    ['an object', { items: [1, 2] }, '{"items":[1,2]}'],
    ['a string', 'Hello from Lambda!', 'Hello from Lambda!'],
    ['a number', 42, '42'],
    ['null', null, 'null'],
    ['nothing', undefined, 'null'],
  ])('GIVEN %s THEN 200, application/json, and the result as body', async (_kind, payload, body) => {
    const { gw } = gatewayAnswering(() => ok(payload));

    const { response } = await gw.handle(request('GET', '/items'));

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toEqual(['application/json']);
    expect(response.body.toString()).toBe(body);
  });
});

describe('a result API Gateway cannot read: 500 {"message":"Internal Server Error"}', () => {
  test.each([
    [{ statusCode: 'abc' }, '"statusCode" must be an integer from 100 to 599, got: "abc"'],
    [{ statusCode: 200.5 }, '"statusCode" must be an integer from 100 to 599, got: 200.5'],
    [{ statusCode: 1000 }, '"statusCode" must be an integer from 100 to 599, got: 1000'],
    [{ statusCode: 200, headers: ['a'] }, '"headers" must be an object, got: ["a"]'],
    [{ statusCode: 200, headers: { 'x-a': { b: 1 } } }, '"headers.x-a" must be a string, got: {"b":1}'],
    [
      { statusCode: 200, headers: { 'x-a': 'line\r\nbreak' } },
      '"headers.x-a" is not a valid HTTP header (a token name, a value without line breaks), got: "line\\r\\nbreak"',
    ],
    [{ statusCode: 200, cookies: 'a=1' }, '"cookies" must be a list of strings without line breaks, got: "a=1"'],
    [{ statusCode: 200, body: { a: 1 } }, '"body" must be a string, got: {"a":1}'],
    [{ statusCode: 200, isBase64Encoded: 'yes' }, '"isBase64Encoded" must be true or false, got: "yes"'],
  ])('GIVEN %j THEN 500, and the log says what is wrong', async (payload, problem) => {
    // GIVEN
    const { gw, lines } = gatewayAnswering(() => ok(payload));
    const req = request('GET', '/items');

    // WHEN
    const { response, context } = await gw.handle(req);

    // THEN
    expect(response.statusCode).toBe(500);
    expect(json(response.body)).toEqual({ message: 'Internal Server Error' });
    const message = `The response from the Lambda function doesn't match the format that API Gateway expects: ${problem}.`;
    expect(context).toMatchObject({ status: 500, integrationStatus: 200, integrationErrorMessage: message });
    expect(lines).toEqual([
      `GET /items (request ${req.requestId}): ItemsFunction: ${message} See https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html`,
    ]);
  });

  test('GIVEN a numeric string statusCode THEN it is read, as REST APIs read it', async () => {
    const { gw } = gatewayAnswering(() => ok({ statusCode: '202', body: 'queued' }));

    const { response } = await gw.handle(request('GET', '/items'));

    expect(response.statusCode).toBe(202);
  });
});

describe('invocations that fail', () => {
  test('GIVEN the function throws THEN 500 Internal Server Error and the error in integrationErrorMessage', async () => {
    // GIVEN
    const { gw, lines } = gatewayAnswering(() => ({
      status: 'error',
      errorType: 'TypeError',
      errorMessage: "Cannot read properties of undefined (reading 'id')",
      durationMs: 12,
    }));

    // WHEN
    const { response, context } = await gw.handle(request('GET', '/items'));

    // THEN
    expect(response.statusCode).toBe(500);
    expect(json(response.body)).toEqual({ message: 'Internal Server Error' });
    const message =
      "The Lambda function returned the following error: TypeError: Cannot read properties of undefined (reading 'id'). Check your Lambda function code and try again.";
    expect(context).toMatchObject({
      status: 500,
      integrationStatus: 200,
      integrationErrorMessage: message,
      'error.message': 'Internal Server Error',
    });
    expect(lines[0]).toContain(message);
  });

  test('GIVEN the function runs past its timeout THEN 500: a function timeout is a Lambda error', async () => {
    const { gw } = gatewayAnswering(() => ({ status: 'timeout', durationMs: 6004 }));

    const { response, context } = await gw.handle(request('GET', '/items'));

    expect(response.statusCode).toBe(500);
    expect(context.integrationErrorMessage).toBe(
      'The Lambda function returned the following error: Task timed out after 6.00 seconds. Check your Lambda function code and try again.',
    );
  });

  test('GIVEN Lambda throttles the invocation THEN 500 (undocumented for HTTP APIs) with integrationStatus 429', async () => {
    // The knowledge center lists Lambda throttling among the causes of "Internal server error":
    // https://repost.aws/knowledge-center/api-gateway-internal-server-error
    const { gw } = gatewayAnswering(() => ({ status: 'throttled' }));

    const { response, context } = await gw.handle(request('GET', '/items'));

    expect(response.statusCode).toBe(500);
    expect(json(response.body)).toEqual({ message: 'Internal Server Error' });
    expect(context).toMatchObject({ status: 500, integrationStatus: 429 });
  });

  test('GIVEN the local Lambda service itself fails THEN 500, not a crash', async () => {
    const { gw } = gatewayAnswering(() => Promise.reject(new Error('worker exited')));

    const { response, context } = await gw.handle(request('GET', '/items'));

    expect(response.statusCode).toBe(500);
    expect(context.integrationErrorMessage).toContain('the local Lambda service failed: worker exited');
  });

  test('GIVEN the function answers after the integration timeout THEN 503 Service Unavailable without waiting for it', async () => {
    // GIVEN an HTTP API stops waiting after 30 s (http-api-quotas.html); 50 ms here. Evidence for the answer:
    // github.com/cortexlabs/cortex/issues/1225
    let finish: (outcome: InvokeOutcome) => void = () => {};
    const { gw, lines } = gatewayAnswering(() => new Promise((resolve) => (finish = resolve)), {
      integrationTimeoutMs: 50,
    });

    // WHEN the function never answers before the gateway does
    const { response, context } = await gw.handle(request('GET', '/items'));

    // THEN
    expect(response.statusCode).toBe(503);
    expect(json(response.body)).toEqual({ message: 'Service Unavailable' });
    expect(context).toMatchObject({ status: 503, 'error.message': 'Service Unavailable' });
    expect(lines[0]).toContain('did not answer within the integration timeout of 0.05 s: 503');
    finish(ok({ statusCode: 200 }));
  });
});
