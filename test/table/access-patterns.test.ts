import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AccessPattern, AccessPatternOperation, ServerlessApi } from '../../src';
import {
  buildKey,
  itemKey,
  keyShapeParams,
  leadingKeysPattern,
  parseKeyShape,
  queryKeyCondition,
} from '../../src/shared/key-shape';
import { buildApi, fn, functionIds, itemPatterns, jwt, logicalId, newStack, resources, route } from '../helpers/api';

const GLOBAL_TABLE = 'AWS::DynamoDB::GlobalTable';

/** The access-pattern table written to the HTTP API's template metadata. */
function patternTable(template: Template): unknown[] {
  const api = logicalId(template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
  return resources(template)[api].Metadata[ServerlessApi.ACCESS_PATTERNS_METADATA_KEY];
}

function environment(template: Template, name: string): { [key: string]: unknown } {
  return resources(template)[functionIds(template, name).function].Properties.Environment.Variables;
}

describe('AccessPattern', () => {
  test('each factory records its operation, key shapes and index', () => {
    const key = { partitionKey: 'A#{a}', sortKey: 'B#{b}' };
    expect(AccessPattern.getItem(key).operation).toBe(AccessPatternOperation.GET_ITEM);
    expect(AccessPattern.putItem(key).operation).toBe(AccessPatternOperation.PUT_ITEM);
    expect(AccessPattern.updateItem(key).operation).toBe(AccessPatternOperation.UPDATE_ITEM);
    expect(AccessPattern.deleteItem(key).operation).toBe(AccessPatternOperation.DELETE_ITEM);
    const query = AccessPattern.query({ partitionKey: 'A#{a}', sortKeyPrefix: 'B#', indexName: 'byA' });
    expect([query.operation, query.partitionKey, query.sortKey, query.indexName]).toEqual([
      AccessPatternOperation.QUERY,
      'A#{a}',
      'B#',
      'byA',
    ]);
    const scan = AccessPattern.scan();
    expect([scan.operation, scan.partitionKey, scan.sortKey, scan.indexName]).toEqual([
      AccessPatternOperation.SCAN,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('key shapes, the contract between the stack and the handlers', () => {
  test('a shape is literal text and {param} placeholders', () => {
    expect(parseKeyShape('TENANT#{tenantId}#USER#{userId}')).toEqual([
      { literal: 'TENANT#' },
      { param: 'tenantId' },
      { literal: '#USER#' },
      { param: 'userId' },
    ]);
    expect(parseKeyShape('PROFILE')).toEqual([{ literal: 'PROFILE' }]);
    expect(keyShapeParams('TENANT#{tenantId}#USER#{userId}')).toEqual(['tenantId', 'userId']);
  });

  test('the LeadingKeys pattern replaces each parameter with ?* (a value of one character or more)', () => {
    expect(leadingKeysPattern('PROJECT#{projectId}')).toBe('PROJECT#?*');
    expect(leadingKeysPattern('TENANT#{t}#USER#{u}')).toBe('TENANT#?*#USER#?*');
    expect(leadingKeysPattern('CONFIG')).toBe('CONFIG');
  });

  test('a key is the shape filled in; a missing or empty value is an error, never an empty segment', () => {
    expect(buildKey('PROJECT#{projectId}', { projectId: 'p-1' })).toBe('PROJECT#p-1');
    expect(buildKey('DAY#{day}#N#{n}', { day: '2026-11-21', n: 7 })).toBe('DAY#2026-11-21#N#7');
    expect(() => buildKey('PROJECT#{projectId}', {})).toThrow(
      new Error('key shape "PROJECT#{projectId}" needs a value for {projectId}'),
    );
    expect(() => buildKey('PROJECT#{projectId}', { projectId: '' })).toThrow(
      new Error('key shape "PROJECT#{projectId}" needs a value for {projectId}'),
    );
  });

  test('a check sees each value before it goes into the key, and can refuse it', () => {
    const seen: Array<[string, unknown]> = [];
    const check = (param: string, value: unknown) => {
      seen.push([param, value]);
      if (value === 'bad') throw new Error(`{${param}} refused`);
    };
    expect(buildKey('DAY#{day}#N#{n}', { day: 'mon', n: 7 }, check)).toBe('DAY#mon#N#7');
    expect(seen).toEqual([
      ['day', 'mon'],
      ['n', 7],
    ]);
    expect(() => buildKey('DAY#{day}', { day: 'bad' }, check)).toThrow(new Error('{day} refused'));
    expect(() => buildKey('DAY#{day}', {}, check)).toThrow(new Error('key shape "DAY#{day}" needs a value for {day}'));
  });

  test('every key built from a shape matches the LeadingKeys pattern derived from it', () => {
    const shape = 'TENANT#{tenantId}#PROJECT#{projectId}';
    // StringLike: `?` is one character, `*` any run of characters; the shapes' literals hold neither.
    const pattern = new RegExp(`^${leadingKeysPattern(shape).replace(/\?/g, '.').replace(/\*/g, '.*')}$`);
    for (const [tenantId, projectId] of [
      ['t', 'p'],
      ['a#b', 'c'],
      ['42', 'x y'],
    ]) {
      expect(buildKey(shape, { tenantId, projectId })).toMatch(pattern);
    }
  });
});

describe('key builders over the descriptors a function receives', () => {
  const getTask = {
    operation: 'GetItem',
    partitionKey: ['PK', 'PROJECT#{projectId}'],
    sortKey: ['SK', 'TASK#{taskId}'],
  } as const;

  test('itemKey fills in both key attributes', () => {
    expect(itemKey(getTask, { projectId: 'p-1', taskId: 't-1' })).toEqual({ PK: 'PROJECT#p-1', SK: 'TASK#t-1' });
    expect(() => itemKey(getTask, { projectId: 'p-1' })).toThrow(
      new Error('key shape "TASK#{taskId}" needs a value for {taskId}'),
    );
    expect(() => itemKey({ operation: 'Scan' }, {})).toThrow(new Error('a Scan pattern has no key to build'));
  });

  test('queryKeyCondition builds the partition equality and the sort key prefix, on the index if any', () => {
    expect(
      queryKeyCondition(
        {
          operation: 'Query',
          index: 'byStatus',
          partitionKey: ['GSI1PK', 'STATUS#{status}'],
          sortKey: ['GSI1SK', 'DUE#{year}-'],
        },
        { status: 'open', year: 2026 },
      ),
    ).toEqual({
      IndexName: 'byStatus',
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
      ExpressionAttributeNames: { '#pk': 'GSI1PK', '#sk': 'GSI1SK' },
      ExpressionAttributeValues: { ':pk': 'STATUS#open', ':sk': 'DUE#2026-' },
    });
    expect(queryKeyCondition({ operation: 'Query', partitionKey: ['PK', 'USER#{userId}'] }, { userId: 'u' })).toEqual({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'PK' },
      ExpressionAttributeValues: { ':pk': 'USER#u' },
    });
    expect(() => queryKeyCondition(getTask, {})).toThrow(
      new Error('queryKeyCondition needs a Query pattern, got: GetItem'),
    );
  });
});

describe('indexes derived from access patterns', () => {
  test('an index named only by patterns is created, keyed <name>PK and, when a Query narrows by sort key, <name>SK', () => {
    const { template } = buildApi({
      accessPatterns: {
        byStatus: AccessPattern.query({ partitionKey: 'STATUS#{s}', sortKeyPrefix: 'DUE#', indexName: 'byStatus' }),
        byOwner: AccessPattern.query({ partitionKey: 'USER#{u}', indexName: 'byOwner' }),
      },
      functions: { items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['byStatus', 'byOwner'] }) },
    });
    template.hasResourceProperties(GLOBAL_TABLE, {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'byStatusPK', KeyType: 'HASH' },
            { AttributeName: 'byStatusSK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byOwner',
          KeySchema: [{ AttributeName: 'byOwnerPK', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  test('without index patterns the table has no index', () => {
    const { template } = buildApi();
    template.hasResourceProperties(GLOBAL_TABLE, { GlobalSecondaryIndexes: Match.absent() });
  });

  test('an index declared in table.globalSecondaryIndexes keeps its own attributes, and handlers are told them', () => {
    const { template } = buildApi({
      table: { globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' }] },
      accessPatterns: {
        byStatus: AccessPattern.query({ partitionKey: 'STATUS#{s}', sortKeyPrefix: 'DUE#', indexName: 'byStatus' }),
      },
      functions: { items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['byStatus'] }) },
    });
    expect(
      resources(template)[logicalId(template, GLOBAL_TABLE, 'ApiTable')].Properties.GlobalSecondaryIndexes,
    ).toEqual([
      {
        IndexName: 'byStatus',
        KeySchema: [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(JSON.parse(environment(template, 'items')[ServerlessApi.TABLE_ACCESS_PATTERNS_ENV] as string)).toEqual({
      byStatus: {
        operation: 'Query',
        index: 'byStatus',
        partitionKey: ['GSI1PK', 'STATUS#{s}'],
        sortKey: ['GSI1SK', 'DUE#'],
      },
    });
  });

  test("on an existing table, handlers are told the listed index's attributes", () => {
    const stack = newStack();
    const table = dynamodb.TableV2.fromTableName(stack, 'Existing', 'orders');
    const { template } = buildApi(
      {
        existingTable: {
          table,
          partitionKey: 'id',
          globalSecondaryIndexes: [{ indexName: 'byKind', partitionKey: 'kind' }],
        },
        accessPatterns: { byKind: AccessPattern.query({ partitionKey: 'KIND#{k}', indexName: 'byKind' }) },
        functions: { items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['byKind'] }) },
      },
      stack,
    );
    expect(JSON.parse(environment(template, 'items')[ServerlessApi.TABLE_ACCESS_PATTERNS_ENV] as string)).toEqual({
      byKind: { operation: 'Query', index: 'byKind', partitionKey: ['kind', 'KIND#{k}'] },
    });
  });
});

describe('what each function learns of its patterns', () => {
  test('a function gets the descriptors of exactly the patterns it uses; one without patterns gets {}', () => {
    const { template } = buildApi({
      accessPatterns: { ...itemPatterns(), scanAll: AccessPattern.scan() },
      functions: {
        reader: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['listItems', 'scanAll'] }),
        none: fn([route(HttpMethod.GET, '/none')]),
      },
    });
    expect(JSON.parse(environment(template, 'reader')[ServerlessApi.TABLE_ACCESS_PATTERNS_ENV] as string)).toEqual({
      listItems: { operation: 'Query', partitionKey: ['PK', 'ITEM#{itemId}'], sortKey: ['SK', 'DETAIL#'] },
      scanAll: { operation: 'Scan' },
    });
    expect(environment(template, 'none')[ServerlessApi.TABLE_ACCESS_PATTERNS_ENV]).toBe('{}');
  });
});

describe('the access-pattern table in the template metadata', () => {
  test('one row per pattern: operation, index, key condition, LeadingKeys, actions and the functions using it', () => {
    // GIVEN patterns used by two functions, one added after construction, and one pattern nobody uses
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', {
      authorization: jwt(),
      accessPatterns: {
        getItem: AccessPattern.getItem({
          partitionKey: 'ITEM#{itemId}',
          sortKey: 'DETAIL#{d}',
          description: 'One item',
        }),
        byOwner: AccessPattern.query({ partitionKey: 'USER#{u}', sortKeyPrefix: 'ITEM#', indexName: 'byOwner' }),
        scanAll: AccessPattern.scan(),
      },
      functions: { reader: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['getItem', 'byOwner'] }) },
    });

    // WHEN
    api.addFunction('owner', fn([route(HttpMethod.GET, '/owners')], { accessPatterns: ['byOwner'] }));

    // THEN
    expect(patternTable(Template.fromStack(stack))).toEqual([
      {
        name: 'getItem',
        description: 'One item',
        operation: 'GetItem',
        keyCondition: 'PK = ITEM#{itemId} AND SK = DETAIL#{d}',
        leadingKeys: 'ITEM#?*',
        partitionPrefix: 'ITEM#',
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem'],
        functions: ['reader'],
      },
      {
        name: 'byOwner',
        operation: 'Query',
        index: 'byOwner',
        keyCondition: 'byOwnerPK = USER#{u} AND begins_with(byOwnerSK, ITEM#)',
        leadingKeys: 'USER#?*',
        partitionPrefix: 'USER#',
        actions: ['dynamodb:Query'],
        functions: ['reader', 'owner'],
      },
      {
        name: 'scanAll',
        operation: 'Scan',
        keyCondition: '(none: every item)',
        actions: ['dynamodb:Scan'],
        functions: [],
      },
    ]);
    expect(api.functions.map((f) => [f.name, f.accessPatterns])).toEqual([
      ['reader', ['getItem', 'byOwner']],
      ['owner', ['byOwner']],
    ]);
  });
});

describe('reserved concurrency', () => {
  test('is not set by default, and set per function when asked for', () => {
    const { template } = buildApi({
      functions: {
        items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['getItem'], reservedConcurrentExecutions: 25 }),
        other: fn([route(HttpMethod.GET, '/other')]),
      },
    });
    const properties = (name: string) => resources(template)[functionIds(template, name).function].Properties;
    expect(properties('items').ReservedConcurrentExecutions).toBe(25);
    expect(properties('other').ReservedConcurrentExecutions).toBeUndefined();
  });
});
