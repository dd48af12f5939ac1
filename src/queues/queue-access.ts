import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { WorkerQueue } from './worker-queue';
import { SendAccess } from '../functions/api-workers';
import { KMS_QUEUE_SEND_ACTIONS, SQS_SEND_ACTIONS } from '../private/iam-actions';

/**
 * What a function that names queues in its `queues` may do with them: `sqs:SendMessage` on exactly those queues, and
 * with their customer-managed keys only what sending needs, only through SQS; its handler finds their URLs, and which
 * are FIFO, in `SERVERLESS_API_QUEUES`.
 */
export function sendAccess(queues: { readonly [name: string]: WorkerQueue }, names: readonly string[]): SendAccess {
  if (names.length === 0) return { queues: {}, statements: [] };
  const targets = names.map((name) => [name, queues[name]] as const);
  const statements = [
    new iam.PolicyStatement({
      actions: [...SQS_SEND_ACTIONS],
      resources: targets.map(([, target]) => target.queue.queueArn),
    }),
  ];
  const keysByService = new Map<string, Set<string>>();
  for (const [, target] of targets) {
    if (!target.encryptionKey) continue;
    const service = `sqs.${Stack.of(target).region}.amazonaws.com`;
    keysByService.set(service, (keysByService.get(service) ?? new Set()).add(target.encryptionKey.keyArn));
  }
  for (const [service, keys] of keysByService) {
    statements.push(
      new iam.PolicyStatement({
        actions: [...KMS_QUEUE_SEND_ACTIONS],
        resources: [...keys],
        conditions: { StringEquals: { 'kms:ViaService': service } },
      }),
    );
  }
  return {
    queues: Object.fromEntries(
      targets.map(([name, target]) => [name, { url: target.queue.queueUrl, fifo: target.queue.fifo }]),
    ),
    statements,
  };
}
