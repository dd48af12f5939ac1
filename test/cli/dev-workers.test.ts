/**
 * `serverless-api dev` on an app with a queue and its worker: the banner lists them, and each worker invocation is
 * logged as a line of its own, like the gateway's.
 */
import * as fs from 'fs';
import { Duration, Fn } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ROOT } from './run';
import { startDev, type DevServer } from '../../src/cli/dev/dev-server';
import { QUEUES_ENV } from '../../src/shared/env';
import { synthWorkersApp } from '../helpers/workers-app';

const ENQUEUE = `
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const client = new SQSClient({});
exports.handler = async (event) => {
  const { jobs } = JSON.parse(process.env.${QUEUES_ENV});
  await client.send(new SendMessageCommand({ QueueUrl: jobs.url, MessageBody: event.body }));
  return { statusCode: 202 };
};
`;
const WORKER = `exports.handler = async (event) => {
  const failed = event.Records.filter((r) => r.body.includes('fail')).map((r) => ({ itemIdentifier: r.messageId }));
  return { batchItemFailures: failed };
};`;

let dir: string;
let server: DevServer;
let out = '';
beforeAll(async () => {
  const synthesized = synthWorkersApp(({ stack, fn, route }) => {
    const dlq = new sqs.Queue(stack, 'JobsDlq');
    const jobs = new sqs.Queue(stack, 'Jobs', {
      visibilityTimeout: Duration.seconds(3),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 1 },
    });
    const enqueue = fn('Enqueue', ENQUEUE, {
      environment: { [QUEUES_ENV]: Fn.toJsonString({ jobs: { url: jobs.queueUrl, fifo: false } }) },
    });
    jobs.grantSendMessages(enqueue);
    route(HttpMethod.POST, '/jobs', enqueue);
    fn('Worker', WORKER).addEventSource(
      new SqsEventSource(jobs, { maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true }),
    );
  });
  dir = synthesized.dir;
  server = await startDev({ cwd: ROOT, assemblyDir: synthesized.assemblyDir, port: 0, write: (text) => (out += text) });
}, 60_000);
afterAll(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the banner lists the queues and the worker each feeds, and says which logs follow', () => {
  const lines = out.slice(0, out.indexOf('Ctrl-C stops.\n') + 'Ctrl-C stops.\n'.length).split('\n');
  expect(lines).toContain('Queues (in memory, lost at stop):');
  expect(lines).toContain('  Jobs     standard, visibility 3 s, to JobsDlq after 1 receives');
  expect(lines).toContain('  JobsDlq  standard, visibility 30 s');
  expect(lines).toContain('Workers:');
  expect(lines).toContain('  Worker  <- queue Jobs  batch 10');
  expect(lines).toContain(
    'Logs follow: [function name], [gateway], [access], [dynamodb], [secretsmanager], [sqs], [events], [worker]. Ctrl-C stops.',
  );
});

test('GIVEN two jobs, one failing THEN one [worker] line says so, and the failed one moves to the DLQ', async () => {
  for (const body of ['ok', 'fail']) {
    expect((await fetch(`${server.url}/jobs`, { method: 'POST', body })).status).toBe(202);
  }
  await server.running.services.workers.settled();
  expect(out.split('\n')).toContain(
    '[worker] Worker <- queue Jobs: 2 items, 1 of 2 failed, 1 message returns after the visibility timeout (3 s)',
  );
  expect(out).toMatch(
    /\[sqs\] message \S+ of Workers-Jobs\w+ was received 1 time \(maxReceiveCount 1\): moved to Workers-JobsDlq\w+\n/,
  );
}, 30_000);
