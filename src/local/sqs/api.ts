/**
 * The SQS API as the AWS SDK v3 client speaks it (the AWS JSON 1.0 protocol, `X-Amz-Target: AmazonSQS.<Operation>`):
 * SendMessage(Batch), ReceiveMessage (with long polling), DeleteMessage(Batch), ChangeMessageVisibility(Batch),
 * GetQueueAttributes, GetQueueUrl and PurgeQueue on the app's queues. Every call is authorized first, against the
 * calling function's role, as IAM evaluates it for SQS (batch calls as their single action).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */
import type { QueueBroker } from './broker';
import {
  accessDenied,
  invalidParameter,
  kmsAccessDenied,
  missingParameter,
  queueDoesNotExist,
  SqsError,
  unrecognizedClient,
} from './errors';
import { wellFormedReceipt, type SqsQueue } from './queue';
import { messageAttributesOut, receiveOptions, systemAttributesOut } from './receive-shape';
import { sendBatch, sendOne } from './send';
import type { Input, Sender } from './types';
import type { ServiceAuthorizer, ServiceRequest } from '../iam/service-authorizer';

export interface SqsApiOptions {
  readonly broker: QueueBroker;
  /** The authorizer of the version being served; absent: every signed call is allowed. */
  readonly authorizer: () => ServiceAuthorizer | undefined;
  /** Calls signed with this key skip the authorizer (the test kit's). */
  readonly adminAccessKeyId: string;
  /** `http://127.0.0.1:<port>`: the queue URLs the API answers are on this endpoint. */
  readonly endpoint: () => string;
  readonly region: () => string;
  readonly log: (line: string) => void;
}

const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The local URL of a queue: the same path as SQS's, on the local endpoint. */
export function localQueueUrl(endpoint: string, queue: SqsQueue): string {
  const account = queue.model.arn.split(':')[4];
  return `${endpoint.replace(/\/$/, '')}/${account}/${queue.model.queueName}`;
}

export function createSqsApi(options: SqsApiOptions) {
  const { broker } = options;
  const warned = new Set<string>();

  /** The queue a `QueueUrl` names, and its ARN (derived from the URL when the queue does not exist). */
  const target = (input: Input): { queue?: SqsQueue; arn: string } => {
    const url = input.QueueUrl;
    if (typeof url !== 'string' || url === '') throw missingParameter('QueueUrl');
    const queue = broker.byUrl(url);
    if (queue) return { queue, arn: queue.model.arn };
    let path: string[];
    try {
      path = new URL(url).pathname.split('/');
    } catch {
      throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, 'InvalidAddress', 404);
    }
    return { arn: `arn:aws:sqs:${options.region()}:${path[1] ?? ''}:${path[2] ?? ''}` };
  };

  /** Authorizes `actions` on the queue, and the KMS actions its customer managed key needs; resolves the sender. */
  const authorize = (
    accessKeyId: string,
    arn: string,
    queue: SqsQueue | undefined,
    actions: string[],
    kms: string[],
  ): Sender => {
    if (accessKeyId === options.adminAccessKeyId) return { senderId: arn.split(':')[4] };
    const authorizer = options.authorizer();
    if (!authorizer) return { senderId: accessKeyId };
    const requests: ServiceRequest[] = actions.map((action) => ({ action, resource: arn }));
    const keyArn = queue?.model.kmsKeyArn;
    const kmsRequests: ServiceRequest[] = keyArn
      ? kms.map((action) => ({
          action,
          resource: keyArn,
          context: {
            'kms:ViaService': `sqs.${options.region()}.amazonaws.com`,
            'kms:CallerAccount': arn.split(':')[4],
            'kms:EncryptionContext:aws:sqs:arn': arn,
          },
        }))
      : [];
    const decision = authorizer.authorize(accessKeyId, [...requests, ...kmsRequests]);
    if (!decision.allowed) {
      options.log(`DENIED ${decision.reason}`);
      if (decision.errorType === 'UnrecognizedClient') throw unrecognizedClient();
      throw decision.request?.action.startsWith('kms:')
        ? kmsAccessDenied(decision.message)
        : accessDenied(decision.message);
    }
    return { caller: decision.caller, senderId: decision.caller.senderId };
  };

  const existing = (queue: SqsQueue | undefined): SqsQueue => {
    if (!queue) throw queueDoesNotExist();
    return queue;
  };

  const entries = (input: Input): Input[] => {
    const list = input.Entries;
    if (!Array.isArray(list) || list.length === 0) {
      throw new SqsError(
        'EmptyBatchRequest',
        'There should be at least one SendMessageBatchRequestEntry in the request.',
        'AWS.SimpleQueueService.EmptyBatchRequest',
      );
    }
    if (list.length > 10) {
      throw new SqsError(
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are 10. You have sent ${list.length}.`,
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      );
    }
    const ids = new Set<string>();
    for (const entry of list as Input[]) {
      const id = entry?.Id;
      if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
        throw new SqsError(
          'InvalidBatchEntryId',
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
          'AWS.SimpleQueueService.InvalidBatchEntryId',
        );
      }
      if (ids.has(id)) {
        throw new SqsError(
          'BatchEntryIdsNotDistinct',
          `Id ${id} repeated.`,
          'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
        );
      }
      ids.add(id);
    }
    return list as Input[];
  };

  /** Each entry of a batch on its own: a failure is the entry's, reported as SQS reports it. */
  const perEntry = (list: Input[], run: (entry: Input) => void) => {
    const Successful: Input[] = [];
    const Failed: Input[] = [];
    for (const entry of list) {
      try {
        run(entry);
        Successful.push({ Id: entry.Id });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id: entry.Id, SenderFault: error.status < 500, Code: error.code, Message: error.message });
      }
    }
    return { Successful, Failed };
  };

  const receiptOf = (entry: Input): string => {
    const handle = entry.ReceiptHandle;
    if (typeof handle !== 'string' || handle === '') throw missingParameter('ReceiptHandle');
    if (!wellFormedReceipt(handle)) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
        'ReceiptHandleIsInvalid',
        404,
      );
    }
    return handle;
  };

  const visibilityOf = (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 43_200) {
      throw invalidParameter(
        `Value ${value} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`,
      );
    }
    return value;
  };

  const operations: { [name: string]: (input: Input, accessKeyId: string) => Promise<Input> | Input } = {
    SendMessage(input, key) {
      const { queue, arn } = target(input);
      const sender = authorize(key, arn, queue, ['sqs:SendMessage'], ['kms:GenerateDataKey', 'kms:Decrypt']);
      return sendOne(broker, existing(queue), input, sender);
    },
    SendMessageBatch(input, key) {
      const { queue, arn } = target(input);
      const sender = authorize(key, arn, queue, ['sqs:SendMessage'], ['kms:GenerateDataKey', 'kms:Decrypt']);
      return sendBatch(broker, existing(queue), entries(input), sender);
    },
    async ReceiveMessage(input, key) {
      const { queue, arn } = target(input);
      authorize(key, arn, queue, ['sqs:ReceiveMessage'], ['kms:Decrypt']);
      const q = existing(queue);
      const receive = receiveOptions(input, q);
      if (receive.waitSeconds > 0) await broker.waitForMessages(q, receive.waitSeconds * 1000);
      const received = broker.receive(q, receive.max, receive.visibilitySeconds);
      if (received.length === 0) return {};
      return {
        Messages: received.map(({ message, receiptHandle }) => ({
          MessageId: message.messageId,
          ReceiptHandle: receiptHandle,
          MD5OfBody: message.md5OfBody,
          Body: message.body,
          ...systemAttributesOut(message, receive.systemAttributes),
          ...messageAttributesOut(message, receive.messageAttributes),
        })),
      };
    },
    DeleteMessage(input, key) {
      const { queue, arn } = target(input);
      authorize(key, arn, queue, ['sqs:DeleteMessage'], []);
      broker.delete(existing(queue), receiptOf(input));
      return {};
    },
    DeleteMessageBatch(input, key) {
      const { queue, arn } = target(input);
      authorize(key, arn, queue, ['sqs:DeleteMessage'], []);
      const q = existing(queue);
      return perEntry(entries(input), (entry) => broker.delete(q, receiptOf(entry)));
    },
    ChangeMessageVisibility(input, key) {
      const { queue, arn } = target(input);
      authorize(key, arn, queue, ['sqs:ChangeMessageVisibility'], []);
      broker.changeVisibility(existing(queue), receiptOf(input), visibilityOf(input.VisibilityTimeout));
      return {};
    },
    ChangeMessageVisibilityBatch(input, key) {
      const { queue, arn } = target(input);
      authorize(key, arn, queue, ['sqs:ChangeMessageVisibility'], []);
      const q = existing(queue);
      return perEntry(entries(input), (entry) =>
        broker.changeVisibility(q, receiptOf(entry), visibilityOf(entry.VisibilityTimeout)),
      );
    },
    GetQueueAttributes(input, key) {
      const { queue, arn } = target(input);
      authorize(key, arn, queue, ['sqs:GetQueueAttributes'], []);
      return { Attributes: queueAttributes(existing(queue), input.AttributeNames, Date.now()) };
    },
    GetQueueUrl(input, key) {
      const name = input.QueueName;
      if (typeof name !== 'string' || name === '') throw missingParameter('QueueName');
      const queue = broker.byName(name);
      const account = typeof input.QueueOwnerAWSAccountId === 'string' ? input.QueueOwnerAWSAccountId : undefined;
      const arn = queue?.model.arn ?? `arn:aws:sqs:${options.region()}:${account ?? ''}:${name}`;
      authorize(key, arn, queue, ['sqs:GetQueueUrl'], []);
      return { QueueUrl: localQueueUrl(options.endpoint(), existing(queue)) };
    },
    PurgeQueue(input, key) {
      const { queue, arn } = target(input);
      authorize(key, arn, queue, ['sqs:PurgeQueue'], []);
      const q = existing(queue);
      if (!broker.purge(q)) {
        throw new SqsError(
          'PurgeQueueInProgress',
          `Only one PurgeQueue operation on ${q.model.queueName} is allowed every 60 seconds.`,
          'AWS.SimpleQueueService.PurgeQueueInProgress',
          403,
        );
      }
      return {};
    },
  };

  return {
    async call(operation: string, input: Input, accessKeyId: string): Promise<Input> {
      const run = operations[operation];
      if (!run) {
        if (!warned.has(operation)) {
          warned.add(operation);
          options.log(
            `The local SQS does not run ${operation || 'a request without X-Amz-Target'}: it answers UnsupportedOperation`,
          );
        }
        throw new SqsError(
          'UnsupportedOperation',
          `The local SQS does not run ${operation}.`,
          'AWS.SimpleQueueService.UnsupportedOperation',
        );
      }
      return run(input, accessKeyId);
    },
  };
}

export type SqsApi = ReturnType<typeof createSqsApi>;

/** `GetQueueAttributes`: the queue's settings and its approximate counts, every value a string as SQS gives. */
function queueAttributes(queue: SqsQueue, names: unknown, now: number): { [name: string]: string } {
  const { model } = queue;
  const counts = queue.counts(now);
  const seconds = String(Math.floor(queue.createdAt / 1000));
  const all: { [name: string]: string } = {
    QueueArn: model.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: seconds,
    LastModifiedTimestamp: seconds,
    VisibilityTimeout: String(model.visibilityTimeoutSeconds),
    MaximumMessageSize: String(model.maximumMessageSizeBytes),
    MessageRetentionPeriod: String(model.retentionSeconds),
    DelaySeconds: String(model.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(model.receiveWaitTimeSeconds),
    SqsManagedSseEnabled: String(model.kmsKeyArn === undefined),
    ...(model.kmsKeyArn ? { KmsMasterKeyId: model.kmsKeyArn } : {}),
    ...(model.redrive
      ? {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: model.redrive.deadLetterQueueArn,
            maxReceiveCount: model.redrive.maxReceiveCount,
          }),
        }
      : {}),
    ...(model.fifo
      ? {
          FifoQueue: 'true',
          ContentBasedDeduplication: String(model.contentBasedDeduplication),
          DeduplicationScope: model.deduplicationScope,
          FifoThroughputLimit: model.deduplicationScope === 'messageGroup' ? 'perMessageGroupId' : 'perQueue',
        }
      : {}),
  };
  const wanted = Array.isArray(names) ? (names as string[]) : [];
  if (wanted.includes('All')) return all;
  return Object.fromEntries(wanted.filter((name) => name in all).map((name) => [name, all[name]]));
}
