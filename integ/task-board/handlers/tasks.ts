import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { callerSub } from './lib/claims';
import { jsonBody, pathParameter, type HttpApiEvent } from './lib/request';
import { HttpError, json, type HttpResult } from './lib/response';
import { dispatch, type Route } from './lib/router';
import { createDocumentClient, isConditionalCheckFailed, readTableConfig } from './lib/table';

/**
 * Task board: one partition per project (`PROJECT#<projectId>`), one item per task (`TASK#<taskId>`),
 * so listing a project's tasks is a single Query and the function's role never needs Scan.
 */

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const ID_RULE = '1 to 64 letters, digits, "_" or "-"';
const MAX_TITLE_LENGTH = 200;
const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;
const TASK_PREFIX = 'TASK#';

const table = readTableConfig();
const db = createDocumentClient();

/** A task as the API shows it: the storage keys stay private to the table design. */
interface Task {
  readonly taskId: string;
  readonly title: string;
  readonly status: string;
  readonly createdAt: string;
  readonly createdBy?: string;
  readonly completedAt?: string;
}

type TaskKey = Record<string, string>;

function projectPartition(projectId: string): string {
  return `PROJECT#${projectId}`;
}

function taskKey(projectId: string, taskId: string): TaskKey {
  return { [table.partitionKey]: projectPartition(projectId), [table.sortKey]: `${TASK_PREFIX}${taskId}` };
}

function toTask(item: Record<string, unknown>): Task {
  return {
    taskId: item.taskId as string,
    title: item.title as string,
    status: item.status as string,
    createdAt: item.createdAt as string,
    createdBy: item.createdBy as string | undefined,
    completedAt: item.completedAt as string | undefined,
  };
}

function idParameter(event: HttpApiEvent, name: string): string {
  const value = pathParameter(event, name);
  if (!ID_PATTERN.test(value)) {
    throw new HttpError(400, `\`${name}\` must be ${ID_RULE}, got: ${value}`);
  }
  return value;
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined) {
    return DEFAULT_PAGE_SIZE;
  }
  const size = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw new HttpError(400, `\`limit\` must be an integer between 1 and ${MAX_PAGE_SIZE}, got: ${raw}`);
  }
  return size;
}

/** The cursor is the page's LastEvaluatedKey, base64url-encoded so clients treat it as opaque. */
function encodeCursor(lastEvaluatedKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor and checks that it points into this project's task range: a cursor from another
 * project would otherwise reach DynamoDB as a start key outside the queried partition.
 */
function decodeCursor(cursor: string, projectId: string): TaskKey {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new HttpError(400, '`cursor` is malformed: pass back the `nextCursor` of a previous page unchanged');
  }
  const record = typeof key === 'object' && key !== null ? (key as Record<string, unknown>) : {};
  const sortKey = record[table.sortKey];
  const wellFormed =
    Object.keys(record).length === 2 &&
    typeof record[table.partitionKey] === 'string' &&
    typeof sortKey === 'string' &&
    sortKey.startsWith(TASK_PREFIX);
  if (!wellFormed) {
    throw new HttpError(400, '`cursor` is malformed: pass back the `nextCursor` of a previous page unchanged');
  }
  if (record[table.partitionKey] !== projectPartition(projectId)) {
    throw new HttpError(400, `\`cursor\` belongs to another project, not to "${projectId}"`);
  }
  return record as TaskKey;
}

const listTasks: Route<HttpApiEvent> = async (event) => {
  const projectId = idParameter(event, 'projectId');
  const limit = pageSize(event.queryStringParameters?.limit);
  const cursor = event.queryStringParameters?.cursor;
  const result = await db.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :taskPrefix)',
      ExpressionAttributeNames: { '#pk': table.partitionKey, '#sk': table.sortKey },
      ExpressionAttributeValues: { ':pk': projectPartition(projectId), ':taskPrefix': TASK_PREFIX },
      Limit: limit,
      ExclusiveStartKey: cursor === undefined ? undefined : decodeCursor(cursor, projectId),
    }),
  );
  return json(200, {
    items: (result.Items ?? []).map(toTask),
    nextCursor: result.LastEvaluatedKey ? encodeCursor(result.LastEvaluatedKey) : undefined,
  });
};

const createTask: Route<HttpApiEvent> = async (event) => {
  const projectId = idParameter(event, 'projectId');
  const body = jsonBody(event);
  const { taskId, title } = body;
  if (typeof taskId !== 'string' || !ID_PATTERN.test(taskId)) {
    throw new HttpError(400, `\`taskId\` must be a string of ${ID_RULE}`);
  }
  if (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE_LENGTH) {
    throw new HttpError(400, `\`title\` must be a non-empty string of at most ${MAX_TITLE_LENGTH} characters`);
  }
  const item = {
    ...taskKey(projectId, taskId),
    entityType: 'Task',
    taskId,
    title,
    status: 'OPEN',
    createdAt: new Date().toISOString(),
    createdBy: callerSub(event),
  };
  try {
    // The first create wins: a retried or concurrent create with the same id never overwrites the task.
    await db.send(
      new PutCommand({
        TableName: table.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': table.partitionKey },
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) {
      throw new HttpError(409, `task "${taskId}" already exists in project "${projectId}"`);
    }
    throw error;
  }
  return json(201, toTask(item));
};

const completeTask: Route<HttpApiEvent> = async (event) => {
  const projectId = idParameter(event, 'projectId');
  const taskId = idParameter(event, 'taskId');
  const key = taskKey(projectId, taskId);
  try {
    const result = await db.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression: 'SET #status = :done, completedAt = :now',
        // attribute_exists stops UpdateItem from creating a task that was never there.
        ConditionExpression: 'attribute_exists(#pk) AND #status = :open',
        ExpressionAttributeNames: { '#pk': table.partitionKey, '#status': 'status' },
        ExpressionAttributeValues: { ':open': 'OPEN', ':done': 'DONE', ':now': new Date().toISOString() },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return json(200, toTask(result.Attributes ?? {}));
  } catch (error) {
    if (!isConditionalCheckFailed(error)) {
      throw error;
    }
    if (error.Item !== undefined || (await exists(key))) {
      throw new HttpError(409, `task "${taskId}" is already completed`);
    }
    throw new HttpError(404, `task "${taskId}" not found in project "${projectId}"`);
  }
};

/**
 * Whether a task exists, for telling "missing" from "already completed" after a failed condition.
 * DynamoDB returns the old item with the failure when it exists, but not every DynamoDB-compatible
 * server does (dynalite does not), so the absence of that item is confirmed with a consistent read.
 */
async function exists(key: TaskKey): Promise<boolean> {
  const result = await db.send(
    new GetCommand({
      TableName: table.tableName,
      Key: key,
      ProjectionExpression: '#pk',
      ExpressionAttributeNames: { '#pk': table.partitionKey },
      ConsistentRead: true,
    }),
  );
  return result.Item !== undefined;
}

const routes: Readonly<Record<string, Route<HttpApiEvent>>> = {
  'GET /projects/{projectId}/tasks': listTasks,
  'POST /projects/{projectId}/tasks': createTask,
  'POST /projects/{projectId}/tasks/{taskId}/complete': completeTask,
};

export const handler = async (event: HttpApiEvent): Promise<HttpResult> => dispatch(event, routes);
