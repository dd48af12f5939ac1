/**
 * SQS and EventBridge for the tests: one HTTP server on a loopback port that speaks the wire protocols the AWS SDK's
 * clients use (AWS JSON 1.0 for SQS, `X-Amz-Target: AmazonSQS.SendMessage`; AWS JSON 1.1 for EventBridge,
 * `AWSEvents.PutEvents`), keeps what it accepted, and turns it into the events Lambda would deliver to a worker.
 *
 * It does what the toolkit relies on, as the services document it:
 * - SendMessage answers `MD5OfMessageBody` and `MD5OfMessageAttributes` (the SDK checks the body's), refuses a
 *   message over the queue's `MaximumMessageSize` counting body and attributes, needs `MessageGroupId` and a
 *   deduplication id on a FIFO queue, and drops a FIFO message whose deduplication id it took in the last 5 minutes
 *   (answering success, with the first copy's id)
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html;
 * - PutEvents answers 200 with `FailedEntryCount` and an entry per event, failed or not.
 */
import { createHash, randomUUID } from 'crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import type { EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

interface MessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
}

/** A message a queue took. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: { readonly [name: string]: MessageAttribute };
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly sequenceNumber?: string;
  readonly delaySeconds?: number;
  readonly sentTimestamp: number;
}

/** An event the bus took. */
export interface StoredEvent {
  readonly id: string;
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: string;
  readonly resources: readonly string[];
}

/** One request the server received: the operation (`SendMessage`, `PutEvents`) and its JSON input. */
export interface MessagingRequest {
  readonly operation: string;
  readonly input: any;
}

/** An answer to give instead of the real one: an error type and HTTP status, or PutEvents entry failures. */
export type Fault =
  | { readonly kind: 'error'; readonly type: string; readonly status: number }
  | { readonly kind: 'failEntry'; readonly errorCode: string; readonly errorMessage: string };

export interface LocalMessaging {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: MessagingRequest[];
  /** The queue URL of a queue (`<endpoint>/<account>/<name>`), as `SERVERLESS_API_QUEUES` carries it. */
  url(queue: string): string;
  arn(queue: string): string;
  /** The messages a queue holds, in the order it took them. */
  messages(queue: string): StoredMessage[];
  /** The events the bus took. */
  events(): StoredEvent[];
  /** Answers the next `times` requests of `operation` with `fault`. */
  inject(operation: string, fault: Fault, times?: number): void;
  /** The SQS event Lambda would deliver with these messages of `queue` (all, by default). */
  sqsEvent(queue: string, messages?: readonly StoredMessage[]): SQSEvent;
  /** The event Lambda would receive from a rule matching `event`. */
  eventBridgeEvent(event: StoredEvent): EventBridgeEvent<string, any>;
  clear(): void;
  close(): Promise<void>;
}

/** MD5 of message attributes as SQS computes it (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html). */
export function md5OfMessageAttributes(attributes: { readonly [name: string]: MessageAttribute }): string {
  const hash = createHash('md5');
  const field = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name];
    field(name);
    field(attribute.DataType);
    hash.update(Buffer.from([1])); // transport type of String and Number values
    field(attribute.StringValue ?? '');
  }
  return hash.digest('hex');
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Starts the server with the given queues (`{ orders: { fifo: true } }`) and a bus. */
export async function startLocalMessaging(queues: {
  readonly [name: string]: { readonly fifo: boolean; readonly maxMessageBytes?: number };
}): Promise<LocalMessaging> {
  const held = new Map<string, StoredMessage[]>(Object.keys(queues).map((name) => [name, []]));
  const deduplication = new Map<string, { messageId: string; at: number }>();
  const events: StoredEvent[] = [];
  const requests: MessagingRequest[] = [];
  const faults: { operation: string; fault: Fault; times: number }[] = [];
  let sequence = 10_000_000_000_000_000_000n;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      requests.push({ operation, input });
      const answer = (status: number, body: object) => {
        const contentType = target.startsWith('AmazonSQS')
          ? 'application/x-amz-json-1.0'
          : 'application/x-amz-json-1.1';
        response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
        response.end(JSON.stringify(body));
      };
      const fault = faults.find((f) => f.operation === operation && f.times > 0);
      if (fault) fault.times--;
      if (fault?.fault.kind === 'error') {
        answer(fault.fault.status, { __type: fault.fault.type, message: `injected ${fault.fault.type}` });
      } else if (operation === 'SendMessage') {
        sendMessage(input, answer);
      } else if (operation === 'PutEvents') {
        putEvents(input, fault?.fault, answer);
      } else {
        answer(400, { __type: 'UnknownOperationException', message: `unknown operation ${target}` });
      }
    });
  });

  function sendMessage(input: any, answer: (status: number, body: object) => void): void {
    const name =
      String(input.QueueUrl ?? '')
        .split('/')
        .pop() ?? '';
    const queue = queues[name];
    if (queue === undefined) {
      answer(400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
      return;
    }
    const attributes: { [name: string]: MessageAttribute } = input.MessageAttributes ?? {};
    const size =
      Buffer.byteLength(input.MessageBody) +
      Object.entries(attributes).reduce(
        (sum, [key, value]) =>
          sum + Buffer.byteLength(key) + Buffer.byteLength(value.DataType) + Buffer.byteLength(value.StringValue ?? ''),
        0,
      );
    const max = queue.maxMessageBytes ?? 262_144;
    const invalid = (message: string) => answer(400, { __type: 'com.amazonaws.sqs#InvalidParameterValue', message });
    if (size > max) {
      return invalid(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
    }
    if (queue.fifo && !input.MessageGroupId) {
      return answer(400, {
        __type: 'com.amazonaws.sqs#MissingParameter',
        message: 'The request must contain the parameter MessageGroupId.',
      });
    }
    if (queue.fifo && !input.MessageDeduplicationId) {
      return invalid(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    const md5Attributes = Object.keys(attributes).length ? md5OfMessageAttributes(attributes) : undefined;
    if (queue.fifo) {
      const key = `${name}\n${input.MessageDeduplicationId}`;
      const seen = deduplication.get(key);
      if (seen && Date.now() - seen.at < 5 * 60_000) {
        answer(200, {
          MessageId: seen.messageId,
          MD5OfMessageBody: md5(input.MessageBody),
          MD5OfMessageAttributes: md5Attributes,
          SequenceNumber: String(sequence),
        });
        return;
      }
    }
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: input.MessageBody,
      messageAttributes: attributes,
      groupId: input.MessageGroupId,
      deduplicationId: input.MessageDeduplicationId,
      sequenceNumber: queue.fifo ? String((sequence += 1n)) : undefined,
      delaySeconds: input.DelaySeconds,
      sentTimestamp: Date.now(),
    };
    held.get(name)!.push(message);
    if (queue.fifo) {
      deduplication.set(`${name}\n${input.MessageDeduplicationId}`, { messageId: message.messageId, at: Date.now() });
    }
    answer(200, {
      MessageId: message.messageId,
      MD5OfMessageBody: md5(message.body),
      MD5OfMessageAttributes: md5Attributes,
      SequenceNumber: message.sequenceNumber,
    });
  }

  function putEvents(input: any, fault: Fault | undefined, answer: (status: number, body: object) => void): void {
    const entries = (input.Entries ?? []).map((entry: any) => {
      if (fault?.kind === 'failEntry') return { ErrorCode: fault.errorCode, ErrorMessage: fault.errorMessage };
      const event: StoredEvent = {
        id: randomUUID(),
        bus: entry.EventBusName ?? 'default',
        source: entry.Source,
        detailType: entry.DetailType,
        detail: entry.Detail,
        resources: entry.Resources ?? [],
      };
      events.push(event);
      return { EventId: event.id };
    });
    answer(200, { FailedEntryCount: entries.filter((e: any) => e.ErrorCode).length, Entries: entries });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const arn = (queue: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue}`;

  return {
    endpoint,
    url: (queue) => `${endpoint}/${ACCOUNT}/${queue}`,
    arn,
    messages: (queue) => [...(held.get(queue) ?? [])],
    events: () => [...events],
    requests,
    inject(operation, fault, times = 1) {
      faults.push({ operation, fault, times });
    },
    sqsEvent(queue, messages = held.get(queue) ?? []) {
      return { Records: messages.map((message) => sqsRecord(queue, arn(queue), message)) };
    },
    eventBridgeEvent(event) {
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
      return {
        version: '0',
        id: event.id,
        'detail-type': event.detailType,
        source: event.source,
        account: ACCOUNT,
        time: '2026-01-01T00:00:00Z',
        region: REGION,
        resources: [...event.resources],
        detail: JSON.parse(event.detail),
      };
    },
    clear() {
      for (const messages of held.values()) messages.length = 0;
      deduplication.clear();
      events.length = 0;
      requests.length = 0;
      faults.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A message as Lambda's SQS event source mapping delivers it (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). */
function sqsRecord(queue: string, queueArn: string, message: StoredMessage): SQSRecord {
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    messageAttributes[name] = {
      stringValue: value.StringValue,
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType as 'String',
    };
  }
  return {
    messageId: message.messageId,
    receiptHandle: `AQEB${Buffer.from(`${queue}:${message.messageId}`).toString('base64')}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(message.sentTimestamp),
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: String(message.sentTimestamp + 2),
      ...(message.groupId === undefined
        ? {}
        : {
            MessageGroupId: message.groupId,
            MessageDeduplicationId: message.deduplicationId,
            SequenceNumber: message.sequenceNumber,
          }),
    },
    messageAttributes,
    md5OfBody: md5(message.body),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}
