/**
 * Dispatch on a route's authorization, and the guarantee that `authorize` answers whatever happens inside it.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html
 */
import { allowPolicy, appModel, authInput, FakeInvoker, matched, returns, route, testKeys } from './fixtures';
import { createRouteAuthorizer } from '../../../src/local/auth';
import type { LocalRouteAuthorization } from '../../../src/local/model';

const keys = testKeys();
const invoker = new FakeInvoker(returns(allowPolicy('*')));

test.each(['HTTP', 'REST'] as const)(
  '%s: an open route is allowed with no authorizer object, as neither API type sends one',
  async (type) => {
    // A captured REST event of an open method has no `authorizer` key: powertools-lambda-typescript
    // packages/parser/tests/events/apigw-rest/no-auth.json.
    const authorizer = createRouteAuthorizer({ app: appModel(type), invoker, keys });

    expect(await authorizer.authorize(authInput(matched(route())))).toEqual({ ok: true });
  },
);

test('GIVEN an authorization type the local API does not know THEN authorizer-error, named in the log', async () => {
  const logged: string[] = [];
  const authorizer = createRouteAuthorizer({ app: appModel('HTTP'), invoker, keys, log: (line) => logged.push(line) });
  const odd = route({ authorization: { type: 'CUSTOM_THING' } as unknown as LocalRouteAuthorization });

  expect(await authorizer.authorize(authInput(matched(odd)))).toMatchObject({ ok: false, failure: 'authorizer-error' });
  expect(logged[0]).toContain('has an authorization type the local API does not know: {"type":"CUSTOM_THING"}');
});

test('GIVEN a fault inside (the gateway cannot build the authorizer event) THEN authorizer-error rather than a thrown error', async () => {
  const logged: string[] = [];
  const app = appModel('REST', {
    Auth: {
      kind: 'lambda-token',
      id: 'Auth',
      name: 'Auth',
      functionId: 'Fn',
      identitySource: 'method.request.header.Authorization',
      resultTtlSeconds: 0,
    },
  });
  const authorizer = createRouteAuthorizer({ app, invoker, keys, log: (line) => logged.push(line) });
  const input = {
    ...authInput(
      matched(route({ authorization: { type: 'AUTHORIZER', authorizerId: 'Auth' } }), {
        headers: { authorization: 'token' },
      }),
    ),
    lambdaAuthorizerEvent: () => {
      throw new Error('event builder broke');
    },
  };

  expect(await authorizer.authorize(input)).toMatchObject({ ok: false, failure: 'authorizer-error' });
  expect(logged[0]).toContain('event builder broke');
});

test('GIVEN an identity source in no form API Gateway knows THEN the source is absent: missing', async () => {
  const app = appModel('HTTP', {
    Auth: {
      kind: 'lambda-request',
      id: 'Auth',
      name: 'Auth',
      functionId: 'Fn',
      identitySource: ['header.Authorization'],
      resultTtlSeconds: 0,
      simpleResponses: true,
    },
  });
  const authorizer = createRouteAuthorizer({ app, invoker, keys });

  const input = authInput(
    matched(route({ authorization: { type: 'AUTHORIZER', authorizerId: 'Auth' } }), {
      headers: { authorization: 'token' },
    }),
  );

  expect(await authorizer.authorize(input)).toMatchObject({ ok: false, failure: 'missing' });
});
