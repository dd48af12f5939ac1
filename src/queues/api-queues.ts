import { Annotations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { sendAccess } from './queue-access';
import { QueueModel } from './queue-model';
import { ApiQueue } from './queue-options';
import { QueueSource } from './queue-source';
import { WorkerQueue } from './worker-queue';
import { ApiWorkers, SendAccess } from '../functions/api-workers';
import { ApiMonitoring } from '../monitoring/api-monitoring';
import { QueueMetrics } from '../monitoring/queue-metrics';
import { fail } from '../private/validation';

export interface ApiQueuesProps {
  readonly queues: readonly QueueModel[];
  /** Where the queues' workers are built. */
  readonly workers: ApiWorkers;
  /** The table's customer-managed key, which encrypts the queues that name no key of their own. */
  readonly tableKey?: kms.IKey;
  /** Watches each queue: its alarms and its dashboard graphs. */
  readonly monitoring: Pick<ApiMonitoring, 'addQueue'>;
}

/** The API's queues under one scope (`Queues/<name>`), and their workers under the API's workers. */
export class ApiQueues extends Construct {
  private readonly built: { [name: string]: WorkerQueue } = {};
  private readonly entries: ApiQueue[] = [];

  constructor(scope: Construct, id: string, props: ApiQueuesProps) {
    super(scope, id);
    // Every queue first (drawn and alarmed), so a worker may send to any queue, its own included.
    const alarms = new Map<string, cloudwatch.IAlarm[]>();
    for (const model of props.queues) {
      const queue = new WorkerQueue(this, model.name, {
        model,
        encryptionKey: model.encryptionKey ?? props.tableKey,
      });
      model.warnings.forEach((warning) =>
        Annotations.of(queue).addWarningV2('cdk-serverless-api:visibilityTimeout', warning),
      );
      this.built[model.name] = queue;
      alarms.set(
        model.name,
        props.monitoring.addQueue({
          scope: queue,
          name: model.name,
          metrics: new QueueMetrics(model.name, queue.queue, queue.deadLetterQueue),
          thresholds: model.thresholds,
        }),
      );
    }
    for (const model of props.queues) {
      const queue = this.built[model.name];
      const worker = props.workers.add(
        model.worker,
        new QueueSource(queue, model),
        this.sendAccess(model.worker.options.queues ?? []),
      );
      this.entries.push({
        name: model.name,
        queue: queue.queue,
        deadLetterQueue: queue.deadLetterQueue,
        worker,
        alarms: alarms.get(model.name)!,
      });
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
