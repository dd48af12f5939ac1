import { gatewayFor, header, json, ok, request, restApp, route } from './fixtures';

/**
 * How a REST API reads its Lambda proxy integration's result, and answers an invocation that did not return one.
 * Pages: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html; the malformed cases are those LocalStack
 * recorded against AWS (`test_aws_proxy_response_payload_format_validation`).
 */

const app = restApp({ routes: [route('ANY', '/r')], binaryMediaTypes: ['image/png'] });

async function answer(payload: unknown, headers: { [name: string]: string } = {}) {
  const { gateway, invoker } = gatewayFor(app);
  invoker.answer = () => ok(payload);
  return gateway.handle(request('GET', '/prod/r', { headers }));
}

describe('REST proxy result', () => {
  test('statusCode, headers and body make the response, with the default Content-Type and REST ids', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
    const result = await answer({ statusCode: 201, headers: { 'x-id': 'i-1', 'x-flag': true }, body: '{"id":"i-1"}' });
    expect(result.response.statusCode).toBe(201);
    expect(result.response.body.toString()).toBe('{"id":"i-1"}');
    expect(header(result, 'x-id')).toBe('i-1');
    expect(header(result, 'x-flag')).toBe('true');
    expect(header(result, 'Content-Type')).toBe('application/json');
    expect(header(result, 'x-amzn-RequestId')).toBe(result.context.requestId);
    expect(header(result, 'x-amz-apigw-id')).toBe(result.context.extendedRequestId);
    expect(header(result, 'X-Amzn-Trace-Id')).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(result.context['integration.status']).toBe(201);
    expect(result.context.integrationStatus).toBe(200);
  });

  test('{ headers } alone is a 200 with an empty body; a status written as digits is taken', async () => {
    // E: LocalStack AWS-validated `invoke-api-only-headers` and `invoke-api-status-code-str`
    const onlyHeaders = await answer({ headers: { 'test-header': 'value' } });
    expect(onlyHeaders.response.statusCode).toBe(200);
    expect(onlyHeaders.response.body.length).toBe(0);
    expect((await answer({ statusCode: '201' })).response.statusCode).toBe(201);
  });

  test.each([
    ['a bare string', 'justAString'],
    ['an unknown key', { statusCode: 200, wrongValue: 'value' }],
    ['a non-numeric statusCode', { statusCode: 'test' }],
    ['a multiValueHeaders value that is not a list', { statusCode: 200, multiValueHeaders: { 'x-m': 'value1' } }],
    ['an object body', { statusCode: 200, body: { id: 1 } }],
    ['null (a handler that returned nothing)', null],
  ])('%s is a malformed proxy response: 502 Internal server error', async (_, payload) => {
    // E: LocalStack AWS-validated `invoke-api-wrong-format`, `-invalid-status-code`, `-just-string`, `-multi-headers-invalid`
    const { gateway, invoker, lines } = gatewayFor(app);
    invoker.answer = () => ok(payload);
    const result = await gateway.handle(request('GET', '/prod/r'));
    expect(result.response.statusCode).toBe(502);
    expect(json(result)).toEqual({ message: 'Internal server error' });
    expect(header(result, 'x-amzn-ErrorType')).toBe('InternalServerErrorException');
    expect(result.context['integration.error']).toBeDefined();
    expect(lines.join('\n')).toContain('Malformed Lambda proxy response');
  });

  test('multiValueHeaders and headers merge: multi-value first, its spelling names the header', async () => {
    // E: LocalStack AWS-validated `invoke-api-multi-headers-overwrite-casing`: "tesT-Multi": "value-multi, value-solo"
    const result = await answer({
      statusCode: 200,
      multiValueHeaders: { 'tesT-Multi': ['value-multi'], 'Set-Cookie': ['a=1', 'b=2'] },
      headers: { 'test-multi': 'value-solo' },
    });
    expect(result.response.headers['tesT-Multi']).toEqual(['value-multi', 'value-solo']);
    expect(result.response.headers['Set-Cookie']).toEqual(['a=1', 'b=2']);
    expect(result.response.headers).not.toHaveProperty('test-multi');
  });

  test('a base64 body is decoded only when the first Accept type is a binary media type', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html (AWS-validated: else the base64 text is sent)
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const payload = { statusCode: 200, body: png.toString('base64'), isBase64Encoded: true };
    expect((await answer(payload, { accept: 'image/png, */*' })).response.body).toEqual(png);
    expect((await answer(payload, { accept: 'application/json, image/png' })).response.body.toString()).toBe(
      png.toString('base64'),
    );
    expect((await answer(payload)).response.body.toString()).toBe(png.toString('base64'));
  });

  test('a body marked base64 that is not base64, for a binary Accept, is a 500', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html (API_CONFIGURATION_ERROR: "base64 decoding fails")
    const result = await answer(
      { statusCode: 200, body: 'not base64!', isBase64Encoded: true },
      { accept: 'image/png' },
    );
    expect(result.response.statusCode).toBe(500);
    expect(result.context['error.responseType']).toBe('API_CONFIGURATION_ERROR');
  });

  test('Date, Server, Connection and Content-Length of the function are renamed x-amzn-Remapped-*', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html (remapped headers; LocalStack `method_response.py`)
    const result = await answer({
      statusCode: 200,
      headers: { Date: 'Mon', server: 'fn', 'Transfer-Encoding': 'chunked' },
    });
    expect(result.response.headers['x-amzn-Remapped-Date']).toEqual(['Mon']);
    expect(result.response.headers['x-amzn-Remapped-Server']).toEqual(['fn']);
    expect(header(result, 'Transfer-Encoding')).toBeUndefined();
  });
});

describe('REST integration failures', () => {
  test('a function error is 502 Internal server error, Lambda itself having answered 200', async () => {
    // https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
    const { gateway, invoker } = gatewayFor(app);
    invoker.answer = () => ({ status: 'error', errorType: 'TypeError', errorMessage: 'boom', durationMs: 2 });
    const result = await gateway.handle(request('GET', '/prod/r'));
    expect(result.response.statusCode).toBe(502);
    expect(json(result)).toEqual({ message: 'Internal server error' });
    expect(result.context.integrationStatus).toBe(200);
    expect(result.context['integration.error']).toBe('boom');
  });

  test("a function past its own timeout is 502, the log naming Lambda's message", async () => {
    // https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html (a timed-out invocation is a function error)
    const { gateway, invoker } = gatewayFor(app);
    invoker.answer = () => ({ status: 'timeout', durationMs: 10_000 });
    const result = await gateway.handle(request('GET', '/prod/r'));
    expect(result.response.statusCode).toBe(502);
    expect(result.context.integrationErrorMessage).toBe('Task timed out after 10.00 seconds');
  });

  test('the integration timeout passing first is 504 Endpoint request timed out', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html (29 s integration timeout)
    const quick = restApp({ routes: [route('GET', '/slow')], integrationTimeoutMs: 20 });
    const { gateway, invoker } = gatewayFor(quick);
    let finish: () => void = () => undefined;
    invoker.answer = () => new Promise((resolve) => (finish = () => resolve(ok({ statusCode: 200 }))));
    const result = await gateway.handle(request('GET', '/prod/slow'));
    finish();
    expect(result.response.statusCode).toBe(504);
    expect(json(result)).toEqual({ message: 'Endpoint request timed out' });
    expect(result.context['error.responseType']).toBe('INTEGRATION_TIMEOUT');
  });

  test('a throttled function (undocumented) is 500 Internal server error, INTEGRATION_FAILURE', async () => {
    // U, chosen: https://repost.aws/questions/QUfI6bsdd0SOiPeyimzxSkfQ and stackoverflow.com/questions/36363280 report 500
    const { gateway, invoker } = gatewayFor(app);
    invoker.answer = () => ({ status: 'throttled' });
    const result = await gateway.handle(request('GET', '/prod/r'));
    expect(result.response.statusCode).toBe(500);
    expect(json(result)).toEqual({ message: 'Internal server error' });
    expect(result.context['error.responseType']).toBe('INTEGRATION_FAILURE');
    expect(result.context.integrationStatus).toBe(429);
  });

  test('an invoker that rejects is a function error, never a crash', async () => {
    // https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
    const { gateway, invoker } = gatewayFor(app);
    invoker.answer = () => Promise.reject(new Error('worker died'));
    const result = await gateway.handle(request('GET', '/prod/r'));
    expect(result.response.statusCode).toBe(502);
  });

  test("an event over Lambda's 6 MB payload is 413 Request Too Long, the function never runs", async () => {
    // E: github.com/koki-develop/lgtm-generator/issues/10 (capture: 413 {"message": "Request Too Long"}, BadRequestException)
    const { gateway, invoker } = gatewayFor(restApp({ routes: [route('POST', '/up')] }));
    const result = await gateway.handle(request('POST', '/prod/up', { body: Buffer.alloc(7 * 1024 * 1024, 'a') }));
    expect(result.response.statusCode).toBe(413);
    expect(result.response.body.toString()).toBe('{"message": "Request Too Long"}');
    expect(header(result, 'x-amzn-ErrorType')).toBe('BadRequestException');
    expect(invoker.calls).toHaveLength(0);
  });

  test('a body over 10 MB is refused first, in plain text', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html; E: lgtm-generator#10 capture
    const { gateway } = gatewayFor(restApp({ routes: [route('POST', '/up')] }));
    const result = await gateway.handle(request('POST', '/prod/up', { body: Buffer.alloc(10 * 1024 * 1024 + 1) }));
    expect(result.response.statusCode).toBe(413);
    expect(result.response.body.toString()).toBe('HTTP content length exceeded 10485760 bytes.');
  });
});
