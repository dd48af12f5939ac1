/**
 * EventBridge on the local API: a route function puts events through the AWS SDK, held to its role's
 * `events:source` / `events:detail-type` conditions; rules match and invoke their targets asynchronously, with
 * Lambda's retries, then the on-failure destination or the dead-letter queues.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { logged, startWorkersApp, type WorkersApp } from '../../helpers/workers-app';

const PUBLISHER = `
const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');
const client = new EventBridgeClient({});
exports.handler = async (event) => {
  const body = JSON.parse(event.body);
  try {
    const out = await client.send(new PutEventsCommand({
      Entries: [{ Source: 'shop', DetailType: body.type, Detail: JSON.stringify(body.detail) }],
    }));
    return { statusCode: 200, body: JSON.stringify(out) };
  } catch (e) {
    return { statusCode: 502, body: JSON.stringify({ name: e.name, message: e.message }) };
  }
};
`;

/** Logs the event; fails when its detail says so. */
const NOTIFY = `
exports.handler = async (event) => {
  console.log('EVENT', JSON.stringify(event));
  if (event.detail && event.detail.fail) throw new Error('cannot notify order ' + event.detail.orderId);
  return { notified: event.detail && event.detail.orderId };
};
`;

let app: WorkersApp;
beforeAll(async () => {
  app = await startWorkersApp(({ stack, fn, route }) => {
    const publisher = fn('Publisher', PUBLISHER);
    route(HttpMethod.POST, '/events', publisher);
    publisher.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [`arn:aws:events:${stack.region}:${stack.account}:event-bus/default`],
        conditions: { StringEquals: { 'events:source': 'shop', 'events:detail-type': ['OrderPlaced'] } },
      }),
    );
    const failures = new sqs.Queue(stack, 'Failures');
    const notify = fn('Notify', NOTIFY, { retryAttempts: 1, onFailure: new SqsDestination(failures) });
    new events.Rule(stack, 'BigOrders', {
      eventPattern: { source: ['shop'], detailType: ['OrderPlaced'], detail: { total: [{ numeric: ['>', 100] }] } },
      targets: [new targets.LambdaFunction(notify)],
    });

    // A target EventBridge may not invoke: no AWS::Lambda::Permission, so the event goes to the rule's DLQ.
    const ruleDlq = new sqs.Queue(stack, 'RuleDlq');
    const unreachable = fn('Unreachable', NOTIFY);
    new events.CfnRule(stack, 'Audit', {
      eventPattern: { source: ['audit'] },
      targets: [{ id: 'Unreachable', arn: unreachable.functionArn, deadLetterConfig: { arn: ruleDlq.queueArn } }],
    });

    // A function whose own dead-letter queue takes the events it fails on.
    const legacyDlq = new sqs.Queue(stack, 'LegacyDlq');
    const legacy = fn('Legacy', NOTIFY, { retryAttempts: 0, deadLetterQueue: legacyDlq });
    new events.Rule(stack, 'LegacyEvents', {
      eventPattern: { source: ['legacy'] },
      targets: [new targets.LambdaFunction(legacy)],
    });
  });
}, 60_000);
afterAll(() => app.stop());

const publish = (type: string, detail: object) =>
  fetch(`${app.api.url}/events`, { method: 'POST', body: JSON.stringify({ type, detail }) });

test('GIVEN an allowed event over 100 THEN the rule invokes its target with the EventBridge event', async () => {
  const res = await publish('OrderPlaced', { orderId: 'o1', total: 150 });
  expect(res.status).toBe(200);
  const out = (await res.json()) as { Entries: { EventId: string }[] };
  expect(out).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) }] });
  await app.api.settled();
  const [event] = logged(app.api, 'Notify', 'EVENT');
  expect(event).toEqual({
    version: '0',
    id: out.Entries[0].EventId,
    'detail-type': 'OrderPlaced',
    source: 'shop',
    account: '123456789012',
    time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    region: 'us-east-1',
    resources: [],
    detail: { orderId: 'o1', total: 150 },
  });
  expect(app.api.workerInvocations).toContainEqual(
    expect.objectContaining({ worker: 'Notify', source: 'rule BigOrders', outcome: 'ok', attempt: 1 }),
  );
});

test('GIVEN an event the pattern does not match THEN no target runs', async () => {
  const before = app.api.workerInvocations.length;
  expect((await publish('OrderPlaced', { orderId: 'o2', total: 50 })).status).toBe(200);
  await app.api.settled();
  expect(app.api.workerInvocations.length).toBe(before);
  expect(app.api.logs).toContain('[events] shop / OrderPlaced on default: no rule matched');
});

test('GIVEN a detail type the role does not allow THEN AccessDeniedException, and a DENIED line', async () => {
  const res = await publish('OrderCancelled', { orderId: 'o3' });
  expect(await res.json()).toEqual({
    name: 'AccessDeniedException',
    message: expect.stringMatching(
      /^User: arn:aws:sts::123456789012:assumed-role\/[^/]+\/Workers-Publisher\w* is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:123456789012:event-bus\/default because no identity-based policy allows the events:PutEvents action$/,
    ),
  });
  expect(app.api.logs).toContainEqual(
    expect.stringMatching(
      /^\[events\] DENIED function Publisher .*: no statement allows events:PutEvents on .*event-bus\/default: statement \d+ has the action and resource, but its condition StringEquals events:detail-type \["OrderPlaced"\] did not match "OrderCancelled"$/,
    ),
  );
});

test('GIVEN a target that keeps failing THEN Lambda retries once, then sends the invocation record to the destination', async () => {
  const eventId = await app.api.putEvent({
    source: 'shop',
    detailType: 'OrderPlaced',
    detail: { orderId: 'o4', total: 500, fail: true },
  });
  await app.api.settled();
  const attempts = app.api.workerInvocations.filter((i) => i.worker === 'Notify' && i.outcome === 'error');
  expect(attempts.map((i) => [i.attempt, i.next])).toEqual([
    [1, 'retry in 50 ms'],
    [2, expect.stringMatching(/^retries exhausted: a record goes to Workers-Failures\w+$/)],
  ]);
  const [record] = app.api.queue('Failures').messages();
  expect(record.json).toEqual({
    version: '1.0',
    timestamp: expect.any(String),
    requestContext: {
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      functionArn: expect.stringMatching(/^arn:aws:lambda:us-east-1:123456789012:function:Workers-Notify\w*:\$LATEST$/),
      condition: 'RetriesExhausted',
      approximateInvokeCount: 2,
    },
    requestPayload: expect.objectContaining({ id: eventId, detail: { orderId: 'o4', total: 500, fail: true } }),
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'cannot notify order o4' },
  });
});

test('GIVEN a target EventBridge may not invoke THEN the event goes to the rule’s dead-letter queue with the error', async () => {
  const eventId = await app.api.putEvent({ source: 'audit', detailType: 'Checked', detail: {} });
  await app.api.settled();
  const [dead] = app.api.queue('RuleDlq').messages();
  expect(dead.json).toMatchObject({ id: eventId, source: 'audit' });
  expect(dead.messageAttributes).toMatchObject({
    RULE_ARN: expect.stringMatching(/^arn:aws:events:us-east-1:123456789012:rule\/Workers-Audit/),
    TARGET_ARN: expect.stringMatching(/:function:Workers-Unreachable/),
    ERROR_CODE: 'NO_PERMISSIONS',
    RETRY_ATTEMPTS: '0',
  });
  expect(logged(app.api, 'Unreachable', 'EVENT')).toEqual([]);
  expect(app.api.model.warnings).toContainEqual(
    'rule Audit target Unreachable: no AWS::Lambda::Permission lets events.amazonaws.com invoke the function, so every delivery fails and goes to its dead-letter queue, as in AWS',
  );
});

test('GIVEN a function with its own dead-letter queue and no retries THEN the event goes there with the request id', async () => {
  await app.api.putEvent({ source: 'legacy', detailType: 'Old', detail: { orderId: 'o5', fail: true } });
  await app.api.settled();
  const [dead] = app.api.queue('LegacyDlq').messages();
  expect(dead.json).toMatchObject({ source: 'legacy', detail: { orderId: 'o5', fail: true } });
  expect(dead.messageAttributes).toEqual({
    RequestID: expect.stringMatching(/^[0-9a-f-]{36}$/),
    ErrorCode: '200',
    ErrorMessage: 'Error: cannot notify order o5',
  });
});
