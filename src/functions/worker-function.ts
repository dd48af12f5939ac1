import { Construct } from 'constructs';
import { FunctionSettings } from './bundled-function';
import { DeclaredFunction, DeclaredFunctionProps } from './declared-function';
import { IWorkerFunction, WorkerOptions } from './worker-options';
import { WorkerSource } from './worker-source';
import { FunctionThresholds } from '../monitoring/alarm-thresholds';
import { ResolvedAccessPattern } from '../table/access-model';

/** A worker, checked and resolved (`ServerlessApiModel.addWorker`): what it is built from, with its source. */
export interface WorkerModel {
  readonly name: string;
  /** Where it is declared, for messages: `queues.<name>.worker`. */
  readonly prop: string;
  readonly options: WorkerOptions;
  /** Its runtime, memory, timeout, bundling and observability: its own over the API's `functionDefaults`. */
  readonly settings: FunctionSettings;
  /** The access patterns it uses, bound to the table. */
  readonly accessPatterns: ResolvedAccessPattern[];
  /** Its own `alarms` over the API's `alarms.functions`. */
  readonly thresholds: FunctionThresholds;
}

export interface WorkerFunctionProps extends Omit<
  DeclaredFunctionProps,
  'callerRoleArn' | 'noDeadLetterQueueReason' | 'description' | 'apiEnvironment'
> {
  /** What invokes the worker. */
  readonly source: WorkerSource;
}

/**
 * A worker with the only permissions it needs: its own log group, X-Ray (unless tracing is off), the table items, the
 * secrets and the queues it declared, and what its source needs to hand it events. It has no caller role: caller-bound
 * patterns are refused on workers before anything is built.
 */
export class WorkerFunction extends DeclaredFunction implements IWorkerFunction {
  constructor(scope: Construct, id: string, props: WorkerFunctionProps) {
    const { source } = props;
    super(scope, id, {
      ...props,
      statements: [...props.statements, ...source.statements],
      description: source.description,
      // Workers serve no HTTP response, so the API's CORS settings are not theirs.
      apiEnvironment: {},
      // Never read: validation refuses caller-bound patterns on workers.
      callerRoleArn: '',
      noDeadLetterQueueReason: source.noDeadLetterQueueReason,
    });
    source.bind(this, this.lambdaFunction);
  }
}
