import { Duration, Lazy, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccessPattern, CallerAttribute, QueueOptions, QueueWorkerOptions, ServerlessApi } from '../../src';
import { defaultProps, expectError, HANDLER_ENTRY, itemPatterns, newStack } from '../helpers/api';

/**
 * Queues that would deploy broken, lose messages silently or fail at deploy time with a message naming nothing, unless
 * the library refuses them at synth, each with `` `prop` must ..., got: value ``. The limits are SQS's
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html) and those of
 * Lambda's SQS event source mapping (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html).
 */

const worker = (options: Partial<QueueWorkerOptions> = {}): QueueWorkerOptions => ({
  entry: HANDLER_ENTRY,
  ...options,
});
const queue = (options: Partial<QueueOptions> = {}): QueueOptions => ({ worker: worker(), ...options });

const CASES: [string, { [name: string]: QueueOptions }, string][] = [
  [
    'a queue name that cannot be a construct id or a variable key',
    { 'thumb-nails': queue() },
    '`queues` must have names of 1 to 64 letters and digits, starting with a letter, got: "thumb-nails"',
  ],
  [
    'a queue without a worker',
    { jobs: {} as QueueOptions },
    "`queues.jobs.worker` must be the options of the worker that takes the queue's messages, with at least its `entry`, got: undefined",
  ],
  [
    'a worker without an entry',
    { jobs: { worker: {} as QueueWorkerOptions } },
    '`queues.jobs.worker.entry` must name an existing file with the handler (.ts, .js, .mjs or .cjs), got: undefined',
  ],
  [
    'content-based deduplication on a standard queue',
    { jobs: queue({ contentBasedDeduplication: true }) },
    '`queues.jobs.contentBasedDeduplication` must be left out on a standard queue: only FIFO queues deduplicate (set `fifo: true`), got: true',
  ],
  [
    'no receive before the dead-letter queue',
    { jobs: queue({ maxReceiveCount: 0 }) },
    '`queues.jobs.maxReceiveCount` must be a whole number between 1 and 1000, got: 0',
  ],
  [
    'a retention SQS refuses',
    { jobs: queue({ retentionPeriod: Duration.days(15) }) },
    "`queues.jobs.retentionPeriod` must be whole seconds, between 1 minute and 14 days (SQS's limits), got: 15 days",
  ],
  [
    'a retention shorter than the receives take',
    { jobs: queue({ retentionPeriod: Duration.minutes(5), maxReceiveCount: 5 }) },
    '`queues.jobs.retentionPeriod` must be longer than `maxReceiveCount` times `visibilityTimeout` (5 × 1 minute = 5 minutes), or a message the worker keeps failing on expires before it reaches the dead-letter queue, got: 5 minutes',
  ],
  [
    "a visibility timeout shorter than the worker's timeout",
    { jobs: queue({ visibilityTimeout: Duration.seconds(20), worker: worker({ timeout: Duration.seconds(30) }) }) },
    "`queues.jobs.visibilityTimeout` must be at least the worker's 30 seconds timeout: Lambda refuses to map a queue whose messages would reappear while the worker still handles them, got: 20 seconds",
  ],
  [
    'a visibility timeout SQS refuses',
    { jobs: queue({ visibilityTimeout: Duration.hours(13) }) },
    '`queues.jobs.visibilityTimeout` must be whole seconds, at most 12 hours, got: 13 hours',
  ],
  [
    'a worker timeout beyond Lambda',
    { jobs: queue({ worker: worker({ timeout: Duration.minutes(16) }) }) },
    "`queues.jobs.worker.timeout` must be at most 15 minutes, Lambda's longest timeout, got: 16 minutes",
  ],
  [
    'a batch above 10 on a FIFO queue',
    { jobs: queue({ fifo: true, worker: worker({ batchSize: 11 }) }) },
    "`queues.jobs.worker.batchSize` must be a whole number between 1 and 10 on a FIFO queue (Lambda's limit for SQS), got: 11",
  ],
  [
    'a batch above 10,000',
    { jobs: queue({ worker: worker({ batchSize: 10001, maxBatchingWindow: Duration.seconds(1) }) }) },
    "`queues.jobs.worker.batchSize` must be a whole number between 1 and 10000 (Lambda's limit for SQS), got: 10001",
  ],
  [
    'a batch above 10 without a batching window',
    { jobs: queue({ worker: worker({ batchSize: 50 }) }) },
    "`queues.jobs.worker.batchSize` must be at most 10 without a `maxBatchingWindow` of at least 1 second (Lambda's rule for SQS), got: 50",
  ],
  [
    'a batching window on a FIFO queue',
    { jobs: queue({ fifo: true, worker: worker({ maxBatchingWindow: Duration.seconds(5) }) }) },
    '`queues.jobs.worker.maxBatchingWindow` must be left out on a FIFO queue: Lambda takes no batching window for FIFO queues, got: 5 seconds',
  ],
  [
    'a batching window above 5 minutes',
    { jobs: queue({ worker: worker({ maxBatchingWindow: Duration.minutes(6) }) }) },
    '`queues.jobs.worker.maxBatchingWindow` must be whole seconds, at most 5 minutes, got: 6 minutes',
  ],
  [
    'a maximum concurrency of 1',
    { jobs: queue({ worker: worker({ maxConcurrency: 1 }) }) },
    '`queues.jobs.worker.maxConcurrency` must be a whole number between 2 and 1000, got: 1',
  ],
  [
    "a maximum concurrency above the worker's reservation",
    { jobs: queue({ worker: worker({ maxConcurrency: 10, reservedConcurrentExecutions: 5 }) }) },
    "`queues.jobs.worker.maxConcurrency` must be at most the worker's `reservedConcurrentExecutions` (5): Lambda would throttle the invocations above it and return their messages to the queue, got: 10",
  ],
  [
    'an encryption key that is not one',
    { jobs: queue({ encryptionKey: 'alias/jobs' as unknown as kms.IKey }) },
    '`queues.jobs.encryptionKey` must be a kms.IKey (a Key, or one imported with Key.fromKeyArn()), got: "string"',
  ],
  [
    'a worker sending to a queue the API does not declare',
    { jobs: queue({ worker: worker({ queues: ['other'] }) }) },
    '`queues.jobs.worker.queues[0]` must name one of the API\'s `queues` (declared: "jobs"), got: "other"',
  ],
  [
    'a worker named like a route function',
    { items: queue() },
    // Queues are checked before functions: the function is refused, naming the worker.
    '`functions` must have names unique among the API\'s route functions and workers, which share one namespace: `queues.items.worker` is named "items" already, got: "items"',
  ],
];

describe.each(CASES)('GIVEN %s', (_, queues, message) => {
  test('THEN synth refuses it with the prop, the rule and the value', () => {
    expectError({ queues }, message);
  });
});

test('GIVEN a worker using a caller-bound pattern THEN it is refused: a worker has no caller', () => {
  expectError(
    {
      accessPatterns: {
        ...itemPatterns(),
        getCart: AccessPattern.getItem({
          partitionKey: 'USER#{userId}',
          sortKey: 'CART',
          callerBound: { userId: CallerAttribute.id() },
        }),
      },
      queues: { carts: queue({ worker: worker({ accessPatterns: ['getCart'] }) }) },
    },
    '`queues.carts.worker.accessPatterns[0]` must not be caller-bound: a worker runs with no caller whose session could bind {userId}; declare an unbound pattern for the worker, and carry the caller\'s values in the message, got: "getCart"',
  );
});

describe('GIVEN what SQS and Lambda accept THEN it is not refused', () => {
  test('the limits themselves: 15-minute worker, 12-hour visibility, 14-day retention, 10,000 messages over 5 minutes, 1,000 concurrent', () => {
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      queues: {
        jobs: queue({
          visibilityTimeout: Duration.hours(12),
          retentionPeriod: Duration.days(14),
          maxReceiveCount: 1,
          worker: worker({
            timeout: Duration.minutes(15),
            batchSize: 10000,
            maxBatchingWindow: Duration.minutes(5),
            maxConcurrency: 1000,
          }),
        }),
        ordered: queue({ fifo: true, contentBasedDeduplication: true, worker: worker({ batchSize: 10 }) }),
      },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 43200, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10000,
      MaximumBatchingWindowInSeconds: 300,
      ScalingConfig: { MaximumConcurrency: 1000 },
    });
  });

  test('tokens are not checked as literals', () => {
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      queues: {
        jobs: queue({
          maxReceiveCount: Token.asNumber(Lazy.number({ produce: () => 7 })),
          // The age alarm's default derives from maxReceiveCount: with a token, it is given.
          alarms: { oldestMessageAge: { maxAge: Duration.minutes(10) } },
          worker: worker({ batchSize: Token.asNumber(Lazy.number({ produce: () => 20 })) }),
        }),
      },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 20 });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 7 } });
  });
});
