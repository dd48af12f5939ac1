/**
 * `RunningLocal.reload`: a new version of the app behind the same server, as `dev --watch` swaps in each synth. The
 * port stays; the table's items stay while its schema does; requests in flight finish on the version they started on.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TASK_BOARD } from './reader/fixtures';
import { issueAppToken } from '../../src/local/app-token';
import type { LocalAppModel } from '../../src/local/model';
import { readLocalApp } from '../../src/local/reader';
import { runLocal, type RunningLocal } from '../../src/local/run-local';

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const taskBoard = readLocalApp(TASK_BOARD);

const LIST = 'GET /projects/{projectId}/tasks';

/** The task board with its task list public, and without the routes named in `without`. */
function publicList(app: LocalAppModel = taskBoard, ...without: string[]): LocalAppModel {
  const routes = app.api.routes
    .filter((route) => !without.includes(route.routeKey))
    .map((route) => (route.routeKey === LIST ? { ...route, authorization: { type: 'NONE' as const } } : route));
  return { ...app, api: { ...app.api, routes } };
}

/** The task board with a global secondary index on its table: a schema DynamoDB cannot change in place. */
function withIndex(app: LocalAppModel): LocalAppModel {
  const [table, ...rest] = app.tables;
  const byStatus = {
    indexName: 'byStatus',
    partitionKey: { name: 'status', type: 'S' },
    projectionType: 'ALL',
  };
  return { ...app, tables: [{ ...table, globalSecondaryIndexes: [byStatus] }, ...rest] };
}

describe('reload', () => {
  let running: RunningLocal;
  let token: string;
  const logs: string[] = [];
  beforeAll(async () => {
    running = await runLocal(taskBoard, { port: 0, keysDir: tempDir('reload-keys-'), log: (line) => logs.push(line) });
    token = await issueAppToken(running.app, running.keys, { sub: 'alice' });
  });
  afterAll(() => running.stop());

  const tasks = () => `${running.url}/projects/demo/tasks`;
  const create = (taskId: string) =>
    fetch(tasks(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ taskId, title: taskId }),
    });
  /** The task list without a token: 401 while the route is guarded, the items once it is public. */
  const listWithoutToken = async () => {
    const res = await fetch(tasks());
    const body = (await res.json()) as { items?: { taskId: string }[] };
    return { status: res.status, taskIds: body.items?.map((item) => item.taskId) };
  };

  test('GIVEN the same tables THEN the new version answers on the same port, with the items written before', async () => {
    const before = running.url;
    expect((await create('t1')).status).toBe(201);
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
    expect(await listWithoutToken()).toEqual({ status: 401, taskIds: undefined });

    const result = await running.reload(publicList());

    expect(result).toEqual({ tables: 'kept', tableChanges: [] });
    expect(running.url).toBe(before);
    expect(await listWithoutToken()).toEqual({ status: 200, taskIds: ['t1'] });
  });

  test('GIVEN a route removed THEN the gateway no longer matches it', async () => {
    await running.reload(publicList(taskBoard, 'POST /projects/{projectId}/tasks/{taskId}/complete'));
    const res = await fetch(`${tasks()}/t1/complete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html: no route matches.
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found' });
  });

  test('GIVEN a request in flight WHEN the app reloads THEN it is answered by the version it started on', async () => {
    // The first call of a new version starts its function (a cold start of tens of milliseconds): the reload lands
    // while that request is still running, and retiring the version must wait for it.
    await running.reload(publicList());
    const inFlight = create('t2');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await running.reload(publicList());

    expect((await inFlight).status).toBe(201);
    expect(await listWithoutToken()).toEqual({ status: 200, taskIds: ['t1', 't2'] });
  });

  test('GIVEN a changed table schema THEN DynamoDB restarts with the new tables, and the in-memory items are gone', async () => {
    const tableName = taskBoard.tables[0].tableName;
    const result = await running.reload(withIndex(publicList()));

    expect(result).toEqual({ tables: 'restarted', tableChanges: [`${tableName}: global secondary indexes changed`] });
    expect(await listWithoutToken()).toEqual({ status: 200, taskIds: [] });
    expect((await create('t3')).status).toBe(201);
    expect(await listWithoutToken()).toEqual({ status: 200, taskIds: ['t3'] });
    const { Table } = await running.dynamodb.request('DescribeTable', { TableName: tableName });
    expect(Table.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName)).toEqual(['byStatus']);
  });

  test('GIVEN a version without an access log THEN requests are no longer logged to [access]', async () => {
    const accessLines = () => logs.filter((line) => line.startsWith('[access] ')).length;
    const before = accessLines();
    expect(before).toBeGreaterThan(0);
    const app = withIndex(publicList());
    await running.reload({ ...app, api: { ...app.api, accessLogFormat: undefined } });
    expect((await listWithoutToken()).status).toBe(200);
    expect(accessLines()).toBe(before);
  });
});

describe('reload with the items kept in a data folder', () => {
  test('GIVEN a schema the data folder cannot hold THEN the reload fails, says why, and the old version still serves its items', async () => {
    const running = await runLocal(taskBoard, {
      port: 0,
      keysDir: tempDir('reload-keys-'),
      dataDir: tempDir('reload-data-'),
    });
    try {
      const token = await issueAppToken(running.app, running.keys, { sub: 'alice' });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const url = `${running.url}/projects/demo/tasks`;
      const created = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ taskId: 'p1', title: 'Kept' }),
      });
      expect(created.status).toBe(201);

      await expect(running.reload(withIndex(taskBoard))).rejects.toThrow(/holds tables that do not match the app/);

      const res = await fetch(url, { headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ items: [expect.objectContaining({ taskId: 'p1' })] });
    } finally {
      await running.stop();
    }
  });
});

describe('stop', () => {
  test('THEN the port is closed, and a reload is refused', async () => {
    const running = await runLocal(taskBoard, { port: 0, keysDir: tempDir('reload-keys-') });
    const url = running.url;
    await running.stop();
    await expect(fetch(`${url}/projects/demo/tasks`)).rejects.toThrow();
    await expect(running.reload(taskBoard)).rejects.toThrow('the local API is stopped: it cannot reload');
  });
});
