/**
 * The test kit as a user's suite drives it: their real handlers, from the synthesized bundles, behind the local
 * gateway, with the dev tokens and the local table.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, ServerlessApi } from '../../src';
import { LocalApi } from '../../src/testing';
import { jwt } from '../helpers/api';

const TASK_BOARD = path.join(__dirname, '..', '..', 'integ', 'integ.task-board.ts.snapshot');
const REST_API = path.join(__dirname, '..', '..', 'integ', 'integ.rest-api.ts.snapshot');

describe('LocalApi on the task board (HTTP API, JWT)', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await LocalApi.start({ assembly: TASK_BOARD });
  });
  afterAll(() => api.stop());

  const post = (token: string | undefined, body: unknown) =>
    fetch(`${api.url}/projects/demo/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  test('GIVEN a dev token WHEN a task is created twice THEN 201, then the handler’s 409, and one item in the table', async () => {
    const token = await api.token({ sub: 'alice' });
    const first = await post(token, { taskId: 't1', title: 'Write the README' });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ taskId: 't1', status: 'OPEN', createdBy: 'alice' });

    const second = await post(token, { taskId: 't1', title: 'Write the README' });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toBe('application/problem+json');

    const tasks = (await api.table.items()).filter((item) => item.PK === 'PROJECT#demo');
    expect(tasks).toEqual([expect.objectContaining({ SK: 'TASK#t1', createdBy: 'alice' })]);
  });

  // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html: without a valid token
  // the gateway answers 401 and never invokes the function.
  test('GIVEN no token THEN the gateway answers 401 with the bearer challenge, and the function never runs', async () => {
    const before = api.logs.length;
    const res = await post(undefined, { taskId: 't2', title: 'x' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer scope="" error="invalid_token"/);
    expect(api.logs.slice(before).filter((line) => line.startsWith('[tasks]'))).toEqual([]);
  });

  test('GIVEN a token for another audience THEN 401', async () => {
    const token = await api.token({ sub: 'alice', claims: { aud: 'someone-else' } });
    expect((await post(token, { taskId: 't3', title: 'x' })).status).toBe(401);
  });

  test('GIVEN an item arranged through the table THEN the handler reads it', async () => {
    await api.table.put({
      PK: 'PROJECT#seeded',
      SK: 'TASK#s1',
      taskId: 's1',
      title: 'Seeded',
      status: 'OPEN',
      version: 1,
    });
    const token = await api.token({ sub: 'bob' });
    const res = await fetch(`${api.url}/projects/seeded/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ items: [expect.objectContaining({ taskId: 's1', title: 'Seeded' })] });
  });

  test("GIVEN a list request THEN the table saw one Query on the project's partition from the tasks function, never a Scan", async () => {
    const token = await api.token({ sub: 'dana' });
    const { result, calls } = await api.table.record(() =>
      fetch(`${api.url}/projects/recorded/tasks`, { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(result.status).toBe(200);
    const reads = calls.filter((call) => call.operation !== 'UpdateItem'); // the rate-limit counter
    expect(reads).toEqual([
      expect.objectContaining({
        function: 'tasks',
        operation: 'Query',
        status: 200,
        input: expect.objectContaining({
          ExpressionAttributeValues: expect.objectContaining({ ':pk': { S: 'PROJECT#recorded' } }),
        }),
      }),
    ]);
    expect(api.table.calls.some((call) => call.operation === 'Scan')).toBe(false);
  });

  test('the access log is written in the stage’s JSON format, one line per request', async () => {
    const lines = api.logs.filter((line) => line.startsWith('[access] ')).map((line) => JSON.parse(line.slice(9)));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines).toContainEqual(
      expect.objectContaining({ routeKey: 'POST /projects/{projectId}/tasks', status: '401', principalId: '-' }),
    );
  });
});

describe('LocalApi on the REST partner API (API key, request model, Cognito, CORS)', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await LocalApi.start({ assembly: REST_API });
  });
  afterAll(() => api.stop());

  const ORIGIN = 'https://app.example.com';
  const post = (body: unknown, headers: { [name: string]: string } = {}) =>
    fetch(`${api.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
      body: JSON.stringify(body),
    });

  test('the URL names the stage, as a REST API’s does', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod$/);
  });

  // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html: a method that
  // requires a key refuses a request without one with 403 Forbidden.
  test('GIVEN no API key THEN 403 Forbidden', async () => {
    const res = await post({ title: 'no key' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'Forbidden' });
  });

  // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
  test('GIVEN the key and a body that fails the model THEN 400 before the function runs', async () => {
    const res = await post({}, { 'x-api-key': api.apiKey('integ') });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'Invalid request body' });
  });

  test('GIVEN the key and a valid body THEN the function answers 201 with the CORS origin', async () => {
    const res = await post({ title: 'Ship it' }, { 'x-api-key': api.apiKey('integ') });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await res.json()).toEqual({ received: { title: 'Ship it' } });
  });

  test('GIVEN no Cognito token on a protected route THEN 401, with the CORS header the gateway response adds', async () => {
    const res = await fetch(`${api.url}/items`, { headers: { origin: ORIGIN, 'x-api-key': api.apiKey('integ') } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  test('GIVEN a Cognito id token THEN the protected route answers', async () => {
    const token = await api.token({ sub: 'carol' });
    const res = await fetch(`${api.url}/items`, {
      headers: { authorization: token, 'x-api-key': api.apiKey('integ') },
    });
    expect(res.status).toBe(201);
  });

  test('an unknown key name is an error that lists the keys', () => {
    expect(() => api.apiKey('nope')).toThrow('no API key "nope" in RestApiIntegStack: it has rest-api-integ-integ');
  });
});

describe('LocalApi on an app synthesized in the test, with a handler that reaches outside its key patterns', () => {
  let dir: string;
  let api: LocalApi;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-api-'));
    const entry = path.join(dir, 'report.ts');
    // The handler queries the USER# partition; its only access pattern is PROJECT#{projectId}.
    fs.writeFileSync(
      entry,
      [
        "import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';",
        'const client = new DynamoDBClient({});',
        'export const handler = async () => {',
        '  try {',
        '    await client.send(new QueryCommand({ TableName: process.env.TABLE_NAME, KeyConditionExpression: "PK = :pk",',
        '      ExpressionAttributeValues: { ":pk": { S: "USER#alice" } } }));',
        '    return { statusCode: 200, body: "read" };',
        '  } catch (e) {',
        '    return { statusCode: 500, body: (e as Error).name };',
        '  }',
        '};',
      ].join('\n'),
    );
    // The unit tests' setup turns bundling off; this app bundles, as a user's does by default.
    const app = new App({ outdir: path.join(dir, 'cdk.out'), postCliContext: { 'aws:cdk:bundling-stacks': ['**'] } });
    const stack = new Stack(app, 'Reports');
    new ServerlessApi(stack, 'Api', {
      authorization: jwt(),
      accessPatterns: { listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{projectId}' }) },
      functions: {
        report: { entry, accessPatterns: ['listTasks'], routes: [{ method: HttpMethod.GET, path: '/report' }] },
      },
    });
    api = await LocalApi.start({ app });
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html: a LeadingKeys
  // condition limits a role to the partition keys it names; any other key is AccessDeniedException.
  test('THEN IAM denies the Query, as AWS would, and the log says which function and why', async () => {
    const token = await api.token({ sub: 'alice' });
    const res = await fetch(`${api.url}/report`, { headers: { authorization: `Bearer ${token}` } });
    expect(await res.text()).toBe('AccessDeniedException');
    expect(api.table.calls).toEqual([
      expect.objectContaining({
        function: 'report',
        operation: 'Query',
        status: 400,
        errorType: 'AccessDeniedException',
      }),
    ]);
    const denied = api.logs.filter((line) => line.includes('DENIED'));
    expect(denied).toEqual([
      expect.stringMatching(/^\[dynamodb\] DENIED function report .*dynamodb:LeadingKeys.*USER#alice/),
    ]);
  });
});
