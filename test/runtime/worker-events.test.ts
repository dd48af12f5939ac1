import type { EventBridgeHandler } from 'aws-lambda';
import * as z from 'zod';
import { EVENTBRIDGE_SAMPLE_EVENT, lambdaContext, withLogs } from './aws-events';
import { gate, quietLogger, RecordingMetrics, rejectionOf, startRuntimeTable, type RuntimeTable } from './util';
import { InvalidMessageError } from '../../src/runtime/worker';
import { eventWorker, type EventMessage } from '../../src/runtime/worker-events';
import { MESSAGE_ID_ATTRIBUTE } from '../../src/shared/messages';

let rt: RuntimeTable;

beforeAll(async () => {
  rt = await startRuntimeTable();
});

afterAll(async () => {
  await rt.close();
});

const STATE_CHANGE = z.strictObject({
  'instance-id': z.string().startsWith('i-'),
  state: z.enum(['pending', 'running', 'stopping', 'stopped', 'terminated']),
});

function recordingWorker(options: { fail?: () => unknown; idempotent?: boolean; metrics?: RecordingMetrics } = {}) {
  const handled: EventMessage<z.infer<typeof STATE_CHANGE>>[] = [];
  const worker = eventWorker({
    detail: STATE_CHANGE,
    logger: quietLogger(),
    metrics: options.metrics,
    ...(options.idempotent ? { table: rt.table, idempotency: {} } : {}),
    handle: async (event) => {
      handled.push(event);
      const failure = options.fail?.();
      if (failure) throw failure;
    },
  });
  return { worker, handled };
}

let counter = 0;
/** The documented sample with an id of its own, and its detail as `publish()` sends it (with `_messageId`). */
function published(messageId?: string) {
  const detail = { ...EVENTBRIDGE_SAMPLE_EVENT.detail, ...(messageId ? { [MESSAGE_ID_ATTRIBUTE]: messageId } : {}) };
  return { ...EVENTBRIDGE_SAMPLE_EVENT, id: `6a7e8feb-b491-4cf7-a9f1-${String(++counter).padStart(12, '0')}`, detail };
}

describe('eventWorker', () => {
  it('processes the documented event, its detail validated and typed', async () => {
    const { worker, handled } = recordingWorker();
    await worker(EVENTBRIDGE_SAMPLE_EVENT, lambdaContext());
    expect(handled).toEqual([
      expect.objectContaining({
        detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
        messageId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
        detailType: 'EC2 Instance State-change Notification',
        source: 'aws.ec2',
        event: EVENTBRIDGE_SAMPLE_EVENT,
      }),
    ]);
  });

  it('is an EventBridgeHandler of @types/aws-lambda', () => {
    const handler: EventBridgeHandler<string, unknown, void> = recordingWorker().worker;
    expect(typeof handler).toBe('function');
  });

  it('takes the message id out of a published detail, so a strict schema holds and idempotency keys on it', async () => {
    const { worker, handled } = recordingWorker();
    await worker(published('sent-1'), lambdaContext());
    expect(handled[0].messageId).toBe('sent-1');
    expect(handled[0].detail).not.toHaveProperty(MESSAGE_ID_ATTRIBUTE);
  });

  it('throws for a detail its schema refuses, logged at error with the event id, so Lambda retries it into the DLQ', async () => {
    const metrics = new RecordingMetrics();
    const event = { ...published(), detail: { 'instance-id': 'i-1', state: 'melted' } };
    const { result, lines } = await withLogs(async (logger) => {
      const worker = eventWorker({ detail: STATE_CHANGE, logger, metrics, handle: async () => undefined });
      return rejectionOf(worker(event, lambdaContext()));
    });
    expect(result).toBeInstanceOf(InvalidMessageError);
    expect(result.message).toMatch(/^the message detail is invalid: `detail.state`: /);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'invalid message: not processed, reported failed',
        messageId: event.id,
        eventId: event.id,
        eventSource: 'aws.events',
        source: 'aws.ec2',
        detailType: 'EC2 Instance State-change Notification',
      }),
    ]);
    expect(metrics.names()).toEqual(['InvalidMessage']);
  });

  it('throws for a detail that is not an object', async () => {
    const { worker, handled } = recordingWorker();
    const error = await rejectionOf(worker({ ...published(), detail: 'text' }, lambdaContext()));
    expect(error.message).toBe('the event detail is not a JSON object');
    expect(handled).toEqual([]);
  });

  it("rethrows the handler's own error, for the async invocation record", async () => {
    const boom = new Error('boom');
    const { worker } = recordingWorker({ fail: () => boom });
    await expect(worker(published(), lambdaContext())).rejects.toBe(boom);
  });

  it('refuses an event that is not from EventBridge', async () => {
    const { worker } = recordingWorker();
    const error = await rejectionOf(worker({ Records: [] } as any, lambdaContext()));
    expect(error.message).toBe('eventWorker: the event is not an EventBridge event (id, detail-type, source, detail)');
  });

  it('starts nothing when too little time is left, and throws', async () => {
    const { worker, handled } = recordingWorker();
    const event = published();
    await expect(worker(event, lambdaContext(1_000))).rejects.toThrow(
      `event ${event.id} not started: the function's time is running out`,
    );
    expect(handled).toEqual([]);
  });
});

describe('eventWorker with idempotency', () => {
  it("skips Lambda's retry of a processed event and a second publication of the same message", async () => {
    const metrics = new RecordingMetrics();
    const { worker, handled } = recordingWorker({ idempotent: true, metrics });
    const first = published('message-a');
    const republished = published('message-a');

    await worker(first, lambdaContext());
    await worker(first, lambdaContext());
    await worker(republished, lambdaContext());

    expect(handled).toHaveLength(1);
    expect(metrics.added).toEqual([
      { name: 'IdempotentReplay', unit: 'Count', value: 1 },
      { name: 'IdempotentReplay', unit: 'Count', value: 1 },
    ]);
  });

  it('throws for an event another invocation is processing, so Lambda retries it later', async () => {
    const held = gate();
    const entered = gate();
    const worker = eventWorker({
      table: rt.table,
      idempotency: {},
      logger: quietLogger(),
      handle: async () => {
        entered.open();
        await held.promise;
      },
    });
    const event = published();
    const first = worker(event, lambdaContext());
    await entered.promise;
    const error = await rejectionOf(worker(event, lambdaContext()));
    held.open();
    await first;
    expect(error.message).toBe('the message is being processed by another invocation');
  });

  it('runs an event again after its handling failed', async () => {
    let attempts = 0;
    const { worker } = recordingWorker({ idempotent: true, fail: () => (++attempts === 1 ? new Error('x') : 0) });
    const event = published();
    await expect(worker(event, lambdaContext())).rejects.toThrow('x');
    await worker(event, lambdaContext());
    expect(attempts).toBe(2);
  });
});
