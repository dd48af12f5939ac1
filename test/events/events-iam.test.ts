import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiEventBus, ServerlessApi } from '../../src';
import { defaultProps, ENV, fn, HANDLER_ENTRY, newStack, route } from '../helpers/api';
import { modelOf } from '../helpers/iam/apps';
import { StackModel } from '../helpers/iam/model';
import { allow, deny, failuresOf, principalOf } from '../helpers/iam/role-cases';

/**
 * Least privilege of publishers and event workers, evaluated by iam-simulate on the synthesized policies: a publisher
 * may put events on its bus only, with its sources and detail types only
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html); an event worker holds nothing for
 * the bus, and may only send to its own dead-letter queue.
 */

const ACCOUNT = ENV.account;
const REGION = ENV.region;
const busArn = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;
/** The request context of a PutEvents call: the sources and detail types of its entries. */
const event = (source: string | string[], detailType: string | string[]) => ({
  'events:source': [source].flat(),
  'events:detail-type': [detailType].flat(),
});

let model: StackModel;
beforeAll(() => {
  const stack = newStack({ env: ENV });
  new ServerlessApi(stack, 'Api', {
    ...defaultProps(),
    functions: {
      items: fn([route(HttpMethod.POST, '/items')], {
        publishes: [
          { source: 'com.example.orders', detailTypes: ['OrderPlaced', 'OrderCancelled'] },
          { source: 'com.example.stock', detailTypes: ['StockReserved'] },
        ],
      }),
    },
    events: {
      bus: ApiEventBus.create({ eventBusName: 'orders' }),
      workers: {
        fulfil: { entry: HANDLER_ENTRY, sources: ['com.example.orders'] },
        restock: { entry: HANDLER_ENTRY, sources: ['com.example.stock'] },
      },
    },
  });
  model = modelOf(stack);
});

const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

test('GIVEN a publisher THEN it may put its own events on its bus, and nothing else', async () => {
  const bus = busArn('orders');
  const cases = [
    allow('events:PutEvents', bus, 'a declared source and detail type', event('com.example.orders', 'OrderPlaced')),
    allow('events:PutEvents', bus, 'another declared detail type', event('com.example.orders', 'OrderCancelled')),
    allow('events:PutEvents', bus, 'the second publication', event('com.example.stock', 'StockReserved')),
    deny('events:PutEvents', bus, 'a source it does not declare', event('com.example.billing', 'OrderPlaced')),
    deny('events:PutEvents', bus, 'a detail type it does not declare', event('com.example.orders', 'OrderShipped')),
    deny(
      'events:PutEvents',
      bus,
      "one source's detail type under the other",
      event('com.example.stock', 'OrderPlaced'),
    ),
    deny('events:PutEvents', bus, 'an AWS source', event('aws.s3', 'Object Created')),
    deny(
      'events:PutEvents',
      bus,
      'entries with a declared and an undeclared source',
      event(['com.example.orders', 'com.example.billing'], 'OrderPlaced'),
    ),
    deny('events:PutEvents', bus, 'a request that names no source or detail type', {}),
    allow(
      'events:PutEvents',
      bus,
      'several entries of one publication',
      event('com.example.orders', ['OrderPlaced', 'OrderCancelled']),
    ),
    deny('events:PutEvents', busArn('default'), 'another bus', event('com.example.orders', 'OrderPlaced')),
    deny('events:PutEvents', busArn('billing'), 'another bus', event('com.example.orders', 'OrderPlaced')),
    deny('events:PutRule', `arn:aws:events:${REGION}:${ACCOUNT}:rule/orders/any`, 'publishers make no rules'),
    deny('events:PutTargets', `arn:aws:events:${REGION}:${ACCOUNT}:rule/orders/any`, 'publishers add no targets'),
  ];
  expect(await failuresOf(principalOf(model, 'ApiFunctionsitemsRole'), cases)).toBe('');
});

test('GIVEN an event worker THEN it holds nothing for the bus and sends only to its own dead-letter queue', async () => {
  const worker = principalOf(model, 'ApiWorkersfulfilRole');
  const ownQueue = model.roles
    .find((r) => r.logicalId.startsWith('ApiWorkersfulfilRole'))!
    .policies.flatMap((p) => [p.document.Statement ?? []].flat() as { Action: string | string[]; Resource: string }[])
    .find((s) => [s.Action].flat().includes('sqs:SendMessage'))!.Resource;
  expect(ownQueue).toMatch(/^arn:aws:sqs:eu-west-1:123456789012:ApiEventsfulfilDeadLetterQueue/);
  const otherQueue = ownQueue.replace('fulfil', 'restock');
  const cases = [
    deny(
      'events:PutEvents',
      busArn('orders'),
      'a worker publishes only what it declares',
      event('com.example.orders', 'OrderPlaced'),
    ),
    deny('events:PutRule', `arn:aws:events:${REGION}:${ACCOUNT}:rule/orders/any`, 'a worker changes no rule'),
    allow('sqs:SendMessage', ownQueue, "Lambda's on-failure destination, sent with the worker's role"),
    deny('sqs:SendMessage', otherQueue, "another worker's dead-letter queue"),
    deny('sqs:SendMessage', queueArn('SomeOtherQueue'), 'another queue'),
    deny('sqs:ReceiveMessage', ownQueue, 'the worker never reads its dead letters'),
    deny('sqs:PurgeQueue', ownQueue, 'nor drops them'),
  ];
  expect(await failuresOf(worker, cases)).toBe('');
});
