/**
 * How Lambda feeds the stack's workers: event source mappings from SQS queues and DynamoDB streams
 * (`AWS::Lambda::EventSourceMapping`), with Lambda's defaults for what the template leaves out, and each function's
 * asynchronous invocation settings (`AWS::Lambda::EventInvokeConfig`, the function's `DeadLetterConfig`).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-eventinvokeconfig.html
 */

import { booleanOf, describeResource, numberOf, ReadContext } from './context';
import { jsonProperty } from './events';
import { isObject, list, obj, T } from '../../assembly/template';
import type { LocalTableModel } from '../model';
import { patternProblems } from '../patterns';
import {
  ASYNC_DEFAULTS,
  type LocalAsyncConfigModel,
  type LocalEventSourceMappingModel,
  type LocalQueueModel,
} from '../workers-model';

/** The logical id of the stack's function a `FunctionName` names (a Ref, an ARN, a name, qualified or not). */
export function functionNamed(ctx: ReadContext, value: unknown, where: string): string | undefined {
  const direct = ctx.index.functionIn(value);
  if (direct !== undefined) return direct;
  const text = ctx.resolver.optionalString(value, where);
  if (text === undefined) return undefined;
  const parts = text.split(':');
  const unqualified = parts.length > 7 && parts[5] === 'function' ? parts.slice(0, 7).join(':') : text;
  return ctx.index
    .ofType(T.function)
    .map(([id]) => id)
    .find((id) => [ctx.resolver.physicalName(id), ctx.resolver.getAtt(id, 'Arn')].includes(unqualified));
}

/** The parsed patterns of `FilterCriteria.Filters`, each checked for what the local matcher cannot use. */
function filtersOf(ctx: ReadContext, criteria: unknown, where: string): unknown[] {
  return list(obj(ctx.resolver.resolve(criteria)).Filters)
    .filter(isObject)
    .map((filter, i) => {
      const pattern = jsonProperty(ctx, filter.Pattern, `${where} FilterCriteria.Filters[${i}].Pattern`);
      for (const problem of patternProblems(pattern)) {
        ctx.warnings.push(`${where} FilterCriteria.Filters[${i}]: ${problem}`);
      }
      return pattern;
    });
}

/** An on-failure or on-success destination: the local API delivers to the stack's SQS queues only. */
function destinationOf(
  ctx: ReadContext,
  value: unknown,
  queues: readonly LocalQueueModel[],
  where: string,
): string | undefined {
  const arn = ctx.resolver.optionalString(obj(value).Destination, `${where} Destination`);
  if (arn === undefined) return undefined;
  if (!queues.some((queue) => queue.arn === arn)) {
    ctx.warnings.push(`${where} is ${arn}, which is not an SQS queue of this stack: the local API sends it nothing`);
    return undefined;
  }
  return arn;
}

export function readMappings(
  ctx: ReadContext,
  queues: readonly LocalQueueModel[],
  tables: readonly LocalTableModel[],
): LocalEventSourceMappingModel[] {
  const mappings: LocalEventSourceMappingModel[] = [];
  for (const [logicalId, resource] of ctx.index.ofType(T.eventSourceMapping)) {
    const props = resource.Properties ?? {};
    const where = `event source mapping ${describeResource(ctx, logicalId)}`;
    const functionId = functionNamed(ctx, props.FunctionName, `${where} FunctionName`);
    const sourceArn = ctx.resolver.optionalString(props.EventSourceArn, `${where} EventSourceArn`) ?? '(none)';
    const queue = queues.find((candidate) => candidate.arn === sourceArn);
    const table = tables.find((candidate) => candidate.stream?.arn === sourceArn);
    if (functionId === undefined || (queue === undefined && table === undefined)) {
      ctx.warnings.push(
        `${where} reads ${sourceArn}${functionId === undefined ? ' into a function of another stack' : ''}: the local API polls the stack's own SQS queues and table streams into its own functions, so it does not run`,
      );
      continue;
    }
    const number = (key: string, fallback: number) => numberOf(ctx, props[key], `${where} ${key}`) ?? fallback;
    const common = {
      logicalId,
      functionId,
      enabled: booleanOf(ctx, props.Enabled) ?? true,
      maximumBatchingWindowSeconds: number('MaximumBatchingWindowInSeconds', 0),
      reportBatchItemFailures: ctx.resolver
        .strings(props.FunctionResponseTypes, `${where} FunctionResponseTypes`)
        .includes('ReportBatchItemFailures'),
      filters: filtersOf(ctx, props.FilterCriteria, where),
    };
    if (queue !== undefined) {
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-queueconfig
      const timeout = numberOf(ctx, ctx.index.props(functionId).Timeout, `${where} function Timeout`) ?? 3;
      if (queue.visibilityTimeoutSeconds < timeout) {
        ctx.warnings.push(
          `${where}: the queue's visibility timeout (${queue.visibilityTimeoutSeconds} s) is shorter than the function's timeout (${timeout} s), so Lambda refuses to create the mapping and the deploy fails; locally it runs`,
        );
      }
      if (!queue.fifo) {
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html
        ctx.warnings.push(
          `${where}: SQS delivers a standard queue's messages at least once and not always in order; locally each comes once and in order (again only after its visibility timeout), so a worker that is not idempotent passes here and fails in AWS`,
        );
      }
      const maximumConcurrency = numberOf(
        ctx,
        obj(ctx.resolver.resolve(props.ScalingConfig)).MaximumConcurrency,
        `${where} ScalingConfig.MaximumConcurrency`,
      );
      mappings.push({
        kind: 'sqs',
        ...common,
        queueArn: queue.arn,
        batchSize: number('BatchSize', 10),
        ...(maximumConcurrency === undefined ? {} : { maximumConcurrency }),
      });
      continue;
    }
    const startingPosition = ctx.resolver.optionalString(props.StartingPosition, `${where} StartingPosition`);
    if (startingPosition !== 'LATEST' && startingPosition !== 'TRIM_HORIZON') {
      ctx.warnings.push(`${where} starts at ${startingPosition ?? '(none)'}: it reads from the stream's start locally`);
    }
    if (number('ParallelizationFactor', 1) > 1 || props.TumblingWindowInSeconds !== undefined) {
      ctx.warnings.push(
        `${where}: the local stream has one shard, read one batch at a time in order; ParallelizationFactor and tumbling windows do not apply`,
      );
    }
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.Processing
    ctx.warnings.push(
      `${where}: the local stream has one shard, so records of different items arrive in the order written; DynamoDB keeps that order per item only`,
    );
    const onFailureArn = destinationOf(
      ctx,
      obj(ctx.resolver.resolve(props.DestinationConfig)).OnFailure,
      queues,
      `${where} on-failure destination`,
    );
    mappings.push({
      kind: 'dynamodb',
      ...common,
      tableId: table!.logicalId,
      streamArn: sourceArn,
      startingPosition: startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
      batchSize: number('BatchSize', 100),
      bisectBatchOnFunctionError: booleanOf(ctx, props.BisectBatchOnFunctionError) ?? false,
      maximumRetryAttempts: number('MaximumRetryAttempts', -1),
      maximumRecordAgeSeconds: number('MaximumRecordAgeInSeconds', -1),
      ...(onFailureArn === undefined ? {} : { onFailureArn }),
    });
  }
  return mappings;
}

export function readAsyncConfigs(
  ctx: ReadContext,
  queues: readonly LocalQueueModel[],
): { [functionId: string]: LocalAsyncConfigModel } {
  const configs: { [functionId: string]: LocalAsyncConfigModel } = {};
  for (const [functionId, resource] of ctx.index.ofType(T.function)) {
    const target = obj(resource.Properties?.DeadLetterConfig).TargetArn;
    if (target === undefined) continue;
    const deadLetterArn = destinationOf(
      ctx,
      { Destination: target },
      queues,
      `function ${describeResource(ctx, functionId)} DeadLetterConfig`,
    );
    if (deadLetterArn !== undefined) configs[functionId] = { ...ASYNC_DEFAULTS, deadLetterArn };
  }
  for (const [logicalId, resource] of ctx.index.ofType(T.eventInvokeConfig)) {
    const props = resource.Properties ?? {};
    const where = `event invoke config ${describeResource(ctx, logicalId)}`;
    const functionId = functionNamed(ctx, props.FunctionName, `${where} FunctionName`);
    if (functionId === undefined) continue;
    const destinations = obj(ctx.resolver.resolve(props.DestinationConfig));
    const onSuccessArn = destinationOf(ctx, destinations.OnSuccess, queues, `${where} on-success destination`);
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.Processing
    ctx.warnings.push(
      `${where}: the local stream has one shard, so records of different items arrive in the order written; DynamoDB keeps that order per item only`,
    );
    const onFailureArn = destinationOf(ctx, destinations.OnFailure, queues, `${where} on-failure destination`);
    configs[functionId] = {
      ...(configs[functionId] ?? ASYNC_DEFAULTS),
      maximumRetryAttempts:
        numberOf(ctx, props.MaximumRetryAttempts, `${where} MaximumRetryAttempts`) ??
        ASYNC_DEFAULTS.maximumRetryAttempts,
      maximumEventAgeSeconds:
        numberOf(ctx, props.MaximumEventAgeInSeconds, `${where} MaximumEventAgeInSeconds`) ??
        ASYNC_DEFAULTS.maximumEventAgeSeconds,
      ...(onSuccessArn === undefined ? {} : { onSuccessArn }),
      ...(onFailureArn === undefined ? {} : { onFailureArn }),
    };
  }
  return configs;
}
