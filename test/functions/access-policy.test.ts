import { Match } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccessPattern, TableEncryption } from '../../src';
import {
  actionsOf,
  tableKeyIds,
  allStatements,
  buildApi,
  BuiltApi,
  ENV,
  fn,
  functionIds,
  getAtt,
  inlineStatements,
  itemPatterns,
  logicalId,
  newStack,
  PolicyStatementJson,
  route,
} from '../helpers/api';

const GET = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem'];

/** The condition every key-scoped statement carries: the leading key must match, and must be there at all. */
const leadingKeys = (patterns: string[]) => ({
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns },
  Null: { 'dynamodb:LeadingKeys': 'false' },
});

const dynamodbStatements = (statements: PolicyStatementJson[]) =>
  statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

describe('table access of route functions, derived from their access patterns', () => {
  let built: BuiltApi;
  let tableArn: object;
  let indexArn: object;
  /** The statements of a function's role after its logs and X-Ray statements. */
  let tableStatements: (name: string) => PolicyStatementJson[];

  beforeAll(() => {
    // GIVEN patterns of every operation, on the table and on an index, and one function per combination
    const one = (...accessPatterns: string[]) => ({ accessPatterns });
    built = buildApi({
      accessPatterns: {
        ...itemPatterns(),
        getUser: AccessPattern.getItem({ partitionKey: 'USER#{userId}', sortKey: 'PROFILE' }),
        putSession: AccessPattern.putItem({ partitionKey: 'USER#{userId}', sortKey: 'SESSION#{sessionId}' }),
        tenantTasks: AccessPattern.query({ partitionKey: 'TENANT#{tenantId}#PROJECT#{projectId}' }),
        byStatus: AccessPattern.query({
          partitionKey: 'STATUS#{status}',
          sortKeyPrefix: 'DUE#',
          indexName: 'byStatus',
        }),
        scanAll: AccessPattern.scan(),
        scanStatus: AccessPattern.scan({ indexName: 'byStatus' }),
      },
      functions: {
        none: fn([route(HttpMethod.GET, '/none')]),
        getter: fn([route(HttpMethod.GET, '/get')], one('getItem')),
        querier: fn([route(HttpMethod.GET, '/query')], one('listItems')),
        putter: fn([route(HttpMethod.POST, '/put')], one('putItem')),
        updater: fn([route(HttpMethod.PATCH, '/update')], one('updateItem')),
        deleter: fn([route(HttpMethod.DELETE, '/delete')], one('deleteItem')),
        merged: fn([route(HttpMethod.PUT, '/merged')], one('getItem', 'listItems', 'putItem', 'getUser', 'putSession')),
        tenant: fn([route(HttpMethod.GET, '/tenant')], one('tenantTasks')),
        indexed: fn([route(HttpMethod.GET, '/indexed')], one('byStatus')),
        scanner: fn([route(HttpMethod.GET, '/scan')], one('scanAll')),
        indexScanner: fn([route(HttpMethod.GET, '/scan-index')], one('scanStatus')),
      },
    });
    tableArn = getAtt(logicalId(built.template, 'AWS::DynamoDB::GlobalTable', 'ApiTable'));
    indexArn = { 'Fn::Join': ['', [tableArn, '/index/byStatus']] };
    tableStatements = (name) => inlineStatements(built.template, functionIds(built.template, name).role).slice(2);
  });

  test('a function that uses no pattern gets no table statement at all', () => {
    expect(tableStatements('none')).toEqual([]);
    expect(dynamodbStatements(inlineStatements(built.template, functionIds(built.template, 'none').role))).toEqual([]);
  });

  test("getItem = GetItem, BatchGetItem and ConditionCheckItem on the table, for the shape's partition keys", () => {
    expect(tableStatements('getter')).toEqual([
      { Action: GET, Effect: 'Allow', Resource: tableArn, Condition: leadingKeys(['ITEM#?*']) },
    ]);
  });

  test.each([
    ['querier', 'dynamodb:Query'],
    ['putter', 'dynamodb:PutItem'],
    ['updater', 'dynamodb:UpdateItem'],
    ['deleter', 'dynamodb:DeleteItem'],
  ])('%s gets %s alone: reads cannot write, queries cannot get, puts cannot delete', (name, action) => {
    expect(tableStatements(name)).toEqual([
      { Action: action, Effect: 'Allow', Resource: tableArn, Condition: leadingKeys(['ITEM#?*']) },
    ]);
  });

  test('patterns on the same keys share a statement; the same actions on other keys join its key list', () => {
    // getItem+listItems+putItem on ITEM#*, getUser (GetItem) and putSession (PutItem) on USER#*
    expect(tableStatements('merged')).toEqual([
      {
        Action: [...GET, 'dynamodb:PutItem', 'dynamodb:Query'],
        Effect: 'Allow',
        Resource: tableArn,
        Condition: leadingKeys(['ITEM#?*']),
      },
      {
        Action: [...GET, 'dynamodb:PutItem'],
        Effect: 'Allow',
        Resource: tableArn,
        Condition: leadingKeys(['USER#?*']),
      },
    ]);
  });

  test('every {param} of a partition key shape becomes ?* (one character or more), literal text stays', () => {
    expect(tableStatements('tenant')).toEqual([
      {
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: tableArn,
        Condition: leadingKeys(['TENANT#?*#PROJECT#?*']),
      },
    ]);
  });

  test('a Query on an index = Query on the index ARN only, limited by the index partition key', () => {
    expect(tableStatements('indexed')).toEqual([
      { Action: 'dynamodb:Query', Effect: 'Allow', Resource: indexArn, Condition: leadingKeys(['STATUS#?*']) },
    ]);
  });

  test('scan() = Scan on the table, without a key condition (a Scan carries no partition key)', () => {
    expect(tableStatements('scanner')).toEqual([{ Action: 'dynamodb:Scan', Effect: 'Allow', Resource: tableArn }]);
  });

  test('scan({ indexName }) = Scan on that index only', () => {
    expect(tableStatements('indexScanner')).toEqual([{ Action: 'dynamodb:Scan', Effect: 'Allow', Resource: indexArn }]);
  });

  test('every DynamoDB statement other than Scan carries both the LeadingKeys pattern and the Null guard', () => {
    const scoped = dynamodbStatements(allStatements(built.template)).filter(
      (s) => !actionsOf(s).includes('dynamodb:Scan'),
    );
    expect(scoped).toHaveLength(9);
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

  test('BatchWriteItem is never granted: one action would allow both puts and deletes', () => {
    expect(allStatements(built.template).flatMap(actionsOf)).not.toContain('dynamodb:BatchWriteItem');
  });

  test('no role gets a KMS statement when the table is not encrypted with a customer-managed key', () => {
    expect(allStatements(built.template).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))).toEqual([]);
  });
});

describe('no Scan, PartiQL or wildcard action by default', () => {
  test('GIVEN a function with every item pattern and an index query THEN no statement allows Scan or PartiQL', () => {
    const { template } = buildApi({
      accessPatterns: {
        ...itemPatterns(),
        byStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
      },
      functions: {
        items: fn([route(HttpMethod.GET, '/items')], {
          accessPatterns: ['getItem', 'putItem', 'updateItem', 'deleteItem', 'listItems', 'byStatus'],
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
          reader: fn([route(HttpMethod.GET, '/read')], { accessPatterns: ['getItem', 'listItems'] }),
          writer: fn([route(HttpMethod.POST, '/write')], { accessPatterns: ['deleteItem'] }),
          both: fn([route(HttpMethod.PUT, '/both')], { accessPatterns: ['getItem', 'updateItem'] }),
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

  test('a reader (get and query) may decrypt with the key, only through DynamoDB', () => {
    expect(kmsStatements('reader')).toEqual([
      { Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: keyArn, Condition: viaDynamoDb },
    ]);
  });

  test('a function with any write pattern (delete, update) also gets kms:Encrypt and kms:GenerateDataKey', () => {
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
        functions: { reader: fn([route(HttpMethod.GET, '/read')], { accessPatterns: ['getItem'] }) },
      },
      stack,
    );

    // THEN
    expect(inlineStatements(template, functionIds(template, 'reader').role).slice(2)).toEqual([
      {
        Action: GET,
        Effect: 'Allow',
        Resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
        Condition: leadingKeys(['ITEM#?*']),
      },
      {
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Effect: 'Allow',
        Resource: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        Condition: viaDynamoDb,
      },
    ]);
    expect(tableKeyIds(template)).toEqual([]);
  });
});
