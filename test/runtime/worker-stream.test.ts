import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamHandler } from 'aws-lambda';
import * as z from 'zod';
import { DYNAMODB_STREAM_SAMPLE_EVENT, lambdaContext, TTL_USER_IDENTITY, withLogs } from './aws-events';
import { quietLogger, RecordingMetrics, startRuntimeTable, type RuntimeTable } from './util';
import { IdempotencyStore } from '../../src/runtime/idempotency-store';
import { versionOf, type Item } from '../../src/runtime/representation';
import { streamWorker, type StreamChange } from '../../src/runtime/worker-stream';

let rt: RuntimeTable;

beforeAll(async () => {
  rt = await startRuntimeTable();
});

afterAll(async () => {
  await rt.close();
});

const MESSAGE = z.strictObject({ Message: z.string().min(1) });
const SAMPLE = DYNAMODB_STREAM_SAMPLE_EVENT.Records;

function recordingWorker(options: { fail?: (handled: StreamChange<any>) => unknown; idempotent?: boolean } = {}) {
  const handled: StreamChange<any>[] = [];
  const metrics = new RecordingMetrics();
  const worker = streamWorker({
    item: MESSAGE,
    logger: quietLogger(),
    metrics,
    ...(options.idempotent ? { table: rt.table, idempotency: {} } : {}),
    handle: async (received) => {
      handled.push(received);
      const failure = options.fail?.(received);
      if (failure) throw failure;
    },
  });
  return { worker, handled, metrics };
}

let counter = 0;
/** A change of the stream sample's shape, for an item of this table (`PK`, `SK`). */
function change(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { newItem?: Item; oldItem?: Item },
  extra: Partial<DynamoDBRecord> = {},
): DynamoDBRecord {
  const id = ++counter;
  const item = (images.newItem ?? images.oldItem)!;
  return {
    ...SAMPLE[0],
    eventID: `event-${id}`,
    eventName,
    dynamodb: {
      Keys: marshall({ PK: item.PK, SK: item.SK }) as any,
      ...(images.newItem ? { NewImage: marshall(images.newItem) as any } : {}),
      ...(images.oldItem ? { OldImage: marshall(images.oldItem) as any } : {}),
      SequenceNumber: String(1000 + id),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      SizeBytes: 100,
    },
    ...extra,
  };
}

describe('streamWorker', () => {
  it('processes the documented INSERT, MODIFY and REMOVE in order, images without their key attributes', async () => {
    const { worker, handled } = recordingWorker();
    const response = await worker(DYNAMODB_STREAM_SAMPLE_EVENT, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(
      handled.map(({ eventName, keys, newItem, oldItem, messageId, sequenceNumber, expired }) => ({
        eventName,
        keys,
        newItem,
        oldItem,
        messageId,
        sequenceNumber,
        expired,
      })),
    ).toEqual([
      {
        eventName: 'INSERT',
        keys: { Id: 101 },
        newItem: { Message: 'New item!' },
        oldItem: undefined,
        messageId: '1',
        sequenceNumber: '111',
        expired: false,
      },
      {
        eventName: 'MODIFY',
        keys: { Id: 101 },
        newItem: { Message: 'This item has changed' },
        oldItem: { Message: 'New item!' },
        messageId: '2',
        sequenceNumber: '222',
        expired: false,
      },
      {
        eventName: 'REMOVE',
        keys: { Id: 101 },
        newItem: undefined,
        oldItem: { Message: 'This item has changed' },
        messageId: '3',
        sequenceNumber: '333',
        expired: false,
      },
    ]);
  });

  it('is a DynamoDBStreamHandler of @types/aws-lambda', () => {
    const handler: DynamoDBStreamHandler = recordingWorker().worker as (
      ...args: any[]
    ) => Promise<DynamoDBBatchResponse>;
    expect(typeof handler).toBe('function');
  });

  it('stops at a failing middle change and reports only its sequence number: Lambda resumes from it', async () => {
    const { worker, handled, metrics } = recordingWorker({
      fail: (c) => (c.sequenceNumber === '222' ? new Error('cannot') : undefined),
    });
    const response = await worker(DYNAMODB_STREAM_SAMPLE_EVENT, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '222' }] });
    expect(handled.map((c) => c.sequenceNumber)).toEqual(['111', '222']);
    expect(metrics.added).toEqual([
      { name: 'UnhandledError', unit: 'Count', value: 1 },
      { name: 'MessageDeferred', unit: 'Count', value: 1 },
    ]);
  });

  it('reports an image its schema refuses as the failure, logged at error with the record id', async () => {
    const bad = {
      ...SAMPLE[1],
      dynamodb: { ...SAMPLE[1].dynamodb, NewImage: { Id: { N: '101' }, Message: { S: '' } } },
    };
    const { result, lines } = await withLogs(async (logger) => {
      const worker = streamWorker({ item: MESSAGE, logger, handle: async () => undefined });
      return worker({ Records: [SAMPLE[0], bad, SAMPLE[2]] }, lambdaContext());
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '222' }] });
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([
      expect.objectContaining({
        message: 'invalid message: not processed, reported failed',
        messageId: '2',
        eventSource: 'aws:dynamodb',
        eventName: 'MODIFY',
        sequenceNumber: '222',
        errors: [{ field: 'newItem.Message', message: expect.any(String) }],
      }),
    ]);
  });

  it('tells a TTL deletion from a request’s', async () => {
    const item = { PK: 'SESSION#s-1', SK: 'SESSION', Message: 'bye' };
    const { worker, handled } = recordingWorker();
    await worker(
      {
        Records: [
          change('REMOVE', { oldItem: item }, { userIdentity: TTL_USER_IDENTITY }),
          change('REMOVE', { oldItem: item }),
        ],
      },
      lambdaContext(),
    );
    expect(handled.map((c) => c.expired)).toEqual([true, false]);
  });

  it("with the worker's table, leaves out every key attribute, the write id and the version, which versionOf reads", async () => {
    const handled: StreamChange<Item>[] = [];
    const worker = streamWorker({
      table: rt.withPatterns({
        ...rt.table.config.accessPatterns,
        byOwner: { operation: 'Query', index: 'byOwner', partitionKey: ['GSI1PK', 'OWNER#{owner}'] },
      }),
      logger: quietLogger(),
      handle: async (c) => {
        handled.push(c);
      },
    });
    const stored = {
      PK: 'PROJECT#p',
      SK: 'TASK#t',
      GSI1PK: 'OWNER#o',
      title: 'T',
      _writeId: 'w.000001',
      version: 3,
      expiresAt: 99,
    };
    await worker({ Records: [change('INSERT', { newItem: stored })] }, lambdaContext());
    expect(handled[0].newItem).toEqual({ title: 'T', expiresAt: 99 });
    expect(versionOf(handled[0].newItem!)).toBe(3);
    expect(handled[0].keys).toEqual({ PK: 'PROJECT#p', SK: 'TASK#t' });
  });

  it('starts no change when the time left is short, reporting the first', async () => {
    const { worker, handled } = recordingWorker();
    const response = await worker(DYNAMODB_STREAM_SAMPLE_EVENT, lambdaContext(1_500));
    expect(handled).toEqual([]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '111' }] });
  });
});

describe('streamWorker with idempotency', () => {
  it('skips the changes it processed when the batch comes again after a failure', async () => {
    let failing = true;
    const { worker, handled, metrics } = recordingWorker({
      idempotent: true,
      fail: (c) => (failing && c.sequenceNumber === '333' ? new Error('not yet') : undefined),
    });
    const records = [
      change('INSERT', { newItem: { PK: 'A', SK: 'A', Message: 'a' } }),
      change('INSERT', { newItem: { PK: 'B', SK: 'B', Message: 'b' } }),
    ];
    const third = { ...SAMPLE[2], eventID: `retry-${++counter}` };

    const first = await worker({ Records: [...records, third] }, lambdaContext());
    failing = false;
    // Bisection or a retry delivers the batch again, from the start.
    const again = await worker({ Records: [...records, third] }, lambdaContext());

    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: '333' }] });
    expect(again).toEqual({ batchItemFailures: [] });
    expect(handled.map((c) => c.messageId)).toEqual([
      records[0].eventID,
      records[1].eventID,
      third.eventID,
      third.eventID,
    ]);
    expect(metrics.names()).toEqual(['UnhandledError', 'IdempotentReplay']);
  });

  it('takes over a change whose claim an invocation that died left in progress', async () => {
    // GIVEN a change whose first invocation died mid-handling: its claim stays in progress under a live lock
    const record = change('INSERT', { newItem: { PK: 'C', SK: 'C', Message: 'c' } });
    const scope = `worker\nworker-test\n${record.eventSourceARN}\n${record.eventID}`;
    const died = await new IdempotencyStore(rt.table).acquire(scope, 'message', 900_000);
    expect(died.claimed).toBe(true);

    // WHEN Lambda delivers the change again
    const { worker, handled } = recordingWorker({ idempotent: true });
    const response = await worker({ Records: [record] }, lambdaContext());

    // THEN it is processed, not held off until the lock expires
    expect(response).toEqual({ batchItemFailures: [] });
    expect(handled).toHaveLength(1);
  });

  it('passes over the changes its own idempotency records make, so processing never feeds itself', async () => {
    // GIVEN a change processed idempotently, which wrote an idempotency record to the streamed table
    const { worker, handled } = recordingWorker({ idempotent: true });
    const before = new Set((await rt.local.items()).map((item) => `${item.PK}|${item.SK}`));
    await worker({ Records: [change('INSERT', { newItem: { PK: 'D', SK: 'D', Message: 'd' } })] }, lambdaContext());
    const written = (await rt.local.items()).filter((item) => !before.has(`${item.PK}|${item.SK}`));
    expect(written).toHaveLength(1);

    // WHEN the stream delivers that record's changes (its claim, then its completion)
    const { result, operations } = await rt.local.record(() =>
      worker(
        {
          Records: [
            change('INSERT', { newItem: { ...written[0], status: 'IN_PROGRESS' } }),
            change('MODIFY', { newItem: written[0], oldItem: { ...written[0], status: 'IN_PROGRESS' } }),
          ],
        },
        lambdaContext(),
      ),
    );

    // THEN they are passed over: not handled, not failed, nothing written
    expect(result).toEqual({ batchItemFailures: [] });
    expect(handled).toHaveLength(1);
    expect(operations).toEqual([]);
  });

  it('passes over rate-limit counters', async () => {
    const { worker, handled } = recordingWorker();
    const rateCounter = { PK: 'RATE#x', SK: 'WINDOW#1', requestCount: 3, expiresAt: 1_800_000_000 };
    expect(await worker({ Records: [change('INSERT', { newItem: rateCounter })] }, lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    expect(handled).toEqual([]);
  });
});
