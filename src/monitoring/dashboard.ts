import { Lazy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmThreshold, ApiThresholds, describeMax, FunctionThresholds, TableThresholds } from './alarm-thresholds';
import { capacityGraphs } from './capacity-dashboard';
import { CapacityMetrics } from './capacity-metrics';
import { dashboardBody } from './dashboard-body';
import { ApiMetrics, FunctionMetrics, TableMetrics } from './metrics';
import { QueueMetrics } from './queue-metrics';
import { SourceGraph, SourceGraphMetric } from './source-alarms';
import { CapacityLimit } from '../table/table-capacity';

export interface ApiDashboardProps {
  /** Name of the API, which names the dashboard. */
  readonly apiName: string;
  readonly api: ApiMetrics;
  readonly table: TableMetrics;
  readonly indexNames: readonly string[];
  readonly capacity: CapacityMetrics;
  /** What the table's consumption is measured against; none draws no capacity row. */
  readonly capacityLimits: readonly CapacityLimit[];
  /** The table operations whose system errors are watched. */
  readonly operations: string[];
  readonly apiThresholds: ApiThresholds;
  readonly tableThresholds: TableThresholds;
  /** The API-wide thresholds of the functions (a function's own may differ; its alarm says so). */
  readonly functionThresholds: FunctionThresholds;
  /** The thresholds of the Lambda authorizers. */
  readonly authorizerThresholds: FunctionThresholds;
  /** Whether the API has usage plans, whose exhausted quotas get their own line beside the 429 rate. */
  readonly usagePlanQuotas: boolean;
  /** The API-wide thresholds of the queues; the age's only when `alarms.queues` sets one (each queue's differs). */
  readonly queueThresholds: { readonly deadLetters: AlarmThreshold; readonly oldestMessageAge?: AlarmThreshold };
  /** Whether the API has alarms: without them no status row and no threshold lines are drawn. */
  readonly alarmsEnabled: boolean;
  /** Every alarm of the API, read when the dashboard is synthesized. */
  readonly alarms: () => cloudwatch.IAlarm[];
  /** Whether the route functions come in groups (nested stacks), each drawn on a row of its own. */
  readonly functionGroups: boolean;
}

const WIDTH = cloudwatch.GRID_WIDTH;
const HEIGHT = 6;
const ALARM_COLOR = cloudwatch.Color.RED;

/** The status of every alarm, listed when the dashboard is synthesized so alarms added later are there too. */
class AlarmStatusRow implements cloudwatch.IWidget {
  public readonly width = WIDTH;
  public readonly height = 3;
  private x = 0;
  private y = 0;

  constructor(private readonly alarms: () => cloudwatch.IAlarm[]) {}

  public position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  public toJson(): any[] {
    const alarms = this.alarms();
    if (!alarms.length) return [];
    const widget = new cloudwatch.AlarmStatusWidget({
      title: 'Alarms',
      alarms,
      width: this.width,
      height: this.height,
    });
    widget.position(this.x, this.y);
    return widget.toJson();
  }
}

/** The graphs of the queues: the signals their alarms watch, and their traffic. */
interface QueueGraphs {
  readonly oldestMessageAge: cloudwatch.GraphWidget;
  readonly deadLetters: cloudwatch.GraphWidget;
  readonly waiting: cloudwatch.GraphWidget;
  readonly sent: cloudwatch.GraphWidget;
}

/**
 * A graph of a quarter of the dashboard's width whose metrics and threshold lines are collected as sources are added
 * (each line once), and rendered when the dashboard is synthesized.
 */
class CollectedGraph implements cloudwatch.IWidget {
  public readonly width = WIDTH / 4;
  public readonly height = HEIGHT;
  private readonly metrics: cloudwatch.IMetric[] = [];
  private readonly annotations: cloudwatch.HorizontalAnnotation[] = [];
  private x = 0;
  private y = 0;

  constructor(private readonly title: string) {}

  public add(metric: cloudwatch.IMetric, lines: cloudwatch.HorizontalAnnotation[]): void {
    this.metrics.push(metric);
    this.annotations.push(...lines.filter((line) => !this.annotations.some((drawn) => drawn.value === line.value)));
  }

  public position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  public toJson(): any[] {
    const widget = new cloudwatch.GraphWidget({
      title: this.title,
      left: this.metrics,
      leftAnnotations: this.annotations,
      leftYAxis: { min: 0, showUnits: false },
      width: this.width,
      height: this.height,
    });
    widget.position(this.x, this.y);
    return widget.toJson();
  }
}

/**
 * The graphs of one kind of function (route functions, workers, authorizers): one per signal their alarms watch, and
 * for authorizers, which have no reservation, their invocations (requests their results cache did not answer).
 */
interface FunctionGraphs {
  readonly errorRate: cloudwatch.GraphWidget;
  readonly throttles: cloudwatch.GraphWidget;
  readonly duration: cloudwatch.GraphWidget;
  readonly concurrency?: cloudwatch.GraphWidget;
  readonly invocations?: cloudwatch.GraphWidget;
}

/**
 * One dashboard per API, one row per layer (API, Lambda authorizers when there are any, functions, then queues and
 * workers when there are any, table, and the table's capacity when it has a limit), each graph showing the metric an
 * alarm watches with the alarm's threshold drawn on it. Authorizers, functions, workers and queues join their rows as
 * they are added.
 */
export class ApiDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  private readonly functionGraphs: FunctionGraphs;
  private readonly groupGraphs = new Map<string, FunctionGraphs>();
  /** Where the next group's row goes: below the API's row and the groups' before it. */
  private nextGroupRow: number;
  private workerGraphs?: FunctionGraphs;
  private authorizerGraphs?: FunctionGraphs;
  private queueGraphs?: QueueGraphs;
  /** The source row's graphs (event rules, streams, dead-letter queues), drawn in `SourceGraph` order. */
  private readonly sourceGraphs = new Map<SourceGraph, CollectedGraph>();
  private sourceRow?: cloudwatch.IWidget[];
  private readonly rows: cloudwatch.IWidget[][];
  private readonly tableRow: cloudwatch.IWidget[];
  private readonly apiRow: cloudwatch.IWidget[];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ApiDashboardProps,
  ) {
    super(scope, id);
    const a = props.apiThresholds;
    const t = props.tableThresholds;
    const graph = (title: string, left: cloudwatch.IMetric[], annotations: cloudwatch.HorizontalAnnotation[] = []) =>
      this.graph(title, left, annotations);
    const thresholdLine = (label: string, threshold: AlarmThreshold) => this.thresholdLine(label, threshold);
    const indexes = [undefined, ...props.indexNames];

    const apiRow = [
      new cloudwatch.TextWidget({
        markdown:
          `## API ${props.apiName}\nRequests, error and throttling rates, latency.` +
          (props.alarmsEnabled ? ' Alarm thresholds in red.' : ''),
        width: WIDTH / 4,
        height: HEIGHT,
      }),
      graph('Requests', [props.api.requests()]),
      graph(
        '5xx, 4xx and 429 (% of requests)',
        [
          props.api.serverErrorRate({ period: a.serverErrorRate.period }),
          props.api.clientErrorRate({ period: a.clientErrorRate.period }),
          props.api.throttledRequestRate({ period: a.throttledRequestRate.period }),
          ...(props.usagePlanQuotas ? [props.api.quotaExceededRate({ period: a.throttledRequestRate.period })] : []),
        ],
        [
          ...thresholdLine('5xx', a.serverErrorRate),
          ...thresholdLine('4xx', a.clientErrorRate),
          ...thresholdLine('429', a.throttledRequestRate),
        ],
      ),
      graph(
        'Latency p99 (ms)',
        [
          props.api.latency({ period: a.latencyP99.period }),
          props.api.integrationLatency({ period: a.integrationLatencyP99.period }),
        ],
        [...thresholdLine('latency', a.latencyP99), ...thresholdLine('integration', a.integrationLatencyP99)],
      ),
    ];

    this.functionGraphs = this.functionGraphsOf('Functions');

    const tableRow = [
      graph(
        'Table: read throttle events',
        indexes.map((index) => props.table.readThrottleEvents(index, { period: t.readThrottles.period })),
        thresholdLine('read', t.readThrottles),
      ),
      graph(
        'Table: write throttle events',
        indexes.map((index) => props.table.writeThrottleEvents(index, { period: t.writeThrottles.period })),
        thresholdLine('write', t.writeThrottles),
      ),
      graph(
        'Table: system errors',
        [props.table.systemErrors(props.operations, { period: t.systemErrors.period })],
        thresholdLine('system error', t.systemErrors),
      ),
      graph(
        'Table: conditional check failures',
        [props.table.conditionalCheckFailures({ period: t.conditionalCheckFailures.period })],
        thresholdLine('conditional check', t.conditionalCheckFailures),
      ),
    ];

    const capacityRow = capacityGraphs(props.capacity, props.capacityLimits, t, { graph, thresholdLine });

    this.tableRow = tableRow;
    this.apiRow = apiRow;
    const rows: cloudwatch.IWidget[][] = [
      ...(props.alarmsEnabled ? [[new AlarmStatusRow(props.alarms)]] : []),
      apiRow,
      ...(props.functionGroups ? [] : [Object.values(this.functionGraphs)]),
      tableRow,
      ...(capacityRow.length ? [capacityRow] : []),
    ];
    this.rows = rows;
    this.nextGroupRow = rows.indexOf(apiRow) + 1;
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: Token.isUnresolved(props.apiName)
        ? undefined
        : props.apiName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 255),
      widgets: rows,
    });
    // The same widgets, rendered with each token once (see dashboardBody); read when synthesized, so the functions,
    // workers and queues added until then are on it.
    (this.dashboard.node.defaultChild as cloudwatch.CfnDashboard).dashboardBody = Lazy.string({
      produce: () => dashboardBody(this, rows),
    });
  }

  /** Draws a function on the function row's graphs, or on its group's row, which its first function adds. */
  public addFunction(metrics: FunctionMetrics, thresholds: FunctionThresholds, group?: string): void {
    if (group === undefined) return drawFunction(this.functionGraphs, metrics, thresholds);
    let graphs = this.groupGraphs.get(group);
    if (!graphs) {
      graphs = this.functionGraphsOf(`Functions of ${group}`);
      this.groupGraphs.set(group, graphs);
      this.rows.splice(this.nextGroupRow++, 0, Object.values(graphs));
    }
    drawFunction(graphs, metrics, thresholds);
  }

  /** Draws a worker on the worker row's graphs, which the first worker adds above the table's. */
  public addWorker(metrics: FunctionMetrics, thresholds: FunctionThresholds): void {
    if (!this.workerGraphs) {
      this.workerGraphs = this.functionGraphsOf('Workers');
      this.addRow(Object.values(this.workerGraphs));
    }
    drawFunction(this.workerGraphs, metrics, thresholds);
  }

  /** Draws a Lambda authorizer on the authorizer row's graphs, which the first authorizer adds above the functions'. */
  public addAuthorizer(metrics: FunctionMetrics, thresholds: FunctionThresholds): void {
    if (!this.authorizerGraphs) {
      this.authorizerGraphs = this.functionGraphsOf('Authorizers', this.props.authorizerThresholds);
      // Right below the API's row, above the functions' rows: an authorizer answers before the functions run.
      this.rows.splice(this.rows.indexOf(this.apiRow) + 1, 0, Object.values(this.authorizerGraphs));
      this.nextGroupRow++;
    }
    drawFunction(this.authorizerGraphs, metrics, thresholds);
  }

  /** Draws a queue on the queue row's graphs, which the first queue adds above the table's. */
  public addQueue(metrics: QueueMetrics): void {
    if (!this.queueGraphs) {
      const q = this.props.queueThresholds;
      this.queueGraphs = {
        oldestMessageAge: this.graph(
          'Queues: age of the oldest message (s)',
          [],
          q.oldestMessageAge ? this.thresholdLine('age', q.oldestMessageAge) : [],
        ),
        deadLetters: this.graph('Dead-letter queues: messages', [], this.thresholdLine('dead letters', q.deadLetters)),
        waiting: this.graph('Queues: messages waiting', []),
        sent: this.graph('Queues: messages sent', []),
      };
      this.addRow(Object.values(this.queueGraphs));
    }
    const q = this.props.queueThresholds;
    this.queueGraphs.oldestMessageAge.addLeftMetric(
      metrics.oldestMessageAge(q.oldestMessageAge ? { period: q.oldestMessageAge.period } : {}),
    );
    this.queueGraphs.deadLetters.addLeftMetric(metrics.deadLetters({ period: q.deadLetters.period }));
    this.queueGraphs.waiting.addLeftMetric(metrics.messagesVisible());
    this.queueGraphs.sent.addLeftMetric(metrics.messagesSent());
  }

  /**
   * Draws a metric of a worker's source on its graph of the source row, which the first source adds above the table's;
   * each threshold its alarms fire above is drawn once.
   */
  public addSourceMetric(source: SourceGraphMetric): void {
    if (!this.sourceRow) {
      this.sourceRow = [];
      this.addRow(this.sourceRow);
    }
    let graph = this.sourceGraphs.get(source.graph);
    if (!graph) {
      graph = new CollectedGraph(source.graph);
      this.sourceGraphs.set(source.graph, graph);
      const drawn = Object.values(SourceGraph).flatMap((title) => this.sourceGraphs.get(title) ?? []);
      this.sourceRow.splice(0, this.sourceRow.length, ...drawn);
    }
    graph.add(source.metric, this.thresholdLine(source.label, source.threshold));
  }

  /** Adds a row above the table's, below the rows added before it. */
  private addRow(row: cloudwatch.IWidget[]): void {
    this.rows.splice(this.rows.indexOf(this.tableRow), 0, row);
  }

  /** A graph of a quarter of the dashboard's width. */
  private graph(
    title: string,
    left: cloudwatch.IMetric[],
    annotations: cloudwatch.HorizontalAnnotation[] = [],
  ): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({
      title,
      left,
      leftAnnotations: annotations,
      leftYAxis: { min: 0, showUnits: false },
      width: WIDTH / 4,
      height: HEIGHT,
    });
  }

  /** The line an alarm fires above, drawn on the graph of its metric; none for an alarm not created. */
  private thresholdLine(label: string, threshold: AlarmThreshold): cloudwatch.HorizontalAnnotation[] {
    return this.props.alarmsEnabled && threshold.enabled
      ? [{ value: threshold.max, label: `${label} alarm above ${describeMax(threshold)}`, color: ALARM_COLOR }]
      : [];
  }

  /** The graphs of one kind of function, with the API-wide thresholds (a function's own may differ). */
  private functionGraphsOf(
    kind: string,
    thresholds: FunctionThresholds = this.props.functionThresholds,
  ): FunctionGraphs {
    const f = thresholds.signals;
    const graphs = {
      errorRate: this.graph(`${kind}: error rate (%)`, [], this.thresholdLine('error', f.errorRate)),
      throttles: this.graph(`${kind}: throttles`, [], this.thresholdLine('throttle', f.throttles)),
      duration: this.graph(`${kind}: p99 duration (% of timeout)`, [], this.thresholdLine('duration', f.durationP99)),
    };
    if (kind === 'Authorizers') return { ...graphs, invocations: this.graph(`${kind}: invocations`, []) };
    const concurrency = this.graph(
      `${kind} with reserved concurrency: peak (% of reserved)`,
      [],
      this.thresholdLine('concurrency', f.concurrency),
    );
    return { ...graphs, concurrency };
  }
}

function drawFunction(graphs: FunctionGraphs, metrics: FunctionMetrics, thresholds: FunctionThresholds): void {
  const s = thresholds.signals;
  graphs.errorRate.addLeftMetric(metrics.errorRate({ period: s.errorRate.period }));
  graphs.throttles.addLeftMetric(metrics.throttles({ period: s.throttles.period }));
  graphs.duration.addLeftMetric(metrics.durationP99Percent({ period: s.durationP99.period }));
  const concurrency = metrics.concurrencyPercent({ period: s.concurrency.period });
  if (concurrency) graphs.concurrency?.addLeftMetric(concurrency);
  graphs.invocations?.addLeftMetric(metrics.labelledInvocations());
}
