import type { SQSHandler } from 'aws-lambda';
import * as z from 'zod';
import { fifoRecord, lambdaContext, SQS_FIFO_SAMPLE_RECORD, SQS_SAMPLE_EVENT, sqsRecord, withLogs } from './aws-events';
import { gate, quietLogger, RecordingMetrics, rejectionOf, startRuntimeTable, within, type RuntimeTable } from './util';
import { retryLater } from '../../src/runtime/problem';
import { sqsWorker, type SqsMessage, type SqsWorkerOptions } from '../../src/runtime/worker-sqs';
import { newId } from '../../src/runtime/write-ids';
import { MESSAGE_ID_ATTRIBUTE } from '../../src/shared/messages';

let rt: RuntimeTable;

beforeAll(async () => {
  rt = await startRuntimeTable();
});

afterAll(async () => {
  await rt.close();
});

const TASK = z.object({ taskId: z.string().min(1), title: z.string().min(1) });

/** A worker recording every message it handled; `fail` picks messages whose handling throws. */
function recordingWorker(
  options: Partial<SqsWorkerOptions<typeof TASK>> & { fail?: (body: z.infer<typeof TASK>) => unknown } = {},
) {
  const handled: SqsMessage<z.infer<typeof TASK>>[] = [];
  const worker = sqsWorker({
    body: TASK,
    logger: quietLogger(),
    ...options,
    handle: async (message) => {
      handled.push(message);
      const failure = options.fail?.(message.body);
      if (failure) throw failure;
    },
  });
  return { worker, handled };
}

const task = (taskId: string) => JSON.stringify({ taskId, title: `Task ${taskId}` });

describe('sqsWorker on a standard queue', () => {
  it('processes the documented event shape and reports no failure', async () => {
    // GIVEN the documented sample event, with JSON bodies in place of its text
    const event = {
      Records: SQS_SAMPLE_EVENT.Records.map((record, i) => ({ ...record, body: task(`t-${i}`) })),
    };
    const { worker, handled } = recordingWorker();

    // WHEN the worker gets it
    const response = await worker(event, lambdaContext());

    // THEN both messages are handled in order, typed, and none is reported failed
    expect(response).toEqual({ batchItemFailures: [] });
    expect(handled.map((m) => m.body)).toEqual([
      { taskId: 't-0', title: 'Task t-0' },
      { taskId: 't-1', title: 'Task t-1' },
    ]);
    expect(handled[0]).toEqual(
      expect.objectContaining({
        messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
        queue: 'my-queue',
        groupId: undefined,
        receiveCount: 1,
        record: event.Records[0],
      }),
    );
  });

  it('is an SQSHandler of @types/aws-lambda', () => {
    const handler: SQSHandler = recordingWorker().worker;
    expect(typeof handler).toBe('function');
  });

  it('takes the message id from the `_messageId` attribute when the sender set one', async () => {
    const { worker, handled } = recordingWorker();
    await worker({ Records: [sqsRecord(task('a'), { attributes: { [MESSAGE_ID_ATTRIBUTE]: 'sent-id-1' } })] });
    expect(handled[0].messageId).toBe('sent-id-1');
  });

  it('reports a message that is not JSON alone, logged at error with its id and never its body', async () => {
    // GIVEN a batch whose middle message is not JSON
    const poison = sqsRecord('{"taskId": "secret-', { messageId: 'poison-1' });
    const event = { Records: [sqsRecord(task('a')), poison, sqsRecord(task('c'))] };
    const metrics = new RecordingMetrics();

    // WHEN the worker gets it
    const { result, lines } = await withLogs(async (logger) => {
      const { worker, handled } = recordingWorker({ logger, metrics });
      return { response: await worker(event, lambdaContext()), handled };
    });

    // THEN only the poison message comes back; the others are processed
    expect(result.response).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison-1' }] });
    expect(result.handled.map((m) => m.body.taskId)).toEqual(['a', 'c']);
    const logged = lines.filter((line) => line.level === 'ERROR');
    expect(logged).toEqual([
      expect.objectContaining({
        message: 'invalid message: not processed, reported failed',
        messageId: 'poison-1',
        sqsMessageId: 'poison-1',
        eventSource: 'aws:sqs',
        queue: 'my-queue',
        reason: expect.stringMatching(/^the message body is not valid JSON: /),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-');
    expect(metrics.added).toEqual([{ name: 'InvalidMessage', unit: 'Count', value: 1 }]);
    expect(metrics.published).toEqual([1]);
  });

  it('reports a message its schema refuses, naming the fields, and clears the log keys after it', async () => {
    const event = {
      Records: [sqsRecord(JSON.stringify({ taskId: '' }), { messageId: 'bad-1' }), sqsRecord(task('b'))],
    };
    const { result, lines } = await withLogs(async (logger) => {
      const { worker } = recordingWorker({
        logger,
        fail: (body) => {
          logger.info('handling', { taskId: body.taskId });
          return undefined;
        },
      });
      const response = await worker(event, lambdaContext());
      logger.info('after the batch');
      return response;
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    expect(lines.find((line) => line.message === 'after the batch')).not.toHaveProperty('messageId');
    const error = lines.find((line) => line.level === 'ERROR');
    expect(error.errors).toEqual([
      { field: 'body.taskId', message: expect.any(String) },
      { field: 'body.title', message: expect.any(String) },
    ]);
    expect(error.reason).toMatch(/^the message body is invalid: `body.taskId`: .*; `body.title`: /);
    // The next message's lines carry its own id, not the poison's.
    const handling = lines.find((line) => line.message === 'handling');
    expect(handling).toEqual(expect.objectContaining({ messageId: event.Records[1].messageId, taskId: 'b' }));
  });

  it('reports only the messages whose handling failed (a partial batch failure)', async () => {
    const metrics = new RecordingMetrics();
    const { worker, handled } = recordingWorker({
      metrics,
      fail: (body) => (body.taskId === 'b' || body.taskId === 'd' ? new Error('boom') : undefined),
    });
    const records = ['a', 'b', 'c', 'd', 'e'].map((id) => sqsRecord(task(id), { messageId: `m-${id}` }));

    const response = await worker({ Records: records }, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-b' }, { itemIdentifier: 'm-d' }] });
    expect(handled).toHaveLength(5);
    expect(metrics.added).toEqual([{ name: 'UnhandledError', unit: 'Count', value: 2 }]);
  });

  it('counts a dependency that stayed unavailable apart from a bug, and logs it as a warning', async () => {
    const metrics = new RecordingMetrics();
    const { result, lines } = await withLogs(async (logger) => {
      const { worker } = recordingWorker({
        logger,
        metrics,
        fail: () => retryLater(503, 'the database is busy or unreachable', 1),
      });
      return worker({ Records: [sqsRecord(task('a'), { messageId: 'm-1' })] }, lambdaContext());
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(metrics.names()).toEqual(['DatabaseUnavailable']);
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      [
        'WARN',
        'message failed: a dependency stayed throttled or unreachable after retries; reported failed, to come back',
      ],
    ]);
  });

  it('refuses an event that is not from SQS (a wiring mistake): the whole batch fails', async () => {
    const { worker } = recordingWorker();
    const error = await rejectionOf(worker({ Records: [{ ...sqsRecord(task('a')), eventSource: 'aws:kinesis' }] }));
    expect(error.message).toBe('sqsWorker: the event is not an SQS event (Records of eventSource "aws:sqs")');
  });
});

describe('sqsWorker on a FIFO queue', () => {
  it('reports the failed message and every later one of the batch, unprocessed, to keep the order', async () => {
    // GIVEN four messages of one group, the second failing
    const records = ['a', 'b', 'c', 'd'].map((id) => fifoRecord(task(id)));
    const metrics = new RecordingMetrics();
    const { worker, handled } = recordingWorker({ metrics, fail: (b) => (b.taskId === 'b' ? new Error('no') : 0) });

    // WHEN the worker gets them
    const response = await worker({ Records: records }, lambdaContext());

    // THEN the first is processed; the second, and the two after it without being processed, come back
    expect(handled.map((m) => m.body.taskId)).toEqual(['a', 'b']);
    expect(response.batchItemFailures).toEqual(records.slice(1).map((r) => ({ itemIdentifier: r.messageId })));
    expect(handled[0]).toEqual(expect.objectContaining({ queue: 'fifo.fifo', groupId: '1' }));
    expect(metrics.added).toEqual([
      { name: 'UnhandledError', unit: 'Count', value: 1 },
      { name: 'MessageDeferred', unit: 'Count', value: 2 },
    ]);
  });

  it('holds the rest of the batch back behind a poison message too', async () => {
    const records = [fifoRecord(task('a')), fifoRecord('not json'), fifoRecord(task('c'))];
    const { worker, handled } = recordingWorker();
    const response = await worker({ Records: records }, lambdaContext());
    expect(handled.map((m) => m.body.taskId)).toEqual(['a']);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      records[1].messageId,
      records[2].messageId,
    ]);
  });

  it('processes the documented FIFO record', async () => {
    const { worker, handled } = recordingWorker();
    const response = await worker({ Records: [{ ...SQS_FIFO_SAMPLE_RECORD, body: task('x') }] }, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(handled[0].groupId).toBe('1');
  });
});

describe('sqsWorker with idempotency', () => {
  it('processes a message once however often it is delivered, and counts the skipped deliveries', async () => {
    // GIVEN a batch delivered twice (its success lost), and a copy of its first message under another SQS id
    const records = [sqsRecord(task('a')), sqsRecord(task('b'))];
    const copy = sqsRecord(task('a'), { attributes: {} });
    const first = { ...records[0], messageAttributes: { [MESSAGE_ID_ATTRIBUTE]: attr('same-id') } };
    const again = { ...copy, messageAttributes: { [MESSAGE_ID_ATTRIBUTE]: attr('same-id') } };
    const metrics = new RecordingMetrics();
    const { worker, handled } = recordingWorker({ table: rt.table, idempotency: {}, metrics });

    // WHEN the worker gets the batch, then it again with the copy
    const one = await worker({ Records: [first, records[1]] }, lambdaContext());
    const two = await worker({ Records: [first, records[1], again] }, lambdaContext());

    // THEN each message is handled once, and nothing is reported failed
    expect(one).toEqual({ batchItemFailures: [] });
    expect(two).toEqual({ batchItemFailures: [] });
    expect(handled.map((m) => m.body.taskId)).toEqual(['a', 'b']);
    expect(metrics.added).toEqual([{ name: 'IdempotentReplay', unit: 'Count', value: 3 }]);
  });

  it('reports a message another invocation is processing, and skips it once that one is done', async () => {
    // GIVEN an invocation holding a message mid-handling
    const held = gate();
    const entered = gate();
    const metrics = new RecordingMetrics();
    const worker = sqsWorker({
      table: rt.table,
      idempotency: {},
      metrics,
      logger: quietLogger(),
      handle: async () => {
        entered.open();
        await held.promise;
      },
    });
    const record = sqsRecord(task('a'), { messageId: 'busy-1' });
    const first = worker({ Records: [record] }, lambdaContext());
    await entered.promise;

    // WHEN the same message arrives in another invocation meanwhile, and again after the first finished
    const during = await worker({ Records: [record] }, lambdaContext());
    held.open();
    await first;
    const after = await worker({ Records: [record] }, lambdaContext());

    // THEN it is reported failed while in progress, and skipped afterwards
    expect(during).toEqual({ batchItemFailures: [{ itemIdentifier: 'busy-1' }] });
    expect(after).toEqual({ batchItemFailures: [] });
    expect(metrics.names()).toEqual(['IdempotencyInProgress', 'IdempotentReplay']);
  });

  it('releases a message whose handling failed, so its next delivery runs it again', async () => {
    let attempts = 0;
    const { worker } = recordingWorker({
      table: rt.table,
      idempotency: {},
      fail: () => (++attempts === 1 ? new Error('first attempt fails') : undefined),
    });
    const record = sqsRecord(task('a'), { messageId: 'retry-1' });
    expect(await worker({ Records: [record] }, lambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: 'retry-1' }],
    });
    expect(await worker({ Records: [record] }, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(attempts).toBe(2);
  });

  it('gives the handler the same ids on every run of a message, and other ids for another message', async () => {
    const ids: string[] = [];
    const worker = sqsWorker({
      table: rt.table,
      idempotency: {},
      logger: quietLogger(),
      handle: async () => {
        ids.push(newId());
        if (ids.length === 1) throw new Error('lost');
      },
    });
    const record = sqsRecord(task('a'));
    await worker({ Records: [record] }, lambdaContext());
    await worker({ Records: [record] }, lambdaContext());
    await worker({ Records: [sqsRecord(task('a'))] }, lambdaContext());
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('keeps the records of two functions apart: each processes the message', async () => {
    const { worker, handled } = recordingWorker({ table: rt.table, idempotency: {} });
    const record = sqsRecord(task('a'));
    await worker({ Records: [record] }, lambdaContext(30_000, 'first-function'));
    await worker({ Records: [record] }, lambdaContext(30_000, 'second-function'));
    expect(handled).toHaveLength(2);
  });

  it('needs a table', () => {
    expect(() => sqsWorker({ idempotency: {}, handle: async () => undefined })).toThrow(
      'sqsWorker: `idempotency` needs `table` (Table.fromEnvironment())',
    );
  });
});

describe("sqsWorker and the invocation's time", () => {
  it('starts no message when the time left is short, and reports them all', async () => {
    const metrics = new RecordingMetrics();
    const { worker, handled } = recordingWorker({ metrics });
    const records = [sqsRecord(task('a')), sqsRecord(task('b'))];
    const response = await worker({ Records: records }, lambdaContext(1_700));
    expect(handled).toEqual([]);
    expect(response.batchItemFailures).toEqual(records.map((r) => ({ itemIdentifier: r.messageId })));
    expect(metrics.added).toEqual([{ name: 'MessageDeferred', unit: 'Count', value: 2 }]);
  });

  it('stops taking messages once the time left runs short, and reports the rest', async () => {
    // GIVEN an invocation whose time runs short after two messages
    let remaining = 10_000;
    const context = { functionName: 'f', getRemainingTimeInMillis: () => remaining };
    const { worker, handled } = recordingWorker({
      minTimePerRecordMs: 200,
      fail: () => {
        remaining -= 4_500;
        return undefined;
      },
    });
    const records = ['a', 'b', 'c', 'd'].map((id) => sqsRecord(task(id)));

    const response = await worker({ Records: records }, context);

    expect(handled.map((m) => m.body.taskId)).toEqual(['a', 'b']);
    expect(response.batchItemFailures).toEqual(records.slice(2).map((r) => ({ itemIdentifier: r.messageId })));
  });

  it('answers before the timeout when a handler hangs, reporting it and the rest', async () => {
    // GIVEN a handler that never finishes, and 1.5 s left
    const worker = sqsWorker({
      logger: quietLogger(),
      minTimePerRecordMs: 0,
      handle: () => new Promise<void>(() => undefined),
    });
    const records = [sqsRecord(task('a')), sqsRecord(task('b'))];

    // WHEN the batch comes
    const started = Date.now();
    const response = await within(worker({ Records: records }, lambdaContext(1_500)), 1_500, 'timed out');

    // THEN the batch is answered before Lambda's timeout, both reported failed
    expect(response).toEqual({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });
    expect(Date.now() - started).toBeLessThan(1_400);
  });
});

function attr(value: string) {
  return { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' };
}
