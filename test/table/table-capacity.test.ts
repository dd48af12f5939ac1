import { Lazy } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import {
  AccessPattern,
  AutoScaledCapacity,
  ExistingTableOptions,
  ServerlessApiProps,
  TableBilling,
  TableOptions,
} from '../../src';
import { buildApi, expectError, fn, newStack, resources, route } from '../helpers/api';
import { acceptInvalidTemplates } from '../helpers/conformance/gate';

const GLOBAL_TABLE = 'AWS::DynamoDB::GlobalTable';

/** A get and an index Query, so the table has the index `byStatus` (from the access patterns). */
function withIndex(table: TableOptions): Partial<ServerlessApiProps> {
  return {
    table,
    accessPatterns: {
      getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{itemId}', sortKey: 'DETAIL' }),
      itemsByStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
    },
    functions: { items: fn([route(HttpMethod.GET, '/items/{itemId}')], { accessPatterns: ['getItem'] }) },
  };
}

/** The properties of the one GlobalTable of an API built from `props`. */
function tableOf(props: Partial<ServerlessApiProps>): any {
  const { template } = buildApi(props);
  const [table] = Object.values(resources(template)).filter((r) => r.Type === GLOBAL_TABLE);
  return table.Properties;
}

/** The auto scaling settings CloudFormation takes for a capacity, under `<Read|Write>CapacityAutoScalingSettings`. */
function scaling(min: number, max: number, target: number, seed = min) {
  return {
    MinCapacity: min,
    MaxCapacity: max,
    SeedCapacity: seed,
    TargetTrackingScalingPolicyConfiguration: { TargetValue: target },
  };
}

const READS: AutoScaledCapacity = { minCapacity: 5, maxCapacity: 100 };
const WRITES: AutoScaledCapacity = { minCapacity: 2, maxCapacity: 20, targetUtilizationPercent: 60 };

describe('the default billing', () => {
  test('is on-demand, with no maximum and no provisioned or warm throughput, on the table, its replica and its index', () => {
    // GIVEN / WHEN an API with an index and no `billing`
    const table = tableOf(withIndex({}));

    // THEN
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    for (const absent of ['WriteProvisionedThroughputSettings', 'WriteOnDemandThroughputSettings', 'WarmThroughput']) {
      expect(table).not.toHaveProperty(absent);
      expect(table.GlobalSecondaryIndexes[0]).not.toHaveProperty(absent);
    }
    expect(table.Replicas[0]).not.toHaveProperty('ReadProvisionedThroughputSettings');
    expect(table.Replicas[0]).not.toHaveProperty('ReadOnDemandThroughputSettings');
    expect(table.Replicas[0].GlobalSecondaryIndexes).toEqual([{ IndexName: 'byStatus' }]);
  });

  test('TableBilling.onDemand() says so: PAY_PER_REQUEST, no maximum, no capacity', () => {
    const billing = TableBilling.onDemand();
    expect([billing.mode, billing.maxThroughput, billing.capacity]).toEqual([
      dynamodb.BillingMode.PAY_PER_REQUEST,
      {},
      undefined,
    ]);
  });
});

describe('TableBilling.onDemand() with maximums', () => {
  test('GIVEN both maximums THEN OnDemandThroughput settings: writes on the table, reads on its replica', () => {
    const table = tableOf(
      withIndex({ billing: TableBilling.onDemand({ maxReadRequestUnits: 500, maxWriteRequestUnits: 100 }) }),
    );
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.WriteOnDemandThroughputSettings).toEqual({ MaxWriteRequestUnits: 100 });
    expect(table.Replicas[0].ReadOnDemandThroughputSettings).toEqual({ MaxReadRequestUnits: 500 });
    expect(table).not.toHaveProperty('WriteProvisionedThroughputSettings');
    // the maximum is the table's: its index keeps no maximum of its own
    expect(table.GlobalSecondaryIndexes[0]).not.toHaveProperty('WriteOnDemandThroughputSettings');
  });

  test('GIVEN only a read maximum THEN writes have none', () => {
    const table = tableOf(withIndex({ billing: TableBilling.onDemand({ maxReadRequestUnits: 40 }) }));
    expect(table.Replicas[0].ReadOnDemandThroughputSettings).toEqual({ MaxReadRequestUnits: 40 });
    expect(table).not.toHaveProperty('WriteOnDemandThroughputSettings');
  });
});

describe('TableBilling.provisioned()', () => {
  test('the factory keeps its mode and capacity', () => {
    const billing = TableBilling.provisioned({ readCapacity: READS, writeCapacity: WRITES });
    expect([billing.mode, billing.maxThroughput, billing.capacity]).toEqual([
      dynamodb.BillingMode.PROVISIONED,
      undefined,
      { readCapacity: READS, writeCapacity: WRITES },
    ]);
  });

  describe('with the table settings only', () => {
    let table: any;
    beforeAll(() => {
      table = tableOf(withIndex({ billing: TableBilling.provisioned({ readCapacity: READS, writeCapacity: WRITES }) }));
    });

    test('is PROVISIONED, with no on-demand maximum', () => {
      expect(table.BillingMode).toBe('PROVISIONED');
      expect(table).not.toHaveProperty('WriteOnDemandThroughputSettings');
      expect(table.Replicas[0]).not.toHaveProperty('ReadOnDemandThroughputSettings');
    });

    test('scales writes on the table: the target given, the seed at the minimum', () => {
      expect(table.WriteProvisionedThroughputSettings).toEqual({
        WriteCapacityAutoScalingSettings: scaling(2, 20, 60),
      });
    });

    test('scales reads on its replica: target 70% by default', () => {
      expect(table.Replicas[0].ReadProvisionedThroughputSettings).toEqual({
        ReadCapacityAutoScalingSettings: scaling(5, 100, 70),
      });
    });

    test('scales the index with the same settings, on its own consumption', () => {
      expect(table.GlobalSecondaryIndexes).toEqual([
        expect.objectContaining({
          IndexName: 'byStatus',
          WriteProvisionedThroughputSettings: { WriteCapacityAutoScalingSettings: scaling(2, 20, 60) },
        }),
      ]);
      expect(table.Replicas[0].GlobalSecondaryIndexes).toEqual([
        {
          IndexName: 'byStatus',
          ReadProvisionedThroughputSettings: { ReadCapacityAutoScalingSettings: scaling(5, 100, 70) },
        },
      ]);
    });
  });

  test('GIVEN an index with its own read capacity THEN it reads with it and writes with the table settings', () => {
    const table = tableOf(
      withIndex({
        billing: TableBilling.provisioned({
          readCapacity: READS,
          writeCapacity: WRITES,
          indexes: { byStatus: { readCapacity: { minCapacity: 1, maxCapacity: 10, targetUtilizationPercent: 50 } } },
        }),
      }),
    );
    expect(table.Replicas[0].GlobalSecondaryIndexes[0].ReadProvisionedThroughputSettings).toEqual({
      ReadCapacityAutoScalingSettings: scaling(1, 10, 50),
    });
    expect(table.GlobalSecondaryIndexes[0].WriteProvisionedThroughputSettings).toEqual({
      WriteCapacityAutoScalingSettings: scaling(2, 20, 60),
    });
    expect(table.Replicas[0].ReadProvisionedThroughputSettings).toEqual({
      ReadCapacityAutoScalingSettings: scaling(5, 100, 70),
    });
  });

  test('GIVEN a declared index with its own write capacity and a seed THEN its writes scale with them', () => {
    const table = tableOf(
      withIndex({
        globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'GSI1PK' }],
        billing: TableBilling.provisioned({
          readCapacity: { ...READS, seedCapacity: 40 },
          writeCapacity: WRITES,
          indexes: { byStatus: { writeCapacity: { minCapacity: 3, maxCapacity: 30, seedCapacity: 12 } } },
        }),
      }),
    );
    expect(table.GlobalSecondaryIndexes[0].WriteProvisionedThroughputSettings).toEqual({
      WriteCapacityAutoScalingSettings: scaling(3, 30, 70, 12),
    });
    expect(table.Replicas[0].ReadProvisionedThroughputSettings).toEqual({
      ReadCapacityAutoScalingSettings: scaling(5, 100, 70, 40),
    });
  });

  test('GIVEN a minimum that is a token THEN it is not checked at synth, and it reaches the template', () => {
    // aws-cdk-lib's own Capacity.autoscaled() compares maxCapacity, the target and the seed with literals, so only
    // minCapacity can be a token at all; it then seeds nothing.
    acceptInvalidTemplates(
      'a token resolving to 0 is for CloudFormation to refuse at deploy, not for the synth checks',
    );
    const table = tableOf(
      withIndex({
        billing: TableBilling.provisioned({
          readCapacity: { minCapacity: Lazy.number({ produce: () => 0 }), maxCapacity: 70 },
          writeCapacity: WRITES,
        }),
      }),
    );
    const reads = table.Replicas[0].ReadProvisionedThroughputSettings.ReadCapacityAutoScalingSettings;
    expect(reads).toEqual({
      MinCapacity: 0,
      MaxCapacity: 70,
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 },
    });
  });
});

describe('bad billing props', () => {
  const provisioned = (read: Partial<AutoScaledCapacity>, write: Partial<AutoScaledCapacity> = {}) =>
    withIndex({
      billing: TableBilling.provisioned({
        readCapacity: { ...READS, ...read } as AutoScaledCapacity,
        writeCapacity: { ...WRITES, ...write } as AutoScaledCapacity,
      }),
    });

  test.each([0, -1, 1.5])('GIVEN minCapacity %p THEN construction fails', (minCapacity) => {
    expectError(
      provisioned({ minCapacity }),
      `\`table.billing.readCapacity.minCapacity\` must be a whole number, 1 or more, got: ${minCapacity}`,
    );
  });

  test.each([0, 2.5])('GIVEN maxCapacity %p THEN construction fails', (maxCapacity) => {
    expectError(
      provisioned({}, { minCapacity: 1, maxCapacity }),
      `\`table.billing.writeCapacity.maxCapacity\` must be a whole number, 1 or more, got: ${maxCapacity}`,
    );
  });

  test('GIVEN maxCapacity below minCapacity THEN construction fails, naming both', () => {
    expectError(
      provisioned({}, { minCapacity: 10, maxCapacity: 5 }),
      '`table.billing.writeCapacity.maxCapacity` must be at least `minCapacity` (10), got: 5',
    );
  });

  test('GIVEN maxCapacity equal to minCapacity THEN the capacity is fixed in effect, and accepted', () => {
    expect(() => buildApi(provisioned({ minCapacity: 8, maxCapacity: 8 }))).not.toThrow();
  });

  test.each([19, 90.5, 95, NaN])('GIVEN targetUtilizationPercent %p THEN construction fails', (target) => {
    expectError(
      provisioned({ targetUtilizationPercent: target }),
      '`table.billing.readCapacity.targetUtilizationPercent` must be between 20 and 90 (the target utilizations ' +
        `DynamoDB auto scaling accepts), got: ${target}`,
    );
  });

  test.each([20, 90])('GIVEN targetUtilizationPercent %p (a bound) THEN it is accepted', (target) => {
    expect(() =>
      buildApi({
        ...provisioned({ targetUtilizationPercent: target }),
        // an alarm at or below the target is refused: keep this test about the target's range
        alarms: { table: { readCapacityUtilization: { maxPercent: 95 } } },
      }),
    ).not.toThrow();
  });

  test.each([
    [4, '4'],
    [101, '101'],
  ])('GIVEN seedCapacity %p outside the range THEN construction fails', (seedCapacity, shown) => {
    expectError(
      provisioned({ seedCapacity }),
      `\`table.billing.readCapacity.seedCapacity\` must be between \`minCapacity\` (5) and \`maxCapacity\` (100), got: ${shown}`,
    );
  });

  test('GIVEN provisioned billing without readCapacity (an untyped caller) THEN construction fails', () => {
    expectError(
      withIndex({ billing: TableBilling.provisioned({ writeCapacity: WRITES } as any) }),
      '`table.billing.readCapacity` must be set: provisioned billing needs read and write capacity, got: undefined',
    );
  });

  test('GIVEN capacity for an index the access patterns do not use THEN construction fails, listing the indexes', () => {
    expectError(
      withIndex({
        billing: TableBilling.provisioned({
          readCapacity: READS,
          writeCapacity: WRITES,
          indexes: { byDate: { readCapacity: READS } },
        }),
      }),
      '`table.billing.indexes` must name only indexes of the table, which the access patterns use (byStatus), got: "byDate"',
    );
  });

  test('GIVEN capacity for an index on a table without indexes THEN construction fails', () => {
    expectError(
      {
        table: {
          billing: TableBilling.provisioned({
            readCapacity: READS,
            writeCapacity: WRITES,
            indexes: { byStatus: { readCapacity: READS } },
          }),
        },
      },
      '`table.billing.indexes` must name only indexes of the table, which the access patterns use (none), got: "byStatus"',
    );
  });

  test('GIVEN an index entry with no capacity THEN construction fails, saying how to inherit', () => {
    expectError(
      withIndex({
        billing: TableBilling.provisioned({ readCapacity: READS, writeCapacity: WRITES, indexes: { byStatus: {} } }),
      }),
      '`table.billing.indexes.byStatus` must set `readCapacity` or `writeCapacity`: leave the index out to scale it ' +
        'with the table settings, got: {}',
    );
  });

  test("GIVEN a bad index capacity THEN the message names the index's prop", () => {
    expectError(
      withIndex({
        billing: TableBilling.provisioned({
          readCapacity: READS,
          writeCapacity: WRITES,
          indexes: { byStatus: { writeCapacity: { minCapacity: 0, maxCapacity: 10 } } },
        }),
      }),
      '`table.billing.indexes.byStatus.writeCapacity.minCapacity` must be a whole number, 1 or more, got: 0',
    );
  });

  test.each([
    ['maxReadRequestUnits', 0],
    ['maxWriteRequestUnits', 2.5],
    ['maxWriteRequestUnits', -1],
  ])('GIVEN on-demand %s %p THEN construction fails', (prop, value) => {
    expectError(
      withIndex({ billing: TableBilling.onDemand({ [prop]: value }) }),
      `\`table.billing.${prop}\` must be a whole number, 1 or more, got: ${value}`,
    );
  });

  test('GIVEN billing on an existing table (an untyped caller) THEN construction fails: the API does not own it', () => {
    const stack = newStack();
    const existingTable = {
      table: dynamodb.TableV2.fromTableName(stack, 'Existing', 'orders'),
      billing: TableBilling.onDemand({ maxReadRequestUnits: 10 }),
    } as ExistingTableOptions;
    expect(() => buildApi({ existingTable }, stack)).toThrow(
      new Error(
        '`existingTable.billing` must be left out: an existing table keeps the billing of the stack that defines it, ' +
          'set it there, got: {"mode":"PAY_PER_REQUEST","maxThroughput":{"maxReadRequestUnits":10}}',
      ),
    );
  });

  test('GIVEN table.billing beside existingTable THEN construction fails: one table or the other', () => {
    const stack = newStack();
    expect(() =>
      buildApi(
        {
          table: { billing: TableBilling.provisioned({ readCapacity: READS, writeCapacity: WRITES }) },
          existingTable: { table: dynamodb.TableV2.fromTableName(stack, 'Existing', 'orders') },
        },
        stack,
      ),
    ).toThrow(
      new Error('`table` and `existingTable` cannot both be set: configure a new table or bring an existing one'),
    );
  });
});
