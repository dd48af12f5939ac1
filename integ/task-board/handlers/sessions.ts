import { randomUUID } from 'crypto';
import * as z from 'zod';
import {
  apiHandler,
  created,
  noContent,
  notFound,
  ok,
  route,
  Table,
  type Item,
  type KeyValues,
} from '../../../src/runtime';

/**
 * Sessions of the signed-in caller: one partition per user (`USER#<sub>`), one item per session
 * (`SESSION#<uuid>`). The patterns bind `{userId}` to the caller (`callerBound` in the stack): the toolkit fills it
 * from the verified token and reads and writes with a session of the function's caller role tagged with it, so
 * IAM itself keeps each caller in their own partition, whatever this code does.
 *
 * DynamoDB TTL deletes expired items in the background, typically within days, so an expired session can still
 * be read: the toolkit's reads, lists and writes treat an item past its `expiresAt` as gone.
 */

export const SESSION_ROUTES = {
  create: 'POST /sessions',
  list: 'GET /sessions',
  get: 'GET /sessions/{sessionId}',
  delete: 'DELETE /sessions/{sessionId}',
} as const;

/** How long a session lives. */
export const SESSION_LIFETIME_SECONDS = 7 * 24 * 60 * 60;

const table = Table.fromEnvironment();
// Every session expires: one without an expiry is treated as expired, never as living forever.
const sessionOptions = { expires: true, label: (values: KeyValues) => `session "${values.sessionId}"` };
const newSession = table.item('createSession', sessionOptions);
const session = table.item('getSession', sessionOptions);
const userSessions = table.query('listSessions', { expires: true });
const endedSession = table.item('deleteSession', sessionOptions);

const SessionPath = z.object({ sessionId: z.uuid('must be a session id as returned by POST /sessions') });
const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(userSessions.maxLimit).optional(),
  cursor: z.string().optional(),
});

/** A session as the API shows it. */
function toSession(item: Item) {
  return { sessionId: item.sessionId, createdAt: item.createdAt, expiresAt: item[table.config.ttlAttribute] };
}

export const handler = apiHandler({
  routes: {
    [SESSION_ROUTES.create]: route({
      handle: async () => {
        const sessionId = randomUUID();
        // Create-once: a clash of random UUIDs would be a 409, never a silently replaced session.
        const item = await newSession.create(
          { sessionId },
          { entityType: 'Session', sessionId, createdAt: new Date().toISOString() },
          { ttlSeconds: SESSION_LIFETIME_SECONDS },
        );
        return created(toSession(item), `/sessions/${sessionId}`);
      },
    }),
    [SESSION_ROUTES.list]: route({
      query: ListQuery,
      handle: async ({ query }) => {
        const page = await userSessions.page({}, { limit: query.limit, cursor: query.cursor });
        return ok({ items: page.items.map(toSession), nextCursor: page.nextCursor });
      },
    }),
    [SESSION_ROUTES.get]: route({
      params: SessionPath,
      handle: async ({ params }) => {
        const item = await session.get({ sessionId: params.sessionId }, { consistent: true });
        if (item === undefined) throw notFound(`session "${params.sessionId}" does not exist`);
        return ok(toSession(item));
      },
    }),
    [SESSION_ROUTES.delete]: route({
      params: SessionPath,
      handle: async ({ params }) => {
        // An expired session is already gone for the caller: deleting it is a 404 like reading it.
        await endedSession.delete({ sessionId: params.sessionId });
        return noContent();
      },
    }),
  },
});
