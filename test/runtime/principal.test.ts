import { httpApiEvent, jwtAuthorizer, restApiEvent, thrownBy } from './util';
import { requireCaller, requireScope, type Principal } from '../../src/runtime/principal';
import { HttpError } from '../../src/runtime/problem';
import { readApiEvent } from '../../src/runtime/request';

function httpPrincipal(authorizer?: { [key: string]: unknown }): Principal {
  return readApiEvent(httpApiEvent('GET /me', { authorizer })).principal;
}

function restPrincipal(authorizer?: { [key: string]: unknown }, identity: { [key: string]: unknown } = {}): Principal {
  const event = restApiEvent('GET /me', { authorizer });
  Object.assign(event.requestContext.identity, identity);
  return readApiEvent(event).principal;
}

describe('HTTP API principals', () => {
  it('reads a JWT authorizer: sub as id, claims, and the listed scopes', () => {
    // GIVEN a JWT authorizer context with scopes listed by API Gateway
    const principal = httpPrincipal(
      jwtAuthorizer('user-42', ['tasks:read', 'tasks:write'], { email: 'a@example.com' }),
    );

    // THEN the principal is the JWT's subject with its claims and scopes
    expect(principal).toEqual({
      kind: 'jwt',
      id: 'user-42',
      claims: { sub: 'user-42', iss: 'https://issuer.example.com', email: 'a@example.com' },
      scopes: ['tasks:read', 'tasks:write'],
    });
  });

  it('falls back to the scope claim when API Gateway lists no scopes', () => {
    const principal = httpPrincipal(jwtAuthorizer('user-1', null, { scope: 'openid  tasks:read profile' }));
    expect(principal).toMatchObject({ kind: 'jwt', id: 'user-1', scopes: ['openid', 'tasks:read', 'profile'] });
  });

  it('reads an scp array claim as scopes', () => {
    const principal = httpPrincipal(jwtAuthorizer('user-1', null, { scp: ['a', 'b', 7] }));
    expect(principal).toMatchObject({ kind: 'jwt', scopes: ['a', 'b'] });
  });

  it('uses username, then cognito:username, then "unknown" when the token has no sub', () => {
    const withUsername = httpPrincipal({ jwt: { claims: { username: 'alice' }, scopes: null } });
    const withCognito = httpPrincipal({ jwt: { claims: { 'cognito:username': 'bob' }, scopes: null } });
    const withNothing = httpPrincipal({ jwt: { claims: {}, scopes: null } });
    const withoutClaims = httpPrincipal({ jwt: { scopes: ['x'] } });
    expect(withUsername).toMatchObject({ kind: 'jwt', id: 'alice' });
    expect(withCognito).toMatchObject({ kind: 'jwt', id: 'bob' });
    expect(withNothing).toEqual({ kind: 'jwt', id: 'unknown', claims: {}, scopes: [] });
    expect(withoutClaims).toEqual({ kind: 'jwt', id: 'unknown', claims: {}, scopes: ['x'] });
  });

  it('reads an IAM authorizer: the caller ARN as id and its account, key and identity', () => {
    // GIVEN the authorizer context of a SigV4-signed request
    const principal = httpPrincipal({
      iam: {
        accessKey: 'ASIAEXAMPLE',
        accountId: '111122223333',
        callerId: 'AROAEXAMPLE:session-1',
        cognitoIdentity: { amr: ['authenticated'], identityId: 'us-east-1:abc', identityPoolId: 'us-east-1:pool' },
        principalOrgId: 'o-example',
        userArn: 'arn:aws:sts::111122223333:assumed-role/app/session-1',
        userId: 'AROAEXAMPLE:session-1',
      },
    });

    // THEN it is an IAM principal
    expect(principal).toEqual({
      kind: 'iam',
      id: 'arn:aws:sts::111122223333:assumed-role/app/session-1',
      userArn: 'arn:aws:sts::111122223333:assumed-role/app/session-1',
      accountId: '111122223333',
      callerId: 'AROAEXAMPLE:session-1',
      accessKey: 'ASIAEXAMPLE',
      principalOrgId: 'o-example',
      cognitoIdentityId: 'us-east-1:abc',
    });
  });

  it('reads an IAM authorizer without a user ARN as anonymous', () => {
    expect(httpPrincipal({ iam: { accountId: '111122223333' } })).toEqual({ kind: 'anonymous' });
  });

  it('reads a Lambda authorizer: its context, and principalId or sub from it as id', () => {
    // GIVEN the context a Lambda authorizer returned (simple response)
    const withPrincipalId = httpPrincipal({ lambda: { principalId: 'tenant-7', role: 'admin', quota: 5 } });
    const withSub = httpPrincipal({ lambda: { sub: 'user-9', tenant: 't' } });
    const withNeither = httpPrincipal({ lambda: { tenant: 't' } });

    // THEN the principal carries the context as the authorizer returned it
    expect(withPrincipalId).toEqual({
      kind: 'lambda',
      id: 'tenant-7',
      context: { principalId: 'tenant-7', role: 'admin', quota: 5 },
    });
    expect(withSub).toEqual({ kind: 'lambda', id: 'user-9', context: { sub: 'user-9', tenant: 't' } });
    expect(withNeither).toEqual({ kind: 'lambda', id: 'unknown', context: { tenant: 't' } });
  });

  it('reads a request without an authorizer as anonymous', () => {
    expect(httpPrincipal()).toEqual({ kind: 'anonymous' });
    expect(httpPrincipal({})).toEqual({ kind: 'anonymous' });
    expect(httpPrincipal({ jwt: null })).toEqual({ kind: 'anonymous' });
  });
});

describe('REST API principals', () => {
  it('reads Cognito user pool claims with the scope claim split into scopes', () => {
    // GIVEN a Cognito authorizer context: every claim a string, scopes in the `scope` claim
    const claims = {
      sub: 'c0ffee-1',
      'cognito:username': 'carol',
      email_verified: 'true',
      scope: 'aws.cognito.signin.user.admin tasks/write',
      token_use: 'access',
    };
    const principal = restPrincipal({ claims });

    // THEN it is a JWT principal
    expect(principal).toEqual({
      kind: 'jwt',
      id: 'c0ffee-1',
      claims,
      scopes: ['aws.cognito.signin.user.admin', 'tasks/write'],
    });
  });

  it('reads a Lambda authorizer: principalId as id, the context without integrationLatency', () => {
    // GIVEN what a REST Lambda authorizer passes: its principalId, its context (stringified) and the latency
    const principal = restPrincipal({ principalId: 'user|77', tenant: 'acme', admin: 'true', integrationLatency: 12 });

    // THEN the context is what the authorizer returned, and nothing API Gateway added
    expect(principal).toEqual({ kind: 'lambda', id: 'user|77', context: { tenant: 'acme', admin: 'true' } });
  });

  it('reads an IAM-signed request from its identity: userArn as id', () => {
    // GIVEN a REST request signed with AWS credentials (no authorizer context)
    const principal = restPrincipal(undefined, {
      accessKey: 'AKIAEXAMPLE',
      accountId: '444455556666',
      caller: 'AIDAEXAMPLE',
      userArn: 'arn:aws:iam::444455556666:user/deploy',
      cognitoIdentityId: 'us-east-1:id-1',
      principalOrgId: 'o-org',
    });

    // THEN it is an IAM principal with the identity's fields
    expect(principal).toEqual({
      kind: 'iam',
      id: 'arn:aws:iam::444455556666:user/deploy',
      userArn: 'arn:aws:iam::444455556666:user/deploy',
      accountId: '444455556666',
      callerId: 'AIDAEXAMPLE',
      accessKey: 'AKIAEXAMPLE',
      principalOrgId: 'o-org',
      cognitoIdentityId: 'us-east-1:id-1',
    });
  });

  it('reads an IAM identity without an account id with an empty account', () => {
    expect(restPrincipal(undefined, { userArn: 'arn:aws:iam::1:user/x' })).toMatchObject({
      kind: 'iam',
      accountId: '',
    });
  });

  it('reads a request without authorizer or signed identity as anonymous', () => {
    expect(restPrincipal()).toEqual({ kind: 'anonymous' });
    // an authorizer context with an empty principalId is not a Lambda principal
    expect(restPrincipal({ principalId: '', integrationLatency: 3 })).toEqual({ kind: 'anonymous' });
  });

  it('prefers Cognito claims over a principalId', () => {
    const principal = restPrincipal({ principalId: 'p', claims: { sub: 'from-claims' } });
    expect(principal).toMatchObject({ kind: 'jwt', id: 'from-claims' });
  });
});

describe('requireCaller and requireScope', () => {
  const jwt = (scopes: string[]): Principal => ({ kind: 'jwt', id: 'user-1', claims: { sub: 'user-1' }, scopes });

  it('returns an identified caller', () => {
    const principal = jwt([]);
    expect(requireCaller(principal)).toBe(principal);
  });

  it.each<[string, Principal]>([
    ['anonymous', { kind: 'anonymous' }],
    ['a JWT without a subject', { kind: 'jwt', id: 'unknown', claims: {}, scopes: [] }],
    ['a Lambda authorizer without an id', { kind: 'lambda', id: 'unknown', context: {} }],
  ])('refuses %s with 401', (_, principal) => {
    const error = thrownBy(() => requireCaller(principal));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(401);
  });

  it('passes a token carrying the scope and refuses one without it with 403', () => {
    expect(() => requireScope(jwt(['tasks:write']), 'tasks:write')).not.toThrow();
    const error = thrownBy(() => requireScope(jwt(['tasks:read']), 'tasks:write'));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(403);
    expect(error.message).toContain('"tasks:write"');
  });

  it('refuses a scope check for a caller without a token (IAM) with 403 and for anonymous with 401', () => {
    const iam: Principal = {
      kind: 'iam',
      id: 'arn:aws:iam::1:user/x',
      userArn: 'arn:aws:iam::1:user/x',
      accountId: '1',
    };
    expect(thrownBy(() => requireScope(iam, 'tasks:write')).status).toBe(403);
    expect(thrownBy(() => requireScope({ kind: 'anonymous' }, 'tasks:write')).status).toBe(401);
  });
});
