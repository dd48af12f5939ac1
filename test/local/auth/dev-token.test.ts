import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { CLIENT_ID, POOL_ISSUER, testKeys } from './fixtures';
import { issueDevToken, parseExpiresIn } from '../../../src/local/auth';
import { TEST_EPOCH_MS } from '../../helpers/clock';

const keys = testKeys();
const now = () => TEST_EPOCH_MS;
const verify = async (token: string) =>
  (await jwtVerify(token, await importJWK(keys.publicJwk, 'RS256'), { currentDate: new Date(TEST_EPOCH_MS) })).payload;

describe('issueDevToken', () => {
  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
  test("GIVEN scopes WHEN issuing THEN an access token shaped as Cognito's: client_id, space-separated scope, token_use access", async () => {
    const token = await issueDevToken(keys, {
      issuer: POOL_ISSUER,
      clientId: CLIENT_ID,
      sub: 'user-1',
      scopes: ['tasks/read', 'tasks/write'],
      now,
    });

    const claims = await verify(token);

    expect(claims).toMatchObject({
      sub: 'user-1',
      iss: POOL_ISSUER,
      client_id: CLIENT_ID,
      scope: 'tasks/read tasks/write',
      token_use: 'access',
      username: 'user-1',
      iat: TEST_EPOCH_MS / 1000,
      auth_time: TEST_EPOCH_MS / 1000,
      exp: TEST_EPOCH_MS / 1000 + 3600,
    });
    expect(claims).not.toHaveProperty('aud');
    expect(typeof claims.jti).toBe('string');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: keys.kid, typ: 'JWT' });
  });

  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
  test('GIVEN no scopes WHEN issuing THEN an ID token: aud is the client, token_use id, no scope', async () => {
    const claims = await verify(
      await issueDevToken(keys, { issuer: POOL_ISSUER, clientId: CLIENT_ID, sub: 'user-1', now }),
    );

    expect(claims).toMatchObject({ aud: CLIENT_ID, token_use: 'id', 'cognito:username': 'user-1' });
    expect(claims).not.toHaveProperty('scope');
    expect(claims).not.toHaveProperty('client_id');
  });

  test('an explicit audience (a list too) and token use, expiry and extra claims are honoured; extra claims come last', async () => {
    const claims = await verify(
      await issueDevToken(keys, {
        issuer: 'https://issuer.test/',
        audience: ['api-a', 'api-b'],
        sub: 'user-2',
        tokenUse: 'access',
        expiresInSeconds: 60,
        claims: { email: 'a@example.com', 'cognito:groups': ['admin'], token_use: 'custom' },
        now,
      }),
    );

    expect(claims).toMatchObject({
      aud: ['api-a', 'api-b'],
      email: 'a@example.com',
      'cognito:groups': ['admin'],
      token_use: 'custom',
      scope: '',
      exp: TEST_EPOCH_MS / 1000 + 60,
    });
  });

  test.each([0, -5, 1.5, Number.NaN])(
    'GIVEN expiresInSeconds %p THEN the error names the option and the value',
    async (expiresInSeconds) => {
      await expect(issueDevToken(keys, { issuer: POOL_ISSUER, sub: 'u', expiresInSeconds })).rejects.toThrow(
        `\`expiresInSeconds\` must be a positive whole number of seconds, got: ${expiresInSeconds}`,
      );
    },
  );
});

describe('parseExpiresIn (`serverless-api token --expires`)', () => {
  test.each([
    ['3600', 3600],
    ['45s', 45],
    ['30m', 1800],
    ['1h', 3600],
    ['2d', 172800],
    [' 10m ', 600],
  ])('%p is %p seconds', (value, seconds) => {
    expect(parseExpiresIn(value)).toBe(seconds);
  });

  test.each(['', '0', '0h', '1w', 'h', '-1h', '1.5h', '1 hour', '99999999999999999d'])(
    '%p is refused, naming the flag and the value',
    (value) => {
      expect(() => parseExpiresIn(value)).toThrow(
        `\`--expires\` must be a positive duration in seconds (3600) or with a unit s, m, h or d (45s, 30m, 1h, 2d), got: ${JSON.stringify(value)}`,
      );
    },
  );
});
