/**
 * HTTP API JWT authorizer.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
 */
import * as crypto from 'crypto';
import { SignJWT } from 'jose';
import { appModel, authInput, CLIENT_ID, FakeInvoker, matched, POOL_ISSUER, route, testKeys } from './fixtures';
import { createRouteAuthorizer, issueDevToken, type DevTokenOptions } from '../../../src/local/auth';
import type { LocalJwtAuthorizerModel } from '../../../src/local/model';
import { TEST_EPOCH_MS } from '../../helpers/clock';

const keys = testKeys();
const NOW_S = TEST_EPOCH_MS / 1000;
const jwtAuthorizer: LocalJwtAuthorizerModel = {
  kind: 'jwt',
  id: 'JwtAuth',
  name: 'TasksAuthorizer',
  issuer: POOL_ISSUER,
  audience: [CLIENT_ID, 'second-client'],
  identitySource: ['$request.header.Authorization'],
};
const openRoute = route({ authorization: { type: 'AUTHORIZER', authorizerId: 'JwtAuth' } });
const scopedRoute = route({
  method: 'POST',
  authorization: { type: 'AUTHORIZER', authorizerId: 'JwtAuth' },
  scopes: ['tasks/write', 'admin'],
});
const app = appModel('HTTP', { JwtAuth: jwtAuthorizer }, [openRoute, scopedRoute]);
const logged: string[] = [];
const invoker = new FakeInvoker(() => {
  throw new Error('a JWT route never invokes a function to authorize');
});
const authorizer = createRouteAuthorizer({
  app,
  invoker,
  keys,
  now: () => TEST_EPOCH_MS,
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
const authorize = (authorization: string | undefined, routeModel = openRoute) =>
  authorizer.authorize(
    authInput(matched(routeModel, { headers: authorization === undefined ? {} : { authorization } })),
  );

beforeEach(() => {
  logged.length = 0;
});

describe('a valid token', () => {
  test('GIVEN an ID token THEN the claims reach requestContext.authorizer.jwt, every value a string, scopes null on a route without scopes', async () => {
    const outcome = await authorize(
      `Bearer ${await token({ claims: { email_verified: true, 'cognito:groups': ['admin', 'ops'], address: { country: 'JP' }, nickname: null } })}`,
    );

    // Shape: aws-lambda-go events/testdata/apigw-v2-request-jwt-authorizer.json and a captured event
    // (powertools-lambda-typescript packages/parser/tests/events/apigw-http/jwt-authorizer-auth.json):
    // numbers as text, arrays "[a b]", nulls left out, keys sorted; no principalId or integrationLatency beside jwt.
    expect(outcome).toEqual({
      ok: true,
      principalId: 'user-1',
      authorizer: {
        jwt: {
          claims: {
            address: '{"country":"JP"}',
            aud: CLIENT_ID,
            auth_time: String(NOW_S),
            'cognito:groups': '[admin ops]',
            'cognito:username': 'user-1',
            email_verified: 'true',
            exp: String(NOW_S + 3600),
            iat: String(NOW_S),
            iss: POOL_ISSUER,
            jti: expect.any(String),
            sub: 'user-1',
            token_use: 'id',
          },
          scopes: null,
        },
      },
    });
    const claims = (outcome as unknown as { authorizer: { jwt: { claims: object } } }).authorizer.jwt.claims;
    expect(Object.keys(claims)).toEqual([...Object.keys(claims)].sort());
    expect(invoker.calls).toHaveLength(0);
  });

  test.each([
    ['raw', (t: string) => t],
    ['after "Bearer "', (t: string) => `Bearer ${t}`],
    ['after "bearer " in any case', (t: string) => `bEaReR   ${t}`],
  ])('the identity source may hold the token %s', async (_, form) => {
    expect(await authorize(form(await token()))).toMatchObject({ ok: true });
  });

  test('GIVEN an aud list THEN one of its entries must be an audience of the authorizer', async () => {
    expect(await authorize(await token({ audience: ['some-api', 'second-client'] }))).toMatchObject({ ok: true });
  });

  test('GIVEN an access token without aud THEN client_id stands in for the audience', async () => {
    expect(await authorize(await token({ scopes: ['tasks/read'] }))).toMatchObject({ ok: true });
  });

  test('GIVEN an identity source in the query string THEN the token is read from there', async () => {
    const queryApp = appModel('HTTP', {
      JwtAuth: { ...jwtAuthorizer, identitySource: ['$request.querystring.access_token'] },
    });
    const query = createRouteAuthorizer({ app: queryApp, invoker, keys, now: () => TEST_EPOCH_MS });

    const outcome = await query.authorize(
      authInput(matched(openRoute, { rawQueryString: `access_token=${await token()}` })),
    );

    expect(outcome).toMatchObject({ ok: true });
  });
});

describe('scopes (the route needs one of its scopes in `scope` or `scp`)', () => {
  test("GIVEN an access token with one of them THEN authorized, and jwt.scopes lists all the token's scopes", async () => {
    const outcome = await authorize(`Bearer ${await token({ scopes: ['tasks/read', 'tasks/write'] })}`, scopedRoute);

    // floci-io/floci HttpApiJwtAuthorizerScopesTest (measured): the token's full list, not the intersection.
    expect(outcome).toMatchObject({ ok: true, authorizer: { jwt: { scopes: ['tasks/read', 'tasks/write'] } } });
  });

  test('GIVEN the scopes in an `scp` list THEN authorized', async () => {
    const outcome = await authorize(await token({ tokenUse: 'access', claims: { scp: ['admin'] } }), scopedRoute);

    expect(outcome).toMatchObject({ ok: true, authorizer: { jwt: { scopes: ['admin'] } } });
  });

  test.each([
    ['an access token with other scopes', { scopes: ['tasks/read'] }],
    ['an ID token (no scope claim)', {}],
    ['a scope that only starts like one of them', { scopes: ['tasks/writer'] }],
  ])('GIVEN %s THEN refused for insufficient scope', async (_, options) => {
    const outcome = await authorize(await token(options), scopedRoute);

    expect(outcome).toEqual({
      ok: false,
      failure: 'insufficient-scope',
      message: 'the token does not have the required scopes',
    });
    expect(logged.join('\n')).toContain('the route needs one of [tasks/write, admin]');
  });
});

describe('refusals', () => {
  test.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['a header of spaces', '   '],
  ])('GIVEN %s THEN missing', async (_, header) => {
    const outcome = await authorize(header);

    expect(outcome).toEqual({ ok: false, failure: 'missing', message: 'the request has no token' });
    expect(logged[0]).toContain('send one in $request.header.Authorization');
  });

  test('GIVEN "Bearer" and nothing else THEN the identity source is present, and what it holds is not a JWT', async () => {
    expect(await authorize('Bearer ')).toEqual({
      ok: false,
      failure: 'invalid',
      message: 'the token is not a valid JWT',
    });
  });

  test('GIVEN a token for another audience THEN invalid with the error_description AWS documents', async () => {
    const outcome = await authorize(await token({ clientId: 'someone-else' }));

    expect(outcome).toEqual({ ok: false, failure: 'invalid', message: 'the token does not have a valid audience' });
  });

  test('GIVEN an aud that does not match THEN client_id is not consulted', async () => {
    const outcome = await authorize(await token({ tokenUse: 'access', audience: 'other-api', clientId: CLIENT_ID }));

    expect(outcome).toMatchObject({ failure: 'invalid', message: 'the token does not have a valid audience' });
  });

  test.each([
    ['another issuer', { issuer: 'https://issuer.example' }],
    ['the issuer with a trailing slash (compared exactly)', { issuer: `${POOL_ISSUER}/` }],
  ])('GIVEN %s THEN invalid issuer', async (_, options) => {
    expect(await authorize(await token(options))).toEqual({
      ok: false,
      failure: 'invalid',
      message: 'the token does not have a valid issuer',
    });
  });

  test.each([
    ['expired a second ago', { exp: NOW_S - 1 }, 'the token has expired'],
    ['expiring this very second', { exp: NOW_S }, 'the token has expired'],
    ['without exp', { exp: undefined }, 'the token has no valid expiry'],
    ['with a text exp', { exp: String(NOW_S + 60) }, 'the token has no valid expiry'],
    ['not valid before a minute from now', { nbf: NOW_S + 60 }, 'the token is not valid yet'],
    ['issued a minute from now', { iat: NOW_S + 60 }, 'the token was issued in the future'],
  ])('GIVEN a token %s THEN invalid', async (_, claims, message) => {
    expect(await authorize(await token({ claims }))).toEqual({ ok: false, failure: 'invalid', message });
  });

  test("GIVEN a token signed by another RSA key under the dev key's kid THEN its signature is invalid", async () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = await new SignJWT({ iss: POOL_ISSUER, aud: CLIENT_ID, sub: 'x', exp: NOW_S + 60 })
      .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
      .sign(privateKey);

    expect(await authorize(foreign)).toEqual({
      ok: false,
      failure: 'invalid',
      message: 'the token has an invalid signature',
    });
  });

  test('GIVEN a token with an unknown kid THEN invalid key id', async () => {
    const stranger = await new SignJWT({ iss: POOL_ISSUER, aud: CLIENT_ID, exp: NOW_S + 60 })
      .setProtectedHeader({ alg: 'RS256', kid: 'someone-elses-key' })
      .sign(keys.privateKey);

    expect(await authorize(stranger)).toEqual({
      ok: false,
      failure: 'invalid',
      message: 'the token has an invalid key id',
    });
  });

  test('GIVEN alg "none" (no signature) THEN refused for its algorithm', async () => {
    const unsigned = [
      { alg: 'none', kid: keys.kid },
      { iss: POOL_ISSUER, aud: CLIENT_ID, exp: NOW_S + 60 },
    ]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .join('.');

    expect(await authorize(`${unsigned}.`)).toEqual({
      ok: false,
      failure: 'invalid',
      message: 'signing method none is invalid',
    });
  });

  test('GIVEN HS256 signed with the public key as the secret (algorithm confusion) THEN refused for its algorithm', async () => {
    const secret = Buffer.from(JSON.stringify(keys.publicJwk));
    const confused = await new SignJWT({ iss: POOL_ISSUER, aud: CLIENT_ID, exp: NOW_S + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: keys.kid })
      .sign(secret);

    expect(await authorize(confused)).toEqual({
      ok: false,
      failure: 'invalid',
      message: 'signing method HS256 is invalid',
    });
  });

  test('GIVEN an algorithm name with quotes THEN the description echoes nothing of it (it goes into a header)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'x" error="spoofed\r\n', kid: keys.kid })).toString('base64url');

    expect(await authorize(`${header}.e30.c2ln`)).toEqual({
      ok: false,
      failure: 'invalid',
      message: 'signing method is invalid',
    });
  });
});
