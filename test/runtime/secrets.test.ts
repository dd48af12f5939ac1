import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { httpApiEvent, parse, quietLogger, rejectionOf } from './util';
import type { SecretsAuthorizer } from '../../src/local/contracts';
import { secretArn, startTestSecrets, type TestSecrets } from '../helpers/local-secrets';

/**
 * `getSecret()`: the value of the secret whose ARN a variable holds, fetched from Secrets Manager (here the local
 * API's, in process) and cached; failures that waiting fixes answer 503, the others name the variable, never the value.
 */

type Runtime = typeof import('../../src/runtime');

/** A fresh copy of the toolkit, as a cold start gets it: an empty cache and a client built from the environment. */
function coldStart(): Runtime {
  let runtime: Runtime | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module registry of its own per cold start
    runtime = require('../../src/runtime') as Runtime;
  });
  return runtime!;
}

const TOKEN = 'tok_live_0123456789';
const TIMERS: (
  | 'setTimeout'
  | 'clearTimeout'
  | 'setInterval'
  | 'clearInterval'
  | 'setImmediate'
  | 'clearImmediate'
  | 'nextTick'
  | 'queueMicrotask'
  | 'hrtime'
  | 'performance'
)[] = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'nextTick',
  'queueMicrotask',
  'hrtime',
  'performance',
];
let secrets: TestSecrets;
let saved: NodeJS.ProcessEnv;

beforeEach(async () => {
  secrets = await startTestSecrets({ partner: TOKEN, json: JSON.stringify({ token: TOKEN, count: 3 }), text: TOKEN });
  saved = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    PARTNER_TOKEN: secretArn('partner'),
    PARTNER_JSON: secretArn('json'),
    PARTNER_TEXT: secretArn('text'),
  });
});

afterEach(async () => {
  process.env = saved;
  await secrets.close();
});

describe('GIVEN a secret the function declared', () => {
  test('WHEN read twice THEN one GetSecretValue by its ARN, and the cached value the second time', async () => {
    const { getSecret } = coldStart();

    expect(await getSecret('PARTNER_TOKEN')).toBe(TOKEN);
    expect(await getSecret('PARTNER_TOKEN')).toBe(TOKEN);

    expect(secrets.calls).toEqual([secretArn('partner')]);
  });

  test('WHEN the cache is older than maxAgeSeconds THEN the value is fetched again; 0 fetches at every call', async () => {
    const { getSecret } = coldStart();
    // Only the clock is faked: the client's own timers keep running.
    jest.useFakeTimers({ now: 1_000_000, doNotFake: TIMERS });
    try {
      await getSecret('PARTNER_TOKEN');
      jest.setSystemTime(1_000_000 + 299_000);
      await getSecret('PARTNER_TOKEN');
      expect(secrets.calls).toHaveLength(1);

      jest.setSystemTime(1_000_000 + 301_000);
      await getSecret('PARTNER_TOKEN');
      expect(secrets.calls).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
    await getSecret('PARTNER_TOKEN', { maxAgeSeconds: 0 });
    await getSecret('PARTNER_TOKEN', { maxAgeSeconds: 0 });
    expect(secrets.calls).toHaveLength(4);
  });

  test('WHEN the secret is rotated THEN forceFetch gets the new value, and the cache keeps it', async () => {
    const { getSecret } = coldStart();
    expect(await getSecret('PARTNER_TOKEN')).toBe(TOKEN);

    secrets.set('partner', 'tok_rotated');
    expect(await getSecret('PARTNER_TOKEN')).toBe(TOKEN);
    expect(await getSecret('PARTNER_TOKEN', { forceFetch: true })).toBe('tok_rotated');
    expect(await getSecret('PARTNER_TOKEN')).toBe('tok_rotated');

    expect(secrets.calls).toHaveLength(2);
  });

  test('WHEN a field of a JSON secret is asked for THEN its string value', async () => {
    const { getSecret } = coldStart();

    expect(await getSecret('PARTNER_JSON', { field: 'token' })).toBe(TOKEN);
  });

  test.each([
    [
      'a field the JSON secret lacks',
      'PARTNER_JSON',
      'missing',
      'secret PARTNER_JSON is not a JSON object with a string field "missing"',
    ],
    [
      'a field that is not a string',
      'PARTNER_JSON',
      'count',
      'secret PARTNER_JSON is not a JSON object with a string field "count"',
    ],
    [
      'a field of a secret that is not JSON',
      'PARTNER_TEXT',
      'token',
      'secret PARTNER_TEXT is not a JSON object with a string field "token"',
    ],
  ])('WHEN %s THEN the error names the variable and the field, never the value', async (_, name, field, message) => {
    const { getSecret } = coldStart();

    const error = await rejectionOf(getSecret(name, { field }));

    expect(error).toEqual(new Error(message));
    expect(JSON.stringify({ message: error.message, stack: error.stack, cause: error.cause })).not.toContain(TOKEN);
  });
});

describe('GIVEN a Secret declared at module scope', () => {
  test('WHEN the environment changes after the declaration THEN it reads the secret its variable named at cold start', async () => {
    const { Secret } = coldStart();
    const partner = Secret.fromEnvironment('PARTNER_TOKEN');
    process.env.PARTNER_TOKEN = secretArn('text');

    expect(partner.secretId).toBe(secretArn('partner'));
    expect(await partner.value()).toBe(TOKEN);
    expect(secrets.calls).toEqual([secretArn('partner')]);
  });

  test('WHEN its variable is not set THEN the declaration succeeds and each read fails, naming the variable', async () => {
    const { Secret } = coldStart();
    const undeclared = Secret.fromEnvironment('UNDECLARED');

    for (let i = 0; i < 2; i++) {
      expect((await rejectionOf(undeclared.value())).message).toBe(
        "environment variable UNDECLARED is not set: declare the secret in the function's `secrets` in the stack ({ UNDECLARED: secret })",
      );
    }
    expect(secrets.calls).toEqual([]);
  });

  test('WHEN maxAgeSeconds is negative THEN the declaration fails', () => {
    const { Secret } = coldStart();

    expect(() => Secret.fromEnvironment('PARTNER_TOKEN', { maxAgeSeconds: -1 })).toThrow(
      new RangeError('Secret: `maxAgeSeconds` must be 0 or more, got: -1'),
    );
  });

  test('WHEN the secret is an empty string THEN its value is the empty string', async () => {
    secrets.set('partner', '');
    const { Secret } = coldStart();

    expect(await Secret.fromEnvironment('PARTNER_TOKEN').value()).toBe('');
  });
});

describe('GIVEN a secret the function cannot read', () => {
  test('WHEN its variable is not set THEN the error says to declare it in `secrets`', async () => {
    const { getSecret } = coldStart();

    await expect(getSecret('UNDECLARED')).rejects.toThrow(
      new Error(
        "environment variable UNDECLARED is not set: declare the secret in the function's `secrets` in the stack ({ UNDECLARED: secret })",
      ),
    );
  });

  test("WHEN the role does not allow it THEN the error names the variable, the ARN and Secrets Manager's denial", async () => {
    await secrets.close();
    const denial =
      'User: arn:aws:sts::123456789012:assumed-role/Role/fn is not authorized to perform: secretsmanager:GetSecretValue';
    const denyAll: SecretsAuthorizer = {
      authorize: () => ({ allowed: false, errorType: 'AccessDeniedException', message: denial, reason: 'test' }),
    };
    secrets = await startTestSecrets({ partner: TOKEN }, denyAll);
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
    const { getSecret } = coldStart();

    const error = await rejectionOf(getSecret('PARTNER_TOKEN'));

    expect(error.message).toBe(
      `secret PARTNER_TOKEN (${secretArn('partner')}) could not be read: AccessDeniedException: ${denial}`,
    );
    expect(error.status).toBeUndefined();
  });

  test('WHEN no secret has the ARN THEN ResourceNotFoundException, named', async () => {
    process.env.GONE = secretArn('gone');
    const { getSecret } = coldStart();

    expect((await rejectionOf(getSecret('GONE'))).message).toBe(
      `secret GONE (${secretArn('gone')}) could not be read: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    );
  });
});

describe('GIVEN Secrets Manager out of reach', () => {
  test('WHEN it refuses connections after the retries THEN a handler answers 503 with Retry-After', async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${port}`;
    const { apiHandler, route, getSecret } = coldStart();
    const handler = apiHandler({
      logger: quietLogger(),
      routes: {
        'GET /partner': route({
          handle: async () => ({ status: 200, body: { token: await getSecret('PARTNER_TOKEN') } }),
        }),
      },
    });

    const result = parse(await handler(httpApiEvent('GET /partner')));

    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toBe('1');
    expect(result.body).toMatchObject({
      status: 503,
      detail:
        'a service the function depends on is busy or unreachable; retry the request after the time in Retry-After',
      retryAfterSeconds: 1,
    });
  });

  describe('WHEN it accepts the request and never answers', () => {
    let stalled: Server;
    beforeEach(async () => {
      stalled = createServer(() => undefined);
      await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      stalled.closeAllConnections();
      await new Promise<void>((resolve) => stalled.close(() => resolve()));
    });

    test("THEN the call ends at the invocation's deadline with a 503, long before the client's own timeouts", async () => {
      const { getSecret, withDeadline, HttpError, isDeadlineAbort } = coldStart();
      const started = Date.now();

      const error = await rejectionOf(withDeadline(800, () => getSecret('PARTNER_TOKEN')));

      // 800 ms less the 500 ms kept for answering; the client alone would wait 3 attempts of 3 s.
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(503);
      expect(isDeadlineAbort(error.cause)).toBe(true);
    });

    test('THEN a handler answers 503 and logs that the time ran out, not that the service stayed throttled', async () => {
      const { apiHandler, route, getSecret } = coldStart();
      const logger = quietLogger();
      const warn = jest.spyOn(logger, 'warn');
      const handler = apiHandler({
        logger,
        routes: {
          'GET /partner': route({
            handle: async () => ({ status: 200, body: { token: await getSecret('PARTNER_TOKEN') } }),
          }),
        },
      });
      const end = Date.now() + 800;

      const result = parse(
        await handler(httpApiEvent('GET /partner'), {
          awsRequestId: 'secrets-deadline',
          getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
        }),
      );

      expect(result.statusCode).toBe(503);
      expect(warn).toHaveBeenCalledWith(
        "answered 503: a dependency had not answered when the function's time ran out",
        expect.objectContaining({ routeKey: 'GET /partner' }),
      );
    });
  });
});
