/**
 * The stack's EventBridge buses and rules (`AWS::Events::EventBus`, `AWS::Events::Rule`): the default bus, which every
 * account has, the buses the template creates, and each rule's pattern and targets. Targets the local API delivers to
 * are the stack's Lambda functions and SQS queues; the others are warned about.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-rule.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
 */

import { describeResource, invokedFunction, numberOf, ReadContext, refersTo } from './context';
import { UsageError } from '../../assembly/assembly';
import { isObject, JsonObject, list, obj, T } from '../../assembly/template';
import { patternProblems } from '../patterns';
import type { LocalEventBusModel, LocalQueueModel, LocalRuleModel, LocalRuleTargetModel } from '../workers-model';

/** EventBridge retries delivery 185 times over 24 hours unless a target's RetryPolicy says otherwise. */
const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_EVENT_AGE_SECONDS = 86_400;

export function readBuses(ctx: ReadContext): LocalEventBusModel[] {
  const { partition, region, accountId } = ctx.resolver.env;
  return [
    { name: 'default', arn: `arn:${partition}:events:${region}:${accountId}:event-bus/default` },
    ...ctx.index.ofType(T.eventBus).map(([logicalId]) => ({
      logicalId,
      name: ctx.resolver.physicalName(logicalId),
      arn: ctx.resolver.getAtt(logicalId, 'Arn'),
    })),
  ];
}

/** A JSON object property CloudFormation also takes as a JSON string (`EventPattern`, `FilterCriteria` patterns). */
export function jsonProperty(ctx: ReadContext, value: unknown, where: string): unknown {
  const resolved = ctx.resolver.resolve(value);
  if (typeof resolved !== 'string') return resolved;
  try {
    return JSON.parse(resolved);
  } catch {
    throw new UsageError(`${where} must be JSON, got: ${resolved}`);
  }
}

/** Whether an `AWS::Lambda::Permission` of the template lets `principal` invoke the function (from `sourceArn`). */
export function invokePermitted(ctx: ReadContext, functionId: string, principal: string, sourceArn: string): boolean {
  const functionName = ctx.resolver.physicalName(functionId);
  const functionArn = ctx.resolver.getAtt(functionId, 'Arn');
  return ctx.index.ofType(T.lambdaPermission).some(([, resource]) => {
    const props = resource.Properties ?? {};
    const action = ctx.resolver.resolve(props.Action);
    const target = ctx.resolver.resolve(props.FunctionName);
    const named = refersTo(ctx, props.FunctionName, functionId) || target === functionName || target === functionArn;
    const source = props.SourceArn === undefined ? undefined : ctx.resolver.resolve(props.SourceArn);
    return (
      named &&
      (action === 'lambda:InvokeFunction' || action === 'lambda:*') &&
      ctx.resolver.resolve(props.Principal) === principal &&
      (source === undefined || source === sourceArn)
    );
  });
}

function targetOf(
  ctx: ReadContext,
  rule: { id: string; arn: string; where: string },
  target: JsonObject,
  queues: readonly LocalQueueModel[],
): LocalRuleTargetModel | undefined {
  const id = ctx.resolver.string(target.Id, `${rule.where} target Id`);
  const where = `${rule.where} target ${id}`;
  const arn = ctx.resolver.string(target.Arn, `${where} Arn`);
  const functionId = invokedFunction(ctx, target.Arn, `${where} Arn`);
  const queue = queues.find((candidate) => candidate.arn === arn);
  if (functionId === undefined && queue === undefined) {
    ctx.warnings.push(
      `${where} is ${arn}, which is not a Lambda function or SQS queue of this stack: the local EventBridge delivers nothing to it`,
    );
    return undefined;
  }
  const retry = obj(target.RetryPolicy);
  const transformer = obj(target.InputTransformer);
  const pathsMap = obj(jsonProperty(ctx, transformer.InputPathsMap, `${where} InputPathsMap`));
  const input = ctx.resolver.optionalString(target.Input, `${where} Input`);
  const inputPath = ctx.resolver.optionalString(target.InputPath, `${where} InputPath`);
  const deadLetterQueueArn = ctx.resolver.optionalString(obj(target.DeadLetterConfig).Arn, `${where} DeadLetterConfig`);
  return {
    id,
    arn,
    ...(functionId === undefined ? { queueArn: queue!.arn } : { functionId }),
    ...(input === undefined ? {} : { input }),
    ...(inputPath === undefined ? {} : { inputPath }),
    ...(transformer.InputTemplate === undefined
      ? {}
      : {
          inputTransformer: {
            pathsMap: Object.fromEntries(
              Object.entries(pathsMap).map(([name, path]) => [name, ctx.resolver.string(path, `${where} ${name}`)]),
            ),
            template: ctx.resolver.string(transformer.InputTemplate, `${where} InputTemplate`),
          },
        }),
    retryPolicy: {
      maximumRetryAttempts:
        numberOf(ctx, retry.MaximumRetryAttempts, `${where} MaximumRetryAttempts`) ?? DEFAULT_RETRY_ATTEMPTS,
      maximumEventAgeSeconds:
        numberOf(ctx, retry.MaximumEventAgeInSeconds, `${where} MaximumEventAgeInSeconds`) ?? DEFAULT_EVENT_AGE_SECONDS,
    },
    ...(deadLetterQueueArn === undefined ? {} : { deadLetterQueueArn }),
    // Queues take events by their resource policy, which the local API does not evaluate: delivery is allowed.
    invokeAllowed: functionId === undefined || invokePermitted(ctx, functionId, 'events.amazonaws.com', rule.arn),
  };
}

export function readRules(
  ctx: ReadContext,
  buses: readonly LocalEventBusModel[],
  queues: readonly LocalQueueModel[],
): LocalRuleModel[] {
  const rules: LocalRuleModel[] = [];
  for (const [logicalId, resource] of ctx.index.ofType(T.rule)) {
    const props = resource.Properties ?? {};
    const where = `rule ${describeResource(ctx, logicalId)}`;
    if (props.EventPattern === undefined) {
      const schedule = ctx.resolver.optionalString(props.ScheduleExpression, `${where} ScheduleExpression`);
      ctx.warnings.push(
        `${where} runs on a schedule (${schedule ?? 'no pattern'}): scheduled rules do not run locally; invoke its target yourself (LocalApi invoke())`,
      );
      continue;
    }
    const busValue = ctx.resolver.optionalString(props.EventBusName, `${where} EventBusName`) ?? 'default';
    const bus = buses.find((candidate) => candidate.name === busValue || candidate.arn === busValue);
    if (bus === undefined) {
      ctx.warnings.push(
        `${where} is on event bus ${busValue}, which this stack does not create: it never matches locally`,
      );
      continue;
    }
    const eventPattern = jsonProperty(ctx, props.EventPattern, `${where} EventPattern`);
    for (const problem of patternProblems(eventPattern)) {
      ctx.warnings.push(`${where} EventPattern: ${problem}`);
    }
    const state = ctx.resolver.optionalString(props.State, `${where} State`) ?? 'ENABLED';
    const arn = ctx.resolver.getAtt(logicalId, 'Arn');
    const targets = list(props.Targets)
      .filter(isObject)
      .map((target) => targetOf(ctx, { id: logicalId, arn, where }, target, queues))
      .filter((target): target is LocalRuleTargetModel => target !== undefined);
    for (const target of targets.filter((t) => !t.invokeAllowed)) {
      ctx.warnings.push(
        `${where} target ${target.id}: no AWS::Lambda::Permission lets events.amazonaws.com invoke the function, so every delivery fails${target.deadLetterQueueArn ? ' and goes to its dead-letter queue' : ''}, as in AWS`,
      );
    }
    rules.push({
      logicalId,
      name: ctx.index.name(logicalId),
      ruleName: ctx.resolver.physicalName(logicalId),
      arn,
      busName: bus.name,
      eventPattern,
      enabled: state.startsWith('ENABLED'),
      targets,
    });
  }
  return rules;
}
