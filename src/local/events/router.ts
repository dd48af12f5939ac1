/**
 * EventBridge's routing on one version of the app: an event put on a bus goes to every enabled rule of that bus whose
 * pattern matches, and to each of the rule's targets with its input. A Lambda target is invoked asynchronously; when
 * EventBridge may not invoke it (no resource policy lets `events.amazonaws.com`), the delivery fails without retries,
 * as failures for missing permissions do, and the event goes to the target's dead-letter queue with the attributes
 * EventBridge adds. An SQS target gets the input as the message body.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rules.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
import { compilePattern, type EventMatcher } from '../patterns';
import type { LocalEventBusModel, LocalRuleModel, LocalRuleTargetModel } from '../workers-model';
import type { EventBridgeEvent } from './api';
import { targetInput } from './target-input';

export interface RouterOptions {
  readonly rules: readonly LocalRuleModel[];
  /** Queues an asynchronous invocation of a function. */
  readonly invoke: (functionId: string, input: unknown, source: string) => void;
  /** Sends a message to a queue of the app, as EventBridge. */
  readonly sendToQueue: (
    queueArn: string,
    body: string,
    attributes?: { readonly [name: string]: { readonly DataType: string; readonly StringValue: string } },
  ) => void;
  readonly log: (line: string) => void;
}

export interface EventRouter {
  /** The names of the rules the event matched. */
  route(bus: LocalEventBusModel, event: EventBridgeEvent): string[];
}

export function createEventRouter(options: RouterOptions): EventRouter {
  const compiled = new Map<LocalRuleModel, EventMatcher>(
    options.rules.map((rule) => [rule, compilePattern(rule.eventPattern).matches]),
  );

  const deliver = (rule: LocalRuleModel, target: LocalRuleTargetModel, event: EventBridgeEvent) => {
    const input = targetInput(target, rule, event);
    if (target.queueArn) {
      options.sendToQueue(target.queueArn, typeof input === 'string' ? input : JSON.stringify(input));
      return;
    }
    if (target.invokeAllowed) {
      options.invoke(target.functionId!, input, `rule ${rule.name}`);
      return;
    }
    const message = `EventBridge may not invoke ${target.arn}: no resource-based policy of the function allows events.amazonaws.com`;
    if (!target.deadLetterQueueArn) {
      options.log(`rule ${rule.name} target ${target.id}: ${message}; the event is dropped`);
      return;
    }
    options.log(`rule ${rule.name} target ${target.id}: ${message}; the event goes to its dead-letter queue`);
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    options.sendToQueue(target.deadLetterQueueArn, JSON.stringify(event), {
      RULE_ARN: text(rule.arn),
      TARGET_ARN: text(target.arn),
      ERROR_CODE: text('NO_PERMISSIONS'),
      ERROR_MESSAGE: text(message),
      EXHAUSTED_RETRY_CONDITION: text('MaximumRetryAttempts'),
      RETRY_ATTEMPTS: text('0'),
    });
  };

  return {
    route(bus, event) {
      const matched: string[] = [];
      for (const [rule, matches] of compiled) {
        if (!rule.enabled || rule.busName !== bus.name || !matches(event)) continue;
        matched.push(rule.name);
        for (const target of rule.targets) deliver(rule, target, event);
      }
      return matched;
    },
  };
}
