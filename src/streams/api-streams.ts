import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TableStreamModel } from './stream-model';
import { ApiStreamWorker } from './stream-options';
import { TableStream, TableStreamSource } from './stream-source';
import { ApiWorkers, SendAccess } from '../functions/api-workers';
import { workerDeadLetterQueue } from '../functions/worker-dead-letter-queue';
import { ApiMonitoring } from '../monitoring/api-monitoring';
import {
  deadLetterMessages,
  destinationDeliveryFailures,
  iteratorAge,
  streamSourceWatch,
} from '../monitoring/source-alarms';
import { fail } from '../private/validation';
import { TableModel } from '../table/table-builder';

export interface ApiStreamsProps {
  readonly model?: TableStreamModel;
  /** The table, with its stream when the API declares a `tableStream`. */
  readonly table: TableModel;
  readonly workers: ApiWorkers;
  /** What a worker naming queues in its `queues` may do with them. */
  readonly sendAccess: (queues: readonly string[]) => SendAccess;
  readonly monitoring: Pick<ApiMonitoring, 'addSource'>;
}

/**
 * The workers of the table's stream: each one's dead-letter queue under `Streams/<name>`, the worker itself (with its
 * event source mapping) under the API's workers.
 */
export class ApiStreams extends Construct {
  private readonly entries: ApiStreamWorker[] = [];

  constructor(scope: Construct, id: string, props: ApiStreamsProps) {
    super(scope, id);
    const { model, table } = props;
    if (!model) return;
    const streamArn = table.table.tableStreamArn;
    if (!streamArn) throw new Error('The table stream workers need the table built with its stream');
    const stream: TableStream = { streamArn, encryptionKey: table.encryptionKey };
    model.warnings.forEach((warning) => Annotations.of(this).addWarningV2('cdk-serverless-api:streamReaders', warning));
    for (const worker of model.workers) {
      const entry = new Construct(this, worker.name);
      const deadLetterQueue = workerDeadLetterQueue(entry, 'DeadLetterQueue', `stream worker ${worker.name}`);
      const source = new TableStreamSource(stream, deadLetterQueue, worker);
      const built = props.workers.add(worker.worker, source, props.sendAccess(worker.worker.options.queues ?? []));
      const label = (what: string) => `${worker.name}: ${what}`;
      props.monitoring.addSource(
        entry,
        streamSourceWatch(
          worker.name,
          {
            iteratorAge: iteratorAge(built.lambdaFunction, label('iterator age'), worker.iteratorAge.period),
            destinationDeliveryFailures: destinationDeliveryFailures(built.lambdaFunction, label('events lost')),
            deadLetters: deadLetterMessages(deadLetterQueue, label('dead letters')),
          },
          worker.iteratorAge,
        ),
      );
      this.entries.push({ name: worker.name, eventSourceMapping: source.mapping!, deadLetterQueue, worker: built });
    }
  }

  /** The stream worker `name`, with its event source mapping and dead-letter queue. */
  public worker(name: string): ApiStreamWorker {
    const found = this.entries.find((entry) => entry.name === name);
    if (!found) {
      const declared = this.entries.map((entry) => JSON.stringify(entry.name)).join(', ') || 'none';
      fail('name', `name one of the API's \`tableStream.workers\` (declared: ${declared})`, name);
    }
    return found;
  }
}
