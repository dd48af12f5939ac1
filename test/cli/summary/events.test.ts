import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiEventBus, ServerlessApi } from '../../../src';
import { CfnTemplate, formatSummary, StackSummary, summarizeTemplate } from '../../../src/cli/summary';
import { defaultProps, fn, HANDLER_ENTRY, route } from '../../helpers/api';

/**
 * The summary's Events section: the bus, each rule with the worker it invokes (EventBridge's retries and dead-letter
 * queue, then Lambda's), and the functions allowed to publish, with what they may publish; and its warnings on what
 * drops events or lets a function publish anything.
 */

// The CLI adds construct paths to templates; tests turn them on so names come out as they do in a real assembly.
const PATH_METADATA = { 'aws:cdk:enable-path-metadata': true };

function summaryOf(build: (stack: Stack) => void): StackSummary {
  const stack = new Stack(new App({ context: PATH_METADATA }), 'Test');
  build(stack);
  return summarizeTemplate(Template.fromStack(stack).toJSON() as CfnTemplate, 'Test');
}

describe('GIVEN an API with a created bus, an event worker and a publisher', () => {
  let summary: StackSummary;
  beforeAll(() => {
    summary = summaryOf((stack) => {
      new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        functions: {
          items: fn([route(HttpMethod.POST, '/items')], {
            publishes: [{ source: 'com.example.orders', detailTypes: ['OrderPlaced', 'OrderCancelled'] }],
          }),
        },
        events: {
          bus: ApiEventBus.create({ eventBusName: 'orders', archiveRetention: Duration.days(7) }),
          workers: {
            fulfil: {
              entry: HANDLER_ENTRY,
              sources: ['com.example.orders'],
              detailTypes: ['OrderPlaced'],
              detail: { priority: ['high'] },
              retryAttempts: 20,
            },
          },
        },
      });
    });
  });

  test('THEN the bus is listed with its archive', () => {
    expect(summary.events.buses).toEqual([
      { logicalId: expect.stringMatching(/^ApiEventsEventBus/), name: 'orders', archiveRetentionDays: 7 },
    ]);
  });

  test("THEN the rule shows its pattern, and its worker EventBridge's and Lambda's retries with the dead-letter queue", () => {
    expect(summary.events.rules).toEqual([
      {
        logicalId: expect.stringMatching(/^ApiEventsfulfilRule/),
        name: 'Api/Events/fulfil/Rule',
        bus: 'orders',
        sources: ['com.example.orders'],
        detailTypes: ['OrderPlaced'],
        detailFilter: true,
        targets: [
          {
            target: 'fulfil',
            isFunction: true,
            deadLetterQueue: 'Api/Events/fulfil/DeadLetterQueue',
            retryAttempts: 20,
            maxEventAgeSeconds: 86400,
            functionRetryAttempts: 2,
            functionMaxEventAgeSeconds: 21600,
            onFailure: 'Api/Events/fulfil/DeadLetterQueue',
          },
        ],
        warnings: [],
      },
    ]);
  });

  test('THEN the publisher shows the bus and exactly what it may publish, and nothing is warned of', () => {
    expect(summary.events.publishers).toEqual([
      {
        function: 'items',
        bus: 'orders',
        sources: ['com.example.orders'],
        detailTypes: ['OrderPlaced', 'OrderCancelled'],
        warnings: [],
      },
    ]);
    expect(summary.warnings.filter((w) => /event|publish/i.test(w))).toEqual([]);
  });

  test('THEN the text lists the bus, the rule and its worker, and the publishers', () => {
    const text = formatSummary(summary);
    const section = text.slice(text.indexOf('\nEvents\n'), text.indexOf('\nTable streams'));
    expect(section.trim().split('\n')).toEqual([
      'Events',
      expect.stringMatching(/^ {2}bus orders \(ApiEventsEventBus\w+\): archive kept 7 days$/),
      '  rule Api/Events/fulfil/Rule on bus orders: com.example.orders (OrderPlaced), detail filtered',
      '    -> fulfil: 20 retries within 86400 s, then Api/Events/fulfil/DeadLetterQueue; the function: 2 retries within 21600 s, then Api/Events/fulfil/DeadLetterQueue',
      '  publishers:',
      '    FUNCTION  BUS     SOURCES             DETAIL TYPES',
      '    items     orders  com.example.orders  OrderPlaced, OrderCancelled',
    ]);
  });
});

test('GIVEN a hand-written rule without dead-letter queues and a publisher of any source THEN each is warned of', () => {
  const template: CfnTemplate = {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [] } },
      Publisher: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: '*' }] },
        },
      },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: { source: ['a.b'] },
          Targets: [{ Id: 'T', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }],
        },
      },
    },
  };
  const summary = summarizeTemplate(template, 'Hand');
  expect(summary.warnings).toEqual(
    expect.arrayContaining([
      'event rule Rule: WARNING: target Fn has no dead-letter queue: events EventBridge cannot deliver are dropped',
      "event rule Rule: WARNING: function Fn has no on-failure destination: events it fails on are dropped after Lambda's retries",
      'function Fn: WARNING: PutEvents for any source (no events:source condition)',
      'function Fn: WARNING: PutEvents on every bus (Resource "*")',
    ]),
  );
  expect(summary.events.rules[0].bus).toBe('default');
  expect(formatSummary(summary)).toContain(
    '    -> Fn: default retries within default, then DROPPED; the function: 2 retries within default, then DROPPED',
  );
});
