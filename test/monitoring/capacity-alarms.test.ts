import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AccessPattern, AlarmOptions, ServerlessApiProps, TableBilling, TableOptions } from '../../src';
import {
  buildApi,
  BuiltApi,
  expectError,
  fn,
  getAtt,
  logicalId,
  newStack,
  ref,
  resources,
  route,
} from '../helpers/api';

const ALARM = 'AWS::CloudWatch::Alarm';
const API_NAME = 'shop';

/** The API `shop`: one function, a get and a Query on the index `byStatus`. */
function shopProps(table: TableOptions, alarms?: AlarmOptions): Partial<ServerlessApiProps> {
  return {
    apiName: API_NAME,
    table,
    alarms,
    accessPatterns: {
      getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{itemId}', sortKey: 'DETAIL' }),
      itemsByStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
    },
    functions: {
      items: fn([route(HttpMethod.GET, '/items/{itemId}')], { accessPatterns: ['getItem', 'itemsByStatus'] }),
    },
  };
}

/** Provisioned billing: reads 5-100 (target 70% by default), writes 2-20 at 60%, the index reads 1-10 at 50%. */
const PROVISIONED = TableBilling.provisioned({
  readCapacity: { minCapacity: 5, maxCapacity: 100 },
  writeCapacity: { minCapacity: 2, maxCapacity: 20, targetUtilizationPercent: 60 },
  indexes: { byStatus: { readCapacity: { minCapacity: 1, maxCapacity: 10, targetUtilizationPercent: 50 } } },
});

/** Provisioned billing of the table alone: every index scales with the table settings. */
const TABLE_SETTINGS_ONLY = TableBilling.provisioned({
  readCapacity: { minCapacity: 5, maxCapacity: 100 },
  writeCapacity: { minCapacity: 2, maxCapacity: 20 },
});

function capacityAlarmNames(template: Template): string[] {
  return Object.values(template.findResources(ALARM))
    .map((resource) => resource.Properties.AlarmName as string)
    .filter((name) => name.includes('Capacity'))
    .sort();
}

/** The metric alarm named `shop-<name>`: its logical id and properties. */
function alarm(template: Template, name: string): { id: string; props: any } {
  const found = Object.entries(template.findResources(ALARM)).filter(
    ([, resource]) => resource.Properties.AlarmName === `${API_NAME}-${name}`,
  );
  if (found.length !== 1) throw new Error(`expected one alarm named ${API_NAME}-${name}, found ${found.length}`);
  return { id: found[0][0], props: resources(template)[found[0][0]].Properties };
}

function metricStat(id: string, metricName: string, dimensions: object[], stat: string, period = 300): object {
  return {
    Id: id,
    Label: expect.any(String),
    MetricStat: {
      Metric: { Dimensions: dimensions, MetricName: metricName, Namespace: 'AWS/DynamoDB' },
      Period: period,
      Stat: stat,
    },
    ReturnData: false,
  };
}

describe('capacity alarms', () => {
  test('GIVEN the default on-demand table without a maximum THEN there is none: nothing limits consumption', () => {
    const { template } = buildApi(shopProps({}));
    expect(capacityAlarmNames(template)).toEqual([]);
  });

  describe('GIVEN provisioned billing', () => {
    let built: BuiltApi;
    let table: object[];
    let index: object[];
    beforeAll(() => {
      built = buildApi(shopProps({ billing: PROVISIONED }));
      table = [{ Name: 'TableName', Value: ref(logicalId(built.template, 'AWS::DynamoDB::GlobalTable', 'ApiTable')) }];
      index = [{ Name: 'GlobalSecondaryIndexName', Value: 'byStatus' }, ...table];
    });

    test('THEN reads and writes of the table and of each index have one', () => {
      expect(capacityAlarmNames(built.template)).toEqual([
        'shop-Index-byStatus-ReadCapacityUtilization',
        'shop-Index-byStatus-WriteCapacityUtilization',
        'shop-Table-ReadCapacityUtilization',
        'shop-Table-WriteCapacityUtilization',
      ]);
    });

    test('THEN the table reads: consumed per second against provisioned, above 80% in 2 of 3 periods of 5 minutes', () => {
      const { props } = alarm(built.template, 'Table-ReadCapacityUtilization');
      expect(props).toEqual({
        AlarmName: 'shop-Table-ReadCapacityUtilization',
        AlarmDescription:
          'Table: consumed read capacity above 80% of the provisioned capacity in 2 of 3 periods of 5 minutes, while ' +
          'auto scaling aims at 70% between 5 and 100 units. Auto scaling is at its maximum or has not caught up, and ' +
          'requests beyond the provisioned capacity are throttled: look first at provisioned against consumed ' +
          'capacity on the dashboard, then raise `table.billing.readCapacity.maxCapacity` or lower the target for ' +
          'more headroom.',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 80,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
        Metrics: [
          {
            Id: 'expr_1',
            Label: 'table reads (% of provisioned)',
            Expression:
              'IF(FILL(provisionedRead_table, REPEAT) > 0, 100 * FILL(consumedRead_table, 0) / ' +
              'PERIOD(consumedRead_table) / FILL(provisionedRead_table, REPEAT), 0)',
            ReturnData: true,
          },
          metricStat('consumedRead_table', 'ConsumedReadCapacityUnits', table, 'Sum'),
          metricStat('provisionedRead_table', 'ProvisionedReadCapacityUnits', table, 'Average'),
        ],
        // a warning: it notifies the topic itself
        AlarmActions: [ref(logicalId(built.template, 'AWS::SNS::Topic', 'ApiMonitoringAlarmTopic'))],
        OKActions: [ref(logicalId(built.template, 'AWS::SNS::Topic', 'ApiMonitoringAlarmTopic'))],
      });
    });

    test('THEN the index reads: its own metrics, its own target and the prop that sets it in the description', () => {
      const { props } = alarm(built.template, 'Index-byStatus-ReadCapacityUtilization');
      expect(props.Metrics).toEqual([
        expect.objectContaining({
          Expression:
            'IF(FILL(provisionedRead_i_byStatus, REPEAT) > 0, 100 * FILL(consumedRead_i_byStatus, 0) / ' +
            'PERIOD(consumedRead_i_byStatus) / FILL(provisionedRead_i_byStatus, REPEAT), 0)',
        }),
        metricStat('consumedRead_i_byStatus', 'ConsumedReadCapacityUnits', index, 'Sum'),
        metricStat('provisionedRead_i_byStatus', 'ProvisionedReadCapacityUnits', index, 'Average'),
      ]);
      expect(props.AlarmDescription).toContain('Index byStatus of the table: consumed read capacity above 80%');
      expect(props.AlarmDescription).toContain('auto scaling aims at 50% between 1 and 10 units');
      expect(props.AlarmDescription).toContain('raise `table.billing.indexes.byStatus.readCapacity.maxCapacity`');
    });

    test("THEN the index writes: the table's write settings, which the index scales with", () => {
      const { props } = alarm(built.template, 'Index-byStatus-WriteCapacityUtilization');
      expect(props.Metrics[1]).toEqual(
        metricStat('consumedWrite_i_byStatus', 'ConsumedWriteCapacityUnits', index, 'Sum'),
      );
      expect(props.AlarmDescription).toContain('auto scaling aims at 60% between 2 and 20 units');
      expect(props.AlarmDescription).toContain('raise `table.billing.writeCapacity.maxCapacity`');
    });

    test('THEN none rolls up into the composite alarm, while the throttle alarms still do', () => {
      const rule = JSON.stringify(built.template.findResources('AWS::CloudWatch::CompositeAlarm'));
      for (const name of capacityAlarmNames(built.template)) {
        expect(rule).not.toContain(alarm(built.template, name.slice(API_NAME.length + 1)).id);
      }
      expect(rule).toContain(alarm(built.template, 'Table-ReadThrottles').id);
      expect(rule).toContain(alarm(built.template, 'Index-byStatus-WriteThrottles').id);
    });

    test('THEN api.alarms lists them', () => {
      const arns = built.api.alarms.map((a) => built.stack.resolve(a.alarmArn));
      expect(arns).toContainEqual(getAtt(alarm(built.template, 'Table-WriteCapacityUtilization').id));
      expect(arns).toContainEqual(getAtt(alarm(built.template, 'Index-byStatus-ReadCapacityUtilization').id));
    });
  });

  test('GIVEN an on-demand read maximum THEN the table reads alone are watched, against the maximum', () => {
    // GIVEN / WHEN
    const { template } = buildApi(shopProps({ billing: TableBilling.onDemand({ maxReadRequestUnits: 500 }) }));

    // THEN
    expect(capacityAlarmNames(template)).toEqual(['shop-Table-ReadCapacityUtilization']);
    const { props } = alarm(template, 'Table-ReadCapacityUtilization');
    expect(props.Metrics[0]).toEqual({
      Id: 'expr_1',
      Label: 'table reads (% of the on-demand maximum)',
      Expression: '100 * FILL(consumedRead_table, 0) / PERIOD(consumedRead_table) / 500',
      ReturnData: true,
    });
    expect(props.Metrics).toHaveLength(2);
    expect(props.AlarmDescription).toBe(
      'Table: consumed read request units above 80% of the on-demand maximum of 500 per second in 2 of 3 periods of ' +
        '5 minutes. Requests beyond the maximum are throttled: look first at the routes and callers driving the ' +
        'traffic in the access log, then raise `table.billing.maxReadRequestUnits` if the traffic is legitimate.',
    );
  });

  test('GIVEN an on-demand write maximum THEN the table writes alone are watched', () => {
    const { template } = buildApi(shopProps({ billing: TableBilling.onDemand({ maxWriteRequestUnits: 40 }) }));
    expect(capacityAlarmNames(template)).toEqual(['shop-Table-WriteCapacityUtilization']);
    expect(alarm(template, 'Table-WriteCapacityUtilization').props.Metrics[0].Expression).toBe(
      '100 * FILL(consumedWrite_table, 0) / PERIOD(consumedWrite_table) / 40',
    );
  });

  test('GIVEN maxPercent, period and evaluation THEN the alarm and the metrics it reads take them', () => {
    const { template } = buildApi(
      shopProps(
        { billing: PROVISIONED },
        {
          table: {
            readCapacityUtilization: {
              maxPercent: 95,
              period: Duration.minutes(1),
              evaluationPeriods: 5,
              datapointsToAlarm: 4,
            },
          },
        },
      ),
    );
    const { props } = alarm(template, 'Table-ReadCapacityUtilization');
    expect([props.Threshold, props.EvaluationPeriods, props.DatapointsToAlarm]).toEqual([95, 5, 4]);
    expect(props.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period)).toEqual([60, 60]);
    expect(props.AlarmDescription).toContain('above 95% of the provisioned capacity in 4 of 5 periods of 1 minute');
    // the writes keep their defaults
    expect(alarm(template, 'Table-WriteCapacityUtilization').props.Threshold).toBe(80);
  });

  test('GIVEN enabled: false THEN that kind has no alarm, the other keeps its own', () => {
    const { template } = buildApi(
      shopProps({ billing: PROVISIONED }, { table: { writeCapacityUtilization: { enabled: false } } }),
    );
    expect(capacityAlarmNames(template)).toEqual([
      'shop-Index-byStatus-ReadCapacityUtilization',
      'shop-Table-ReadCapacityUtilization',
    ]);
  });

  test('GIVEN an index whose name metric ids cannot hold THEN its ids are encoded, and differ from a look-alike', () => {
    // GIVEN indexes "by-status" and "by.status", which a plain replacement would both turn into "by_status"
    const { template } = buildApi({
      apiName: API_NAME,
      table: { billing: TABLE_SETTINGS_ONLY },
      accessPatterns: {
        dashed: AccessPattern.query({ partitionKey: 'A#{a}', indexName: 'by-status' }),
        dotted: AccessPattern.query({ partitionKey: 'B#{b}', indexName: 'by.status' }),
      },
      functions: { items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['dashed', 'dotted'] }) },
    });

    // THEN
    expect(alarm(template, 'Index-by-status-ReadCapacityUtilization').props.Metrics[1].Id).toBe(
      'consumedRead_i_by_2d_status',
    );
    expect(alarm(template, 'Index-by.status-ReadCapacityUtilization').props.Metrics[1].Id).toBe(
      'consumedRead_i_by_2e_status',
    );
  });

  test("GIVEN an existing table THEN it has none: its billing is not the API's to know", () => {
    const stack = newStack();
    const { template } = buildApi(
      {
        apiName: API_NAME,
        existingTable: { table: dynamodb.TableV2.fromTableName(stack, 'Existing', 'orders') },
      },
      stack,
    );
    expect(capacityAlarmNames(template)).toEqual([]);
  });
});

describe('bad capacity alarm props', () => {
  test('GIVEN a target utilization above the default threshold THEN construction fails, naming both props', () => {
    expectError(
      shopProps({
        billing: TableBilling.provisioned({
          readCapacity: { minCapacity: 1, maxCapacity: 10, targetUtilizationPercent: 85 },
          writeCapacity: { minCapacity: 1, maxCapacity: 10 },
        }),
      }),
      '`alarms.table.readCapacityUtilization.maxPercent` must be above the target utilization of auto scaling, 85% ' +
        '(`table.billing.readCapacity.targetUtilizationPercent`): auto scaling holds consumption near its target, so ' +
        'the alarm would fire while all is well; raise it, or lower the target, got: 80',
    );
  });

  test("GIVEN a threshold equal to an index's target THEN construction fails, naming the index's prop", () => {
    expectError(
      shopProps(
        {
          billing: TableBilling.provisioned({
            readCapacity: { minCapacity: 1, maxCapacity: 10 },
            writeCapacity: { minCapacity: 1, maxCapacity: 10 },
            indexes: { byStatus: { writeCapacity: { minCapacity: 1, maxCapacity: 5, targetUtilizationPercent: 75 } } },
          }),
        },
        { table: { writeCapacityUtilization: { maxPercent: 75 } } },
      ),
      '`alarms.table.writeCapacityUtilization.maxPercent` must be above the target utilization of auto scaling, 75% ' +
        '(`table.billing.indexes.byStatus.writeCapacity.targetUtilizationPercent`): auto scaling holds consumption ' +
        'near its target, so the alarm would fire while all is well; raise it, or lower the target, got: 75',
    );
  });

  test('GIVEN a high target with the alarm raised above it, disabled, or alarms off THEN construction succeeds', () => {
    const billing = TableBilling.provisioned({
      readCapacity: { minCapacity: 1, maxCapacity: 10, targetUtilizationPercent: 85 },
      writeCapacity: { minCapacity: 1, maxCapacity: 10 },
    });
    for (const alarms of [
      { table: { readCapacityUtilization: { maxPercent: 92 } } },
      { table: { readCapacityUtilization: { enabled: false } } },
      { enabled: false },
    ]) {
      expect(() => buildApi(shopProps({ billing }, alarms))).not.toThrow();
    }
  });

  test('GIVEN a capacity alarm on a table without that limit THEN construction fails: it would watch nothing', () => {
    expectError(
      shopProps(
        { billing: TableBilling.onDemand({ maxReadRequestUnits: 100 }) },
        { table: { writeCapacityUtilization: { maxPercent: 90 } } },
      ),
      '`alarms.table.writeCapacityUtilization` must be left out on a table without a write capacity limit: it ' +
        'measures consumption against provisioned capacity (`TableBilling.provisioned()`) or an on-demand ' +
        '`maxWriteRequestUnits`, got: {"maxPercent":90}',
    );
  });

  test('GIVEN a capacity alarm on an existing table THEN construction fails', () => {
    const stack = newStack();
    expect(() =>
      buildApi(
        {
          existingTable: { table: dynamodb.TableV2.fromTableName(stack, 'Existing', 'orders') },
          alarms: { table: { readCapacityUtilization: { maxPercent: 90 } } },
        },
        stack,
      ),
    ).toThrow(
      new Error(
        '`alarms.table.readCapacityUtilization` must be left out on a table without a read capacity limit: it ' +
          'measures consumption against provisioned capacity (`TableBilling.provisioned()`) or an on-demand ' +
          '`maxReadRequestUnits`, got: {"maxPercent":90}',
      ),
    );
  });

  test('GIVEN a capacity alarm switched off on a table without that limit THEN it is accepted', () => {
    expect(() => buildApi(shopProps({}, { table: { readCapacityUtilization: { enabled: false } } }))).not.toThrow();
  });

  test('GIVEN maxPercent 100 THEN construction fails like every percent alarm', () => {
    expectError(
      shopProps(
        { billing: TableBilling.onDemand({ maxReadRequestUnits: 100 }) },
        {
          table: { readCapacityUtilization: { maxPercent: 100 } },
        },
      ),
      '`alarms.table.readCapacityUtilization.maxPercent` must be above 0 and below 100 (a share in percent), got: 100',
    );
  });

  test('GIVEN an index name that fits the throttle alarms but not the capacity alarms THEN construction fails', () => {
    // "shop-Index-<name>-WriteCapacityUtilization" is 36 characters besides the name: 220 make 256
    const indexName = 'i'.repeat(220);
    const props = (billing?: TableBilling): Partial<ServerlessApiProps> => ({
      apiName: API_NAME,
      table: { billing },
      accessPatterns: { byLong: AccessPattern.query({ partitionKey: 'A#{a}', indexName }) },
      functions: { items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['byLong'] }) },
    });
    expect(() => buildApi(props())).not.toThrow();
    expectError(
      props(TABLE_SETTINGS_ONLY),
      `Alarm name "shop-Index-${indexName}-WriteCapacityUtilization" is 256 characters, CloudWatch allows 255: ` +
        'shorten `apiName` or the name of the function or index it watches',
    );
  });
});
