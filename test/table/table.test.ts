import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccessPattern, TableEncryption, TableEncryptionType } from '../../src';
import { TABLE_NAME_ENV, TABLE_PARTITION_KEY_ENV } from '../../src/shared/env';
import {
  buildApi,
  BuiltApi,
  ENV,
  fn,
  functionIds,
  getAtt,
  GRANTS_ONLY_FOR_AWS_SERVICES,
  inlineStatements,
  logicalId,
  newStack,
  resources,
  route,
  tableKeyIds,
} from '../helpers/api';

const GLOBAL_TABLE = 'AWS::DynamoDB::GlobalTable';

describe('the default table', () => {
  let built: BuiltApi;
  beforeAll(() => {
    built = buildApi();
  });

  test('is one on-demand TableV2 with string keys PK and SK and a generated name', () => {
    built.template.resourceCountIs(GLOBAL_TABLE, 1);
    built.template.resourceCountIs('AWS::DynamoDB::Table', 0);
    built.template.hasResourceProperties(GLOBAL_TABLE, {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TableName: Match.absent(),
      GlobalSecondaryIndexes: Match.absent(),
    });
  });

  test('has point-in-time recovery and deletion protection on its replica', () => {
    built.template.hasResourceProperties(GLOBAL_TABLE, {
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  test('expires items on the expiresAt attribute', () => {
    built.template.hasResourceProperties(GLOBAL_TABLE, {
      TimeToLiveSpecification: Match.exact({ AttributeName: 'expiresAt', Enabled: true }),
    });
  });

  test('is retained when deleted or replaced', () => {
    built.template.hasResource(GLOBAL_TABLE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('is encrypted with the AWS-owned key: no KMS key, no KMS SSE', () => {
    built.template.hasResourceProperties(GLOBAL_TABLE, { SSESpecification: Match.exact({ SSEEnabled: false }) });
    built.template.hasResourceProperties(GLOBAL_TABLE, {
      Replicas: [Match.objectLike({ SSESpecification: Match.absent() })],
    });
    expect(tableKeyIds(built.template)).toEqual([]);
  });

  test('is exposed as `table`', () => {
    const { api, stack, template } = built;
    expect(stack.resolve(api.table.tableArn)).toEqual(getAtt(logicalId(template, GLOBAL_TABLE, 'ApiTable')));
  });
});

describe('table overrides', () => {
  test('GIVEN a name, key names and a TTL attribute THEN the table uses them', () => {
    const { template } = buildApi({
      table: { tableName: 'orders', partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'ttl' },
    });
    template.hasResourceProperties(GLOBAL_TABLE, {
      TableName: 'orders',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  test('GIVEN pointInTimeRecovery and deletionProtection off and RemovalPolicy.DESTROY THEN the table has neither and is deleted', () => {
    const { template } = buildApi({
      table: { pointInTimeRecovery: false, deletionProtection: false, removalPolicy: RemovalPolicy.DESTROY },
    });
    template.hasResourceProperties(GLOBAL_TABLE, {
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
          DeletionProtectionEnabled: false,
        }),
      ],
    });
    template.hasResource(GLOBAL_TABLE, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('GIVEN TableEncryption.awsManaged() THEN KMS SSE with the aws/dynamodb key, and no key of our own', () => {
    const { template } = buildApi({ table: { encryption: TableEncryption.awsManaged() } });
    template.hasResourceProperties(GLOBAL_TABLE, {
      SSESpecification: Match.exact({ SSEEnabled: true, SSEType: 'KMS' }),
      Replicas: [Match.objectLike({ SSESpecification: Match.absent() })],
    });
    expect(tableKeyIds(template)).toEqual([]);
  });

  test('GIVEN TableEncryption.customerManaged() THEN a new key with rotation, retained like the table, encrypts it', () => {
    const { template } = buildApi({ table: { encryption: TableEncryption.customerManaged() } }, newStack({ env: ENV }));
    const keyId = logicalId(template, 'AWS::KMS::Key', 'ApiTableKey');
    expect(tableKeyIds(template)).toEqual([keyId]);
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties(GLOBAL_TABLE, {
      SSESpecification: Match.exact({ SSEEnabled: true, SSEType: 'KMS' }),
      Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: getAtt(keyId) } })],
    });
  });

  test('GIVEN TableEncryption.customerManaged() THEN only AWS services, for the table, may create grants on the new key', () => {
    const { template } = buildApi({ table: { encryption: TableEncryption.customerManaged() } }, newStack({ env: ENV }));
    const key = resources(template)[logicalId(template, 'AWS::KMS::Key', 'ApiTableKey')];
    expect(key.Properties.KeyPolicy.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }),
      GRANTS_ONLY_FOR_AWS_SERVICES,
    ]);
  });

  test('GIVEN customerManaged(key) THEN the policy of the given key is left as the app made it', () => {
    const stack = newStack({ env: ENV });
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const { template } = buildApi({ table: { encryption: TableEncryption.customerManaged(key) } }, stack);
    const statements =
      resources(template)[logicalId(template, 'AWS::KMS::Key', 'MyKey')].Properties.KeyPolicy.Statement;
    expect(statements).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'kms:*', Resource: '*' })]);
  });

  test('GIVEN customerManaged() and RemovalPolicy.DESTROY THEN the created key is deleted with the table', () => {
    const { template } = buildApi(
      { table: { encryption: TableEncryption.customerManaged(), removalPolicy: RemovalPolicy.DESTROY } },
      newStack({ env: ENV }),
    );
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('GIVEN TableEncryption.customerManaged(key) THEN that key encrypts the table and no other key is created', () => {
    const stack = newStack({ env: ENV });
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const { template } = buildApi({ table: { encryption: TableEncryption.customerManaged(key) } }, stack);
    expect(tableKeyIds(template)).toEqual([logicalId(template, 'AWS::KMS::Key', 'MyKey')]);
    template.hasResourceProperties(GLOBAL_TABLE, {
      Replicas: [
        Match.objectLike({
          SSESpecification: { KMSMasterKeyId: getAtt(logicalId(template, 'AWS::KMS::Key', 'MyKey')) },
        }),
      ],
    });
  });

  test('TableEncryption factories name their type and key', () => {
    expect(TableEncryption.awsOwned().type).toBe(TableEncryptionType.AWS_OWNED);
    expect(TableEncryption.awsManaged().type).toBe(TableEncryptionType.AWS_MANAGED);
    expect(TableEncryption.customerManaged().type).toBe(TableEncryptionType.CUSTOMER_MANAGED);
    expect(TableEncryption.customerManaged().key).toBeUndefined();
  });
});

describe('global secondary indexes', () => {
  test('are declared by name, with string keys and the projection asked for (ALL by default)', () => {
    // GIVEN one index per projection type, one of them without a sort key
    const { template } = buildApi({
      table: {
        globalSecondaryIndexes: [
          { indexName: 'byStatus', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
          { indexName: 'byOwner', partitionKey: 'GSI2PK', projectionType: dynamodb.ProjectionType.KEYS_ONLY },
          {
            indexName: 'byDate',
            partitionKey: 'GSI3PK',
            sortKey: 'GSI3SK',
            projectionType: dynamodb.ProjectionType.INCLUDE,
            nonKeyAttributes: ['title', 'dueAt'],
          },
        ],
      },
      accessPatterns: {
        byStatus: AccessPattern.query({
          partitionKey: 'STATUS#{status}',
          sortKeyPrefix: 'DUE#',
          indexName: 'byStatus',
        }),
        byOwner: AccessPattern.query({ partitionKey: 'USER#{userId}', indexName: 'byOwner' }),
        byDate: AccessPattern.scan({ indexName: 'byDate' }),
      },
      functions: { items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['byStatus'] }) },
    });

    // THEN
    template.hasResourceProperties(GLOBAL_TABLE, {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byOwner',
          KeySchema: [{ AttributeName: 'GSI2PK', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: 'byDate',
          KeySchema: [
            { AttributeName: 'GSI3PK', KeyType: 'HASH' },
            { AttributeName: 'GSI3SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['title', 'dueAt'] },
        },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'GSI1PK', AttributeType: 'S' },
        { AttributeName: 'GSI1SK', AttributeType: 'S' },
        { AttributeName: 'GSI2PK', AttributeType: 'S' },
        { AttributeName: 'GSI3PK', AttributeType: 'S' },
        { AttributeName: 'GSI3SK', AttributeType: 'S' },
      ]),
    });
  });
});

describe('existingTable', () => {
  const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders';
  let built: BuiltApi;
  beforeAll(() => {
    // GIVEN an imported table with its own key names and an index
    const stack = newStack({ env: ENV });
    const table = dynamodb.TableV2.fromTableArn(stack, 'Existing', TABLE_ARN);
    built = buildApi(
      {
        existingTable: {
          table,
          partitionKey: 'id',
          sortKey: 'kind',
          timeToLiveAttribute: 'ttl',
          globalSecondaryIndexes: [{ indexName: 'byKind', partitionKey: 'kindId', sortKey: 'kindDate' }],
        },
        accessPatterns: {
          getItem: AccessPattern.getItem({ partitionKey: 'ITEM#{itemId}', sortKey: 'ITEM' }),
          byKind: AccessPattern.query({ partitionKey: 'KIND#{kind}', sortKeyPrefix: '2026-', indexName: 'byKind' }),
        },
        functions: {
          items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['getItem', 'byKind'] }),
        },
      },
      stack,
    );
  });

  test('creates no table and no key', () => {
    built.template.resourceCountIs(GLOBAL_TABLE, 0);
    built.template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(tableKeyIds(built.template)).toEqual([]);
  });

  test("grants on the given table's ARN and its declared indexes", () => {
    const statements = inlineStatements(built.template, functionIds(built.template, 'items').role).slice(2);
    expect(statements.map((s) => s.Resource)).toEqual([TABLE_ARN, `${TABLE_ARN}/index/byKind`]);
  });

  test("tells handlers the given table's name and key names", () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [TABLE_NAME_ENV]: 'orders',
          [TABLE_PARTITION_KEY_ENV]: 'id',
          TABLE_SORT_KEY: 'kind',
          TABLE_TTL_ATTRIBUTE: 'ttl',
        }),
      },
    });
  });

  test('is exposed as `table`', () => {
    expect(built.api.table.tableArn).toBe(TABLE_ARN);
  });

  test('its table alarms watch the given table, and its declared index', () => {
    const alarms = Object.values(resources(built.template)).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && /^(Table|Index)/.test(`${r.Properties.AlarmDescription}`),
    );
    const dimensions = alarms.flatMap((alarm) =>
      alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions),
    );
    // read and write throttles of the table and of byKind, and system errors of GetItem, BatchGetItem and Query
    expect(dimensions).toHaveLength(7);
    dimensions.forEach((d: any) => expect(d).toContainEqual({ Name: 'TableName', Value: 'orders' }));
    expect(dimensions.filter((d: any) => d.some((x: any) => x.Value === 'byKind'))).toHaveLength(2);
  });
});
