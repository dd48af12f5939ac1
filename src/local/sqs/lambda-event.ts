/**
 * The records Lambda hands a function from an SQS queue: each message with its system attributes (strings), its
 * message attributes in camel case, digests, and where it came from.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event
 */
import type { ReceivedMessage } from './queue';
import { systemAttributes } from './receive-shape';
import type { LocalQueueModel } from '../workers-model';

export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: { readonly [name: string]: string };
  readonly messageAttributes: { readonly [name: string]: unknown };
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

export function sqsRecord(received: ReceivedMessage, queue: LocalQueueModel, region: string): SqsRecord {
  const { message } = received;
  const messageAttributes = Object.fromEntries(
    Object.entries(message.messageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType,
      },
    ]),
  );
  return {
    messageId: message.messageId,
    receiptHandle: received.receiptHandle,
    body: message.body,
    attributes: systemAttributes(message),
    messageAttributes,
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: region,
  };
}

/** What Lambda's filters see of an SQS record: the body parsed when it is JSON. */
export function filterView(record: SqsRecord): unknown {
  try {
    return { ...record, body: JSON.parse(record.body) };
  } catch {
    return record;
  }
}
