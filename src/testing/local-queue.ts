/**
 * A queue of the app as a test sees it: its messages read in place (without receiving them, so nothing counts as a
 * receive), and messages sent to it past IAM, through the local SQS's own checks (FIFO ids, sizes, attributes).
 */
import type { Services } from '../local/services/start-services';
import { localQueueUrl } from '../local/sqs/api';
import type { SqsQueue } from '../local/sqs/queue';
import { systemAttributes } from '../local/sqs/receive-shape';

/** A message as it stands in the queue. */
export interface LocalQueueMessage {
  readonly messageId: string;
  readonly body: string;
  /** The body parsed, when it is JSON. */
  readonly json?: unknown;
  /** The system attributes SQS gives a receiver: `SenderId`, `SentTimestamp`, `ApproximateReceiveCount`... */
  readonly attributes: { readonly [name: string]: string };
  /** The message attributes: each value as sent (a binary one in base64). */
  readonly messageAttributes: { readonly [name: string]: string };
  readonly receiveCount: number;
  /** FIFO queues: the message group. */
  readonly groupId?: string;
  /** `visible` (ready to receive), `in flight` (received, not deleted) or `delayed`. */
  readonly state: 'visible' | 'in flight' | 'delayed';
}

export interface LocalSendOptions {
  /** FIFO queues: required. */
  readonly groupId?: string;
  /** FIFO queues without content-based deduplication: required. */
  readonly deduplicationId?: string;
  readonly delaySeconds?: number;
  /** Message attributes: strings as `String`, numbers as `Number`. */
  readonly attributes?: { readonly [name: string]: string | number };
}

export class LocalQueue {
  /** The name it was declared with (its construct id), or its logical id. */
  public readonly name: string;
  /** Its name in SQS. */
  public readonly queueName: string;
  public readonly arn: string;

  constructor(
    private readonly queue: SqsQueue,
    private readonly services: Services,
  ) {
    this.name = queue.model.name;
    this.queueName = queue.model.queueName;
    this.arn = queue.model.arn;
  }

  /** Its URL on the local endpoint, as the functions see it. */
  public get url(): string {
    return localQueueUrl(this.services.endpoint, this.queue);
  }

  /** Every message in the queue now, in the order sent. */
  public messages(): LocalQueueMessage[] {
    const now = Date.now();
    return this.queue.snapshot().map((message) => {
      let json: unknown;
      try {
        json = JSON.parse(message.body);
      } catch {
        json = undefined;
      }
      return {
        messageId: message.messageId,
        body: message.body,
        ...(json === undefined ? {} : { json }),
        attributes: systemAttributes(message),
        messageAttributes: Object.fromEntries(
          Object.entries(message.messageAttributes ?? {}).map(([name, value]) => [
            name,
            value.StringValue ?? value.BinaryValue ?? '',
          ]),
        ),
        receiveCount: message.receiveCount,
        ...(message.groupId ? { groupId: message.groupId } : {}),
        state: message.visibleAt <= now ? 'visible' : message.receipt ? 'in flight' : 'delayed',
      };
    });
  }

  /** Deletes every message, as PurgeQueue does (once a minute per queue, as SQS allows). */
  public async purge(): Promise<void> {
    await this.services.sqs.call('PurgeQueue', { QueueUrl: this.url }, this.services.adminAccessKeyId);
  }

  /** Sends a message (an object is sent as its JSON), as SendMessage does; resolves to its id. */
  public async send(body: string | object, options: LocalSendOptions = {}): Promise<{ readonly messageId: string }> {
    const attributes = Object.entries(options.attributes ?? {});
    const output = await this.services.sqs.call(
      'SendMessage',
      {
        QueueUrl: this.url,
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
        ...(options.groupId === undefined ? {} : { MessageGroupId: options.groupId }),
        ...(options.deduplicationId === undefined ? {} : { MessageDeduplicationId: options.deduplicationId }),
        ...(options.delaySeconds === undefined ? {} : { DelaySeconds: options.delaySeconds }),
        ...(attributes.length === 0
          ? {}
          : {
              MessageAttributes: Object.fromEntries(
                attributes.map(([name, value]) => [
                  name,
                  { DataType: typeof value === 'number' ? 'Number' : 'String', StringValue: String(value) },
                ]),
              ),
            }),
      },
      this.services.adminAccessKeyId,
    );
    return { messageId: String(output.MessageId) };
  }
}
