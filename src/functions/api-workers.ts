import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { QueueDescriptor } from './function-environment';
import { EventBusProvider } from './function-publishes';
import { WorkerFunction, WorkerModel } from './worker-function';
import { WorkerSource } from './worker-source';
import { ApiMonitoring } from '../monitoring/api-monitoring';
import { TableModel } from '../table/table-builder';

/** What a worker may send to: its queues' descriptors (URLs as tokens) and the statements allowing exactly that. */
export interface SendAccess {
  readonly queues: { readonly [name: string]: QueueDescriptor };
  readonly statements: iam.PolicyStatement[];
}

/** Sending to no queue. */

export interface ApiWorkersProps {
  /** The bus of the workers that publish events; needed only when one does. */
  readonly eventBus?: EventBusProvider;
  readonly table: TableModel;
  readonly logRetention: logs.RetentionDays;
  /** Watches each worker: its alarms and its dashboard graphs. */
  readonly monitoring: Pick<ApiMonitoring, 'addWorker'>;
}

/**
 * The API's workers, whatever their source, under one scope (`Workers/<name>`): each source builds its part (a queue,
 * a rule) and hands the worker here with what invokes it, so every worker gets the same role, logs and alarms.
 */
export class ApiWorkers extends Construct {
  private readonly built: WorkerFunction[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ApiWorkersProps,
  ) {
    super(scope, id);
  }

  /** The workers, in the order they were built. */
  public get workers(): WorkerFunction[] {
    return [...this.built];
  }

  /** Builds a worker invoked by `source`, which may send to `sends`. */
  public add(model: WorkerModel, source: WorkerSource, sends: SendAccess): WorkerFunction {
    // A worker naming a queue it was given no access to would only fail at run time, sending.
    const missing = (model.options.queues ?? []).filter((queue) => !(queue in sends.queues));
    if (missing.length) throw new Error(`Worker ${model.name} has no access to its queues ${missing.join(', ')}`);
    const worker = new WorkerFunction(this, model.name, {
      prop: model.prop,
      name: model.name,
      eventBus: this.props.eventBus?.busFor(model.options.publishes),
      options: model.options,
      settings: model.settings,
      table: this.props.table,
      accessPatterns: model.accessPatterns,
      queues: sends.queues,
      statements: sends.statements,
      logRetention: this.props.logRetention,
      source,
    });
    worker.alarms.push(
      ...this.props.monitoring.addWorker({
        scope: worker,
        name: model.name,
        metrics: worker.metrics,
        timeout: worker.timeout,
        thresholds: model.thresholds,
      }),
    );
    this.built.push(worker);
    return worker;
  }
}
