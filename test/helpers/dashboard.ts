import { Template } from 'aws-cdk-lib/assertions';
import { logicalId, resources } from './api';

/*
 * The dashboard body is an Fn::Sub of JSON text whose variables are its tokens. It is read back as JSON with each
 * variable replaced
 * by a placeholder: a `Ref` by the logical id (`AWS::Region` for the pseudo parameter), an `Fn::GetAtt` by
 * `<logicalId>.<attribute>`. Alarms are read back the same way, so a dashboard line and an alarm compare equal.
 */

/** The colour aws-cdk-lib renders for `cloudwatch.Color.RED`. */
export const RED = '#d62728';
/** The period CloudWatch graphs and aws-cdk-lib omit from the JSON when it is the default. */
export const DEFAULT_PERIOD_SECONDS = 300;
/** The statistic CloudWatch graphs and aws-cdk-lib omit from the JSON when it is the default. */
export const DEFAULT_STAT = 'Average';

export function placeholder(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (intrinsic.Ref) return intrinsic.Ref;
  if (intrinsic['Fn::GetAtt']) return intrinsic['Fn::GetAtt'].join('.');
  throw new Error(`no placeholder for ${JSON.stringify(value)}`);
}

/** The parsed body of the dashboard with logical id `id`. */
export function dashboardBody(template: Template, id: string): Dashboard {
  const body = resources(template)[id].Properties.DashboardBody;
  if (typeof body === 'string') return JSON.parse(body);
  const [text, variables] = body['Fn::Sub'] as [string, { [name: string]: unknown }];
  // `${name}` is a variable; `${!` is a literal `${` (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html).
  const substituted = text
    .replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => placeholder(variables[name]))
    .replace(/\$\{!/g, '${');
  return JSON.parse(substituted);
}

/** The body of the only dashboard of the template. */
export function onlyDashboard(template: Template): Dashboard {
  return dashboardBody(template, logicalId(template, 'AWS::CloudWatch::Dashboard', ''));
}

export interface Widget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: any;
}

export interface Dashboard {
  readonly widgets: Widget[];
}

/** A metric or a metric-math expression, in one shape for dashboard lines and alarm metrics. */
export interface Series {
  readonly label?: string;
  readonly expression?: string;
  readonly using?: { [id: string]: Series };
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions?: { [name: string]: string };
  readonly stat?: string;
  readonly period?: number;
}

export function graph(dashboard: Dashboard, title: string): Widget {
  const found = dashboard.widgets.filter((w) => w.type === 'metric' && w.properties.title === title);
  if (found.length !== 1) throw new Error(`expected one graph titled ${title}, found ${found.length}`);
  return found[0];
}

/** The visible lines of a graph, each expression with the hidden metrics it uses. */
export function lines(widget: Widget): Series[] {
  const rows: any[][] = widget.properties.metrics ?? [];
  const metric = (row: any[]): Series => {
    const options = row[row.length - 1];
    const dimensions: { [name: string]: string } = {};
    for (let i = 2; i < row.length - 1; i += 2) dimensions[row[i]] = row[i + 1];
    return {
      label: options.label,
      namespace: row[0],
      metricName: row[1],
      dimensions,
      stat: options.stat ?? DEFAULT_STAT,
      period: options.period ?? DEFAULT_PERIOD_SECONDS,
    };
  };
  const hidden: { [id: string]: Series } = {};
  for (const row of rows) {
    const options = row[row.length - 1];
    if (options.visible === false) hidden[options.id] = metric(row);
  }
  const visible = rows.filter((row) => row[row.length - 1].visible !== false);
  return visible.map((row) => {
    const options = row[row.length - 1];
    if (options.expression === undefined) return metric(row);
    const ids = Object.keys(hidden).filter((id) => new RegExp(`\\b${id}\\b`).test(options.expression));
    return {
      label: options.label,
      expression: options.expression,
      using: Object.fromEntries(ids.map((id) => [id, hidden[id]])),
    };
  });
}

export function line(widget: Widget, label: string): Series {
  const found = lines(widget).filter((s) => s.label === label);
  if (found.length !== 1) throw new Error(`expected one line labelled ${label}, found ${found.length}`);
  return found[0];
}

/** What an alarm watches (its returned metric, or the query `queryId` of its metric math), as a `Series`. */
export function alarmSeries(template: Template, alarmId: string, queryId?: string): Series {
  const queries: any[] = resources(template)[alarmId].Properties.Metrics;
  const byId = Object.fromEntries(queries.map((q) => [q.Id, q]));
  const series = (q: any): Series => {
    if (q.Expression !== undefined) {
      const ids = Object.keys(byId).filter((id) => id !== q.Id && new RegExp(`\\b${id}\\b`).test(q.Expression));
      return {
        label: q.Label,
        expression: q.Expression,
        using: Object.fromEntries(ids.map((id) => [id, series(byId[id])])),
      };
    }
    const stat = q.MetricStat;
    return {
      label: q.Label,
      namespace: stat.Metric.Namespace,
      metricName: stat.Metric.MetricName,
      dimensions: Object.fromEntries(stat.Metric.Dimensions.map((d: any) => [d.Name, placeholder(d.Value)])),
      stat: stat.Stat,
      period: stat.Period,
    };
  };
  return series(queryId ? byId[queryId] : queries.find((q) => q.ReturnData !== false));
}

export function annotations(widget: Widget): unknown[] {
  return widget.properties.annotations?.horizontal ?? [];
}

export function threshold(value: number, label: string) {
  return { value, label, color: RED, yAxis: 'left' };
}
