/**
 * What the local API reads of a stack's asynchronous parts: SQS queues, EventBridge buses and rules, Lambda event
 * source mappings (queues and table streams) and asynchronous invocation settings. Types only; `reader/` builds them
 * from the standard CloudFormation resources, with every default AWS documents filled in.
 */

/** An `AWS::SQS::Queue`. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html */
export interface LocalQueueModel {
  readonly logicalId: string;
  /** The name it was declared with (its construct id), or its logical id. */
  readonly name: string;
  /** Its name in SQS (a FIFO queue's ends in `.fifo`). */
  readonly queueName: string;
  readonly arn: string;
  /**
   * Its URL as `Ref` gives it in the template (`https://sqs.<region>.amazonaws.com/<account>/<name>`). Functions see
   * the same path on the local endpoint instead (`http://127.0.0.1:<port>/<account>/<name>`): the local API rewrites
   * every environment value that holds this URL once it knows where it listens.
   */
  readonly url: string;
  readonly fifo: boolean;
  /** FIFO: a message without a deduplication id is deduplicated by the SHA-256 of its body. */
  readonly contentBasedDeduplication: boolean;
  /** FIFO: `messageGroup` deduplicates within each group, `queue` (the default) across the queue. */
  readonly deduplicationScope: 'queue' | 'messageGroup';
  /** Default 30. */
  readonly visibilityTimeoutSeconds: number;
  /** Default 345600 (4 days). */
  readonly retentionSeconds: number;
  /** Default 0. */
  readonly delaySeconds: number;
  /** Default 0 (short polling). */
  readonly receiveWaitTimeSeconds: number;
  /** Default 262144 (256 KiB). */
  readonly maximumMessageSizeBytes: number;
  /** Where a message goes once it has been received more than `maxReceiveCount` times. */
  readonly redrive?: { readonly deadLetterQueueArn: string; readonly maxReceiveCount: number };
  /** A customer managed KMS key (`KmsMasterKeyId`): senders need `kms:GenerateDataKey`, receivers `kms:Decrypt`. */
  readonly kmsKeyArn?: string;
}

/** An event bus: the account's `default` one, or an `AWS::Events::EventBus`. */
export interface LocalEventBusModel {
  readonly name: string;
  readonly arn: string;
  /** Absent for the default bus, which no template creates. */
  readonly logicalId?: string;
}

/** An `AWS::Events::Rule` with an event pattern (scheduled rules do not run locally). */
export interface LocalRuleModel {
  readonly logicalId: string;
  readonly name: string;
  readonly ruleName: string;
  readonly arn: string;
  readonly busName: string;
  /** The event pattern, as JSON. */
  readonly eventPattern: unknown;
  /** `ENABLED` rules match; any other state does not. */
  readonly enabled: boolean;
  readonly targets: readonly LocalRuleTargetModel[];
}

/** A target of a rule: a Lambda function or an SQS queue of the stack. */
export interface LocalRuleTargetModel {
  readonly id: string;
  readonly arn: string;
  /** Logical id of the function it invokes (asynchronously). */
  readonly functionId?: string;
  /** ARN of the queue it sends to. */
  readonly queueArn?: string;
  /** What the target receives instead of the event: a constant (`Input`), a path into the event, or a template. */
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: {
    readonly pathsMap: { readonly [name: string]: string };
    readonly template: string;
  };
  /** EventBridge's own retries when it cannot deliver: 185 attempts over 24 hours by default. */
  readonly retryPolicy: { readonly maximumRetryAttempts: number; readonly maximumEventAgeSeconds: number };
  /** Where EventBridge puts an event it could not deliver. */
  readonly deadLetterQueueArn?: string;
  /**
   * Whether a resource policy of the function lets EventBridge invoke it (an `AWS::Lambda::Permission` for
   * `events.amazonaws.com`); without one, every delivery fails.
   */
  readonly invokeAllowed: boolean;
}

/** An `AWS::Lambda::EventSourceMapping` from an SQS queue. */
export interface LocalQueueMappingModel {
  readonly kind: 'sqs';
  readonly logicalId: string;
  readonly functionId: string;
  readonly queueArn: string;
  readonly enabled: boolean;
  /** Default 10. */
  readonly batchSize: number;
  /** Default 0. */
  readonly maximumBatchingWindowSeconds: number;
  /** `FunctionResponseTypes: [ReportBatchItemFailures]`. */
  readonly reportBatchItemFailures: boolean;
  /** `ScalingConfig.MaximumConcurrency`; absent when unset. */
  readonly maximumConcurrency?: number;
  /** `FilterCriteria.Filters[].Pattern`, parsed; an event matches when any matches. */
  readonly filters: readonly unknown[];
}

/** An `AWS::Lambda::EventSourceMapping` from a DynamoDB table's stream. */
export interface LocalStreamMappingModel {
  readonly kind: 'dynamodb';
  readonly logicalId: string;
  readonly functionId: string;
  /** Logical id of the table whose stream it reads. */
  readonly tableId: string;
  readonly streamArn: string;
  readonly enabled: boolean;
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
  /** Default 100. */
  readonly batchSize: number;
  /** Default 0. */
  readonly maximumBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly filters: readonly unknown[];
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 (the default): retried until the record expires. */
  readonly maximumRetryAttempts: number;
  /** -1 (the default): the stream's retention, 24 hours. */
  readonly maximumRecordAgeSeconds: number;
  /** An SQS queue that receives a record of each discarded batch. */
  readonly onFailureArn?: string;
}

export type LocalEventSourceMappingModel = LocalQueueMappingModel | LocalStreamMappingModel;

/** How Lambda handles a function's asynchronous invocations (`AWS::Lambda::EventInvokeConfig`, or the defaults). */
export interface LocalAsyncConfigModel {
  /** Default 2. */
  readonly maximumRetryAttempts: number;
  /** Default 21600 (6 hours). */
  readonly maximumEventAgeSeconds: number;
  readonly onSuccessArn?: string;
  readonly onFailureArn?: string;
  /** The function's own dead-letter queue (`DeadLetterConfig.TargetArn`), used when no on-failure destination is set. */
  readonly deadLetterArn?: string;
}

/** Lambda's defaults for asynchronous invocation. https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html */
export const ASYNC_DEFAULTS: LocalAsyncConfigModel = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 };

/** A table's stream (`StreamSpecification`). */
export interface LocalStreamModel {
  readonly viewType: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
  readonly arn: string;
}

/** Everything asynchronous a stack holds. */
export interface LocalWorkersModel {
  readonly queues: readonly LocalQueueModel[];
  readonly buses: readonly LocalEventBusModel[];
  readonly rules: readonly LocalRuleModel[];
  readonly mappings: readonly LocalEventSourceMappingModel[];
  /** By function logical id; a function without an entry has `ASYNC_DEFAULTS`. */
  readonly asyncConfigs: { readonly [functionId: string]: LocalAsyncConfigModel };
}

/** A stack without any of them. */
export const NO_WORKERS: LocalWorkersModel = { queues: [], buses: [], rules: [], mappings: [], asyncConfigs: {} };
