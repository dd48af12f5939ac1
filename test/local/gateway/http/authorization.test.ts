/**
 * What an HTTP API answers when a route's authorization refuses a request, and the events of Lambda authorizers.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
 */
import type { AuthFailure, AuthOutcome } from '../../../../src/local/contracts';
import { createHttpGateway, httpLambdaAuthorizerEvent } from '../../../../src/local/gateway/http';
import { apiIdentity } from '../../../../src/local/gateway/http/events';
import type { LocalAuthorizerModel } from '../../../../src/local/model';
import {
  FakeAuthorizer,
  FakeInvoker,
  httpApp,
  json,
  request,
  REQUEST_EPOCH_MS,
  REQUEST_TIME,
  route,
} from '../fixtures';

const AUTHORIZERS: { [id: string]: LocalAuthorizerModel } = {
  Jwt: {
    kind: 'jwt',
    id: 'Jwt',
    name: 'jwt',
    issuer: 'http://127.0.0.1:3000/.local-issuer',
    audience: ['shop'],
    identitySource: ['$request.header.Authorization'],
  },
  LambdaV2: {
    kind: 'lambda-request',
    id: 'LambdaV2',
    name: 'keys',
    functionId: 'AuthFunction',
    identitySource: ['$request.header.X-Api-Key'],
    resultTtlSeconds: 0,
    payloadFormatVersion: '2.0',
    simpleResponses: true,
  },
  LambdaV1: {
    kind: 'lambda-request',
    id: 'LambdaV1',
    name: 'legacy',
    functionId: 'AuthFunction',
    identitySource: ['$request.header.X-Api-Key', '$request.querystring.tenant'],
    resultTtlSeconds: 0,
    payloadFormatVersion: '1.0',
    simpleResponses: false,
  },
};

const ROUTES = [
  route('GET /public'),
  route('GET /projects/{projectId}', { authorization: { type: 'AUTHORIZER', authorizerId: 'Jwt' }, scopes: ['read'] }),
  route('GET /keys/{keyId}', { authorization: { type: 'AUTHORIZER', authorizerId: 'LambdaV2' } }),
  route('GET /legacy/{keyId}', { authorization: { type: 'AUTHORIZER', authorizerId: 'LambdaV1' } }),
  route('GET /admin', { authorization: { type: 'IAM' } }),
];

function gatewayWith(outcome: FakeAuthorizer['outcome']) {
  const invoker = new FakeInvoker();
  const authorizer = new FakeAuthorizer(outcome);
  const lines: string[] = [];
  const app = httpApp({ routes: ROUTES, authorizers: AUTHORIZERS });
  const gw = createHttpGateway({ app, invoker, authorizer, log: (line) => lines.push(line) });
  return { gw, invoker, authorizer, app, lines };
}

const refuse = (failure: AuthFailure, message: string) => (): AuthOutcome => ({ ok: false, failure, message });

describe('a route without authorization', () => {
  test('GIVEN a public route THEN the authorizer is not consulted and the function runs', async () => {
    const { gw, invoker, authorizer } = gatewayWith(refuse('missing', 'no token'));

    const { response } = await gw.handle(request('GET', '/public'));

    expect(response.statusCode).toBe(200);
    expect(authorizer.inputs).toHaveLength(0);
    expect(invoker.invocations).toHaveLength(1);
  });
});

describe('JWT authorizer refusals', () => {
  test.each([
    ['missing', 'the token is missing'],
    ['invalid', 'the token does not have a valid audience'],
    ['invalid', 'the token has "quotes" and a\r\nline break'],
  ] as const)('GIVEN a %s token THEN 401 Unauthorized with the www-authenticate header', async (failure, message) => {
    // GIVEN
    const { gw, invoker } = gatewayWith(refuse(failure, message));

    // WHEN
    const { response, context } = await gw.handle(request('GET', '/projects/p1'));

    // THEN the troubleshooting page's answer, the function not invoked
    expect(response.statusCode).toBe(401);
    expect(json(response.body)).toEqual({ message: 'Unauthorized' });
    const description = message.replace(/"/g, '\\"').replace('\r\n', ' ');
    expect(response.headers['www-authenticate']).toEqual([
      `Bearer scope="" error="invalid_token" error_description="${description}"`,
    ]);
    expect(invoker.invocations).toHaveLength(0);
    expect(context).toMatchObject({ status: 401, 'authorizer.error': message, 'error.message': 'Unauthorized' });
    expect(context.integrationStatus).toBeUndefined();
  });

  test('GIVEN a valid token without the route scopes THEN 403 Forbidden (undocumented), no www-authenticate', async () => {
    // The documentation says only that the token "must include at least one of the route's scopes"; the answer is
    // undocumented. 403 is serverless-offline's (src/events/http/createJWTAuthScheme.js); no evidence was found of a
    // www-authenticate header with error="insufficient_scope", so none is sent.
    const { gw, invoker } = gatewayWith(refuse('insufficient-scope', 'the token has none of the scopes read'));

    const { response } = await gw.handle(request('GET', '/projects/p1'));

    expect(response.statusCode).toBe(403);
    expect(json(response.body)).toEqual({ message: 'Forbidden' });
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(invoker.invocations).toHaveLength(0);
  });

  test('GIVEN an accepted token THEN the log context names the caller by the token sub', async () => {
    const authorizer = { jwt: { claims: { sub: 'user-7', email: 'a@example.com' }, scopes: ['read'] } };
    const { gw, authorizer: fake } = gatewayWith(() => ({ ok: true, authorizer }));

    const { context } = await gw.handle(request('GET', '/projects/p1'));

    expect(context).toMatchObject({
      'authorizer.principalId': 'user-7',
      'authorizer.claims.sub': 'user-7',
      'authorizer.claims.email': 'a@example.com',
    });
    expect(fake.inputs[0].matched).toMatchObject({ route: ROUTES[1], pathParameters: { projectId: 'p1' } });
  });
});

describe('Lambda authorizer refusals', () => {
  test.each([
    ['missing', 401, 'Unauthorized'],
    ['unauthorized', 401, 'Unauthorized'],
    ['denied', 403, 'Forbidden'],
    ['authorizer-error', 500, 'Internal Server Error'],
  ] as const)('GIVEN %s THEN %d {"message":"%s"}, the function not invoked', async (failure, status, message) => {
    // GIVEN "identity source absent: 401, not invoked"; "isAuthorized: false: 403"; "error or invalid response: 500"
    const { gw, invoker } = gatewayWith(refuse(failure, 'why'));

    // WHEN
    const { response, context } = await gw.handle(request('GET', '/keys/k1'));

    // THEN
    expect(response.statusCode).toBe(status);
    expect(json(response.body)).toEqual({ message });
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(invoker.invocations).toHaveLength(0);
    expect(context['authorizer.error']).toBe('why');
  });

  test('GIVEN the authorizer part itself throws THEN 500 and a log line, never a crash', async () => {
    const { gw, lines } = gatewayWith(() => Promise.reject(new Error('bundle not found')));
    const req = request('GET', '/keys/k1');

    const { response, context } = await gw.handle(req);

    expect(response.statusCode).toBe(500);
    expect(context['authorizer.error']).toBe('the authorizer failed: bundle not found');
    expect(lines).toEqual([
      `GET /keys/k1 (request ${req.requestId}): authorization of GET /keys/{keyId} failed: the authorizer failed: bundle not found`,
    ]);
  });

  test('GIVEN an accepted request THEN the context the authorizer returned reaches the function and the log', async () => {
    const { gw, invoker } = gatewayWith(() => ({ ok: true, authorizer: { lambda: { tenant: 't1', tier: 2 } } }));

    const { context } = await gw.handle(request('GET', '/keys/k1'));

    expect(invoker.invocations[0].event.requestContext.authorizer).toEqual({ lambda: { tenant: 't1', tier: 2 } });
    expect(context).toMatchObject({ 'authorizer.tenant': 't1', 'authorizer.tier': '2' });
  });
});

describe('IAM refusals ("similar to REST"; HTTP APIs document no body)', () => {
  test('GIVEN an unsigned request THEN 403 Missing Authentication Token', async () => {
    const { gw, invoker } = gatewayWith(refuse('missing', 'the request is not signed'));

    const { response } = await gw.handle(request('GET', '/admin'));

    expect(response.statusCode).toBe(403);
    expect(json(response.body)).toEqual({ message: 'Missing Authentication Token' });
    expect(invoker.invocations).toHaveLength(0);
  });

  test.each([
    ['invalid', 'The request signature we calculated does not match the signature you provided.'],
    ['denied', 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: execute-api:Invoke'],
  ] as const)('GIVEN a %s request THEN 403 with API Gateway message the authorizer gives', async (failure, message) => {
    const { gw } = gatewayWith(refuse(failure, message));

    const { response } = await gw.handle(request('GET', '/admin'));

    expect(response.statusCode).toBe(403);
    expect(json(response.body)).toEqual({ message });
  });

  test('GIVEN a signed caller THEN its identity reaches the log context', async () => {
    const iam = {
      accessKey: 'AKIALOCAL',
      accountId: '123456789012',
      callerId: 'AIDALOCAL',
      userArn: 'arn:aws:iam::123456789012:user/dev',
      userId: 'AIDALOCAL',
    };
    const { gw } = gatewayWith(() => ({ ok: true, authorizer: { iam } }));

    const { context } = await gw.handle(request('GET', '/admin'));

    expect(context).toMatchObject({
      'identity.userArn': iam.userArn,
      'identity.accessKey': 'AKIALOCAL',
      'identity.caller': 'AIDALOCAL',
    });
  });
});

describe('the Lambda authorizer event', () => {
  /** The event the gateway offers the authorizer of `target`. */
  async function authorizerEvent(target: string, identitySource: string[]) {
    const { gw, authorizer, app } = gatewayWith(() => ({ ok: true }));
    const req = request('GET', target, {
      headers: { host: ['127.0.0.1:3000'], 'user-agent': ['curl/8.5.0'], 'x-api-key': ['k-123'], cookie: ['a=1'] },
      body: Buffer.from('ignored'),
    });
    await gw.handle(req);
    const input = authorizer.inputs[0];
    return { event: input.lambdaAuthorizerEvent('REQUEST', identitySource) as any, input, app, req };
  }

  test('GIVEN payload format 2.0 THEN the integration event fields without body, with type, routeArn and identitySource', async () => {
    // WHEN
    const { event, input, app, req } = await authorizerEvent('/keys/k1?tenant=t1', ['k-123']);

    // THEN the policy is checked against the very ARN the event carries
    expect(input.requestArn).toBe(event.routeArn);
    const { apiId } = apiIdentity(app);
    expect(event).toEqual({
      version: '2.0',
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:eu-west-1:123456789012:${apiId}/$default/GET/keys/k1`,
      identitySource: ['k-123'],
      routeKey: 'GET /keys/{keyId}',
      rawPath: '/keys/k1',
      rawQueryString: 'tenant=t1',
      cookies: ['a=1'],
      headers: expect.objectContaining({ 'x-api-key': 'k-123', 'user-agent': 'curl/8.5.0' }),
      queryStringParameters: { tenant: 't1' },
      requestContext: expect.objectContaining({
        apiId,
        requestId: req.requestId,
        routeKey: 'GET /keys/{keyId}',
        time: REQUEST_TIME,
      }),
      pathParameters: { keyId: 'k1' },
    });
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBeUndefined();
  });

  test('GIVEN payload format 1.0 THEN the REST-like REQUEST event with comma-joined identity sources', async () => {
    // WHEN
    const { event, app, req } = await authorizerEvent('/legacy/k1?tenant=t1', ['k-123', 't1']);

    // THEN
    const { apiId } = apiIdentity(app);
    expect(event).toEqual({
      version: '1.0',
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:eu-west-1:123456789012:${apiId}/$default/GET/legacy/k1`,
      identitySource: 'k-123,t1',
      authorizationToken: 'k-123,t1',
      resource: '/legacy/{keyId}',
      path: '/legacy/k1',
      httpMethod: 'GET',
      headers: expect.objectContaining({ 'x-api-key': 'k-123' }),
      queryStringParameters: { tenant: 't1' },
      pathParameters: { keyId: 'k1' },
      requestContext: {
        accountId: '123456789012',
        apiId,
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        extendedRequestId: req.requestId,
        httpMethod: 'GET',
        identity: { sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0' },
        path: '/legacy/k1',
        protocol: 'HTTP/1.1',
        requestId: req.requestId,
        requestTime: REQUEST_TIME,
        requestTimeEpoch: REQUEST_EPOCH_MS,
        resourceId: 'GET /legacy/{keyId}',
        resourcePath: '/legacy/{keyId}',
        stage: '$default',
      },
    });
  });

  test('GIVEN the matched request alone THEN httpLambdaAuthorizerEvent builds the same event as the gateway', async () => {
    const { event, input, app } = await authorizerEvent('/keys/k1', ['k-123']);

    const built = httpLambdaAuthorizerEvent(app, input.matched, 'REQUEST', ['k-123']) as any;

    // The trace id is drawn per build; everything else is the same.
    expect({ ...built, headers: { ...built.headers, 'x-amzn-trace-id': 'x' } }).toEqual({
      ...event,
      headers: { ...event.headers, 'x-amzn-trace-id': 'x' },
    });
  });
});
