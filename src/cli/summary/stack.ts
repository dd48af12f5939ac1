/** The summary of one stack: every section, resource counts and the warnings gathered from all of them. */

import { AccessPatternSummary, summarizeAccessPatterns } from './access-patterns';
import { AlarmSummary, summarizeAlarms } from './alarms';
import { ApiSummary, RouteSummary, summarizeApis, summarizeRoutes, unmatchedRouteSettings } from './api';
import { EventsSummary, summarizeEvents } from './events';
import { FunctionSummary, summarizeFunction } from './functions';
import { PrefixIsolationSummary, summarizeIsolation } from './isolation';
import { LogGroupSummary, summarizeLogGroups } from './log-groups';
import { MonitoringSummary, summarizeMonitoring } from './monitoring';
import { queueLinks, QueueSummary, summarizeQueues } from './queues';
import { StreamWorkerSummary, summarizeStreams } from './streams';
import { summarizeTable, TableSummary } from './tables';
import { CfnTemplate, T, TemplateIndex } from '../../assembly/template';
import { PARTITION_LIMITS } from '../../shared/key-shape';

export interface ResourceCountSummary {
  readonly total: number;
  readonly byType: Record<string, number>;
  readonly routes: number;
  readonly functions: number;
}

export interface StackSummary {
  readonly stackName: string;
  readonly apis: ApiSummary[];
  readonly routes: RouteSummary[];
  readonly functions: FunctionSummary[];
  /** The queues, each with its dead-letter queue, senders and workers. */
  readonly queues: QueueSummary[];
  readonly tables: TableSummary[];
  /** The access patterns the APIs declare, with the functions using each. */
  readonly accessPatterns: AccessPatternSummary[];
  /** Which functions may write each partition prefix. */
  readonly isolation: PrefixIsolationSummary[];
  readonly logGroups: LogGroupSummary[];
  /** Event buses, their rules and the workers they invoke, and the functions allowed to publish. */
  readonly events: EventsSummary;
  /** The functions reading a table's stream. */
  readonly streams: StreamWorkerSummary[];
  readonly alarms: AlarmSummary[];
  /** Dashboards, notification topics and metric filters. */
  readonly monitoring: MonitoringSummary;
  readonly resources: ResourceCountSummary;
  /** Every warning of the stack, prefixed with where it was found. */
  readonly warnings: string[];
}

function countResources(index: TemplateIndex): ResourceCountSummary {
  const byType: Record<string, number> = {};
  for (const [, resource] of index.all()) byType[resource.Type] = (byType[resource.Type] ?? 0) + 1;
  return {
    total: index.all().length,
    byType,
    routes: byType[T.route] ?? 0,
    functions: byType[T.function] ?? 0,
  };
}

function collectWarnings(summary: Omit<StackSummary, 'warnings'>, index: TemplateIndex): string[] {
  const warnings: string[] = [];
  for (const api of summary.apis) {
    if (api.protocol === 'REST') warnings.push(`api ${api.name}: REST API routes are not summarized by this tool`);
    for (const stage of api.stages) {
      if (!stage.throttle) warnings.push(`api ${api.name}: WARNING: stage ${stage.name} has no default throttling`);
      if (!stage.accessLogGroup) warnings.push(`api ${api.name}: WARNING: stage ${stage.name} has no access log`);
    }
  }
  warnings.push(...unmatchedRouteSettings(index).map((w) => `WARNING: ${w}`));
  for (const fn of summary.functions) {
    warnings.push(...fn.warnings.map((w) => `function ${fn.name}: ${w}`));
    for (const statement of fn.dynamodb) {
      const where = `function ${fn.name}: ${statement.actions.join(', ')} on ${statement.targets.join(', ')}`;
      warnings.push(...statement.warnings.map((w) => `${where}: ${w}`));
    }
  }
  for (const queue of summary.queues) warnings.push(...queue.warnings.map((w) => `queue ${queue.name}: ${w}`));
  for (const pattern of summary.accessPatterns) {
    if (pattern.singlePartition === 'hot') {
      warnings.push(
        `access pattern ${pattern.name}: WARNING: every item in one partition (${pattern.keyCondition}), which serves at most ${PARTITION_LIMITS}: a hot partition under load (give it a parameter, or \`shards\`)`,
      );
    }
    if (pattern.operation === 'Scan' && pattern.functions.length > 0) {
      warnings.push(
        `access pattern ${pattern.name}: Scan reads every item, whatever the key (used by ${pattern.functions.join(', ')})`,
      );
    }
  }
  for (const prefix of summary.isolation) {
    if (prefix.warning) warnings.push(`partition prefix ${prefix.prefix}: WARNING: ${prefix.warning}`);
  }
  for (const rule of summary.events.rules) warnings.push(...rule.warnings.map((w) => `event rule ${rule.name}: ${w}`));
  for (const publisher of summary.events.publishers) {
    warnings.push(...publisher.warnings.map((w) => `function ${publisher.function}: ${w}`));
  }
  for (const worker of summary.streams) {
    warnings.push(...worker.warnings.map((w) => `stream worker ${worker.function}: ${w}`));
  }
  for (const logGroup of summary.logGroups.filter((group) => group.retentionDays === undefined)) {
    warnings.push(`log group ${logGroup.name}: WARNING: no RetentionInDays (never expires)`);
  }
  return warnings;
}

/** Summarizes the serverless API that one CloudFormation template defines. */
export function summarizeTemplate(template: CfnTemplate, stackName = 'Stack'): StackSummary {
  const index = new TemplateIndex(template);
  const apis = summarizeApis(index);
  const accessPatterns = summarizeAccessPatterns(index);
  const links = queueLinks(index);
  const partial = {
    stackName,
    apis,
    routes: summarizeRoutes(index, apis),
    functions: index.ofType(T.function).map(([id, fn]) => summarizeFunction(index, id, fn.Properties ?? {}, links)),
    queues: summarizeQueues(index, links),
    tables: index.ofType(T.globalTable, T.table).map(([id, table]) => summarizeTable(index, id, table)),
    accessPatterns,
    isolation: summarizeIsolation(accessPatterns),
    logGroups: summarizeLogGroups(index),
    events: summarizeEvents(index),
    streams: summarizeStreams(index),
    alarms: summarizeAlarms(index),
    monitoring: summarizeMonitoring(index),
    resources: countResources(index),
  };
  return { ...partial, warnings: collectWarnings(partial, index) };
}
