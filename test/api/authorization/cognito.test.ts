import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiAuthorization, AuthorizationType } from '../../../src';
import { CognitoAuthorization } from '../../../src/api/authorization/cognito';
import {
  buildApi,
  BuiltApi,
  fn,
  logicalId,
  newStack,
  ref,
  resources,
  route,
  getAtt,
  inlineStatements,
  invokeRoleId,
} from '../../helpers/api';
import { buildRest, functionId, method, restApiId } from '../../helpers/rest-api';

const issuerOf = (poolRef: unknown) => ({
  'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', poolRef]],
});

describe('an API-wide Cognito authorization without a user pool', () => {
  let built: BuiltApi;
  let poolId: string;
  let clientId: string;
  let pool: { [key: string]: any };
  beforeAll(() => {
    // GIVEN ApiAuthorization.cognito() with no settings, and two functions with three routes
    built = buildApi({
      authorization: ApiAuthorization.cognito(),
      functions: {
        items: fn([route(HttpMethod.GET, '/items'), route(HttpMethod.POST, '/items')]),
        orders: fn([route(HttpMethod.GET, '/orders')]),
      },
    });
    poolId = logicalId(built.template, 'AWS::Cognito::UserPool', 'ApiUserPool');
    clientId = logicalId(built.template, 'AWS::Cognito::UserPoolClient', 'ApiUserPoolClient');
    pool = resources(built.template)[poolId];
  });

  test('creates one user pool and one app client, exposed on the API', () => {
    built.template.resourceCountIs('AWS::Cognito::UserPool', 1);
    built.template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    expect(built.stack.resolve(built.api.userPool!.userPoolId)).toEqual(ref(poolId));
    expect(built.stack.resolve(built.api.userPoolClient!.userPoolClientId)).toEqual(ref(clientId));
  });

  test('is one JWT authorizer for the pool issuer and its client, shared by every route', () => {
    built.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    const id = logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', 'ApiCognitoAuthorizer');
    expect(resources(built.template)[id].Properties).toEqual({
      ApiId: ref(logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')),
      AuthorizerType: 'JWT',
      Name: 'cognito',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: issuerOf(ref(poolId)), Audience: [ref(clientId)] },
    });
    built.template.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Route',
      { AuthorizationType: 'JWT', AuthorizerId: ref(id) },
      3,
    );
  });

  test('requires passwords of at least 12 characters with lower and upper case letters, digits and symbols', () => {
    expect(pool.Properties.Policies).toEqual({
      PasswordPolicy: {
        MinimumLength: 12,
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      },
    });
  });

  test('requires MFA, with authenticator apps (TOTP) only: no SMS, so no SNS role', () => {
    expect(pool.Properties.MfaConfiguration).toBe('ON');
    expect(pool.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Properties.SmsConfiguration).toBeUndefined();
    built.template.resourcePropertiesCountIs(
      'AWS::IAM::Role',
      {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'cognito-idp.amazonaws.com' } })],
        },
      },
      0,
    );
  });

  test('is on the Plus plan with standard threat protection enforced', () => {
    expect(pool.Properties.UserPoolTier).toBe('PLUS');
    expect(pool.Properties.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
  });

  test('lets only administrators create users', () => {
    expect(pool.Properties.AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
  });

  test('signs users in by email (case-insensitive), verified, and recovers accounts by email only', () => {
    expect(pool.Properties.UsernameAttributes).toEqual(['email']);
    expect(pool.Properties.UsernameConfiguration).toEqual({ CaseSensitive: false });
    expect(pool.Properties.AutoVerifiedAttributes).toEqual(['email']);
    expect(pool.Properties.UserAttributeUpdateSettings).toEqual({
      AttributesRequireVerificationBeforeUpdate: ['email'],
    });
    expect(pool.Properties.AccountRecoverySetting).toEqual({
      RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }],
    });
  });

  test('is protected from deletion and retained when it leaves the stack', () => {
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.UpdateReplacePolicy).toBe('Retain');
  });

  test('has an app client without a secret that signs in with SRP, hides which users exist, and has no OAuth', () => {
    expect(resources(built.template)[clientId].Properties).toEqual({
      UserPoolId: ref(poolId),
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AllowedOAuthFlowsUserPoolClient: false,
      SupportedIdentityProviders: ['COGNITO'],
    });
  });
});

describe('Cognito user pool options', () => {
  test('GIVEN threatProtection false THEN the pool is on the Essentials plan without threat protection', () => {
    const { template } = buildApi({ authorization: ApiAuthorization.cognito({ threatProtection: false }) });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      UserPoolAddOns: Match.absent(),
      MfaConfiguration: 'ON',
    });
  });

  test('GIVEN selfSignUp THEN anyone may sign up', () => {
    const { template } = buildApi({ authorization: ApiAuthorization.cognito({ selfSignUp: true }) });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
    });
  });

  test('GIVEN removalPolicy DESTROY THEN deletion protection is off and the pool is deleted with the stack', () => {
    const { template } = buildApi({
      authorization: ApiAuthorization.cognito({ removalPolicy: RemovalPolicy.DESTROY }),
    });
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtection: 'INACTIVE' }),
    });
  });

  test('GIVEN an authorizer name THEN the authorizer uses it', () => {
    const { template } = buildApi({ authorization: ApiAuthorization.cognito({ authorizerName: 'users' }) });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { Name: 'users' });
  });

  test('GIVEN the API-wide cognito() also set on a route THEN there is still one pool and one authorizer', () => {
    const users = ApiAuthorization.cognito();
    const { template } = buildApi({
      authorization: users,
      functions: { items: fn([route(HttpMethod.GET, '/items', { authorization: users })]) },
    });
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
  });

  test('GIVEN every route overrides the API-wide cognito() THEN the pool is still created, without an authorizer', () => {
    const { template, api } = buildApi({
      authorization: ApiAuthorization.cognito(),
      functions: { items: fn([route(HttpMethod.GET, '/items', { authorization: ApiAuthorization.iam() })]) },
    });
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    expect(api.userPool).toBeDefined();
  });
});

describe('an imported Cognito user pool', () => {
  let built: BuiltApi;
  beforeAll(() => {
    // GIVEN a pool and two of its clients, imported by id
    const stack = newStack();
    const userPool = cognito.UserPool.fromUserPoolArn(
      stack,
      'Pool',
      'arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_abc123',
    );
    const userPoolClients = [
      cognito.UserPoolClient.fromUserPoolClientId(stack, 'Web', 'web-client-id'),
      cognito.UserPoolClient.fromUserPoolClientId(stack, 'Mobile', 'mobile-client-id'),
    ];
    built = buildApi({ authorization: ApiAuthorization.cognito({ userPool, userPoolClients }) }, stack);
  });

  test('creates no pool and no client, and exposes none', () => {
    built.template.resourceCountIs('AWS::Cognito::UserPool', 0);
    built.template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    expect(built.api.userPool).toBeUndefined();
    expect(built.api.userPoolClient).toBeUndefined();
  });

  test("checks tokens against the pool's issuer, in the pool's region, for the given clients", () => {
    const id = logicalId(built.template, 'AWS::ApiGatewayV2::Authorizer', 'ApiCognitoAuthorizer');
    expect(resources(built.template)[id].Properties).toEqual({
      ApiId: ref(logicalId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')),
      AuthorizerType: 'JWT',
      Name: 'cognito',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_abc123',
        Audience: ['web-client-id', 'mobile-client-id'],
      },
    });
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      AuthorizationType: 'JWT',
      AuthorizerId: ref(id),
    });
  });

  test('GIVEN it on one route of a JWT API THEN that route has its own authorizer and scopes', () => {
    // GIVEN
    const stack = newStack();
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_staff');
    const staff = ApiAuthorization.cognito({
      userPool,
      userPoolClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Admin', 'admin-client-id')],
    });

    // WHEN
    const { template } = buildApi(
      {
        functions: {
          items: fn([
            route(HttpMethod.GET, '/items'),
            route(HttpMethod.DELETE, '/items/{id}', { authorization: staff, authorizationScopes: ['items/admin'] }),
          ]),
        },
      },
      stack,
    );

    // THEN
    const jwtId = logicalId(template, 'AWS::ApiGatewayV2::Authorizer', 'ApiJwtAuthorizer');
    const cognitoId = logicalId(template, 'AWS::ApiGatewayV2::Authorizer', 'ApiCognitoAuthorizer');
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      Name: 'cognito',
      JwtConfiguration: {
        Issuer: {
          'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/eu-west-1_staff']],
        },
        Audience: ['admin-client-id'],
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /items', AuthorizerId: ref(jwtId) });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'DELETE /items/{id}',
      AuthorizationType: 'JWT',
      AuthorizerId: ref(cognitoId),
      AuthorizationScopes: ['items/admin'],
    });
  });
});

describe('ApiAuthorization.cognito()', () => {
  test('keeps its settings, and defaults to none', () => {
    const settingsOf = (authorization: ApiAuthorization) => (authorization._kind as CognitoAuthorization).props;
    expect(ApiAuthorization.cognito().type).toBe(AuthorizationType.COGNITO);
    expect(ApiAuthorization.cognito()._kind).toBeInstanceOf(CognitoAuthorization);
    expect(settingsOf(ApiAuthorization.cognito())).toEqual({});
    expect(settingsOf(ApiAuthorization.cognito({ selfSignUp: true }))).toEqual({ selfSignUp: true });
  });
});

const AUTHORIZER = 'AWS::ApiGateway::Authorizer';

/** A method's authorization, as [AuthorizationType, AuthorizerId, AuthorizationScopes]. */
function authorizationOf(template: Template, key: string): unknown[] {
  const m = method(template, key);
  return [m.AuthorizationType, m.AuthorizerId, m.AuthorizationScopes];
}

describe('a Cognito user pool authorizer on a REST API', () => {
  let built: BuiltApi;
  let authorizerId: string;
  let poolId: string;
  beforeAll(() => {
    // GIVEN ApiAuthorization.cognito() API-wide, and a route with scopes
    built = buildRest({
      authorization: ApiAuthorization.cognito(),
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items'),
          route(HttpMethod.POST, '/items', { authorizationScopes: ['items/write', 'items/admin'] }),
        ]),
      },
    });
    authorizerId = logicalId(built.template, AUTHORIZER, 'ApiCognitoAuthorizer');
    poolId = logicalId(built.template, 'AWS::Cognito::UserPool', 'ApiUserPool');
  });

  test('is one COGNITO_USER_POOLS authorizer of the created pool, reading the Authorization header', () => {
    built.template.resourceCountIs(AUTHORIZER, 1);
    built.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    expect(resources(built.template)[authorizerId].Properties).toEqual({
      Name: 'cognito',
      RestApiId: ref(restApiId(built.template)),
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [getAtt(poolId)],
      IdentitySource: 'method.request.header.Authorization',
    });
    expect(built.stack.resolve(built.api.userPool!.userPoolArn)).toEqual(getAtt(poolId));
  });

  test('authorizes every route with it, passing the route scopes', () => {
    expect(authorizationOf(built.template, 'GET /items')).toEqual(['COGNITO_USER_POOLS', ref(authorizerId), undefined]);
    expect(authorizationOf(built.template, 'POST /items')).toEqual([
      'COGNITO_USER_POOLS',
      ref(authorizerId),
      ['items/write', 'items/admin'],
    ]);
  });

  test('is not invoked through the invoke role: the role may invoke the route function only', () => {
    expect(inlineStatements(built.template, invokeRoleId(built.template))).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt(functionId(built.template, 'items')) },
    ]);
  });

  test('GIVEN an imported pool and a name THEN the authorizer accepts that pool, and no pool is created', () => {
    // GIVEN
    const stack = newStack();
    const userPool = cognito.UserPool.fromUserPoolArn(
      stack,
      'Pool',
      'arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_abc123',
    );
    const userPoolClients = [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Web', 'web-client-id')];

    // WHEN
    const { template, api } = buildRest(
      { authorization: ApiAuthorization.cognito({ userPool, userPoolClients, authorizerName: 'users' }) },
      stack,
    );

    // THEN
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(api.userPool).toBeUndefined();
    expect(resources(template)[logicalId(template, AUTHORIZER, 'ApiCognitoAuthorizer')].Properties).toEqual({
      Name: 'users',
      RestApiId: ref(restApiId(template)),
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: ['arn:aws:cognito-idp:eu-central-1:123456789012:userpool/eu-central-1_abc123'],
      IdentitySource: 'method.request.header.Authorization',
    });
  });
});
