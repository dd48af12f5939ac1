import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ServerlessApi } from '../../../src';
import { CfnTemplate, formatSummary, StackSummary, summarizeTemplate } from '../../../src/cli/summary';
import { defaultProps, HANDLER_ENTRY } from '../../helpers/api';

/**
 * The summary's Table streams section: each worker of a table's stream, with the stream's view type, its filters, its
 * batches and retries and where failed batches go; and its warnings on what blocks a shard or drops batches.
 */

const PATH_METADATA = { 'aws:cdk:enable-path-metadata': true };

describe('GIVEN an API with two stream workers, one filtered', () => {
  let summary: StackSummary;
  beforeAll(() => {
    const stack = new Stack(new App({ context: PATH_METADATA }), 'Test');
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      tableStream: {
        viewType: dynamodb.StreamViewType.NEW_IMAGE,
        workers: {
          changes: { entry: HANDLER_ENTRY },
          inserts: {
            entry: HANDLER_ENTRY,
            filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })],
            batchSize: 10,
            startingPosition: lambda.StartingPosition.LATEST,
            bisectBatchOnError: false,
          },
        },
      },
    });
    summary = summarizeTemplate(Template.fromStack(stack).toJSON() as CfnTemplate, 'Test');
  });

  test('THEN each worker shows its stream, view type, filters, batching, retries and dead-letter queue', () => {
    expect(summary.streams.map(({ logicalId, ...rest }) => rest)).toEqual([
      {
        function: 'changes',
        table: 'Table',
        viewType: 'NEW_IMAGE',
        filters: [],
        batchSize: 100,
        startingPosition: 'TRIM_HORIZON',
        retryAttempts: 3,
        bisectBatchOnError: true,
        reportsBatchItemFailures: true,
        onFailure: 'Api/Streams/changes/DeadLetterQueue',
        warnings: [],
      },
      {
        function: 'inserts',
        table: 'Table',
        viewType: 'NEW_IMAGE',
        filters: ['{"eventName":["INSERT"]}'],
        batchSize: 10,
        startingPosition: 'LATEST',
        retryAttempts: 3,
        bisectBatchOnError: false,
        reportsBatchItemFailures: true,
        onFailure: 'Api/Streams/inserts/DeadLetterQueue',
        warnings: [],
      },
    ]);
  });

  test("THEN the workers' roles read the stream without a table-wide warning", () => {
    expect(summary.warnings.filter((w) => /changes|inserts/.test(w))).toEqual([]);
    const changes = summary.functions.find((f) => f.name === 'changes')!;
    expect(changes.dynamodb.map((s) => [s.actions.join(','), s.targets.join(','), s.warnings])).toEqual([
      ['dynamodb:DescribeStream,dynamodb:GetRecords,dynamodb:GetShardIterator', 'Table (stream)', []],
      ['dynamodb:ListStreams', '*', []],
    ]);
  });

  test('THEN the text has one row per worker', () => {
    const text = formatSummary(summary);
    const section = text.slice(text.indexOf('\nTable streams'), text.indexOf('\nLog groups'));
    expect(section.trim().split('\n')).toEqual([
      'Table streams (2)',
      '  WORKER   STREAM OF          FILTERS                   BATCH                  RETRIES    ON FAILURE',
      '  changes  Table (NEW_IMAGE)  every record              100 from TRIM_HORIZON  3, bisect  Api/Streams/changes/DeadLetterQueue',
      '  inserts  Table (NEW_IMAGE)  {"eventName":["INSERT"]}  10 from LATEST         3          Api/Streams/inserts/DeadLetterQueue',
    ]);
  });
});

test('GIVEN hand-written mappings with default retries, no destination, and three readers of one stream THEN each is warned of', () => {
  const mapping = (fn: string) => ({
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: {
      EventSourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
      FunctionName: { Ref: fn },
      StartingPosition: 'LATEST',
    },
  });
  const template: CfnTemplate = {
    Resources: {
      A: { Type: 'AWS::Lambda::Function', Properties: {} },
      B: { Type: 'AWS::Lambda::Function', Properties: {} },
      C: { Type: 'AWS::Lambda::Function', Properties: {} },
      MapA: mapping('A'),
      MapB: mapping('B'),
      MapC: mapping('C'),
      Queue: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:jobs', FunctionName: { Ref: 'A' } },
      },
    },
  };
  const summary = summarizeTemplate(template, 'Hand');
  expect(summary.streams.map((w) => w.function)).toEqual(['A', 'B', 'C']);
  expect(summary.warnings.filter((w) => w.startsWith('stream worker A:'))).toEqual([
    'stream worker A: WARNING: retries a failing batch until its records expire, holding up its shard for up to 24 hours',
    'stream worker A: WARNING: no on-failure destination: batches it gives up on are dropped',
    'stream worker A: WARNING: one of 3 readers of the stream of arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000: DynamoDB advises at most 2',
  ]);
});
