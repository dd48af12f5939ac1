/**
 * What a ReceiveMessage asks for and what each message it returns carries: the system attributes named in
 * `MessageSystemAttributeNames` (or the older `AttributeNames`) and the message attributes named in
 * `MessageAttributeNames` (`All`, `.*`, a name, or a prefix such as `order.*`).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 */
import { md5OfAttributes } from './attributes';
import { invalidParameter } from './errors';
import type { SqsQueue, StoredMessage } from './queue';
import type { Input } from './types';

export interface ReceiveOptions {
  readonly max: number;
  readonly visibilitySeconds: number;
  readonly waitSeconds: number;
  readonly systemAttributes: readonly string[];
  readonly messageAttributes: readonly string[];
}

function bounded(input: Input, name: string, min: number, max: number, fallback: number, reason: string): number {
  const value = input[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
  }
  return value;
}

const names = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);

export function receiveOptions(input: Input, queue: SqsQueue): ReceiveOptions {
  return {
    max: bounded(input, 'MaxNumberOfMessages', 1, 10, 1, 'Must be between 1 and 10, if provided.'),
    visibilitySeconds: bounded(
      input,
      'VisibilityTimeout',
      0,
      43_200,
      queue.model.visibilityTimeoutSeconds,
      'Must be between 0 and 43200, if provided.',
    ),
    waitSeconds: bounded(
      input,
      'WaitTimeSeconds',
      0,
      20,
      queue.model.receiveWaitTimeSeconds,
      'Must be >= 0 and <= 20, if provided.',
    ),
    systemAttributes: [...names(input.AttributeNames), ...names(input.MessageSystemAttributeNames)],
    messageAttributes: names(input.MessageAttributeNames),
  };
}

/** A message's system attributes, every value a string, as SQS and Lambda's SQS event give them. */
export function systemAttributes(message: StoredMessage): { [name: string]: string } {
  return {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentTimestamp),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
    ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
    ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}),
    ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
  };
}

export function systemAttributesOut(message: StoredMessage, wanted: readonly string[]): Input {
  if (wanted.length === 0) return {};
  const all = systemAttributes(message);
  const picked = wanted.includes('All')
    ? all
    : Object.fromEntries(wanted.filter((name) => name in all).map((name) => [name, all[name]]));
  return Object.keys(picked).length === 0 ? {} : { Attributes: picked };
}

export function messageAttributesOut(message: StoredMessage, wanted: readonly string[]): Input {
  const attributes = message.messageAttributes;
  if (!attributes || wanted.length === 0) return {};
  const matches = (name: string) =>
    wanted.some(
      (w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
    );
  const picked = Object.fromEntries(Object.entries(attributes).filter(([name]) => matches(name)));
  if (Object.keys(picked).length === 0) return {};
  return { MessageAttributes: picked, MD5OfMessageAttributes: md5OfAttributes(picked) };
}
