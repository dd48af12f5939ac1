import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { EventWorkerModel } from './event-model';
import { WorkerSource } from '../functions/worker-source';
import { FAILURE_DESTINATION_SEND_ACTIONS } from '../private/iam-actions';

/**
 * An event bus rule as a worker's source. EventBridge invokes the worker asynchronously: it retries an invocation
 * Lambda refuses (throttling, a service error) as the rule target's retry policy says, then sends the event to the
 * worker's dead-letter queue (the queue's policy lets EventBridge send for exactly this rule). Lambda retries the worker
 * on an event it fails on, then sends the event with the error to the same queue, its on-failure destination
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html), with the worker's own role: the
 * only thing the source adds to that role. The role holds nothing for the bus.
 */
export class EventRuleSource implements WorkerSource {
  public readonly description: string;
  public readonly noDeadLetterQueueReason: string;
  public readonly statements: iam.PolicyStatement[];

  constructor(
    private readonly rule: events.Rule,
    private readonly deadLetterQueue: sqs.IQueue,
    private readonly model: EventWorkerModel,
  ) {
    const detailTypes = model.pattern['detail-type'];
    this.description = `Worker of events ${model.pattern.source.join(', ')}${detailTypes ? ` (${detailTypes.join(', ')})` : ''}`;
    this.noDeadLetterQueueReason = `Event worker ${model.name} sends the events it still fails on after Lambda's retries to its dead-letter queue as its on-failure destination (AWS::Lambda::EventInvokeConfig), which records the error with each event; a function dead-letter queue would record less.`;
    this.statements = [
      new iam.PolicyStatement({
        actions: [...FAILURE_DESTINATION_SEND_ACTIONS],
        resources: [deadLetterQueue.queueArn],
      }),
    ];
  }

  public bind(scope: IConstruct, fn: lambda.IFunction): void {
    this.rule.addTarget(
      new targets.LambdaFunction(fn, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: this.model.retryAttempts,
        maxEventAge: this.model.maxEventAge,
      }),
    );
    const deadLetterQueueArn = this.deadLetterQueue.queueArn;
    new lambda.EventInvokeConfig(scope as Construct, 'InvokeConfig', {
      function: fn,
      retryAttempts: this.model.functionRetryAttempts,
      maxEventAge: this.model.functionMaxEventAge,
      // Not `SqsDestination`: it would grant the send through the queue's policy, besides the role's own statement.
      onFailure: { bind: () => ({ destination: deadLetterQueueArn }) },
    });
  }
}
