import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/**
 * What invokes a worker: a queue's messages today; an event bus rule or a table stream are further sources, each one
 * new implementation of this interface. A source gives the worker's role exactly what taking its events needs, says
 * where failed events go, and connects itself to the worker once it is built.
 */
export interface WorkerSource {
  /** What invokes the worker, for its description: "Worker of queue thumbnails". */
  readonly description: string;
  /** Where failed events go instead of a dead-letter queue of the function's own, for cdk-nag. */
  readonly noDeadLetterQueueReason: string;
  /** What the worker's role needs to take the source's events: exact resources, nothing else. */
  readonly statements: iam.PolicyStatement[];
  /** Connects the source to the worker's function, in the worker's scope (an event source mapping, a rule target). */
  bind(scope: IConstruct, fn: lambda.IFunction): void;
}
