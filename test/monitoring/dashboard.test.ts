import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { IConstruct } from 'constructs';
import { AccessPattern, ServerlessApi, ServerlessApiProps } from '../../src';
import {
  buildApi,
  BuiltApi,
  defaultProps,
  ENV,
  fn,
  HANDLER_ENTRY,
  logicalId,
  newStack,
  resources,
  route,
} from '../helpers/api';
import {
  alarmSeries,
  annotations,
  Dashboard,
  graph,
  line,
  lines,
  onlyDashboard,
  dashboardBody,
  RED,
  threshold,
} from '../helpers/dashboard';

function idOf(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

const API_GRAPHS = ['Requests', '5xx, 4xx and 429 (% of requests)', 'Latency p99 (ms)'];
const CONCURRENCY_GRAPH = 'Functions with reserved concurrency: peak (% of reserved)';
const FUNCTION_GRAPHS = [
  'Functions: error rate (%)',
  'Functions: throttles',
  'Functions: p99 duration (% of timeout)',
  CONCURRENCY_GRAPH,
];
const TABLE_GRAPHS = [
  'Table: read throttle events',
  'Table: write throttle events',
  'Table: system errors',
  'Table: conditional check failures',
];

/**
 * An API named `orders` with an index (`byStatus`, created for a Query access pattern) and two functions:
 * `orders` with the defaults, `reports` with a 5-second timeout and 10 reserved executions.
 */
function ordersProps(props: Partial<ServerlessApiProps> = {}): Partial<ServerlessApiProps> {
  return {
    apiName: 'orders',
    accessPatterns: {
      getOrder: AccessPattern.getItem({ partitionKey: 'ORDER#{orderId}', sortKey: 'ORDER' }),
      ordersByStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
    },
    functions: {
      orders: fn([route(HttpMethod.GET, '/orders/{orderId}')], { accessPatterns: ['getOrder'] }),
      reports: fn([route(HttpMethod.GET, '/reports/{status}')], {
        accessPatterns: ['ordersByStatus'],
        timeout: Duration.seconds(5),
        reservedConcurrentExecutions: 10,
      }),
    },
    ...props,
  };
}

function buildOrders(props: Partial<ServerlessApiProps> = {}): BuiltApi & { dashboard: Dashboard } {
  const built = buildApi(ordersProps(props));
  return { ...built, dashboard: onlyDashboard(built.template) };
}

describe('one dashboard per API', () => {
  test('GIVEN an API WHEN synthesized THEN it has one dashboard, named after `apiName` and exposed as `dashboard`', () => {
    // GIVEN / WHEN
    const { stack, api, template } = buildOrders();

    // THEN
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const id = logicalId(template, 'AWS::CloudWatch::Dashboard', 'ApiMonitoringDashboard');
    expect(resources(template)[id].Properties.DashboardName).toBe('orders');
    expect(stack.resolve(api.dashboard!.dashboardName)).toEqual({ Ref: id });
  });

  test('GIVEN two APIs in one stack WHEN synthesized THEN each has its own dashboard, graphing its own API', () => {
    // GIVEN
    const stack = newStack();
    const orders = new ServerlessApi(stack, 'Orders', { ...defaultProps(), apiName: 'orders' });
    const billing = new ServerlessApi(stack, 'Billing', { ...defaultProps(), apiName: 'billing' });

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 2);
    for (const api of [orders, billing]) {
      const id = idOf(stack, api.dashboard!);
      expect(resources(template)[id].Properties.DashboardName).toBe(api === orders ? 'orders' : 'billing');
      const requests = line(graph(dashboardBody(template, id), 'Requests'), 'Requests');
      expect(requests.dimensions).toEqual({ ApiId: idOf(stack, api.httpApi!) });
    }
  });

  test.each([
    ['my api.v1', 'my-api-v1'],
    ['shop/api:prod', 'shop-api-prod'],
    ['orders_2024-EU', 'orders_2024-EU'],
  ])(
    'GIVEN apiName %j WHEN synthesized THEN the dashboard is named %j (characters outside [A-Za-z0-9_-] become -)',
    (apiName, dashboardName) => {
      // GIVEN / WHEN
      const { template } = buildApi({ apiName });

      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: dashboardName });
    },
  );

  test('GIVEN no apiName WHEN synthesized THEN the dashboard is named like the generated API name', () => {
    // GIVEN / WHEN
    const { template } = buildApi();

    // THEN
    const apiName = resources(template)[logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')].Properties.Name;
    expect(apiName).toMatch(/^[A-Za-z0-9_-]+$/);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: apiName });
  });

  test("GIVEN a stack bound to an account and region WHEN synthesized THEN every variable of the body has a value, and no metric repeats the stack's account or region", () => {
    // GIVEN / WHEN
    const { template } = buildApi({}, newStack({ env: ENV }));

    // THEN
    const body = resources(template)[logicalId(template, 'AWS::CloudWatch::Dashboard', '')].Properties.DashboardBody;
    const [text, variables] = body['Fn::Sub'] as [string, { [name: string]: unknown }];
    // A `${name}` that is no variable, resource or parameter is a template error (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html).
    const names = [...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);
    expect(names.filter((name) => variables[name] === undefined)).toEqual([]);
    // aws-cdk-lib renders a metric's account and region only where they differ from the stack's.
    const requests = graph(onlyDashboard(template), 'Requests').properties.metrics[0];
    expect(requests[requests.length - 1]).toEqual({ label: 'Requests', stat: 'Sum' });
  });

  test('GIVEN dashboard: false WHEN synthesized THEN there is no dashboard, and `dashboard` is undefined', () => {
    // GIVEN / WHEN
    const { api, template } = buildApi({ dashboard: false });

    // THEN
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(api.dashboard).toBeUndefined();
    // Only the dashboard goes: the alarms stay.
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
  });
});

/** The widgets of each row, by their top `y`, left to right: a text by its first line, a graph by its title. */
function rowsOf(dashboard: Dashboard): { [y: number]: string[] } {
  const byRow: { [y: number]: string[] } = {};
  const byPosition = [...dashboard.widgets].sort((a, b) => a.y - b.y || a.x - b.x);
  for (const w of byPosition) {
    const name = w.type === 'text' ? w.properties.markdown.split('\n')[0] : `${w.type}: ${w.properties.title}`;
    (byRow[w.y] ??= []).push(name);
  }
  return byRow;
}

/** The total width of the widgets of each row, by their top `y`. */
function rowWidths(dashboard: Dashboard): { [y: number]: number } {
  const widths: { [y: number]: number } = {};
  for (const w of dashboard.widgets) widths[w.y] = (widths[w.y] ?? 0) + w.width;
  return widths;
}

describe('the rows of the dashboard', () => {
  test('WHEN synthesized THEN the rows are, top to bottom: alarm status, API, functions, table', () => {
    // GIVEN / WHEN
    const { dashboard } = buildOrders();

    // THEN
    expect(rowsOf(dashboard)).toEqual({
      0: ['alarm: Alarms'],
      3: ['## API orders', ...API_GRAPHS.map((t) => `metric: ${t}`)],
      9: FUNCTION_GRAPHS.map((t) => `metric: ${t}`),
      15: TABLE_GRAPHS.map((t) => `metric: ${t}`),
    });
  });

  test('GIVEN alarms disabled WHEN synthesized THEN there is no alarm status row: the API row starts at y=0', () => {
    // GIVEN / WHEN
    const { dashboard } = buildOrders({ alarms: { enabled: false } });

    // THEN
    expect(rowsOf(dashboard)).toEqual({
      0: ['## API orders', ...API_GRAPHS.map((t) => `metric: ${t}`)],
      6: FUNCTION_GRAPHS.map((t) => `metric: ${t}`),
      12: TABLE_GRAPHS.map((t) => `metric: ${t}`),
    });
  });

  test('WHEN synthesized THEN each row fills the 24-unit grid width', () => {
    // GIVEN / WHEN
    const { dashboard } = buildOrders();

    // THEN
    expect(rowWidths(dashboard)).toEqual({ 0: 24, 3: 24, 9: 24, 15: 24 });
  });

  test('GIVEN alarms disabled WHEN synthesized THEN each of the three rows fills the 24-unit grid width', () => {
    // GIVEN / WHEN
    const { dashboard } = buildOrders({ alarms: { enabled: false } });

    // THEN
    expect(rowWidths(dashboard)).toEqual({ 0: 24, 6: 24, 12: 24 });
  });
});

describe('the alarm status row', () => {
  test('WHEN synthesized THEN it lists every alarm of the API, the composite alarm included', () => {
    // GIVEN / WHEN
    const { stack, api, template, dashboard } = buildOrders();

    // THEN
    const widget = dashboard.widgets.find((w) => w.type === 'alarm')!;
    const listed: string[] = widget.properties.alarms;
    const all = [
      ...Object.keys(template.findResources('AWS::CloudWatch::CompositeAlarm')),
      ...Object.keys(template.findResources('AWS::CloudWatch::Alarm')),
    ].map((id) => `${id}.Arn`);
    expect([...listed].sort()).toEqual([...all].sort());
    expect(listed).toHaveLength(new Set(listed).size);
    expect(listed).toContain(`${idOf(stack, api.unhealthyAlarm!)}.Arn`);
    for (const f of api.functions) expect(listed).toContain(`${idOf(stack, f.alarms[0])}.Arn`);
  });

  test('GIVEN a function added with addFunction() after construction WHEN synthesized THEN its alarm is listed', () => {
    // GIVEN
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...ordersProps() });

    // WHEN
    const late = api.addFunction('late', fn([route(HttpMethod.GET, '/late')]));
    const template = Template.fromStack(stack);

    // THEN
    expect(late.alarms).toHaveLength(1);
    const widget = onlyDashboard(template).widgets.find((w) => w.type === 'alarm')!;
    expect(widget.properties.alarms).toContain(`${idOf(stack, late.alarms[0])}.Arn`);
    expect(widget.properties.alarms).toHaveLength(
      Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length + 1,
    );
  });

  test('GIVEN compositeAlarm: false WHEN synthesized THEN it lists the alarms, and no composite alarm', () => {
    // GIVEN / WHEN
    const { template, dashboard } = buildOrders({ alarms: { compositeAlarm: false } });

    // THEN
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
    const widget = dashboard.widgets.find((w) => w.type === 'alarm')!;
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).map((id) => `${id}.Arn`);
    expect([...widget.properties.alarms].sort()).toEqual(alarms.sort());
  });

  test('GIVEN alarms disabled WHEN synthesized THEN there is no alarm status widget, and every graph remains', () => {
    // GIVEN / WHEN
    const { template, dashboard } = buildOrders({ alarms: { enabled: false } });

    // THEN
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(dashboard.widgets.map((w) => w.type)).not.toContain('alarm');
    const titles = dashboard.widgets.filter((w) => w.type === 'metric').map((w) => w.properties.title);
    expect(titles).toEqual([...API_GRAPHS, ...FUNCTION_GRAPHS, ...TABLE_GRAPHS]);
    expect(lines(graph(dashboard, '5xx, 4xx and 429 (% of requests)')).map((s) => s.label)).toEqual([
      '5xx rate (%)',
      '4xx rate (%)',
      '429 rate (%)',
    ]);
    expect(lines(graph(dashboard, 'Functions: error rate (%)')).map((s) => s.label)).toEqual([
      'orders error rate (%)',
      'reports error rate (%)',
    ]);
  });
});

describe('the API row', () => {
  let built: BuiltApi & { dashboard: Dashboard };
  beforeAll(() => {
    built = buildOrders();
  });

  test('the Requests graph shows the Sum of API Gateway Count per 5 minutes, with no threshold', () => {
    const { stack, api, dashboard } = built;
    const widget = graph(dashboard, 'Requests');
    expect(lines(widget)).toEqual([
      {
        label: 'Requests',
        namespace: 'AWS/ApiGateway',
        metricName: 'Count',
        dimensions: { ApiId: idOf(stack, api.httpApi!) },
        stat: 'Sum',
        period: 300,
      },
    ]);
    expect(annotations(widget)).toEqual([]);
  });

  test.each([
    ['5xx, 4xx and 429 (% of requests)', '5xx rate (%)', 'ApiMonitoringApiServerErrorRate'],
    ['5xx, 4xx and 429 (% of requests)', '4xx rate (%)', 'ApiMonitoringApiClientErrorRate'],
    ['5xx, 4xx and 429 (% of requests)', '429 rate (%)', 'ApiMonitoringApiThrottledRequestRate'],
    ['Latency p99 (ms)', 'Latency p99', 'ApiMonitoringApiLatency'],
    ['Latency p99 (ms)', 'Integration latency p99', 'ApiMonitoringApiIntegrationLatency'],
  ])('the graph %j shows %j exactly as the alarm %s watches it', (title, label, alarmPrefix) => {
    const { template, dashboard } = built;
    const alarmId = logicalId(template, 'AWS::CloudWatch::Alarm', alarmPrefix);
    expect(line(graph(dashboard, title), label)).toEqual(alarmSeries(template, alarmId));
  });

  test('the rate graph divides 5xx, 4xx and 429 by the requests, each under its own id, per 5 minutes', () => {
    const { stack, api, dashboard } = built;
    const apiId = { ApiId: idOf(stack, api.httpApi!) };
    const sum = (namespace: string, metricName: string, label: string) => ({
      label,
      namespace,
      metricName,
      dimensions: apiId,
      stat: 'Sum',
      period: 300,
    });
    const requests = sum('AWS/ApiGateway', 'Count', 'Requests');
    const rate = (part: string, whole: string) =>
      `IF(FILL(${whole}, 0) > 0, 100 * FILL(${part}, 0) / FILL(${whole}, 0), 0)`;
    expect(lines(graph(dashboard, '5xx, 4xx and 429 (% of requests)'))).toEqual([
      {
        label: '5xx rate (%)',
        expression: rate('serverErrors', 'requests_5xx'),
        using: { serverErrors: sum('AWS/ApiGateway', '5xx', '5xx'), requests_5xx: requests },
      },
      {
        label: '4xx rate (%)',
        expression: rate('clientErrors', 'requests_4xx'),
        using: { clientErrors: sum('AWS/ApiGateway', '4xx', '4xx'), requests_4xx: requests },
      },
      {
        label: '429 rate (%)',
        expression: rate('throttled', 'requests_429'),
        using: { throttled: sum('ServerlessApi', 'ThrottledRequests', '429'), requests_429: requests },
      },
    ]);
  });

  test('the latency graph shows p99 of Latency and IntegrationLatency', () => {
    const { dashboard } = built;
    expect(lines(graph(dashboard, 'Latency p99 (ms)')).map((s) => [s.metricName, s.stat, s.period])).toEqual([
      ['Latency', 'p99', 300],
      ['IntegrationLatency', 'p99', 300],
    ]);
  });

  test('the default thresholds are red lines: 1% 5xx, 10% 4xx, 1% 429, 3000 ms latency, 2000 ms integration', () => {
    const { dashboard } = built;
    expect(annotations(graph(dashboard, '5xx, 4xx and 429 (% of requests)'))).toEqual([
      threshold(1, '5xx alarm above 1%'),
      threshold(10, '4xx alarm above 10%'),
      threshold(1, '429 alarm above 1%'),
    ]);
    expect(annotations(graph(dashboard, 'Latency p99 (ms)'))).toEqual([
      threshold(3000, 'latency alarm above 3 seconds'),
      threshold(2000, 'integration alarm above 2 seconds'),
    ]);
  });

  test('GIVEN overridden thresholds WHEN synthesized THEN the red lines move with the alarms', () => {
    // GIVEN / WHEN
    const { template, dashboard } = buildOrders({
      alarms: { api: { serverErrorRate: { maxPercent: 2.5 }, latencyP99: { maxLatency: Duration.seconds(5) } } },
    });

    // THEN
    expect(annotations(graph(dashboard, '5xx, 4xx and 429 (% of requests)'))).toEqual([
      threshold(2.5, '5xx alarm above 2.5%'),
      threshold(10, '4xx alarm above 10%'),
      threshold(1, '429 alarm above 1%'),
    ]);
    expect(annotations(graph(dashboard, 'Latency p99 (ms)'))).toEqual([
      threshold(5000, 'latency alarm above 5 seconds'),
      threshold(2000, 'integration alarm above 2 seconds'),
    ]);
    const alarm = (prefix: string) =>
      resources(template)[logicalId(template, 'AWS::CloudWatch::Alarm', prefix)].Properties.Threshold;
    expect(alarm('ApiMonitoringApiServerErrorRate')).toBe(2.5);
    expect(alarm('ApiMonitoringApiLatency')).toBe(5000);
  });

  test.each([
    ['latencyP99', Duration.seconds(4.5), 'ApiMonitoringApiLatency', 4500, 'latency alarm above 4500 ms'],
    [
      'integrationLatencyP99',
      Duration.millis(1250),
      'ApiMonitoringApiIntegrationLatency',
      1250,
      'integration alarm above 1250 ms',
    ],
    ['latencyP99', Duration.millis(4000), 'ApiMonitoringApiLatency', 4000, 'latency alarm above 4 seconds'],
  ])(
    'GIVEN %s.maxLatency = %s WHEN synthesized THEN the red line of %s is at %d ms, labelled %j',
    (signal, maxLatency, alarmPrefix, value, label) => {
      // GIVEN / WHEN
      const { template, dashboard } = buildOrders({ alarms: { api: { [signal]: { maxLatency } } } });

      // THEN
      expect(annotations(graph(dashboard, 'Latency p99 (ms)'))).toContainEqual(threshold(value, label));
      const alarmId = logicalId(template, 'AWS::CloudWatch::Alarm', alarmPrefix);
      expect(resources(template)[alarmId].Properties.Threshold).toBe(value);
    },
  );

  test('GIVEN a disabled alarm WHEN synthesized THEN its red line is gone, and its metric is still drawn', () => {
    // GIVEN / WHEN
    const { dashboard } = buildOrders({ alarms: { api: { clientErrorRate: { enabled: false } } } });

    // THEN
    const widget = graph(dashboard, '5xx, 4xx and 429 (% of requests)');
    expect(annotations(widget)).toEqual([threshold(1, '5xx alarm above 1%'), threshold(1, '429 alarm above 1%')]);
    expect(lines(widget).map((s) => s.label)).toEqual(['5xx rate (%)', '4xx rate (%)', '429 rate (%)']);
  });

  test('GIVEN an alarm period of 1 minute WHEN synthesized THEN its graph line has the same period', () => {
    // GIVEN / WHEN
    const { template, dashboard } = buildOrders({ alarms: { api: { latencyP99: { period: Duration.minutes(1) } } } });

    // THEN
    const widget = graph(dashboard, 'Latency p99 (ms)');
    expect(line(widget, 'Latency p99').period).toBe(60);
    expect(line(widget, 'Integration latency p99').period).toBe(300);
    const alarmId = logicalId(template, 'AWS::CloudWatch::Alarm', 'ApiMonitoringApiLatency');
    expect(line(widget, 'Latency p99')).toEqual(alarmSeries(template, alarmId));
  });

  // The request count of each rate has its own id: under a shared id, two periods would be two different
  // metrics under one id, which aws-cdk-lib refuses.
  test('GIVEN rate alarms with three different periods WHEN synthesized THEN the rate graph shows each with its period', () => {
    // GIVEN / WHEN
    const { template, dashboard } = buildOrders({
      alarms: {
        api: {
          clientErrorRate: { period: Duration.minutes(15) },
          throttledRequestRate: { period: Duration.minutes(1) },
        },
      },
    });

    // THEN
    const widget = graph(dashboard, '5xx, 4xx and 429 (% of requests)');
    for (const [label, prefix] of [
      ['5xx rate (%)', 'ApiMonitoringApiServerErrorRate'],
      ['4xx rate (%)', 'ApiMonitoringApiClientErrorRate'],
      ['429 rate (%)', 'ApiMonitoringApiThrottledRequestRate'],
    ]) {
      const alarmId = logicalId(template, 'AWS::CloudWatch::Alarm', prefix);
      expect(line(widget, label)).toEqual(alarmSeries(template, alarmId));
    }
    const periods = (label: string) =>
      Object.fromEntries(Object.entries(line(widget, label).using!).map(([id, s]) => [id, s.period]));
    expect(periods('5xx rate (%)')).toEqual({ serverErrors: 300, requests_5xx: 300 });
    expect(periods('4xx rate (%)')).toEqual({ clientErrors: 900, requests_4xx: 900 });
    expect(periods('429 rate (%)')).toEqual({ throttled: 60, requests_429: 60 });
  });
});

describe('the functions row', () => {
  let built: BuiltApi & { dashboard: Dashboard };
  beforeAll(() => {
    built = buildOrders();
  });

  test('the error rate, throttles and duration graphs have one line per function', () => {
    const { dashboard } = built;
    const labels = (title: string) => lines(graph(dashboard, title)).map((s) => s.label);
    expect(labels('Functions: error rate (%)')).toEqual(['orders error rate (%)', 'reports error rate (%)']);
    expect(labels('Functions: throttles')).toEqual(['orders throttles', 'reports throttles']);
    expect(labels('Functions: p99 duration (% of timeout)')).toEqual([
      'orders p99 duration (% of timeout)',
      'reports p99 duration (% of timeout)',
    ]);
  });

  test('the concurrency graph has a line only for the function with reserved concurrency', () => {
    const { dashboard } = built;
    expect(lines(graph(dashboard, CONCURRENCY_GRAPH))).toEqual([
      expect.objectContaining({
        label: 'reports concurrency (% of reserved)',
        expression: '100 * FILL(concurrency_reports, 0) / 10',
      }),
    ]);
  });

  test('the duration line is a share of the timeout of each function', () => {
    const { dashboard } = built;
    const widget = graph(dashboard, 'Functions: p99 duration (% of timeout)');
    expect(line(widget, 'orders p99 duration (% of timeout)').expression).toBe(
      '100 * FILL(duration_orders, 0) / 10000',
    );
    expect(line(widget, 'reports p99 duration (% of timeout)').expression).toBe(
      '100 * FILL(duration_reports, 0) / 5000',
    );
  });

  test.each([
    ['Functions: error rate (%)', 'reports error rate (%)', 'errorRate'],
    ['Functions: throttles', 'reports throttles', 'throttles'],
    ['Functions: p99 duration (% of timeout)', 'reports p99 duration (% of timeout)', 'durationP99'],
    [CONCURRENCY_GRAPH, 'reports concurrency (% of reserved)', 'concurrency'],
  ])('the graph %j shows %j exactly as the function alarm watches its signal %s', (title, label, signal) => {
    const { stack, api, template, dashboard } = built;
    const reports = api.functions.find((f) => f.name === 'reports')!;
    const alarmId = idOf(stack, reports.alarms[0]);
    expect(line(graph(dashboard, title), label)).toEqual(alarmSeries(template, alarmId, signal));
  });

  test('the default function thresholds are red lines: 1% errors, 0 throttles, 80% duration, 80% concurrency', () => {
    const { dashboard } = built;
    expect(FUNCTION_GRAPHS.map((title) => annotations(graph(dashboard, title)))).toEqual([
      [threshold(1, 'error alarm above 1%')],
      [threshold(0, 'throttle alarm above 0')],
      [threshold(80, 'duration alarm above 80%')],
      [threshold(80, 'concurrency alarm above 80%')],
    ]);
  });

  test('GIVEN API-wide function thresholds WHEN synthesized THEN the red lines move, a disabled one is gone', () => {
    // GIVEN / WHEN
    const { dashboard } = buildOrders({
      alarms: {
        functions: { errorRate: { maxPercent: 5 }, throttles: { enabled: false }, durationP99: { maxPercent: 90 } },
      },
    });

    // THEN
    expect(FUNCTION_GRAPHS.map((title) => annotations(graph(dashboard, title)))).toEqual([
      [threshold(5, 'error alarm above 5%')],
      [],
      [threshold(90, 'duration alarm above 90%')],
      [threshold(80, 'concurrency alarm above 80%')],
    ]);
  });

  test('GIVEN a function added with addFunction() after construction WHEN synthesized THEN it is on every graph it has a signal for', () => {
    // GIVEN
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...ordersProps() });

    // WHEN
    api.addFunction('late', fn([route(HttpMethod.GET, '/late')], { reservedConcurrentExecutions: 2 }));
    const dashboard = onlyDashboard(Template.fromStack(stack));

    // THEN
    expect(FUNCTION_GRAPHS.map((title) => lines(graph(dashboard, title)).map((s) => s.label))).toEqual([
      ['orders error rate (%)', 'reports error rate (%)', 'late error rate (%)'],
      ['orders throttles', 'reports throttles', 'late throttles'],
      ['orders p99 duration (% of timeout)', 'reports p99 duration (% of timeout)', 'late p99 duration (% of timeout)'],
      ['reports concurrency (% of reserved)', 'late concurrency (% of reserved)'],
    ]);
  });

  test('GIVEN no function with reserved concurrency WHEN synthesized THEN the concurrency graph has no line', () => {
    // GIVEN / WHEN
    const { template } = buildApi();

    // THEN
    expect(lines(graph(onlyDashboard(template), CONCURRENCY_GRAPH))).toEqual([]);
  });
});

describe('the table row', () => {
  let built: BuiltApi & { dashboard: Dashboard };
  let tableId: string;
  beforeAll(() => {
    built = buildOrders();
    tableId = idOf(built.stack, built.api.table);
  });

  test.each([
    ['Table: read throttle events', 'ReadThrottleEvents', 'read'],
    ['Table: write throttle events', 'WriteThrottleEvents', 'write'],
  ])('the graph %j has a line for the table and one for each index', (title, metricName, kind) => {
    const { dashboard } = built;
    const series = (label: string, dimensions: { [name: string]: string }) => ({
      label,
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensions,
      stat: 'Sum',
      period: 300,
    });
    expect(lines(graph(dashboard, title))).toEqual([
      series(`table ${kind} throttles`, { TableName: tableId }),
      series(`byStatus ${kind} throttles`, { GlobalSecondaryIndexName: 'byStatus', TableName: tableId }),
    ]);
  });

  test.each([
    ['Table: read throttle events', 'table read throttles', 'ApiMonitoringTableReadThrottles'],
    ['Table: read throttle events', 'byStatus read throttles', 'ApiMonitoringIndexbyStatusReadThrottles'],
    ['Table: write throttle events', 'table write throttles', 'ApiMonitoringTableWriteThrottles'],
    ['Table: write throttle events', 'byStatus write throttles', 'ApiMonitoringIndexbyStatusWriteThrottles'],
    ['Table: system errors', 'System errors', 'ApiMonitoringTableSystemErrors'],
  ])('the graph %j shows %j exactly as the alarm %s watches it', (title, label, alarmPrefix) => {
    const { template, dashboard } = built;
    const alarmId = logicalId(template, 'AWS::CloudWatch::Alarm', alarmPrefix);
    expect(line(graph(dashboard, title), label)).toEqual(alarmSeries(template, alarmId));
  });

  test('the system errors graph sums the operations the access patterns use', () => {
    const { dashboard } = built;
    const systemErrors = line(graph(dashboard, 'Table: system errors'), 'System errors');
    expect(systemErrors.expression).toBe('FILL(getitem, 0) + FILL(batchgetitem, 0) + FILL(query, 0)');
    expect(Object.values(systemErrors.using!).map((s) => [s.metricName, s.dimensions, s.stat])).toEqual(
      ['GetItem', 'BatchGetItem', 'Query'].map((operation) => [
        'SystemErrors',
        { Operation: operation, TableName: tableId },
        'Sum',
      ]),
    );
  });

  test('the conditional check failures graph shows the table metric', () => {
    const { dashboard } = built;
    expect(lines(graph(dashboard, 'Table: conditional check failures'))).toEqual([
      {
        label: 'Conditional check failures',
        namespace: 'AWS/DynamoDB',
        metricName: 'ConditionalCheckFailedRequests',
        dimensions: { TableName: tableId },
        stat: 'Sum',
        period: 300,
      },
    ]);
  });

  test('the default thresholds are red lines at 0; conditional check failures, not alarmed by default, has none', () => {
    const { dashboard } = built;
    expect(TABLE_GRAPHS.map((title) => annotations(graph(dashboard, title)))).toEqual([
      [threshold(0, 'read alarm above 0')],
      [threshold(0, 'write alarm above 0')],
      [threshold(0, 'system error alarm above 0')],
      [],
    ]);
  });

  test('GIVEN the conditional check failures alarm enabled WHEN synthesized THEN its red line is drawn at 10', () => {
    // GIVEN / WHEN
    const { dashboard } = buildOrders({ alarms: { table: { conditionalCheckFailures: { enabled: true } } } });

    // THEN
    expect(annotations(graph(dashboard, 'Table: conditional check failures'))).toEqual([
      threshold(10, 'conditional check alarm above 10'),
    ]);
  });
});

describe('a dashboard without alarms', () => {
  test.each<[string, Partial<ServerlessApiProps>['alarms']]>([
    ['alarms: { enabled: false }', { enabled: false }],
    [
      'alarms disabled, with thresholds given on every layer',
      {
        enabled: false,
        api: { serverErrorRate: { maxPercent: 5 }, latencyP99: { maxLatency: Duration.seconds(4.5) } },
        functions: { errorRate: { maxPercent: 5 } },
        table: { conditionalCheckFailures: { enabled: true } },
      },
    ],
  ])('GIVEN %s WHEN synthesized THEN no graph has a threshold line', (_, alarms) => {
    // GIVEN / WHEN
    const { template, dashboard } = buildOrders({ alarms });

    // THEN
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    const graphs = dashboard.widgets.filter((w) => w.type === 'metric');
    expect(graphs.map((w) => w.properties.title)).toEqual([...API_GRAPHS, ...FUNCTION_GRAPHS, ...TABLE_GRAPHS]);
    expect(graphs.map((w) => [w.properties.title, w.properties.annotations])).toEqual(
      graphs.map((w) => [w.properties.title, undefined]),
    );
    expect(JSON.stringify(dashboard)).not.toContain(RED);
  });

  test('GIVEN alarms disabled and a function added with addFunction() WHEN synthesized THEN its graphs have no threshold line', () => {
    // GIVEN
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...ordersProps({ alarms: { enabled: false } }) });

    // WHEN
    api.addFunction('late', fn([route(HttpMethod.GET, '/late')], { reservedConcurrentExecutions: 2 }));
    const dashboard = onlyDashboard(Template.fromStack(stack));

    // THEN
    for (const title of FUNCTION_GRAPHS) {
      const widget = graph(dashboard, title);
      expect(lines(widget).map((s) => s.label)).toContainEqual(expect.stringMatching(/^late /));
      expect(widget.properties.annotations).toBeUndefined();
    }
  });
});

const QUEUE_GRAPHS = [
  'Queues: age of the oldest message (s)',
  'Dead-letter queues: messages',
  'Queues: messages waiting',
  'Queues: messages sent',
];
const WORKER_GRAPHS = [
  'Workers: error rate (%)',
  'Workers: throttles',
  'Workers: p99 duration (% of timeout)',
  'Workers with reserved concurrency: peak (% of reserved)',
];

describe('the queue and worker rows', () => {
  /** `orders` with a standard queue `thumbnails` and a FIFO queue `receipts`, whose worker has a reservation. */
  function withQueues(props: Partial<ServerlessApiProps> = {}) {
    return buildOrders({
      queues: {
        thumbnails: { worker: { entry: HANDLER_ENTRY } },
        receipts: { fifo: true, worker: { entry: HANDLER_ENTRY, reservedConcurrentExecutions: 4 } },
      },
      ...props,
    });
  }

  test('GIVEN queues WHEN synthesized THEN a queue row and a worker row sit between the functions and the table', () => {
    // GIVEN / WHEN
    const { dashboard } = withQueues();

    // THEN
    const graphs = dashboard.widgets.filter((w) => w.type === 'metric');
    expect(graphs.map((w) => w.properties.title)).toEqual([
      ...API_GRAPHS,
      ...FUNCTION_GRAPHS,
      ...QUEUE_GRAPHS,
      ...WORKER_GRAPHS,
      ...TABLE_GRAPHS,
    ]);
    const rowOf = (title: string) => graph(dashboard, title).y;
    expect(rowOf(FUNCTION_GRAPHS[0])).toBeLessThan(rowOf(QUEUE_GRAPHS[0]));
    expect(rowOf(QUEUE_GRAPHS[0])).toBeLessThan(rowOf(WORKER_GRAPHS[0]));
    expect(rowOf(WORKER_GRAPHS[0])).toBeLessThan(rowOf(TABLE_GRAPHS[0]));
  });

  test('GIVEN queues WHEN synthesized THEN each queue is on every queue graph, with the metric its alarm watches', () => {
    // GIVEN / WHEN
    const { stack, api, template, dashboard } = withQueues();

    // THEN
    for (const title of QUEUE_GRAPHS) {
      expect(lines(graph(dashboard, title)).map((s) => s.label)).toEqual([
        expect.stringMatching(/^thumbnails /),
        expect.stringMatching(/^receipts /),
      ]);
    }
    const dlq = idOf(stack, api.queue('thumbnails').deadLetterQueue);
    expect(line(graph(dashboard, QUEUE_GRAPHS[1]), 'thumbnails dead letters')).toEqual({
      label: 'thumbnails dead letters',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: `${dlq}.QueueName` },
      stat: 'Maximum',
      period: 300,
    });
    const alarmId = idOf(stack, api.queue('thumbnails').alarms[0]);
    expect(alarmSeries(template, alarmId)).toEqual(line(graph(dashboard, QUEUE_GRAPHS[1]), 'thumbnails dead letters'));
  });

  test('GIVEN queues WHEN synthesized THEN the workers are on the worker row, not the function row', () => {
    // GIVEN / WHEN
    const { dashboard } = withQueues();

    // THEN
    expect(lines(graph(dashboard, 'Workers: error rate (%)')).map((s) => s.label)).toEqual([
      'thumbnails error rate (%)',
      'receipts error rate (%)',
    ]);
    expect(
      lines(graph(dashboard, 'Workers with reserved concurrency: peak (% of reserved)')).map((s) => s.label),
    ).toEqual(['receipts concurrency (% of reserved)']);
    expect(lines(graph(dashboard, 'Functions: error rate (%)')).map((s) => s.label)).toEqual([
      'orders error rate (%)',
      'reports error rate (%)',
    ]);
  });

  test('GIVEN the defaults THEN the dead-letter graph draws its alarm line, the age graph none (each queue has its own)', () => {
    const { dashboard } = withQueues();
    expect(annotations(graph(dashboard, QUEUE_GRAPHS[1]))).toEqual([threshold(0, 'dead letters alarm above 0')]);
    expect(annotations(graph(dashboard, QUEUE_GRAPHS[0]))).toEqual([]);
  });

  test('GIVEN an API-wide age THEN the age graph draws it', () => {
    const { dashboard } = withQueues({ alarms: { queues: { oldestMessageAge: { maxAge: Duration.minutes(15) } } } });
    expect(annotations(graph(dashboard, QUEUE_GRAPHS[0]))).toEqual([threshold(900, 'age alarm above 15 minutes')]);
  });

  test('GIVEN no queue THEN neither row is drawn', () => {
    const { dashboard } = buildOrders();
    const titles = dashboard.widgets.map((w) => w.properties.title);
    for (const title of [...QUEUE_GRAPHS, ...WORKER_GRAPHS]) expect(titles).not.toContain(title);
  });
});
