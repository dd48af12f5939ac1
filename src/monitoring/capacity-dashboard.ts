import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmThreshold, TableThresholds } from './alarm-thresholds';
import { CAPACITY_SIGNALS } from './capacity-alarms';
import { CapacityMetrics } from './capacity-metrics';
import { numberText } from '../private/validation';
import { CapacityKind, CapacityLimit } from '../table/table-capacity';

/** How the dashboard draws a graph, and the line of an alarm's threshold. */
export interface GraphTools {
  readonly graph: (
    title: string,
    left: cloudwatch.IMetric[],
    annotations?: cloudwatch.HorizontalAnnotation[],
  ) => cloudwatch.GraphWidget;
  readonly thresholdLine: (label: string, threshold: AlarmThreshold) => cloudwatch.HorizontalAnnotation[];
}

/**
 * The capacity row: for reads and for writes that have a limit, consumed against provisioned capacity (or the on-demand
 * maximum) in units per second, then consumption as a share of its limit with the alarm's threshold. None without a
 * limit.
 */
export function capacityGraphs(
  metrics: CapacityMetrics,
  limits: readonly CapacityLimit[],
  thresholds: TableThresholds,
  tools: GraphTools,
): cloudwatch.GraphWidget[] {
  return [CapacityKind.READ, CapacityKind.WRITE].flatMap((kind) => {
    const own = limits.filter((limit) => limit.kind === kind);
    if (!own.length) return [];
    const threshold = thresholds[CAPACITY_SIGNALS[kind]];
    const period = { period: threshold.period };
    const units = kind === CapacityKind.READ ? 'reads' : 'writes';
    const provisioned = own.some((limit) => limit.autoScaling);
    const maximums: cloudwatch.HorizontalAnnotation[] = own
      .filter((limit) => limit.maxRequestUnits !== undefined)
      .map((limit) => ({
        value: limit.maxRequestUnits!,
        label: `on-demand maximum, ${numberText(limit.maxRequestUnits!)} ${units} per second`,
      }));
    return [
      tools.graph(
        `Table: ${units} consumed against ${provisioned ? 'provisioned' : 'the maximum'} (units per second)`,
        own.flatMap((limit) => [
          metrics.consumedPerSecond(kind, limit.indexName, period),
          ...(limit.autoScaling ? [metrics.provisioned(kind, limit.indexName, period)] : []),
        ]),
        maximums,
      ),
      tools.graph(
        `Table: ${units} (% of ${provisioned ? 'provisioned' : 'the maximum'})`,
        own.map((limit) => metrics.utilization(limit, period)),
        tools.thresholdLine(kind === CapacityKind.READ ? 'read capacity' : 'write capacity', threshold),
      ),
    ];
  });
}
