/** CloudWatch metric and composite alarms: what each watches, when it fires and who hears of it. */

import { getAttOf, isObject, JsonObject, list, num, obj, refOf, str, T, TemplateIndex } from '../../assembly/template';

export interface AlarmSummary {
  readonly logicalId: string;
  /** AlarmName; the logical id when CloudFormation generates the name. */
  readonly name: string;
  readonly description: string;
  readonly kind: 'metric' | 'composite';
  /** Every detail of the condition: metrics with dimensions and math inputs, or the composite's rule. */
  readonly condition: string;
  /** Short form of what is watched: `AWS/ApiGateway Latency p99`, `expr: errors, invocations`, `composite of 3 alarms`. */
  readonly watches: string;
  /** Short form of the condition, e.g. `> 3000 in 2 of 3 x 5 min`; missing data only when it is not notBreaching. */
  readonly firesWhen: string;
  /** Targets: the construct path of a resource of this template, else the value as written. */
  readonly alarmActions: string[];
  readonly okActions: string[];
  readonly insufficientDataActions: string[];
  /** Names of the alarms a composite's rule reads, in rule order; empty for a metric alarm. */
  readonly ruleAlarms: string[];
  /** Names of the composite alarms whose rule reads this alarm. */
  readonly rolledInto: string[];
}

const COMPARISON: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
  GreaterThanUpperThreshold: '>',
  LessThanLowerThreshold: '<',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside',
};

/** Beyond this many inputs the short form of a math expression stops listing them. */
const MAX_LISTED_INPUTS = 3;
const MAX_EXPRESSION_LENGTH = 40;

interface MetricDescription {
  /** With dimensions and math inputs. */
  readonly text: string;
  readonly short: string;
  readonly period?: number;
}

function describeMetric(index: TemplateIndex, metric: JsonObject, stat: unknown): string {
  const dimensions = list(metric.Dimensions)
    .map(obj)
    .map((d) => `${index.render(d.Name)}=${index.render(d.Value).replace(/^\$\{(.*)\}$/, '$1')}`);
  const suffix = dimensions.length > 0 ? ` (${dimensions.join(', ')})` : '';
  return `${shortMetric(index, metric, stat)}${suffix}`;
}

function shortMetric(index: TemplateIndex, metric: JsonObject, stat: unknown): string {
  return `${index.render(metric.Namespace)} ${index.render(metric.MetricName)} ${index.render(stat ?? '?')}`;
}

/** The math inputs an expression names, in the order the alarm lists them; the expression itself when it names none. */
function shortExpression(expression: string, others: JsonObject[]): string {
  const words = new Set(expression.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  const inputs = others.map((m) => str(m.Id) ?? '').filter((id) => words.has(id));
  if (inputs.length === 0) {
    const text =
      expression.length > MAX_EXPRESSION_LENGTH ? `${expression.slice(0, MAX_EXPRESSION_LENGTH)}...` : expression;
    return `expr: ${text}`;
  }
  const more = inputs.length > MAX_LISTED_INPUTS ? [`+${inputs.length - MAX_LISTED_INPUTS} more`] : [];
  return `expr: ${[...inputs.slice(0, MAX_LISTED_INPUTS), ...more].join(', ')}`;
}

/** The returned entry of metric math: ReturnData true, or the expression that leaves ReturnData out. */
function describeMetrics(index: TemplateIndex, metrics: JsonObject[]): MetricDescription {
  const returned =
    metrics.find((m) => m.ReturnData === true) ?? metrics.find((m) => m.ReturnData === undefined && !m.MetricStat);
  if (returned === undefined) return { text: '?', short: '?' };
  const stat = obj(returned.MetricStat);
  if (returned.MetricStat !== undefined) {
    return {
      text: describeMetric(index, obj(stat.Metric), stat.Stat),
      short: shortMetric(index, obj(stat.Metric), stat.Stat),
      period: num(stat.Period),
    };
  }
  const inputs = metrics.filter((m) => m !== returned && m.MetricStat !== undefined);
  const inputText = inputs.map(
    (m) => `${m.Id}=${describeMetric(index, obj(obj(m.MetricStat).Metric), obj(m.MetricStat).Stat)}`,
  );
  const expression = index.render(returned.Expression);
  return {
    text: `${expression} [${inputText.join('; ')}]`,
    short: shortExpression(
      expression,
      metrics.filter((m) => m !== returned),
    ),
    period: num(returned.Period) ?? num(obj(inputs[0]?.MetricStat).Period),
  };
}

function formatPeriod(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

interface MetricAlarmCondition {
  readonly condition: string;
  readonly watches: string;
  readonly firesWhen: string;
}

function metricAlarmCondition(index: TemplateIndex, props: JsonObject): MetricAlarmCondition {
  const stat = props.Statistic ?? props.ExtendedStatistic;
  const metric: MetricDescription = Array.isArray(props.Metrics)
    ? describeMetrics(index, props.Metrics.map(obj))
    : { text: describeMetric(index, props, stat), short: shortMetric(index, props, stat), period: num(props.Period) };
  const operator = str(props.ComparisonOperator) ?? '?';
  const threshold =
    props.Threshold !== undefined ? index.render(props.Threshold) : `band ${index.render(props.ThresholdMetricId)}`;
  const comparison = `${COMPARISON[operator] ?? operator} ${threshold}`;
  const periods = num(props.EvaluationPeriods) ?? 1;
  const datapoints = num(props.DatapointsToAlarm) ?? periods;
  // CloudFormation's default for a missing TreatMissingData is `missing`.
  const missing = str(props.TreatMissingData) ?? 'missing';
  return {
    condition:
      `${metric.text} ${comparison} ` +
      `for ${datapoints} of ${periods} x ${metric.period ?? '?'}s, missing data: ${missing}`,
    watches: metric.short,
    firesWhen:
      `${comparison} in ${datapoints} of ${periods} x ${formatPeriod(metric.period)}` +
      (missing === 'notBreaching' ? '' : `, missing data: ${missing}`),
  };
}

/** Replaces references to the template's alarms (Ref, GetAtt, `${Id.Arn}` in Fn::Sub) by their names. */
function withAlarmNames(value: unknown, names: Map<string, string>): unknown {
  const id = refOf(value) ?? getAttOf(value)?.[0];
  if (id !== undefined && names.has(id)) return names.get(id);
  if (Array.isArray(value)) return value.map((item) => withAlarmNames(item, names));
  if (!isObject(value)) return value;
  if (typeof value['Fn::Sub'] === 'string') {
    return {
      'Fn::Sub': value['Fn::Sub'].replace(
        /\$\{([^}.!]+)(\.Arn)?\}/g,
        (match, subId: string) => names.get(subId) ?? match,
      ),
    };
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withAlarmNames(item, names)]));
}

/** Alarms in a rule, as written; `arn:...:alarm:<name>` becomes `<name>`, as the alarm table names alarms. */
function alarmsInRule(rule: string): string[] {
  const names = [...rule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")]*?)"?\s*\)/g)].map((m) =>
    m[1].replace(/^arn:.*?:alarm:/, ''),
  );
  return [...new Set(names)];
}

function compositeFiresWhen(rule: string): string {
  const call = 'ALARM\\("?[^")]*"?\\)';
  const only = (operator: string) => new RegExp(`^\\(?\\s*${call}(\\s+${operator}\\s+${call})*\\s*\\)?$`);
  if (only('OR').test(rule)) return 'any in ALARM';
  if (only('AND').test(rule)) return 'all in ALARM';
  return rule.replace(/"/g, '').replace(/arn:[^()\s]*?:alarm:/g, '');
}

function actionsOf(index: TemplateIndex, actions: unknown): string[] {
  return list(actions).map((action) => {
    const id = refOf(action) ?? getAttOf(action)?.[0];
    return id !== undefined && index.get(id) !== undefined ? index.path(id) : index.render(action);
  });
}

export function summarizeAlarms(index: TemplateIndex): AlarmSummary[] {
  const alarms = index.ofType(T.alarm, T.compositeAlarm);
  const names = new Map(alarms.map(([id, alarm]) => [id, str(alarm.Properties?.AlarmName) ?? id]));
  const rules = new Map(
    alarms
      .filter(([, alarm]) => alarm.Type === T.compositeAlarm)
      .map(([id, alarm]) => [id, index.render(withAlarmNames(alarm.Properties?.AlarmRule ?? '', names))]),
  );
  return alarms.map(([id, alarm]) => {
    const props = alarm.Properties ?? {};
    const name = names.get(id) ?? id;
    const rule = rules.get(id);
    const ruleAlarms = rule === undefined ? [] : alarmsInRule(rule);
    const shape =
      rule === undefined
        ? metricAlarmCondition(index, props)
        : {
            condition: `rule ${rule}`,
            watches: `composite of ${ruleAlarms.length} alarms`,
            firesWhen: compositeFiresWhen(rule),
          };
    return {
      logicalId: id,
      name,
      description: props.AlarmDescription === undefined ? index.name(id) : index.render(props.AlarmDescription),
      kind: rule === undefined ? 'metric' : 'composite',
      ...shape,
      alarmActions: actionsOf(index, props.AlarmActions),
      okActions: actionsOf(index, props.OKActions),
      insufficientDataActions: actionsOf(index, props.InsufficientDataActions),
      ruleAlarms,
      rolledInto: [...rules]
        .filter(([compositeId, compositeRule]) => compositeId !== id && alarmsInRule(compositeRule).includes(name))
        .map(([compositeId]) => names.get(compositeId) ?? compositeId),
    };
  });
}
