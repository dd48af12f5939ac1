import { Duration, Lazy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as events from 'aws-cdk-lib/aws-events';
import {
  ApiEventBus,
  EventPublication,
  EventsOptions,
  EventWorkerOptions,
  ServerlessApi,
  ServerlessApiProps,
} from '../../src';
import { EVENTS_ENV } from '../../src/shared/env';
import { defaultProps, ENV, expectError, fn, HANDLER_ENTRY, newStack, route } from '../helpers/api';

/**
 * Events props that EventBridge or Lambda would refuse at deploy time, or that would quietly never work, refused at
 * synth with `` `prop` must ..., got: value ``: in the props, and through `addFunction()` for what a function declares.
 */

const worker = (options: Partial<EventWorkerOptions> = {}): EventWorkerOptions => ({
  entry: HANDLER_ENTRY,
  sources: ['com.example.orders'],
  ...options,
});

const publishing = (publishes: EventPublication[]): Partial<ServerlessApiProps> => ({
  functions: { items: fn([route(HttpMethod.POST, '/items')], { publishes }) },
});

const withWorker = (options: Partial<EventWorkerOptions>, bus?: ApiEventBus): Partial<ServerlessApiProps> => ({
  events: { ...(bus ? { bus } : {}), workers: { fulfil: worker(options) } },
});

const PUBLICATION_CASES: [string, EventPublication[], string][] = [
  [
    'a source AWS reserves',
    [{ source: 'aws.orders', detailTypes: ['OrderPlaced'] }],
    '`functions.items.publishes[0].source` must not start with "aws.": EventBridge reserves it for AWS services, got: "aws.orders"',
  ],
  [
    'an empty source',
    [{ source: '', detailTypes: ['OrderPlaced'] }],
    '`functions.items.publishes[0].source` must be 1 to 256 characters, as PutEvents requires, got: ""',
  ],
  [
    'no detail type',
    [{ source: 'com.example.orders', detailTypes: [] }],
    '`functions.items.publishes[0].detailTypes` must list at least one detail type the function sends under its source, got: []',
  ],
  [
    'a detail type longer than 128 characters',
    [{ source: 'com.example.orders', detailTypes: ['x'.repeat(129)] }],
    `\`functions.items.publishes[0].detailTypes[0]\` must be 1 to 128 characters, as PutEvents requires, got: "${'x'.repeat(129)}"`,
  ],
  [
    'a detail type listed twice',
    [{ source: 'com.example.orders', detailTypes: ['OrderPlaced', 'OrderPlaced'] }],
    '`functions.items.publishes[0].detailTypes[1]` must be listed once, got: "OrderPlaced"',
  ],
  [
    'a source declared twice',
    [
      { source: 'com.example.orders', detailTypes: ['OrderPlaced'] },
      { source: 'com.example.orders', detailTypes: ['OrderCancelled'] },
    ],
    '`functions.items.publishes[1].source` must differ from `functions.items.publishes[0].source`: list all of a source\'s detail types once, got: "com.example.orders"',
  ],
];

describe.each(PUBLICATION_CASES)('GIVEN a publication with %s', (_, publishes, message) => {
  test('THEN the props are refused', () => {
    expectError(publishing(publishes), message);
  });

  test('THEN addFunction() refuses it too, and builds nothing for the function', () => {
    const api = new ServerlessApi(newStack(), 'Api', defaultProps());
    expect(() => api.addFunction('items2', fn([route(HttpMethod.POST, '/other')], { publishes }))).toThrow(
      new Error(message.replace(/functions\.items\./g, 'functions.items2.')),
    );
    expect(api.node.findChild('Functions').node.tryFindChild('items2')).toBeUndefined();
  });
});

test('GIVEN a worker with a bad publication THEN it is refused at its own prop', () => {
  expectError(
    withWorker({ publishes: [{ source: 'aws.s3', detailTypes: ['x'] }] }),
    '`events.workers.fulfil.publishes[0].source` must not start with "aws.": EventBridge reserves it for AWS services, got: "aws.s3"',
  );
});

test('GIVEN a function setting the events variable itself THEN it is refused: the library sets it', () => {
  expectError(
    { functions: { items: fn([route(HttpMethod.GET, '/items')], { environment: { [EVENTS_ENV]: '{}' } }) } },
    `\`functions.items.environment\` must not set ${EVENTS_ENV}: the library sets it from the API's settings, got: "${EVENTS_ENV}"`,
  );
});

test("GIVEN publications filling Lambda's 4 KB environment THEN the function is refused, counting them", () => {
  const publishes = Array.from({ length: 40 }, (_, i) => ({
    source: `com.example.source${i}`,
    detailTypes: [`SomethingHappened${i}`, `SomethingElseHappened${i}`],
  }));
  expectError(
    publishing(publishes),
    '`functions.items` must fit Lambda\'s 4096-byte environment with its `environment`, the descriptors of its `accessPatterns`, its `queues` and its `publishes`: split the function or shorten its variables, got: "4603 bytes, counting 255 for each value known only at deploy time"',
  );
});

const WORKER_CASES: [string, Partial<ServerlessApiProps>, string][] = [
  [
    'a worker without sources',
    withWorker({ sources: [] }),
    '`events.workers.fulfil.sources` must list at least one `source` of the events the worker takes, got: []',
  ],
  [
    'a source listed twice',
    withWorker({ sources: ['a.b', 'a.b'] }),
    '`events.workers.fulfil.sources[1]` duplicates `events.workers.fulfil.sources[0]`: "a.b" is declared twice',
  ],
  [
    'an empty list of detail types',
    withWorker({ detailTypes: [] }),
    '`events.workers.fulfil.detailTypes` must list at least one detail type, or be left out for all of them, got: []',
  ],
  [
    'an AWS source on a bus the API creates',
    withWorker({ sources: ['aws.s3'] }, ApiEventBus.create()),
    '`events.workers.fulfil.sources[0]` must not start with "aws." on a bus the API creates: AWS services send their events to the default bus only, got: "aws.s3"',
  ],
  [
    'a detail filter that is a list',
    withWorker({ detail: [1] as any }),
    '`events.workers.fulfil.detail` must be an event pattern object on the detail, such as `{ status: ["PAID"] }`, got: [1]',
  ],
  [
    'more retries than EventBridge allows',
    withWorker({ retryAttempts: 186 }),
    '`events.workers.fulfil.retryAttempts` must be a whole number between 0 and 185, got: 186',
  ],
  [
    "an event age below EventBridge's minute",
    withWorker({ maxEventAge: Duration.seconds(30) }),
    "`events.workers.fulfil.maxEventAge` must be whole seconds, between 1 minute and 24 hours (EventBridge's limits), got: 30 seconds",
  ],
  [
    'more Lambda retries than Lambda allows',
    withWorker({ functionRetryAttempts: 3 }),
    '`events.workers.fulfil.functionRetryAttempts` must be a whole number between 0 and 2, got: 3',
  ],
  [
    "a Lambda event age beyond Lambda's 6 hours",
    withWorker({ functionMaxEventAge: Duration.hours(7) }),
    "`events.workers.fulfil.functionMaxEventAge` must be whole seconds, between 1 minute and 6 hours (Lambda's limits for asynchronous invocations), got: 7 hours",
  ],
  [
    'a worker named like a route function',
    { events: { workers: { items: worker() } } },
    '`events.workers` must have names unique among the API\'s route functions and workers, which share one namespace: `functions.items` is named "items" already, got: "items"',
  ],
  [
    'a worker name that is no identifier',
    { events: { workers: { 'order-fulfil': worker() } } },
    '`events.workers` must have names of 1 to 64 letters and digits, starting with a letter, got: "order-fulfil"',
  ],
  [
    'a worker with no options',
    { events: { workers: { fulfil: undefined as any } } },
    "`events.workers.fulfil` must be the worker's options, with at least its `entry` and `sources`, got: undefined",
  ],
  [
    "a worker timeout beyond Lambda's 15 minutes",
    withWorker({ timeout: Duration.minutes(16) }),
    "`events.workers.fulfil.timeout` must be at most 15 minutes, Lambda's longest timeout, got: 16 minutes",
  ],
  [
    'a pattern longer than EventBridge takes',
    withWorker({ sources: Array.from({ length: 40 }, (_, i) => `com.example.${'x'.repeat(100)}${i}`) }),
    '`events.workers.fulfil` must have an event pattern of at most 4096 characters (EventBridge\'s limit): list fewer sources or detail types, got: "4682 characters"',
  ],
];

const BUS_CASES: [string, EventsOptions, string][] = [
  [
    'a bus given by name',
    { bus: 'default' as any },
    '`events.bus` must be an ApiEventBus: ApiEventBus.default(), create() or fromBus(), got: "default"',
  ],
  [
    'a created bus named default',
    { bus: ApiEventBus.create({ eventBusName: 'default' }) },
    '`events.bus.eventBusName` must not be "default": use ApiEventBus.default() for the account\'s default bus, got: "default"',
  ],
  [
    'a created bus name EventBridge refuses',
    { bus: ApiEventBus.create({ eventBusName: 'my bus' }) },
    '`events.bus.eventBusName` must be 1 to 256 letters, digits and "/", ".", "-", "_" (EventBridge\'s rule for bus names), got: "my bus"',
  ],
  [
    'an archive kept less than a day',
    { bus: ApiEventBus.create({ archiveRetention: Duration.hours(12) }) },
    '`events.bus.archiveRetention` must be whole days, at least 1: an archive kept forever is paid for forever, got: 12 hours',
  ],
];

const BAD_PROPS: [string, Partial<ServerlessApiProps>, string][] = [
  ...WORKER_CASES,
  ...BUS_CASES.map(([what, options, message]): [string, Partial<ServerlessApiProps>, string] => [
    what,
    { events: options },
    message,
  ]),
];

describe.each(BAD_PROPS)('GIVEN %s', (_, props, message) => {
  test('THEN the props are refused with the prop named', () => {
    expectError(props, message);
  });
});

test('GIVEN a bus of another account or region THEN it is refused: rules and publishers name it in their own', () => {
  const build = (arn: string) => () => {
    const stack = newStack({ env: ENV });
    const bus = events.EventBus.fromEventBusArn(stack, 'Bus', arn);
    new ServerlessApi(stack, 'Api', { ...defaultProps(), events: { bus: ApiEventBus.fromBus(bus) } });
  };
  expect(build('arn:aws:events:eu-west-1:210987654321:event-bus/shared')).toThrow(
    new Error(
      '`events.bus` must be a bus of the stack\'s account (123456789012): its rules and publishers use it by name, got: "arn:aws:events:eu-west-1:210987654321:event-bus/shared"',
    ),
  );
  expect(build('arn:aws:events:us-east-1:123456789012:event-bus/shared')).toThrow(
    new Error(
      '`events.bus` must be a bus of the stack\'s region (eu-west-1): its rules and publishers use it by name, got: "arn:aws:events:us-east-1:123456789012:event-bus/shared"',
    ),
  );
});

describe('GIVEN what EventBridge and Lambda accept', () => {
  test('THEN the limits themselves, an AWS source on the default bus and publications known at deploy time are not refused', () => {
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      ...publishing([
        { source: 'x'.repeat(256), detailTypes: ['y'.repeat(128)] },
        { source: Lazy.string({ produce: () => 'aws.late' }), detailTypes: [Lazy.string({ produce: () => '' })] },
      ]),
      events: {
        workers: {
          fulfil: worker({
            sources: ['aws.s3', 'com.example.orders'],
            retryAttempts: 0,
            maxEventAge: Duration.hours(24),
            functionRetryAttempts: 2,
            functionMaxEventAge: Duration.minutes(1),
          }),
          audit: worker({
            retryAttempts: 185,
            maxEventAge: Duration.minutes(1),
            functionRetryAttempts: 1,
            functionMaxEventAge: Duration.hours(6),
          }),
        },
      },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.s3', 'com.example.orders'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 1 });
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Condition: Match.objectLike({
                  'ForAllValues:StringEquals': { 'events:source': ['aws.late'], 'events:detail-type': [''] },
                }),
              }),
            ]),
          },
        },
      ],
    });
  });
});
