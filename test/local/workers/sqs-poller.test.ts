/**
 * Lambda's SQS pollers on the local API: batches handed to the worker as Lambda does, partial batch responses,
 * whole-batch failures, redrive to the dead-letter queue and FIFO order.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { logged, startWorkersApp, type WorkersApp } from '../../helpers/workers-app';

/** Logs each record it gets; fails those whose body says `fail`, as the response named `respond` says. */
const WORKER = `
exports.handler = async (event) => {
  const failed = [];
  for (const record of event.Records) {
    console.log('RECORD', JSON.stringify(record));
    if (JSON.parse(record.body).fail) failed.push(record.messageId);
  }
  const mode = process.env.MODE;
  if (mode === 'throw' && failed.length > 0) throw new Error('cannot process ' + failed.length);
  if (mode === 'unknown-id' && failed.length > 0) return { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] };
  return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
};
`;

interface Logged {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: { readonly [name: string]: string };
  readonly eventSource: string;
  readonly eventSourceARN: string;
}

describe('GIVEN a worker with partial batch responses on a queue with a dead-letter queue (maxReceiveCount 2)', () => {
  let app: WorkersApp;
  beforeAll(async () => {
    app = await startWorkersApp(({ stack, fn }) => {
      const dlq = new sqs.Queue(stack, 'JobsDlq');
      const jobs = new sqs.Queue(stack, 'Jobs', {
        visibilityTimeout: Duration.seconds(3),
        deadLetterQueue: { queue: dlq, maxReceiveCount: 2 },
      });
      fn('Worker', WORKER).addEventSource(
        new SqsEventSource(jobs, {
          batchSize: 5,
          maxBatchingWindow: Duration.seconds(1),
          reportBatchItemFailures: true,
        }),
      );
    });
  }, 60_000);
  afterAll(() => app.stop());

  test('WHEN one message of three fails THEN the two are deleted, the third comes back and then goes to the DLQ', async () => {
    const { api } = app;
    const jobs = api.queue('Jobs');
    const sent = [await jobs.send({ n: 1 }), await jobs.send({ n: 2, fail: true }), await jobs.send({ n: 3 })];
    await api.settled({ timeoutMs: 20_000 });

    const invocations = api.workerInvocations;
    // The batching window gathers the three into one batch; the failed one is received twice (maxReceiveCount 2).
    expect(invocations.map((i) => [i.batchSize, i.outcome, i.failures])).toEqual([
      [3, 'partial', 1],
      [1, 'partial', 1],
    ]);
    expect(invocations[0].source).toBe('queue Jobs');
    expect(jobs.messages()).toEqual([]);
    const [dead] = api.queue('JobsDlq').messages();
    expect(dead).toMatchObject({ messageId: sent[1].messageId, json: { n: 2, fail: true }, state: 'visible' });

    const records = logged(api, 'Worker', 'RECORD') as Logged[];
    expect(records.map((r) => [JSON.parse(r.body).n, r.attributes.ApproximateReceiveCount])).toEqual([
      [1, '1'],
      [2, '1'],
      [3, '1'],
      [2, '2'],
    ]);
    expect(records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: jobs.arn,
      attributes: {
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        ApproximateFirstReceiveTimestamp: expect.any(String),
      },
    });
    expect(api.logs).toContainEqual(
      expect.stringMatching(
        /^\[sqs\] message .+ of Workers-Jobs\w* was received 2 times \(maxReceiveCount 2\): moved to Workers-JobsDlq/,
      ),
    );
  }, 30_000);
});

describe('GIVEN a worker that throws when a batch holds a failing message', () => {
  let app: WorkersApp;
  beforeAll(async () => {
    app = await startWorkersApp(({ stack, fn }) => {
      const dlq = new sqs.Queue(stack, 'Dlq');
      const jobs = new sqs.Queue(stack, 'Jobs', {
        visibilityTimeout: Duration.seconds(3),
        deadLetterQueue: { queue: dlq, maxReceiveCount: 1 },
      });
      fn('Worker', WORKER, { environment: { MODE: 'throw' } }).addEventSource(
        new SqsEventSource(jobs, {
          batchSize: 5,
          maxBatchingWindow: Duration.seconds(1),
          reportBatchItemFailures: true,
        }),
      );
    });
  }, 60_000);
  afterAll(() => app.stop());

  // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html: an error fails the whole batch.
  test('THEN the whole batch comes back, and with maxReceiveCount 1 every message goes to the DLQ', async () => {
    const { api } = app;
    await api.queue('Jobs').send({ n: 1 });
    await api.queue('Jobs').send({ n: 2, fail: true });
    await api.settled({ timeoutMs: 20_000 });
    expect(api.workerInvocations.map((i) => [i.batchSize, i.outcome, i.failures, i.error])).toEqual([
      [2, 'error', 2, 'Error: cannot process 1'],
    ]);
    expect(api.workerInvocations[0].next).toBe('2 messages return after the visibility timeout (3 s)');
    expect(
      api
        .queue('Dlq')
        .messages()
        .map((m) => m.json),
    ).toEqual([{ n: 1 }, { n: 2, fail: true }]);
  }, 30_000);
});

describe('GIVEN a worker whose response names a message that is not in the batch', () => {
  let app: WorkersApp;
  beforeAll(async () => {
    app = await startWorkersApp(({ stack, fn }) => {
      const dlq = new sqs.Queue(stack, 'Dlq');
      const jobs = new sqs.Queue(stack, 'Jobs', {
        visibilityTimeout: Duration.seconds(3),
        deadLetterQueue: { queue: dlq, maxReceiveCount: 1 },
      });
      fn('Worker', WORKER, { environment: { MODE: 'unknown-id' } }).addEventSource(
        new SqsEventSource(jobs, { reportBatchItemFailures: true }),
      );
    });
  }, 60_000);
  afterAll(() => app.stop());

  // The documented invalid responses count as a complete failure.
  test('THEN the whole batch failed', async () => {
    const { api } = app;
    await api.queue('Jobs').send({ n: 1, fail: true });
    await api.settled({ timeoutMs: 20_000 });
    expect(api.workerInvocations.map((i) => [i.outcome, i.error])).toEqual([
      ['error', 'the whole batch failed: batchItemFailures names not-in-batch, which is not an item of the batch'],
    ]);
    expect(api.queue('Dlq').messages()).toHaveLength(1);
  }, 30_000);
});

describe('GIVEN a FIFO queue worked one message at a time, with a filter', () => {
  let app: WorkersApp;
  beforeAll(async () => {
    app = await startWorkersApp(({ stack, fn }) => {
      const jobs = new sqs.Queue(stack, 'Jobs', { fifo: true, contentBasedDeduplication: true });
      fn('Worker', WORKER).addEventSource(
        new SqsEventSource(jobs, {
          batchSize: 1,
          filters: [{ pattern: JSON.stringify({ body: { kind: ['order'] } }) }],
        }),
      );
    });
  }, 60_000);
  afterAll(() => app.stop());

  test('THEN each group is delivered in order, duplicates are dropped, and what no filter matches is deleted unseen', async () => {
    const { api } = app;
    const jobs = api.queue('Jobs');
    for (const [group, n] of [
      ['a', 1],
      ['b', 1],
      ['a', 2],
      ['a', 3],
      ['b', 2],
    ] as const) {
      await jobs.send({ kind: 'order', group, n }, { groupId: group });
    }
    // Content-based deduplication: the same body within 5 minutes is accepted and dropped.
    await jobs.send({ kind: 'order', group: 'a', n: 1 }, { groupId: 'a' });
    await jobs.send({ kind: 'note', group: 'a', n: 4 }, { groupId: 'a' });
    await api.settled({ timeoutMs: 20_000 });

    const seen = (logged(api, 'Worker', 'RECORD') as Logged[]).map((r) => JSON.parse(r.body));
    const order = (group: string) => seen.filter((body) => body.group === group).map((body) => body.n);
    expect(order('a')).toEqual([1, 2, 3]);
    expect(order('b')).toEqual([1, 2]);
    expect(seen).toHaveLength(5);
    expect(jobs.messages()).toEqual([]);
  }, 30_000);
});
