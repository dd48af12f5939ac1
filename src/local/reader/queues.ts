/**
 * The stack's SQS queues (`AWS::SQS::Queue`), with SQS's defaults for what the template leaves out, and their redrive
 * policies.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */

import { booleanOf, numberOf, ReadContext } from './context';
import { customerKeyArn } from './kms';
import { UsageError } from '../../assembly/assembly';
import { obj, T } from '../../assembly/template';
import type { LocalQueueModel } from '../workers-model';

/** SQS's defaults: 30 s visibility, 4 days retention, 256 KiB messages. */
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
const DEFAULT_RETENTION_SECONDS = 345_600;
const DEFAULT_MAXIMUM_MESSAGE_SIZE = 262_144;

/** `RedrivePolicy` is an object, or the same as a JSON string; SQS names its keys in camel case. */
function redriveOf(ctx: ReadContext, value: unknown, where: string): LocalQueueModel['redrive'] {
  if (value === undefined) return undefined;
  let policy = ctx.resolver.resolve(value);
  if (typeof policy === 'string') {
    try {
      policy = JSON.parse(policy);
    } catch {
      throw new UsageError(`${where} RedrivePolicy must be a JSON object, got: ${policy}`);
    }
  }
  const { deadLetterTargetArn, maxReceiveCount } = obj(policy);
  if (deadLetterTargetArn === undefined) return undefined;
  const count = numberOf(ctx, maxReceiveCount, `${where} RedrivePolicy.maxReceiveCount`);
  if (count === undefined || !Number.isInteger(count) || count < 1) {
    throw new UsageError(
      `${where} RedrivePolicy.maxReceiveCount must be a whole number of at least 1, got: ${JSON.stringify(maxReceiveCount)}`,
    );
  }
  return {
    deadLetterQueueArn: ctx.resolver.string(deadLetterTargetArn, `${where} RedrivePolicy.deadLetterTargetArn`),
    maxReceiveCount: count,
  };
}

export function readQueues(ctx: ReadContext): LocalQueueModel[] {
  return ctx.index.ofType(T.queue).map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const where = `queue ${ctx.index.name(logicalId)} (${logicalId})`;
    const number = (key: string, fallback: number) => numberOf(ctx, props[key], `${where} ${key}`) ?? fallback;
    const fifo = booleanOf(ctx, props.FifoQueue) === true;
    const redrive = redriveOf(ctx, props.RedrivePolicy, where);
    const kmsKeyArn = customerKeyArn(ctx, props.KmsMasterKeyId, `${where} KmsMasterKeyId`);
    const scope = ctx.resolver.optionalString(props.DeduplicationScope, `${where} DeduplicationScope`);
    return {
      logicalId,
      name: ctx.index.name(logicalId),
      queueName: ctx.resolver.physicalName(logicalId),
      arn: ctx.resolver.getAtt(logicalId, 'Arn'),
      url: ctx.resolver.string({ Ref: logicalId }, `${where} URL`),
      fifo,
      contentBasedDeduplication: fifo && booleanOf(ctx, props.ContentBasedDeduplication) === true,
      deduplicationScope: scope === 'messageGroup' ? 'messageGroup' : 'queue',
      visibilityTimeoutSeconds: number('VisibilityTimeout', DEFAULT_VISIBILITY_TIMEOUT_SECONDS),
      retentionSeconds: number('MessageRetentionPeriod', DEFAULT_RETENTION_SECONDS),
      delaySeconds: number('DelaySeconds', 0),
      receiveWaitTimeSeconds: number('ReceiveMessageWaitTimeSeconds', 0),
      maximumMessageSizeBytes: number('MaximumMessageSize', DEFAULT_MAXIMUM_MESSAGE_SIZE),
      ...(redrive === undefined ? {} : { redrive }),
      ...(kmsKeyArn === undefined ? {} : { kmsKeyArn }),
    };
  });
}
