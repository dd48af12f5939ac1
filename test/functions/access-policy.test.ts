import { Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TableAccess, TableEncryption } from '../../src';
import {
  actionsOf,
  allStatements,
  buildApi,
  BuiltApi,
  ENV,
  fn,
  functionIds,
  getAtt,
  inlineStatements,
  logicalId,
  newStack,
  PolicyStatementJson,
  route,
} from '../util';

const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** The condition every key-scoped statement carries: the leading key must match, and must be there at all. */
const leadingKeys = (patterns: string[]) => ({
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns },
  Null: { 'dynamodb:LeadingKeys': 'false' },
});

const dynamodbStatements = (statements: PolicyStatementJson[]) =>
  statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

describe('table access of route functions', () => {
  let built: BuiltApi;
  let tableArn: object;
  /** The statements of a function's role after its logs and X-Ray statements. */
  let tableStatements: (name: string) => PolicyStatementJson[];

  beforeAll(() => {
    // GIVEN one function per kind of access, on a table with an index
    built = buildApi({
      table: { globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' }] },
      functions: {
        none: fn([route(HttpMethod.GET, '/none')]),
        reader: fn([route(HttpMethod.GET, '/read')], { tableAccess: [TableAccess.read(['PROJECT#*', 'USER#?x'])] }),
        writer: fn([route(HttpMethod.POST, '/write')], { tableAccess: [TableAccess.write(['WEBHOOK#*'])] }),
        both: fn([route(HttpMethod.PUT, '/both')], { tableAccess: [TableAccess.readWrite(['PROJECT#*'])] }),
        merged: fn([route(HttpMethod.PATCH, '/merged')], {
          tableAccess: [TableAccess.read(['A#*']), TableAccess.write(['A#*']), TableAccess.write(['B#*'])],
        }),
        indexed: fn([route(HttpMethod.GET, '/indexed')], {
          tableAccess: [TableAccess.queryIndex('byStatus', ['STATUS#*'])],
        }),
        scanner: fn([route(HttpMethod.GET, '/scan')], { tableAccess: [TableAccess.scan()] }),
        indexScanner: fn([route(HttpMethod.GET, '/scan-index')], { tableAccess: [TableAccess.scan('byStatus')] }),
      },
    });
    tableArn = getAtt(logicalId(built.template, 'AWS::DynamoDB::GlobalTable', 'ApiTable'));
    tableStatements = (name) => inlineStatements(built.template, functionIds(built.template, name).role).slice(2);
  });

  test('without tableAccess a function gets no table statement at all', () => {
    expect(tableStatements('none')).toEqual([]);
    expect(dynamodbStatements(inlineStatements(built.template, functionIds(built.template, 'none').role))).toEqual([]);
  });

  test('read = GetItem, BatchGetItem, Query, ConditionCheckItem on the table, for the matching partition keys', () => {
    expect(tableStatements('reader')).toEqual([
      { Action: READ, Effect: 'Allow', Resource: tableArn, Condition: leadingKeys(['PROJECT#*', 'USER#?x']) },
    ]);
  });

  test('write = PutItem, UpdateItem, DeleteItem, BatchWriteItem on the table, for the matching partition keys', () => {
    expect(tableStatements('writer')).toEqual([
      { Action: WRITE, Effect: 'Allow', Resource: tableArn, Condition: leadingKeys(['WEBHOOK#*']) },
    ]);
  });

  test('readWrite = read and write in one statement', () => {
    expect(tableStatements('both')).toEqual([
      { Action: [...READ, ...WRITE], Effect: 'Allow', Resource: tableArn, Condition: leadingKeys(['PROJECT#*']) },
    ]);
  });

  test('accesses with the same key patterns share one statement; other patterns get their own', () => {
    expect(tableStatements('merged')).toEqual([
      { Action: [...READ, ...WRITE], Effect: 'Allow', Resource: tableArn, Condition: leadingKeys(['A#*']) },
      { Action: WRITE, Effect: 'Allow', Resource: tableArn, Condition: leadingKeys(['B#*']) },
    ]);
  });

  test('queryIndex = Query on the index ARN only, for the matching index partition keys', () => {
    expect(tableStatements('indexed')).toEqual([
      {
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [tableArn, '/index/byStatus']] },
        Condition: leadingKeys(['STATUS#*']),
      },
    ]);
  });

  test('scan() = Scan on the table, without a key condition (a Scan carries no partition key)', () => {
    expect(tableStatements('scanner')).toEqual([{ Action: 'dynamodb:Scan', Effect: 'Allow', Resource: tableArn }]);
  });

  test('scan(indexName) = Scan on that index only', () => {
    expect(tableStatements('indexScanner')).toEqual([
      { Action: 'dynamodb:Scan', Effect: 'Allow', Resource: { 'Fn::Join': ['', [tableArn, '/index/byStatus']] } },
    ]);
  });

  test('every DynamoDB statement other than Scan carries both the LeadingKeys pattern and the Null guard', () => {
    const scoped = dynamodbStatements(allStatements(built.template)).filter(
      (s) => !actionsOf(s).includes('dynamodb:Scan'),
    );
    expect(scoped).toHaveLength(6);
    for (const statement of scoped) {
      expect(Object.keys(statement.Condition).sort()).toEqual(['ForAllValues:StringLike', 'Null']);
      expect(Object.keys(statement.Condition['ForAllValues:StringLike'])).toEqual(['dynamodb:LeadingKeys']);
      expect(statement.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'].length).toBeGreaterThan(0);
      expect(statement.Condition.Null).toEqual({ 'dynamodb:LeadingKeys': 'false' });
    }
  });

  test('Scan never shares a statement with a key-scoped action', () => {
    for (const statement of dynamodbStatements(allStatements(built.template))) {
      if (actionsOf(statement).includes('dynamodb:Scan')) expect(actionsOf(statement)).toEqual(['dynamodb:Scan']);
    }
  });

  test('no role gets a KMS statement when the table is not encrypted with a customer-managed key', () => {
    expect(allStatements(built.template).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))).toEqual([]);
  });
});

describe('no Scan, PartiQL or wildcard action by default', () => {
  test('GIVEN the default API and one function with every key-scoped access THEN no statement allows Scan', () => {
    const { template } = buildApi({
      table: { globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'GSI1PK' }] },
      functions: {
        items: fn([route(HttpMethod.GET, '/items')], {
          tableAccess: [
            TableAccess.read(['A#*']),
            TableAccess.write(['B#*']),
            TableAccess.readWrite(['C#*']),
            TableAccess.queryIndex('byStatus', ['D#*']),
          ],
        }),
      },
    });
    const actions = allStatements(template).flatMap(actionsOf);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => a.startsWith('dynamodb:PartiQL'))).toEqual([]);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });
});

describe('customer-managed table keys', () => {
  const viaDynamoDb = { StringEquals: { 'kms:ViaService': `dynamodb.${ENV.region}.amazonaws.com` } };
  let built: BuiltApi;
  let keyArn: object;
  beforeAll(() => {
    // GIVEN a table encrypted with a key the API creates, and a reader, a writer and a function without access
    built = buildApi(
      {
        table: { encryption: TableEncryption.customerManaged() },
        functions: {
          reader: fn([route(HttpMethod.GET, '/read')], { tableAccess: [TableAccess.read(['A#*'])] }),
          writer: fn([route(HttpMethod.POST, '/write')], { tableAccess: [TableAccess.write(['A#*'])] }),
          both: fn([route(HttpMethod.PUT, '/both')], { tableAccess: [TableAccess.readWrite(['A#*'])] }),
          none: fn([route(HttpMethod.GET, '/none')]),
        },
      },
      newStack({ env: ENV }),
    );
    keyArn = getAtt(logicalId(built.template, 'AWS::KMS::Key', 'ApiTableKey'));
  });

  const kmsStatements = (name: string) =>
    inlineStatements(built.template, functionIds(built.template, name).role).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('kms:')),
    );

  test('a reader may decrypt with the key, only through DynamoDB', () => {
    expect(kmsStatements('reader')).toEqual([
      { Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: keyArn, Condition: viaDynamoDb },
    ]);
  });

  test('a writer also gets kms:Encrypt and kms:GenerateDataKey', () => {
    for (const name of ['writer', 'both']) {
      expect(kmsStatements(name)).toEqual([
        {
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
          Effect: 'Allow',
          Resource: keyArn,
          Condition: viaDynamoDb,
        },
      ]);
    }
  });

  test('key access is granted in the inline role policies only: no policy resources', () => {
    built.template.resourceCountIs('AWS::IAM::Policy', 0);
    built.template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('a function without table access gets no key access', () => {
    expect(kmsStatements('none')).toEqual([]);
  });

  test('GIVEN an existing table with its key THEN functions may use that key through DynamoDB', () => {
    // GIVEN
    const stack = newStack({ env: ENV });
    const key = kms.Key.fromKeyArn(
      stack,
      'Key',
      'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    );
    const table = dynamodb.TableV2.fromTableArn(
      stack,
      'Existing',
      'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
    );

    // WHEN
    const { template } = buildApi(
      {
        existingTable: { table, encryptionKey: key },
        functions: { reader: fn([route(HttpMethod.GET, '/read')], { tableAccess: [TableAccess.read(['A#*'])] }) },
      },
      stack,
    );

    // THEN
    expect(inlineStatements(template, functionIds(template, 'reader').role).slice(2)).toEqual([
      {
        Action: READ,
        Effect: 'Allow',
        Resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
        Condition: leadingKeys(['A#*']),
      },
      {
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Effect: 'Allow',
        Resource: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        Condition: viaDynamoDb,
      },
    ]);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });
});
