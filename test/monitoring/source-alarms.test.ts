import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ApiEventBus, ServerlessApi, ServerlessApiProps, StreamWorkerOptions } from '../../src';
import { defaultProps, HANDLER_ENTRY, logicalId, newStack, ref, resources } from '../helpers/api';

/**
 * The alarms and graphs of event and stream workers' sources, besides each worker's function alarm: what each watches,
 * when it fires, whether it rolls up into the composite alarm, and the dashboard's source row.
 * EventBridge's rule metrics: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 */

const eventWorker = { entry: HANDLER_ENTRY, sources: ['com.example.orders'] };
const streamWorker = (options: Partial<StreamWorkerOptions> = {}): StreamWorkerOptions => ({
  entry: HANDLER_ENTRY,
  ...options,
});

function build(props: Partial<ServerlessApiProps>): { stack: Stack; api: ServerlessApi; template: Template } {
  const stack = newStack();
  const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...props });
  return { stack, api, template: Template.fromStack(stack) };
}

/** The alarms of the template by the name after the API's prefix. */
function alarmsByName(template: Template): { [name: string]: any } {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => [
      alarm.Properties.AlarmName.replace(/^[^-]+-/, ''),
      alarm.Properties,
    ]),
  );
}

const metricOf = (alarm: any) => alarm.Metrics.find((m: any) => m.MetricStat)?.MetricStat;

describe('GIVEN an event worker on the default bus and a stream worker, with every default', () => {
  let template: Template;
  let api: ServerlessApi;
  let alarms: { [name: string]: any };
  beforeAll(() => {
    ({ template, api } = build({
      events: { workers: { fulfil: eventWorker } },
      tableStream: { workers: { changes: streamWorker() } },
    }));
    alarms = alarmsByName(template);
  });

  test("THEN each worker has its function alarm and its source's alarms", () => {
    expect(
      Object.keys(alarms)
        .filter((name) => name.startsWith('Worker-'))
        .sort(),
    ).toEqual([
      'Worker-changes',
      'Worker-changes-DeadLetters',
      'Worker-changes-EventsLost',
      'Worker-changes-IteratorAge',
      'Worker-fulfil',
      'Worker-fulfil-DeadLetters',
      'Worker-fulfil-EventsLost',
      'Worker-fulfil-FailedInvocations',
    ]);
    expect(api.alarms.length).toBe(Object.keys(alarms).length);
  });

  test("THEN failed invocations are counted by the rule's name alone, on the default bus, and warn on their own", () => {
    const alarm = alarms['Worker-fulfil-FailedInvocations'];
    const rule = logicalId(template, 'AWS::Events::Rule', 'ApiEventsfulfilRule');
    expect(metricOf(alarm)).toEqual({
      Metric: {
        Namespace: 'AWS/Events',
        MetricName: 'FailedInvocations',
        Dimensions: [{ Name: 'RuleName', Value: ref(rule) }],
      },
      Period: 300,
      Stat: 'Sum',
    });
    expect(alarm).toEqual(
      expect.objectContaining({ Threshold: 0, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' }),
    );
    // A warning: its events are in the dead-letter queue, whose alarm is the critical one.
    expect(alarm.AlarmActions).toEqual([ref(logicalId(template, 'AWS::SNS::Topic', 'ApiMonitoringAlarmTopic'))]);
  });

  test('THEN dead letters fire on the first message in the queue, and roll up into the composite alarm', () => {
    const alarm = alarms['Worker-fulfil-DeadLetters'];
    expect(metricOf(alarm)).toEqual({
      Metric: {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: {
              'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'ApiEventsfulfilDeadLetterQueue'), 'QueueName'],
            },
          },
        ],
      },
      Period: 300,
      Stat: 'Maximum',
    });
    expect(alarm.Threshold).toBe(0);
    // SQS publishes nothing for a queue left alone six hours: the alarm keeps its state while the messages wait.
    expect(alarm.TreatMissingData).toBe('ignore');
    expect(alarm.AlarmActions).toBeUndefined();
    const composite = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'))[0].Properties;
    const deadLetters = logicalId(template, 'AWS::CloudWatch::Alarm', 'ApiEventsfulfilDeadLettersAlarm');
    expect(JSON.stringify(composite.AlarmRule)).toContain(deadLetters);
  });

  test('THEN events lost add what EventBridge could not send to the queue and what Lambda could not', () => {
    const alarm = alarms['Worker-fulfil-EventsLost'];
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toBe(
      'FILL(toDlqfulfil, 0) + FILL(toDestinationfulfil, 0)',
    );
    const used = Object.fromEntries(
      alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat.Metric.MetricName]),
    );
    expect(used).toEqual({
      toDlqfulfil: 'InvocationsFailedToBeSentToDlq',
      toDestinationfulfil: 'DestinationDeliveryFailures',
    });
  });

  test("THEN the stream worker's iterator age fires above 5 minutes, its maximum in one period of 5 minutes", () => {
    const alarm = alarms['Worker-changes-IteratorAge'];
    expect(metricOf(alarm)).toEqual({
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [
          {
            Name: 'FunctionName',
            Value: ref(logicalId(template, 'AWS::Lambda::Function', 'ApiWorkerschangesFunction')),
          },
        ],
      },
      Period: 300,
      Stat: 'Maximum',
    });
    expect(alarm).toEqual(expect.objectContaining({ Threshold: 300000, EvaluationPeriods: 1, DatapointsToAlarm: 1 }));
  });

  test("THEN the stream worker's lost batches are Lambda's failed deliveries to its destination", () => {
    expect(metricOf(alarms['Worker-changes-EventsLost']).Metric.MetricName).toBe('DestinationDeliveryFailures');
  });

  test('THEN each dead-letter alarm says what its messages are and where to look first', () => {
    expect(alarms['Worker-fulfil-DeadLetters'].AlarmDescription).toBe(
      "Worker fulfil: messages in its dead-letter queue (events its rule could not deliver, or that it still failed on after its retries) above 0 in one period of 5 minutes. Look first at each message: EventBridge's carry ERROR_CODE and ERROR_MESSAGE attributes, Lambda's are records with the error in responsePayload; fix the cause, then put the events on the bus again.",
    );
    expect(alarms['Worker-changes-DeadLetters'].AlarmDescription).toBe(
      "Worker changes: messages in its dead-letter queue (descriptions of the batches of stream records it still failed on after its retries) above 0 in one period of 5 minutes. Look first at each message's requestContext.condition and DDBStreamBatchInfo (shard and sequence numbers): read those records from the stream while it keeps them (24 hours), fix the cause, then handle them again.",
    );
  });

  test('THEN the dashboard has a source row with four graphs, in order, each with its alarm line', () => {
    const widgets = dashboardWidgets(template);
    const titles = widgets.map((w) => w.properties.title);
    const first = titles.indexOf('Rules: failed invocations');
    expect(titles.slice(first, first + 4)).toEqual([
      'Rules: failed invocations',
      'Event and stream dead-letter queues: messages',
      'Events lost (no dead-letter queue reached)',
      'Streams: iterator age (ms)',
    ]);
    const row = widgets.slice(first, first + 4);
    expect(new Set(row.map((w) => w.y)).size).toBe(1);
    expect(row.map((w) => w.properties.annotations.horizontal.map((a: any) => [a.label, a.value]))).toEqual([
      [['failed invocations alarm above 0', 0]],
      [['dead letters alarm above 0', 0]],
      [['events lost alarm above 0', 0]],
      [['iterator age alarm above 5 minutes', 300000]],
    ]);
    // Both workers' dead-letter queues on one graph.
    expect(row[1].properties.metrics).toHaveLength(2);
  });
});

test('GIVEN an event worker on a bus the API creates THEN its rule metrics name the bus and the rule apart', () => {
  const { template } = build({
    events: { bus: ApiEventBus.create({ eventBusName: 'orders' }), workers: { fulfil: eventWorker } },
  });
  const rule = logicalId(template, 'AWS::Events::Rule', 'ApiEventsfulfilRule');
  const bus = logicalId(template, 'AWS::Events::EventBus', 'ApiEventsEventBus');
  // On a custom bus the rule's Ref is `<bus>|<rule>` (cloudformation-coverage-roadmap#1131).
  expect(metricOf(alarmsByName(template)['Worker-fulfil-FailedInvocations']).Metric.Dimensions).toEqual([
    { Name: 'EventBusName', Value: ref(bus) },
    { Name: 'RuleName', Value: { 'Fn::Select': [1, { 'Fn::Split': ['|', ref(rule)] }] } },
  ]);
});

test("GIVEN a stream worker's own iterator age alarm THEN it fires as told, and not at all when disabled", () => {
  const { template } = build({
    tableStream: {
      workers: {
        fast: streamWorker({
          iteratorAgeAlarm: {
            maxLatency: Duration.minutes(1),
            period: Duration.minutes(1),
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
          },
        }),
        slow: streamWorker({ iteratorAgeAlarm: { enabled: false } }),
      },
    },
  });
  const alarms = alarmsByName(template);
  expect(alarms['Worker-fast-IteratorAge']).toEqual(
    expect.objectContaining({ Threshold: 60000, EvaluationPeriods: 3, DatapointsToAlarm: 2 }),
  );
  expect(metricOf(alarms['Worker-fast-IteratorAge']).Period).toBe(60);
  expect(alarms['Worker-slow-IteratorAge']).toBeUndefined();
  expect(alarms['Worker-slow-DeadLetters']).toBeDefined();
});

test('GIVEN alarms off THEN workers get no source alarm, and the dashboard still draws their sources', () => {
  const { template } = build({
    alarms: { enabled: false },
    events: { workers: { fulfil: eventWorker } },
  });
  template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  const titles = dashboardWidgets(template).map((w) => w.properties.title);
  expect(titles).toEqual(
    expect.arrayContaining(['Rules: failed invocations', 'Event and stream dead-letter queues: messages']),
  );
  expect(titles).not.toContain('Streams: iterator age (ms)');
});

/** The widgets of the only dashboard, its `Fn::Sub` variables replaced by their JSON. */
function dashboardWidgets(template: Template): any[] {
  const dashboard = Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))[0];
  const body = resources(template)[dashboard].Properties.DashboardBody;
  if (typeof body === 'string') return JSON.parse(body).widgets;
  const [text, variables] = body['Fn::Sub'] as [string, { [name: string]: unknown }];
  const substituted = text
    .replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => JSON.stringify(variables[name]).replace(/"/g, "'"))
    .replace(/\$\{!/g, '${');
  return JSON.parse(substituted).widgets;
}
