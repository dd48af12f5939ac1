import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import * as z from 'zod';
import { lambdaContext } from './aws-events';
import {
  httpApiEvent,
  jwtAuthorizer,
  parse,
  quietLogger,
  rejectionOf,
  startRuntimeTable,
  thrownBy,
  type RuntimeTable,
} from './util';
import { withDeadline } from '../../src/runtime/deadline';
import { DEFAULT_MAX_MESSAGE_BYTES, Queues, readQueuesConfig, type QueuesOptions } from '../../src/runtime/enqueue';
import { apiHandler, route } from '../../src/runtime/handler';
import { HttpError } from '../../src/runtime/problem';
import { created } from '../../src/runtime/response';
import { MessageTooLargeError } from '../../src/runtime/senders';
import { sqsWorker } from '../../src/runtime/worker-sqs';
import { withIdempotentWrites } from '../../src/runtime/write-ids';
import { QUEUES_ENV } from '../../src/shared/env';
import { MESSAGE_ID_ATTRIBUTE } from '../../src/shared/messages';
import { startLocalMessaging, type LocalMessaging } from '../helpers/local-messaging';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let rt: RuntimeTable;
let sqs: LocalMessaging;
let saved: NodeJS.ProcessEnv;
let queues: Queues;

beforeAll(async () => {
  saved = { ...process.env };
  rt = await startRuntimeTable();
  sqs = await startLocalMessaging({
    emails: { fifo: false },
    'orders.fifo': { fifo: true },
    large: { fifo: false, maxMessageBytes: 1024 * 1024 },
  });
  // The variable ServerlessApi sets: declared names, the queues' URLs (here the local server's) and their kind.
  process.env[QUEUES_ENV] = JSON.stringify({
    emails: { url: sqs.url('emails'), fifo: false },
    orders: { url: sqs.url('orders.fifo'), fifo: true },
    large: { url: sqs.url('large'), fifo: false },
  });
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  queues = Queues.fromEnvironment(fastRetries());
});

afterAll(async () => {
  queues.client.destroy();
  await sqs.close();
  await rt.close();
  process.env = saved;
});

beforeEach(() => sqs.clear());

function fastRetries(options: QueuesOptions = {}): QueuesOptions {
  return { retryStrategy: new ConfiguredRetryStrategy(3, () => 0), ...options };
}

describe('Queues.enqueue', () => {
  it('sends the body as JSON with the message id as a String attribute, over the SQS JSON protocol', async () => {
    const sent = await queues.enqueue('emails', { to: 'ada@example.com', template: 'welcome' });

    expect(sent.id).toMatch(UUID_V4);
    const [message] = sqs.messages('emails');
    expect(sent.sqsMessageId).toBe(message.messageId);
    expect(JSON.parse(message.body)).toEqual({ to: 'ada@example.com', template: 'welcome' });
    expect(message.messageAttributes).toEqual({ [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: sent.id } });
    expect(sqs.requests.map((r) => r.operation)).toEqual(['SendMessage']);
    expect(sqs.requests[0].input).not.toHaveProperty('MessageDeduplicationId');
  });

  it('gives every message a new random id outside an idempotent request', async () => {
    const [a, b] = await Promise.all([queues.enqueue('emails', 1), queues.enqueue('emails', 1)]);
    expect(a.id).not.toBe(b.id);
  });

  it('takes a message id of your own', async () => {
    const sent = await queues.enqueue('emails', {}, { id: 'order-7/confirmation' });
    expect(sent.id).toBe('order-7/confirmation');
    expect(sqs.messages('emails')[0].messageAttributes[MESSAGE_ID_ATTRIBUTE].StringValue).toBe('order-7/confirmation');
  });

  it('sends a delay and a group (fair queues) on a standard queue', async () => {
    await queues.enqueue('emails', {}, { delaySeconds: 900, groupId: 'tenant-1' });
    expect(sqs.requests[0].input).toEqual(expect.objectContaining({ DelaySeconds: 900, MessageGroupId: 'tenant-1' }));
  });

  it('refuses a queue the function was not given, naming those it has, before sending anything', async () => {
    const error = await rejectionOf(queues.enqueue('invoices', {}));
    expect(error.message).toBe(
      'this function has no queue "invoices": name it among the queues the function sends to in the stack (it has: emails, orders, large)',
    );
    expect(sqs.requests).toEqual([]);
  });

  it('refuses a body JSON cannot represent', async () => {
    expect((await rejectionOf(queues.enqueue('emails', undefined))).message).toBe(
      `the message to queue "emails"'s body must be a JSON value, got: undefined`,
    );
    expect((await rejectionOf(queues.enqueue('emails', { n: 1n }))).message).toMatch(
      /^the message to queue "emails"'s body must be JSON-serializable: /,
    );
  });

  it.each([
    [{ delaySeconds: 901 }, '`delaySeconds` must be a whole number from 0 to 900, got: 901'],
    [{ delaySeconds: 1.5 }, '`delaySeconds` must be a whole number from 0 to 900, got: 1.5'],
    [{ groupId: '' }, '`groupId` must be 1 to 128 visible ASCII characters, got: ""'],
    [{ id: 'with space' }, '`id` must be 1 to 128 visible ASCII characters, got: "with space"'],
    [{ id: 'x'.repeat(129) }, `\`id\` must be 1 to 128 visible ASCII characters, got: "${'x'.repeat(129)}"`],
  ])('refuses %j', async (options, message) => {
    expect((await rejectionOf(queues.enqueue('emails', {}, options))).message).toBe(message);
    expect(sqs.requests).toEqual([]);
  });
});

describe('Queues.enqueue to a FIFO queue', () => {
  it('needs a group id', async () => {
    const error = await rejectionOf(queues.enqueue('orders', { orderId: 'o-1' }));
    expect(error.message).toBe(
      'queue "orders" is a FIFO queue: pass `groupId` (the messages of one group are received in order, one at a time)',
    );
    expect(sqs.requests).toEqual([]);
  });

  it('takes no delay per message', async () => {
    const error = await rejectionOf(queues.enqueue('orders', {}, { groupId: 'o-1', delaySeconds: 5 }));
    expect(error.message).toBe(
      `queue "orders" is a FIFO queue, which takes no delay per message: set the queue's delay instead`,
    );
  });

  it('sends the message id as the deduplication id, so SQS drops a copy', async () => {
    const first = await queues.enqueue('orders', { orderId: 'o-1' }, { groupId: 'o-1', id: 'order-o-1' });
    const copy = await queues.enqueue('orders', { orderId: 'o-1' }, { groupId: 'o-1', id: 'order-o-1' });
    expect(sqs.requests.map((r) => r.input.MessageDeduplicationId)).toEqual(['order-o-1', 'order-o-1']);
    expect(sqs.messages('orders.fifo')).toHaveLength(1);
    expect(copy.sqsMessageId).toBe(first.sqsMessageId);
    expect(first.sequenceNumber).toMatch(/^\d+$/);
  });
});

describe('the size of a message', () => {
  // `_messageId` (10 bytes), `String` (6) and a UUID (36) count with the body.
  const ATTRIBUTE_BYTES = 10 + 6 + 36;
  const bodyOf = (bytes: number) => 'x'.repeat(bytes - 2); // a JSON string: its quotes count

  it('takes a message of exactly 256 KiB, body and attributes, as SQS does', async () => {
    await queues.enqueue('emails', bodyOf(DEFAULT_MAX_MESSAGE_BYTES - ATTRIBUTE_BYTES));
    expect(sqs.messages('emails')).toHaveLength(1);
  });

  it('refuses one byte more before sending it, saying what to do', async () => {
    const error = await rejectionOf(queues.enqueue('emails', bodyOf(DEFAULT_MAX_MESSAGE_BYTES - ATTRIBUTE_BYTES + 1)));
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error.message).toBe(
      'the message to queue "emails" is 262145 bytes (body and attributes); at most 262144 bytes are accepted: send a reference to the data (an item\'s key, an S3 object) instead',
    );
    expect(sqs.requests).toEqual([]);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const error = await rejectionOf(queues.enqueue('emails', 'é'.repeat(DEFAULT_MAX_MESSAGE_BYTES / 2)));
    expect(error.bytes).toBe(DEFAULT_MAX_MESSAGE_BYTES + 2 + ATTRIBUTE_BYTES);
  });

  it('takes up to maxMessageBytes when the queues allow more (up to 1 MiB)', async () => {
    const large = Queues.fromEnvironment(fastRetries({ maxMessageBytes: 1024 * 1024 }));
    try {
      await large.enqueue('large', bodyOf(1024 * 1024 - ATTRIBUTE_BYTES));
      expect(sqs.messages('large')).toHaveLength(1);
    } finally {
      large.client.destroy();
    }
    expect(thrownBy(() => Queues.fromEnvironment({ maxMessageBytes: 1024 * 1024 + 1 })).message).toBe(
      'maxMessageBytes must be a whole number from 1024 to 1048576, got: 1048577',
    );
  });
});

describe('SQS failures', () => {
  it('answers 503 with Retry-After when SQS still throttles after the SDK retried', async () => {
    sqs.inject('SendMessage', { kind: 'error', type: 'com.amazonaws.sqs#RequestThrottled', status: 400 }, 3);
    const error = await rejectionOf(queues.enqueue('emails', {}));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(503);
    expect(error.headers).toEqual({ 'retry-after': '1' });
    expect(error.message).toBe(
      'the message queue is busy or unreachable; retry the request after the time in Retry-After',
    );
    expect(error.cause.name).toBe('RequestThrottled');
    expect(sqs.requests).toHaveLength(3);
  });

  it('sends once the throttling passes within the retries', async () => {
    sqs.inject('SendMessage', { kind: 'error', type: 'com.amazonaws.sqs#RequestThrottled', status: 400 }, 2);
    await queues.enqueue('emails', {});
    expect(sqs.messages('emails')).toHaveLength(1);
  });

  it('passes any other error through as it is (a 500 in a route)', async () => {
    sqs.inject('SendMessage', { kind: 'error', type: 'com.amazonaws.sqs#QueueDoesNotExist', status: 400 });
    const error = await rejectionOf(queues.enqueue('emails', {}));
    expect(error.name).toBe('QueueDoesNotExist');
    expect(sqs.requests).toHaveLength(1);
  });

  it("ends within the invocation's deadline when SQS does not answer", async () => {
    // GIVEN a queue URL whose server never answers, and 1 s left in the invocation
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = new SQSClient({ endpoint: origin });
    const stalled = new Queues({ emails: { url: `${origin}/123456789012/emails`, fifo: false } }, client);
    try {
      // WHEN a message is sent
      const started = Date.now();
      const error = await rejectionOf(withDeadline(1_000, () => stalled.enqueue('emails', {})));

      // THEN it is a 503 before the deadline (500 ms kept back to answer)
      expect(error.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(900);
    } finally {
      client.destroy();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('messages sent by an idempotent request', () => {
  it('carry ids derived from the request, per queue and in order: the same on every run', async () => {
    const run = (seed: string) =>
      withIdempotentWrites(seed, async () => [
        (await queues.enqueue('emails', 'a')).id,
        (await queues.enqueue('orders', 'b', { groupId: 'g' })).id,
        (await queues.enqueue('emails', 'c')).id,
      ]);
    const first = await run('request-1');
    const again = await run('request-1');
    const other = await run('request-2');
    expect(again).toEqual(first);
    expect(new Set([...first, ...other]).size).toBe(6);
    for (const id of first) expect(id).toMatch(UUID_V8);
  });

  /** A route that enqueues, and whose first run loses its answer after sending (a 503: the key is freed). */
  function enqueueingHandler(queue: 'emails' | 'orders') {
    let runs = 0;
    return apiHandler({
      table: rt.table,
      idempotency: {},
      logger: quietLogger(),
      routes: {
        'POST /orders': route({
          body: z.object({ orderId: z.string() }),
          idempotent: true,
          handle: async ({ body }) => {
            await queues.enqueue(queue, body, queue === 'orders' ? { groupId: body.orderId } : {});
            if (++runs === 1) throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
            return created(body);
          },
        }),
      },
    });
  }

  const order = (orderId: string) =>
    httpApiEvent('POST /orders', {
      body: { orderId },
      headers: { 'content-type': 'application/json', 'idempotency-key': `key-${orderId}` },
      authorizer: jwtAuthorizer('user-1'),
    });

  it('on a FIFO queue, send the same deduplication id when the request is retried: one message', async () => {
    const handler = enqueueingHandler('orders');
    expect(parse(await handler(order('o-fifo'), lambdaContext())).statusCode).toBe(503);
    expect(parse(await handler(order('o-fifo'), lambdaContext())).statusCode).toBe(201);

    const dedupIds = sqs.requests.map((r) => r.input.MessageDeduplicationId);
    expect(dedupIds).toHaveLength(2);
    expect(dedupIds[1]).toBe(dedupIds[0]);
    expect(sqs.messages('orders.fifo')).toHaveLength(1);
  });

  it('on a standard queue, send the same message id when the request is retried: one run of the worker', async () => {
    // GIVEN a request retried after its lost answer: the queue holds two copies
    const handler = enqueueingHandler('emails');
    await handler(order('o-std'), lambdaContext());
    await handler(order('o-std'), lambdaContext());
    const copies = sqs.messages('emails');
    expect(copies).toHaveLength(2);
    expect(copies[1].messageAttributes[MESSAGE_ID_ATTRIBUTE]).toEqual(
      copies[0].messageAttributes[MESSAGE_ID_ATTRIBUTE],
    );

    // WHEN a worker with idempotency gets them
    const handled: unknown[] = [];
    const worker = sqsWorker({
      table: rt.table,
      idempotency: {},
      logger: quietLogger(),
      body: z.object({ orderId: z.string() }),
      handle: async ({ body }) => {
        handled.push(body);
      },
    });
    const response = await worker(sqs.sqsEvent('emails'), lambdaContext());

    // THEN the order is processed once, and both copies are done with
    expect(handled).toEqual([{ orderId: 'o-std' }]);
    expect(response).toEqual({ batchItemFailures: [] });
  });
});

describe('readQueuesConfig', () => {
  it('needs the variable ServerlessApi sets', () => {
    expect(thrownBy(() => readQueuesConfig({})).message).toBe(
      'environment variable SERVERLESS_API_QUEUES is not set: ServerlessApi sets it on functions that name the queues they send to',
    );
    expect(thrownBy(() => readQueuesConfig({ [QUEUES_ENV]: '{' })).message).toBe(
      'environment variable SERVERLESS_API_QUEUES is not valid JSON',
    );
    expect(thrownBy(() => readQueuesConfig({ [QUEUES_ENV]: '{"a":{"url":"u"}}' })).message).toBe(
      'environment variable SERVERLESS_API_QUEUES does not hold what ServerlessApi sets',
    );
  });

  it('reads queues by name', () => {
    expect(readQueuesConfig({ [QUEUES_ENV]: '{"a":{"url":"https://q/1/a","fifo":false}}' })).toEqual({
      a: { url: 'https://q/1/a', fifo: false },
    });
  });
});
