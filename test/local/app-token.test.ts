/**
 * Dev tokens for an app: the issuer and audience (or pool and client) come from the app's own authorizer, so the
 * local API's JWT and Cognito authorizers accept them; the test kit and `serverless-api token` share this code.
 */
import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { importJWK, jwtVerify } from 'jose';
import { authInput, FakeInvoker, matched, testKeys } from './auth/fixtures';
import { REST_API, synthesizeUnbundled, TASK_BOARD, temporaryDir } from './reader/fixtures';
import { ApiAuthorization, OAuthGrant, ServerlessApi, UserPoolSignInDomain } from '../../src';
import { UsageError } from '../../src/assembly/assembly';
import { issueAppToken, LOCAL_COGNITO_CLIENT_ID, tokenAuthorizer } from '../../src/local/app-token';
import { createRouteAuthorizer } from '../../src/local/auth';
import type { LocalAppModel, LocalAuthorizerModel } from '../../src/local/model';
import { readLocalApp } from '../../src/local/reader';
import { AUDIENCE, HANDLER_ENTRY, ISSUER } from '../helpers/api';
import { TEST_EPOCH_MS } from '../helpers/clock';

const keys = testKeys();
const now = () => TEST_EPOCH_MS;
const verify = async (token: string, options: { issuer?: string; audience?: string } = {}) =>
  (
    await jwtVerify(token, await importJWK(keys.publicJwk, 'RS256'), {
      currentDate: new Date(TEST_EPOCH_MS),
      ...options,
    })
  ).payload;

const taskBoard = readLocalApp(TASK_BOARD, { functions: false });
const restApi = readLocalApp(REST_API, { functions: false });

/** The app with its authorizers replaced, for the shapes the committed stacks lack. */
function withAuthorizers(app: LocalAppModel, authorizers: LocalAuthorizerModel[]): LocalAppModel {
  return { ...app, api: { ...app.api, authorizers: Object.fromEntries(authorizers.map((a) => [a.id, a])) } };
}

describe('issueAppToken', () => {
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html: API Gateway checks
  // `iss` against the issuer and `aud` (or `client_id`) against the audience of the authorizer.
  test("GIVEN the task board's JWT authorizer THEN the token carries its issuer and audience, and the scopes and claims asked", async () => {
    const jwt = tokenAuthorizer(taskBoard);
    expect(jwt.kind).toBe('jwt');
    const token = await issueAppToken(taskBoard, keys, {
      sub: 'alice',
      scopes: ['tasks:write'],
      claims: { tenant: 't-1', groups: ['admin'] },
      expiresInSeconds: 600,
      now,
    });

    const claims = await verify(token, {
      issuer: jwt.kind === 'jwt' ? jwt.issuer : '',
      audience: jwt.kind === 'jwt' ? jwt.audience[0] : '',
    });
    expect(claims).toMatchObject({
      sub: 'alice',
      scope: 'tasks:write',
      tenant: 't-1',
      groups: ['admin'],
      exp: TEST_EPOCH_MS / 1000 + 600,
    });
  });

  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
  test("GIVEN the REST API's Cognito authorizer THEN an id token of the pool's issuer, for the local client", async () => {
    const cognito = tokenAuthorizer(restApi);
    expect(cognito.kind).toBe('cognito');
    const claims = await verify(await issueAppToken(restApi, keys, { sub: 'carol', now }));
    expect(claims).toMatchObject({
      iss: cognito.kind === 'cognito' ? cognito.issuers[0] : '',
      aud: LOCAL_COGNITO_CLIENT_ID,
      token_use: 'id',
      exp: TEST_EPOCH_MS / 1000 + 3600,
    });
  });

  test('GIVEN scopes on a Cognito app THEN an access token with client_id and no aud; tokenUse overrides', async () => {
    const access = await verify(await issueAppToken(restApi, keys, { sub: 'carol', scopes: ['items/read'], now }));
    expect(access).toMatchObject({ token_use: 'access', client_id: LOCAL_COGNITO_CLIENT_ID, scope: 'items/read' });
    expect(access).not.toHaveProperty('aud');

    const id = await verify(await issueAppToken(restApi, keys, { sub: 'carol', scopes: ['x'], tokenUse: 'id', now }));
    expect(id.token_use).toBe('id');
  });
});

describe('tokenAuthorizer', () => {
  const jwtA = {
    kind: 'jwt',
    id: 'JwtA',
    name: 'partners',
    issuer: 'https://a.example',
    audience: ['a'],
    identitySource: [],
  } as const;
  const jwtB = {
    kind: 'jwt',
    id: 'JwtB',
    name: 'staff',
    issuer: 'https://b.example',
    audience: ['b'],
    identitySource: [],
  } as const;
  const two = withAuthorizers(taskBoard, [jwtA, jwtB]);

  test('GIVEN several token authorizers THEN one is chosen by name or logical id', async () => {
    expect(tokenAuthorizer(two, 'staff')).toBe(jwtB);
    expect(tokenAuthorizer(two, 'JwtA')).toBe(jwtA);
    const claims = await verify(await issueAppToken(two, keys, { sub: 'bob', authorizer: 'staff', now }));
    expect(claims).toMatchObject({ iss: 'https://b.example', aud: 'b' });
  });

  test('GIVEN several token authorizers and none named THEN the error lists them, under the caller’s option name', () => {
    expect(() => tokenAuthorizer(two)).toThrow(
      new UsageError("`authorizer` must name one of the API's JWT or Cognito authorizers (partners, staff), got: none"),
    );
    expect(() => tokenAuthorizer(two, 'nope', '--authorizer')).toThrow(
      new UsageError('--authorizer must be one of partners, staff, got: "nope"'),
    );
  });

  test('GIVEN an API without a JWT or Cognito authorizer THEN the error says what its routes use', () => {
    const lambdaOnly = withAuthorizers(
      {
        ...taskBoard,
        api: {
          ...taskBoard.api,
          routes: [
            { ...taskBoard.api.routes[0], authorization: { type: 'AUTHORIZER', authorizerId: 'Fn' } },
            { ...taskBoard.api.routes[1], authorization: { type: 'IAM' } },
            { ...taskBoard.api.routes[2], authorization: { type: 'NONE' } },
          ],
        },
      },
      [
        {
          kind: 'lambda-request',
          id: 'Fn',
          name: 'custom',
          functionId: 'F',
          identitySource: [],
          resultTtlSeconds: 0,
          simpleResponses: true,
        },
      ],
    );
    expect(() => tokenAuthorizer(lambdaOnly)).toThrow(
      new UsageError(
        'stack TaskBoardIntegStack has no JWT or Cognito authorizer, so no route takes a token (its routes are: Lambda REQUEST authorizer, IAM, public)',
      ),
    );
  });
});

describe('reading an app for a token only', () => {
  let dir: string;
  beforeAll(() => {
    dir = temporaryDir('app-token-unbundled-');
    synthesizeUnbundled(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN an assembly synthesized without bundling THEN `functions: false` reads its authorizers, where a full read refuses', async () => {
    expect(() => readLocalApp(dir)).toThrow(/was synthesized without bundling/);
    const app = readLocalApp(dir, { functions: false });
    expect(app.functions).toEqual({});
    const claims = await verify(await issueAppToken(app, keys, { sub: 'alice', now }), {
      issuer: ISSUER,
      audience: AUDIENCE[0],
    });
    expect(claims.sub).toBe('alice');
  });
});

describe('a token for an API whose user pool the library creates, with several clients and route scopes', () => {
  let dir: string;
  let app: LocalAppModel;
  beforeAll(() => {
    // GIVEN an HTTP API with a created pool, three clients, a client added later and a scoped route
    dir = temporaryDir('app-token-pool-');
    const cdkApp = new App({ outdir: dir });
    const api = new ServerlessApi(new Stack(cdkApp, 'Shop'), 'Api', {
      authorization: ApiAuthorization.cognito({
        signInDomain: UserPoolSignInDomain.cognitoPrefix('my-shop'),
        clients: {
          web: { callbackUrls: ['https://shop.example.com/callback'] },
          partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS },
        },
      }),
      functions: {
        orders: {
          entry: HANDLER_ENTRY,
          routes: [{ method: HttpMethod.GET, path: '/orders', authorizationScopes: ['shop/orders.read'] }],
        },
      },
    });
    api.addUserPoolClient('backOffice', { callbackUrls: ['myapp://callback'] });
    cdkApp.synth();
    app = readLocalApp(dir, { functions: false });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('THEN the JWT authorizer read from the template accepts every client, the later one included', () => {
    const jwt = tokenAuthorizer(app);
    expect(jwt.kind).toBe('jwt');
    const audience = jwt.kind === 'jwt' ? jwt.audience : [];
    expect(audience).toHaveLength(4);
    expect(new Set(audience).size).toBe(4);
  });

  test('THEN a token with the route scope is issued for the pool and a client, and the local authorizer accepts it', async () => {
    const jwt = tokenAuthorizer(app);
    const token = await issueAppToken(app, keys, { sub: 'dora', scopes: ['shop/orders.read'], now });
    const claims = await verify(token, {
      issuer: jwt.kind === 'jwt' ? jwt.issuer : '',
      audience: jwt.kind === 'jwt' ? jwt.audience[0] : '',
    });
    expect(claims).toMatchObject({ sub: 'dora', scope: 'shop/orders.read', token_use: 'access' });

    const orders = app.api.routes.find((r) => r.method === 'GET' && r.path === '/orders')!;
    const authorizer = createRouteAuthorizer({
      app,
      keys,
      now,
      log: () => undefined,
      invoker: new FakeInvoker(() => {
        throw new Error('a JWT route never invokes a function to authorize');
      }),
    });
    const authorize = (bearer: string) =>
      authorizer.authorize(authInput(matched(orders, { headers: { authorization: `Bearer ${bearer}` } })));
    expect(await authorize(token)).toMatchObject({ ok: true });
    const unscoped = await issueAppToken(app, keys, { sub: 'dora', scopes: ['shop/orders.write'], now });
    expect(await authorize(unscoped)).toMatchObject({ ok: false, failure: 'insufficient-scope' });
  });
});
