/**
 * Table streams on the local API: every write that changes an item becomes a record with the images its view type
 * keeps, handed in order to the stream's workers with Lambda's filters, batches, bisection, partial batch responses,
 * retries and on-failure destination.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 */
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { logged, startWorkersApp, type WorkersApp } from '../../helpers/workers-app';

/** Logs each record; fails on records whose new image has `poison`, by throwing or by naming them. */
const WORKER = `
exports.handler = async (event) => {
  const failed = [];
  for (const record of event.Records) {
    console.log('RECORD', JSON.stringify(record));
    const image = record.dynamodb.NewImage || {};
    if (image.poison) failed.push(record.dynamodb.SequenceNumber);
  }
  if (failed.length === 0) return {};
  if (process.env.MODE === 'report') return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
  throw new Error('poison in batch');
};
`;

interface Record {
  readonly eventName: string;
  readonly eventSourceARN: string;
  readonly userIdentity?: unknown;
  readonly dynamodb: {
    readonly Keys: unknown;
    readonly NewImage?: { readonly [name: string]: unknown };
    readonly OldImage?: { readonly [name: string]: unknown };
    readonly SequenceNumber: string;
    readonly StreamViewType: string;
  };
}

const VIEW_TYPES = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] as const;
const key = { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } };

let app: WorkersApp;
let client: DynamoDBClient;
beforeAll(async () => {
  app = await startWorkersApp(({ stack, fn }) => {
    const worker = (
      id: string,
      table: dynamodb.Table,
      props: Partial<ConstructorParameters<typeof DynamoEventSource>[1]> = {},
      environment = {},
    ) =>
      fn(id, WORKER, { environment }).addEventSource(
        new DynamoEventSource(table, { startingPosition: lambda.StartingPosition.TRIM_HORIZON, ...props }),
      );
    for (const viewType of VIEW_TYPES) {
      const table = new dynamodb.Table(stack, viewType, {
        ...key,
        tableName: viewType,
        stream: viewType as dynamodb.StreamViewType,
      });
      worker(`Recorder${viewType}`, table);
    }
    const expiring = new dynamodb.Table(stack, 'Expiring', {
      ...key,
      tableName: 'expiring',
      timeToLiveAttribute: 'expiresAt',
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    worker('TtlRecorder', expiring);
    const tasks = new dynamodb.Table(stack, 'Tasks', {
      ...key,
      tableName: 'tasks',
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    worker('OpenTasks', tasks, {
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { status: { S: ['OPEN'] } } },
        }),
      ],
    });
    const failures = new sqs.Queue(stack, 'Failures', { visibilityTimeout: Duration.seconds(30) });
    const jobs = new dynamodb.Table(stack, 'Jobs', {
      ...key,
      tableName: 'jobs',
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    worker('Bisecting', jobs, {
      batchSize: 4,
      bisectBatchOnError: true,
      retryAttempts: 1,
      onFailure: new SqsDlq(failures),
    });
    const partial = new dynamodb.Table(stack, 'Partial', {
      ...key,
      tableName: 'partial',
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    worker(
      'Reporting',
      partial,
      { batchSize: 4, reportBatchItemFailures: true, retryAttempts: 1, onFailure: new SqsDlq(failures) },
      { MODE: 'report' },
    );
  });
  client = new DynamoDBClient(app.api.table.clientConfig());
}, 60_000);
afterAll(() => app.stop());

const S = (value: string) => ({ S: value });

describe.each(VIEW_TYPES)('GIVEN a table whose stream keeps %s', (viewType) => {
  test('WHEN an item is put, updated, put unchanged, refused and deleted THEN INSERT, MODIFY, REMOVE in order', async () => {
    await client.send(new PutItemCommand({ TableName: viewType, Item: { id: S('a'), v: { N: '1' } } }));
    await client.send(
      new UpdateItemCommand({
        TableName: viewType,
        Key: { id: S('a') },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { N: '2' } },
      }),
    );
    // No change, and a failed condition: DynamoDB writes no record for either.
    await client.send(new PutItemCommand({ TableName: viewType, Item: { id: S('a'), v: { N: '2' } } }));
    await client
      .send(
        new PutItemCommand({
          TableName: viewType,
          Item: { id: S('a') },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      )
      .catch(() => undefined);
    await client.send(new DeleteItemCommand({ TableName: viewType, Key: { id: S('a') } }));
    await app.api.settled();

    const records = logged(app.api, `Recorder${viewType}`, 'RECORD') as Record[];
    const v1 = { id: S('a'), v: { N: '1' } };
    const v2 = { id: S('a'), v: { N: '2' } };
    const newImages = viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
    const oldImages = viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
    expect(records.map((r) => [r.eventName, r.dynamodb.Keys, r.dynamodb.NewImage, r.dynamodb.OldImage])).toEqual([
      ['INSERT', { id: S('a') }, newImages ? v1 : undefined, undefined],
      ['MODIFY', { id: S('a') }, newImages ? v2 : undefined, oldImages ? v1 : undefined],
      ['REMOVE', { id: S('a') }, undefined, oldImages ? v2 : undefined],
    ]);
    const sequence = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(sequence).size).toBe(3);
    expect(records[0]).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:dynamodb:us-east-1:123456789012:table/${viewType}/stream/1970-01-01T00:00:00.000`,
      dynamodb: {
        StreamViewType: viewType,
        ApproximateCreationDateTime: expect.any(Number),
        SizeBytes: expect.any(Number),
      },
    });
    expect(records[0].userIdentity).toBeUndefined();
  });
});

test('GIVEN an item past its TTL THEN its deletion is a REMOVE by DynamoDB itself', async () => {
  const expiresAt = { N: String(Math.floor(Date.now() / 1000) - 3600) };
  await client.send(new PutItemCommand({ TableName: 'expiring', Item: { id: S('old'), expiresAt } }));
  expect(await app.api.table.sweepExpired()).toBe(1);
  await app.api.settled();
  const records = logged(app.api, 'TtlRecorder', 'RECORD') as Record[];
  expect(records.map((r) => [r.eventName, r.userIdentity])).toEqual([
    ['INSERT', undefined],
    ['REMOVE', { type: 'Service', principalId: 'dynamodb.amazonaws.com' }],
  ]);
  expect(records[1].dynamodb.OldImage).toEqual({ id: S('old'), expiresAt });
});

test('GIVEN a filter THEN only the records it matches reach the worker', async () => {
  for (const [id, status] of [
    ['t1', 'OPEN'],
    ['t2', 'DONE'],
  ]) {
    await client.send(new PutItemCommand({ TableName: 'tasks', Item: { id: S(id), status: S(status) } }));
  }
  await client.send(
    new UpdateItemCommand({
      TableName: 'tasks',
      Key: { id: S('t2') },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': S('OPEN') },
    }),
  );
  await app.api.settled();
  const records = logged(app.api, 'OpenTasks', 'RECORD') as Record[];
  expect(records.map((r) => [r.eventName, r.dynamodb.Keys])).toEqual([['INSERT', { id: S('t1') }]]);
});

const putBatch = (table: string, ids: readonly string[], poison: string) =>
  client.send(
    new BatchWriteItemCommand({
      RequestItems: {
        [table]: ids.map((id) => ({
          PutRequest: { Item: { id: S(id), ...(id === poison ? { poison: { BOOL: true } } : {}) } },
        })),
      },
    }),
  );

test('GIVEN a failing record with bisection and one retry THEN the batch is split down to it, then it alone is discarded', async () => {
  await putBatch('jobs', ['j1', 'j2', 'j3', 'j4'], 'j3');
  await app.api.settled();
  const invocations = app.api.workerInvocations.filter((i) => i.worker === 'Bisecting');
  expect(invocations.map((i) => [i.batchSize, i.outcome, i.next])).toEqual([
    [4, 'error', 'the batch is split in two'],
    [2, 'ok', undefined],
    [2, 'error', 'the batch is split in two'],
    [1, 'error', 'retry 1 of 1'],
    [1, 'error', 'retry 2 of 1'],
    [1, 'ok', undefined],
  ]);
  const handed = (logged(app.api, 'Bisecting', 'RECORD') as Record[]).map(
    (r) => (r.dynamodb.NewImage!.id as { S: string }).S,
  );
  expect(handed).toEqual(['j1', 'j2', 'j3', 'j4', 'j1', 'j2', 'j3', 'j4', 'j3', 'j3', 'j4']);
  const poison = (logged(app.api, 'Bisecting', 'RECORD') as Record[])[2].dynamodb.SequenceNumber;
  const failure = app.api
    .queue('Failures')
    .messages()
    .find(
      (m) =>
        (m.json as { DDBStreamBatchInfo?: unknown }).DDBStreamBatchInfo !== undefined &&
        JSON.stringify(m.json).includes(poison),
    );
  expect(failure?.json).toEqual({
    requestContext: {
      requestId: expect.any(String),
      functionArn: expect.stringMatching(/^arn:aws:lambda:us-east-1:123456789012:function:Workers-Bisecting/),
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: expect.any(String),
    DDBStreamBatchInfo: {
      shardId: expect.any(String),
      startSequenceNumber: poison,
      endSequenceNumber: poison,
      approximateArrivalOfFirstRecord: expect.stringMatching(/Z$/),
      approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
      batchSize: 1,
      streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/jobs/stream/1970-01-01T00:00:00.000',
    },
  });
});

test('GIVEN a partial batch response THEN the poller resumes from the failed record, and discards from it once retries run out', async () => {
  await putBatch('partial', ['p1', 'p2', 'p3', 'p4'], 'p3');
  await app.api.settled();
  const invocations = app.api.workerInvocations.filter((i) => i.worker === 'Reporting');
  const records = logged(app.api, 'Reporting', 'RECORD') as Record[];
  const p3 = records[2].dynamodb.SequenceNumber;
  expect(invocations.map((i) => [i.batchSize, i.outcome, i.failures, i.next])).toEqual([
    [4, 'partial', 1, `resumes from ${p3}, retry 1 of 1`],
    [2, 'partial', 1, `resumes from ${p3}, retry 2 of 1`],
  ]);
  const failure = app.api
    .queue('Failures')
    .messages()
    .find((m) => JSON.stringify(m.json).includes(`"startSequenceNumber":"${p3}"`));
  expect(failure?.json).toMatchObject({ DDBStreamBatchInfo: { batchSize: 2, startSequenceNumber: p3 } });
});
