import { ACCOUNT, KEY, S, TABLE, dynamoKeys, map, summary } from '../../helpers/iam/tasks-table';

/**
 * The IAM requests of each DynamoDB call: action, resource and condition keys.
 * Actions and keys per action: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * Condition keys: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 * Transactions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 * PartiQL: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
 */

describe('GIVEN single-item calls', () => {
  test('WHEN a GetItem reads an item THEN it is dynamodb:GetItem on the table, with its partition key and a default Select', () => {
    expect(summary(map('GetItem', { TableName: 'Tasks', Key: KEY }))).toEqual([
      {
        action: 'dynamodb:GetItem',
        resource: TABLE,
        keys: {
          'dynamodb:LeadingKeys': ['USER#bob'],
          'dynamodb:Attributes': ['PK', 'SK'],
          'dynamodb:Select': 'ALL_ATTRIBUTES',
        },
      },
    ]);
  });

  test('WHEN it projects attributes THEN they are dynamodb:Attributes and Select is SPECIFIC_ATTRIBUTES', () => {
    const [request] = map('GetItem', {
      TableName: 'Tasks',
      Key: KEY,
      ProjectionExpression: '#t, details.owner',
      ExpressionAttributeNames: { '#t': 'title' },
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(dynamoKeys(request)).toEqual({
      'dynamodb:LeadingKeys': ['USER#bob'],
      'dynamodb:Attributes': ['PK', 'SK', 'title', 'details'],
      'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
      'dynamodb:ReturnConsumedCapacity': 'TOTAL',
    });
  });

  test('WHEN a PutItem, UpdateItem or DeleteItem writes THEN ReturnValues is NONE unless the call sets it', () => {
    const put = map('PutItem', {
      TableName: 'Tasks',
      Item: { ...KEY, title: S('x') },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(dynamoKeys(put[0])).toEqual({
      'dynamodb:LeadingKeys': ['USER#bob'],
      'dynamodb:Attributes': ['PK', 'SK', 'title'],
      'dynamodb:ReturnValues': 'NONE',
    });
    const update = map('UpdateItem', {
      TableName: 'Tasks',
      Key: KEY,
      UpdateExpression: 'SET #d = :d',
      ExpressionAttributeNames: { '#d': 'done' },
      ExpressionAttributeValues: { ':d': { BOOL: true } },
      ReturnValues: 'ALL_NEW',
    });
    expect(update[0]).toMatchObject({ action: 'dynamodb:UpdateItem', resource: TABLE });
    expect(dynamoKeys(update[0])).toEqual({
      'dynamodb:LeadingKeys': ['USER#bob'],
      'dynamodb:Attributes': ['PK', 'SK', 'done'],
      'dynamodb:ReturnValues': 'ALL_NEW',
    });
    expect(map('DeleteItem', { TableName: 'Tasks', Key: KEY })[0]).toMatchObject({
      action: 'dynamodb:DeleteItem',
      context: expect.objectContaining({ 'dynamodb:LeadingKeys': ['USER#bob'], 'dynamodb:ReturnValues': 'NONE' }),
    });
  });

  test('WHEN the table is named by its ARN THEN the ARN is the resource (DynamoDB accepts either)', () => {
    expect(map('GetItem', { TableName: TABLE, Key: KEY })[0].resource).toBe(TABLE);
  });

  test("WHEN the table is not one of the app's THEN it is authorized on its ARN, with no leading keys (its schema is unknown)", () => {
    const [request] = map('GetItem', { TableName: 'Other', Key: KEY });
    expect(request.resource).toBe(`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Other`);
    expect(request.context['dynamodb:LeadingKeys']).toBeUndefined();
  });

  test("WHEN the table is a replica of the app's (same name, another region) THEN its key schema is the table's", () => {
    const replica = TABLE.replace('us-east-1', 'eu-west-2');
    expect(map('GetItem', { TableName: replica, Key: KEY })[0]).toMatchObject({
      resource: replica,
      context: expect.objectContaining({ 'dynamodb:LeadingKeys': ['USER#bob'] }),
    });
  });
});

describe('GIVEN Query and Scan', () => {
  const query = {
    TableName: 'Tasks',
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
    ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
    ExpressionAttributeValues: { ':pk': S('USER#bob'), ':sk': S('TASK#') },
  };

  test('WHEN a Query reads a partition THEN its key equality is dynamodb:LeadingKeys', () => {
    expect(summary(map('Query', query))).toEqual([
      {
        action: 'dynamodb:Query',
        resource: TABLE,
        keys: {
          'dynamodb:LeadingKeys': ['USER#bob'],
          'dynamodb:Attributes': ['PK', 'SK'],
          'dynamodb:Select': 'ALL_ATTRIBUTES',
        },
      },
    ]);
  });

  test("WHEN it reads a global index THEN the resource is the index and the key is the index's partition key", () => {
    const [request] = map('Query', {
      TableName: 'Tasks',
      IndexName: 'byStatus',
      KeyConditionExpression: 'GSI1PK = :s',
      ExpressionAttributeValues: { ':s': S('STATUS#open') },
    });
    expect(request).toMatchObject({ action: 'dynamodb:Query', resource: `${TABLE}/index/byStatus` });
    expect(dynamoKeys(request)).toMatchObject({
      'dynamodb:LeadingKeys': ['STATUS#open'],
      'dynamodb:Select': 'ALL_PROJECTED_ATTRIBUTES',
    });
  });

  test("WHEN it reads a local index THEN the key is the table's partition key", () => {
    const [request] = map('Query', { ...query, IndexName: 'byDue' });
    expect(request).toMatchObject({
      resource: `${TABLE}/index/byDue`,
      context: expect.objectContaining({ 'dynamodb:LeadingKeys': ['USER#bob'] }),
    });
  });

  test('WHEN a Scan reads the table THEN it carries no leading key', () => {
    expect(
      summary(
        map('Scan', {
          TableName: 'Tasks',
          FilterExpression: 'done = :f',
          ExpressionAttributeValues: { ':f': { BOOL: false } },
        }),
      ),
    ).toEqual([
      {
        action: 'dynamodb:Scan',
        resource: TABLE,
        keys: { 'dynamodb:Attributes': ['done'], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
      },
    ]);
  });
});

describe('GIVEN batches and transactions', () => {
  test('WHEN a BatchGetItem reads two partitions of a table THEN one request carries both keys, once each', () => {
    const requests = map('BatchGetItem', {
      RequestItems: {
        Tasks: { Keys: [KEY, { PK: S('USER#amy'), SK: S('TASK#2') }, { PK: S('USER#bob'), SK: S('TASK#3') }] },
      },
    });
    expect(summary(requests)).toEqual([
      {
        action: 'dynamodb:BatchGetItem',
        resource: TABLE,
        keys: {
          'dynamodb:LeadingKeys': ['USER#bob', 'USER#amy'],
          'dynamodb:Attributes': ['PK', 'SK'],
          'dynamodb:Select': 'ALL_ATTRIBUTES',
        },
      },
    ]);
  });

  test('WHEN a BatchWriteItem puts and deletes THEN one dynamodb:BatchWriteItem request per table carries every key', () => {
    const requests = map('BatchWriteItem', {
      RequestItems: {
        Tasks: [
          { PutRequest: { Item: { ...KEY, title: S('x') } } },
          { DeleteRequest: { Key: { PK: S('USER#amy'), SK: S('TASK#2') } } },
        ],
        Other: [{ DeleteRequest: { Key: { id: S('1') } } }],
      },
    });
    expect(summary(requests)).toEqual([
      {
        action: 'dynamodb:BatchWriteItem',
        resource: TABLE,
        keys: { 'dynamodb:LeadingKeys': ['USER#bob', 'USER#amy'], 'dynamodb:Attributes': ['PK', 'SK', 'title'] },
      },
      {
        action: 'dynamodb:BatchWriteItem',
        resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Other`,
        keys: { 'dynamodb:Attributes': ['id'] },
      },
    ]);
  });

  test('WHEN a TransactWriteItems writes THEN each item is its own action; a ConditionCheck is dynamodb:ConditionCheckItem', () => {
    const requests = map('TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 'Tasks', Item: KEY } },
        {
          Update: {
            TableName: 'Tasks',
            Key: KEY,
            UpdateExpression: 'SET v = :v',
            ExpressionAttributeValues: { ':v': S('1') },
          },
        },
        { Delete: { TableName: 'Tasks', Key: { PK: S('USER#amy'), SK: S('TASK#2') } } },
        {
          ConditionCheck: {
            TableName: 'Tasks',
            Key: { PK: S('USER#cy'), SK: S('X') },
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
      ],
    });
    expect(
      requests.map((r) => [r.action, r.context['dynamodb:LeadingKeys'], r.context['dynamodb:EnclosingOperation']]),
    ).toEqual([
      ['dynamodb:PutItem', ['USER#bob'], 'TransactWriteItems'],
      ['dynamodb:UpdateItem', ['USER#bob'], 'TransactWriteItems'],
      ['dynamodb:DeleteItem', ['USER#amy'], 'TransactWriteItems'],
      // The service authorization reference does not list EnclosingOperation for ConditionCheckItem.
      ['dynamodb:ConditionCheckItem', ['USER#cy'], undefined],
    ]);
  });

  test('WHEN a TransactGetItems reads THEN each Get is dynamodb:GetItem enclosed by TransactGetItems', () => {
    const requests = map('TransactGetItems', {
      TransactItems: [{ Get: { TableName: 'Tasks', Key: KEY } }, { Get: { TableName: 'Tasks', Key: KEY } }],
    });
    expect(requests.map((r) => [r.action, r.context['dynamodb:EnclosingOperation']])).toEqual([
      ['dynamodb:GetItem', 'TransactGetItems'],
      ['dynamodb:GetItem', 'TransactGetItems'],
    ]);
  });
});
