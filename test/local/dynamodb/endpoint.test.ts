/**
 * The enforcing endpoint, as a handler's AWS SDK v3 client meets it: allowed requests reach the table, denied ones
 * get DynamoDB's AccessDeniedException and change nothing, unsigned ones get MissingAuthenticationTokenException,
 * and the admin key skips the authorizer.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/using-identity-based-policies.html
 */
import * as http from 'http';
import {
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { FakeAuthorizer, rawRequest, sdkClient, signedHeaders, TASKS_TABLE } from './fixtures';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../../src/local/dynamodb';
import { crc32 } from '../../../src/local/dynamodb/errors';

const TABLE = TASKS_TABLE.tableName;
const TASK = { PK: { S: 'PROJECT#p1' }, SK: { S: 'TASK#t1' }, title: { S: 'Write tests' } };

describe('the enforcing DynamoDB endpoint', () => {
  let db: LocalDynamoDb;
  let authorizer: FakeAuthorizer;
  let lines: string[];
  const clients: DynamoDBClient[] = [];
  const client = (accessKeyId: string) => {
    const c = sdkClient(db.endpoint, accessKeyId);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    authorizer = new FakeAuthorizer({
      'tasks-key': ['GetItem', 'PutItem', 'Query', 'UpdateItem', 'DescribeTable', 'TransactWriteItems'],
      'reader-key': ['GetItem'],
    });
    lines = [];
    db = await startLocalDynamoDb({
      tables: [TASKS_TABLE],
      authorizer,
      adminAccessKeyId: 'ADMINKEY',
      callerName: (key) => ({ 'reader-key': 'TaskBoard-ReadTasks' })[key],
      log: (line) => lines.push(line),
    });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await db.close();
  });
  beforeEach(() => {
    authorizer.requests.length = 0;
    lines.length = 0;
  });

  test('GIVEN a function allowed PutItem and GetItem WHEN it writes then reads THEN it gets its item, each request decided with its key, operation and input', async () => {
    const tasks = client('tasks-key');
    await tasks.send(new PutItemCommand({ TableName: TABLE, Item: TASK }));
    const read = await tasks.send(new GetItemCommand({ TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } }));

    expect(read.Item).toEqual(TASK);
    expect(authorizer.requests).toEqual([
      { accessKeyId: 'tasks-key', operation: 'PutItem', input: { TableName: TABLE, Item: TASK } },
      {
        accessKeyId: 'tasks-key',
        operation: 'GetItem',
        input: { TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } },
      },
    ]);
  });

  test('GIVEN a function without PutItem WHEN it writes with the SDK THEN the SDK throws AccessDeniedException with the message, the item is not written, and one DENIED line names the function', async () => {
    const item = { ...TASK, SK: { S: 'TASK#denied' } };
    const error = await client('reader-key')
      .send(new PutItemCommand({ TableName: TABLE, Item: item }))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::123456789012:assumed-role/reader-key-role/reader-key is not authorized to perform: dynamodb:PutItem on resource: ${TASKS_TABLE.arn} because no identity-based policy allows the dynamodb:PutItem action`,
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect((error as { $metadata: { requestId: string } }).$metadata.requestId).toMatch(/^[A-Z0-9]{52}$/);
    expect(lines).toEqual(['DENIED TaskBoard-ReadTasks no statement allows dynamodb:PutItem']);
    const stored = await db.request('GetItem', { TableName: TABLE, Key: { PK: item.PK, SK: item.SK } });
    expect(stored.Item).toBeUndefined();
  });

  test("GIVEN a denial WHEN read off the wire THEN it is DynamoDB's: 400, x-amzn-RequestId, x-amz-crc32, application/x-amz-json-1.0, __type and Message", async () => {
    const response = await rawRequest(db.endpoint, {
      headers: signedHeaders('DeleteItem', 'unknown-key'),
      body: JSON.stringify({ TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } }),
    });

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(response.headers['x-amzn-requestid']).toMatch(/^[A-Z0-9]{52}$/);
    expect(response.headers['x-amz-crc32']).toBe(String(crc32(Buffer.from(response.body))));
    expect(JSON.parse(response.body)).toEqual({
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: `User: arn:aws:sts::123456789012:assumed-role/unknown-key-role/unknown-key is not authorized to perform: dynamodb:DeleteItem on resource: ${TASKS_TABLE.arn} because no identity-based policy allows the dynamodb:DeleteItem action`,
    });
    // Without a name for the key, the line names the key.
    expect(lines).toEqual(['DENIED no statement allows dynamodb:DeleteItem']);
  });

  test("GIVEN a request without a signature WHEN it reaches the endpoint THEN DynamoDB's MissingAuthenticationTokenException, and the authorizer is not asked", async () => {
    const headers = signedHeaders('GetItem', 'tasks-key');
    delete headers.authorization;
    const response = await rawRequest(db.endpoint, {
      headers,
      body: JSON.stringify({ TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } }),
    });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    });
    expect(authorizer.requests).toEqual([]);
  });

  test('GIVEN a SigV4 header whose credential is not keyid/date/region/service/terminator THEN IncompleteSignatureException, and the authorizer is not asked', async () => {
    const response = await rawRequest(db.endpoint, {
      headers: {
        ...signedHeaders('GetItem', 'x'),
        authorization: 'AWS4-HMAC-SHA256 Credential=tasks-key/20260101, SignedHeaders=host, Signature=00',
      },
      body: JSON.stringify({ TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } }),
    });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      __type: 'com.amazon.coral.service#IncompleteSignatureException',
      message:
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'tasks-key/20260101' in the Authorization header",
    });
    expect(authorizer.requests).toEqual([]);
  });

  test('GIVEN the admin key WHEN it writes, through request() or its own SDK client THEN the authorizer is not asked', async () => {
    await db.request('PutItem', { TableName: TABLE, Item: { ...TASK, SK: { S: 'TASK#admin' } } });
    const read = await client(db.adminCredentials.accessKeyId).send(
      new GetItemCommand({ TableName: TABLE, Key: { PK: TASK.PK, SK: { S: 'TASK#admin' } } }),
    );

    expect(db.adminCredentials.accessKeyId).toBe('ADMINKEY');
    expect(read.Item?.title).toEqual(TASK.title);
    expect(authorizer.requests).toEqual([]);
  });

  test('GIVEN the 2011-12-05 API version in X-Amz-Target THEN the request is authorized like the current one', async () => {
    const response = await rawRequest(db.endpoint, {
      headers: { ...signedHeaders('GetItem', 'nobody'), 'x-amz-target': 'DynamoDB_20111205.GetItem' },
      body: JSON.stringify({ TableName: TABLE, Key: { HashKeyElement: { S: 'PROJECT#p1' } } }),
    });

    expect(JSON.parse(response.body).__type).toBe('com.amazon.coral.service#AccessDeniedException');
    expect(authorizer.requests).toMatchObject([{ accessKeyId: 'nobody', operation: 'GetItem' }]);
  });

  test('GIVEN TransactWriteItems, which dynalite lacks WHEN allowed THEN UnknownOperationException and one log line for any number of calls; WHEN denied THEN AccessDeniedException first', async () => {
    const transact = new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: TASK } }] });
    const first = await client('tasks-key')
      .send(transact)
      .catch((e: unknown) => e);
    const second = await client('tasks-key')
      .send(transact)
      .catch((e: unknown) => e);
    const denied = await client('reader-key')
      .send(transact)
      .catch((e: unknown) => e);

    expect(first).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
    expect(second).toMatchObject({ name: 'UnknownOperationException' });
    expect(denied).toMatchObject({ name: 'AccessDeniedException' });
    expect(lines).toEqual([
      'The local DynamoDB (dynalite) does not support TransactWriteItems: it answers UnknownOperationException, where DynamoDB in AWS runs it. Code that needs TransactWriteItems cannot be exercised locally.',
      'DENIED TaskBoard-ReadTasks no statement allows dynamodb:TransactWriteItems',
    ]);
  });

  test("GIVEN an allowed request the engine refuses THEN its status, headers and body come through unchanged (the SDK's ConditionalCheckFailedException)", async () => {
    await db.request('PutItem', { TableName: TABLE, Item: TASK });
    const error = await client('tasks-key')
      .send(new PutItemCommand({ TableName: TABLE, Item: TASK, ConditionExpression: 'attribute_not_exists(PK)' }))
      .catch((e: unknown) => e);
    const raw = await rawRequest(db.endpoint, {
      headers: signedHeaders('PutItem', 'tasks-key'),
      body: JSON.stringify({ TableName: TABLE, Item: TASK, ConditionExpression: 'attribute_not_exists(PK)' }),
    });

    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } });
    expect(raw.status).toBe(400);
    expect(raw.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(raw.headers['x-amzn-requestid']).toMatch(/^[A-Z0-9]{52}$/);
    expect(raw.headers['content-length']).toBe(String(Buffer.byteLength(raw.body)));
    expect(raw.headers['x-amz-crc32']).toBe(String(crc32(Buffer.from(raw.body))));
    expect(JSON.parse(raw.body).__type).toBe('com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException');
  });

  test("GIVEN the model WHEN the table is described THEN on demand, its key, the GSI with its INCLUDE projection, the LSI, under the model's ARN", async () => {
    const { Table } = await client('tasks-key').send(new DescribeTableCommand({ TableName: TABLE }));

    expect(Table).toMatchObject({
      TableName: TABLE,
      TableArn: TASKS_TABLE.arn,
      TableStatus: 'ACTIVE',
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          IndexStatus: 'ACTIVE',
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
    expect(db.region).toBe('eu-west-1');
  });

  test('GIVEN items with index keys WHEN queried by the GSI and the LSI THEN each index answers with its projection', async () => {
    const item = {
      PK: { S: 'PROJECT#q' },
      SK: { S: 'TASK#1' },
      status: { S: 'open' },
      dueAt: { N: '5' },
      createdAt: { N: '7' },
      title: { S: 'T' },
      body: { S: 'B' },
    };
    await db.request('PutItem', { TableName: TABLE, Item: item });
    const tasks = client('tasks-key');
    const byStatus = await tasks.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'open' } },
      }),
    );
    const byCreated = await tasks.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'byCreated',
        KeyConditionExpression: 'PK = :p AND createdAt > :c',
        ExpressionAttributeValues: { ':p': item.PK, ':c': { N: '1' } },
      }),
    );

    expect(byStatus.Items).toEqual([
      { PK: item.PK, SK: item.SK, status: item.status, dueAt: item.dueAt, title: item.title },
    ]);
    expect(byCreated.Items).toEqual([{ PK: item.PK, SK: item.SK, createdAt: item.createdAt }]);
  });

  test('GIVEN a keep-alive client WHEN it sends requests in a row THEN they share one connection, kept open for 120 s', async () => {
    const pool = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    try {
      for (let i = 0; i < 5; i++) {
        const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
          const request = http.request(
            db.endpoint,
            { method: 'POST', agent: pool, headers: signedHeaders('GetItem', 'tasks-key') },
            (response) => {
              response.resume();
              response.on('end', () => resolve(response));
            },
          );
          request.on('socket', (socket) => sockets.add(socket));
          request.on('error', reject);
          request.end(JSON.stringify({ TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } }));
        });
        expect(answer.statusCode).toBe(200);
        expect(answer.headers.connection).toBe('keep-alive');
        expect(answer.headers['keep-alive']).toBe('timeout=120');
      }
    } finally {
      pool.destroy();
    }
    expect(sockets.size).toBe(1);
  });
});

describe('an endpoint without an authorizer', () => {
  test('GIVEN no authorizer WHEN any key writes THEN the request is allowed', async () => {
    const db = await startLocalDynamoDb({ tables: [TASKS_TABLE], log: () => undefined });
    const c = sdkClient(db.endpoint, 'any-key');
    try {
      await c.send(new PutItemCommand({ TableName: TABLE, Item: TASK }));
      expect((await db.request('GetItem', { TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } })).Item).toEqual(TASK);
      expect(db.adminCredentials.accessKeyId).toMatch(/^LOCALADMIN[0-9A-F]{10}$/);
    } finally {
      c.destroy();
      await db.close();
    }
  });
});

describe('refusals other than AccessDenied', () => {
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html: an unknown access
  // key is UnrecognizedClientException, a request DynamoDB cannot read is ValidationException, both 400.
  test.each([
    ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
    ['ValidationException', 'Query condition missed key schema element: PK'],
  ] as const)(
    'GIVEN the authorizer refuses with %s THEN the SDK throws that error with its message',
    async (errorType, message) => {
      const db = await startLocalDynamoDb({
        tables: [TASKS_TABLE],
        authorizer: { authorize: () => ({ allowed: false, errorType, message, reason: 'refused in the test' }) },
        log: () => undefined,
      });
      const c = sdkClient(db.endpoint, 'any-key');
      try {
        const error = await c.send(new PutItemCommand({ TableName: TABLE, Item: TASK })).catch((e: unknown) => e);
        expect(error).toMatchObject({ name: errorType, message, $metadata: { httpStatusCode: 400 } });
      } finally {
        c.destroy();
        await db.close();
      }
    },
  );
});

describe('the record of calls', () => {
  test("GIVEN a function's calls and the admin's WHEN answered THEN each of the function's is told once with its status, a refusal with its error, and the admin's are not", async () => {
    const calls: unknown[] = [];
    const db = await startLocalDynamoDb({
      tables: [TASKS_TABLE],
      authorizer: new FakeAuthorizer({ 'tasks-key': ['PutItem'] }),
      adminAccessKeyId: 'ADMINKEY',
      onCall: (call) => calls.push(call),
      log: () => undefined,
    });
    const tasks = sdkClient(db.endpoint, 'tasks-key');
    try {
      await db.request('PutItem', { TableName: TABLE, Item: TASK });
      await tasks.send(new PutItemCommand({ TableName: TABLE, Item: TASK }));
      const failed = await tasks
        .send(new PutItemCommand({ TableName: TABLE, Item: TASK, ConditionExpression: 'attribute_not_exists(PK)' }))
        .catch((e: unknown) => e);
      const denied = await tasks
        .send(new GetItemCommand({ TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } }))
        .catch((e: unknown) => e);

      expect(failed).toMatchObject({ name: 'ConditionalCheckFailedException' });
      expect(denied).toMatchObject({ name: 'AccessDeniedException' });
      expect(calls).toEqual([
        { accessKeyId: 'tasks-key', operation: 'PutItem', input: { TableName: TABLE, Item: TASK }, status: 200 },
        {
          accessKeyId: 'tasks-key',
          operation: 'PutItem',
          input: { TableName: TABLE, Item: TASK, ConditionExpression: 'attribute_not_exists(PK)' },
          status: 400,
          errorType: 'ConditionalCheckFailedException',
        },
        {
          accessKeyId: 'tasks-key',
          operation: 'GetItem',
          input: { TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } },
          status: 400,
          errorType: 'AccessDeniedException',
        },
      ]);
    } finally {
      tasks.destroy();
      await db.close();
    }
  });
});

describe('a write whose condition fails', () => {
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html: with
  // ReturnValuesOnConditionCheckFailure ALL_OLD, the ConditionalCheckFailedException carries the item as it stands.
  let db: LocalDynamoDb;
  let client: DynamoDBClient;
  beforeAll(async () => {
    db = await startLocalDynamoDb({ tables: [TASKS_TABLE], log: () => undefined });
    client = sdkClient(db.endpoint, 'any-key');
    await db.request('PutItem', { TableName: TABLE, Item: TASK });
  });
  afterAll(async () => {
    client.destroy();
    await db.close();
  });
  const fail = (command: PutItemCommand | UpdateItemCommand) =>
    (command instanceof PutItemCommand ? client.send(command) : client.send(command)).catch((e: unknown) => e);

  test('GIVEN a PutItem asking for ALL_OLD THEN the error carries the stored item', async () => {
    const error = await fail(
      new PutItemCommand({
        TableName: TABLE,
        Item: { ...TASK, title: { S: 'other' } },
        ConditionExpression: 'attribute_not_exists(PK)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', Item: TASK });
  });

  test('GIVEN an UpdateItem asking for ALL_OLD THEN the error carries the stored item', async () => {
    const error = await fail(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { PK: TASK.PK, SK: TASK.SK },
        UpdateExpression: 'SET #t = :t',
        ConditionExpression: 'attribute_not_exists(PK)',
        ExpressionAttributeNames: { '#t': 'title' },
        ExpressionAttributeValues: { ':t': { S: 'x' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', Item: TASK });
  });

  test('GIVEN a write not asking for it THEN the error carries no item, as DynamoDB sends it', async () => {
    const error = await fail(
      new PutItemCommand({ TableName: TABLE, Item: TASK, ConditionExpression: 'attribute_not_exists(PK)' }),
    );
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect((error as { Item?: unknown }).Item).toBeUndefined();
  });
});
