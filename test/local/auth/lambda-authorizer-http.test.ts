/**
 * HTTP API Lambda authorizers (REQUEST; simple or IAM policy responses), run through the function invoker.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
import { allowPolicy, appModel, authInput, FakeInvoker, matched, returns, route, testKeys } from './fixtures';
import { createRouteAuthorizer } from '../../../src/local/auth';
import type { InvokeOutcome } from '../../../src/local/contracts';
import type { LocalLambdaRequestAuthorizerModel } from '../../../src/local/model';
import { TestClock } from '../../helpers/clock';

const keys = testKeys();
const ARN_PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default';
const simple: LocalLambdaRequestAuthorizerModel = {
  kind: 'lambda-request',
  id: 'SimpleAuth',
  name: 'SimpleAuthorizer',
  functionId: 'AuthorizerFunction',
  identitySource: ['$request.header.Authorization'],
  resultTtlSeconds: 0,
  payloadFormatVersion: '2.0',
  simpleResponses: true,
};
const policy: LocalLambdaRequestAuthorizerModel = {
  ...simple,
  id: 'PolicyAuth',
  name: 'PolicyAuthorizer',
  simpleResponses: false,
  resultTtlSeconds: 300,
};
const getProject = (authorizerId: string) => route({ authorization: { type: 'AUTHORIZER', authorizerId } });
const deleteProject = (authorizerId: string) =>
  route({ method: 'DELETE', authorization: { type: 'AUTHORIZER', authorizerId } });

function setup(
  answer: (event: unknown) => InvokeOutcome | Promise<InvokeOutcome>,
  models = { SimpleAuth: simple, PolicyAuth: policy },
) {
  const clock = new TestClock();
  const invoker = new FakeInvoker(answer);
  const logged: string[] = [];
  const authorizer = createRouteAuthorizer({
    app: appModel('HTTP', models),
    invoker,
    keys,
    now: clock.now,
    log: (line) => logged.push(line),
  });
  const authorize = (
    routeModel = getProject('SimpleAuth'),
    headers: { [name: string]: string } = { authorization: 'token-1' },
    rawQueryString = '',
  ) => {
    const request = matched(routeModel, { headers, rawQueryString });
    // The gateway's routeArn: the authorizer checks its policy against this, the ARN it was sent.
    const input = authInput(request, `${ARN_PREFIX}/${request.request.method}${request.request.rawPath}`);
    return { input, outcome: authorizer.authorize(input) };
  };
  return { clock, invoker, logged, authorize };
}

describe('simple responses', () => {
  test('GIVEN isAuthorized true THEN the returned context (nested values kept) is requestContext.authorizer.lambda', async () => {
    const context = { user: 'u1', count: 2, roles: ['a', 'b'], nested: { deep: true } };
    const { invoker, authorize } = setup(returns({ isAuthorized: true, context }));

    const { input, outcome } = authorize();

    // Shape: aws-lambda-go events/testdata/apigw-v2-request-lambda-authorizer.json.
    expect(await outcome).toEqual({ ok: true, authorizer: { lambda: context } });
    expect(input.events).toEqual([{ type: 'REQUEST', identitySource: ['token-1'] }]);
    expect(invoker.calls).toEqual([
      {
        functionId: 'AuthorizerFunction',
        event: { type: 'REQUEST', identitySource: ['token-1'], marker: 'event-built-by-the-gateway' },
      },
    ]);
  });

  test('GIVEN isAuthorized true without context THEN authorizer.lambda is null, as a captured event shows', async () => {
    // powertools-lambda-typescript packages/parser/tests/events/apigw-http/lambda-authorizer-auth.json
    const { authorize } = setup(returns({ isAuthorized: true }));

    expect(await authorize().outcome).toEqual({ ok: true, authorizer: { lambda: null } });
  });

  test('GIVEN isAuthorized false THEN denied', async () => {
    const { authorize } = setup(returns({ isAuthorized: false, context: { why: 'no' } }));

    expect(await authorize().outcome).toEqual({ ok: false, failure: 'denied', message: 'Forbidden' });
  });

  test.each([
    ['isAuthorized as text', { isAuthorized: 'true' }, '`isAuthorized` must be true or false, got: "true"'],
    ['no isAuthorized', { context: {} }, '`isAuthorized` must be true or false, got: undefined'],
    ['an IAM policy', allowPolicy('*'), '`isAuthorized` must be true or false'],
    ['a context list', { isAuthorized: true, context: ['a'] }, '`context` must be an object, got: an array'],
    ['a bare string', 'Allow', 'the answer is string "Allow", not { isAuthorized, context }'],
    ['nothing', undefined, 'the answer is undefined'],
  ])('GIVEN %s THEN API Gateway cannot read it: authorizer-error', async (_, payload, reason) => {
    const { authorize, logged } = setup(returns(payload));

    expect(await authorize().outcome).toMatchObject({ ok: false, failure: 'authorizer-error' });
    expect(logged.join('\n')).toContain(reason);
    expect(logged[0]).toMatch(
      /^authorizer SimpleAuthorizer \(function AuthorizerFunction\): API Gateway cannot read its answer/,
    );
  });
});

describe('IAM policy responses', () => {
  test('GIVEN a policy allowing the route ARN THEN authorized; the context is authorizer.lambda and principalId is kept for the log', async () => {
    const { authorize } = setup(returns(allowPolicy(`${ARN_PREFIX}/GET/projects/p1`, { context: { tenant: 't1' } })));

    expect(await authorize(getProject('PolicyAuth')).outcome).toEqual({
      ok: true,
      authorizer: { lambda: { tenant: 't1' } },
      principalId: 'user-42',
    });
  });

  test('GIVEN an explicit Deny beside an Allow THEN the Deny wins', async () => {
    const document = allowPolicy('*');
    (document.policyDocument as { Statement: object[] }).Statement.push({
      Action: 'execute-api:*',
      Effect: 'Deny',
      Resource: `${ARN_PREFIX}/GET/*`,
    });
    const { authorize } = setup(returns(document));

    expect(await authorize(getProject('PolicyAuth')).outcome).toEqual({
      ok: false,
      failure: 'denied',
      message: 'User is not authorized to access this resource with an explicit deny',
    });
  });

  test('GIVEN an Allow for another route only THEN denied: no statement allows this one', async () => {
    const { authorize, logged } = setup(returns(allowPolicy(`${ARN_PREFIX}/DELETE/projects/*`)));

    expect(await authorize(getProject('PolicyAuth')).outcome).toEqual({
      ok: false,
      failure: 'denied',
      message: 'User is not authorized to access this resource',
    });
    expect(logged[0]).toContain(`its policy does not allow execute-api:Invoke on ${ARN_PREFIX}/GET/projects/p1`);
  });
});

describe('caching by identity source (TTL from the model)', () => {
  test('GIVEN the same identity source twice THEN the function runs once', async () => {
    const { invoker, authorize } = setup(returns(allowPolicy(`${ARN_PREFIX}/*`)));

    expect(await authorize(getProject('PolicyAuth')).outcome).toMatchObject({ ok: true });
    expect(await authorize(getProject('PolicyAuth')).outcome).toMatchObject({ ok: true });

    expect(invoker.calls).toHaveLength(1);
  });

  test('GIVEN another identity source value THEN the function runs again', async () => {
    const { invoker, authorize } = setup(returns(allowPolicy(`${ARN_PREFIX}/*`)));

    await authorize(getProject('PolicyAuth'), { authorization: 'token-1' }).outcome;
    await authorize(getProject('PolicyAuth'), { authorization: 'token-2' }).outcome;

    expect(invoker.calls).toHaveLength(2);
  });

  test('GIVEN the TTL has passed THEN the function runs again, and not a millisecond before', async () => {
    const { clock, invoker, authorize } = setup(returns(allowPolicy(`${ARN_PREFIX}/*`)));
    await authorize(getProject('PolicyAuth')).outcome;

    clock.advance(300_000 - 1);
    await authorize(getProject('PolicyAuth')).outcome;
    expect(invoker.calls).toHaveLength(1);

    clock.advance(1);
    await authorize(getProject('PolicyAuth')).outcome;
    expect(invoker.calls).toHaveLength(2);
  });

  test('GIVEN a cached policy that allows GET only THEN a DELETE on another route with the same identity is denied from the cache', async () => {
    const { invoker, authorize } = setup(returns(allowPolicy(`${ARN_PREFIX}/GET/*`)));

    expect(await authorize(getProject('PolicyAuth')).outcome).toMatchObject({ ok: true });
    expect(await authorize(deleteProject('PolicyAuth')).outcome).toMatchObject({ ok: false, failure: 'denied' });

    expect(invoker.calls).toHaveLength(1);
  });

  test('GIVEN a cached simple denial THEN later requests with that identity are denied without running the function', async () => {
    const { invoker, authorize } = setup(returns({ isAuthorized: false }), {
      SimpleAuth: { ...simple, resultTtlSeconds: 60 },
      PolicyAuth: policy,
    });

    await authorize().outcome;
    expect(await authorize().outcome).toMatchObject({ failure: 'denied' });

    expect(invoker.calls).toHaveLength(1);
  });

  test('GIVEN the function failed THEN nothing is cached: the next request runs it again', async () => {
    const { invoker, authorize } = setup(() => ({
      status: 'error',
      errorType: 'Error',
      errorMessage: 'boom',
      durationMs: 3,
    }));

    await authorize(getProject('PolicyAuth')).outcome;
    await authorize(getProject('PolicyAuth')).outcome;

    expect(invoker.calls).toHaveLength(2);
  });

  test('GIVEN $context.routeKey among the identity sources THEN each route has its own cache entry', async () => {
    const perRoute = { ...policy, identitySource: ['$request.header.Authorization', '$context.routeKey'] };
    const { invoker, authorize } = setup(returns(allowPolicy(`${ARN_PREFIX}/*`)), {
      SimpleAuth: simple,
      PolicyAuth: perRoute,
    });

    await authorize(getProject('PolicyAuth')).outcome;
    await authorize(deleteProject('PolicyAuth')).outcome;
    await authorize(deleteProject('PolicyAuth')).outcome;

    expect(invoker.calls).toHaveLength(2);
  });

  test('GIVEN TTL 0 THEN every request runs the function', async () => {
    const { invoker, authorize } = setup(returns({ isAuthorized: true }));

    await authorize().outcome;
    await authorize().outcome;

    expect(invoker.calls).toHaveLength(2);
  });
});

describe('identity sources', () => {
  test.each([
    ['absent', {}],
    ['empty', { authorization: '' }],
  ])('GIVEN the identity source %s THEN missing, and the function is not run', async (_, headers) => {
    const { invoker, authorize, logged } = setup(returns({ isAuthorized: true }));

    expect(await authorize(getProject('SimpleAuth'), headers).outcome).toMatchObject({ ok: false, failure: 'missing' });
    expect(invoker.calls).toHaveLength(0);
    expect(logged[0]).toContain('identity source $request.header.Authorization is missing or empty');
  });

  test('header names are case-insensitive; query string values repeated are comma-joined; context variables resolve', async () => {
    const sources = [
      '$request.header.X-Tenant',
      '$request.querystring.team',
      '$context.httpMethod',
      '$context.identity.sourceIp',
    ];
    const { authorize } = setup(returns({ isAuthorized: true }), {
      SimpleAuth: { ...simple, identitySource: sources },
      PolicyAuth: policy,
    });

    const { input, outcome } = authorize(getProject('SimpleAuth'), { 'x-tenant': 'acme' }, 'team=a&team=b%20c');

    expect(await outcome).toMatchObject({ ok: true });
    expect(input.events).toEqual([{ type: 'REQUEST', identitySource: ['acme', 'a,b c', 'GET', '127.0.0.1'] }]);
  });

  test('GIVEN a stage variable source THEN missing: the local API has no stage variables', async () => {
    const { authorize } = setup(returns({ isAuthorized: true }), {
      SimpleAuth: { ...simple, identitySource: ['$stageVariables.key'] },
      PolicyAuth: policy,
    });

    expect(await authorize().outcome).toMatchObject({ failure: 'missing' });
  });
});

describe('failures of the function', () => {
  test.each<[string, string, InvokeOutcome | Error]>([
    [
      'throws "Unauthorized"',
      'unauthorized',
      { status: 'error', errorType: 'Error', errorMessage: 'Unauthorized', durationMs: 2 },
    ],
    [
      'throws anything else',
      'authorizer-error',
      { status: 'error', errorType: 'TypeError', errorMessage: 'x is undefined', durationMs: 2 },
    ],
    [
      'throws "unauthorized" in lower case',
      'authorizer-error',
      { status: 'error', errorType: 'Error', errorMessage: 'unauthorized', durationMs: 2 },
    ],
    ['times out', 'authorizer-error', { status: 'timeout', durationMs: 3000 }],
    ['is throttled', 'authorizer-error', { status: 'throttled' }],
    ['cannot be invoked at all', 'authorizer-error', new Error('no such function')],
  ])('GIVEN the authorizer %s THEN %s', async (_, failure, answer) => {
    const { authorize } = setup(() => {
      if (answer instanceof Error) throw answer;
      return answer;
    });

    expect(await authorize().outcome).toMatchObject({ ok: false, failure });
  });

  test('GIVEN an authorizer that answers after more than 10 seconds THEN the HTTP API gives up: authorizer-error', async () => {
    // "Lambda authorizer timeout: 10 seconds" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html)
    jest.useFakeTimers();
    try {
      const { authorize, logged } = setup(() => new Promise<InvokeOutcome>(() => undefined));
      const pending = authorize().outcome;

      await jest.advanceTimersByTimeAsync(9_999);
      let settled = false;
      void pending.then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);

      await jest.advanceTimersByTimeAsync(1);
      expect(await pending).toMatchObject({ ok: false, failure: 'authorizer-error' });
      expect(logged[0]).toContain('the authorizer timed out');
    } finally {
      jest.useRealTimers();
    }
  });
});
