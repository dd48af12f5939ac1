/**
 * A table of the app as CreateTable takes it, and the differences a data folder's table may have from it.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
 */
import { TASKS_TABLE } from './fixtures';
import { schemaDifferences, tableDefinition } from '../../../src/local/dynamodb/table-schema';
import type { LocalTableModel } from '../../../src/local/model';

describe('the CreateTable request of a table', () => {
  test('GIVEN the task table THEN on demand, its key, each key attribute defined once, the GSI with INCLUDE and the LSI', () => {
    expect(tableDefinition(TASKS_TABLE)).toEqual({
      TableName: 'TaskBoard-Tasks',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
        { AttributeName: 'dueAt', AttributeType: 'N' },
        { AttributeName: 'createdAt', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['title'] },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'byCreated',
          KeySchema: [
            { AttributeName: 'PK', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  test('GIVEN a table with a partition key only and no indexes THEN no sort key and no index lists', () => {
    const table: LocalTableModel = {
      ...TASKS_TABLE,
      sortKey: undefined,
      globalSecondaryIndexes: [],
      localSecondaryIndexes: [],
    };

    expect(tableDefinition(table)).toEqual({
      TableName: 'TaskBoard-Tasks',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: undefined,
      LocalSecondaryIndexes: undefined,
    });
  });

  test('GIVEN an index that types a key attribute differently from the table THEN an error naming both', () => {
    const table: LocalTableModel = {
      ...TASKS_TABLE,
      globalSecondaryIndexes: [{ indexName: 'bySk', partitionKey: { name: 'SK', type: 'N' }, projectionType: 'ALL' }],
    };

    expect(() => tableDefinition(table)).toThrow(
      'Table "TaskBoard-Tasks": the key attribute "SK" must have one type, got S in the table and N in index "bySk"',
    );
  });
});

describe('differences from a table in a data folder', () => {
  const described = (table: LocalTableModel) => JSON.parse(JSON.stringify(tableDefinition(table)));

  test('GIVEN the same table (indexes and attributes in another order) THEN no difference', () => {
    const existing = described(TASKS_TABLE);
    existing.AttributeDefinitions.reverse();
    existing.GlobalSecondaryIndexes[0].Projection.NonKeyAttributes = ['title'];

    expect(schemaDifferences(tableDefinition(TASKS_TABLE), existing)).toEqual([]);
  });

  test('GIVEN a different partition key name, an index key of another type and another projection THEN one line for each', () => {
    const existing = described({
      ...TASKS_TABLE,
      partitionKey: { name: 'pk', type: 'S' },
      localSecondaryIndexes: [{ ...TASKS_TABLE.localSecondaryIndexes[0], partitionKey: { name: 'pk', type: 'S' } }],
      globalSecondaryIndexes: [
        {
          ...TASKS_TABLE.globalSecondaryIndexes[0],
          sortKey: { name: 'dueAt', type: 'S' },
          projectionType: 'ALL',
          nonKeyAttributes: undefined,
        },
      ],
    });

    expect(schemaDifferences(tableDefinition(TASKS_TABLE), existing)).toEqual([
      'key: the app has partition key PK (S), sort key SK (S), the data folder has partition key pk (S), sort key SK (S)',
      'global secondary index "byStatus" key: the app has partition key status (S), sort key dueAt (N), the data folder has partition key status (S), sort key dueAt (S)',
      'global secondary index "byStatus" projection: the app has INCLUDE (title), the data folder has ALL',
      'local secondary index "byCreated" key: the app has partition key PK (S), sort key createdAt (N), the data folder has partition key pk (S), sort key createdAt (N)',
    ]);
  });
});
