import { FakeAuthorizer, FakeInvoker, gatewayFor, header, json, request, restApp, route } from './fixtures';
import { createRestGateway } from '../../../../src/local/gateway/rest';
import type { LocalRouteModel } from '../../../../src/local/model';

/**
 * REST request validation: required parameters and the JSON body model, answered 400 before the function runs.
 * Pages: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-test.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html.
 */

const ITEM_MODEL = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['name', 'price'],
  properties: {
    name: { type: 'string', minLength: 1 },
    price: { type: 'number', minimum: 0, maximum: 500 },
    kind: { enum: ['dog', 'cat', 'fish'] },
    contact: { type: 'string', format: 'email' },
  },
};

function validated(extra: Partial<LocalRouteModel>) {
  return gatewayFor(restApp({ routes: [route('POST', '/items', extra)] }));
}

const withParams = { requiredParameters: { querystrings: ['q1', 'a2'], headers: ['h1', 'X-Tenant'] } };

describe('REST required parameters', () => {
  test('missing ones are listed, headers then query strings: 400, BadRequestException', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-test.html
    // (order: LocalStack AWS-validated "[x-header-param, issuer, qs1]", sorted by parameter key)
    const { gateway, invoker } = validated(withParams);
    const result = await gateway.handle(request('POST', '/prod/items?a2=x'));
    expect(result.response.statusCode).toBe(400);
    expect(json(result)).toEqual({ message: 'Missing required request parameters: [X-Tenant, h1, q1]' });
    expect(header(result, 'x-amzn-ErrorType')).toBe('BadRequestException');
    expect(result.context['error.responseType']).toBe('BAD_REQUEST_PARAMETERS');
    expect(result.context['error.validationErrorString']).toBe(
      'Missing required request parameters: [X-Tenant, h1, q1]',
    );
    expect(invoker.calls).toHaveLength(0);
  });

  test('a blank value counts as missing; header names are case-insensitive', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-test.html ("GET /validation?q1=" fails)
    const { gateway } = validated(withParams);
    const result = await gateway.handle(
      request('POST', '/prod/items?q1=&a2=x', { headers: { H1: 'v', 'x-tenant': ' ' } }),
    );
    expect(json(result)).toEqual({ message: 'Missing required request parameters: [X-Tenant, q1]' });
    const passing = await gateway.handle(
      request('POST', '/prod/items?q1=1&a2=x', { headers: { H1: 'v', 'X-TENANT': 't' } }),
    );
    expect(passing.response.statusCode).toBe(200);
  });
});

describe('REST body model', () => {
  test('a body that breaks the model: 400 Invalid request body, the detail in validationErrorString', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-test.html ("type": "bird" fails)
    const { gateway, invoker } = validated({ requestModel: ITEM_MODEL });
    const result = await gateway.handle(
      request('POST', '/prod/items', {
        headers: { 'content-type': 'application/json' },
        body: '{"price":501,"kind":"bird"}',
      }),
    );
    expect(result.response.statusCode).toBe(400);
    expect(json(result)).toEqual({ message: 'Invalid request body' });
    expect(header(result, 'x-amzn-ErrorType')).toBe('BadRequestException');
    expect(result.context['error.responseType']).toBe('BAD_REQUEST_BODY');
    expect(result.context['error.validationErrorString']).toBe(
      '[object has missing required properties (["name"]), numeric instance is greater than the required maximum (maximum: 500, found: 501), instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])]',
    );
    expect(invoker.calls).toHaveLength(0);
  });

  test('a body that satisfies the model reaches the function unchanged', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
    const { gateway, invoker } = validated({ requestModel: ITEM_MODEL });
    const body = '{"name":"bone","price":3.5,"kind":"dog","contact":"a@b.io"}';
    const result = await gateway.handle(
      request('POST', '/prod/items', { headers: { 'content-type': 'application/json; charset=utf-8' }, body }),
    );
    expect(result.response.statusCode).toBe(200);
    expect(invoker.lastEvent.body).toBe(body);
  });

  test('draft 4 formats are checked', async () => {
    // https://datatracker.ietf.org/doc/html/draft-fge-json-schema-validation-00#section-7.3 (models are JSON Schema draft 4)
    const { gateway } = validated({ requestModel: ITEM_MODEL });
    const result = await gateway.handle(
      request('POST', '/prod/items', { body: '{"name":"x","price":1,"contact":"not-mail"}' }),
    );
    expect(result.response.statusCode).toBe(400);
  });

  test('a body that is not JSON: 400 Invalid request body', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html (E: LocalStack method_request.py)
    const { gateway } = validated({ requestModel: ITEM_MODEL });
    const result = await gateway.handle(
      request('POST', '/prod/items', { headers: { 'content-type': 'application/json' }, body: '{"name":' }),
    );
    expect(result.response.statusCode).toBe(400);
    expect(json(result)).toEqual({ message: 'Invalid request body' });
    expect(result.context['error.validationErrorString']).toMatch(/^Invalid JSON in request body/);
  });

  test('without Content-Type the JSON model applies; another content type is not validated', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html ("API Gateway defaults to application/json")
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html ("If no matching content type is found, request validation is not performed")
    const { gateway } = validated({ requestModel: ITEM_MODEL });
    expect((await gateway.handle(request('POST', '/prod/items', { body: '{}' }))).response.statusCode).toBe(400);
    const text = await gateway.handle(
      request('POST', '/prod/items', { headers: { 'content-type': 'text/plain' }, body: 'hello' }),
    );
    expect(text.response.statusCode).toBe(200);
  });

  test('an empty body is validated as {}', async () => {
    // E: LocalStack method_request.py (`request.get("body") or "{}"`)
    const { gateway } = validated({ requestModel: ITEM_MODEL });
    const result = await gateway.handle(request('POST', '/prod/items'));
    expect(result.context['error.validationErrorString']).toBe(
      '[object has missing required properties (["name","price"])]',
    );
  });

  test('parameters are checked before the body', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-test.html (E: LocalStack order)
    const { gateway } = validated({ ...withParams, requestModel: ITEM_MODEL });
    const result = await gateway.handle(request('POST', '/prod/items', { body: 'not json' }));
    expect(result.context['error.responseType']).toBe('BAD_REQUEST_PARAMETERS');
  });

  test('validation runs after authorization', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html (before the integration request)
    const { gateway, authorizer } = validated({ requestModel: ITEM_MODEL, authorization: { type: 'IAM' } });
    authorizer.answer = () => ({ ok: false, failure: 'missing', message: 'unsigned' });
    expect((await gateway.handle(request('POST', '/prod/items', { body: 'x' }))).response.statusCode).toBe(403);
  });

  test('a model that is not a valid schema is named when the gateway is created', () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html (models are JSON Schema draft 4)
    const app = restApp({ routes: [route('POST', '/items', { requestModel: { type: 'object', required: 'name' } })] });
    expect(() => createRestGateway({ app, invoker: new FakeInvoker(), authorizer: new FakeAuthorizer() })).toThrow(
      /^The request model of route "POST \/items" is not a valid JSON Schema \(draft 4\): .+ Fix the route's `requestModel`\.$/,
    );
  });
});
