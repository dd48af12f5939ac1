/** CloudWatch metric and composite alarms, with their conditions in words. */

import { JsonObject, list, num, obj, str, T, TemplateIndex } from './template';

export interface AlarmSummary {
  readonly logicalId: string;
  readonly description: string;
  readonly kind: 'metric' | 'composite';
  readonly condition: string;
  readonly actions: number;
}

const COMPARISON: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

function describeMetric(index: TemplateIndex, metric: JsonObject, stat: unknown): string {
  const dimensions = list(metric.Dimensions)
    .map(obj)
    .map((d) => `${index.render(d.Name)}=${index.render(d.Value).replace(/^\$\{(.*)\}$/, '$1')}`);
  const suffix = dimensions.length > 0 ? ` (${dimensions.join(', ')})` : '';
  return `${index.render(metric.Namespace)} ${index.render(metric.MetricName)} ${index.render(stat ?? '?')}${suffix}`;
}

/** The returned entry of metric math: ReturnData true, or the expression that leaves ReturnData out. */
function describeMetrics(index: TemplateIndex, metrics: JsonObject[]): { text: string; period?: number } {
  const returned =
    metrics.find((m) => m.ReturnData === true) ?? metrics.find((m) => m.ReturnData === undefined && !m.MetricStat);
  if (returned === undefined) return { text: '?' };
  const stat = obj(returned.MetricStat);
  if (returned.MetricStat !== undefined) {
    return { text: describeMetric(index, obj(stat.Metric), stat.Stat), period: num(stat.Period) };
  }
  const inputs = metrics.filter((m) => m !== returned && m.MetricStat !== undefined);
  const inputText = inputs.map(
    (m) => `${m.Id}=${describeMetric(index, obj(obj(m.MetricStat).Metric), obj(m.MetricStat).Stat)}`,
  );
  return {
    text: `${index.render(returned.Expression)} [${inputText.join('; ')}]`,
    period: num(returned.Period) ?? num(obj(inputs[0]?.MetricStat).Period),
  };
}

function metricAlarmCondition(index: TemplateIndex, props: JsonObject): string {
  const metric = Array.isArray(props.Metrics)
    ? describeMetrics(index, props.Metrics.map(obj))
    : { text: describeMetric(index, props, props.Statistic ?? props.ExtendedStatistic), period: num(props.Period) };
  const operator = str(props.ComparisonOperator) ?? '?';
  const threshold =
    props.Threshold !== undefined ? index.render(props.Threshold) : `band ${index.render(props.ThresholdMetricId)}`;
  const periods = num(props.EvaluationPeriods) ?? 1;
  const datapoints = num(props.DatapointsToAlarm) ?? periods;
  const missing = str(props.TreatMissingData) ?? 'missing';
  return (
    `${metric.text} ${COMPARISON[operator] ?? operator} ${threshold} ` +
    `for ${datapoints} of ${periods} x ${metric.period ?? '?'}s, missing data: ${missing}`
  );
}

export function summarizeAlarms(index: TemplateIndex): AlarmSummary[] {
  return index.ofType(T.alarm, T.compositeAlarm).map(([id, alarm]) => {
    const props = alarm.Properties ?? {};
    const composite = alarm.Type === T.compositeAlarm;
    return {
      logicalId: id,
      description: props.AlarmDescription === undefined ? index.name(id) : index.render(props.AlarmDescription),
      kind: composite ? 'composite' : 'metric',
      condition: composite ? `rule ${index.render(props.AlarmRule)}` : metricAlarmCondition(index, props),
      actions: list(props.AlarmActions).length,
    };
  });
}
