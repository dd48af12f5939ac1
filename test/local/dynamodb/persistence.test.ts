/**
 * The local DynamoDB persisted under a data folder: items survive a restart, tables are created only when missing,
 * and a folder whose tables no longer match the app (key, indexes, projections) stops the start with the table and
 * the difference named; a folder that is not a store, or that another run holds, is refused before dynalite opens it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { sdkClient, TASKS_TABLE } from './fixtures';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../../src/local/dynamodb';
import type { LocalTableModel } from '../../../src/local/model';

const TABLE = TASKS_TABLE.tableName;
const TASK = { PK: { S: 'PROJECT#p1' }, SK: { S: 'TASK#t1' }, title: { S: 'Persist me' } };
const quiet = () => undefined;

describe('the local DynamoDB in a data folder', () => {
  let root: string;
  let dataDir: string;
  const running: LocalDynamoDb[] = [];
  const start = async (tables: readonly LocalTableModel[] = [TASKS_TABLE], dir = dataDir) => {
    const db = await startLocalDynamoDb({ tables, dataDir: dir, log: quiet });
    running.push(db);
    return db;
  };

  beforeEach(async () => {
    root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'local-dynamodb-'));
    dataDir = path.join(root, 'dynamodb');
  });
  afterEach(async () => {
    for (const db of running.splice(0)) await db.close();
    await fs.promises.rm(root, { recursive: true, force: true });
  });

  test('GIVEN items written WHEN the local DynamoDB restarts on the same folder THEN a handler reads them back', async () => {
    const first = await start();
    await first.request('PutItem', { TableName: TABLE, Item: TASK });
    await first.close();

    const second = await start();
    const client = sdkClient(second.endpoint, 'any');
    try {
      const read = await client.send(new GetItemCommand({ TableName: TABLE, Key: { PK: TASK.PK, SK: TASK.SK } }));
      expect(read.Item).toEqual(TASK);
    } finally {
      client.destroy();
    }
  });

  test('GIVEN a table added to the app WHEN restarted THEN it is created beside the kept one', async () => {
    const first = await start();
    await first.request('PutItem', { TableName: TABLE, Item: TASK });
    await first.close();
    const audit: LocalTableModel = {
      ...TASKS_TABLE,
      logicalId: 'AuditTable',
      tableName: 'TaskBoard-Audit',
      arn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/TaskBoard-Audit',
      globalSecondaryIndexes: [],
      localSecondaryIndexes: [],
    };

    const second = await start([TASKS_TABLE, audit]);

    expect((await second.request('ListTables', {})).TableNames).toEqual(['TaskBoard-Audit', TABLE]);
    expect((await second.request('Scan', { TableName: TABLE, Select: 'COUNT' })).Count).toBe(1);
  });

  test('GIVEN a folder written for another key and indexes WHEN started THEN the start fails naming the table and each difference, and suggests deleting the folder', async () => {
    await (await start()).close();
    const changed: LocalTableModel = {
      ...TASKS_TABLE,
      sortKey: { name: 'SK', type: 'N' },
      globalSecondaryIndexes: [
        { ...TASKS_TABLE.globalSecondaryIndexes[0], nonKeyAttributes: ['title', 'assignee'] },
        { indexName: 'byOwner', partitionKey: { name: 'owner', type: 'S' }, projectionType: 'ALL' },
      ],
      localSecondaryIndexes: [],
    };

    await expect(start([changed])).rejects.toThrow(
      `The local DynamoDB's data folder ${dataDir} holds tables that do not match the app:\n` +
        `Table "${TABLE}":\n` +
        '  - key: the app has partition key PK (S), sort key SK (N), the data folder has partition key PK (S), sort key SK (S)\n' +
        '  - global secondary index "byStatus" projection: the app has INCLUDE (assignee, title), the data folder has INCLUDE (title)\n' +
        '  - global secondary index "byOwner": the app has it, the data folder does not\n' +
        '  - local secondary index "byCreated": the data folder has it, the app does not\n' +
        `A table's key and indexes cannot change in place. Delete the folder ${dataDir} to start again with empty tables (its items are lost), or choose another data folder.`,
    );
    // The failed start let go of the folder: the app as it was starts again.
    await start();
  });

  test('GIVEN a folder another local DynamoDB holds WHEN started THEN it is refused, saying so, and the first one still runs', async () => {
    const first = await start();

    await expect(start()).rejects.toThrow(
      `The local DynamoDB's data folder is in use by another local API (or another process): ${dataDir}. Stop that one, or choose another \`dataDir\`.`,
    );
    await first.request('PutItem', { TableName: TABLE, Item: TASK });
  });

  test('GIVEN a folder holding other files THEN it is refused before anything is written in it', async () => {
    await fs.promises.writeFile(path.join(root, 'package.json'), '{}');

    await expect(start([TASKS_TABLE], root)).rejects.toThrow(
      `\`dataDir\` must be an empty or new folder, or one the local DynamoDB wrote before, got a folder with other files (package.json): ${root}. Choose a folder of its own, such as .local-api/dynamodb.`,
    );
    expect(fs.readdirSync(root).sort()).toEqual(['package.json']);
  });

  test('GIVEN a file as the data folder THEN it is refused', async () => {
    const file = path.join(root, 'data.txt');
    await fs.promises.writeFile(file, '');

    await expect(start([TASKS_TABLE], file)).rejects.toThrow(
      `\`dataDir\` must be a folder for the local DynamoDB's data, got a file: ${file}`,
    );
  });
});
