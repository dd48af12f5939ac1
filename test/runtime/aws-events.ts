/**
 * The events Lambda delivers to workers, as AWS documents them, for the worker tests: each sample is copied from its
 * documentation page (URL above it) and only its body or detail is replaced where a test needs its own. Helpers here
 * build batches of such records and capture what a worker logs.
 */
import { createHash } from 'crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord, DynamoDBStreamEvent, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';

/** https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html, "Example Amazon SQS message event (standard queue)". */
export const SQS_SAMPLE_EVENT: SQSEvent = {
  Records: [
    {
      messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
      receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
      body: 'Test message.',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1545082649183',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1545082649185',
      },
      messageAttributes: {
        myAttribute: { stringValue: 'myValue', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:my-queue',
      awsRegion: 'us-east-2',
    },
    {
      messageId: '2e1424d4-f796-459a-8184-9c92662be6da',
      receiptHandle: 'AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq...',
      body: 'Test message.',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1545082650636',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1545082650649',
      },
      messageAttributes: {},
      md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:my-queue',
      awsRegion: 'us-east-2',
    },
  ],
};

/** The same page, "Example Amazon SQS message event (FIFO queue)". */
export const SQS_FIFO_SAMPLE_RECORD: SQSRecord = {
  messageId: '11d6ee51-4cc7-4302-9e22-7cd8afdaadf5',
  receiptHandle: 'AQEBBX8nesZEXmkhsmZeyIE8iQAMig7qw...',
  body: 'Test message.',
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1573251510774',
    SequenceNumber: '18849496460467696128',
    MessageGroupId: '1',
    SenderId: 'AIDAIO23YVJENQZJOL4VO',
    MessageDeduplicationId: '1',
    ApproximateFirstReceiveTimestamp: '1573251510774',
  },
  messageAttributes: {},
  md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:fifo.fifo',
  awsRegion: 'us-east-2',
};

/** https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html, the example event. */
export const EVENTBRIDGE_SAMPLE_EVENT: EventBridgeEvent<'EC2 Instance State-change Notification', any> = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

const STREAM_ARN =
  'arn:aws:dynamodb:us-west-2:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899';

/** https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html, the example event: an INSERT, a MODIFY, a REMOVE. */
export const DYNAMODB_STREAM_SAMPLE_EVENT: DynamoDBStreamEvent = {
  Records: [
    {
      eventID: '1',
      eventVersion: '1.0',
      dynamodb: {
        Keys: { Id: { N: '101' } },
        NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        SequenceNumber: '111',
        SizeBytes: 26,
      },
      awsRegion: 'us-west-2',
      eventName: 'INSERT',
      eventSourceARN: STREAM_ARN,
      eventSource: 'aws:dynamodb',
    },
    {
      eventID: '2',
      eventVersion: '1.0',
      dynamodb: {
        OldImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
        SequenceNumber: '222',
        Keys: { Id: { N: '101' } },
        SizeBytes: 59,
        NewImage: { Message: { S: 'This item has changed' }, Id: { N: '101' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      awsRegion: 'us-west-2',
      eventName: 'MODIFY',
      eventSourceARN: STREAM_ARN,
      eventSource: 'aws:dynamodb',
    },
    {
      eventID: '3',
      eventVersion: '1.0',
      dynamodb: {
        Keys: { Id: { N: '101' } },
        SizeBytes: 38,
        SequenceNumber: '333',
        OldImage: { Message: { S: 'This item has changed' }, Id: { N: '101' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      awsRegion: 'us-west-2',
      eventName: 'REMOVE',
      eventSourceARN: STREAM_ARN,
      eventSource: 'aws:dynamodb',
    },
  ],
};

/**
 * What a TTL deletion adds to its REMOVE record
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html).
 */
export const TTL_USER_IDENTITY: DynamoDBRecord['userIdentity'] = {
  type: 'Service',
  principalId: 'dynamodb.amazonaws.com',
};

let counter = 0;

/** A standard-queue record shaped like the sample's second one, with its own id and body (and attributes). */
export function sqsRecord(
  body: string,
  options: { messageId?: string; queueArn?: string; attributes?: { [name: string]: string } } = {},
): SQSRecord {
  const sample = SQS_SAMPLE_EVENT.Records[1];
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(options.attributes ?? {})) {
    messageAttributes[name] = { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' };
  }
  return {
    ...sample,
    messageId: options.messageId ?? `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    body,
    messageAttributes,
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSourceARN: options.queueArn ?? sample.eventSourceARN,
  };
}

/** A FIFO record shaped like the FIFO sample, in group `groupId`, with its own id and body. */
export function fifoRecord(body: string, groupId = '1'): SQSRecord {
  const id = ++counter;
  return {
    ...SQS_FIFO_SAMPLE_RECORD,
    messageId: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    body,
    attributes: {
      ...SQS_FIFO_SAMPLE_RECORD.attributes,
      MessageGroupId: groupId,
      MessageDeduplicationId: String(id),
      SequenceNumber: String(18849496460467696128n + BigInt(id)),
    },
    md5OfBody: createHash('md5').update(body).digest('hex'),
  };
}

/** A Lambda context with `remainingMs` left, counting down in real time. */
export function lambdaContext(remainingMs = 30_000, functionName = 'worker-test') {
  const end = Date.now() + remainingMs;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `invocation-${++counter}`,
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
  };
}

/** A logger at DEBUG and the JSON lines it wrote while `fn` ran. */
export async function withLogs<T>(fn: (logger: Logger) => Promise<T>): Promise<{ result: T; lines: any[] }> {
  const logger = new Logger({ serviceName: 'worker-test', logLevel: 'DEBUG' });
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    const result = await fn(logger);
    return { result, lines: written.flatMap((text) => text.split('\n').filter(Boolean)).map((l) => JSON.parse(l)) };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
