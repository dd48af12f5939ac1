import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, TableBilling } from '../../../src';
import { CfnTemplate, formatSummary, summarizeTemplate } from '../../../src/cli/summary';
import { buildApi, fn, route } from '../../helpers/api';

/** Auto scaling settings as a GlobalTable writes them. */
function scaling(min: number, max: number, target?: number) {
  return {
    MinCapacity: min,
    MaxCapacity: max,
    ...(target === undefined ? {} : { TargetTrackingScalingPolicyConfiguration: { TargetValue: target } }),
  };
}

const KEYS = {
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  AttributeDefinitions: [
    { AttributeName: 'id', AttributeType: 'S' },
    { AttributeName: 'status', AttributeType: 'S' },
  ],
};
const STATUS_INDEX = {
  IndexName: 'byStatus',
  KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
  Projection: { ProjectionType: 'ALL' },
};

function tableOf(resource: { Type: string; Properties: object }) {
  return summarizeTemplate({ Resources: { Orders: resource } } as CfnTemplate).tables[0];
}

describe('the capacity of a table in the summary', () => {
  test('GIVEN a provisioned GlobalTable THEN writes from the table, reads from its replica, per index too', () => {
    // GIVEN
    const table = tableOf({
      Type: 'AWS::DynamoDB::GlobalTable',
      Properties: {
        ...KEYS,
        BillingMode: 'PROVISIONED',
        WriteProvisionedThroughputSettings: { WriteCapacityAutoScalingSettings: scaling(2, 20, 60) },
        GlobalSecondaryIndexes: [
          { ...STATUS_INDEX, WriteProvisionedThroughputSettings: { WriteCapacityAutoScalingSettings: scaling(2, 20) } },
        ],
        Replicas: [
          {
            Region: 'eu-west-1',
            ReadProvisionedThroughputSettings: { ReadCapacityAutoScalingSettings: scaling(5, 100, 70) },
            GlobalSecondaryIndexes: [
              { IndexName: 'byStatus', ReadProvisionedThroughputSettings: { ReadCapacityUnits: 4 } },
            ],
          },
        ],
      },
    });

    // THEN
    expect(table.billingMode).toBe('PROVISIONED');
    expect(table.capacity).toBe('reads 5-100 units, auto scaled to 70%; writes 2-20 units, auto scaled to 60%');
    expect(table.indexes[0].capacity).toBe('reads 4 units; writes 2-20 units, auto scaled');
  });

  test('GIVEN an on-demand GlobalTable with maximums THEN they are its capacity', () => {
    const table = tableOf({
      Type: 'AWS::DynamoDB::GlobalTable',
      Properties: {
        ...KEYS,
        BillingMode: 'PAY_PER_REQUEST',
        WriteOnDemandThroughputSettings: { MaxWriteRequestUnits: 100 },
        Replicas: [
          { Region: 'eu-west-1', ReadOnDemandThroughputSettings: { MaxReadRequestUnits: { Ref: 'MaxReads' } } },
        ],
      },
    });
    expect(table.capacity).toBe('reads at most ${MaxReads} units per second; writes at most 100 units per second');
  });

  test('GIVEN an on-demand table without maximums THEN it has no capacity line, nor has its index', () => {
    const table = tableOf({
      Type: 'AWS::DynamoDB::GlobalTable',
      Properties: {
        ...KEYS,
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [STATUS_INDEX],
        Replicas: [{ Region: 'eu-west-1' }],
      },
    });
    expect(table.capacity).toBeUndefined();
    expect(table.indexes[0].capacity).toBeUndefined();
  });

  test('GIVEN a Table with ProvisionedThroughput and an index with OnDemandThroughput THEN each says its own', () => {
    const table = tableOf({
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        ...KEYS,
        ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 },
        GlobalSecondaryIndexes: [{ ...STATUS_INDEX, OnDemandThroughput: { MaxReadRequestUnits: 50 } }],
        LocalSecondaryIndexes: [{ ...STATUS_INDEX, IndexName: 'local' }],
      },
    });
    expect(table.capacity).toBe('reads 10 units; writes 5 units');
    expect(table.indexes.map((index) => [index.name, index.capacity])).toEqual([
      ['byStatus', 'reads at most 50 units per second'],
      // a local index has no capacity of its own
      ['local', undefined],
    ]);
  });

  describe('GIVEN a ServerlessApi with provisioned billing', () => {
    const { template } = buildApi({
      table: {
        billing: TableBilling.provisioned({
          readCapacity: { minCapacity: 5, maxCapacity: 100 },
          writeCapacity: { minCapacity: 2, maxCapacity: 20, targetUtilizationPercent: 60 },
          indexes: { byStatus: { readCapacity: { minCapacity: 1, maxCapacity: 10 } } },
        }),
      },
      accessPatterns: { byStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }) },
      functions: { items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['byStatus'] }) },
    });
    const summary = summarizeTemplate(template.toJSON() as CfnTemplate, 'Test');

    test('THEN the summary prints the billing mode and the capacities of the table and of its index', () => {
      const text = formatSummary(summary);
      expect(text).toContain(
        '    billing: PROVISIONED; reads 5-100 units, auto scaled to 70%; writes 2-20 units, auto scaled to 60%\n',
      );
      expect(text).toContain(
        '    GSI byStatus: byStatusPK (S, partition); projection ALL; reads 1-10 units, auto scaled to 70%; ' +
          'writes 2-20 units, auto scaled to 60%\n',
      );
    });
  });

  test('GIVEN the default ServerlessApi THEN the billing line says on-demand and nothing more', () => {
    const { template } = buildApi();
    const text = formatSummary(summarizeTemplate(template.toJSON() as CfnTemplate, 'Test'));
    expect(text).toContain('    billing: PAY_PER_REQUEST\n');
  });
});
