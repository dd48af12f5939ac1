import { gatewayFor, header, json, request, restApp, route } from './fixtures';
import type { AuthFailure } from '../../../../src/local/contracts';
import type { LocalAuthorizerModel, LocalRouteModel } from '../../../../src/local/model';

/**
 * What a REST API answers when a method's authorization refuses a request, and that the function never runs then.
 * Pages: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html,
 * https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer,
 * https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer,
 * https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden.
 */

const AUTHORIZERS: { [id: string]: LocalAuthorizerModel } = {
  Pool: {
    kind: 'cognito',
    id: 'Pool',
    name: 'pool',
    userPoolArns: ['arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc'],
    issuers: ['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc'],
    identitySource: 'method.request.header.Authorization',
  },
  Token: {
    kind: 'lambda-token',
    id: 'Token',
    name: 'token',
    functionId: 'AuthFunction',
    identitySource: 'method.request.header.Authorization',
    resultTtlSeconds: 300,
  },
};

function secured(authorization: LocalRouteModel['authorization'], extra: Partial<LocalRouteModel> = {}) {
  return gatewayFor(
    restApp({ routes: [route('GET', '/orders', { authorization, ...extra })], authorizers: AUTHORIZERS }),
  );
}

async function refusal(authorization: LocalRouteModel['authorization'], failure: AuthFailure, message = 'why') {
  const { gateway, authorizer, invoker } = secured(authorization);
  authorizer.answer = () => ({ ok: false, failure, message });
  const result = await gateway.handle(request('GET', '/prod/orders'));
  expect(invoker.calls).toHaveLength(0);
  return result;
}

const COGNITO = { type: 'AUTHORIZER', authorizerId: 'Pool' } as const;
const LAMBDA = { type: 'AUTHORIZER', authorizerId: 'Token' } as const;
const IAM = { type: 'IAM' } as const;

describe('REST Cognito user pool authorization', () => {
  test.each<AuthFailure>(['missing', 'invalid', 'insufficient-scope'])(
    '%s token: 401 {"message":"Unauthorized"}, UnauthorizedException',
    async (failure) => {
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
      const result = await refusal(COGNITO, failure, 'token expired');
      expect(result.response.statusCode).toBe(401);
      expect(json(result)).toEqual({ message: 'Unauthorized' });
      expect(header(result, 'x-amzn-ErrorType')).toBe('UnauthorizedException');
      expect(result.context['error.responseType']).toBe('UNAUTHORIZED');
      expect(result.context['authorizer.error']).toBe('token expired');
    },
  );
});

describe('REST Lambda authorizer', () => {
  test.each<AuthFailure>(['missing', 'unauthorized'])('%s: 401 Unauthorized', async (failure) => {
    // https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer
    const result = await refusal(LAMBDA, failure);
    expect(result.response.statusCode).toBe(401);
    expect(json(result)).toEqual({ message: 'Unauthorized' });
  });

  test('an explicit Deny: 403 with the explicit-deny message, capital-M Message, AccessDeniedException', async () => {
    // https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer (LocalStack AWS-validated body key)
    const result = await refusal(LAMBDA, 'denied', 'the policy has an explicit deny for the method ARN');
    expect(result.response.statusCode).toBe(403);
    expect(json(result)).toEqual({ Message: 'User is not authorized to access this resource with an explicit deny' });
    expect(header(result, 'x-amzn-ErrorType')).toBe('AccessDeniedException');
    expect(result.context['error.responseType']).toBe('ACCESS_DENIED');
  });

  test('no matching Allow: 403 "User is not authorized to access this resource"', async () => {
    // https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer
    const result = await refusal(LAMBDA, 'denied', 'no statement allows the method ARN');
    expect(json(result)).toEqual({ Message: 'User is not authorized to access this resource' });
  });

  test('a failing authorizer: 500 {"message":null}, AuthorizerConfigurationException', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html (E: LocalStack gateway_response.py)
    const result = await refusal(LAMBDA, 'authorizer-error', 'the function threw');
    expect(result.response.statusCode).toBe(500);
    expect(result.response.body.toString()).toBe('{"message":null}');
    expect(header(result, 'x-amzn-ErrorType')).toBe('AuthorizerConfigurationException');
  });

  test('an authorizer that throws is answered as a failing authorizer, never a crash', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html (AUTHORIZER_CONFIGURATION_ERROR)
    const { gateway, authorizer } = secured(LAMBDA);
    authorizer.answer = () => Promise.reject(new Error('bundle missing'));
    const result = await gateway.handle(request('GET', '/prod/orders'));
    expect(result.response.statusCode).toBe(500);
    expect(result.context['authorizer.error']).toContain('bundle missing');
  });

  test("an Allow passes the authorizer's principalId to the access log", async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html ($context.authorizer.principalId)
    const { gateway, authorizer } = secured(LAMBDA);
    authorizer.answer = () => ({
      ok: true,
      authorizer: { principalId: 'user-7', tenant: 't1' },
      principalId: 'user-7',
    });
    const result = await gateway.handle(request('GET', '/prod/orders'));
    expect(result.response.statusCode).toBe(200);
    expect(result.context['authorizer.principalId']).toBe('user-7');
  });
});

describe('REST IAM authorization', () => {
  test('an unsigned request: 403 Missing Authentication Token', async () => {
    // https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
    const result = await refusal(IAM, 'missing');
    expect(result.response.statusCode).toBe(403);
    expect(json(result)).toEqual({ message: 'Missing Authentication Token' });
    expect(header(result, 'x-amzn-ErrorType')).toBe('MissingAuthenticationTokenException');
  });

  test('an unknown access key: 403 with its message, AccessDeniedException', async () => {
    // https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
    const message = 'The security token included in the request is invalid.';
    const result = await refusal(IAM, 'invalid', message);
    expect(json(result)).toEqual({ message });
    expect(header(result, 'x-amzn-ErrorType')).toBe('AccessDeniedException');
  });

  test('a bad or expired signature: 403 InvalidSignatureException with the signer message', async () => {
    // https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden ("Signature expired" row)
    const message =
      'Signature expired: 20270115T075000Z is now earlier than 20270115T075500Z (20270115T080000Z - 5 min.)';
    const result = await refusal(IAM, 'invalid', message);
    expect(result.response.statusCode).toBe(403);
    expect(json(result)).toEqual({ message });
    expect(header(result, 'x-amzn-ErrorType')).toBe('InvalidSignatureException');
    expect(result.context['error.responseType']).toBe('INVALID_SIGNATURE');
  });

  test('a caller whose policies do not allow execute-api:Invoke: 403 AccessDeniedException', async () => {
    // https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden
    const message =
      'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:eu-west-1:123456789012:abc/prod/GET/orders';
    const result = await refusal(IAM, 'denied', message);
    expect(result.response.statusCode).toBe(403);
    expect(json(result)).toEqual({ Message: message });
    expect(header(result, 'x-amzn-ErrorType')).toBe('AccessDeniedException');
    expect(result.context['authorizer.error']).toBeUndefined();
  });
});

describe('REST authorization order', () => {
  test('a public method never asks the authorizer', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html (authorizationType NONE)
    const { gateway, authorizer } = secured({ type: 'NONE' });
    expect((await gateway.handle(request('GET', '/prod/orders'))).response.statusCode).toBe(200);
    expect(authorizer.inputs).toHaveLength(0);
  });

  test('authorization comes before the API key: no token and no key is 401, not 403', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html (a key may come from the authorizer)
    const { gateway, authorizer } = secured(COGNITO, { apiKeyRequired: true });
    authorizer.answer = () => ({ ok: false, failure: 'missing', message: 'no Authorization header' });
    const result = await gateway.handle(request('GET', '/prod/orders'));
    expect(result.response.statusCode).toBe(401);
  });

  test('the authorizer receives the matched route and the raw request', async () => {
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html (workflow step 2)
    const { gateway, authorizer } = secured(COGNITO);
    await gateway.handle(request('GET', '/prod/orders', { headers: { Authorization: 'eyJ.a.b' } }));
    expect(authorizer.inputs[0].matched.route.path).toBe('/orders');
    expect(authorizer.inputs[0].matched.request.headers.authorization).toEqual(['eyJ.a.b']);
  });
});
