import { queuesApp, modelOf } from '../helpers/iam/apps';
import { roleCases } from '../helpers/iam/cases';
import { Case, evaluate, evaluateAll } from '../helpers/iam/evaluate';
import { PolicyDocument, RoleUnderTest, StackModel } from '../helpers/iam/model';

/**
 * Senders and workers, proven by evaluation with an offline IAM evaluator on the synthesized roles: a sender may send
 * to exactly its queue; a worker may consume exactly its queue and send only where it declared; neither touches the
 * other queue. The generated cases (test/helpers/iam/cases-sqs.ts) cover every queue and role of the apps in
 * test/functions/least-privilege.test.ts; these name the cases the issue asks for, one by one.
 * SQS actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
 */

let model: StackModel;
beforeAll(() => {
  model = modelOf(queuesApp());
});

const queueArn = (name: string) => model.queues.find((q) => q.logicalId.startsWith(`ApiQueues${name}Queue`))!.arn;
const roleOf = (prefix: string): RoleUnderTest => model.roles.find((r) => r.logicalId.startsWith(prefix))!;
const keyArn = () => model.keys.find((k) => k.logicalId.startsWith('NotificationsKey'))!;

/** The decision on one request of the role: Allowed, or a denial. */
async function decide(
  role: RoleUnderTest,
  action: string,
  resource: string,
  context = {},
  resourcePolicy?: PolicyDocument,
) {
  const c: Case = {
    action,
    resource,
    context,
    expected: 'Allowed',
    why: 'probe',
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
  const outcome = await evaluate({ name: role.logicalId, arn: role.arn, policies: role.policies }, c);
  return outcome.got === 'Allowed' ? 'Allowed' : 'Denied';
}

const viaSqs = { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' };

describe('GIVEN the route function uploads, which sends to thumbnails', () => {
  const sender = () => roleOf('ApiFunctionsuploadsRole');

  test('THEN it may send to thumbnails', async () => {
    expect(await decide(sender(), 'sqs:SendMessage', queueArn('thumbnails'))).toBe('Allowed');
  });

  test('THEN it may not send to notifications, nor to a queue outside the API', async () => {
    expect(await decide(sender(), 'sqs:SendMessage', queueArn('notifications'))).toBe('Denied');
    expect(await decide(sender(), 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:123456789012:other')).toBe('Denied');
  });

  test.each(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:PurgeQueue', 'sqs:ChangeMessageVisibility'])(
    'THEN it may not %s on its own queue',
    async (action) => {
      expect(await decide(sender(), action, queueArn('thumbnails'))).toBe('Denied');
    },
  );
});

describe('GIVEN the worker of thumbnails, which sends to notifications', () => {
  const worker = () => roleOf('ApiWorkersthumbnailsRole');

  test.each(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'])(
    'THEN it may %s on its own queue',
    async (action) => {
      expect(await decide(worker(), action, queueArn('thumbnails'))).toBe('Allowed');
    },
  );

  test('THEN it may not send to its own queue, nor purge it', async () => {
    expect(await decide(worker(), 'sqs:SendMessage', queueArn('thumbnails'))).toBe('Denied');
    expect(await decide(worker(), 'sqs:PurgeQueue', queueArn('thumbnails'))).toBe('Denied');
  });

  test("THEN it may send to notifications, as declared, with the key's data keys through SQS only", async () => {
    const key = keyArn();
    expect(await decide(worker(), 'sqs:SendMessage', queueArn('notifications'))).toBe('Allowed');
    expect(await decide(worker(), 'kms:GenerateDataKey', key.arn, viaSqs, key.policy)).toBe('Allowed');
    expect(await decide(worker(), 'kms:GenerateDataKey', key.arn, {}, key.policy)).toBe('Denied');
  });

  test('THEN it may not consume notifications', async () => {
    expect(await decide(worker(), 'sqs:ReceiveMessage', queueArn('notifications'))).toBe('Denied');
    expect(await decide(worker(), 'sqs:DeleteMessage', queueArn('notifications'))).toBe('Denied');
  });
});

describe('GIVEN the worker of notifications, which declares no queue', () => {
  const worker = () => roleOf('ApiWorkersnotificationsRole');

  test('THEN it may consume notifications and decrypt its messages through SQS, but not generate data keys', async () => {
    const key = keyArn();
    expect(await decide(worker(), 'sqs:ReceiveMessage', queueArn('notifications'))).toBe('Allowed');
    expect(await decide(worker(), 'kms:Decrypt', key.arn, viaSqs, key.policy)).toBe('Allowed');
    expect(await decide(worker(), 'kms:GenerateDataKey', key.arn, viaSqs, key.policy)).toBe('Denied');
  });

  test('THEN it may send nowhere, not even to its own queue, and not touch thumbnails', async () => {
    expect(await decide(worker(), 'sqs:SendMessage', queueArn('notifications'))).toBe('Denied');
    expect(await decide(worker(), 'sqs:SendMessage', queueArn('thumbnails'))).toBe('Denied');
    expect(await decide(worker(), 'sqs:ReceiveMessage', queueArn('thumbnails'))).toBe('Denied');
  });
});

test('GIVEN the route function health, which names no queue THEN it may neither send to nor consume any queue', async () => {
  const role = roleOf('ApiFunctionshealthRole');
  for (const name of ['thumbnails', 'notifications']) {
    expect(await decide(role, 'sqs:SendMessage', queueArn(name))).toBe('Denied');
    expect(await decide(role, 'sqs:ReceiveMessage', queueArn(name))).toBe('Denied');
  }
});

test("GIVEN the sender's SendMessage widened to every queue THEN exactly the generated cases of the other queues fail", async () => {
  // GIVEN
  const role = roleOf('ApiFunctionsuploadsRole');
  const widened = JSON.parse(
    JSON.stringify(role.policies).replace(`"Resource":"${queueArn('thumbnails')}"`, '"Resource":"*"'),
  );
  expect(JSON.stringify(widened)).not.toBe(JSON.stringify(role.policies));
  const changed = { ...role, policies: widened };
  const changedModel = { ...model, roles: model.roles.map((r) => (r === role ? changed : r)) };

  // WHEN
  const { cases } = roleCases(changedModel, changed);
  const outcomes = await evaluateAll({ name: role.logicalId, arn: role.arn, policies: widened }, cases);

  // THEN
  const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.case.action} ${o.case.resource.split(':').pop()}`);
  const others = model.queues.map((q) => q.arn).filter((arn) => arn !== queueArn('thumbnails'));
  expect(others).toHaveLength(3); // notifications and both dead-letter queues
  expect(failed.sort()).toEqual(
    [...others.map((arn) => `sqs:SendMessage ${arn.split(':').pop()}`), 'sqs:SendMessage SomeOtherQueue'].sort(),
  );
}, 30_000);
