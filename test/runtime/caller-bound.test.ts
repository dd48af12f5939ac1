import type { STSClient } from '@aws-sdk/client-sts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { httpApiEvent, jwtAuthorizer, parse, quietLogger, startRuntimeTable, type RuntimeTable } from './util';
import { apiHandler, ok, route } from '../../src/runtime';
import { Table } from '../../src/runtime/table';

/**
 * Caller-bound patterns in the toolkit: values from the verified principal, one session per caller, and the
 * answers a request gets when the caller cannot be bound or STS is busy.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
 */

const NOTE = {
  operation: 'GetItem',
  partitionKey: ['PK', 'USER#{userId}'],
  sortKey: ['SK', 'NOTE#{noteId}'],
  caller: { userId: 'id' },
} as const;
const TENANT_NOTE = {
  ...NOTE,
  partitionKey: ['PK', 'TENANT#{tenantId}'],
  caller: { tenantId: 'claim:tenantId' },
} as const;
const ROLE = 'arn:aws:iam::123456789012:role/CallerRole';

let rt: RuntimeTable;
beforeAll(async () => {
  rt = await startRuntimeTable({ note: NOTE, tenantNote: TENANT_NOTE });
  await rt.table.client.send(
    new PutCommand({ TableName: rt.table.config.tableName, Item: { PK: 'USER#alice', SK: 'NOTE#n1', text: 'alice' } }),
  );
});
afterAll(() => rt.close());

/** An STS that hands out credentials (or fails), recording the tags of each AssumeRole. */
function sts(fail?: Error) {
  const tags: { Key: string; Value: string }[][] = [];
  const client = {
    send: async (command: { input: { Tags: { Key: string; Value: string }[] } }) => {
      tags.push(command.input.Tags);
      if (fail) throw fail;
      return {
        Credentials: {
          AccessKeyId: 'ASIA1',
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: new Date(Date.now() + 3_600_000),
        },
      };
    },
  } as unknown as STSClient;
  return { client, tags };
}

function handlerWith(fake: STSClient) {
  // The session's client is the test's own: the local table here enforces no IAM (the local API does).
  const table = new Table({ ...rt.table.config, callerRoleArn: ROLE }, rt.table.client, rt.table.clock, {
    callerSessions: { sts: fake },
    callerClient: () => rt.table.client,
  });
  const note = table.item('note');
  const tenantNote = table.item('tenantNote');
  return apiHandler({
    logger: quietLogger(),
    routes: {
      'GET /notes/{noteId}': route({
        handle: async ({ params }) => ok((await note.get({ noteId: String(params.noteId) })) ?? {}),
      }),
      'GET /users/{userId}/notes/{noteId}': route({
        handle: async ({ params }) =>
          ok((await note.get({ userId: String(params.userId), noteId: String(params.noteId) })) ?? {}),
      }),
      'GET /tenant-notes/{noteId}': route({
        handle: async ({ params }) => ok((await tenantNote.get({ noteId: String(params.noteId) })) ?? {}),
      }),
    },
  });
}

const get = (routeKey: string, pathParameters: { [name: string]: string }, authorizer?: object) =>
  httpApiEvent(routeKey, { pathParameters, ...(authorizer ? { authorizer } : {}) } as never);

test('GIVEN a verified caller WHEN the handler leaves the bound value out THEN the toolkit fills it and tags the session with it', async () => {
  const fake = sts();
  const answer = parse(
    await handlerWith(fake.client)(get('GET /notes/{noteId}', { noteId: 'n1' }, jwtAuthorizer('alice'))),
  );
  expect(answer.statusCode).toBe(200);
  expect(answer.body).toEqual({ text: 'alice' });
  expect(fake.tags).toEqual([[{ Key: 'userId', Value: 'alice' }]]);
});

test("GIVEN alice WHEN the handler passes bob's id THEN 403 before any session is made", async () => {
  const fake = sts();
  const answer = parse(
    await handlerWith(fake.client)(
      get('GET /users/{userId}/notes/{noteId}', { userId: 'bob', noteId: 'n1' }, jwtAuthorizer('alice')),
    ),
  );
  expect(answer.statusCode).toBe(403);
  expect(answer.body.detail).toBe('`userId` is bound to the caller: the caller may reach only its own, got: "bob"');
  expect(fake.tags).toEqual([]);
});

test('GIVEN no caller (a public route) THEN 401; GIVEN a token without the bound claim THEN 403 naming the claim', async () => {
  const fake = sts();
  const handler = handlerWith(fake.client);
  expect(parse(await handler(get('GET /notes/{noteId}', { noteId: 'n1' }))).statusCode).toBe(401);
  const noClaim = parse(await handler(get('GET /tenant-notes/{noteId}', { noteId: 'n1' }, jwtAuthorizer('alice'))));
  expect(noClaim.statusCode).toBe(403);
  expect(noClaim.body.detail).toBe(
    'the caller\'s credentials carry no claim "tenantId", which this route\'s data is bound to',
  );
  const withClaim = parse(
    await handler(
      get('GET /tenant-notes/{noteId}', { noteId: 'n1' }, jwtAuthorizer('alice', null, { tenantId: 't-1' })),
    ),
  );
  expect(withClaim.statusCode).toBe(200);
  expect(fake.tags).toEqual([[{ Key: 'tenantId', Value: 't-1' }]]);
});

test('GIVEN STS throttles after the SDK retries THEN 503 with Retry-After, as for a busy table; a refusal of the role is a 500', async () => {
  const throttled = Object.assign(new Error('Rate exceeded'), {
    name: 'Throttling',
    $metadata: { httpStatusCode: 400 },
  });
  const busy = parse(
    await handlerWith(sts(throttled).client)(get('GET /notes/{noteId}', { noteId: 'n1' }, jwtAuthorizer('alice'))),
  );
  expect(busy.statusCode).toBe(503);
  expect(busy.headers['retry-after']).toBe('1');
  const denied = Object.assign(new Error('not authorized to perform: sts:AssumeRole'), {
    name: 'AccessDenied',
    $metadata: { httpStatusCode: 403 },
  });
  const refused = parse(
    await handlerWith(sts(denied).client)(get('GET /notes/{noteId}', { noteId: 'n1' }, jwtAuthorizer('alice'))),
  );
  expect(refused.statusCode).toBe(500);
});

test('GIVEN a caller-bound pattern used outside apiHandler THEN the error says where it can be used', async () => {
  const table = new Table({ ...rt.table.config, callerRoleArn: ROLE }, rt.table.client, rt.table.clock);
  await expect(table.item('note').get({ noteId: 'n1' })).rejects.toThrow(
    'the key shape "USER#{userId}" is bound to the caller: use it inside a route of apiHandler, which knows the caller',
  );
});

test('GIVEN a function without a caller role THEN taking a caller-bound pattern fails at cold start, naming it', () => {
  expect(() => rt.table.item('note')).toThrow(
    'access pattern "note" is bound to the caller, but the function has no caller role: ServerlessApi sets TABLE_CALLER_ROLE_ARN on functions with caller-bound patterns',
  );
});
