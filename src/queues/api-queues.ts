import { Annotations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { sendAccess } from './queue-access';
import { QueueModel } from './queue-model';
import { ApiQueue } from './queue-options';
import { QueueSource } from './queue-source';
import { WorkerQueue } from './worker-queue';
import { ApiWorkers, SendAccess } from '../functions/api-workers';
import { fail } from '../private/validation';

export interface ApiQueuesProps {
  readonly queues: readonly QueueModel[];
  /** Where the queues' workers are built. */
  readonly workers: ApiWorkers;
  /** The table's customer-managed key, which encrypts the queues that name no key of their own. */
  readonly tableKey?: kms.IKey;
}

/**
 * The API's queues under one scope (`Queues/<name>`), and their workers under the API's workers: every queue is built
 * first, so a worker may send to any queue, its own included.
 */
export class ApiQueues extends Construct {
  private readonly built: { [name: string]: WorkerQueue } = {};
  private readonly entries: ApiQueue[] = [];

  constructor(scope: Construct, id: string, props: ApiQueuesProps) {
    super(scope, id);
    for (const model of props.queues) {
      const queue = new WorkerQueue(this, model.name, {
        model,
        encryptionKey: model.encryptionKey ?? props.tableKey,
      });
      model.warnings.forEach((warning) =>
        Annotations.of(queue).addWarningV2('cdk-serverless-api:visibilityTimeout', warning),
      );
      this.built[model.name] = queue;
    }
    for (const model of props.queues) {
      const queue = this.built[model.name];
      const worker = props.workers.add(
        model.worker,
        new QueueSource(queue, model),
        this.sendAccess(model.worker.options.queues ?? []),
      );
      this.entries.push({ name: model.name, queue: queue.queue, deadLetterQueue: queue.deadLetterQueue, worker });
    }
  }

  /** The queues by name. */
  public get queues(): { [name: string]: sqs.IQueue } {
    return Object.fromEntries(this.entries.map((entry) => [entry.name, entry.queue]));
  }

  /** The queue `name`, with its dead-letter queue and its worker. */
  public queue(name: string): ApiQueue {
    const found = this.entries.find((entry) => entry.name === name);
    if (!found) {
      const declared = this.entries.map((entry) => JSON.stringify(entry.name)).join(', ') || 'none';
      fail('name', `name one of the API's \`queues\` (declared: ${declared})`, name);
    }
    return found;
  }

  /** What a function naming `names` in its `queues` may do with them (validated against the declared queues). */
  public sendAccess(names: readonly string[]): SendAccess {
    return sendAccess(this.built, names);
  }
}
