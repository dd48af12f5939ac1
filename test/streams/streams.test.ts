import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ServerlessApi, ServerlessApiProps, StreamWorkerOptions, TableEncryption } from '../../src';
import {
  actionsOf,
  defaultProps,
  ENV,
  getAtt,
  HANDLER_ENTRY,
  inlineStatements,
  logicalId,
  newStack,
  ref,
  resources,
  resourceTypeCounts,
} from '../helpers/api';

/**
 * Table streams as the template shows them: the stream the table gets only with stream workers, each worker's event
 * source mapping (each default and each override), its dead-letter queue, and a role that reads only that stream.
 */

const worker = (options: Partial<StreamWorkerOptions> = {}): StreamWorkerOptions => ({
  entry: HANDLER_ENTRY,
  ...options,
});

interface Built {
  readonly stack: Stack;
  readonly api: ServerlessApi;
  readonly template: Template;
}

function build(props: Partial<ServerlessApiProps>, stack: Stack = newStack()): Built {
  const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...props });
  return { stack, api, template: Template.fromStack(stack) };
}

const propsOf = (template: Template, id: string) => resources(template)[id].Properties;
const tableId = (template: Template) => logicalId(template, 'AWS::DynamoDB::GlobalTable', 'ApiTable');
const deadLetterId = (template: Template, name: string) =>
  logicalId(template, 'AWS::SQS::Queue', `ApiStreams${name}DeadLetterQueue`);
const workerFunctionId = (template: Template, name: string) =>
  logicalId(template, 'AWS::Lambda::Function', `ApiWorkers${name}Function`);
const workerRoleId = (template: Template, name: string) =>
  logicalId(template, 'AWS::IAM::Role', `ApiWorkers${name}Role`);
const mappings = (template: Template) =>
  Object.keys(template.findResources('AWS::Lambda::EventSourceMapping')).map(
    (id) => resources(template)[id].Properties,
  );

describe('GIVEN a stream worker with every default', () => {
  let built: Built;
  beforeAll(() => {
    built = build({ tableStream: { workers: { changes: worker() } } });
  });

  test('THEN the table streams new and old images', () => {
    const { template } = built;
    expect(propsOf(template, tableId(template)).StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  test('THEN Lambda hands the worker batches of 100 from the oldest record, retrying 3 times with bisection, failures reported one by one and described in the dead-letter queue', () => {
    const { template } = built;
    expect(mappings(template)).toEqual([
      {
        EventSourceArn: getAtt(tableId(template), 'StreamArn'),
        FunctionName: ref(workerFunctionId(template, 'changes')),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumRetryAttempts: 3,
        BisectBatchOnFunctionError: true,
        ParallelizationFactor: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: getAtt(deadLetterId(template, 'changes')) } },
      },
    ]);
  });

  test("THEN the worker's role reads exactly the table's stream, lists streams, sends to its dead-letter queue, and nothing else", () => {
    const { template } = built;
    expect(inlineStatements(template, workerRoleId(template, 'changes'))).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: getAtt(logicalId(template, 'AWS::Logs::LogGroup', 'ApiWorkerschangesLogs')),
      },
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Resource: getAtt(tableId(template), 'StreamArn'),
      },
      { Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt(deadLetterId(template, 'changes')) },
    ]);
  });

  test('THEN the dead-letter queue is SSE-SQS encrypted, keeps 14 days, and its policy only refuses requests without TLS', () => {
    const { template } = built;
    const queue = deadLetterId(template, 'changes');
    expect(propsOf(template, queue)).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(queue)],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Resource: getAtt(queue),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
  });

  test('THEN the worker is described by its source, and the API exposes it with its mapping and queue', () => {
    const { template, api } = built;
    expect(propsOf(template, workerFunctionId(template, 'changes')).Description).toBe('Worker of the table stream');
    const entry = api.streamWorker('changes');
    expect(entry.worker).toBe(api.workers[0]);
    expect(entry.eventSourceMapping.node.path).toBe('Test/Api/Workers/changes/EventSource');
    expect(entry.deadLetterQueue.node.path).toBe('Test/Api/Streams/changes/DeadLetterQueue');
    expect(() => api.streamWorker('change')).toThrow(
      new Error('`name` must name one of the API\'s `tableStream.workers` (declared: "changes"), got: "change"'),
    );
  });

  test('THEN there is no warning: one reader per shard', () => {
    Annotations.fromStack(built.stack).hasNoWarning('*', Match.anyValue());
  });
});

test('GIVEN no table stream THEN the table has none, and there is no mapping', () => {
  const { template, api } = build({});
  expect(propsOf(template, tableId(template)).StreamSpecification).toBeUndefined();
  template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  expect(() => api.streamWorker('any')).toThrow(
    new Error('`name` must name one of the API\'s `tableStream.workers` (declared: none), got: "any"'),
  );
});

describe('GIVEN a stream of new images and a worker with every setting overridden', () => {
  let template: Template;
  const inserts = lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') });
  const paid = lambda.FilterCriteria.filter({
    dynamodb: { NewImage: { status: { S: lambda.FilterRule.isEqual('PAID') } } },
  });
  beforeAll(() => {
    ({ template } = build({
      tableStream: {
        viewType: dynamodb.StreamViewType.NEW_IMAGE,
        workers: {
          paid: worker({
            filters: [inserts, paid],
            batchSize: 500,
            maxBatchingWindow: Duration.seconds(10),
            startingPosition: lambda.StartingPosition.LATEST,
            retryAttempts: 0,
            maxRecordAge: Duration.hours(1),
            bisectBatchOnError: false,
            parallelizationFactor: 4,
          }),
        },
      },
    }));
  });

  test('THEN the table streams new images', () => {
    expect(propsOf(template, tableId(template)).StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
  });

  test('THEN the mapping takes each setting, and the filters as Lambda filter criteria', () => {
    expect(mappings(template)).toEqual([
      expect.objectContaining({
        StartingPosition: 'LATEST',
        BatchSize: 500,
        MaximumBatchingWindowInSeconds: 10,
        MaximumRetryAttempts: 0,
        MaximumRecordAgeInSeconds: 3600,
        BisectBatchOnFunctionError: false,
        ParallelizationFactor: 4,
        FilterCriteria: {
          Filters: [
            { Pattern: '{"eventName":["INSERT"]}' },
            { Pattern: '{"dynamodb":{"NewImage":{"status":{"S":["PAID"]}}}}' },
          ],
        },
      }),
    ]);
  });

  test('THEN the worker says it is filtered', () => {
    expect(propsOf(template, workerFunctionId(template, 'paid')).Description).toBe(
      'Worker of the table stream (filtered)',
    );
  });
});

describe("GIVEN a table encrypted with the API's customer-managed key", () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build(
      { table: { encryption: TableEncryption.customerManaged() }, tableStream: { workers: { changes: worker() } } },
      newStack({ env: ENV }),
    ));
  });

  test("THEN the worker may decrypt the stream's records with the key, only through DynamoDB", () => {
    const kmsStatements = inlineStatements(template, workerRoleId(template, 'changes')).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('kms:')),
    );
    expect(kmsStatements).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: getAtt(logicalId(template, 'AWS::KMS::Key', 'ApiTableKey')),
        Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      },
    ]);
  });
});

describe('GIVEN an existing table with a stream and its key', () => {
  const streamArn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000';
  const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
  let template: Template;
  beforeAll(() => {
    const stack = newStack({ env: ENV });
    const table = dynamodb.TableV2.fromTableAttributes(stack, 'Orders', {
      tableName: 'orders',
      tableStreamArn: streamArn,
    });
    ({ template } = build(
      {
        existingTable: { table, encryptionKey: kms.Key.fromKeyArn(stack, 'OrdersKey', keyArn) },
        tableStream: { workers: { changes: worker() } },
      },
      stack,
    ));
  });

  test("THEN the mapping reads the table's stream and the role reads it and decrypts with its key, and no table is created", () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    expect(mappings(template)[0].EventSourceArn).toBe(streamArn);
    const statements = inlineStatements(template, workerRoleId(template, 'changes'));
    expect(statements.filter((s) => actionsOf(s).includes('dynamodb:GetRecords')).map((s) => s.Resource)).toEqual([
      streamArn,
    ]);
    expect(statements.filter((s) => actionsOf(s).includes('kms:Decrypt')).map((s) => s.Resource)).toEqual([keyArn]);
  });
});

test('GIVEN three stream workers THEN synth warns: DynamoDB advises two readers per shard', () => {
  const { stack, template } = build({
    tableStream: { workers: { one: worker(), two: worker(), three: worker() } },
  });
  template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
  Annotations.fromStack(stack).hasWarning(
    '/Test/Api/Streams',
    Match.stringLikeRegexp(
      "`tableStream.workers` declares 3 workers: DynamoDB advises at most 2 readers of a stream's shard at a time",
    ),
  );
});

test("GIVEN a stream worker with access patterns THEN its role holds them beside the stream's read", () => {
  const { template } = build({ tableStream: { workers: { changes: worker({ accessPatterns: ['putItem'] }) } } });
  const actions = inlineStatements(template, workerRoleId(template, 'changes')).flatMap(actionsOf);
  expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:GetRecords']));
  expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:GetItem']));
});

test('GIVEN one more stream worker THEN it costs 10 resources: mapping, dead-letter queue and policy, worker, 4 alarms', () => {
  const counts = (workers: number) =>
    resourceTypeCounts(
      build({
        tableStream: { workers: Object.fromEntries(Array.from({ length: workers }, (_, i) => [`w${i}`, worker()])) },
      }).template,
    );
  const [one, two] = [counts(1), counts(2)];
  const added = Object.fromEntries(
    Object.keys(two)
      .filter((type) => two[type] !== (one[type] ?? 0))
      .map((type) => [type, two[type] - (one[type] ?? 0)]),
  );
  expect(added).toEqual({
    'AWS::Lambda::EventSourceMapping': 1,
    'AWS::SQS::Queue': 1,
    'AWS::SQS::QueuePolicy': 1,
    'AWS::Logs::LogGroup': 1,
    'AWS::IAM::Role': 1,
    'AWS::Lambda::Function': 1,
    'AWS::CloudWatch::Alarm': 4,
  });
});
