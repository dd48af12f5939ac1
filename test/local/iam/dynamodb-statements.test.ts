import { runSimulation } from '@cloud-copilot/iam-simulate';
import { dynamoDbIamRequests } from '../../../src/local/iam';
import type { IamRequest } from '../../../src/local/iam';
import { ACCOUNT, KEY, PRINCIPAL, S, TABLE, TASKS, map, summary } from '../../helpers/iam/tasks-table';

/**
 * The IAM requests of PartiQL statements and control-plane calls, the calls DynamoDB refuses before authorizing,
 * and the condition keys of every call against the service authorization reference.
 * Actions and keys per action: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * Condition keys: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 * Transactions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 * PartiQL: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
 */

describe('GIVEN PartiQL', () => {
  test('WHEN ExecuteStatement runs a SELECT with the key THEN it is dynamodb:PartiQLSelect with the key, not a full scan', () => {
    expect(
      summary(
        map('ExecuteStatement', { Statement: 'SELECT * FROM "Tasks" WHERE "PK" = ?', Parameters: [S('USER#bob')] }),
      ),
    ).toEqual([
      {
        action: 'dynamodb:PartiQLSelect',
        resource: TABLE,
        keys: { 'dynamodb:LeadingKeys': ['USER#bob'], 'dynamodb:FullTableScan': 'false' },
      },
    ]);
  });

  test('WHEN a SELECT names no key THEN it is a full table scan without leading keys', () => {
    expect(summary(map('ExecuteStatement', { Statement: 'SELECT * FROM "Tasks"."byStatus"' }))).toEqual([
      {
        action: 'dynamodb:PartiQLSelect',
        resource: `${TABLE}/index/byStatus`,
        keys: { 'dynamodb:FullTableScan': 'true' },
      },
    ]);
  });

  test('WHEN a batch or a transaction runs statements THEN each is authorized as its verb', () => {
    const statements = [
      { Statement: "INSERT INTO Tasks VALUE {'PK': 'USER#bob', 'SK': 'T'}" },
      { Statement: "UPDATE Tasks SET v = 1 WHERE PK = 'USER#amy' AND SK = 'T'" },
      { Statement: "DELETE FROM Tasks WHERE PK = 'USER#cy' AND SK = 'T'" },
    ];
    const expected = [
      ['dynamodb:PartiQLInsert', ['USER#bob']],
      ['dynamodb:PartiQLUpdate', ['USER#amy']],
      ['dynamodb:PartiQLDelete', ['USER#cy']],
    ];
    const pairs = (requests: IamRequest[]) => requests.map((r) => [r.action, r.context['dynamodb:LeadingKeys']]);
    expect(pairs(map('BatchExecuteStatement', { Statements: statements }))).toEqual(expected);
    expect(pairs(map('ExecuteTransaction', { TransactStatements: statements }))).toEqual(expected);
  });

  test('WHEN an UPDATE names no key THEN DynamoDB refuses it before authorizing', () => {
    expect(
      dynamoDbIamRequests(
        'ExecuteStatement',
        { Statement: "UPDATE Tasks SET v = 1 WHERE SK = 'T'" },
        [TASKS],
        PRINCIPAL,
      ),
    ).toEqual({
      error: 'Where clause does not contain a mandatory equality on all key attributes',
      errorType: 'ValidationException',
    });
  });
});

describe('GIVEN control-plane calls', () => {
  test('WHEN a call names a table THEN it is authorized on the table; a call on the account, on *', () => {
    expect(summary(map('DescribeTable', { TableName: 'Tasks' }))).toEqual([
      { action: 'dynamodb:DescribeTable', resource: TABLE, keys: {} },
    ]);
    expect(summary(map('ListTables', {}))).toEqual([{ action: 'dynamodb:ListTables', resource: '*', keys: {} }]);
    expect(summary(map('TagResource', { ResourceArn: TABLE, Tags: [] }))).toEqual([
      { action: 'dynamodb:TagResource', resource: TABLE, keys: {} },
    ]);
  });

  test("WHEN the operation is not DynamoDB's THEN it is an UnknownOperationException", () => {
    expect(dynamoDbIamRequests('DropEverything', {}, [TASKS], PRINCIPAL)).toEqual({
      error: 'Unknown operation: DropEverything',
      errorType: 'UnknownOperationException',
    });
  });
});

describe('GIVEN calls DynamoDB refuses before reading anything', () => {
  test.each<[string, string, object, string]>([
    [
      'no table name',
      'GetItem',
      { Key: KEY },
      "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
    ],
    [
      'a key without its partition key',
      'GetItem',
      { TableName: 'Tasks', Key: { SK: S('x') } },
      'The provided key element does not match the schema',
    ],
    [
      'a key of the wrong type',
      'DeleteItem',
      { TableName: 'Tasks', Key: { PK: { N: '1' } } },
      'The provided key element does not match the schema',
    ],
    [
      'an item without its partition key',
      'PutItem',
      { TableName: 'Tasks', Item: { SK: S('x') } },
      'One or more parameter values were invalid: Missing the key PK in the item',
    ],
    [
      'an empty partition key',
      'PutItem',
      { TableName: 'Tasks', Item: { PK: S('') } },
      'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: PK',
    ],
    [
      'an index the table lacks',
      'Query',
      { TableName: 'Tasks', IndexName: 'nope', KeyConditionExpression: 'PK = :p' },
      'The table does not have the specified index: nope',
    ],
    [
      'a query without the key',
      'Query',
      { TableName: 'Tasks', KeyConditionExpression: 'SK = :s', ExpressionAttributeValues: { ':s': S('x') } },
      'Query condition missed key schema element: PK',
    ],
    [
      'an undefined name in a projection',
      'GetItem',
      { TableName: 'Tasks', Key: KEY, ProjectionExpression: '#x' },
      'Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x',
    ],
  ])(
    "WHEN the call has %s THEN it is a ValidationException with DynamoDB's message",
    (_, operation, input, message) => {
      expect(dynamoDbIamRequests(operation, input, [TASKS], PRINCIPAL)).toEqual({
        error: message,
        errorType: 'ValidationException',
      });
    },
  );

  test('WHEN the input is not an object at all THEN it is refused, not thrown', () => {
    expect(dynamoDbIamRequests('GetItem', null as unknown as object, [TASKS], PRINCIPAL)).toMatchObject({
      errorType: 'ValidationException',
    });
  });
});

describe('GIVEN the service authorization reference (as iam-simulate carries it)', () => {
  const calls: [string, object][] = [
    ['GetItem', { TableName: 'Tasks', Key: KEY, ReturnConsumedCapacity: 'TOTAL' }],
    ['PutItem', { TableName: 'Tasks', Item: KEY, ReturnConsumedCapacity: 'TOTAL' }],
    [
      'UpdateItem',
      { TableName: 'Tasks', Key: KEY, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': S('1') } },
    ],
    ['DeleteItem', { TableName: 'Tasks', Key: KEY }],
    [
      'Query',
      {
        TableName: 'Tasks',
        IndexName: 'byStatus',
        KeyConditionExpression: 'GSI1PK = :s',
        ExpressionAttributeValues: { ':s': S('s') },
      },
    ],
    ['Scan', { TableName: 'Tasks', ProjectionExpression: 'title', ReturnConsumedCapacity: 'INDEXES' }],
    ['BatchGetItem', { RequestItems: { Tasks: { Keys: [KEY] } }, ReturnConsumedCapacity: 'TOTAL' }],
    ['BatchWriteItem', { RequestItems: { Tasks: [{ PutRequest: { Item: KEY } }] } }],
    [
      'TransactWriteItems',
      {
        TransactItems: [
          { Put: { TableName: 'Tasks', Item: KEY } },
          { ConditionCheck: { TableName: 'Tasks', Key: KEY, ConditionExpression: 'attribute_exists(PK)' } },
        ],
      },
    ],
    ['TransactGetItems', { TransactItems: [{ Get: { TableName: 'Tasks', Key: KEY } }] }],
    ['ExecuteStatement', { Statement: "SELECT * FROM Tasks WHERE PK = 'USER#bob'" }],
    ['ExecuteStatement', { Statement: "DELETE FROM Tasks WHERE PK = 'USER#bob' AND SK = 'x'" }],
    ['DescribeTable', { TableName: 'Tasks' }],
    ['ListTables', {}],
  ];

  test.each(calls)(
    'WHEN %s is mapped THEN every condition key it sets is one its action supports',
    async (operation, input) => {
      for (const request of map(operation, input)) {
        const response = await runSimulation(
          {
            request: {
              principal: request.principalArn,
              action: request.action,
              resource: { resource: request.resource, accountId: ACCOUNT },
              contextVariables: Object.fromEntries(
                Object.entries(request.context).map(([k, v]) => [k, typeof v === 'string' ? v : [...v]]),
              ),
            },
            identityPolicies: [
              {
                name: 'all',
                policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
              },
            ],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
          },
          {},
        );
        expect(response.resultType).toBe('single');
        expect(response.resultType === 'single' ? response.result.ignoredContextKeys : 'n/a').toEqual([]);
      }
    },
  );
});
