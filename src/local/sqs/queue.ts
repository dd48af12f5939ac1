/**
 * One SQS queue's messages and what SQS does with them, at the time the caller gives (epoch milliseconds):
 * - delivery delay, then a visibility timeout for each receive, after which an undeleted message is received again
 *   (at least once); each receive counts, and past the redrive policy's `maxReceiveCount` the next receive moves the
 *   message to the dead-letter queue instead;
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 * - retention: a message older than the retention period is deleted;
 * - FIFO: a message group id on every message; a deduplication id (given, or the body's SHA-256 with content-based
 *   deduplication) drops a repeat within 5 minutes; messages of a group are received in order, and none while another
 *   of the group is in flight; a receive returns as many messages of one group as it can before the next group.
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 */
import { createHash, randomBytes, randomUUID } from 'crypto';
import { md5Hex, md5OfAttributes, type MessageAttributes } from './attributes';
import { invalidParameter, missingParameter } from './errors';
import type { LocalQueueModel } from '../workers-model';

/** FIFO queues drop a message whose deduplication id they saw in the last 5 minutes. */
export const DEDUPLICATION_INTERVAL_MS = 5 * 60_000;

/** A message as the queue holds it. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes?: MessageAttributes;
  readonly md5OfMessageAttributes?: string;
  /** Who sent it: `<role id>:<session name>` for a role session. */
  readonly senderId: string;
  readonly sentTimestamp: number;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly sequenceNumber?: string;
  /** What retention counts from. */
  enqueuedAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Until then the message is delayed (never received) or in flight (received). */
  visibleAt: number;
  /** The receipt handle of the latest receive. */
  receipt?: string;
}

/** What a receive hands out: the message as it stands after this receive. */
export interface ReceivedMessage {
  readonly message: StoredMessage;
  readonly receiptHandle: string;
}

export interface SendInput {
  readonly body: string;
  readonly attributes?: MessageAttributes;
  readonly delaySeconds?: number;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly senderId: string;
}

export interface SendResult {
  readonly messageId: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly sequenceNumber?: string;
  /** A FIFO repeat within the deduplication interval: accepted, not delivered. */
  readonly duplicate: boolean;
}

let sequence = 10n ** 19n;
const nextSequenceNumber = () => String(++sequence);

export class SqsQueue {
  private messages: StoredMessage[] = [];
  private readonly byReceipt = new Map<string, StoredMessage>();
  private readonly deduplication = new Map<string, { result: SendResult; until: number }>();
  private lastPurge = -Infinity;

  constructor(
    public model: LocalQueueModel,
    public readonly createdAt: number,
  ) {}

  send(input: SendInput, now: number): SendResult {
    const { model } = this;
    if (model.fifo && !input.groupId) throw missingParameter('MessageGroupId');
    if (model.fifo && input.delaySeconds !== undefined && input.delaySeconds !== 0) {
      throw invalidParameter(
        `Value ${input.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    }
    let key: string | undefined;
    let deduplicationId = input.deduplicationId;
    if (model.fifo) {
      deduplicationId ??= model.contentBasedDeduplication
        ? createHash('sha256').update(input.body).digest('hex')
        : undefined;
      if (deduplicationId === undefined) {
        throw invalidParameter(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
      key = model.deduplicationScope === 'messageGroup' ? `${input.groupId}\u0000${deduplicationId}` : deduplicationId;
      const seen = this.deduplication.get(key);
      if (seen && seen.until > now) return { ...seen.result, duplicate: true };
    }
    const delaySeconds = input.delaySeconds ?? model.delaySeconds;
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: md5Hex(input.body),
      ...(input.attributes && Object.keys(input.attributes).length > 0
        ? { messageAttributes: input.attributes, md5OfMessageAttributes: md5OfAttributes(input.attributes) }
        : {}),
      senderId: input.senderId,
      sentTimestamp: now,
      ...(model.fifo ? { groupId: input.groupId, deduplicationId, sequenceNumber: nextSequenceNumber() } : {}),
      enqueuedAt: now,
      receiveCount: 0,
      visibleAt: now + delaySeconds * 1000,
    };
    this.messages.push(message);
    const result: SendResult = {
      messageId: message.messageId,
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
      ...(message.sequenceNumber ? { sequenceNumber: message.sequenceNumber } : {}),
      duplicate: false,
    };
    if (key !== undefined) this.deduplication.set(key, { result, until: now + DEDUPLICATION_INTERVAL_MS });
    return result;
  }

  /** A message another queue's redrive moved here: FIFO restarts its retention, a standard queue keeps it. */
  accept(message: StoredMessage, now: number): void {
    const { receipt: _receipt, firstReceiveTimestamp: _first, ...rest } = message;
    this.messages.push({
      ...rest,
      enqueuedAt: this.model.fifo ? now : message.enqueuedAt,
      receiveCount: 0,
      visibleAt: now,
    });
  }

  /**
   * Up to `max` messages, each now in flight for `visibilitySeconds`; `redriven` are the messages that had been
   * received `maxReceiveCount` times already, taken out for the dead-letter queue rather than delivered.
   */
  receive(
    max: number,
    visibilitySeconds: number,
    now: number,
  ): { received: ReceivedMessage[]; redriven: StoredMessage[] } {
    this.expire(now);
    const received: ReceivedMessage[] = [];
    const redriven: StoredMessage[] = [];
    const take = (message: StoredMessage): boolean => {
      const limit = this.model.redrive?.maxReceiveCount;
      if (limit !== undefined && message.receiveCount >= limit) {
        redriven.push(message);
        this.remove(message);
        return false;
      }
      if (message.receipt) this.byReceipt.delete(message.receipt);
      message.receiveCount++;
      message.firstReceiveTimestamp ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receipt = newReceiptHandle(this.model.queueName, message);
      this.byReceipt.set(message.receipt, message);
      received.push({ message, receiptHandle: message.receipt });
      return true;
    };
    if (!this.model.fifo) {
      for (const message of [...this.messages]) {
        if (received.length >= max) break;
        if (message.visibleAt <= now) take(message);
      }
      return { received, redriven };
    }
    for (const group of this.groups()) {
      if (group.some((message) => message.receipt !== undefined && message.visibleAt > now)) continue;
      for (const message of group) {
        if (received.length >= max || message.visibleAt > now) break;
        take(message);
      }
      if (received.length >= max) break;
    }
    return { received, redriven };
  }

  /** Deletes the message this receipt handle was last given for; a stale or spent handle changes nothing, as in SQS. */
  delete(receiptHandle: string): void {
    const message = this.byReceipt.get(receiptHandle);
    if (message && message.receipt === receiptHandle) this.remove(message);
  }

  changeVisibility(receiptHandle: string, seconds: number, now: number): void {
    const message = this.byReceipt.get(receiptHandle);
    if (!message || message.receipt !== receiptHandle || message.visibleAt <= now) {
      throw invalidParameter(
        `Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    }
    message.visibleAt = now + seconds * 1000;
  }

  /** SQS takes one purge per queue every 60 seconds. */
  purge(now: number): boolean {
    if (now - this.lastPurge < 60_000) return false;
    this.lastPurge = now;
    for (const message of this.messages) if (message.receipt) this.byReceipt.delete(message.receipt);
    this.messages = [];
    return true;
  }

  /** Drops the messages older than the retention period. */
  expire(now: number): void {
    const limit = this.model.retentionSeconds * 1000;
    for (const message of this.messages.filter((m) => now - m.enqueuedAt >= limit)) this.remove(message);
    for (const [key, seen] of this.deduplication) if (seen.until <= now) this.deduplication.delete(key);
  }

  counts(now: number): { visible: number; inFlight: number; delayed: number } {
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.messages) {
      if (message.visibleAt <= now) visible++;
      else if (message.receipt) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /** Whether a receive now would return a message (or redrive one). */
  hasAvailable(now: number): boolean {
    if (!this.model.fifo) return this.messages.some((message) => message.visibleAt <= now);
    return this.groups().some(
      (group) => group[0].visibleAt <= now && !group.some((m) => m.receipt !== undefined && m.visibleAt > now),
    );
  }

  /** The next time a message becomes visible or expires after `now`; undefined when none will. */
  nextChange(now: number): number | undefined {
    let next: number | undefined;
    const limit = this.model.retentionSeconds * 1000;
    for (const message of this.messages) {
      for (const at of [message.visibleAt, message.enqueuedAt + limit]) {
        if (at > now && (next === undefined || at < next)) next = at;
      }
    }
    return next;
  }

  /** Every message, in the order sent. */
  snapshot(): readonly StoredMessage[] {
    return [...this.messages];
  }

  get size(): number {
    return this.messages.length;
  }

  /** Messages by group, each group in order, the groups in the order of their oldest message. */
  private groups(): StoredMessage[][] {
    const groups = new Map<string, StoredMessage[]>();
    for (const message of this.messages) {
      const group = groups.get(message.groupId!) ?? [];
      group.push(message);
      groups.set(message.groupId!, group);
    }
    return [...groups.values()];
  }

  private remove(message: StoredMessage): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
    if (message.receipt) this.byReceipt.delete(message.receipt);
  }
}

/** A new handle for each receive, as SQS gives: opaque, and never the same twice. */
function newReceiptHandle(queueName: string, message: StoredMessage): string {
  const raw = `${queueName}|${message.messageId}|${message.receiveCount}|${randomBytes(12).toString('hex')}`;
  return `AQEB${Buffer.from(raw, 'utf8').toString('base64')}`;
}

/** Whether a receipt handle is one the local SQS could have given, for `ReceiptHandleIsInvalid`. */
export function wellFormedReceipt(handle: string): boolean {
  if (!handle.startsWith('AQEB')) return false;
  return Buffer.from(handle.slice(4), 'base64').toString('utf8').split('|').length === 4;
}
