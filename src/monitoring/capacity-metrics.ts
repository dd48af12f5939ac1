import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_PERIOD, TableMetrics } from './metrics';
import { numberText } from '../private/validation';
import { CapacityKind, CapacityLimit } from '../table/table-capacity';

/**
 * The table's consumed capacity against what limits it: provisioned capacity, or an on-demand maximum.
 *
 * DynamoDB publishes consumed capacity as a Sum per minute: divided by the period's seconds it is the average units
 * per second, the unit of provisioned capacity and of on-demand maximums. Provisioned capacity is published every
 * five minutes, so between its points the last one holds
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html).
 */

/** The part of a metric id naming the table or an index: ids take letters, digits and "_", and two names never meet. */
function idOf(indexName?: string): string {
  if (indexName === undefined) return 'table';
  return `i_${indexName.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`)}`;
}

const nameOf = (indexName?: string) => indexName ?? 'table';
const unitsOf = (kind: CapacityKind) => (kind === CapacityKind.READ ? 'reads' : 'writes');

export class CapacityMetrics {
  constructor(private readonly table: TableMetrics) {}

  /** Capacity units consumed, summed per period. */
  public consumed(kind: CapacityKind, indexName?: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.table.metric(`Consumed${kind}CapacityUnits`, this.table.index(indexName), {
      label: `${nameOf(indexName)} ${unitsOf(kind)} consumed`,
      ...props,
    });
  }

  /** Capacity units provisioned, averaged per period. */
  public provisioned(kind: CapacityKind, indexName?: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.table.metric(`Provisioned${kind}CapacityUnits`, this.table.index(indexName), {
      statistic: cloudwatch.Stats.AVERAGE,
      label: `${nameOf(indexName)} ${unitsOf(kind)} provisioned`,
      ...props,
    });
  }

  /** Capacity units consumed per second, averaged over each period. */
  public consumedPerSecond(
    kind: CapacityKind,
    indexName?: string,
    props?: cloudwatch.MathExpressionOptions,
  ): cloudwatch.MathExpression {
    const consumed = `consumed${kind}_${idOf(indexName)}`;
    return new cloudwatch.MathExpression({
      expression: `FILL(${consumed}, 0) / PERIOD(${consumed})`,
      usingMetrics: { [consumed]: this.consumed(kind, indexName) },
      label: `${nameOf(indexName)} ${unitsOf(kind)} consumed per second`,
      period: METRIC_PERIOD,
      ...props,
    });
  }

  /** Consumption as a share of the limit, in percent per period; 0 while nothing is provisioned. */
  public utilization(limit: CapacityLimit, props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    const suffix = `${limit.kind}_${idOf(limit.indexName)}`;
    const consumed = `consumed${suffix}`;
    const perSecond = `FILL(${consumed}, 0) / PERIOD(${consumed})`;
    const name = nameOf(limit.indexName);
    const consumedMetric = this.consumed(limit.kind, limit.indexName);
    if (limit.maxRequestUnits !== undefined) {
      return new cloudwatch.MathExpression({
        expression: `100 * ${perSecond} / ${numberText(limit.maxRequestUnits)}`,
        usingMetrics: { [consumed]: consumedMetric },
        label: `${name} ${unitsOf(limit.kind)} (% of the on-demand maximum)`,
        period: METRIC_PERIOD,
        ...props,
      });
    }
    const provisioned = `provisioned${suffix}`;
    return new cloudwatch.MathExpression({
      expression: `IF(FILL(${provisioned}, REPEAT) > 0, 100 * ${perSecond} / FILL(${provisioned}, REPEAT), 0)`,
      usingMetrics: { [consumed]: consumedMetric, [provisioned]: this.provisioned(limit.kind, limit.indexName) },
      label: `${name} ${unitsOf(limit.kind)} (% of provisioned)`,
      period: METRIC_PERIOD,
      ...props,
    });
  }
}
