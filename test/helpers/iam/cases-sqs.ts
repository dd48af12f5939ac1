import { Case } from './evaluate';
import { RoleUnderTest, StackModel } from './model';

/**
 * A function sends to exactly the queues it declared (the URLs its `SERVERLESS_API_QUEUES` carries) and consumes exactly
 * the queues whose event source mappings invoke it; nothing else of SQS, on any queue. With a queue's customer-managed
 * key, a sender may generate data keys and decrypt, a consumer decrypt, only through SQS in the stack's region. Every
 * other role touches no queue.
 * Actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
 * Keys: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */

/** The variable naming the queues a function may send to, written here independently of `src/`. */
export const QUEUES_ENV = 'SERVERLESS_API_QUEUES';

const SEND = 'sqs:SendMessage';
const CONSUME = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'];
const NEVER = [
  'PurgeQueue',
  'DeleteQueue',
  'SetQueueAttributes',
  'AddPermission',
  'TagQueue',
  'StartMessageMoveTask',
].map((a) => `sqs:${a}`);

const decided = (expected: boolean, action: string, resource: string, why: string, context = {}): Case => ({
  action,
  resource,
  context,
  expected: expected ? 'Allowed' : 'Denied',
  why,
});

/** The default key policy: it delegates to IAM, so the decision is the role's own. */
const delegatingKeyPolicy = (account: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
});

/** The ARNs of the queues a function declares it sends to; a URL naming no queue of the stack is a problem. */
export function declaredSends(model: StackModel, role: RoleUnderTest, problems: string[]): string[] {
  const variable = role.function?.environment[QUEUES_ENV];
  if (variable === undefined) return [];
  const declared = JSON.parse(variable) as { [name: string]: { url: string; fifo: boolean } };
  return Object.entries(declared).flatMap(([name, { url }]) => {
    const queue = model.queues.find((q) => q.url === url);
    if (!queue) problems.push(`function ${role.function!.logicalId} sends to ${name} at ${url}, no queue of the stack`);
    return queue ? [queue.arn] : [];
  });
}

export function sqsCases(model: StackModel, role: RoleUnderTest, problems: string[]): Case[] {
  const { partition, region, account } = model.env;
  const sends = new Set(declaredSends(model, role, problems));
  const consumes = new Set(role.function?.consumes ?? []);
  const destinations = new Set(role.function?.failureDestinations ?? []);
  const foreign = `arn:${partition}:sqs:${region}:${account}:SomeOtherQueue`;
  const cases: Case[] = [];
  for (const arn of [...model.queues.map((q) => q.arn), foreign]) {
    const sender = sends.has(arn) || destinations.has(arn);
    const consumer = consumes.has(arn);
    const sendReason = sends.has(arn)
      ? 'a queue it declared'
      : destinations.has(arn)
        ? 'its on-failure destination'
        : 'a queue it did not declare';
    cases.push(decided(sender, SEND, arn, sendReason));
    for (const action of CONSUME) {
      cases.push(decided(consumer, action, arn, consumer ? 'the queue it works' : 'not the queue it works'));
    }
    cases.push(...NEVER.map((action) => decided(false, action, arn, 'no function administers queues')));
  }
  const keys = new Set(model.queues.flatMap((q) => (q.keyArn ? [q.keyArn] : [])));
  const via = (r: string) => ({ 'kms:ViaService': `sqs.${r}.amazonaws.com` });
  for (const key of keys) {
    const policy = model.keys.find((k) => k.arn === key)?.policy ?? delegatingKeyPolicy(account);
    const withPolicy = (c: Case): Case => ({ ...c, resourcePolicy: policy });
    const queues = model.queues.filter((q) => q.keyArn === key).map((q) => q.arn);
    const sender = queues.some((arn) => sends.has(arn));
    const consumer = queues.some((arn) => consumes.has(arn));
    cases.push(
      withPolicy(
        decided(
          sender,
          'kms:GenerateDataKey',
          key,
          sender ? 'sending to a queue under the key' : 'sends to none of its queues',
          via(region),
        ),
      ),
      withPolicy(
        decided(
          sender || consumer,
          'kms:Decrypt',
          key,
          sender || consumer ? 'sending to or working a queue under the key' : 'uses none of its queues',
          via(region),
        ),
      ),
      withPolicy(decided(false, 'kms:Decrypt', key, 'through SQS in another region', via('ap-south-2'))),
      withPolicy(decided(false, 'kms:GenerateDataKey', key, 'through SQS in another region', via('ap-south-2'))),
    );
  }
  return cases;
}
