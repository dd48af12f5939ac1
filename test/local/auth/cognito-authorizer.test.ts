/**
 * REST API Cognito user pool authorizer.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
 * https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized ("If you didn't configure any scopes on
 * the API Gateway method, then make sure that you use a valid ID token. If you configure additional scopes on the
 * method, then make sure that you use a valid access token.")
 */
import { appModel, authInput, CLIENT_ID, FakeInvoker, matched, POOL_ISSUER, REGION, route, testKeys } from './fixtures';
import { createRouteAuthorizer, issueDevToken, type DevTokenOptions } from '../../../src/local/auth';
import type { LocalCognitoAuthorizerModel } from '../../../src/local/model';
import { TEST_EPOCH_MS } from '../../helpers/clock';

const keys = testKeys();
const SECOND_POOL = `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_SecondPool`;
const cognito: LocalCognitoAuthorizerModel = {
  kind: 'cognito',
  id: 'PoolAuth',
  name: 'PoolAuthorizer',
  userPoolArns: [],
  issuers: [POOL_ISSUER, SECOND_POOL],
  identitySource: 'method.request.header.Authorization',
};
const plainMethod = route({ authorization: { type: 'AUTHORIZER', authorizerId: 'PoolAuth' } });
const scopedMethod = route({
  method: 'DELETE',
  authorization: { type: 'AUTHORIZER', authorizerId: 'PoolAuth' },
  scopes: ['tasks/delete'],
});
const app = appModel('REST', { PoolAuth: cognito }, [plainMethod, scopedMethod]);
const logged: string[] = [];
const clock = { ms: TEST_EPOCH_MS };
const authorizer = createRouteAuthorizer({
  app,
  invoker: new FakeInvoker(() => ({
    status: 'error',
    errorType: 'Error',
    errorMessage: 'never invoked',
    durationMs: 0,
  })),
  keys,
  now: () => clock.ms,
  log: (line) => logged.push(line),
});

const token = (options: Partial<DevTokenOptions> = {}) =>
  issueDevToken(keys, {
    issuer: POOL_ISSUER,
    clientId: CLIENT_ID,
    sub: 'user-1',
    now: () => TEST_EPOCH_MS,
    ...options,
  });
const authorize = (authorization: string | undefined, method = plainMethod) =>
  authorizer.authorize(
    authInput(matched(method, { headers: authorization === undefined ? {} : { Authorization: authorization } })),
  );

beforeEach(() => {
  logged.length = 0;
  clock.ms = TEST_EPOCH_MS;
});

test('GIVEN an ID token on a method without scopes THEN its claims reach requestContext.authorizer.claims as REST writes them', async () => {
  // The exp and iat of a captured event: powertools-lambda-typescript
  // packages/parser/tests/events/apigw-rest/jwt-authorizer-auth.json has "exp": "Tue Jun 18 15:00:04 UTC 2024"
  // for a token whose exp is 1718722804, and "auth_time": "1718636404".
  clock.ms = 1_718_700_000_000;
  const idToken = await token({
    claims: {
      exp: 1718722804,
      iat: 1718636404,
      auth_time: 1718636404,
      email_verified: true,
      'cognito:groups': ['admin', 'ops'],
      gone: null,
    },
  });

  const outcome = await authorize(idToken);

  expect(outcome).toEqual({
    ok: true,
    principalId: 'user-1',
    authorizer: {
      claims: {
        sub: 'user-1',
        iss: POOL_ISSUER,
        aud: CLIENT_ID,
        token_use: 'id',
        'cognito:username': 'user-1',
        auth_time: '1718636404',
        iat: 'Mon Jun 17 15:00:04 UTC 2024',
        exp: 'Tue Jun 18 15:00:04 UTC 2024',
        jti: expect.any(String),
        email_verified: 'true',
        'cognito:groups': 'admin,ops',
      },
    },
  });
});

test('GIVEN "Bearer <token>" THEN the token after the prefix is read (the captured REST event carries one)', async () => {
  expect(await authorize(`Bearer ${await token()}`)).toMatchObject({ ok: true });
});

test("GIVEN a token from the second pool THEN authorized: any of the authorizer's pools may have issued it", async () => {
  expect(await authorize(await token({ issuer: SECOND_POOL }))).toMatchObject({ ok: true });
});

test("GIVEN an access token holding one of the method's scopes THEN authorized", async () => {
  const outcome = await authorize(await token({ scopes: ['tasks/read', 'tasks/delete'] }), scopedMethod);

  expect(outcome).toMatchObject({
    ok: true,
    authorizer: { claims: { scope: 'tasks/read tasks/delete', token_use: 'access', client_id: CLIENT_ID } },
  });
});

test.each([
  [
    'an access token on a method without scopes',
    () => token({ scopes: ['tasks/read'] }),
    plainMethod,
    'invalid',
    'the token is not an ID token',
  ],
  ['an ID token on a method with scopes', () => token(), scopedMethod, 'invalid', 'the token is not an access token'],
  [
    "an access token without the method's scopes",
    () => token({ scopes: ['tasks/read'] }),
    scopedMethod,
    'insufficient-scope',
    'the token does not have the required scopes',
  ],
  [
    'a token from another issuer',
    () => token({ issuer: 'https://cognito-idp.us-east-1.amazonaws.com/other' }),
    plainMethod,
    'invalid',
    "the token was not issued by the authorizer's user pools",
  ],
  [
    'an expired token',
    () => token({ claims: { exp: TEST_EPOCH_MS / 1000 - 1 } }),
    plainMethod,
    'invalid',
    'the token has expired',
  ],
  [
    'an ID token without aud',
    () => token({ claims: { aud: undefined } }),
    plainMethod,
    'invalid',
    'the ID token has no audience',
  ],
  [
    'a token that is no Cognito token (no token_use)',
    () => token({ claims: { token_use: undefined } }),
    plainMethod,
    'invalid',
    'the token is not an ID token',
  ],
])('GIVEN %s THEN refused', async (_, make, method, failure, message) => {
  expect(await authorize(await make(), method)).toEqual({ ok: false, failure, message });
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatch(/^Cognito authorizer PoolAuthorizer: /);
});

test('GIVEN no Authorization header THEN missing', async () => {
  expect(await authorize(undefined)).toEqual({ ok: false, failure: 'missing', message: 'the request has no token' });
});
