import { randomUUID } from 'crypto';
import { DeleteCommand, GetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { requireCallerSub } from './lib/claims';
import { pathParameter, type HttpApiEvent } from './lib/request';
import { HttpError, json, noContent, type HttpResult } from './lib/response';
import { dispatch, type Route } from './lib/router';
import {
  createDocumentClient,
  isConditionalCheckFailed,
  nowEpochSeconds,
  readTableConfig,
  readTtlAttribute,
} from './lib/table';

/**
 * Sessions of the signed-in caller: one partition per user (`USER#<sub>`), one item per session
 * (`SESSION#<uuid>`). Every key is derived from the caller's own `sub` claim, so a caller can only
 * ever reach their own sessions.
 *
 * DynamoDB TTL deletes expired items in the background, typically within days, so an expired
 * session can still be read; every read here checks the expiry itself and treats such a session as gone.
 */

const SESSION_PREFIX = 'SESSION#';
const SESSION_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

const table = readTableConfig();
const ttlAttribute = readTtlAttribute();
const db = createDocumentClient();

/** A session as the API shows it. */
interface Session {
  readonly sessionId: string;
  readonly createdAt: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

function sessionKey(sub: string, sessionId: string): Record<string, string> {
  return { [table.partitionKey]: `USER#${sub}`, [table.sortKey]: `${SESSION_PREFIX}${sessionId}` };
}

function toSession(item: Record<string, unknown>): Session {
  return {
    sessionId: item.sessionId as string,
    createdAt: item.createdAt as string,
    expiresAt: item[ttlAttribute] as number,
  };
}

/** An item without a numeric expiry is treated as expired: a session must never live forever by accident. */
function isLive(item: Record<string, unknown>, now: number): boolean {
  const expiresAt = item[ttlAttribute];
  return typeof expiresAt === 'number' && expiresAt > now;
}

function notFound(sessionId: string): HttpError {
  return new HttpError(404, `session "${sessionId}" not found`);
}

const createSession: Route<HttpApiEvent> = async (event) => {
  const sub = requireCallerSub(event);
  const sessionId = randomUUID();
  const item = {
    ...sessionKey(sub, sessionId),
    entityType: 'Session',
    sessionId,
    createdAt: new Date().toISOString(),
    [ttlAttribute]: nowEpochSeconds() + SESSION_LIFETIME_SECONDS,
  };
  // A clash of random UUIDs is not expected; if it happens the condition turns it into a logged 500
  // instead of silently replacing another session.
  await db.send(
    new PutCommand({
      TableName: table.tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': table.partitionKey },
    }),
  );
  return json(201, toSession(item));
};

const getSession: Route<HttpApiEvent> = async (event) => {
  const sub = requireCallerSub(event);
  const sessionId = pathParameter(event, 'sessionId');
  const result = await db.send(
    new GetCommand({ TableName: table.tableName, Key: sessionKey(sub, sessionId), ConsistentRead: true }),
  );
  if (result.Item === undefined || !isLive(result.Item, nowEpochSeconds())) {
    throw notFound(sessionId);
  }
  return json(200, toSession(result.Item));
};

const listSessions: Route<HttpApiEvent> = async (event) => {
  const sub = requireCallerSub(event);
  const now = nowEpochSeconds();
  const pages = paginateQuery(
    { client: db },
    {
      TableName: table.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sessionPrefix)',
      ExpressionAttributeNames: { '#pk': table.partitionKey, '#sk': table.sortKey },
      ExpressionAttributeValues: { ':pk': `USER#${sub}`, ':sessionPrefix': SESSION_PREFIX },
    },
  );
  const items: Session[] = [];
  for await (const page of pages) {
    items.push(...(page.Items ?? []).filter((item) => isLive(item, now)).map(toSession));
  }
  return json(200, { items });
};

const deleteSession: Route<HttpApiEvent> = async (event) => {
  const sub = requireCallerSub(event);
  const sessionId = pathParameter(event, 'sessionId');
  try {
    // An expired session is already gone for the caller, so deleting it is a 404 like reading it;
    // the item itself is left to TTL.
    await db.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: sessionKey(sub, sessionId),
        ConditionExpression: 'attribute_exists(#pk) AND #expiresAt > :now',
        ExpressionAttributeNames: { '#pk': table.partitionKey, '#expiresAt': ttlAttribute },
        ExpressionAttributeValues: { ':now': nowEpochSeconds() },
      }),
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) {
      throw notFound(sessionId);
    }
    throw error;
  }
  return noContent();
};

const routes: Readonly<Record<string, Route<HttpApiEvent>>> = {
  'POST /sessions': createSession,
  'GET /sessions': listSessions,
  'GET /sessions/{sessionId}': getSession,
  'DELETE /sessions/{sessionId}': deleteSession,
};

export const handler = async (event: HttpApiEvent): Promise<HttpResult> => dispatch(event, routes);
