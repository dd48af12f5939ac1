import { TableAlarmOptions } from './alarm-options';
import { AlarmThreshold, describeEvaluation, describeMax, TableThresholds } from './alarm-thresholds';
import { CapacityMetrics } from './capacity-metrics';
import { AlarmSeverity, AlarmSpec } from '../private/alarm-factory';
import { fail, isLiteral, numberText } from '../private/validation';
import { CapacityKind, CapacityLimit } from '../table/table-capacity';

/**
 * The alarms on consumed capacity against its limit: provisioned capacity (table and each index) or an on-demand
 * maximum (table). Warnings: the throttle alarms, critical, still say when requests fail; these say it is coming.
 */

/** The threshold of each kind of capacity, in `alarms.table`. */
export const CAPACITY_SIGNALS = {
  [CapacityKind.READ]: 'readCapacityUtilization',
  [CapacityKind.WRITE]: 'writeCapacityUtilization',
} as const;

/** The alarm's name after the API's prefix: `Table-ReadCapacityUtilization`, `Index-<name>-WriteCapacityUtilization`. */
export function capacityAlarmName(limit: CapacityLimit): string {
  return `${limit.indexName ? `Index-${limit.indexName}` : 'Table'}-${limit.kind}CapacityUtilization`;
}

/**
 * Checks the capacity alarms against the table's limits: one set on a table without such a limit would watch
 * nothing, and one at or below an auto scaling target would fire whenever auto scaling does its job.
 */
export function validateCapacityAlarms(
  options: TableAlarmOptions | undefined,
  limits: readonly CapacityLimit[],
  thresholds: TableThresholds,
  alarmsEnabled: boolean,
): void {
  for (const kind of [CapacityKind.READ, CapacityKind.WRITE]) {
    const signal = CAPACITY_SIGNALS[kind];
    const given = options?.[signal];
    const own = limits.filter((limit) => limit.kind === kind);
    if (given && given.enabled !== false && own.length === 0) {
      fail(
        `alarms.table.${signal}`,
        `be left out on a table without a ${kind.toLowerCase()} capacity limit: it measures consumption against ` +
          `provisioned capacity (\`TableBilling.provisioned()\`) or an on-demand \`max${kind}RequestUnits\``,
        given,
      );
    }
    const threshold = thresholds[signal];
    if (!alarmsEnabled || !threshold.enabled || !isLiteral(threshold.max)) continue;
    for (const limit of own) {
      const target = limit.autoScaling?.targetUtilizationPercent;
      if (target !== undefined && isLiteral(target) && threshold.max <= target) {
        fail(
          `alarms.table.${signal}.maxPercent`,
          `be above the target utilization of auto scaling, ${target}% (\`${limit.autoScaling!.prop}.targetUtilizationPercent\`): ` +
            'auto scaling holds consumption near its target, so the alarm would fire while all is well; raise it, or lower the target',
          threshold.max,
        );
      }
    }
  }
}

function description(limit: CapacityLimit, t: AlarmThreshold): string {
  const on = limit.indexName ? `Index ${limit.indexName} of the table` : 'Table';
  const units = limit.kind.toLowerCase();
  const scaling = limit.autoScaling;
  if (scaling) {
    return (
      `${on}: consumed ${units} capacity above ${describeMax(t)} of the provisioned capacity ${describeEvaluation(t)}, ` +
      `while auto scaling aims at ${numberText(scaling.targetUtilizationPercent)}% between ` +
      `${numberText(scaling.minCapacity)} and ${numberText(scaling.maxCapacity)} units. Auto scaling is at its maximum ` +
      'or has not caught up, and requests beyond the provisioned capacity are throttled: look first at provisioned ' +
      `against consumed capacity on the dashboard, then raise \`${scaling.prop}.maxCapacity\` or lower the target ` +
      'for more headroom.'
    );
  }
  return (
    `${on}: consumed ${units} request units above ${describeMax(t)} of the on-demand maximum of ` +
    `${numberText(limit.maxRequestUnits!)} per second ${describeEvaluation(t)}. Requests beyond the maximum are ` +
    'throttled: look first at the routes and callers driving the traffic in the access log, then raise ' +
    `\`table.billing.max${limit.kind}RequestUnits\` if the traffic is legitimate.`
  );
}

/** One alarm per limit whose threshold is enabled. */
export function capacityAlarmSpecs(
  metrics: CapacityMetrics,
  limits: readonly CapacityLimit[],
  t: TableThresholds,
): AlarmSpec[] {
  return limits
    .filter((limit) => t[CAPACITY_SIGNALS[limit.kind]].enabled)
    .map((limit) => {
      const threshold = t[CAPACITY_SIGNALS[limit.kind]];
      const name = capacityAlarmName(limit);
      return {
        id: limit.indexName ? name : name.replace('-', ''),
        name,
        metric: metrics.utilization(limit, { period: threshold.period }),
        threshold,
        severity: AlarmSeverity.WARNING,
        description: description(limit, threshold),
      };
    });
}
