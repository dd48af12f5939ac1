import { Fn, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { ApiEventBus, ApiEventBusType } from './event-bus';
import { EventsModel } from './event-model';
import { ApiEventWorker } from './event-options';
import { EventRuleSource } from './event-source';
import { ApiWorkers, SendAccess } from '../functions/api-workers';
import { EventBusProvider } from '../functions/function-publishes';
import { workerDeadLetterQueue } from '../functions/worker-dead-letter-queue';
import { ApiMonitoring } from '../monitoring/api-monitoring';
import {
  deadLetterMessages,
  destinationDeliveryFailures,
  eventSourceWatch,
  ruleMetric,
} from '../monitoring/source-alarms';
import { fail } from '../private/validation';

export interface ApiEventsProps {
  readonly bus: ApiEventBus;
}

/** What the event workers are built with: where workers are built, what they may send to, who watches them. */
export interface EventWorkersProps {
  readonly model: EventsModel;
  readonly workers: ApiWorkers;
  /** What a worker naming queues in its `queues` may do with them. */
  readonly sendAccess: (queues: readonly string[]) => SendAccess;
  readonly monitoring: Pick<ApiMonitoring, 'addSource'>;
}

/**
 * The API's event bus (`Events/EventBus` when the API creates it) and its event workers, each with its rule and its
 * dead-letter queue under `Events/<name>`, the worker itself under the API's workers. The bus is known before any
 * function is built, as publishers name it; the account's default bus is only referenced, when first used.
 */
export class ApiEvents extends Construct implements EventBusProvider {
  private usedBus?: events.IEventBus;
  private readonly entries: ApiEventWorker[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ApiEventsProps,
  ) {
    super(scope, id);
    const { bus } = props;
    if (bus.type === ApiEventBusType.CREATED) {
      const created = new events.EventBus(this, 'EventBus', { eventBusName: bus.props?.eventBusName });
      const retention = bus.props?.archiveRetention;
      if (retention) {
        created.archive('Archive', {
          description: 'Every event put on the API event bus, for replay',
          eventPattern: { account: [Stack.of(this).account] },
          retention,
        });
      }
      this.usedBus = created;
    } else if (bus.type === ApiEventBusType.EXISTING) {
      this.usedBus = bus.bus;
    }
  }

  /** The bus, once a publisher or an event worker uses it (or the API created it, or was given it). */
  public get bus(): events.IEventBus | undefined {
    return this.usedBus;
  }

  /** The event workers, in the order they were declared. */
  public get workers(): ApiEventWorker[] {
    return [...this.entries];
  }

  public busFor(publishes: readonly unknown[] | undefined): events.IEventBus | undefined {
    return publishes?.length ? this.use() : undefined;
  }

  /** The event worker `name`, with its rule and dead-letter queue. */
  public worker(name: string): ApiEventWorker {
    const found = this.entries.find((entry) => entry.name === name);
    if (!found) {
      const declared = this.entries.map((entry) => JSON.stringify(entry.name)).join(', ') || 'none';
      fail('name', `name one of the API's \`events.workers\` (declared: ${declared})`, name);
    }
    return found;
  }

  /** Builds each event worker: its dead-letter queue, its rule, the worker, and their alarms. */
  public addWorkers(props: EventWorkersProps): void {
    for (const model of props.model.workers) {
      const bus = this.use();
      const scope = new Construct(this, model.name);
      const deadLetterQueue = workerDeadLetterQueue(scope, 'DeadLetterQueue', `event worker ${model.name}`);
      const rule = new events.Rule(scope, 'Rule', {
        eventBus: bus,
        description: `Events for worker ${model.name}`,
        eventPattern: {
          source: model.pattern.source,
          detailType: model.pattern['detail-type'],
          detail: model.pattern.detail,
        },
      });
      const worker = props.workers.add(
        model.worker,
        new EventRuleSource(rule, deadLetterQueue, model),
        props.sendAccess(model.worker.options.queues ?? []),
      );
      const dimensions = this.ruleDimensions(rule);
      const label = (what: string) => `${model.name}: ${what}`;
      props.monitoring.addSource(
        scope,
        eventSourceWatch(model.name, {
          failedInvocations: ruleMetric('FailedInvocations', dimensions, label('failed invocations')),
          failedToDeadLetterQueue: ruleMetric('InvocationsFailedToBeSentToDlq', dimensions, label('not sent to DLQ')),
          destinationDeliveryFailures: destinationDeliveryFailures(
            worker.lambdaFunction,
            label('destination failures'),
          ),
          deadLetters: deadLetterMessages(deadLetterQueue, label('dead letters')),
        }),
      );
      this.entries.push({ name: model.name, rule, deadLetterQueue, worker });
    }
  }

  private use(): events.IEventBus {
    this.usedBus ??= events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');
    return this.usedBus;
  }

  /**
   * EventBridge names a rule's metrics by `RuleName` on the default bus, by `EventBusName` and `RuleName` on another
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html), where the rule's `Ref` is
   * `<bus>|<rule>` (https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1131).
   */
  private ruleDimensions(rule: events.Rule): { [name: string]: string } {
    const bus = this.use();
    const onDefaultBus =
      this.props.bus.type === ApiEventBusType.DEFAULT ||
      (this.props.bus.type === ApiEventBusType.EXISTING && bus.eventBusName === 'default');
    if (onDefaultBus) return { RuleName: rule.ruleName };
    return { EventBusName: bus.eventBusName, RuleName: Fn.select(1, Fn.split('|', rule.ruleName)) };
  }
}
