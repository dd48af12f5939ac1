/**
 * Whatever a client sends as credentials, `authorize` answers (API Gateway answers 401/403, it does not fall over):
 * it never throws, and what it says about a bad token is safe to put in a `www-authenticate` header.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
 */
import * as fc from 'fast-check';
import { CompactSign } from 'jose';
import {
  allowPolicy,
  appModel,
  authInput,
  CLIENT_ID,
  FakeInvoker,
  matched,
  POOL_ISSUER,
  returns,
  route,
  testKeys,
} from './fixtures';
import { createRouteAuthorizer } from '../../../src/local/auth';
import type { AuthOutcome } from '../../../src/local/contracts';
import type { LocalAuthorizerModel } from '../../../src/local/model';
import { TEST_EPOCH_MS } from '../../helpers/clock';

const keys = testKeys();
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const jwtModel: LocalAuthorizerModel = {
  kind: 'jwt',
  id: 'Jwt',
  name: 'Jwt',
  issuer: POOL_ISSUER,
  audience: [CLIENT_ID],
  identitySource: ['$request.header.Authorization'],
};
const cognitoModel: LocalAuthorizerModel = {
  kind: 'cognito',
  id: 'Pool',
  name: 'Pool',
  userPoolArns: [],
  issuers: [POOL_ISSUER],
  identitySource: 'method.request.header.Authorization',
};
const tokenModel: LocalAuthorizerModel = {
  kind: 'lambda-token',
  id: 'Token',
  name: 'Token',
  functionId: 'Fn',
  identitySource: 'method.request.header.Authorization',
  resultTtlSeconds: 300,
};

const http = createRouteAuthorizer({
  app: appModel('HTTP', { Jwt: jwtModel }),
  invoker: new FakeInvoker(returns({})),
  keys,
  now: () => TEST_EPOCH_MS,
});
const rest = createRouteAuthorizer({
  app: appModel('REST', { Pool: cognitoModel, Token: tokenModel }),
  invoker: new FakeInvoker(returns(allowPolicy('*'))),
  keys,
  now: () => TEST_EPOCH_MS,
});
const guarded = (authorizerId: string) => route({ authorization: { type: 'AUTHORIZER', authorizerId } });
const iamRoute = route({ authorization: { type: 'IAM' } });

/** Every authorizer kind given the same Authorization header. */
async function everyAuthorizer(
  authorization: string,
): Promise<{ jwt: AuthOutcome; cognito: AuthOutcome; token: AuthOutcome; iam: AuthOutcome }> {
  const input = (routeModel = guarded('Jwt')) => authInput(matched(routeModel, { headers: { authorization } }));
  return {
    jwt: await http.authorize(input()),
    cognito: await rest.authorize(input(guarded('Pool'))),
    token: await rest.authorize(input(guarded('Token'))),
    iam: await http.authorize(input(iamRoute)),
  };
}

async function signedWithDevKey(
  payload: Uint8Array,
  header: object = { alg: 'RS256', kid: keys.kid },
): Promise<string> {
  return new CompactSign(payload).setProtectedHeader(header as never).sign(keys.privateKey);
}

const headerSafe = (outcome: AuthOutcome) => outcome.ok || /^[^"\r\n\\]*$/.test(outcome.message);

describe('malformed tokens are refused as invalid, never thrown', () => {
  test.each([
    ['garbage', 'not a token at all'],
    ['three dots', '...'],
    ['two dots and nothing', '..'],
    ['wrong base64', 'e$J.h%b.c!d'],
    ['base64 that is not JSON', `${b64('{not json')}.${b64('{}')}.c2ln`],
    ['a header that is a list', `${b64([1, 2])}.${b64({})}.c2ln`],
    ['a header that is null', `${b64('null')}.${b64({})}.c2ln`],
    ['a header that is a number', `${b64('42')}.${b64({})}.c2ln`],
    ['four parts', `${b64({ alg: 'RS256' })}.${b64({})}.c2ln.extra`],
    ['a huge token (1 MB)', `${b64({ alg: 'RS256', kid: keys.kid })}.${'A'.repeat(1_000_000)}.c2ln`],
    ['unicode', 'tøkén.☃.💥'],
  ])('%s', async (_, token) => {
    const outcomes = await everyAuthorizer(`Bearer ${token}`);

    expect(outcomes.jwt).toMatchObject({ ok: false, failure: 'invalid' });
    expect(outcomes.cognito).toMatchObject({ ok: false, failure: 'invalid' });
    expect(headerSafe(outcomes.jwt)).toBe(true);
    expect(outcomes.iam).toMatchObject({ ok: false, failure: 'invalid' });
  });

  test.each([
    ['a list', '[1,2,3]'],
    ['a string', '"claims"'],
    ['null', 'null'],
    ['not JSON', '{"sub":'],
  ])('GIVEN a correctly signed token whose payload is %s THEN invalid: not a JWT', async (_, payload) => {
    const token = await signedWithDevKey(Buffer.from(payload));

    const { jwt, cognito } = await everyAuthorizer(token);

    expect(jwt).toEqual({ ok: false, failure: 'invalid', message: 'the token is not a valid JWT' });
    expect(cognito).toEqual({ ok: false, failure: 'invalid', message: 'the token is not a valid JWT' });
  });

  test('GIVEN a correctly signed token whose claims have the wrong types THEN refused, not thrown', async () => {
    const claims = {
      iss: { x: 1 },
      aud: [null, 5],
      client_id: {},
      exp: 'soon',
      scope: 42,
      scp: { a: 1 },
      token_use: ['id'],
    };

    const { jwt, cognito } = await everyAuthorizer(await signedWithDevKey(Buffer.from(JSON.stringify(claims))));

    expect(jwt).toMatchObject({ ok: false, failure: 'invalid' });
    expect(cognito).toMatchObject({ ok: false, failure: 'invalid' });
  });

  test('PROPERTY: any Authorization header gets an answer from every authorizer, and a JWT refusal is header-safe', async () => {
    const anyToken = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.tuple(fc.string(), fc.string(), fc.string()).map((parts) => parts.join('.')),
      fc
        .tuple(fc.jsonValue(), fc.jsonValue(), fc.string())
        .map(([header, payload, signature]) => `${b64(header)}.${b64(payload)}.${b64(signature)}`),
      fc.tuple(fc.string(), fc.string()).map(([a, b]) => `AWS4-HMAC-SHA256 ${a}, ${b}`),
    );

    await fc.assert(
      fc.asyncProperty(anyToken, async (token) => {
        const outcomes = await everyAuthorizer(token);
        expect(outcomes.jwt.ok).toBe(false);
        expect(outcomes.cognito.ok).toBe(false);
        expect(outcomes.iam.ok).toBe(false);
        expect(headerSafe(outcomes.jwt)).toBe(true);
        expect(headerSafe(outcomes.cognito)).toBe(true);
        for (const outcome of Object.values(outcomes)) {
          if (!outcome.ok) {
            expect([
              'missing',
              'invalid',
              'insufficient-scope',
              'denied',
              'unauthorized',
              'authorizer-error',
            ]).toContain(outcome.failure);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
