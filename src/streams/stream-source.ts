import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { StreamWorkerModel } from './stream-model';
import { WorkerSource } from '../functions/worker-source';
import {
  DYNAMODB_STREAM_LIST_ACTIONS,
  DYNAMODB_STREAM_READ_ACTIONS,
  FAILURE_DESTINATION_SEND_ACTIONS,
  KMS_STREAM_READ_ACTIONS,
} from '../private/iam-actions';

/** The table's stream, as its workers read it. */
export interface TableStream {
  readonly streamArn: string;
  /** The table's customer-managed key, which encrypts the stream's records too. */
  readonly encryptionKey?: kms.IKey;
}

const LIST_STREAMS_REASON =
  "dynamodb:ListStreams, which Lambda's DynamoDB event source mapping needs, supports no resource-level permission: it lists stream ARNs, never records; reading records is allowed on the table's stream only.";

/**
 * The table's stream as a worker's source: Lambda polls the stream with the worker's role, which may read exactly that
 * stream (and decrypt its records with the table's key, only through DynamoDB), and hands the worker batches in order
 * per item. The worker reports the records it failed on (partial batch responses); a batch it keeps failing on is split
 * and retried, then Lambda describes it (shard, sequence numbers, never the records) in the worker's dead-letter queue,
 * its on-failure destination, with the worker's role, and the stream moves on.
 */
export class TableStreamSource implements WorkerSource {
  public readonly description: string;
  public readonly noDeadLetterQueueReason: string;
  public readonly statements: iam.PolicyStatement[];
  /** The mapping, once the source is bound to its worker. */
  public mapping?: lambda.EventSourceMapping;

  constructor(
    private readonly stream: TableStream,
    private readonly deadLetterQueue: sqs.IQueue,
    private readonly model: StreamWorkerModel,
  ) {
    this.description = `Worker of the table stream${model.filters.length ? ' (filtered)' : ''}`;
    this.noDeadLetterQueueReason = `Lambda hands stream worker ${model.name} the table's stream records through an event source mapping: a batch it keeps failing on is described in its dead-letter queue, the mapping's on-failure destination, never in a queue of the function's own.`;
    this.statements = [
      new iam.PolicyStatement({ actions: [...DYNAMODB_STREAM_READ_ACTIONS], resources: [stream.streamArn] }),
      new iam.PolicyStatement({ actions: [...DYNAMODB_STREAM_LIST_ACTIONS], resources: ['*'] }),
      ...(stream.encryptionKey
        ? [
            new iam.PolicyStatement({
              actions: [...KMS_STREAM_READ_ACTIONS],
              resources: [stream.encryptionKey.keyArn],
              conditions: {
                StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(deadLetterQueue).region}.amazonaws.com` },
              },
            }),
          ]
        : []),
      new iam.PolicyStatement({
        actions: [...FAILURE_DESTINATION_SEND_ACTIONS],
        resources: [deadLetterQueue.queueArn],
      }),
    ];
  }

  public bind(scope: IConstruct, fn: lambda.IFunction): void {
    const { model } = this;
    const deadLetterQueueArn = this.deadLetterQueue.queueArn;
    this.mapping = new lambda.EventSourceMapping(scope as Construct, 'EventSource', {
      target: fn,
      eventSourceArn: this.stream.streamArn,
      startingPosition: model.startingPosition,
      batchSize: model.batchSize,
      maxBatchingWindow: model.maxBatchingWindow,
      retryAttempts: model.retryAttempts,
      maxRecordAge: model.maxRecordAge,
      bisectBatchOnError: model.bisectBatchOnError,
      parallelizationFactor: model.parallelizationFactor,
      // Without it one failed record fails its whole batch, handled again from its first record.
      reportBatchItemFailures: true,
      filters: model.filters.length ? model.filters : undefined,
      // Not `SqsDlq`: it would grant the send through the queue's policy, besides the role's own statement.
      onFailure: { bind: () => ({ destination: deadLetterQueueArn }) },
    });
    // The worker's scope holds its role: the acknowledgement reaches the role's finding.
    Validations.of(scope).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: LIST_STREAMS_REASON });
    Validations.of(scope).acknowledge({ id: 'Serverless-LambdaStarPermissions', reason: LIST_STREAMS_REASON });
  }
}
