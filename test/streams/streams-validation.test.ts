import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ServerlessApi, ServerlessApiProps, StreamWorkerOptions, TableStreamOptions } from '../../src';
import { defaultProps, expectError, HANDLER_ENTRY, newStack } from '../helpers/api';

/**
 * Table stream props that Lambda or DynamoDB would refuse at deploy time, or that would quietly never work, refused at
 * synth with `` `prop` must ..., got: value ``.
 */

const worker = (options: Partial<StreamWorkerOptions> = {}): StreamWorkerOptions => ({
  entry: HANDLER_ENTRY,
  ...options,
});
const withWorker = (options: Partial<StreamWorkerOptions>, stream: Partial<TableStreamOptions> = {}) => ({
  tableStream: { ...stream, workers: { changes: worker(options) } },
});
const newImages = lambda.FilterCriteria.filter({
  dynamodb: { NewImage: { status: { S: lambda.FilterRule.isEqual('PAID') } } },
});
const oldImages = lambda.FilterCriteria.filter({
  dynamodb: { OldImage: { status: { S: lambda.FilterRule.exists() } } },
});
const inserts = lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') });

const CASES: [string, Partial<ServerlessApiProps>, string][] = [
  [
    'a view type DynamoDB does not know',
    withWorker({}, { viewType: 'ALL' as dynamodb.StreamViewType }),
    '`tableStream.viewType` must be a dynamodb.StreamViewType (NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY), got: "ALL"',
  ],
  [
    'no worker',
    { tableStream: { workers: {} } },
    '`tableStream.workers` must declare at least one worker consuming the stream, got: {}',
  ],
  [
    'a worker name that is no identifier',
    { tableStream: { workers: { 'on-change': worker() } } },
    '`tableStream.workers` must have names of 1 to 64 letters and digits, starting with a letter, got: "on-change"',
  ],
  [
    'a worker named like a route function',
    { tableStream: { workers: { items: worker() } } },
    '`tableStream.workers` must have names unique among the API\'s route functions and workers, which share one namespace: `functions.items` is named "items" already, got: "items"',
  ],
  [
    'a worker named like an event worker',
    {
      events: { workers: { changes: { entry: HANDLER_ENTRY, sources: ['com.example.orders'] } } },
      ...withWorker({}),
    },
    '`tableStream.workers` must have names unique among the API\'s route functions and workers, which share one namespace: `events.workers.changes` is named "changes" already, got: "changes"',
  ],
  [
    'six filters',
    withWorker({ filters: [inserts, inserts, inserts, inserts, inserts, inserts] }),
    '`tableStream.workers.changes.filters` must list at most 5 filters, Lambda\'s quota per event source mapping, got: "6 filters"',
  ],
  [
    'a filter given twice',
    withWorker({ filters: [inserts, newImages, inserts] }),
    '`tableStream.workers.changes.filters[2]` duplicates `tableStream.workers.changes.filters[0]`: "{\\"eventName\\":[\\"INSERT\\"]}" is declared twice',
  ],
  [
    'a filter that is no pattern',
    withWorker({ filters: [{ eventName: ['INSERT'] }] }),
    '`tableStream.workers.changes.filters[0]` must be a `{ pattern }` of a JSON object, as `lambda.FilterCriteria.filter()` makes, got: {"eventName":["INSERT"]}',
  ],
  [
    'a filter on new images of a keys-only stream',
    withWorker({ filters: [newImages] }, { viewType: dynamodb.StreamViewType.KEYS_ONLY }),
    '`tableStream.workers.changes.filters[0]` must not filter on dynamodb.NewImage: the stream\'s KEYS_ONLY records carry no NewImage, so the filter would never match, got: "{\\"dynamodb\\":{\\"NewImage\\":{\\"status\\":{\\"S\\":[\\"PAID\\"]}}}}"',
  ],
  [
    'a filter on old images of a new-images stream',
    withWorker({ filters: [inserts, oldImages] }, { viewType: dynamodb.StreamViewType.NEW_IMAGE }),
    '`tableStream.workers.changes.filters[1]` must not filter on dynamodb.OldImage: the stream\'s NEW_IMAGE records carry no OldImage, so the filter would never match, got: "{\\"dynamodb\\":{\\"OldImage\\":{\\"status\\":{\\"S\\":[{\\"exists\\":true}]}}}}"',
  ],
  [
    'an empty batch',
    withWorker({ batchSize: 0 }),
    '`tableStream.workers.changes.batchSize` must be a whole number between 1 and 10000, got: 0',
  ],
  [
    'a batch above 10,000 records',
    withWorker({ batchSize: 10001 }),
    '`tableStream.workers.changes.batchSize` must be a whole number between 1 and 10000, got: 10001',
  ],
  [
    'a batching window beyond 5 minutes',
    withWorker({ maxBatchingWindow: Duration.seconds(301) }),
    '`tableStream.workers.changes.maxBatchingWindow` must be whole seconds, at most 5 minutes, got: 5 minutes 1 second',
  ],
  [
    'a starting position DynamoDB streams do not take',
    withWorker({ startingPosition: lambda.StartingPosition.AT_TIMESTAMP }),
    '`tableStream.workers.changes.startingPosition` must be TRIM_HORIZON or LATEST, the positions Lambda takes for a DynamoDB stream, got: "AT_TIMESTAMP"',
  ],
  [
    'more retries than Lambda allows',
    withWorker({ retryAttempts: 10001 }),
    '`tableStream.workers.changes.retryAttempts` must be a whole number between 0 and 10000, got: 10001',
  ],
  [
    'a record age below a minute',
    withWorker({ maxRecordAge: Duration.seconds(59) }),
    "`tableStream.workers.changes.maxRecordAge` must be whole seconds, between 1 minute and 7 days (Lambda's limits), got: 59 seconds",
  ],
  [
    'a parallelization factor above 10',
    withWorker({ parallelizationFactor: 11 }),
    '`tableStream.workers.changes.parallelizationFactor` must be a whole number between 1 and 10, got: 11',
  ],
  [
    'bisection given as a string',
    withWorker({ bisectBatchOnError: 'false' as unknown as boolean }),
    '`tableStream.workers.changes.bisectBatchOnError` must be true or false, got: "false"',
  ],
  [
    'an iterator age alarm at 0',
    withWorker({ iteratorAgeAlarm: { maxLatency: Duration.seconds(0) } }),
    '`tableStream.workers.changes.iteratorAgeAlarm.maxLatency` must be a positive duration, got: 0 seconds',
  ],
];

describe.each(CASES)('GIVEN %s', (_, props, message) => {
  test('THEN the props are refused with the prop named', () => {
    expectError(props, message);
  });
});

describe('GIVEN an existing table', () => {
  const existing = (stack: Stack, tableStreamArn?: string) => ({
    table: dynamodb.TableV2.fromTableAttributes(stack, 'Orders', { tableName: 'orders', tableStreamArn }),
  });

  test('WHEN it has no stream THEN the stream workers are refused, saying how to bring its stream', () => {
    const stack = newStack();
    expect(
      () => new ServerlessApi(stack, 'Api', { ...defaultProps(), existingTable: existing(stack), ...withWorker({}) }),
    ).toThrow(
      new Error(
        '`tableStream` must be used with an existing table that has a stream: bring it with `TableV2.fromTableAttributes({ tableName, tableStreamArn })`, got: "orders"',
      ),
    );
  });

  test('WHEN a view type is given THEN it is refused: the stream has its own', () => {
    const stack = newStack();
    expect(
      () =>
        new ServerlessApi(stack, 'Api', {
          ...defaultProps(),
          existingTable: existing(
            stack,
            'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
          ),
          ...withWorker({}, { viewType: dynamodb.StreamViewType.NEW_IMAGE }),
        }),
    ).toThrow(
      new Error(
        '`tableStream.viewType` must be left out with `existingTable`: an existing table\'s stream keeps the view type it was created with, got: "NEW_IMAGE"',
      ),
    );
  });

  test('WHEN its stream is brought THEN filters on any image are accepted: its view type is not known here', () => {
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      existingTable: existing(
        stack,
        'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
      ),
      ...withWorker({ filters: [newImages, oldImages] }),
    });
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });
});

test("GIVEN Lambda's limits themselves THEN they are accepted", () => {
  const stack = newStack();
  new ServerlessApi(stack, 'Api', {
    ...defaultProps(),
    tableStream: {
      viewType: dynamodb.StreamViewType.KEYS_ONLY,
      workers: {
        least: worker({ batchSize: 1, retryAttempts: 0, maxRecordAge: Duration.minutes(1), parallelizationFactor: 1 }),
        most: worker({
          filters: ['INSERT', 'MODIFY', 'REMOVE', 'OTHER', 'ANY'].map((name) =>
            lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual(name) }),
          ),
          batchSize: 10000,
          maxBatchingWindow: Duration.minutes(5),
          retryAttempts: 10000,
          maxRecordAge: Duration.days(7),
          parallelizationFactor: 10,
          iteratorAgeAlarm: { enabled: false },
        }),
      },
    },
  });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    BatchSize: 10000,
    MaximumRecordAgeInSeconds: 604800,
    ParallelizationFactor: 10,
  });
});
