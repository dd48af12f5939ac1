import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, AlarmOptions, ServerlessApiProps, TableBilling } from '../../src';
import { buildApi, BuiltApi, fn, logicalId, route } from '../helpers/api';
import {
  alarmSeries,
  annotations,
  Dashboard,
  graph,
  line,
  lines,
  onlyDashboard,
  threshold,
  Widget,
} from '../helpers/dashboard';

const READS_CONSUMED = 'Table: reads consumed against provisioned (units per second)';
const WRITES_CONSUMED = 'Table: writes consumed against provisioned (units per second)';
const READS_USED = 'Table: reads (% of provisioned)';
const WRITES_USED = 'Table: writes (% of provisioned)';

/** The API `orders` with the index `byStatus` (from a Query pattern) and the given billing. */
function ordersProps(billing?: TableBilling, alarms?: AlarmOptions): Partial<ServerlessApiProps> {
  return {
    apiName: 'orders',
    table: { billing },
    alarms,
    accessPatterns: {
      getOrder: AccessPattern.getItem({ partitionKey: 'ORDER#{orderId}', sortKey: 'ORDER' }),
      ordersByStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
    },
    functions: {
      orders: fn([route(HttpMethod.GET, '/orders/{orderId}')], { accessPatterns: ['getOrder', 'ordersByStatus'] }),
    },
  };
}

const PROVISIONED = TableBilling.provisioned({
  readCapacity: { minCapacity: 5, maxCapacity: 100 },
  writeCapacity: { minCapacity: 2, maxCapacity: 20 },
});

function titles(dashboard: Dashboard): string[] {
  return dashboard.widgets.filter((w) => w.type === 'metric').map((w) => w.properties.title);
}

describe('the capacity row', () => {
  test('GIVEN the default on-demand table THEN there is none', () => {
    const dashboard = onlyDashboard(buildApi(ordersProps()).template);
    expect(titles(dashboard).filter((title) => title.startsWith('Table:'))).toEqual([
      'Table: read throttle events',
      'Table: write throttle events',
      'Table: system errors',
      'Table: conditional check failures',
    ]);
  });

  describe('GIVEN provisioned billing', () => {
    let built: BuiltApi;
    let dashboard: Dashboard;
    beforeAll(() => {
      built = buildApi(ordersProps(PROVISIONED));
      dashboard = onlyDashboard(built.template);
    });

    test('THEN it is the last row, below the table row: reads consumed and used, then writes', () => {
      const row = [READS_CONSUMED, READS_USED, WRITES_CONSUMED, WRITES_USED].map((title) => graph(dashboard, title));
      const tableRow = graph(dashboard, 'Table: read throttle events');
      row.forEach((widget: Widget) => expect(widget.y).toBeGreaterThan(tableRow.y));
      expect(row.map((widget) => widget.y)).toEqual([row[0].y, row[0].y, row[0].y, row[0].y]);
      expect(row.map((widget) => widget.x)).toEqual([0, 6, 12, 18]);
      expect(Math.max(...dashboard.widgets.map((widget) => widget.y))).toBe(row[0].y);
    });

    test('THEN reads consumed per second beside provisioned, for the table and its index', () => {
      const widget = graph(dashboard, READS_CONSUMED);
      expect(lines(widget).map((series) => series.label)).toEqual([
        'table reads consumed per second',
        'table reads provisioned',
        'byStatus reads consumed per second',
        'byStatus reads provisioned',
      ]);
      expect(line(widget, 'byStatus reads consumed per second')).toMatchObject({
        expression: 'FILL(consumedRead_i_byStatus, 0) / PERIOD(consumedRead_i_byStatus)',
        using: {
          consumedRead_i_byStatus: {
            metricName: 'ConsumedReadCapacityUnits',
            dimensions: { GlobalSecondaryIndexName: 'byStatus', TableName: expect.stringMatching(/^ApiTable/) },
            stat: 'Sum',
          },
        },
      });
      expect(line(widget, 'table reads provisioned')).toMatchObject({
        metricName: 'ProvisionedReadCapacityUnits',
        stat: 'Average',
      });
      expect(annotations(widget)).toEqual([]);
    });

    test('THEN the share of provisioned capacity is what the alarms watch, with their threshold in red', () => {
      const widget = graph(dashboard, WRITES_USED);
      const alarmId = (name: string) =>
        logicalId(built.template, 'AWS::CloudWatch::Alarm', `ApiMonitoring${name}WriteCapacityUtilization`);
      expect(line(widget, 'table writes (% of provisioned)')).toEqual(alarmSeries(built.template, alarmId('Table')));
      expect(line(widget, 'byStatus writes (% of provisioned)')).toEqual(
        alarmSeries(built.template, alarmId('IndexbyStatus')),
      );
      expect(annotations(widget)).toEqual([threshold(80, 'write capacity alarm above 80%')]);
    });
  });

  test('GIVEN alarms off THEN the row is drawn without threshold lines', () => {
    const dashboard = onlyDashboard(buildApi(ordersProps(PROVISIONED, { enabled: false })).template);
    expect(annotations(graph(dashboard, READS_USED))).toEqual([]);
  });

  test('GIVEN an on-demand read maximum THEN reads alone, against the maximum drawn as a line', () => {
    // GIVEN / WHEN
    const dashboard = onlyDashboard(
      buildApi(ordersProps(TableBilling.onDemand({ maxReadRequestUnits: 500 }))).template,
    );

    // THEN
    const consumed = graph(dashboard, 'Table: reads consumed against the maximum (units per second)');
    expect(lines(consumed).map((series) => series.label)).toEqual(['table reads consumed per second']);
    expect(annotations(consumed)).toEqual([
      { value: 500, label: 'on-demand maximum, 500 reads per second', yAxis: 'left' },
    ]);
    const used = graph(dashboard, 'Table: reads (% of the maximum)');
    expect(lines(used).map((series) => series.expression)).toEqual([
      '100 * FILL(consumedRead_table, 0) / PERIOD(consumedRead_table) / 500',
    ]);
    expect(annotations(used)).toEqual([threshold(80, 'read capacity alarm above 80%')]);
    expect(titles(dashboard).filter((title) => title.includes('writes'))).toEqual([]);
  });
});
