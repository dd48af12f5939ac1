/**
 * One queue's rules, on a clock the test moves: delay, visibility, receive counts and redrive, retention, FIFO
 * deduplication and group order.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
import { createHash } from 'crypto';
import { md5OfAttributes } from '../../../src/local/sqs/attributes';
import { SqsQueue } from '../../../src/local/sqs/queue';
import type { LocalQueueModel } from '../../../src/local/workers-model';

const model = (overrides: Partial<LocalQueueModel> = {}): LocalQueueModel => ({
  logicalId: 'Q',
  name: 'Q',
  queueName: 'q',
  arn: 'arn:aws:sqs:us-east-1:123456789012:q',
  url: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
  fifo: false,
  contentBasedDeduplication: false,
  deduplicationScope: 'queue',
  visibilityTimeoutSeconds: 30,
  retentionSeconds: 345600,
  delaySeconds: 0,
  receiveWaitTimeSeconds: 0,
  maximumMessageSizeBytes: 262144,
  ...overrides,
});

const fifo = (overrides: Partial<LocalQueueModel> = {}) => model({ fifo: true, queueName: 'q.fifo', ...overrides });
const bodies = (received: { received: { message: { body: string } }[] }) =>
  received.received.map((r) => r.message.body);

describe('a standard queue', () => {
  test('GIVEN a message received and not deleted THEN it is invisible for the visibility timeout, then received again', () => {
    const queue = new SqsQueue(model(), 0);
    queue.send({ body: 'a', senderId: 'me' }, 0);
    const first = queue.receive(10, 30, 1000);
    expect(bodies(first)).toEqual(['a']);
    expect(bodies(queue.receive(10, 30, 30_999))).toEqual([]);
    const again = queue.receive(10, 30, 31_000);
    expect(again.received[0].message.receiveCount).toBe(2);
    expect(again.received[0].receiptHandle).not.toBe(first.received[0].receiptHandle);
  });

  test('GIVEN a stale receipt handle THEN delete changes nothing, the latest one deletes', () => {
    const queue = new SqsQueue(model(), 0);
    queue.send({ body: 'a', senderId: 'me' }, 0);
    const stale = queue.receive(1, 0, 0).received[0].receiptHandle;
    const latest = queue.receive(1, 30, 1).received[0].receiptHandle;
    queue.delete(stale);
    expect(queue.size).toBe(1);
    queue.delete(latest);
    expect(queue.size).toBe(0);
  });

  test('GIVEN a delay THEN the message is delayed, then visible', () => {
    const queue = new SqsQueue(model({ delaySeconds: 5 }), 0);
    queue.send({ body: 'a', senderId: 'me' }, 0);
    queue.send({ body: 'b', senderId: 'me', delaySeconds: 0 }, 0);
    expect(queue.counts(1000)).toEqual({ visible: 1, inFlight: 0, delayed: 1 });
    expect(bodies(queue.receive(10, 30, 1000))).toEqual(['b']);
    expect(bodies(queue.receive(10, 30, 5000))).toEqual(['a']);
  });

  test('GIVEN maxReceiveCount 2 THEN the third receive moves the message out for the dead-letter queue', () => {
    const queue = new SqsQueue(model({ redrive: { deadLetterQueueArn: 'arn:dlq', maxReceiveCount: 2 } }), 0);
    queue.send({ body: 'a', senderId: 'me' }, 0);
    queue.receive(1, 0, 1);
    queue.receive(1, 0, 2);
    const third = queue.receive(1, 0, 3);
    expect(third.received).toEqual([]);
    expect(third.redriven.map((m) => [m.body, m.receiveCount])).toEqual([['a', 2]]);
    expect(queue.size).toBe(0);
  });

  test('GIVEN the retention period passed THEN the message is gone', () => {
    const queue = new SqsQueue(model({ retentionSeconds: 60 }), 0);
    queue.send({ body: 'a', senderId: 'me' }, 0);
    expect(queue.nextChange(1)).toBe(60_000);
    queue.expire(60_000);
    expect(queue.size).toBe(0);
  });

  test('GIVEN a visibility change on a message not in flight THEN SQS refuses it', () => {
    const queue = new SqsQueue(model(), 0);
    queue.send({ body: 'a', senderId: 'me' }, 0);
    const handle = queue.receive(1, 1, 0).received[0].receiptHandle;
    expect(() => queue.changeVisibility(handle, 10, 2000)).toThrow(
      `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
    );
  });

  test('GIVEN two purges within 60 seconds THEN the second is refused', () => {
    const queue = new SqsQueue(model(), 0);
    expect(queue.purge(1000)).toBe(true);
    expect(queue.purge(60_999)).toBe(false);
    expect(queue.purge(61_000)).toBe(true);
  });
});

describe('a FIFO queue', () => {
  test('GIVEN no group id THEN MissingParameter; no deduplication id without content-based deduplication THEN refused', () => {
    const queue = new SqsQueue(fifo(), 0);
    expect(() => queue.send({ body: 'a', senderId: 'me' }, 0)).toThrow(
      'The request must contain the parameter MessageGroupId.',
    );
    expect(() => queue.send({ body: 'a', groupId: 'g', senderId: 'me' }, 0)).toThrow(
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
  });

  test('GIVEN a repeated deduplication id THEN accepted with the first id, not delivered; after 5 minutes it is new', () => {
    const queue = new SqsQueue(fifo(), 0);
    const first = queue.send({ body: 'a', groupId: 'g', deduplicationId: 'd', senderId: 'me' }, 0);
    const repeat = queue.send({ body: 'other', groupId: 'g', deduplicationId: 'd', senderId: 'me' }, 299_999);
    expect(repeat).toEqual({ ...first, duplicate: true });
    expect(queue.size).toBe(1);
    const later = queue.send({ body: 'b', groupId: 'g', deduplicationId: 'd', senderId: 'me' }, 300_000);
    expect(later.duplicate).toBe(false);
    expect(BigInt(later.sequenceNumber!)).toBeGreaterThan(BigInt(first.sequenceNumber!));
  });

  test('GIVEN content-based deduplication THEN the same body is a duplicate', () => {
    const queue = new SqsQueue(fifo({ contentBasedDeduplication: true }), 0);
    queue.send({ body: 'same', groupId: 'g', senderId: 'me' }, 0);
    expect(queue.send({ body: 'same', groupId: 'h', senderId: 'me' }, 1).duplicate).toBe(true);
  });

  test('GIVEN deduplication per message group THEN the same id in another group is new', () => {
    const queue = new SqsQueue(fifo({ deduplicationScope: 'messageGroup' }), 0);
    queue.send({ body: 'a', groupId: 'g', deduplicationId: 'd', senderId: 'me' }, 0);
    expect(queue.send({ body: 'a', groupId: 'h', deduplicationId: 'd', senderId: 'me' }, 1).duplicate).toBe(false);
  });

  test('GIVEN two groups THEN a receive takes one group first, and nothing of a group while it has a message in flight', () => {
    const queue = new SqsQueue(fifo({ contentBasedDeduplication: true }), 0);
    for (const [group, body] of [
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['b', 'b2'],
      ['a', 'a3'],
    ]) {
      queue.send({ body, groupId: group, senderId: 'me' }, 0);
    }
    const first = queue.receive(2, 30, 1);
    expect(bodies(first)).toEqual(['a1', 'a2']);
    // Group a is in flight: the next receive gets only b, in order.
    expect(bodies(queue.receive(10, 30, 2))).toEqual(['b1', 'b2']);
    expect(bodies(queue.receive(10, 30, 3))).toEqual([]);
    for (const { receiptHandle } of first.received) queue.delete(receiptHandle);
    expect(bodies(queue.receive(10, 30, 4))).toEqual(['a3']);
  });

  test('GIVEN a per-message delay THEN FIFO refuses it', () => {
    const queue = new SqsQueue(fifo({ contentBasedDeduplication: true }), 0);
    expect(() => queue.send({ body: 'a', groupId: 'g', delaySeconds: 5, senderId: 'me' }, 0)).toThrow(
      'Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
    );
  });

  test('GIVEN a redriven message THEN the group goes on with its next message', () => {
    const queue = new SqsQueue(
      fifo({ contentBasedDeduplication: true, redrive: { deadLetterQueueArn: 'arn:dlq', maxReceiveCount: 1 } }),
      0,
    );
    queue.send({ body: 'a1', groupId: 'a', senderId: 'me' }, 0);
    queue.send({ body: 'a2', groupId: 'a', senderId: 'me' }, 0);
    expect(bodies(queue.receive(1, 0, 1))).toEqual(['a1']);
    const next = queue.receive(1, 30, 2);
    expect(next.redriven.map((m) => m.body)).toEqual(['a1']);
    expect(bodies(next)).toEqual(['a2']);
  });
});

describe('message attribute digests', () => {
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html: the
  // encoding the developer guide describes, built by hand here.
  test('GIVEN attributes THEN the MD5 over sorted, length-prefixed names, types and values', () => {
    const digest = md5OfAttributes({
      b: { DataType: 'Number', StringValue: '1' },
      a: { DataType: 'String', StringValue: 'x' },
    });
    const manual = createHash('md5')
      .update(
        Buffer.concat([
          Buffer.from([0, 0, 0, 1]),
          Buffer.from('a'),
          Buffer.from([0, 0, 0, 6]),
          Buffer.from('String'),
          Buffer.from([1]),
          Buffer.from([0, 0, 0, 1]),
          Buffer.from('x'),
          Buffer.from([0, 0, 0, 1]),
          Buffer.from('b'),
          Buffer.from([0, 0, 0, 6]),
          Buffer.from('Number'),
          Buffer.from([1]),
          Buffer.from([0, 0, 0, 1]),
          Buffer.from('1'),
        ]),
      )
      .digest('hex');
    expect(digest).toBe(manual);
    expect(md5OfAttributes({})).toBeUndefined();
  });
});
