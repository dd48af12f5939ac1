/**
 * What the asynchronous side of the local API costs: a write to a table with a stream over one without (the stream
 * reads the item before and after each write), and how long a message or an event takes to reach its worker.
 * Prints figures; asserts only that every message and event arrived.
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/local/workers.ts [--writes 1000] [--messages 200]
 *
 * The app: two tables (one with a NEW_AND_OLD_IMAGES stream and a worker), a queue and an EventBridge rule, each
 * with a worker that returns at once; plain JavaScript handlers, synthesized into a temporary folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { readLocalApp } from '../../src/local/reader';
import { runLocal } from '../../src/local/run-local';
import type { WorkerInvocation } from '../../src/local/workers/invocations';
import { summarize, table, type Summary } from '../runtime/lib/stats';

const { values: args } = parseArgs({
  options: { writes: { type: 'string', default: '1000' }, messages: { type: 'string', default: '200' } },
});
const WRITES = Number(args.writes);
const MESSAGES = Number(args.messages);

function synthesize(dir: string): string {
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'WorkersBench');
  const code = path.join(dir, 'code');
  fs.mkdirSync(code);
  fs.writeFileSync(path.join(code, 'index.js'), 'exports.handler = async () => ({ statusCode: 204 });');
  const fn = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(code),
      timeout: Duration.seconds(3),
    });
  new HttpApi(stack, 'Api').addRoutes({
    path: '/health',
    methods: [HttpMethod.GET],
    integration: new HttpLambdaIntegration('Health', fn('Health')),
  });
  const key = { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } };
  new dynamodb.Table(stack, 'Plain', { ...key, tableName: 'plain' });
  const streamed = new dynamodb.Table(stack, 'Streamed', {
    ...key,
    tableName: 'streamed',
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  });
  fn('StreamWorker').addEventSource(
    new DynamoEventSource(streamed, { startingPosition: lambda.StartingPosition.LATEST, batchSize: 1000 }),
  );
  const jobs = new sqs.Queue(stack, 'Jobs');
  fn('QueueWorker').addEventSource(new SqsEventSource(jobs, { batchSize: 1 }));
  new events.Rule(stack, 'OnPing', {
    eventPattern: { source: ['bench'] },
    targets: [new targets.LambdaFunction(fn('EventWorker'))],
  });
  return app.synth().directory;
}

async function main(): Promise<void> {
  console.log(
    `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workers-bench-'));
  const delivered: ((invocation: WorkerInvocation) => void)[] = [];
  const counts = new Map<string, number>();
  const local = await runLocal(readLocalApp(synthesize(dir)), {
    keysDir: dir,
    onWorkerInvocation: (invocation) => {
      counts.set(invocation.worker, (counts.get(invocation.worker) ?? 0) + invocation.batchSize);
      [...delivered].forEach((listener) => listener(invocation));
    },
  });
  try {
    // Each write changes its item (a write that changes nothing writes no stream record).
    let written = 0;
    const put = (tableName: string, i: number) =>
      local.dynamodb.request('PutItem', {
        TableName: tableName,
        Item: { id: { S: `item-${i % 100}` }, n: { N: String(written++) } },
      });
    const writes = async (tableName: string): Promise<Summary> => {
      const times: number[] = [];
      for (let i = 0; i < WRITES; i++) {
        const started = performance.now();
        await put(tableName, i);
        times.push(performance.now() - started);
      }
      return summarize(times);
    };
    await writes('plain');
    await writes('streamed');
    const plain = await writes('plain');
    const streamed = await writes('streamed');
    await local.services.workers.settled(60_000);

    const { services } = local;
    const queue = services.broker.all()[0];
    const arrival = (worker: string) =>
      new Promise<void>((resolve) => {
        const listener = (invocation: WorkerInvocation) => {
          if (invocation.worker !== worker) return;
          delivered.splice(delivered.indexOf(listener), 1);
          resolve();
        };
        delivered.push(listener);
      });
    const roundTrips = async (worker: string, send: () => unknown): Promise<Summary> => {
      const times: number[] = [];
      for (let i = 0; i < MESSAGES; i++) {
        const arrived = arrival(worker);
        const started = performance.now();
        await send();
        await arrived;
        times.push(performance.now() - started);
      }
      return summarize(times);
    };
    const url = `${services.endpoint}/${queue.model.arn.split(':')[4]}/${queue.model.queueName}`;
    const sendMessage = () =>
      services.sqs.call('SendMessage', { QueueUrl: url, MessageBody: 'x' }, services.adminAccessKeyId);
    const putEvent = () =>
      services.events.call(
        'PutEvents',
        { Entries: [{ Source: 'bench', DetailType: 'Ping', Detail: '{}' }] },
        services.adminAccessKeyId,
      );
    await roundTrips('QueueWorker', sendMessage);
    await roundTrips('EventWorker', putEvent);
    const message = await roundTrips('QueueWorker', sendMessage);
    const event = await roundTrips('EventWorker', putEvent);

    const expected = { StreamWorker: 2 * WRITES, QueueWorker: 2 * MESSAGES, EventWorker: 2 * MESSAGES };
    for (const [worker, items] of Object.entries(expected)) {
      if (counts.get(worker) !== items) throw new Error(`${worker} got ${counts.get(worker) ?? 0} items, not ${items}`);
    }
    const row = (name: string, summary: Summary) => [
      name,
      ...[summary.median, summary.p90, summary.p99].map((v) => v.toFixed(3)),
    ];
    console.log(`\nPutItem, ${WRITES} sequential writes each (ms):`);
    console.log(
      table(
        ['table', 'p50', 'p90', 'p99'],
        [row('without a stream', plain), row('with a stream (NEW_AND_OLD_IMAGES)', streamed)],
      ),
    );
    console.log(`\nTo the worker, ${MESSAGES} one at a time each (ms, until the invocation ended):`);
    console.log(
      table(
        ['path', 'p50', 'p90', 'p99'],
        [
          row('SendMessage -> SQS poller -> worker', message),
          row('PutEvents -> rule -> asynchronous invocation', event),
        ],
      ),
    );
  } finally {
    await local.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
