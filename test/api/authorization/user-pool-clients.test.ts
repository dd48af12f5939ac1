import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import {
  ApiAuthorization,
  ApiType,
  OAuthGrant,
  ServerlessApi,
  ServerlessApiProps,
  UserPoolClientOptions,
  UserPoolSignInDomain,
} from '../../../src';
import { buildApi, defaultProps, expectError, fn, logicalId, newStack, ref, resources, route } from '../../helpers/api';

const DOMAIN = UserPoolSignInDomain.cognitoPrefix('my-shop');

/** A created pool with a sign-in domain and these clients, and routes that need `shop/orders.read`. */
function shopProps(clients: { [name: string]: UserPoolClientOptions }): Partial<ServerlessApiProps> {
  return {
    authorization: ApiAuthorization.cognito({ signInDomain: DOMAIN, clients }),
    functions: {
      orders: fn([route(HttpMethod.GET, '/orders', { authorizationScopes: ['shop/orders.read'] })]),
    },
  };
}

/** The logical id of the client whose logical id is `prefix` and the 8-character hash. */
function clientId(template: Template, prefix: string): string {
  const ids = Object.keys(template.findResources('AWS::Cognito::UserPoolClient'));
  const found = ids.filter((id) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  if (found.length !== 1) throw new Error(`expected one client ${prefix}, found: ${ids}`);
  return found[0];
}

/** The CloudFormation properties of the client whose logical id is `prefix` and the hash. */
function clientProps(template: Template, prefix: string): { [key: string]: any } {
  return resources(template)[clientId(template, prefix)].Properties;
}

const audienceOf = (template: Template) =>
  resources(template)[logicalId(template, 'AWS::ApiGatewayV2::Authorizer', 'ApiCognitoAuthorizer')].Properties
    .JwtConfiguration.Audience;

describe('app clients of a created user pool', () => {
  let template: Template;
  let api: ServerlessApi;
  let serverId: string;
  beforeAll(() => {
    // GIVEN a web app (code grant), a partner's machine client and a back-office client with short tokens
    ({ template, api } = buildApi(
      shopProps({
        web: {
          callbackUrls: ['https://shop.example.com/callback', 'http://localhost:3000/callback'],
          logoutUrls: ['https://shop.example.com/'],
        },
        partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS },
        backOffice: {
          oauthGrant: OAuthGrant.AUTHORIZATION_CODE,
          callbackUrls: ['myapp://callback'],
          scopes: ['openid', 'shop/orders.read'],
          accessTokenValidity: Duration.minutes(15),
          idTokenValidity: Duration.minutes(15),
          refreshTokenValidity: Duration.hours(8),
        },
      }),
    ));
    serverId = logicalId(template, 'AWS::Cognito::UserPoolResourceServer', 'ApiUserPoolResourceServershop');
  });

  test('creates the default client and one client per name, exposed by name', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 4);
    expect(Object.keys(api.userPoolClients)).toEqual(['default', 'web', 'partner', 'backOffice']);
    expect(api.userPoolClients.default).toBe(api.userPoolClient);
    expect(Stack.of(api).resolve(api.userPoolClients.web.userPoolClientId)).toEqual(
      ref(clientId(template, 'ApiUserPoolClientweb')),
    );
  });

  test('keeps the default client as it was: SRP sign-in, no secret, no OAuth', () => {
    expect(clientProps(template, 'ApiUserPoolClient').AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(clientProps(template, 'ApiUserPoolClient').ExplicitAuthFlows).toEqual([
      'ALLOW_USER_SRP_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ]);
  });

  test("GIVEN callback URLs THEN the client uses the code grant without a secret, with the sign-in scopes and the routes'", () => {
    const poolId = logicalId(template, 'AWS::Cognito::UserPool', 'ApiUserPool');
    expect(clientProps(template, 'ApiUserPoolClientweb')).toEqual({
      UserPoolId: ref(poolId),
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', { 'Fn::Join': ['', [ref(serverId), '/orders.read']] }],
      CallbackURLs: ['https://shop.example.com/callback', 'http://localhost:3000/callback'],
      LogoutURLs: ['https://shop.example.com/'],
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  test('GIVEN the client credentials grant THEN the client has a secret and the route scopes only', () => {
    const partner = clientProps(template, 'ApiUserPoolClientpartner');
    expect(partner.GenerateSecret).toBe(true);
    expect(partner.AllowedOAuthFlows).toEqual(['client_credentials']);
    expect(partner.AllowedOAuthScopes).toEqual([{ 'Fn::Join': ['', [ref(serverId), '/orders.read']] }]);
    expect(partner.CallbackURLs).toBeUndefined();
    expect(partner.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
  });

  test('GIVEN scopes and token validities THEN the client asks for those scopes, its tokens live that long', () => {
    const backOffice = clientProps(template, 'ApiUserPoolClientbackOffice');
    expect(backOffice.AllowedOAuthScopes).toEqual(['openid', { 'Fn::Join': ['', [ref(serverId), '/orders.read']] }]);
    expect(backOffice.CallbackURLs).toEqual(['myapp://callback']);
    expect([backOffice.AccessTokenValidity, backOffice.IdTokenValidity, backOffice.RefreshTokenValidity]).toEqual([
      15, 15, 480,
    ]);
    expect(backOffice.TokenValidityUnits).toEqual({
      AccessToken: 'minutes',
      IdToken: 'minutes',
      RefreshToken: 'minutes',
    });
  });

  test("accepts every client's tokens on the HTTP API", () => {
    expect(audienceOf(template)).toEqual(
      ['ApiUserPoolClient', 'ApiUserPoolClientweb', 'ApiUserPoolClientpartner', 'ApiUserPoolClientbackOffice'].map(
        (id) => ref(clientId(template, id)),
      ),
    );
  });
});

describe('clients added later', () => {
  let template: Template;
  let api: ServerlessApi;
  beforeAll(() => {
    // GIVEN an HTTP API with a created pool
    const stack = newStack();
    api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...shopProps({}) });
    // WHEN a client is added through the API, and another on the pool itself, after the routes
    api.addUserPoolClient('partner', { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS });
    api.userPool!.addClient('Admin', { authFlows: { userSrp: true } });
    template = Template.fromStack(stack);
  });

  test("THEN the HTTP API's JWT authorizer accepts the tokens of both", () => {
    expect(audienceOf(template)).toEqual(
      ['ApiUserPoolClient', 'ApiUserPoolClientpartner', 'ApiUserPoolAdmin'].map((id) => ref(clientId(template, id))),
    );
  });

  test('THEN the added client is exposed by name and gets the route scopes', () => {
    expect(Object.keys(api.userPoolClients)).toEqual(['default', 'partner']);
    expect(clientProps(template, 'ApiUserPoolClientpartner').AllowedOAuthScopes).toHaveLength(1);
  });

  test('GIVEN a client of another pool in the stack THEN it is not an audience', () => {
    const stack = newStack();
    const other = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...shopProps({}) });
    new cognito.UserPool(stack, 'OtherPool').addClient('Other');
    const found = Template.fromStack(stack);
    expect(audienceOf(found)).toEqual([ref(clientId(found, 'ApiUserPoolClient'))]);
    expect(other.userPoolClients).toEqual({ default: other.userPoolClient });
  });

  test('GIVEN a REST API THEN the Cognito authorizer accepts the pool, so a client added later needs nothing more', () => {
    // GIVEN a REST API with a created pool and a scoped route, WHEN a machine client is added later
    const stack = newStack();
    const rest = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...shopProps({}), apiType: ApiType.REST });
    rest.addUserPoolClient('partner', { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS });
    const found = Template.fromStack(stack);
    // THEN the authorizer names the pool, the method asks for the scope its access token carries
    const poolId = logicalId(found, 'AWS::Cognito::UserPool', 'ApiUserPool');
    found.hasResourceProperties('AWS::ApiGateway::Authorizer', { ProviderARNs: [{ 'Fn::GetAtt': [poolId, 'Arn'] }] });
    found.hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationScopes: ['shop/orders.read'] });
    const serverId = logicalId(found, 'AWS::Cognito::UserPoolResourceServer', 'ApiUserPoolResourceServershop');
    expect(clientProps(found, 'ApiUserPoolClientpartner').AllowedOAuthScopes).toEqual([
      { 'Fn::Join': ['', [ref(serverId), '/orders.read']] },
    ]);
  });

  test('GIVEN a name taken, or not letters and digits THEN addUserPoolClient() refuses it', () => {
    const stack = newStack();
    const shop = new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      ...shopProps({ web: { callbackUrls: ['https://a.example.com'] } }),
    });
    expect(() => shop.addUserPoolClient('web')).toThrow(
      new Error('`authorization.clients` must have unique names, got: "web"'),
    );
    expect(() => shop.addUserPoolClient('default')).toThrow(
      new Error('`authorization.clients` must have unique names, got: "default"'),
    );
    expect(() => shop.addUserPoolClient('back-office')).toThrow(
      new Error(
        '`authorization.clients` must have names of 1 to 64 letters and digits, starting with a letter, got: "back-office"',
      ),
    );
  });

  test('GIVEN options that are wrong THEN addUserPoolClient() refuses them as the prop would', () => {
    const shop = new ServerlessApi(newStack(), 'Api', { ...defaultProps(), ...shopProps({}) });
    expect(() => shop.addUserPoolClient('web', { callbackUrls: ['http://shop.example.com/callback'] })).toThrow(
      new Error(
        '`authorization.clients.web.callbackUrls[0]` must use https: Cognito accepts http only for http://localhost, for testing, got: "http://shop.example.com/callback"',
      ),
    );
  });

  test('GIVEN an API that created no pool THEN addUserPoolClient() is refused', () => {
    const { api: jwtApi } = buildApi();
    expect(jwtApi.userPoolClients).toEqual({});
    expect(() => jwtApi.addUserPoolClient('web')).toThrow(
      new Error(
        '`addUserPoolClient()` must be called on an API whose `authorization` is ApiAuthorization.cognito() without `userPool`: add clients to an imported pool where it is defined, and list them in `userPoolClients`, got: "web"',
      ),
    );
  });
});

// Redirect URL rules: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html
describe('the options of an app client', () => {
  const refuse = (clients: { [name: string]: UserPoolClientOptions }, message: string) =>
    expectError({ authorization: ApiAuthorization.cognito({ signInDomain: DOMAIN, clients }) }, message);

  test.each([
    ['http://shop.example.com/callback', 'use https: Cognito accepts http only for http://localhost, for testing'],
    ['https://shop.example.com/#/callback', 'have no fragment ("#..."): Cognito refuses redirect URLs with one'],
    ['/callback', 'be an absolute URL, such as "https://shop.example.com/callback" or "myapp://callback"'],
  ])('GIVEN the callback URL %s THEN it is refused', (url, requirement) => {
    refuse(
      { web: { callbackUrls: ['https://shop.example.com', url] } },
      `\`authorization.clients.web.callbackUrls[1]\` must ${requirement}, got: "${url}"`,
    );
  });

  test('GIVEN http://localhost and an app scheme THEN they are accepted, as Cognito accepts them', () => {
    const { template } = buildApi({
      authorization: ApiAuthorization.cognito({
        signInDomain: DOMAIN,
        clients: {
          web: { callbackUrls: ['http://localhost:5173/', 'myapp://callback'], logoutUrls: ['http://localhost:5173/'] },
        },
      }),
    });
    expect(clientProps(template, 'ApiUserPoolClientweb').CallbackURLs).toEqual([
      'http://localhost:5173/',
      'myapp://callback',
    ]);
  });

  test('GIVEN a logout URL over http THEN it is refused like a callback URL', () => {
    refuse(
      { web: { callbackUrls: ['https://shop.example.com'], logoutUrls: ['http://shop.example.com'] } },
      '`authorization.clients.web.logoutUrls[0]` must use https: Cognito accepts http only for http://localhost, for testing, got: "http://shop.example.com"',
    );
  });

  test('GIVEN an OAuth grant without a sign-in domain THEN it is refused', () => {
    expectError(
      {
        authorization: ApiAuthorization.cognito({
          clients: { partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS } },
        }),
      },
      "`authorization.signInDomain` must be set for `authorization.clients.partner`'s OAuth grant (client_credentials): the authorize and token endpoints are served on it, e.g. UserPoolSignInDomain.cognitoPrefix('my-shop'), got: undefined",
    );
  });

  test('GIVEN the code grant without callback URLs THEN it is refused', () => {
    refuse(
      { web: { oauthGrant: OAuthGrant.AUTHORIZATION_CODE } },
      '`authorization.clients.web.callbackUrls` must list at least one URL the hosted sign-in pages send users back to with the code, got: []',
    );
  });

  test('GIVEN the implicit grant THEN it is refused: OAuth 2.1 drops it', () => {
    refuse(
      { web: { oauthGrant: 'implicit' as OAuthGrant, callbackUrls: ['https://shop.example.com'] } },
      '`authorization.clients.web.oauthGrant` must be OAuthGrant.AUTHORIZATION_CODE or OAuthGrant.CLIENT_CREDENTIALS (OAuth 2.1 drops the implicit grant), got: "implicit"',
    );
  });

  test('GIVEN callback URLs on a machine client THEN they are refused', () => {
    refuse(
      { partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS, callbackUrls: ['https://partner.example.com'] } },
      '`authorization.clients.partner.callbackUrls` must be left out unless the client uses OAuthGrant.AUTHORIZATION_CODE: only the hosted sign-in pages redirect, got: ["https://partner.example.com"]',
    );
  });

  test('GIVEN a machine client without a secret THEN it is refused', () => {
    refuse(
      { partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS, generateSecret: false } },
      '`authorization.clients.partner.generateSecret` must be true (or left out) with OAuthGrant.CLIENT_CREDENTIALS: the client proves who it is with its secret, got: false',
    );
  });

  test("GIVEN a machine client asking for a user's scope THEN it is refused", () => {
    refuse(
      { partner: { oauthGrant: OAuthGrant.CLIENT_CREDENTIALS, scopes: ['openid'] } },
      '`authorization.clients.partner.scopes[0]` must be a route scope such as "shop/orders.read": a client credentials token has no user, so Cognito\'s user scopes do not apply, got: "openid"',
    );
  });

  test('GIVEN scopes on a client without an OAuth grant THEN they are refused', () => {
    refuse(
      { app: { scopes: ['shop/orders.read'] } },
      '`authorization.clients.app.scopes` must be left out without an `oauthGrant`: tokens from SRP sign-in carry no route scopes, got: ["shop/orders.read"]',
    );
  });

  test.each([
    ['accessTokenValidity', '4 minutes', Duration.minutes(4), 'between 5 minutes and 1 day'],
    ['idTokenValidity', '2 days', Duration.days(2), 'between 5 minutes and 1 day'],
    ['refreshTokenValidity', '30 minutes', Duration.minutes(30), 'between 1 hour and 3650 days'],
  ])('GIVEN %s of %s THEN it is refused', (name, shown, validity, range) => {
    refuse({ app: { [name]: validity } }, `\`authorization.clients.app.${name}\` must be ${range}, got: ${shown}`);
  });

  test('GIVEN a validity in seconds that is not whole minutes THEN it is refused', () => {
    refuse(
      { app: { accessTokenValidity: Duration.seconds(330) } },
      '`authorization.clients.app.accessTokenValidity` must be whole minutes, got: 5 minutes 30 seconds',
    );
  });

  test('GIVEN access tokens that outlive refresh tokens THEN they are refused', () => {
    refuse(
      { app: { accessTokenValidity: Duration.hours(2), refreshTokenValidity: Duration.hours(1) } },
      '`authorization.clients.app.accessTokenValidity` must not be longer than `refreshTokenValidity` (1 hour), got: 2 hours',
    );
  });

  test('GIVEN a client name that is not letters and digits THEN it is refused', () => {
    refuse(
      { 'back-office': {} },
      '`authorization.clients` must have names of 1 to 64 letters and digits, starting with a letter, got: "back-office"',
    );
  });
});
