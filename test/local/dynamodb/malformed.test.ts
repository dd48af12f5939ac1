/**
 * Malformed requests get an answer, never a crash of the local API: bad JSON, a missing target, JSON that is not an
 * object, nulls where dynalite expects values (which, sent to dynalite directly, throw out of its request handler),
 * bodies over DynamoDB's 16 MiB, requests cut short, bytes that are not HTTP; then generated bodies for every
 * operation the functions use.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
import * as net from 'net';
import fc from 'fast-check';
import { FakeAuthorizer, rawRequest, signedHeaders, TASKS_TABLE } from './fixtures';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../../src/local/dynamodb';

const TABLE = TASKS_TABLE.tableName;
const KEY = { PK: { S: 'PROJECT#p1' }, SK: { S: 'TASK#t1' } };
const OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
];
/** Fixed for reproducibility; `FUZZ_SEED=<n>` explores another part of the space. */
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);

describe('malformed requests to the local DynamoDB', () => {
  let db: LocalDynamoDb;
  let lines: string[];

  beforeAll(async () => {
    lines = [];
    db = await startLocalDynamoDb({
      tables: [TASKS_TABLE],
      authorizer: new FakeAuthorizer({ fn: OPERATIONS }),
      log: (line) => lines.push(line),
    });
  });
  afterAll(() => db.close());

  /** The endpoint still serves a well-formed request. */
  const stillServes = async () => {
    const response = await rawRequest(db.endpoint, {
      headers: signedHeaders('GetItem', 'fn'),
      body: JSON.stringify({ TableName: TABLE, Key: KEY }),
    });
    expect(response.status).toBe(200);
  };

  test('GIVEN a body that is not JSON THEN SerializationException, as DynamoDB answers it', async () => {
    const response = await rawRequest(db.endpoint, { headers: signedHeaders('GetItem', 'fn'), body: '{"TableName": ' });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ __type: 'com.amazon.coral.service#SerializationException' });
    await stillServes();
  });

  test('GIVEN no X-Amz-Target, or one naming no operation THEN UnknownOperationException', async () => {
    const headers = signedHeaders('GetItem', 'fn');
    delete headers['x-amz-target'];
    const missing = await rawRequest(db.endpoint, { headers, body: '{}' });
    const unknown = await rawRequest(db.endpoint, {
      headers: { ...headers, 'x-amz-target': 'DynamoDB_20120810.DropEverything' },
      body: '{}',
    });

    for (const response of [missing, unknown]) {
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ __type: 'com.amazon.coral.service#UnknownOperationException' });
    }
    await stillServes();
  });

  test.each(['null', '[]', '42', '"GetItem"'])(
    'GIVEN the JSON body %s, not an object THEN SerializationException',
    async (body) => {
      const response = await rawRequest(db.endpoint, { headers: signedHeaders('GetItem', 'fn'), body });

      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).__type).toBe('com.amazon.coral.service#SerializationException');
      await stillServes();
    },
  );

  test('GIVEN a null attribute value (dynalite throws on it) THEN an answer, a log line, and the server still serves', async () => {
    const response = await rawRequest(db.endpoint, {
      headers: signedHeaders('GetItem', 'fn'),
      body: JSON.stringify({ TableName: TABLE, Key: { PK: null, SK: KEY.SK } }),
    });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      __type: 'com.amazon.coral.service#SerializationException',
      Message: 'The local DynamoDB could not read this request: Cannot convert undefined or null to object',
    });
    expect(lines).toContain(
      'The local DynamoDB (dynalite) could not read GetItem: Cannot convert undefined or null to object',
    );
    await stillServes();
  });

  test('GIVEN a Content-Length over 16 MiB THEN 413 at once, the body unread and the connection closed', async () => {
    const answer = await rawSocket(
      db.endpoint,
      `POST / HTTP/1.1\r\nHost: local\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\nContent-Length: ${16 * 1024 * 1024 + 1}\r\n\r\n{"TableName":`,
    );

    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    await stillServes();
  });

  test('GIVEN a chunked body that grows past 16 MiB THEN 413, and nothing was written', async () => {
    const big = 'x'.repeat(17 * 1024 * 1024);
    const response = await rawRequest(db.endpoint, {
      headers: { ...signedHeaders('PutItem', 'fn'), 'transfer-encoding': 'chunked' },
      body: JSON.stringify({ TableName: TABLE, Item: { ...KEY, SK: { S: 'TASK#big' }, blob: { S: big } } }),
    }).catch((error: NodeJS.ErrnoException) => ({ status: error.code }));

    // The server may close before the client has sent everything: either the 413 or a reset, never a write.
    expect([413, 'ECONNRESET', 'EPIPE']).toContain(response.status);
    const stored = await db.request('GetItem', { TableName: TABLE, Key: { ...KEY, SK: { S: 'TASK#big' } } });
    expect(stored.Item).toBeUndefined();
    await stillServes();
  });

  test('GIVEN a client that hangs up halfway through its body THEN the server carries on', async () => {
    await new Promise<void>((resolve) => {
      const url = new URL(db.endpoint);
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write('POST / HTTP/1.1\r\nHost: local\r\nContent-Length: 1000\r\n\r\n{"TableName":');
        socket.destroy();
        resolve();
      });
    });

    await stillServes();
  });

  test('GIVEN bytes that are not HTTP THEN 400 Bad Request and the connection closed', async () => {
    const answer = await rawSocket(db.endpoint, 'HELLO THERE\r\n\r\n');

    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    await stillServes();
  });

  test('GIVEN a GET (a health check) THEN the engine answers it as DynamoDB does', async () => {
    const response = await rawRequest(db.endpoint, { method: 'GET' });

    expect(response.status).toBe(200);
    expect(response.body).toBe('healthy: dynamodb.us-east-1.amazonaws.com ');
  });

  test('GIVEN valid requests of each operation with one or two values replaced by generated JSON THEN each is answered 200 or 4xx, and the server still serves', async () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double(),
        fc.string({ maxLength: 8 }),
        fc.constantFrom(
          'S',
          'N',
          '1e400',
          '-0',
          'PK',
          TABLE,
          '#a',
          ':v',
          'PK = :v',
          'SET #a = :v',
          'attribute_exists(#a)',
        ),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom('S', 'N', 'B', 'M', 'L', 'NULL', 'BOOL', 'SS', 'PK', 'SK', ':v', '#a'),
          tie('value'),
          {
            maxKeys: 3,
          },
        ),
      ),
    })).value;
    const mutation = fc.record({ path: fc.nat(), value: fc.option(json, { nil: undefined }) });
    const cases = fc.record({
      operation: fc.constantFrom(...Object.keys(VALID_REQUESTS)),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 2 }),
    });
    const statuses = new Set<number>();

    await fc.assert(
      fc.asyncProperty(cases, async ({ operation, mutations }) => {
        const input = structuredClone(VALID_REQUESTS[operation]);
        for (const { path, value } of mutations) replaceAt(input, path, value);
        const response = await rawRequest(db.endpoint, {
          headers: signedHeaders(operation, 'fn'),
          body: JSON.stringify(input),
        });
        statuses.add(response.status);
        return response.status === 200 || (response.status >= 400 && response.status < 500);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500), seed: FUZZ_SEED },
    );
    expect([...statuses].sort()).toEqual([200, 400]);
    // The generated cases reach the input dynalite throws on, which the guard answers.
    expect(lines.filter((line) => line.includes('could not read')).length).toBeGreaterThan(0);
    await stillServes();
  }, 30_000);
});

const V = { ':v': { S: 'open' }, ':n': { N: '1' } };
/** One well-formed request per operation the functions use, to be broken in generated ways. */
const VALID_REQUESTS: { [operation: string]: any } = {
  GetItem: { TableName: TABLE, Key: KEY, ProjectionExpression: '#a, SK', ExpressionAttributeNames: { '#a': 'PK' } },
  PutItem: {
    TableName: TABLE,
    Item: {
      ...KEY,
      status: { S: 'open' },
      tags: { SS: ['a'] },
      meta: { M: { n: { N: '1' }, l: { L: [{ BOOL: true }, { NULL: true }] } } },
    },
    ConditionExpression: 'attribute_not_exists(PK) OR #a = :v',
    ExpressionAttributeNames: { '#a': 'status' },
    ExpressionAttributeValues: V,
    ReturnValues: 'ALL_OLD',
  },
  UpdateItem: {
    TableName: TABLE,
    Key: KEY,
    UpdateExpression: 'SET #a = :v ADD #c :n REMOVE #d',
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeNames: { '#a': 'status', '#c': 'count', '#d': 'gone' },
    ExpressionAttributeValues: V,
    ReturnValues: 'ALL_NEW',
  },
  DeleteItem: {
    TableName: TABLE,
    Key: KEY,
    ConditionExpression: '#a = :v',
    ExpressionAttributeNames: { '#a': 'status' },
    ExpressionAttributeValues: { ':v': V[':v'] },
  },
  Query: {
    TableName: TABLE,
    IndexName: 'byStatus',
    KeyConditionExpression: '#a = :v AND dueAt > :n',
    FilterExpression: 'size(title) > :n',
    ExpressionAttributeNames: { '#a': 'status' },
    ExpressionAttributeValues: V,
    Limit: 5,
    ExclusiveStartKey: { ...KEY, status: { S: 'open' }, dueAt: { N: '1' } },
    ScanIndexForward: false,
  },
  Scan: {
    TableName: TABLE,
    FilterExpression: 'begins_with(PK, :v)',
    ExpressionAttributeValues: { ':v': V[':v'] },
    Segment: 0,
    TotalSegments: 2,
  },
  BatchGetItem: { RequestItems: { [TABLE]: { Keys: [KEY], ConsistentRead: true } } },
  BatchWriteItem: {
    RequestItems: { [TABLE]: [{ PutRequest: { Item: KEY } }, { DeleteRequest: { Key: { ...KEY, SK: { S: 'x' } } } }] },
  },
};

/** Replaces (or deletes, for `undefined`) the value at the `index`-th path of `root`, paths in depth-first order. */
function replaceAt(root: any, index: number, value: unknown): void {
  const slots: [any, string | number][] = [];
  const walk = (node: any) => {
    if (typeof node !== 'object' || node === null) return;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      slots.push([node, key]);
      walk(node[key]);
    }
  };
  walk(root);
  if (slots.length === 0) return;
  const [parent, key] = slots[index % slots.length];
  if (value === undefined && !Array.isArray(parent)) delete parent[key];
  else parent[key] = value ?? null;
}

/** Writes `text` on a fresh connection and returns whatever comes back before the server closes it. */
function rawSocket(endpoint: string, text: string): Promise<string> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('end', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(received) : reject(error),
    );
  });
}
