/**
 * Workers across a reload (`dev --watch`): the queues keep their messages, the new version's pollers take them, and a
 * stream mapping goes on from where it was rather than reading the stream again.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { readLocalApp } from '../../../src/local/reader';
import { runLocal, type RunningLocal } from '../../../src/local/run-local';
import type { WorkerInvocation } from '../../../src/local/workers/invocations';
import { synthWorkersApp } from '../../helpers/workers-app';

const WORKER = 'exports.handler = async () => ({});';

let dir: string;
let running: RunningLocal;
const invocations: WorkerInvocation[] = [];
beforeAll(async () => {
  const synthesized = synthWorkersApp(({ stack, fn }) => {
    const jobs = new sqs.Queue(stack, 'Jobs', { visibilityTimeout: Duration.seconds(5) });
    fn('QueueWorker', WORKER).addEventSource(new SqsEventSource(jobs));
    const table = new dynamodb.Table(stack, 'Items', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      tableName: 'items',
      stream: dynamodb.StreamViewType.KEYS_ONLY,
    });
    fn('StreamWorker', WORKER).addEventSource(
      new DynamoEventSource(table, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }),
    );
  });
  dir = synthesized.dir;
  running = await runLocal(readLocalApp(synthesized.assemblyDir), {
    keysDir: path.join(dir, 'keys'),
    retryDelayMs: 50,
    onWorkerInvocation: (invocation) => invocations.push(invocation),
  });
}, 60_000);
afterAll(async () => {
  await running.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const handled = (worker: string) =>
  invocations.filter((i) => i.worker === worker && i.outcome === 'ok').reduce((sum, i) => sum + i.batchSize, 0);

test('GIVEN a message waiting over a reload THEN the new version handles it; a stream goes on where it was', async () => {
  const { services } = running;
  const put = (id: string) => running.dynamodb.request('PutItem', { TableName: 'items', Item: { id: { S: id } } });
  await put('before');
  await services.workers.settled();
  expect(handled('StreamWorker')).toBe(1);

  const jobs = services.broker.byName(running.app.workers!.queues[0].queueName)!;
  await services.sqs.call(
    'SendMessage',
    { QueueUrl: `${services.endpoint}/123456789012/${jobs.model.queueName}`, MessageBody: 'late', DelaySeconds: 1 },
    services.adminAccessKeyId,
  );
  const result = await running.reload(readLocalApp(running.app.assemblyDir));
  expect(result.tables).toBe('kept');
  expect(jobs.size).toBe(1);
  await put('after');
  await services.workers.settled();
  expect(handled('QueueWorker')).toBe(1);
  // TRIM_HORIZON applies once: the reloaded mapping does not read "before" again.
  expect(handled('StreamWorker')).toBe(2);
}, 30_000);
