/**
 * The webhooks function of the example, over HTTP through the local API: its real bundle behind the gateway's
 * public route (and its throttle), reading the signing secret from the local Secrets Manager at run time (its
 * variable holds the secret's ARN), its table and secret calls checked against its IAM role. The tests at the end invoke the handler in this process instead, each block
 * saying what only that can give.
 */
import { createHmac } from 'crypto';
import { BASE64_JSON, problemOf, request, startExample, type HttpResult } from './example-api';
import {
  epochSeconds,
  httpEvent,
  invoke,
  loadHandler,
  PROBLEM_JSON,
  problemBody,
  startExampleSecrets,
  startExampleTable,
  WEBHOOK_SECRET,
  type ExampleHandler,
  type ExampleSecrets,
} from './task-board';
import {
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_SIGNING_SECRET_ENV,
} from '../../integ/task-board/handlers/lib/webhook-signature';
import type { LocalApi } from '../../src/testing';
import type { LocalTable } from '../helpers/local-dynamodb';

const THIRTY_DAYS_SECONDS = 30 * 24 * 60 * 60;
const SEVEN_DAYS_SECONDS = 7 * 24 * 60 * 60;
const ROUTE = 'POST /webhooks/{provider}';
const BAD_SIGNATURE = 'missing or invalid `x-webhook-signature` header';
const KEY_REUSED =
  'this idempotency key was used with another request (method, path or body): use a new key for a new request';
const PROVIDER_RULE = 'must be 1 to 32 lowercase letters, digits or "-"';

let api: LocalApi;

beforeAll(async () => {
  api = await startExample();
}, 60_000); // synthesizes and bundles the example stack: slow on a busy machine

afterAll(async () => {
  await api?.stop();
});

/** Signs like a provider would: hex HMAC-SHA256 of the exact request bytes. */
function sign(body: string | Buffer, secret = WEBHOOK_SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

interface DeliveryOptions {
  /** The signature header; the body's signature under the test secret when not given, none when undefined. */
  readonly signature?: string;
  /** @default application/json */
  readonly contentType?: string;
}

/** Delivers `body` to `provider`, signed with the test secret unless a signature is given. */
function deliver(provider: string, body: string, options: DeliveryOptions = {}) {
  const signature = 'signature' in options ? options.signature : sign(body);
  return request(api, 'POST', `/webhooks/${encodeURIComponent(provider)}`, {
    body,
    contentType: options.contentType ?? 'application/json',
    headers: signature === undefined ? {} : { [WEBHOOK_SIGNATURE_HEADER]: signature },
  });
}

/** The whole answer, for `toEqual`. */
function answer(result: HttpResult) {
  return { status: result.status, headers: result.headers, body: result.body };
}

function storedEvent(provider: string, eventId: string) {
  return api.table.get({ PK: `WEBHOOK#${provider}`, SK: `EVENT#${eventId}` });
}

async function deliveryRecords() {
  return (await api.table.items()).filter((item) => String(item.PK).startsWith('IDEMPOTENCY#webhooks#'));
}

const UNSIGNED_BODY = JSON.stringify({ id: 'evt_unsigned', type: 'ping' });

/** A well-formed delivery's signature header values that are not its valid signature (undefined: no header). */
function unsignedDeliveries(): [string, string | undefined][] {
  return [
    ['no signature', undefined],
    ['an empty signature', ''],
    ['the signature of another body', sign('{"id":"evt_other","type":"ping"}')],
    ['a signature made with another secret', sign(UNSIGNED_BODY, 'another-secret')],
    ['a truncated signature', sign(UNSIGNED_BODY).slice(0, 63)],
    ['a signature with a byte appended', `${sign(UNSIGNED_BODY)}00`],
    ['a signature that is not hex', 'z'.repeat(64)],
    ['a base64 signature', createHmac('sha256', WEBHOOK_SECRET).update(UNSIGNED_BODY).digest('base64')],
    ['a "sha256=" prefixed signature', `sha256=${sign(UNSIGNED_BODY)}`],
  ];
}

describe('POST /webhooks/{provider}', () => {
  test('accepts a first delivery with 202, records the event for 30 days and the delivery for 7', async () => {
    const before = epochSeconds();
    const recordsBefore = await deliveryRecords();

    // WHEN a signed delivery arrives
    const result = await deliver('stripe', JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { amount: 1 } }));

    // THEN it is accepted
    const after = epochSeconds();
    expect(answer(result)).toEqual({
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: { status: 'accepted' },
    });

    // AND the event is recorded once, to outlast the provider's retries
    const stored = await storedEvent('stripe', 'evt_1');
    expect(stored).toEqual({
      PK: 'WEBHOOK#stripe',
      SK: 'EVENT#evt_1',
      entityType: 'WebhookEvent',
      provider: 'stripe',
      eventId: 'evt_1',
      type: 'invoice.paid',
      receivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      expiresAt: expect.any(Number),
      version: 1,
      _writeId: expect.any(String),
    });
    expect(stored!.expiresAt).toBeGreaterThanOrEqual(before + THIRTY_DAYS_SECONDS);
    expect(stored!.expiresAt).toBeLessThanOrEqual(after + THIRTY_DAYS_SECONDS);

    // AND the delivery's answer is kept for replay
    const records = await deliveryRecords();
    expect(records).toHaveLength(recordsBefore.length + 1);
    const record = records.find((item) => !recordsBefore.some((old) => old.PK === item.PK))!;
    expect(record).toEqual({
      PK: expect.stringMatching(/^IDEMPOTENCY#webhooks#[A-Za-z0-9_-]{43}$/),
      SK: 'RECORD',
      status: 'COMPLETED',
      fingerprint: expect.any(String),
      owner: expect.any(String),
      response: { statusCode: 202, headers: { 'content-type': 'application/json' }, body: '{"status":"accepted"}' },
      expiresAt: expect.any(Number),
    });
    expect(record.expiresAt as number).toBeGreaterThanOrEqual(before + SEVEN_DAYS_SECONDS);
    expect(record.expiresAt as number).toBeLessThanOrEqual(after + SEVEN_DAYS_SECONDS);
  });

  test("reads the signing secret at run time: its variable holds the secret's ARN, never the value", async () => {
    // GIVEN the function as the local API read it from the stack
    const webhooks = Object.values(api.model.functions).find((fn) => fn.name === 'webhooks')!;
    const secret = api.model.secrets!.find((s) => s.name === 'WebhookSigningSecret')!;

    // THEN its variable holds the ARN of the secret, which has the value the test gave
    expect(webhooks.environment[WEBHOOK_SIGNING_SECRET_ENV]).toBe(secret.arn);
    expect(secret.arn).toMatch(
      /^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:TaskBoard-WebhookSigningSecret\w+-\w{6}$/,
    );
    expect(Object.values(webhooks.environment)).not.toContain(WEBHOOK_SECRET);

    // AND a signed delivery is accepted, its role allowed to read the secret
    expect((await deliver('github', JSON.stringify({ id: 'evt_secret', type: 'ping' }))).status).toBe(202);
    expect(api.logs.filter((line) => line.includes('DENIED'))).toEqual([]);
  });

  test('replays 202 to a repeated delivery, marked as a replay, only trying the conditional claim of its record', async () => {
    // GIVEN a delivered event
    const body = JSON.stringify({ id: 'evt_2', type: 'first' });
    const first = await deliver('stripe', body);
    expect(first.status).toBe(202);
    const items = await api.table.items();

    // WHEN the provider delivers it again, byte for byte, while the table records the function's calls
    const { result, calls } = await api.table.record(() => deliver('stripe', body));

    // THEN it gets the first answer back, and nothing is written
    expect(answer(result)).toEqual({
      status: 202,
      headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
      body: { status: 'accepted' },
    });
    expect(await api.table.items()).toEqual(items);

    // AND its only call is the claim of the delivery record, which failed its condition and, as DynamoDB does for
    // ReturnValuesOnConditionCheckFailure: ALL_OLD, returned the stored record: no read follows
    expect(calls).toEqual([
      expect.objectContaining({
        function: 'webhooks',
        operation: 'PutItem',
        status: 400,
        errorType: 'ConditionalCheckFailedException',
        input: expect.objectContaining({
          Item: expect.objectContaining({ PK: { S: expect.stringMatching(/^IDEMPOTENCY#webhooks#/) } }),
          ConditionExpression: expect.stringMatching(/^attribute_not_exists\(#pk\)/),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      }),
    ]);
  });

  test('answers 422 to a delivery reusing an event id with another body, keeping the first event', async () => {
    // GIVEN a delivered event
    expect((await deliver('stripe', JSON.stringify({ id: 'evt_3', type: 'first' }))).status).toBe(202);
    const first = await storedEvent('stripe', 'evt_3');
    const records = await deliveryRecords();

    // WHEN another signed body arrives under the same event id
    const result = await deliver('stripe', JSON.stringify({ id: 'evt_3', type: 'second' }));

    // THEN it is refused as a different request, and neither record changes
    expect(result.status).toBe(422);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON });
    expect(result.body).toEqual(problemOf(result, 422, KEY_REUSED));
    expect(await storedEvent('stripe', 'evt_3')).toEqual(first);
    expect(await deliveryRecords()).toEqual(records);
  });

  test('answers a repeat that outlived its delivery record as the first delivery (202), rewriting nothing', async () => {
    // GIVEN a delivered event whose delivery record has expired (TTL has not deleted it yet)
    const body = JSON.stringify({ id: 'evt_late', type: 'late' });
    const records = await deliveryRecords();
    expect((await deliver('stripe', body)).status).toBe(202);
    const record = (await deliveryRecords()).find((item) => !records.some((old) => old.PK === item.PK))!;
    await api.table.put({ ...record, expiresAt: epochSeconds() - 1 });
    const first = await storedEvent('stripe', 'evt_late');

    // WHEN the provider delivers it again
    const result = await deliver('stripe', body);

    // THEN the event record carries the write of this very delivery (same event id, same body): done, as before
    expect(answer(result)).toEqual({
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: { status: 'accepted' },
    });
    expect(await storedEvent('stripe', 'evt_late')).toEqual(first);
  });

  test('answers 200 "duplicate" to another body under a known event id once its delivery record expired', async () => {
    // GIVEN a delivered event whose delivery record has expired
    const records = await deliveryRecords();
    expect((await deliver('stripe', JSON.stringify({ id: 'evt_changed', type: 'first' }))).status).toBe(202);
    const record = (await deliveryRecords()).find((item) => !records.some((old) => old.PK === item.PK))!;
    await api.table.put({ ...record, expiresAt: epochSeconds() - 1 });
    const first = await storedEvent('stripe', 'evt_changed');

    // WHEN a delivery with the same id and another body arrives
    const result = await deliver('stripe', JSON.stringify({ id: 'evt_changed', type: 'second' }));

    // THEN the event record, create-once, tells it apart: success for the provider, nothing rewritten
    expect(answer(result)).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { status: 'duplicate' },
    });
    expect(await storedEvent('stripe', 'evt_changed')).toEqual(first);
  });

  test('keeps events of different providers apart', async () => {
    const body = JSON.stringify({ id: 'evt_same', type: 'ping' });

    expect((await deliver('github', body)).status).toBe(202);
    const second = await deliver('gitlab', body);

    expect(second.status).toBe(202);
    expect(second.headers).not.toHaveProperty('idempotent-replayed');
    expect(await storedEvent('github', 'evt_same')).toBeDefined();
    expect(await storedEvent('gitlab', 'evt_same')).toBeDefined();
  });

  // A JSON media type API Gateway does not treat as text reaches the function base64-encoded: the signature is of
  // the bytes the provider sent, not of their encoding.
  test('checks the signature of the decoded bytes of a body API Gateway passes base64-encoded', async () => {
    const body = JSON.stringify({ id: 'evt_b64', type: 'binary' });
    const encoded = Buffer.from(body).toString('base64');

    const signedEncoding = await deliver('stripe', body, { contentType: BASE64_JSON, signature: sign(encoded) });
    expect(signedEncoding.status).toBe(401);
    expect(signedEncoding.body).toEqual(problemOf(signedEncoding, 401, BAD_SIGNATURE));

    const signedBytes = await deliver('stripe', body, { contentType: BASE64_JSON, signature: sign(body) });
    expect(signedBytes.status).toBe(202);
    expect(await storedEvent('stripe', 'evt_b64')).toMatchObject({ type: 'binary' });
  });

  test.each([
    ['of the longest length the body schema accepts (256 characters)', 'e'.repeat(256)],
    ['holding a space', 'evt 1'],
    ['holding a non-ASCII character', 'évt_1'],
  ])('accepts a signed event whose id is %s, once', async (_, id) => {
    // GIVEN an event id the delivery schema accepts (1 to 256 characters, any string)
    const body = JSON.stringify({ id, type: 'ping' });

    // WHEN it is delivered twice
    const first = await deliver('acme', body);
    const repeat = await deliver('acme', body);

    // THEN it is accepted and recorded, and the repeat replayed: the provider never sees a 4xx for an event it
    // sent correctly (nor one about an \`idempotency-key\` header it never sent)
    expect(first.body).toEqual({ status: 'accepted' });
    expect(first.status).toBe(202);
    expect(await storedEvent('acme', id)).toMatchObject({ eventId: id });
    expect(repeat.status).toBe(202);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
  });

  test('accepts an upper-case hex signature', async () => {
    const body = JSON.stringify({ id: 'evt_upper', type: 'ping' });

    expect((await deliver('stripe', body, { signature: sign(body).toUpperCase() })).status).toBe(202);
  });

  test.each(unsignedDeliveries())(
    'answers 401 to a valid body with %s and reaches nothing of the table, not even a delivery record',
    async (_, signature) => {
      // GIVEN the table as it is
      const before = await api.table.items();

      // WHEN a well-formed delivery arrives without a valid signature, while the table records the function's calls
      const { result, calls } = await api.table.record(() => deliver('stripe', UNSIGNED_BODY, { signature }));

      // THEN it is refused without a single table call, and nothing is written
      expect(answer(result)).toEqual({
        status: 401,
        headers: { 'content-type': PROBLEM_JSON },
        body: problemOf(result, 401, BAD_SIGNATURE),
      });
      expect(calls).toEqual([]);
      expect(await api.table.items()).toEqual(before);
      expect(await storedEvent('stripe', 'evt_unsigned')).toBeUndefined();
    },
  );

  test('lets a provider deliver an event after an unsigned copy of it was refused', async () => {
    // GIVEN an unsigned copy of an event, refused
    const body = JSON.stringify({ id: 'evt_after_forgery', type: 'ping' });
    expect((await deliver('stripe', body, { signature: undefined })).status).toBe(401);

    // WHEN the provider delivers the real one
    const result = await deliver('stripe', body);

    // THEN it is processed, not replayed or blocked
    expect(result.status).toBe(202);
    expect(result.headers).not.toHaveProperty('idempotent-replayed');
    expect(await storedEvent('stripe', 'evt_after_forgery')).toBeDefined();
  });

  test.each([
    ['malformed JSON', '{"id": "evt_bad", ', expect.stringMatching(/^the request body is not valid JSON: /), undefined],
    ['an empty body', '', 'the request body is empty: send a JSON document', undefined],
    [
      'a JSON array',
      '[{"id":"evt_bad","type":"ping"}]',
      'the request body is invalid: `body`: Invalid input: expected object, received array',
      [['body', 'Invalid input: expected object, received array']],
    ],
    [
      'no id',
      '{"type":"ping"}',
      'the request body is invalid: `body.id`: Invalid input: expected string, received undefined',
      [['body.id', 'Invalid input: expected string, received undefined']],
    ],
    [
      'a numeric id',
      '{"id":42,"type":"ping"}',
      'the request body is invalid: `body.id`: Invalid input: expected string, received number',
      [['body.id', 'Invalid input: expected string, received number']],
    ],
    [
      'an empty id',
      '{"id":"","type":"ping"}',
      'the request body is invalid: `body.id`: Too small: expected string to have >=1 characters',
      [['body.id', 'Too small: expected string to have >=1 characters']],
    ],
    [
      'an id over 256 characters',
      JSON.stringify({ id: 'e'.repeat(257), type: 'ping' }),
      'the request body is invalid: `body.id`: Too big: expected string to have <=256 characters',
      [['body.id', 'Too big: expected string to have <=256 characters']],
    ],
    [
      'no type',
      '{"id":"evt_bad"}',
      'the request body is invalid: `body.type`: Invalid input: expected string, received undefined',
      [['body.type', 'Invalid input: expected string, received undefined']],
    ],
    [
      'a type over 128 characters',
      JSON.stringify({ id: 'evt_bad', type: 't'.repeat(129) }),
      'the request body is invalid: `body.type`: Too big: expected string to have <=128 characters',
      [['body.type', 'Too big: expected string to have <=128 characters']],
    ],
  ])('answers 400 to a signed body with %s and writes nothing', async (_, body, detail, fields) => {
    const before = await api.table.items();

    const result = await deliver('stripe', body);

    expect(result.status).toBe(400);
    expect(result.headers).toEqual({ 'content-type': PROBLEM_JSON });
    const extensions = fields === undefined ? {} : { errors: fields.map(([field, message]) => ({ field, message })) };
    expect(result.body).toEqual(problemOf(result, 400, detail, extensions));
    expect(await api.table.items()).toEqual(before);
  });

  test.each(['Stripe', 'stripe_payments', 'a'.repeat(33), 'web#hook'])(
    'answers 400 to provider %p and writes nothing',
    async (provider) => {
      const before = await api.table.items();

      const result = await deliver(provider, JSON.stringify({ id: 'evt_provider', type: 'ping' }));

      expect(result.status).toBe(400);
      expect(result.body).toEqual(
        problemOf(result, 400, `the request path is invalid: \`path.provider\`: ${PROVIDER_RULE}`, {
          errors: [{ field: 'path.provider', message: PROVIDER_RULE }],
        }),
      );
      expect(await api.table.items()).toEqual(before);
    },
  );
});

// ----------------------------------------------------------------------------------------------------------------
// In process: the handler loaded in this test's process with the function's environment, called with the events
// API Gateway would send, against a table in this process. Each block says what LocalApi cannot give it.

describe('in process', () => {
  let table: LocalTable;
  let secrets: ExampleSecrets;
  let handler: ExampleHandler;

  beforeAll(async () => {
    table = await startExampleTable();
    // The handler reads the secret from a Secrets Manager of this process, by the ARN its variable holds.
    secrets = await startExampleSecrets();
    handler = loadHandler('webhooks', secrets.environment);
  }, 60_000); // synthesizes the example stack and loads the handler: slow on a busy machine

  afterAll(async () => {
    await table?.close();
    await secrets?.close();
  });

  /** `body` to `provider` as API Gateway passes it, signed with the test secret unless a signature is given. */
  function deliverTo(to: ExampleHandler, body: string, options: Pick<DeliveryOptions, 'signature'> = {}) {
    const signature = 'signature' in options ? options.signature : sign(body);
    return invoke(
      to,
      httpEvent(ROUTE, {
        pathParameters: { provider: 'stripe' },
        headers: signature === undefined ? {} : { [WEBHOOK_SIGNATURE_HEADER]: signature },
        body,
      }),
    );
  }

  // These start the function without the secret's variable, or with an empty secret, or rotate the secret, and read
  // the console of its process; the local API runs the function with the variable the stack declares and the
  // values given to it.
  describe('webhooks handler configuration', () => {
    test('refuses every delivery with a generic 500 when the signing secret is not declared', async () => {
      // GIVEN a copy of the handler started without the secret's variable, logging to the console
      const unconfigured = loadHandler('webhooks', {
        ...secrets.environment,
        [WEBHOOK_SIGNING_SECRET_ENV]: undefined,
        POWERTOOLS_DEV: 'true',
      });
      const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
      const before = await table.items();
      const body = JSON.stringify({ id: 'evt_no_secret', type: 'ping' });

      try {
        // WHEN deliveries arrive signed with an empty key (the one secret an unconfigured function could know),
        // and unsigned
        const signedWithEmpty = await deliverTo(unconfigured, body, { signature: sign(body, '') });
        const unsigned = await deliverTo(unconfigured, body, { signature: undefined });

        // THEN both are refused with a 500 that says nothing of the cause, and nothing is written
        for (const result of [signedWithEmpty, unsigned]) {
          expect(result).toEqual({
            statusCode: 500,
            headers: { 'content-type': PROBLEM_JSON },
            body: problemBody(500, 'the request failed; quote the request id when reporting it'),
          });
        }
        expect(await table.items()).toEqual(before);

        // AND the configuration error is logged with each request id
        expect(errors).toHaveBeenCalledTimes(2);
        const log = JSON.parse(errors.mock.calls[0][0] as string);
        expect(log).toMatchObject({
          level: 'ERROR',
          message: 'request failed',
          requestId: signedWithEmpty.body.requestId,
          routeKey: ROUTE,
          error: {
            message: `environment variable ${WEBHOOK_SIGNING_SECRET_ENV} is not set: declare the secret in the function's \`secrets\` in the stack ({ ${WEBHOOK_SIGNING_SECRET_ENV}: secret })`,
          },
        });
      } finally {
        errors.mockRestore();
      }
    });

    test('refuses every delivery with a generic 500 when the signing secret is empty', async () => {
      const empty = await startExampleSecrets('');
      const unconfigured = loadHandler('webhooks', { ...empty.environment, POWERTOOLS_DEV: 'true' });
      const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
      const body = JSON.stringify({ id: 'evt_empty_secret', type: 'ping' });

      try {
        const result = await deliverTo(unconfigured, body, { signature: sign(body, '') });

        expect(result.statusCode).toBe(500);
        expect(JSON.parse(errors.mock.calls[0][0] as string).error.message).toBe(
          `secret ${WEBHOOK_SIGNING_SECRET_ENV} is empty: every webhook is refused`,
        );
        expect(await table.items()).not.toContainEqual(expect.objectContaining({ SK: 'EVENT#evt_empty_secret' }));
      } finally {
        errors.mockRestore();
        await empty.close();
      }
    });

    test('reads the secret once while it is cached, and once more when a signature fails after a rotation', async () => {
      // GIVEN a fresh copy of the handler and its own secret
      const rotating = await startExampleSecrets();
      const fresh = loadHandler('webhooks', rotating.environment);
      try {
        // WHEN two deliveries signed with the secret arrive THEN one GetSecretValue serves both
        for (const id of ['evt_rot_1', 'evt_rot_2']) {
          expect((await deliverTo(fresh, JSON.stringify({ id, type: 'ping' }))).statusCode).toBe(202);
        }
        expect(rotating.calls).toHaveLength(1);

        // WHEN the provider rotates the secret and signs with the new one
        rotating.rotate('rotated-signing-secret');
        const rotatedBody = JSON.stringify({ id: 'evt_rot_3', type: 'ping' });
        const rotated = await deliverTo(fresh, rotatedBody, { signature: sign(rotatedBody, 'rotated-signing-secret') });

        // THEN the failed signature fetched the secret again, and the delivery is accepted
        expect(rotated.statusCode).toBe(202);
        expect(rotating.calls).toHaveLength(2);

        // AND a forged delivery within the minute is refused without another call: forgeries cannot drive them
        const forged = await deliverTo(fresh, rotatedBody, { signature: sign(rotatedBody, 'forged') });
        expect(forged.statusCode).toBe(401);
        expect(rotating.calls).toHaveLength(2);
      } finally {
        await rotating.close();
      }
    });
  });

  // The gateway answers a method the API does not declare itself (404), so only a direct call reaches the
  // handler's own routing.
  test('answers 404 to a route it does not serve', async () => {
    const result = await invoke(handler, httpEvent('GET /webhooks/{provider}', { pathParameters: { provider: 'x' } }));

    expect(result).toEqual({
      statusCode: 404,
      headers: { 'content-type': PROBLEM_JSON },
      body: problemBody(404, 'no route matches GET /webhooks/x'),
    });
  });
});
