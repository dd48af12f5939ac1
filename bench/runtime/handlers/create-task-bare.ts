import { randomUUID } from 'crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * `POST /projects/{projectId}/tasks` written by hand, with no toolkit: the baseline. It parses the body, checks
 * each field by hand and answers 201, 400 or 409, and it sends the same DynamoDB request the toolkit's
 * `create()` sends (the same item with `version` and a write id, the same TTL-aware condition), so the difference
 * the benchmark measures is the wrapper's own work, not a different write.
 */

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TITLE_LENGTH = 200;

type Result = APIGatewayProxyStructuredResultV2;
export type BareHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<Result>;

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

function respond(statusCode: number, body: unknown): Result {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

const problem = (statusCode: number, detail: string) => respond(statusCode, { status: statusCode, detail });

/** The client a hand-written handler typically creates at module scope. */
export function createClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
}

/** Builds the handler; the benchmark passes its own client (timed, or a stub to isolate CPU time). */
export function createHandler(client: DynamoDBDocumentClient = createClient()): BareHandler {
  const tableName = requireEnv('TABLE_NAME');
  const partitionKey = requireEnv('TABLE_PARTITION_KEY');
  const sortKey = requireEnv('TABLE_SORT_KEY');
  const ttlAttribute = requireEnv('TABLE_TTL_ATTRIBUTE');
  const db = client;

  return async (event) => {
    const projectId = event.pathParameters?.projectId;
    if (projectId === undefined || !ID_PATTERN.test(projectId)) return problem(400, '`projectId` is invalid');
    let body: unknown;
    try {
      const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
      body = JSON.parse(text ?? '');
    } catch {
      return problem(400, 'the request body is not valid JSON');
    }
    const { taskId, title } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof taskId !== 'string' || !ID_PATTERN.test(taskId)) return problem(400, '`taskId` is invalid');
    if (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE_LENGTH) {
      return problem(400, '`title` is invalid');
    }
    const task = {
      taskId,
      title,
      status: 'OPEN',
      createdAt: new Date().toISOString(),
      createdBy: event.requestContext.authorizer?.jwt?.claims?.sub as string | undefined,
    };
    try {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            _writeId: randomUUID(),
            entityType: 'Task',
            ...task,
            [partitionKey]: `PROJECT#${projectId}`,
            [sortKey]: `TASK#${taskId}`,
            version: 1,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#pk': partitionKey, '#ttl': ttlAttribute },
          ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        return problem(409, `task "${taskId}" already exists`);
      }
      console.error('request failed', error);
      return problem(500, 'the request failed');
    }
    return respond(201, task);
  };
}

export const handler = createHandler();
