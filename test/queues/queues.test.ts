import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { QueueOptions, QueueWorkerOptions, ServerlessApi, ServerlessApiProps, TableEncryption } from '../../src';
import { QUEUES_ENV } from '../../src/shared/env';
import { ACCESS_PATTERNS_METADATA_KEY } from '../../src/shared/metadata';
import {
  actionsOf,
  defaultProps,
  ENV,
  fn,
  getAtt,
  HANDLER_ENTRY,
  inlineStatements,
  logicalId,
  newStack,
  ref,
  resources,
  route,
} from '../helpers/api';

/**
 * Queues and their workers, as the template shows them: each default and each override, what senders find in their
 * environment and may do, and what the API exposes.
 */

const worker = (options: Partial<QueueWorkerOptions> = {}): QueueWorkerOptions => ({
  entry: HANDLER_ENTRY,
  ...options,
});

interface Built {
  readonly stack: Stack;
  readonly api: ServerlessApi;
  readonly template: Template;
}

/** The default API with `queues`, its function `items` sending to `sends`. */
function build(
  queues: { [name: string]: QueueOptions },
  sends: string[] = [],
  extra: Partial<ServerlessApiProps> = {},
  stack: Stack = newStack(),
): Built {
  const api = new ServerlessApi(stack, 'Api', {
    ...defaultProps(),
    functions: { items: fn([route(HttpMethod.POST, '/items')], { queues: sends }) },
    queues,
    ...extra,
  });
  return { stack, api, template: Template.fromStack(stack) };
}

const queueId = (template: Template, name: string) => logicalId(template, 'AWS::SQS::Queue', `ApiQueues${name}Queue`);
const deadLetterId = (template: Template, name: string) =>
  logicalId(template, 'AWS::SQS::Queue', `ApiQueues${name}DeadLetterQueue`);
const workerRoleId = (template: Template, name: string) =>
  logicalId(template, 'AWS::IAM::Role', `ApiWorkers${name}Role`);
const workerFunctionId = (template: Template, name: string) =>
  logicalId(template, 'AWS::Lambda::Function', `ApiWorkers${name}Function`);
const propsOf = (template: Template, id: string) => resources(template)[id].Properties;

describe('GIVEN a queue with every default', () => {
  let built: Built;
  beforeAll(() => {
    built = build({ thumbnails: { worker: worker() } }, ['thumbnails']);
  });

  test('THEN the queue is standard, SSE-SQS encrypted, kept 4 days, hidden 6 x the 10 s timeout, 5 receives to its dead-letter queue', () => {
    const { template } = built;
    expect(propsOf(template, queueId(template, 'thumbnails'))).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 86400,
      VisibilityTimeout: 60,
      RedrivePolicy: { deadLetterTargetArn: getAtt(deadLetterId(template, 'thumbnails')), maxReceiveCount: 5 },
    });
  });

  test('THEN the dead-letter queue is SSE-SQS encrypted and keeps messages 14 days, with no redrive of its own', () => {
    const { template } = built;
    expect(propsOf(template, deadLetterId(template, 'thumbnails'))).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86400,
    });
  });

  test.each(['Queue', 'DeadLetterQueue'])('THEN the %s refuses every request without TLS', (kind) => {
    const { template } = built;
    const id = logicalId(template, 'AWS::SQS::Queue', `ApiQueuesthumbnails${kind}`);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(id)],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Resource: getAtt(id),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
  });

  test('THEN Lambda hands the worker batches of 10, reporting failed messages one by one, with no window or cap', () => {
    const { template } = built;
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
    expect(Object.keys(mappings).map((id) => resources(template)[id].Properties)).toEqual([
      {
        EventSourceArn: getAtt(queueId(template, 'thumbnails')),
        FunctionName: ref(workerFunctionId(template, 'thumbnails')),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
  });

  test("THEN the worker's role consumes exactly its queue, besides its logs and traces", () => {
    const { template } = built;
    const statements = inlineStatements(template, workerRoleId(template, 'thumbnails'));
    expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')))).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        Resource: getAtt(queueId(template, 'thumbnails')),
      },
    ]);
    expect(statements.flatMap(actionsOf).filter((a) => /^(kms|dynamodb|secretsmanager):/.test(a))).toEqual([]);
  });

  test("THEN the sender's role may send to exactly that queue, and its handler finds the queue's URL", () => {
    const { template } = built;
    const role = logicalId(template, 'AWS::IAM::Role', 'ApiFunctionsitemsRole');
    const sqsStatements = inlineStatements(template, role).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('sqs:')),
    );
    expect(sqsStatements).toEqual([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt(queueId(template, 'thumbnails')) },
    ]);
    const fnId = logicalId(template, 'AWS::Lambda::Function', 'ApiFunctionsitemsFunction');
    expect(propsOf(template, fnId).Environment.Variables[QUEUES_ENV]).toEqual({
      'Fn::Join': ['', ['{"thumbnails":{"url":"', ref(queueId(template, 'thumbnails')), '","fifo":false}}']],
    });
  });

  test('THEN the worker is described by its queue, has no queues variable, and the API lists it', () => {
    const { template, api } = built;
    const props = propsOf(template, workerFunctionId(template, 'thumbnails'));
    expect(props.Description).toBe('Worker of queue thumbnails');
    expect(props.Environment.Variables[QUEUES_ENV]).toBeUndefined();
    expect(api.workers.map((w) => w.name)).toEqual(['thumbnails']);
    expect(api.workers[0].node.path).toBe('Test/Api/Workers/thumbnails');
  });

  test('THEN the API exposes the queue, its dead-letter queue and its worker by name', () => {
    const { api } = built;
    const entry = api.queue('thumbnails');
    expect(entry.name).toBe('thumbnails');
    expect(entry.queue.node.path).toBe('Test/Api/Queues/thumbnails/Queue');
    expect(entry.deadLetterQueue.node.path).toBe('Test/Api/Queues/thumbnails/DeadLetterQueue');
    expect(entry.worker).toBe(api.workers[0]);
    expect(Object.keys(api.queues)).toEqual(['thumbnails']);
    expect(api.queues.thumbnails).toBe(entry.queue);
  });

  test('THEN asking for an undeclared queue names the declared ones', () => {
    expect(() => built.api.queue('thumbnail')).toThrow(
      new Error('`name` must name one of the API\'s `queues` (declared: "thumbnails"), got: "thumbnail"'),
    );
  });
});

test('GIVEN no queues THEN the API has none, no worker, and no function carries the queues variable', () => {
  const stack = newStack();
  const api = new ServerlessApi(stack, 'Api', defaultProps());
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::SQS::Queue', 0);
  template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  expect(api.queues).toEqual({});
  expect(api.workers).toEqual([]);
  expect(() => api.queue('any')).toThrow(
    new Error('`name` must name one of the API\'s `queues` (declared: none), got: "any"'),
  );
  template.allResourcesProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.not(Match.objectLike({ [QUEUES_ENV]: Match.anyValue() })) },
  });
});

describe('GIVEN a FIFO queue deduplicating by content', () => {
  let built: Built;
  beforeAll(() => {
    built = build({ orders: { fifo: true, contentBasedDeduplication: true, worker: worker({ batchSize: 5 }) } }, [
      'orders',
    ]);
  });

  test('THEN the queue and its dead-letter queue are both FIFO, and only the queue deduplicates', () => {
    const { template } = built;
    expect(propsOf(template, queueId(template, 'orders'))).toEqual(
      expect.objectContaining({ FifoQueue: true, ContentBasedDeduplication: true }),
    );
    expect(propsOf(template, deadLetterId(template, 'orders'))).toEqual(expect.objectContaining({ FifoQueue: true }));
    expect(propsOf(template, deadLetterId(template, 'orders')).ContentBasedDeduplication).toBeUndefined();
  });

  test('THEN the worker takes batches of its size with no window, and the sender knows the queue is FIFO', () => {
    const { template } = built;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
    const fnId = logicalId(template, 'AWS::Lambda::Function', 'ApiFunctionsitemsFunction');
    expect(JSON.stringify(propsOf(template, fnId).Environment.Variables[QUEUES_ENV])).toContain('\\"fifo\\":true');
  });
});

describe('GIVEN a queue with every setting overridden', () => {
  let built: Built;
  let key: kms.Key;
  beforeAll(() => {
    const stack = newStack({ env: ENV });
    key = new kms.Key(stack, 'QueueKey', { enableKeyRotation: true });
    built = build(
      {
        reports: {
          maxReceiveCount: 3,
          retentionPeriod: Duration.days(7),
          visibilityTimeout: Duration.minutes(20),
          encryptionKey: key,
          worker: worker({
            timeout: Duration.minutes(3),
            batchSize: 100,
            maxBatchingWindow: Duration.seconds(30),
            maxConcurrency: 5,
          }),
        },
      },
      ['reports'],
      {},
      stack,
    );
  });

  test('THEN the queue takes each of them, and both queues are encrypted with the key', () => {
    const { template } = built;
    const keyArn = getAtt(logicalId(template, 'AWS::KMS::Key', 'QueueKey'));
    expect(propsOf(template, queueId(template, 'reports'))).toEqual({
      KmsMasterKeyId: keyArn,
      MessageRetentionPeriod: 7 * 86400,
      VisibilityTimeout: 1200,
      RedrivePolicy: { deadLetterTargetArn: getAtt(deadLetterId(template, 'reports')), maxReceiveCount: 3 },
    });
    expect(propsOf(template, deadLetterId(template, 'reports'))).toEqual({
      KmsMasterKeyId: keyArn,
      MessageRetentionPeriod: 14 * 86400,
    });
  });

  test('THEN the mapping batches 100 messages over at most 30 seconds, with at most 5 concurrent invocations', () => {
    built.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 30,
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('THEN the worker may decrypt with the key, and the sender generate data keys with it, only through SQS', () => {
    const { template } = built;
    const keyArn = getAtt(logicalId(template, 'AWS::KMS::Key', 'QueueKey'));
    const viaSqs = { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } };
    const kmsOf = (roleId: string) =>
      inlineStatements(template, roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kmsOf(workerRoleId(template, 'reports'))).toEqual([
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: viaSqs },
    ]);
    expect(kmsOf(logicalId(template, 'AWS::IAM::Role', 'ApiFunctionsitemsRole'))).toEqual([
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn, Condition: viaSqs },
    ]);
  });

  test('THEN no warning: the visibility timeout is above the recommended 6 x 3 minutes + 30 seconds', () => {
    Annotations.fromStack(built.stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('GIVEN the visibility timeout derived from the worker', () => {
  test.each<[string, Partial<QueueWorkerOptions>, Partial<ServerlessApiProps>, number]>([
    ['its own timeout', { timeout: Duration.seconds(30) }, {}, 180],
    [
      'its timeout and batching window',
      { timeout: Duration.seconds(30), maxBatchingWindow: Duration.seconds(20) },
      {},
      200,
    ],
    ['the API-wide functionDefaults', {}, { functionDefaults: { timeout: Duration.seconds(25) } }, 150],
    ["Lambda's 15 minutes", { timeout: Duration.minutes(15) }, {}, 5400],
  ])(
    'WHEN it has %s THEN the queue hides a message six times as long, plus the window',
    (_, options, extra, seconds) => {
      const { template } = build({ jobs: { worker: worker(options) } }, [], extra);
      expect(propsOf(template, queueId(template, 'jobs')).VisibilityTimeout).toBe(seconds);
    },
  );

  test('WHEN a visibility timeout below the recommendation is given THEN synth warns, naming both', () => {
    const { stack } = build({ jobs: { visibilityTimeout: Duration.seconds(30), worker: worker() } });
    Annotations.fromStack(stack).hasWarning(
      '/Test/Api/Queues/jobs',
      Match.stringLikeRegexp(
        "`queues.jobs.visibilityTimeout` is 30 seconds, below the 1 minute Lambda's guide recommends \\(six times the worker's timeout plus its batching window\\)",
      ),
    );
  });
});

describe("GIVEN a table encrypted with the API's customer-managed key", () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build(
      { jobs: { worker: worker() } },
      ['jobs'],
      {
        table: { encryption: TableEncryption.customerManaged() },
      },
      newStack({ env: ENV }),
    ));
  });

  test('THEN a queue naming no key of its own is encrypted with the table key, as its dead-letter queue', () => {
    const keyArn = getAtt(logicalId(template, 'AWS::KMS::Key', 'ApiTableKey'));
    expect(propsOf(template, queueId(template, 'jobs')).KmsMasterKeyId).toEqual(keyArn);
    expect(propsOf(template, deadLetterId(template, 'jobs')).KmsMasterKeyId).toEqual(keyArn);
    expect(propsOf(template, queueId(template, 'jobs')).SqsManagedSseEnabled).toBeUndefined();
  });
});

describe('GIVEN a worker that sends to another queue, and a route function sending to both', () => {
  let built: Built;
  beforeAll(() => {
    built = build(
      {
        thumbnails: { worker: worker({ queues: ['notifications'], accessPatterns: ['getItem'] }) },
        notifications: { fifo: true, worker: worker() },
      },
      [],
      {
        functions: {
          items: fn([route(HttpMethod.POST, '/items')], {
            queues: ['thumbnails', 'notifications'],
            accessPatterns: ['getItem'],
          }),
        },
      },
    );
  });

  test('THEN the worker may send to that queue only, and consume its own only', () => {
    const { template } = built;
    const sqsStatements = inlineStatements(template, workerRoleId(template, 'thumbnails')).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('sqs:')),
    );
    expect(sqsStatements).toEqual([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt(queueId(template, 'notifications')) },
      {
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        Resource: getAtt(queueId(template, 'thumbnails')),
      },
    ]);
  });

  test('THEN the route function may send to both queues, in one statement, and finds both', () => {
    const { template } = built;
    const role = logicalId(template, 'AWS::IAM::Role', 'ApiFunctionsitemsRole');
    expect(inlineStatements(template, role).filter((s) => actionsOf(s).includes('sqs:SendMessage'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: [getAtt(queueId(template, 'thumbnails')), getAtt(queueId(template, 'notifications'))],
      },
    ]);
    const fnId = logicalId(template, 'AWS::Lambda::Function', 'ApiFunctionsitemsFunction');
    expect(JSON.stringify(propsOf(template, fnId).Environment.Variables[QUEUES_ENV])).toMatch(
      /thumbnails.*"fifo\\":false.*notifications.*"fifo\\":true/,
    );
  });

  test("THEN the access-pattern table lists the worker among the pattern's users", () => {
    const { template } = built;
    const apiId = logicalId(template, 'AWS::ApiGatewayV2::Api', 'Api');
    const rows = resources(template)[apiId].Metadata[ACCESS_PATTERNS_METADATA_KEY];
    expect(rows.find((row: { name: string }) => row.name === 'getItem').functions).toEqual(['items', 'thumbnails']);
  });
});
