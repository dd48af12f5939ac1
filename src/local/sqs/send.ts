/**
 * SendMessage and SendMessageBatch: the checks SQS makes on each message (body, size, attributes, FIFO ids), then the
 * queue's own rules (FIFO deduplication, delay).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
import { attributesProblem, messageSize, storedBody, type MessageAttributes } from './attributes';
import type { QueueBroker } from './broker';
import { invalidParameter, missingParameter, SqsError } from './errors';
import type { SqsQueue, SendInput } from './queue';
import type { Input, Sender } from './types';

const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

/** The message of a SendMessage (or of one batch entry), checked as SQS checks it. */
export function messageInput(queue: SqsQueue, input: Input, sender: Sender): SendInput {
  const body = input.MessageBody;
  if (typeof body !== 'string' || body.length === 0) throw missingParameter('MessageBody');
  const stored = storedBody(body);
  if (stored === undefined) {
    throw new SqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  const problem = attributesProblem(input.MessageAttributes);
  if (problem) throw invalidParameter(problem);
  const attributes = input.MessageAttributes as MessageAttributes | undefined;
  const limit = queue.model.maximumMessageSizeBytes;
  if (messageSize(stored, attributes) > limit) {
    throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`);
  }
  const delay = input.DelaySeconds;
  if (delay !== undefined && (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > 900)) {
    throw invalidParameter(
      `Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`,
    );
  }
  for (const name of ['MessageGroupId', 'MessageDeduplicationId'] as const) {
    const value = input[name];
    if (value === undefined) continue;
    if (!queue.model.fifo && name === 'MessageDeduplicationId') {
      throw invalidParameter(
        `The request include parameter that is not valid for this queue type. Reason: ${name} is only supported for FIFO queues.`,
      );
    }
    if (typeof value !== 'string' || !FIFO_ID.test(value)) {
      throw invalidParameter(
        `Value ${String(value)} for parameter ${name} is invalid. Reason: It must be 1 to 128 printable ASCII characters.`,
      );
    }
  }
  return {
    body: stored,
    ...(attributes ? { attributes } : {}),
    ...(typeof delay === 'number' ? { delaySeconds: delay } : {}),
    ...(typeof input.MessageGroupId === 'string' ? { groupId: input.MessageGroupId } : {}),
    ...(typeof input.MessageDeduplicationId === 'string' ? { deduplicationId: input.MessageDeduplicationId } : {}),
    senderId: sender.senderId,
  };
}

export function sendOne(broker: QueueBroker, queue: SqsQueue, input: Input, sender: Sender): Input {
  const result = broker.send(queue, messageInput(queue, input, sender));
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5OfBody,
    ...(result.md5OfMessageAttributes ? { MD5OfMessageAttributes: result.md5OfMessageAttributes } : {}),
    ...(result.sequenceNumber ? { SequenceNumber: result.sequenceNumber } : {}),
  };
}

/** Each entry on its own; the whole batch is refused only when its total size is over the queue's limit. */
export function sendBatch(broker: QueueBroker, queue: SqsQueue, entries: Input[], sender: Sender): Input {
  const limit = queue.model.maximumMessageSizeBytes;
  const total = entries.reduce(
    (sum, entry) =>
      sum + messageSize(String(entry.MessageBody ?? ''), entry.MessageAttributes as MessageAttributes | undefined),
    0,
  );
  if (total > limit) {
    throw new SqsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${limit} bytes. You have sent ${total} bytes.`,
      'AWS.SimpleQueueService.BatchRequestTooLong',
    );
  }
  const Successful: Input[] = [];
  const Failed: Input[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...sendOne(broker, queue, entry, sender) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
    }
  }
  return { Successful, Failed };
}
