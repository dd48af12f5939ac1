/** EventBridge: the buses, the rules and the workers they invoke, and the functions allowed to publish. */

import { roleStatements } from './iam';
import { getAttOf, isObject, JsonObject, list, num, obj, refOf, str, T, TemplateIndex } from '../../assembly/template';

export interface EventBusSummary {
  readonly logicalId: string;
  readonly name: string;
  /** Days the bus's archive keeps its events; undefined without an archive. */
  readonly archiveRetentionDays?: number;
}

export interface EventTargetSummary {
  /** The function the rule invokes (its name), or the target's ARN for another kind of target. */
  readonly target: string;
  /** Whether the target is a Lambda function of the template, invoked asynchronously. */
  readonly isFunction: boolean;
  /** The queue getting the events EventBridge could not deliver. */
  readonly deadLetterQueue?: string;
  readonly retryAttempts?: number;
  readonly maxEventAgeSeconds?: number;
  /** Lambda's own asynchronous retries of the function, from its AWS::Lambda::EventInvokeConfig. */
  readonly functionRetryAttempts?: number;
  readonly functionMaxEventAgeSeconds?: number;
  /** Where Lambda sends an event the function still failed on: its on-failure destination or dead-letter queue. */
  readonly onFailure?: string;
}

export interface EventRuleSummary {
  readonly logicalId: string;
  readonly name: string;
  /** The bus's name: `default`, or the name of the bus in the template. */
  readonly bus: string;
  readonly sources: string[];
  readonly detailTypes: string[];
  /** Whether the pattern filters the events' detail too. */
  readonly detailFilter: boolean;
  readonly targets: EventTargetSummary[];
  readonly warnings: string[];
}

export interface PublisherSummary {
  readonly function: string;
  /** The bus the function may put events on, rendered. */
  readonly bus: string;
  /** Sources allowed; empty means any source. */
  readonly sources: string[];
  /** Detail types allowed; empty means any detail type. */
  readonly detailTypes: string[];
  readonly warnings: string[];
}

export interface EventsSummary {
  readonly buses: EventBusSummary[];
  readonly rules: EventRuleSummary[];
  readonly publishers: PublisherSummary[];
}

/** The bus a rule or a statement names: the default bus, a bus of the template by its name, or as written. */
function busName(index: TemplateIndex, value: unknown): string {
  if (value === undefined) return 'default';
  const id = refOf(value) ?? getAttOf(value)?.[0];
  if (id !== undefined && index.get(id)?.Type === T.eventBus) return str(index.props(id).Name) ?? index.name(id);
  const rendered = index.render(value);
  return /:event-bus\/default$/.test(rendered) ? 'default' : rendered.replace(/^.*:event-bus\//, '');
}

/** A queue of the template by its construct path (its short name, `DeadLetterQueue`, says little), or as written. */
function queueName(index: TemplateIndex, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const id = getAttOf(value)?.[0] ?? refOf(value);
  return id !== undefined && index.get(id) ? index.path(id) : index.render(value);
}

/** A function's asynchronous invocation settings: its EventInvokeConfig, or its own dead-letter queue. */
function asyncSettings(index: TemplateIndex, functionId: string): Partial<EventTargetSummary> {
  const config = index
    .ofType(T.eventInvokeConfig)
    .map(([, resource]) => resource.Properties ?? {})
    .find((props) => refOf(props.FunctionName) === functionId || getAttOf(props.FunctionName)?.[0] === functionId);
  const deadLetterQueue = obj(obj(index.props(functionId).DeadLetterConfig)).TargetArn;
  return {
    functionRetryAttempts: num(config?.MaximumRetryAttempts),
    functionMaxEventAgeSeconds: num(config?.MaximumEventAgeInSeconds),
    onFailure: queueName(index, obj(obj(config?.DestinationConfig).OnFailure).Destination ?? deadLetterQueue),
  };
}

function summarizeTarget(index: TemplateIndex, target: JsonObject): EventTargetSummary {
  const functionId = index.functionIn(target.Arn);
  const retry = obj(target.RetryPolicy);
  return {
    target: functionId === undefined ? index.render(target.Arn) : index.name(functionId),
    isFunction: functionId !== undefined,
    deadLetterQueue: queueName(index, obj(target.DeadLetterConfig).Arn),
    retryAttempts: num(retry.MaximumRetryAttempts),
    maxEventAgeSeconds: num(retry.MaximumEventAgeInSeconds),
    ...(functionId === undefined ? {} : asyncSettings(index, functionId)),
  };
}

function summarizeRule(index: TemplateIndex, id: string, props: JsonObject): EventRuleSummary {
  const pattern = obj(props.EventPattern);
  const targets = list(props.Targets)
    .filter(isObject)
    .map((target) => summarizeTarget(index, target));
  // Its short name, `Rule`, says little: its path names its worker.
  const name = index.path(id);
  const warnings: string[] = [];
  for (const target of targets) {
    if (target.deadLetterQueue === undefined) {
      warnings.push(
        `WARNING: target ${target.target} has no dead-letter queue: events EventBridge cannot deliver are dropped`,
      );
    }
    if (target.isFunction && target.onFailure === undefined) {
      warnings.push(
        `WARNING: function ${target.target} has no on-failure destination: events it fails on are dropped after Lambda's retries`,
      );
    }
  }
  return {
    logicalId: id,
    name,
    bus: busName(index, props.EventBusName),
    sources: list(pattern.source).map((source) => index.render(source)),
    detailTypes: list(pattern['detail-type']).map((type) => index.render(type)),
    detailFilter: pattern.detail !== undefined,
    targets,
    warnings,
  };
}

/** The values a PutEvents statement allows for a condition key, under any operator; empty when unconditioned. */
function conditionValues(index: TemplateIndex, condition: JsonObject, key: string): string[] {
  return Object.entries(condition)
    .filter(([operator]) => operator !== 'Null')
    .flatMap(([, clause]) =>
      Object.entries(obj(clause))
        .filter(([k]) => k.toLowerCase() === key)
        .flatMap(([, values]) => list(values).map((value) => index.render(value))),
    );
}

function summarizePublishers(index: TemplateIndex): PublisherSummary[] {
  return index.ofType(T.function).flatMap(([id, fn]) => {
    const roleId = getAttOf(fn.Properties?.Role)?.[0];
    if (roleId === undefined || index.get(roleId)?.Type !== T.role) return [];
    return roleStatements(index, roleId)
      .statements.filter(
        (statement) =>
          (str(statement.Effect) ?? 'Allow') === 'Allow' &&
          list(statement.Action).some((action) =>
            ['events:putevents', 'events:*', '*'].includes(String(action).toLowerCase()),
          ),
      )
      .flatMap((statement) =>
        list(statement.Resource).map((resource) => {
          const condition = obj(statement.Condition);
          const sources = conditionValues(index, condition, 'events:source');
          const detailTypes = conditionValues(index, condition, 'events:detail-type');
          const warnings = [
            ...(sources.length ? [] : ['WARNING: PutEvents for any source (no events:source condition)']),
            ...(index.render(resource) === '*' ? ['WARNING: PutEvents on every bus (Resource "*")'] : []),
          ];
          return { function: index.name(id), bus: busName(index, resource), sources, detailTypes, warnings };
        }),
      );
  });
}

export function summarizeEvents(index: TemplateIndex): EventsSummary {
  const archives = index.ofType(T.eventArchive).map(([, archive]) => archive.Properties ?? {});
  return {
    buses: index.ofType(T.eventBus).map(([id, bus]) => ({
      logicalId: id,
      name: str(bus.Properties?.Name) ?? index.name(id),
      archiveRetentionDays: num(archives.find((archive) => getAttOf(archive.SourceArn)?.[0] === id)?.RetentionDays),
    })),
    rules: index.ofType(T.eventRule).map(([id, rule]) => summarizeRule(index, id, rule.Properties ?? {})),
    publishers: summarizePublishers(index),
  };
}
