/**
 * Queues, event buses and rules, event source mappings and asynchronous invocation settings, as CloudFormation
 * resources written by hand: what SQS, EventBridge and Lambda do with a property left out, and the workers they
 * bring into the functions the local API runs.
 */
import * as fs from 'fs';
import { httpApi, lambdaFunction, role, writeAssembly } from './assembly';
import { temporaryDir } from './fixtures';
import { LocalAppModel } from '../../../src/local/model';
import { readLocalApp } from '../../../src/local/reader';
import { tableChanges } from '../../../src/local/table-changes';

let dir: string;
beforeEach(() => {
  dir = temporaryDir('reader-workers-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function read(resources: { [id: string]: unknown }): LocalAppModel {
  writeAssembly(dir, { Hand: { template: httpApi(resources) } });
  return readLocalApp(dir);
}

const ARN = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const queue = (props: { [key: string]: unknown } = {}) => ({ Type: 'AWS::SQS::Queue', Properties: props });

describe('queues', () => {
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
  test('GIVEN a queue without properties THEN SQS defaults: 30 s visibility, 4 days, 256 KiB, standard', () => {
    const [q] = read({ Jobs: queue() }).workers!.queues;
    expect(q).toEqual({
      logicalId: 'Jobs',
      name: 'Jobs',
      queueName: 'Hand-Jobs',
      arn: 'arn:aws:sqs:us-east-1:123456789012:Hand-Jobs',
      url: 'https://sqs.us-east-1.amazonaws.com/123456789012/Hand-Jobs',
      fifo: false,
      contentBasedDeduplication: false,
      deduplicationScope: 'queue',
      visibilityTimeoutSeconds: 30,
      retentionSeconds: 345600,
      delaySeconds: 0,
      receiveWaitTimeSeconds: 0,
      maximumMessageSizeBytes: 262144,
    });
  });

  test('GIVEN a FIFO queue without a name, and its FIFO dead-letter queue THEN names end in .fifo, redrive read', () => {
    const app = read({
      Orders: queue({
        FifoQueue: true,
        ContentBasedDeduplication: 'true',
        DeduplicationScope: 'messageGroup',
        VisibilityTimeout: 5,
        RedrivePolicy: { deadLetterTargetArn: ARN('OrdersDlq'), maxReceiveCount: 3 },
      }),
      OrdersDlq: queue({ FifoQueue: true, QueueName: 'orders-dlq.fifo' }),
    });
    const [orders, dlq] = app.workers!.queues;
    expect(orders).toMatchObject({
      queueName: 'Hand-Orders.fifo',
      fifo: true,
      contentBasedDeduplication: true,
      deduplicationScope: 'messageGroup',
      visibilityTimeoutSeconds: 5,
      redrive: { deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq.fifo', maxReceiveCount: 3 },
    });
    expect(dlq.url).toBe('https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq.fifo');
  });

  test('GIVEN a redrive policy written as a JSON string THEN it is read the same', () => {
    const app = read({
      Jobs: queue({
        RedrivePolicy: { 'Fn::Join': ['', ['{"deadLetterTargetArn":"', ARN('Dlq'), '","maxReceiveCount":"2"}']] },
      }),
      Dlq: queue(),
    });
    expect(app.workers!.queues[0].redrive).toEqual({
      deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:Hand-Dlq',
      maxReceiveCount: 2,
    });
  });

  test('GIVEN a FIFO queue with a standard dead-letter queue THEN reading fails, as SQS refuses it', () => {
    writeAssembly(dir, {
      Hand: {
        template: httpApi({
          Orders: queue({ FifoQueue: true, RedrivePolicy: { deadLetterTargetArn: ARN('Dlq'), maxReceiveCount: 1 } }),
          Dlq: queue(),
        }),
      },
    });
    expect(() => readLocalApp(dir)).toThrow(
      'queue Orders (Orders) is a FIFO queue whose dead-letter queue Dlq is not: SQS requires the dead-letter queue of a FIFO queue to be FIFO, and of a standard queue to be standard',
    );
  });

  test('GIVEN a customer managed key THEN its ARN; the AWS managed key is left out', () => {
    const app = read({
      Own: queue({ KmsMasterKeyId: ARN('Key') }),
      Aws: queue({ KmsMasterKeyId: 'alias/aws/sqs' }),
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
    });
    expect(app.workers!.queues.map((q) => q.kmsKeyArn)).toEqual([
      expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/),
      undefined,
    ]);
  });
});

describe('event source mappings', () => {
  const worker = {
    Worker: lambdaFunction({ Role: ARN('WorkerRole') }),
    WorkerRole: role(),
    Jobs: queue(),
  };

  // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
  test('GIVEN an SQS mapping without settings THEN batch 10, no window; the worker joins the functions', () => {
    const app = read({
      ...worker,
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'Worker' }, EventSourceArn: ARN('Jobs') },
      },
    });
    expect(app.workers!.mappings).toEqual([
      {
        kind: 'sqs',
        logicalId: 'Mapping',
        functionId: 'Worker',
        queueArn: 'arn:aws:sqs:us-east-1:123456789012:Hand-Jobs',
        enabled: true,
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        reportBatchItemFailures: false,
        filters: [],
      },
    ]);
    expect(Object.keys(app.functions).sort()).toEqual(['Fn', 'Worker']);
  });

  test('GIVEN every setting THEN each is read, the filter patterns parsed from their JSON', () => {
    const app = read({
      ...worker,
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: ARN('Worker'),
          EventSourceArn: ARN('Jobs'),
          BatchSize: 5,
          MaximumBatchingWindowInSeconds: 2,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 3 },
          Enabled: false,
          FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] },
        },
      },
    });
    expect(app.workers!.mappings[0]).toMatchObject({
      batchSize: 5,
      maximumBatchingWindowSeconds: 2,
      reportBatchItemFailures: true,
      maximumConcurrency: 3,
      enabled: false,
      filters: [{ body: { kind: ['order'] } }],
    });
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
  test('GIVEN a stream mapping THEN batch 100, infinite retries and age, and the on-failure queue', () => {
    const app = read({
      ...worker,
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        },
      },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'Worker' },
          EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
          StartingPosition: 'TRIM_HORIZON',
          DestinationConfig: { OnFailure: { Destination: ARN('Jobs') } },
        },
      },
    });
    const streamArn = 'arn:aws:dynamodb:us-east-1:123456789012:table/Hand-Table/stream/1970-01-01T00:00:00.000';
    expect(app.tables[0].stream).toEqual({ viewType: 'NEW_AND_OLD_IMAGES', arn: streamArn });
    expect(app.warnings).toEqual([
      'event source mapping Mapping: the local stream has one shard, so records of different items arrive in the order written; DynamoDB keeps that order per item only',
    ]);
    expect(app.workers!.mappings[0]).toEqual({
      kind: 'dynamodb',
      logicalId: 'Mapping',
      functionId: 'Worker',
      tableId: 'Table',
      streamArn,
      enabled: true,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
      maximumBatchingWindowSeconds: 0,
      reportBatchItemFailures: false,
      filters: [],
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeSeconds: -1,
      onFailureArn: 'arn:aws:sqs:us-east-1:123456789012:Hand-Jobs',
    });
  });

  test('GIVEN a queue whose visibility timeout is shorter than the function timeout THEN a warning, as Lambda refuses it', () => {
    const app = read({
      Worker: lambdaFunction({ Role: ARN('WorkerRole'), Timeout: 60 }),
      WorkerRole: role(),
      Jobs: queue(),
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'Worker' }, EventSourceArn: ARN('Jobs') },
      },
    });
    expect(app.warnings).toEqual([
      "event source mapping Mapping: the queue's visibility timeout (30 s) is shorter than the function's timeout (60 s), so Lambda refuses to create the mapping and the deploy fails; locally it runs",
      "event source mapping Mapping: SQS delivers a standard queue's messages at least once and not always in order; locally each comes once and in order (again only after its visibility timeout), so a worker that is not idempotent passes here and fails in AWS",
    ]);
  });

  test('GIVEN a mapping from a queue of another stack THEN a warning, and no mapping', () => {
    const app = read({
      ...worker,
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'Worker' }, EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:elsewhere' },
      },
    });
    expect(app.workers!.mappings).toEqual([]);
    expect(app.warnings).toContain(
      "event source mapping Mapping reads arn:aws:sqs:us-east-1:123456789012:elsewhere: the local API polls the stack's own SQS queues and table streams into its own functions, so it does not run",
    );
  });

  test('GIVEN a filter with an operator the local matcher lacks THEN a warning names it', () => {
    const app = read({
      ...worker,
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'Worker' },
          EventSourceArn: ARN('Jobs'),
          FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":[{"regex":"o.*"}]}}' }] },
        },
      },
    });
    expect(app.warnings).toContain(
      'event source mapping Mapping FilterCriteria.Filters[0]: body.kind: the operator "regex" is not supported locally, so this value matches nothing',
    );
  });
});

describe('rules', () => {
  const resources = {
    Worker: lambdaFunction({ Role: ARN('WorkerRole') }),
    WorkerRole: role(),
    Dlq: queue(),
    Inbox: queue(),
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'orders' } },
  };
  const permission = {
    Type: 'AWS::Lambda::Permission',
    Properties: {
      Action: 'lambda:InvokeFunction',
      FunctionName: ARN('Worker'),
      Principal: 'events.amazonaws.com',
      SourceArn: ARN('OnOrder'),
    },
  };

  test('GIVEN a rule on a custom bus with a function, a queue and a topic target THEN the two it can deliver to', () => {
    const app = read({
      ...resources,
      Permission: permission,
      OnOrder: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'Bus' },
          EventPattern: { source: ['shop'], 'detail-type': ['OrderPlaced'] },
          Targets: [
            {
              Id: 'Target0',
              Arn: ARN('Worker'),
              RetryPolicy: { MaximumRetryAttempts: 4 },
              DeadLetterConfig: { Arn: ARN('Dlq') },
            },
            { Id: 'Target1', Arn: ARN('Inbox'), InputPath: '$.detail' },
            { Id: 'Target2', Arn: 'arn:aws:sns:us-east-1:123456789012:topic' },
          ],
        },
      },
    });
    const workers = app.workers!;
    expect(workers.buses.map((bus) => bus.arn)).toEqual([
      'arn:aws:events:us-east-1:123456789012:event-bus/default',
      'arn:aws:events:us-east-1:123456789012:event-bus/orders',
    ]);
    expect(workers.rules).toEqual([
      {
        logicalId: 'OnOrder',
        name: 'OnOrder',
        ruleName: 'Hand-OnOrder',
        arn: 'arn:aws:events:us-east-1:123456789012:rule/orders/Hand-OnOrder',
        busName: 'orders',
        eventPattern: { source: ['shop'], 'detail-type': ['OrderPlaced'] },
        enabled: true,
        targets: [
          {
            id: 'Target0',
            arn: 'arn:aws:lambda:us-east-1:123456789012:function:Hand-Worker',
            functionId: 'Worker',
            retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeSeconds: 86400 },
            deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:Hand-Dlq',
            invokeAllowed: true,
          },
          {
            id: 'Target1',
            arn: 'arn:aws:sqs:us-east-1:123456789012:Hand-Inbox',
            queueArn: 'arn:aws:sqs:us-east-1:123456789012:Hand-Inbox',
            inputPath: '$.detail',
            retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 },
            invokeAllowed: true,
          },
        ],
      },
    ]);
    expect(app.warnings).toEqual([
      'rule OnOrder target Target2 is arn:aws:sns:us-east-1:123456789012:topic, which is not a Lambda function or SQS queue of this stack: the local EventBridge delivers nothing to it',
    ]);
    expect(Object.keys(app.functions).sort()).toEqual(['Fn', 'Worker']);
  });

  test('GIVEN no permission for EventBridge to invoke the function THEN the target says so, with a warning', () => {
    const app = read({
      ...resources,
      OnOrder: {
        Type: 'AWS::Events::Rule',
        Properties: { EventPattern: '{"source":["shop"]}', Targets: [{ Id: 'T', Arn: ARN('Worker') }] },
      },
    });
    expect(app.workers!.rules[0]).toMatchObject({
      busName: 'default',
      arn: 'arn:aws:events:us-east-1:123456789012:rule/Hand-OnOrder',
      eventPattern: { source: ['shop'] },
      targets: [{ id: 'T', invokeAllowed: false }],
    });
    expect(app.warnings).toEqual([
      'rule OnOrder target T: no AWS::Lambda::Permission lets events.amazonaws.com invoke the function, so every delivery fails, as in AWS',
    ]);
  });

  test('GIVEN a scheduled rule and a disabled rule THEN the first is warned about, the second kept but disabled', () => {
    const app = read({
      ...resources,
      Nightly: {
        Type: 'AWS::Events::Rule',
        Properties: { ScheduleExpression: 'rate(1 day)', Targets: [{ Id: 'T', Arn: ARN('Worker') }] },
      },
      Off: {
        Type: 'AWS::Events::Rule',
        Properties: { State: 'DISABLED', EventPattern: { source: ['x'] }, Targets: [{ Id: 'T', Arn: ARN('Inbox') }] },
      },
    });
    expect(app.workers!.rules.map((rule) => [rule.logicalId, rule.enabled])).toEqual([['Off', false]]);
    expect(app.warnings).toContain(
      'rule Nightly runs on a schedule (rate(1 day)): scheduled rules do not run locally; invoke its target yourself (LocalApi invoke())',
    );
  });
});

describe('asynchronous invocation settings', () => {
  // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
  test('GIVEN an EventInvokeConfig and a function dead-letter queue THEN both, with the defaults for the rest', () => {
    const app = read({
      Worker: lambdaFunction({ Role: ARN('WorkerRole'), DeadLetterConfig: { TargetArn: ARN('Dlq') } }),
      WorkerRole: role(),
      Dlq: queue(),
      Failures: queue(),
      Config: {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          FunctionName: { Ref: 'Worker' },
          Qualifier: '$LATEST',
          MaximumRetryAttempts: 0,
          DestinationConfig: { OnFailure: { Destination: ARN('Failures') } },
        },
      },
    });
    expect(app.workers!.asyncConfigs).toEqual({
      Worker: {
        maximumRetryAttempts: 0,
        maximumEventAgeSeconds: 21600,
        deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:Hand-Dlq',
        onFailureArn: 'arn:aws:sqs:us-east-1:123456789012:Hand-Failures',
      },
    });
  });
});

describe('table streams across a reload', () => {
  test('GIVEN only the stream view type changed THEN the tables need no restart', () => {
    const table = (viewType: string) => ({
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          StreamSpecification: { StreamViewType: viewType },
        },
      },
    });
    const before = read(table('KEYS_ONLY')).tables;
    const after = read(table('NEW_IMAGE')).tables;
    expect(after[0].stream?.viewType).toBe('NEW_IMAGE');
    expect(tableChanges(before, after)).toEqual([]);
  });
});
