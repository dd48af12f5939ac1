import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as events from 'aws-cdk-lib/aws-events';
import { ApiEventBus, EventWorkerOptions, ServerlessApi, ServerlessApiProps } from '../../src';
import { EVENTS_ENV } from '../../src/shared/env';
import {
  actionsOf,
  allStatements,
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
  resourceTypeCounts,
  route,
} from '../helpers/api';

/**
 * Events as the template shows them: the bus each choice gives, each worker's rule, target, dead-letter queue and
 * asynchronous invocation settings (each default and each override), and what publishers find and may do.
 */

const worker = (options: Partial<EventWorkerOptions> = {}): EventWorkerOptions => ({
  entry: HANDLER_ENTRY,
  sources: ['com.example.orders'],
  ...options,
});

const ORDERS = { source: 'com.example.orders', detailTypes: ['OrderPlaced', 'OrderCancelled'] };

interface Built {
  readonly stack: Stack;
  readonly api: ServerlessApi;
  readonly template: Template;
}

/** The default API over `props`, its function `items` publishing `publishes`. */
function build(props: Partial<ServerlessApiProps>, stack: Stack = newStack()): Built {
  const api = new ServerlessApi(stack, 'Api', {
    ...defaultProps(),
    functions: { items: fn([route(HttpMethod.POST, '/items')], { publishes: [ORDERS] }) },
    ...props,
  });
  return { stack, api, template: Template.fromStack(stack) };
}

const propsOf = (template: Template, id: string) => resources(template)[id].Properties;
const ruleId = (template: Template, name: string) => logicalId(template, 'AWS::Events::Rule', `ApiEvents${name}Rule`);
const deadLetterId = (template: Template, name: string) =>
  logicalId(template, 'AWS::SQS::Queue', `ApiEvents${name}DeadLetterQueue`);
const workerFunctionId = (template: Template, name: string) =>
  logicalId(template, 'AWS::Lambda::Function', `ApiWorkers${name}Function`);
const workerRoleId = (template: Template, name: string) =>
  logicalId(template, 'AWS::IAM::Role', `ApiWorkers${name}Role`);
const itemsRoleId = (template: Template) => logicalId(template, 'AWS::IAM::Role', 'ApiFunctionsitemsRole');
const itemsFunctionId = (template: Template) =>
  logicalId(template, 'AWS::Lambda::Function', 'ApiFunctionsitemsFunction');
const eventStatements = (template: Template, roleId: string) =>
  inlineStatements(template, roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('events:')));

/** The ARN of the account's default bus, as aws-cdk-lib renders a bus imported by name. */
const DEFAULT_BUS_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':events:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':event-bus/default',
    ],
  ],
};

describe('GIVEN an event worker with every default, on the default bus, and a publishing function', () => {
  let built: Built;
  beforeAll(() => {
    built = build({ events: { workers: { fulfil: worker({ detailTypes: ['OrderPlaced'] }) } } });
  });

  test('THEN no bus is created: the rule is on the default bus, matching the sources and detail types', () => {
    const { template } = built;
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::Events::Archive', 0);
    expect(propsOf(template, ruleId(template, 'fulfil'))).toEqual(
      expect.objectContaining({
        EventBusName: 'default',
        State: 'ENABLED',
        EventPattern: { source: ['com.example.orders'], 'detail-type': ['OrderPlaced'] },
      }),
    );
  });

  test("THEN the rule's one target is the worker, retried 185 times over 24 hours, then sent to the dead-letter queue", () => {
    const { template } = built;
    expect(propsOf(template, ruleId(template, 'fulfil')).Targets).toEqual([
      {
        Id: 'Target0',
        Arn: getAtt(workerFunctionId(template, 'fulfil')),
        DeadLetterConfig: { Arn: getAtt(deadLetterId(template, 'fulfil')) },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      },
    ]);
  });

  test('THEN EventBridge may invoke the worker for this rule only', () => {
    const { template } = built;
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
    expect(permissions.filter((p) => p.Principal === 'events.amazonaws.com')).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(workerFunctionId(template, 'fulfil')),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(ruleId(template, 'fulfil')),
      },
    ]);
  });

  test('THEN Lambda retries the worker twice within 6 hours, then sends the event to the same dead-letter queue', () => {
    const { template } = built;
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).map((c) => c.Properties);
    expect(configs).toEqual([
      {
        FunctionName: ref(workerFunctionId(template, 'fulfil')),
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21600,
        DestinationConfig: { OnFailure: { Destination: getAtt(deadLetterId(template, 'fulfil')) } },
      },
    ]);
  });

  test('THEN the dead-letter queue is SSE-SQS encrypted, keeps messages 14 days, refuses no-TLS requests and takes EventBridge sends from this rule only', () => {
    const { template } = built;
    const queue = deadLetterId(template, 'fulfil');
    expect(propsOf(template, queue)).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(queue)],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Resource: getAtt(queue),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: Match.anyValue(),
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt(queue),
            Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ruleId(template, 'fulfil')) } },
          },
        ],
      },
    });
  });

  test("THEN the worker's role sends to its dead-letter queue, holds nothing for the bus, and no queue policy names it", () => {
    const { template } = built;
    const statements = inlineStatements(template, workerRoleId(template, 'fulfil'));
    expect(statements.map((s) => actionsOf(s).join(',')).sort()).toEqual(
      [
        'logs:CreateLogStream,logs:PutLogEvents',
        'sqs:SendMessage',
        'xray:PutTraceSegments,xray:PutTelemetryRecords',
      ].sort(),
    );
    expect(statements.find((s) => actionsOf(s).includes('sqs:SendMessage'))!.Resource).toEqual(
      getAtt(deadLetterId(template, 'fulfil')),
    );
    const queuePolicies = JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'));
    expect(queuePolicies).not.toContain(workerRoleId(template, 'fulfil'));
  });

  test('THEN the worker is described by its events and has no events variable', () => {
    const { template } = built;
    const props = propsOf(template, workerFunctionId(template, 'fulfil'));
    expect(props.Description).toBe('Worker of events com.example.orders (OrderPlaced)');
    expect(props.Environment.Variables[EVENTS_ENV]).toBeUndefined();
  });

  test('THEN the publisher may put events on the default bus with its source and detail types only', () => {
    const { template } = built;
    expect(eventStatements(template, itemsRoleId(template))).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: DEFAULT_BUS_ARN,
        Condition: {
          'ForAllValues:StringEquals': {
            'events:source': ['com.example.orders'],
            'events:detail-type': ['OrderPlaced', 'OrderCancelled'],
          },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      },
    ]);
  });

  test('THEN the publisher finds the bus and its publications in SERVERLESS_API_EVENTS', () => {
    const { template } = built;
    expect(JSON.parse(propsOf(template, itemsFunctionId(template)).Environment.Variables[EVENTS_ENV])).toEqual({
      bus: 'default',
      publishes: [ORDERS],
    });
  });

  test('THEN the API exposes the bus, and the worker with its rule and dead-letter queue by name', () => {
    const { api } = built;
    expect(api.eventBus?.eventBusName).toBe('default');
    const entry = api.eventWorker('fulfil');
    expect(entry.name).toBe('fulfil');
    expect(entry.rule.node.path).toBe('Test/Api/Events/fulfil/Rule');
    expect(entry.deadLetterQueue.node.path).toBe('Test/Api/Events/fulfil/DeadLetterQueue');
    expect(entry.worker).toBe(api.workers[0]);
    expect(api.workers.map((w) => w.node.path)).toEqual(['Test/Api/Workers/fulfil']);
    expect(() => api.eventWorker('fulfill')).toThrow(
      new Error('`name` must name one of the API\'s `events.workers` (declared: "fulfil"), got: "fulfill"'),
    );
  });
});

test('GIVEN no events and no publisher THEN there is no bus, no rule, and no function has the events variable', () => {
  const stack = newStack();
  const api = new ServerlessApi(stack, 'Api', defaultProps());
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::Events::Rule', 0);
  template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
  expect(api.eventBus).toBeUndefined();
  expect(
    allStatements(template)
      .flatMap(actionsOf)
      .filter((a) => a.startsWith('events:')),
  ).toEqual([]);
  template.allResourcesProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.not(Match.objectLike({ [EVENTS_ENV]: Match.anyValue() })) },
  });
  expect(() => api.eventWorker('any')).toThrow(
    new Error('`name` must name one of the API\'s `events.workers` (declared: none), got: "any"'),
  );
});

describe('GIVEN a bus the API creates, with an archive, and a worker with every setting overridden', () => {
  let built: Built;
  beforeAll(() => {
    built = build({
      events: {
        bus: ApiEventBus.create({ eventBusName: 'orders', archiveRetention: Duration.days(30) }),
        workers: {
          bill: worker({
            detail: { status: ['PAID'] },
            retryAttempts: 10,
            maxEventAge: Duration.hours(2),
            functionRetryAttempts: 0,
            functionMaxEventAge: Duration.minutes(30),
          }),
        },
      },
    });
  });

  const busId = (template: Template) => logicalId(template, 'AWS::Events::EventBus', 'ApiEventsEventBus');

  test('THEN the bus has its name, and an archive of every event of the account kept 30 days', () => {
    const { template } = built;
    expect(propsOf(template, busId(template))).toEqual({ Name: 'orders' });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: getAtt(busId(template)),
      RetentionDays: 30,
      EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
    });
  });

  test('THEN the rule is on that bus, its pattern filtering the detail, its target retrying as told', () => {
    const { template } = built;
    const rule = propsOf(template, ruleId(template, 'bill'));
    expect(rule.EventBusName).toEqual(ref(busId(template)));
    expect(rule.EventPattern).toEqual({ source: ['com.example.orders'], detail: { status: ['PAID'] } });
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 });
  });

  test("THEN Lambda's own retries are as told", () => {
    built.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 1800,
    });
  });

  test('THEN the publisher may put events on that bus only, and finds its name', () => {
    const { template } = built;
    expect(eventStatements(template, itemsRoleId(template)).map((s) => s.Resource)).toEqual([getAtt(busId(template))]);
    expect(propsOf(template, itemsFunctionId(template)).Environment.Variables[EVENTS_ENV]).toEqual({
      'Fn::Join': [
        '',
        [
          '{"bus":"',
          ref(busId(template)),
          '","publishes":[{"source":"com.example.orders","detailTypes":["OrderPlaced","OrderCancelled"]}]}',
        ],
      ],
    });
  });

  test('THEN the API exposes the created bus', () => {
    expect(built.api.eventBus?.node.path).toBe('Test/Api/Events/EventBus');
  });
});

describe('GIVEN an existing bus', () => {
  let built: Built;
  const arn = 'arn:aws:events:eu-west-1:123456789012:event-bus/shared';
  beforeAll(() => {
    const stack = newStack({ env: ENV });
    const bus = events.EventBus.fromEventBusArn(stack, 'Shared', arn);
    built = build({ events: { bus: ApiEventBus.fromBus(bus), workers: { audit: worker() } } }, stack);
  });

  test('THEN the rule is on it, publishers may put events on it, and nothing creates a bus', () => {
    const { template, api } = built;
    template.resourceCountIs('AWS::Events::EventBus', 0);
    expect(propsOf(template, ruleId(template, 'audit')).EventBusName).toBe('shared');
    expect(eventStatements(template, itemsRoleId(template)).map((s) => s.Resource)).toEqual([arn]);
    expect(JSON.parse(propsOf(template, itemsFunctionId(template)).Environment.Variables[EVENTS_ENV]).bus).toBe(
      'shared',
    );
    expect(api.eventBus?.eventBusArn).toBe(arn);
  });
});

describe('GIVEN a worker that publishes, and a function publishing two sources', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build({
      functions: {
        items: fn([route(HttpMethod.POST, '/items')], {
          publishes: [ORDERS, { source: 'com.example.stock', detailTypes: ['StockReserved'] }],
        }),
      },
      events: {
        workers: {
          fulfil: worker({ publishes: [{ source: 'com.example.shipping', detailTypes: ['ShipmentRequested'] }] }),
        },
      },
    }));
  });

  test("THEN the function has one statement per source, so no source gets the other source's detail types", () => {
    expect(
      eventStatements(template, itemsRoleId(template)).map((s) => s.Condition['ForAllValues:StringEquals']),
    ).toEqual([
      { 'events:source': ['com.example.orders'], 'events:detail-type': ['OrderPlaced', 'OrderCancelled'] },
      { 'events:source': ['com.example.stock'], 'events:detail-type': ['StockReserved'] },
    ]);
  });

  test('THEN the worker may publish its own source only, and finds it in its environment', () => {
    expect(eventStatements(template, workerRoleId(template, 'fulfil'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: DEFAULT_BUS_ARN,
        Condition: {
          'ForAllValues:StringEquals': {
            'events:source': ['com.example.shipping'],
            'events:detail-type': ['ShipmentRequested'],
          },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      },
    ]);
    const variables = propsOf(template, workerFunctionId(template, 'fulfil')).Environment.Variables;
    expect(JSON.parse(variables[EVENTS_ENV])).toEqual({
      bus: 'default',
      publishes: [{ source: 'com.example.shipping', detailTypes: ['ShipmentRequested'] }],
    });
  });
});

test('GIVEN a function added with addFunction() that publishes THEN it gets the default bus, like one in the props', () => {
  const stack = newStack();
  const api = new ServerlessApi(stack, 'Api', defaultProps());
  api.addFunction('orders', fn([route(HttpMethod.POST, '/orders')], { publishes: [ORDERS] }));
  const template = Template.fromStack(stack);
  const roleId = logicalId(template, 'AWS::IAM::Role', 'ApiFunctionsordersRole');
  expect(eventStatements(template, roleId).map((s) => s.Resource)).toEqual([DEFAULT_BUS_ARN]);
  expect(api.eventBus?.eventBusName).toBe('default');
});

test('GIVEN one more event worker THEN it costs 12 resources: rule, permission, invoke config, dead-letter queue and policy, worker, 4 alarms', () => {
  const counts = (workers: number) =>
    resourceTypeCounts(
      build({
        events: {
          workers: Object.fromEntries(Array.from({ length: workers }, (_, i) => [`w${i}`, worker()])),
        },
      }).template,
    );
  const [one, two] = [counts(1), counts(2)];
  const added = Object.fromEntries(
    Object.keys(two)
      .filter((type) => two[type] !== (one[type] ?? 0))
      .map((type) => [type, two[type] - (one[type] ?? 0)]),
  );
  expect(added).toEqual({
    'AWS::Events::Rule': 1,
    'AWS::Lambda::Permission': 1,
    'AWS::Lambda::EventInvokeConfig': 1,
    'AWS::SQS::Queue': 1,
    'AWS::SQS::QueuePolicy': 1,
    'AWS::Logs::LogGroup': 1,
    'AWS::IAM::Role': 1,
    'AWS::Lambda::Function': 1,
    'AWS::CloudWatch::Alarm': 4,
  });
});
