import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { QueueOptions, QueueWorkerOptions, ServerlessApi, ServerlessApiProps } from '../../src';
import { defaultProps, expectError, fn, getAtt, HANDLER_ENTRY, logicalId, newStack, route } from '../helpers/api';

/**
 * The alarms of the queue layer: per queue, messages in its dead-letter queue and the age of its oldest message (its
 * default derived from the worker), both critical; per worker, the function alarms. Metrics:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 */

const ALARM = 'AWS::CloudWatch::Alarm';
const worker = (options: Partial<QueueWorkerOptions> = {}): QueueWorkerOptions => ({
  entry: HANDLER_ENTRY,
  ...options,
});

interface Built {
  readonly stack: Stack;
  readonly api: ServerlessApi;
  readonly template: Template;
}

function build(queues: { [name: string]: QueueOptions }, extra: Partial<ServerlessApiProps> = {}): Built {
  const stack = newStack();
  const api = new ServerlessApi(stack, 'Api', {
    ...defaultProps(),
    apiName: 'shop',
    functions: { items: fn([route(HttpMethod.POST, '/items')], { queues: Object.keys(queues) }) },
    queues,
    ...extra,
  });
  return { stack, api, template: Template.fromStack(stack) };
}

/** The alarm named `shop-<name>`: its logical id and properties. */
function alarm(template: Template, name: string): { id: string; props: any } {
  const found = Object.entries(template.findResources(ALARM)).filter(
    ([, resource]) => resource.Properties.AlarmName === `shop-${name}`,
  );
  if (found.length !== 1) throw new Error(`expected one alarm named shop-${name}, found ${found.length}`);
  return { id: found[0][0], props: found[0][1].Properties };
}

const alarmNames = (template: Template) =>
  Object.values(template.findResources(ALARM))
    .map((r) => r.Properties.AlarmName as string)
    .filter((name) => /-(Queue|Worker)-/.test(name))
    .sort();

describe('GIVEN a queue with every default', () => {
  let built: Built;
  beforeAll(() => {
    built = build({ thumbnails: { worker: worker() } });
  });

  test('THEN it has its two alarms and its worker one, under the queue and the worker', () => {
    expect(alarmNames(built.template)).toEqual([
      'shop-Queue-thumbnails-DeadLetters',
      'shop-Queue-thumbnails-OldestMessageAge',
      'shop-Worker-thumbnails',
    ]);
    expect(alarm(built.template, 'Queue-thumbnails-DeadLetters').id).toMatch(/^ApiQueuesthumbnailsDeadLettersAlarm/);
    expect(alarm(built.template, 'Worker-thumbnails').id).toMatch(/^ApiWorkersthumbnailsAlarm/);
  });

  test('THEN the dead-letter alarm fires on any message waiting there, and keeps its state when SQS goes quiet', () => {
    const { template } = built;
    const dlq = logicalId(template, 'AWS::SQS::Queue', 'ApiQueuesthumbnailsDeadLetterQueue');
    const { props } = alarm(template, 'Queue-thumbnails-DeadLetters');
    expect(props.Metrics).toEqual([
      {
        Id: 'm1',
        Label: 'thumbnails dead letters',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Dimensions: [{ Name: 'QueueName', Value: getAtt(dlq, 'QueueName') }],
          },
          Period: 300,
          Stat: 'Maximum',
        },
        ReturnData: true,
      },
    ]);
    expect(props).toEqual(
      expect.objectContaining({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'ignore',
      }),
    );
  });

  test('THEN the age alarm fires above 3 minutes: three receives of a 60 s visibility timeout, no batching window', () => {
    const { template } = built;
    const queue = logicalId(template, 'AWS::SQS::Queue', 'ApiQueuesthumbnailsQueue');
    const { props } = alarm(template, 'Queue-thumbnails-OldestMessageAge');
    expect(props.Metrics[0].MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queue, 'QueueName') }],
      },
      Period: 300,
      Stat: 'Maximum',
    });
    expect(props).toEqual(expect.objectContaining({ Threshold: 180, TreatMissingData: 'notBreaching' }));
    expect(props.AlarmDescription).toContain('oldest message older than 3 minutes in one period of 5 minutes');
  });

  test('THEN every one of them rolls up into the composite alarm', () => {
    const { template } = built;
    const rule = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'))[0]);
    for (const name of alarmNames(template)) {
      expect(rule).toContain(`"${alarm(template, name.replace(/^shop-/, '')).id}"`);
    }
  });

  test("THEN the API lists them, and the queue's entry gives its own", () => {
    const { api } = built;
    const ids = (alarms: { node: { path: string } }[]) => alarms.map((a) => a.node.path);
    expect(ids(api.queue('thumbnails').alarms)).toEqual([
      'Test/Api/Queues/thumbnails/DeadLettersAlarm',
      'Test/Api/Queues/thumbnails/OldestMessageAgeAlarm',
    ]);
    expect(ids(api.workers[0].alarms)).toEqual(['Test/Api/Workers/thumbnails/Alarm']);
    expect(api.alarms).toEqual(expect.arrayContaining([...api.queue('thumbnails').alarms, ...api.workers[0].alarms]));
  });
});

describe('GIVEN the derived age of the oldest message', () => {
  test.each<[string, QueueOptions, number]>([
    ['a FIFO queue counts every receive up to maxReceiveCount', { fifo: true, worker: worker() }, 5 * 60],
    ['a standard queue counts at most three receives', { maxReceiveCount: 10, worker: worker() }, 3 * 60],
    ['fewer receives than three count as many', { maxReceiveCount: 2, worker: worker() }, 2 * 60],
    [
      'the batching window comes first',
      { worker: worker({ timeout: Duration.seconds(30), maxBatchingWindow: Duration.seconds(20) }) },
      20 + 3 * 200,
    ],
    ['a given visibility timeout counts as given', { visibilityTimeout: Duration.minutes(10), worker: worker() }, 1800],
  ])('WHEN %s THEN the threshold follows', (_, queue, seconds) => {
    const { template } = build({ jobs: queue });
    expect(alarm(template, 'Queue-jobs-OldestMessageAge').props.Threshold).toBe(seconds);
  });

  test('WHEN the visibility timeout is a token THEN the age must be given: its default cannot be derived', () => {
    expectError(
      {
        queues: { jobs: { visibilityTimeout: Duration.seconds(Lazy.number({ produce: () => 90 })), worker: worker() } },
      },
      '`queues.jobs.alarms.oldestMessageAge.maxAge` must be given when `visibilityTimeout`, `maxReceiveCount` or `maxBatchingWindow` is a token: its default is derived from them, got: undefined',
    );
  });
});

describe('GIVEN thresholds set API-wide and per queue', () => {
  let built: Built;
  beforeAll(() => {
    built = build(
      {
        thumbnails: { worker: worker() },
        reports: {
          alarms: { oldestMessageAge: { maxAge: Duration.hours(1) }, deadLetters: { enabled: false } },
          worker: worker(),
        },
      },
      {
        alarms: {
          queues: { deadLetters: { maxCount: 5, evaluationPeriods: 3, datapointsToAlarm: 2 } },
          functions: { errorRate: { maxPercent: 5 } },
        },
      },
    );
  });

  test("THEN a queue without its own takes the API's, over the defaults, signal by signal", () => {
    expect(alarm(built.template, 'Queue-thumbnails-DeadLetters').props).toEqual(
      expect.objectContaining({ Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2 }),
    );
    expect(alarm(built.template, 'Queue-thumbnails-OldestMessageAge').props.Threshold).toBe(180);
  });

  test('THEN a queue with its own takes them, and a disabled alarm is not created', () => {
    expect(alarm(built.template, 'Queue-reports-OldestMessageAge').props.Threshold).toBe(3600);
    expect(alarmNames(built.template)).not.toContain('shop-Queue-reports-DeadLetters');
  });

  test("THEN the workers take the API's function alarms", () => {
    const expression = alarm(built.template, 'Worker-reports').props.Metrics[0].Expression;
    expect(expression).toContain('FILL(errorRate, 0) > 5');
  });
});

test('GIVEN alarms off THEN queues and workers have none, and a token visibility timeout needs no age', () => {
  const { api, template } = build(
    { jobs: { visibilityTimeout: Duration.seconds(Lazy.number({ produce: () => 90 })), worker: worker() } },
    { alarms: { enabled: false } },
  );
  expect(alarmNames(template)).toEqual([]);
  expect(api.queue('jobs').alarms).toEqual([]);
  expect(api.workers[0].alarms).toEqual([]);
});

describe('GIVEN bad queue alarm options', () => {
  test.each<[string, Partial<ServerlessApiProps>, string]>([
    [
      'an age below a second',
      { queues: { jobs: { alarms: { oldestMessageAge: { maxAge: Duration.millis(500) } }, worker: worker() } } },
      '`queues.jobs.alarms.oldestMessageAge.maxAge` must be a whole number of seconds, at least 1, got: 500 millis',
    ],
    [
      'a negative dead-letter count API-wide',
      { alarms: { queues: { deadLetters: { maxCount: -1 } } } },
      '`alarms.queues.deadLetters.maxCount` must be a whole number, 0 or more, got: -1',
    ],
    [
      'an evaluation CloudWatch refuses',
      { queues: { jobs: { alarms: { deadLetters: { evaluationPeriods: 300 } }, worker: worker() } } },
      '`queues.jobs.alarms.deadLetters.evaluationPeriods` must be a whole number between 1 and 168, got: 300',
    ],
  ])('WHEN %s THEN it is refused', (_, props, message) => {
    expectError(props, message);
  });
});
