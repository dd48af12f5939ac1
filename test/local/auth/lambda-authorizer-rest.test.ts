/**
 * REST API Lambda authorizers (TOKEN and REQUEST), run through the function invoker.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization-with-console.html
 */
import {
  allowPolicy,
  appModel,
  authInput,
  FakeInvoker,
  matched,
  returns,
  route,
  testKeys,
  type RequestParts,
} from './fixtures';
import { createRouteAuthorizer } from '../../../src/local/auth';
import type { InvokeOutcome } from '../../../src/local/contracts';
import type {
  LocalAuthorizerModel,
  LocalLambdaRequestAuthorizerModel,
  LocalLambdaTokenAuthorizerModel,
} from '../../../src/local/model';
import { TestClock } from '../../helpers/clock';

const keys = testKeys();
const ARN_PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod';
const token: LocalLambdaTokenAuthorizerModel = {
  kind: 'lambda-token',
  id: 'TokenAuth',
  name: 'TokenAuthorizer',
  functionId: 'TokenFunction',
  identitySource: 'method.request.header.Authorization',
  validationRegex: 'Bearer [-0-9a-zA-Z._]+',
  resultTtlSeconds: 300,
};
const requestAuthorizer: LocalLambdaRequestAuthorizerModel = {
  kind: 'lambda-request',
  id: 'RequestAuth',
  name: 'RequestAuthorizer',
  functionId: 'RequestFunction',
  identitySource: ['method.request.header.X-Tenant', 'method.request.querystring.key'],
  resultTtlSeconds: 300,
  simpleResponses: false,
};
const guarded = (authorizerId: string) => route({ authorization: { type: 'AUTHORIZER', authorizerId } });

function setup(
  answer: (event: unknown) => InvokeOutcome,
  models: { [id: string]: LocalAuthorizerModel } = { TokenAuth: token, RequestAuth: requestAuthorizer },
) {
  const clock = new TestClock();
  const invoker = new FakeInvoker(answer);
  const logged: string[] = [];
  const authorizer = createRouteAuthorizer({
    app: appModel('REST', models),
    invoker,
    keys,
    now: clock.now,
    log: (line) => logged.push(line),
  });
  const authorize = (authorizerId: string, parts: RequestParts) => {
    const request = matched(guarded(authorizerId), parts);
    // The gateway's methodArn: the authorizer checks its policy against this, the ARN it was sent.
    const input = authInput(request, `${ARN_PREFIX}/${request.request.method}${request.request.rawPath}`);
    return { input, outcome: authorizer.authorize(input) };
  };
  return { clock, invoker, logged, authorize };
}

describe('TOKEN authorizer', () => {
  test('GIVEN an Allow with a context THEN authorizer = { principalId, integrationLatency, ...context as strings }', async () => {
    const { authorize, invoker } = setup(
      returns(
        allowPolicy(`${ARN_PREFIX}/GET/projects/*`, {
          context: { tenant: 't1', quota: 5, admin: true, gone: null },
          usageIdentifierKey: 'key-value-1',
        }),
      ),
    );

    const { input, outcome } = authorize('TokenAuth', { headers: { Authorization: 'Bearer abc.def' } });

    // Shape: a captured event, powertools-lambda-typescript packages/parser/tests/events/apigw-rest/lambda-authorizer-auth.json;
    // "Their values are stringified" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
    expect(await outcome).toEqual({
      ok: true,
      authorizer: { principalId: 'user-42', integrationLatency: 12, tenant: 't1', quota: '5', admin: 'true' },
      principalId: 'user-42',
      usageIdentifierKey: 'key-value-1',
    });
    expect(input.events).toEqual([{ type: 'TOKEN', identitySource: ['Bearer abc.def'] }]);
    expect(invoker.calls[0].functionId).toBe('TokenFunction');
  });

  test('GIVEN a token the validationRegex does not match (whole token) THEN unauthorized, and the function is not run', async () => {
    const { authorize, invoker } = setup(returns(allowPolicy('*')));

    expect(await authorize('TokenAuth', { headers: { Authorization: 'Basic dXNlcg==' } }).outcome).toMatchObject({
      ok: false,
      failure: 'unauthorized',
    });
    expect(await authorize('TokenAuth', { headers: { Authorization: 'xBearer abc' } }).outcome).toMatchObject({
      failure: 'unauthorized',
    });
    expect(invoker.calls).toHaveLength(0);
  });

  test('GIVEN no token THEN missing, and the function is not run', async () => {
    const { authorize, invoker } = setup(returns(allowPolicy('*')));

    expect(await authorize('TokenAuth', {}).outcome).toMatchObject({ ok: false, failure: 'missing' });
    expect(invoker.calls).toHaveLength(0);
  });

  test('GIVEN a cached result THEN the function is not run again and integrationLatency is 0', async () => {
    const { authorize, invoker } = setup(returns(allowPolicy('*')));
    await authorize('TokenAuth', { headers: { Authorization: 'Bearer abc' } }).outcome;

    const second = await authorize('TokenAuth', { headers: { Authorization: 'Bearer abc' } }).outcome;

    expect(second).toMatchObject({ ok: true, authorizer: { principalId: 'user-42', integrationLatency: 0 } });
    expect(invoker.calls).toHaveLength(1);
  });

  test.each([
    ['an object in the context', allowPolicy('*', { context: { user: { id: 1 } } }), '`context.user` is an object'],
    ['a list in the context', allowPolicy('*', { context: { roles: ['a'] } }), '`context.roles` is an array'],
    [
      'no principalId',
      { policyDocument: (allowPolicy('*') as { policyDocument: object }).policyDocument },
      '`principalId` must be a string, got: undefined',
    ],
    ['no policyDocument', { principalId: 'u' }, '`policyDocument` is not an object'],
    [
      'an empty Statement',
      { principalId: 'u', policyDocument: { Statement: [] } },
      '`policyDocument.Statement` is missing or empty',
    ],
    [
      'an Effect in lower case',
      allowPolicy('*', { policyDocument: { Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] } }),
      'Effect must be "Allow" or "Deny", got: "allow"',
    ],
    [
      'a usageIdentifierKey that is a number',
      allowPolicy('*', { usageIdentifierKey: 7 }),
      '`usageIdentifierKey` must be a string',
    ],
    ['simple-response fields', { isAuthorized: true }, '`principalId` must be a string'],
  ])('GIVEN an answer with %s THEN authorizer-error (API Gateway answers 500)', async (_, payload, reason) => {
    const { authorize, logged } = setup(returns(payload));

    expect(await authorize('TokenAuth', { headers: { Authorization: 'Bearer abc' } }).outcome).toMatchObject({
      ok: false,
      failure: 'authorizer-error',
    });
    expect(logged.join('\n')).toContain(reason);
  });

  test('GIVEN a validationRegex that is no valid expression THEN authorizer-error, named in the log', async () => {
    const { authorize, logged } = setup(returns(allowPolicy('*')), {
      TokenAuth: { ...token, validationRegex: '(unclosed' },
    });

    expect(await authorize('TokenAuth', { headers: { Authorization: 'Bearer abc' } }).outcome).toMatchObject({
      failure: 'authorizer-error',
    });
    expect(logged[0]).toContain('its validationRegex "(unclosed" is not a valid expression');
  });

  test('GIVEN the function throws "Unauthorized" THEN unauthorized (401)', async () => {
    const { authorize } = setup(() => ({
      status: 'error',
      errorType: 'Error',
      errorMessage: 'Unauthorized',
      durationMs: 1,
    }));

    expect(await authorize('TokenAuth', { headers: { Authorization: 'Bearer abc' } }).outcome).toEqual({
      ok: false,
      failure: 'unauthorized',
      message: 'the authorizer failed with "Unauthorized"',
    });
  });
});

describe('REQUEST authorizer', () => {
  test('GIVEN every identity source THEN the function gets their values; header names are case-insensitive, a repeated query parameter keeps its last value', async () => {
    const { authorize } = setup(returns(allowPolicy(`${ARN_PREFIX}/GET/projects/p1`)));

    const { input, outcome } = authorize('RequestAuth', {
      headers: { 'x-tenant': 'acme' },
      rawQueryString: 'key=one&key=two',
    });

    expect(await outcome).toMatchObject({ ok: true });
    expect(input.events).toEqual([{ type: 'REQUEST', identitySource: ['acme', 'two'] }]);
  });

  test('GIVEN caching on and one identity source missing THEN missing, and the function is not run', async () => {
    const { authorize, invoker } = setup(returns(allowPolicy('*')));

    expect(await authorize('RequestAuth', { headers: { 'x-tenant': 'acme' } }).outcome).toMatchObject({
      failure: 'missing',
    });
    expect(invoker.calls).toHaveLength(0);
  });

  test('GIVEN caching off THEN API Gateway checks nothing before running the function', async () => {
    // "When caching is disabled, ... API Gateway does not perform any validation before invoking the authorizer's Lambda function."
    const { authorize, invoker } = setup(returns(allowPolicy('*')), {
      RequestAuth: { ...requestAuthorizer, resultTtlSeconds: 0 },
    });

    const { input, outcome } = authorize('RequestAuth', { headers: { 'x-tenant': 'acme' } });

    expect(await outcome).toMatchObject({ ok: true });
    expect(input.events).toEqual([{ type: 'REQUEST', identitySource: ['acme'] }]);
    expect(invoker.calls).toHaveLength(1);
  });

  test('GIVEN the TTL passed THEN the function runs again', async () => {
    const { authorize, invoker, clock } = setup(returns(allowPolicy('*')));
    const parts = { headers: { 'x-tenant': 'acme' }, rawQueryString: 'key=k' };
    await authorize('RequestAuth', parts).outcome;
    await authorize('RequestAuth', parts).outcome;
    expect(invoker.calls).toHaveLength(1);

    clock.advance(300_000);
    await authorize('RequestAuth', parts).outcome;

    expect(invoker.calls).toHaveLength(2);
  });

  test('GIVEN a policy for another method THEN denied without an explicit deny', async () => {
    const { authorize } = setup(returns(allowPolicy(`${ARN_PREFIX}/POST/projects/p1`)));

    expect(
      await authorize('RequestAuth', { headers: { 'x-tenant': 'acme' }, rawQueryString: 'key=k' }).outcome,
    ).toEqual({
      ok: false,
      failure: 'denied',
      message: 'User is not authorized to access this resource',
    });
  });
});

test('GIVEN a route naming an authorizer the API does not have THEN authorizer-error, not a crash', async () => {
  const { authorize, logged } = setup(returns(allowPolicy('*')));

  expect(await authorize('Nope', {}).outcome).toMatchObject({ ok: false, failure: 'authorizer-error' });
  expect(logged[0]).toContain('names authorizer Nope, which the API does not have');
});
