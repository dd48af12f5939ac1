import { createHmac } from 'crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  epochSeconds,
  httpEvent,
  invoke,
  requireHandler,
  startLocalTable,
  TABLE_NAME,
  withEnv,
  type HttpApiHandler,
  type LocalTable,
} from './local-table';
import { WEBHOOK_SIGNING_SECRET_ENV } from '../../integ/task-board/handlers/lib/webhook-signature';

const SECRET = 'test-signing-secret';
const THIRTY_DAYS_SECONDS = 30 * 24 * 60 * 60;
const ROUTE = 'POST /webhooks/{provider}';
const BAD_SIGNATURE = { message: 'missing or invalid `x-webhook-signature` header' };

let table: LocalTable;
let handler: HttpApiHandler;

beforeAll(async () => {
  table = await startLocalTable();
  process.env[WEBHOOK_SIGNING_SECRET_ENV] = SECRET;
  handler = requireHandler('webhooks');
});

afterAll(async () => {
  await table.close();
});

/** Signs like a provider would: hex HMAC-SHA256 of the exact request bytes. */
function sign(body: string | Buffer, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

interface DeliveryOptions {
  readonly signature?: string;
  readonly isBase64Encoded?: boolean;
}

/** Delivers `body` to `provider`, signed with the test secret unless a signature is given. */
function deliver(provider: string, body: string, options: DeliveryOptions = {}, to: HttpApiHandler = handler) {
  const signature = 'signature' in options ? options.signature : sign(body);
  return invoke(
    to,
    httpEvent(ROUTE, {
      pathParameters: { provider },
      headers: signature === undefined ? {} : { 'x-webhook-signature': signature },
      body,
      isBase64Encoded: options.isBase64Encoded,
    }),
  );
}

async function storedEvent(provider: string, eventId: string) {
  const result = await table.client.send(
    new GetCommand({ TableName: TABLE_NAME, Key: { PK: `WEBHOOK#${provider}`, SK: `EVENT#${eventId}` } }),
  );
  return result.Item;
}

describe('POST /webhooks/{provider}', () => {
  test('accepts a first delivery with 202 and records it for 30 days', async () => {
    const before = epochSeconds();

    const result = await deliver('stripe', JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { amount: 1 } }));

    const after = epochSeconds();
    expect(result).toEqual({
      statusCode: 202,
      headers: { 'content-type': 'application/json' },
      body: { status: 'accepted' },
    });
    const stored = await storedEvent('stripe', 'evt_1');
    expect(stored).toEqual({
      PK: 'WEBHOOK#stripe',
      SK: 'EVENT#evt_1',
      entityType: 'WebhookEvent',
      provider: 'stripe',
      eventId: 'evt_1',
      type: 'invoice.paid',
      receivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      expiresAt: expect.any(Number),
    });
    expect(stored!.expiresAt).toBeGreaterThanOrEqual(before + THIRTY_DAYS_SECONDS);
    expect(stored!.expiresAt).toBeLessThanOrEqual(after + THIRTY_DAYS_SECONDS);
  });

  test('answers a repeated delivery with 200 "duplicate" and keeps the first record', async () => {
    expect((await deliver('stripe', JSON.stringify({ id: 'evt_2', type: 'first' }))).statusCode).toBe(202);
    const first = await storedEvent('stripe', 'evt_2');

    const result = await deliver('stripe', JSON.stringify({ id: 'evt_2', type: 'second' }));

    expect(result).toMatchObject({ statusCode: 200, body: { status: 'duplicate' } });
    expect(await storedEvent('stripe', 'evt_2')).toEqual(first);
  });

  test('records concurrent deliveries of one event exactly once', async () => {
    const body = JSON.stringify({ id: 'evt_race', type: 'raced' });

    const results = await Promise.all(Array.from({ length: 6 }, () => deliver('stripe', body)));

    const statuses = results.map((result) => result.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 202]);
    expect((await table.items()).filter((item) => item.SK === 'EVENT#evt_race')).toHaveLength(1);
  });

  test('keeps events of different providers apart', async () => {
    const body = JSON.stringify({ id: 'evt_same', type: 'ping' });

    expect((await deliver('github', body)).statusCode).toBe(202);
    expect((await deliver('gitlab', body)).statusCode).toBe(202);
    expect(await storedEvent('github', 'evt_same')).toBeDefined();
    expect(await storedEvent('gitlab', 'evt_same')).toBeDefined();
  });

  test('checks the signature of the decoded bytes of a base64-encoded body', async () => {
    const body = JSON.stringify({ id: 'evt_b64', type: 'binary' });
    const encoded = Buffer.from(body).toString('base64');

    const signedEncoding = await deliver('stripe', encoded, { isBase64Encoded: true, signature: sign(encoded) });
    expect(signedEncoding).toMatchObject({ statusCode: 401, body: BAD_SIGNATURE });

    const signedBytes = await deliver('stripe', encoded, { isBase64Encoded: true, signature: sign(body) });
    expect(signedBytes.statusCode).toBe(202);
    expect(await storedEvent('stripe', 'evt_b64')).toMatchObject({ type: 'binary' });
  });

  test('accepts an upper-case hex signature', async () => {
    const body = JSON.stringify({ id: 'evt_upper', type: 'ping' });

    expect((await deliver('stripe', body, { signature: sign(body).toUpperCase() })).statusCode).toBe(202);
  });

  const validBody = JSON.stringify({ id: 'evt_unsigned', type: 'ping' });
  test.each([
    ['no signature', undefined],
    ['an empty signature', ''],
    ['the signature of another body', sign('{"id":"evt_other","type":"ping"}')],
    ['a signature made with another secret', sign(validBody, 'another-secret')],
    ['a truncated signature', sign(validBody).slice(0, 63)],
    ['a signature that is not hex', 'z'.repeat(64)],
    ['a base64 signature', createHmac('sha256', SECRET).update(validBody).digest('base64')],
  ])('answers 401 to a delivery with %s and writes nothing', async (_, signature) => {
    const before = await table.items();

    const result = await deliver('stripe', validBody, { signature });

    expect(result).toEqual({
      statusCode: 401,
      headers: { 'content-type': 'application/json' },
      body: BAD_SIGNATURE,
    });
    expect(await table.items()).toEqual(before);
  });

  const eventRule = (field: string, max: number) =>
    `\`${field}\` must be a non-empty string of at most ${max} characters`;
  test.each([
    ['malformed JSON', '{"id": "evt_bad", ', 'request body must be valid JSON'],
    ['an empty body', '', 'request body is required: send a JSON object'],
    ['a JSON array', '[{"id":"evt_bad","type":"ping"}]', 'request body must be a JSON object'],
    ['no id', '{"type":"ping"}', eventRule('id', 256)],
    ['a numeric id', '{"id":42,"type":"ping"}', eventRule('id', 256)],
    ['an empty id', '{"id":"","type":"ping"}', eventRule('id', 256)],
    ['an id over 256 characters', JSON.stringify({ id: 'e'.repeat(257), type: 'ping' }), eventRule('id', 256)],
    ['no type', '{"id":"evt_bad"}', eventRule('type', 128)],
    ['a type over 128 characters', JSON.stringify({ id: 'evt_bad', type: 't'.repeat(129) }), eventRule('type', 128)],
  ])('answers 400 to a signed body with %s and writes nothing', async (_, body, message) => {
    const before = await table.items();

    const result = await deliver('stripe', body);

    expect(result).toMatchObject({ statusCode: 400, body: { message } });
    expect(await table.items()).toEqual(before);
  });

  test.each(['Stripe', 'stripe_payments', 'a'.repeat(33), 'web#hook'])(
    'answers 400 to provider %p and writes nothing',
    async (provider) => {
      const before = await table.items();

      const result = await deliver(provider, JSON.stringify({ id: 'evt_provider', type: 'ping' }));

      expect(result.statusCode).toBe(400);
      expect(result.body).toEqual({
        message: `\`provider\` must be 1 to 32 lowercase letters, digits or "-", got: ${provider}`,
      });
      expect(await table.items()).toEqual(before);
    },
  );

  test('refuses every delivery with a generic 500 when the signing secret is not configured', async () => {
    // GIVEN a copy of the handler started without the signing secret
    let unconfigured: HttpApiHandler | undefined;
    await withEnv({ [WEBHOOK_SIGNING_SECRET_ENV]: undefined }, () => {
      jest.isolateModules(() => {
        unconfigured = requireHandler('webhooks');
      });
    });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    const before = await table.items();
    const body = JSON.stringify({ id: 'evt_no_secret', type: 'ping' });

    try {
      // WHEN a delivery arrives signed with an empty key, the one secret an unconfigured function could know
      const result = await deliver('stripe', body, { signature: sign(body, '') }, unconfigured);

      // THEN it is refused, nothing is written, and the configuration error is logged with the request id
      expect(result).toEqual({
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: { message: 'internal server error' },
      });
      expect(await table.items()).toEqual(before);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(errors.mock.calls[0][0]).toMatch(/^request request-\d+ failed on route "POST \/webhooks\/\{provider\}"$/);
      expect(errors.mock.calls[0][1]).toMatchObject({
        message: `environment variable ${WEBHOOK_SIGNING_SECRET_ENV} is not set: every webhook is refused`,
      });
    } finally {
      errors.mockRestore();
    }
  });

  test('answers 404 to a route it does not serve', async () => {
    const result = await invoke(handler, httpEvent('GET /webhooks/{provider}', { pathParameters: { provider: 'x' } }));

    expect(result).toMatchObject({ statusCode: 404, body: { message: 'no route matches "GET /webhooks/{provider}"' } });
  });
});
