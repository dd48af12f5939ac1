/**
 * The test kit for the asynchronous paths of an app: a route that enqueues through its environment's queue URL, a
 * worker that handles the queue, and what a test needs around them: wait until everything settled, read a queue,
 * send a message or put an event directly, invoke a worker alone.
 */
import { Duration, Fn } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QUEUES_ENV } from '../../src/shared/env';
import { logged, startWorkersApp, type WorkersApp } from '../helpers/workers-app';

/** Sends the request's body to the queue the environment names, by its URL. */
const ENQUEUE = `
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const client = new SQSClient({});
const queues = JSON.parse(process.env.${QUEUES_ENV});
exports.handler = async (event) => {
  const out = await client.send(new SendMessageCommand({ QueueUrl: queues.jobs.url, MessageBody: event.body }));
  return { statusCode: 202, body: JSON.stringify({ messageId: out.MessageId, url: queues.jobs.url }) };
};
`;

const WORKER = `
exports.handler = async (event) => {
  for (const record of event.Records || []) console.log('JOB', record.body);
  if (event.detail) console.log('JOB', JSON.stringify(event.detail));
  return { handled: (event.Records || []).length };
};
`;

let app: WorkersApp;
beforeAll(async () => {
  app = await startWorkersApp(({ stack, fn, route }) => {
    const jobs = new sqs.Queue(stack, 'Jobs', { visibilityTimeout: Duration.seconds(5) });
    const idle = new sqs.Queue(stack, 'Idle');
    new sqs.Queue(stack, 'Parked');
    const enqueue = fn('Enqueue', ENQUEUE, {
      environment: { [QUEUES_ENV]: Fn.toJsonString({ jobs: { url: jobs.queueUrl, fifo: false } }) },
    });
    jobs.grantSendMessages(enqueue);
    route(HttpMethod.POST, '/jobs', enqueue);
    const worker = fn('Worker', WORKER);
    worker.addEventSource(new SqsEventSource(jobs));
    new events.Rule(stack, 'OnJob', {
      eventPattern: { source: ['jobs'] },
      targets: [new targets.LambdaFunction(worker)],
    });
    // A queue a stuck worker holds: settled() cannot resolve while its message is in flight.
    fn('Stuck', 'exports.handler = () => new Promise(() => setInterval(() => {}, 1000));').addEventSource(
      new SqsEventSource(idle),
    );
  });
}, 60_000);
afterAll(() => app.stop());

test('GIVEN a route that enqueues THEN the worker handles the message once settled, and the queue is empty', async () => {
  const res = await fetch(`${app.api.url}/jobs`, { method: 'POST', body: '{"job":"export"}' });
  expect(res.status).toBe(202);
  const { url } = (await res.json()) as { url: string };
  // The environment's URL was the template's; the function saw the local endpoint's.
  expect(url).toBe(app.api.queue('Jobs').url);
  await app.api.settled();
  expect(logged(app.api, 'Worker', 'JOB')).toContainEqual({ job: 'export' });
  expect(app.api.queue('Jobs').messages()).toEqual([]);
  expect(app.api.workerInvocations).toContainEqual(
    expect.objectContaining({ worker: 'Worker', source: 'queue Jobs', batchSize: 1, outcome: 'ok', failures: 0 }),
  );
});

test('GIVEN a message sent by the test THEN the worker gets it; messages() shows what is left, without receiving it', async () => {
  const { messageId } = await app.api.queue('Jobs').send({ job: 'direct' }, { attributes: { priority: 1 } });
  expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
  await app.api.settled();
  expect(logged(app.api, 'Worker', 'JOB')).toContainEqual({ job: 'direct' });

  // A queue no worker reads: its messages do not keep settled() waiting.
  await app.api.queue('Parked').send('waiting', { delaySeconds: 900 });
  await app.api.settled();
  expect(app.api.queue('Parked').messages()).toEqual([
    expect.objectContaining({
      body: 'waiting',
      state: 'delayed',
      receiveCount: 0,
      attributes: expect.objectContaining({ SenderId: '123456789012' }),
    }),
  ]);
});

test('GIVEN an event put by the test THEN the rule runs the worker with it', async () => {
  await app.api.putEvent({ source: 'jobs', detailType: 'JobRequested', detail: { job: 'from-event' } });
  await app.api.settled();
  expect(logged(app.api, 'Worker', 'JOB')).toContainEqual({ job: 'from-event' });
  await expect(app.api.putEvent({ source: 'aws.jobs', detailType: 'X', detail: {} })).rejects.toThrow(
    'PutEvents refused the event: NotAuthorizedForSourceException: Not authorized for the source.',
  );
});

test('GIVEN a batch built by the test THEN invoke() runs the worker alone and answers its outcome', async () => {
  const outcome = await app.api.invoke('Worker', { Records: [{ body: '{"job":"alone"}' }] });
  expect(outcome).toMatchObject({ status: 'ok', payload: { handled: 1 } });
  await expect(app.api.invoke('Nobody', {})).rejects.toThrow(/^no function "Nobody" in Workers: it has /);
});

test('GIVEN messages the test no longer wants THEN purge() removes them', async () => {
  await app.api.queue('Parked').purge();
  expect(app.api.queue('Parked').messages()).toEqual([]);
});

// Last: the stuck worker keeps its message in flight until the API stops.
test('GIVEN a worker that never finishes THEN settled() rejects after its timeout, naming what is pending', async () => {
  await app.api.queue('Idle').send('forever');
  await expect(app.api.settled({ timeoutMs: 500 })).rejects.toThrow(
    /^the local API did not settle within 500 ms: queue Idle: 0 visible, 1 in flight, 0 delayed \(5 pollers: 4 waiting, 1 handling a batch\)$/,
  );
});
