/**
 * Bad input never yields a 5xx and never writes. Every route of the example's three functions gets malformed,
 * mistyped, oversized, mislabelled and forged requests over HTTP, through the local API's gateway: each is a
 * specific 4xx with a problem document whose `detail` says why, and the table is unchanged, item by item and
 * attribute by attribute. The table's record of the functions' calls shows what a scan cannot: no write was applied
 * (not even one undone within the same request), and a refusal of the input or the caller (400, 401, 413, 415) made
 * no table call at all. Rate-limit counters (`RATE#...`) are left out of both: the tasks function counts every
 * request against its caller before it reads the request, by design.
 *
 * Requests API Gateway never passes to a function (an empty path segment, a header no HTTP client can send, a
 * caller without authorizer context) and the 10,000 generated requests are in bad-input-fuzz.test.ts, in process.
 */
import {
  base64url,
  BODY_INVALID,
  CALLER,
  CONTENT_TYPE,
  editCursor,
  EMPTY,
  expectRefusal,
  GARBAGE_BYTES,
  IDEMPOTENCY_KEY,
  KEY_REUSED,
  MAX_BODY_BYTES,
  newTask,
  NO_BODY,
  NOT_A_CURSOR,
  NOT_JSON,
  OTHER_LIST,
  OTHER_USER,
  paddedTask,
  PATH_INVALID,
  QUERY_INVALID,
  SEED_USER,
  sign,
  SIGNATURE,
  TOO_LARGE,
  withoutCounters,
  withoutField,
  type Item,
  type Refusal,
} from './bad-requests';
import { BASE64_JSON, request, startExample, type RequestOptions } from './example-api';
import type { LocalApi, LocalTableCall } from '../../src/testing';
import { appliedWrites, keyValue } from '../helpers/local-dynamodb';

let api: LocalApi;
/** A token the JWT authorizer accepts that names no caller (no `sub`, nor a claim a principal falls back to). */
let subjectless: string;

/** What the seeding left in the table, and the real cursors and ids the cases forge from. */
interface Seed {
  /** `nextCursor` of the first page (limit 1) of project alpha's and beta's tasks. */
  readonly alphaCursor: string;
  readonly betaCursor: string;
  /** `nextCursor` of the first page (limit 1) of SEED_USER's sessions. */
  readonly sessionCursor: string;
  readonly sessionId: string;
  readonly otherUsersSessionId: string;
  /** The table without rate-limit counters, after seeding. */
  readonly items: Item[];
}
let seed: Seed;

beforeAll(async () => {
  api = await startExample();
  subjectless = await api.token({ sub: 'none', claims: { sub: undefined, 'cognito:username': undefined } });
  seed = await seedTable();
}, 60_000); // synthesizes and bundles the example stack: slow on a busy machine

afterAll(async () => {
  await api?.stop();
});

/** A request of a case: built when the case runs, so it can use the seed. */
interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly options: RequestOptions;
}

interface BadCase extends Refusal {
  readonly name: string;
  readonly request: () => HttpRequest;
}

let requests = 0;
/**
 * The tasks callers take turns: each stays far under the function's rate limit (300 requests a minute), and the
 * table holds few counters, so the scans around each case stay quick.
 */
function taskCaller(): string {
  return `caller-${++requests % 5}`;
}

async function itemsExceptCounters(): Promise<Item[]> {
  return withoutCounters(await api.table.items());
}

/** Refusals of the request itself (its input or its caller), as opposed to refusals for the table's state. */
const INPUT_REFUSALS: ReadonlySet<number> = new Set([400, 401, 413, 415]);

/** A function's table calls, without the tasks function's count of its caller (`RATE#...`). */
function besidesCounting(calls: readonly LocalTableCall[]): LocalTableCall[] {
  return calls.filter((call) => {
    const key = call.input.Key as { readonly PK?: unknown } | undefined;
    return !(call.operation === 'UpdateItem' && keyValue(key?.PK)?.startsWith('RATE#'));
  });
}

/**
 * Sends a bad request and checks, from the calls the functions made meanwhile, that it wrote nothing (a write
 * undone within the same request, which a scan cannot see, included), and that a refusal of the input or caller
 * made no table call at all besides the rate-limit count.
 */
async function sendRefused(req: HttpRequest, refusal: Refusal): Promise<void> {
  const { result, calls } = await api.table.record(() => send(req));

  expectRefusal(result, refusal);
  const made = besidesCounting(calls);
  expect(appliedWrites(made)).toEqual([]);
  if (INPUT_REFUSALS.has(refusal.status)) expect(made).toEqual([]);
}

const at = (value: string) => encodeURIComponent(value);
const tasksPath = (projectId = 'alpha') => `/projects/${at(projectId)}/tasks`;

const createWith =
  (options: RequestOptions = {}, projectId?: string) =>
  (): HttpRequest => ({ method: 'POST', path: tasksPath(projectId), options: { sub: taskCaller(), ...options } });
const listWith =
  (options: RequestOptions = {}, projectId?: string) =>
  (): HttpRequest => ({ method: 'GET', path: tasksPath(projectId), options: { sub: taskCaller(), ...options } });
const completeWith =
  (options: RequestOptions = {}, projectId = 'alpha', taskId = 'a1') =>
  (): HttpRequest => ({
    method: 'POST',
    path: `${tasksPath(projectId)}/${at(taskId)}/complete`,
    options: { sub: taskCaller(), ...options },
  });
const sessionsWith =
  (method: string, path: string, options: RequestOptions = {}) =>
  (): HttpRequest => ({ method, path, options: { sub: SEED_USER, ...options } });
/** A caller the JWT authorizer lets in whose token names nobody. */
const nobody = (): RequestOptions => ({ token: subjectless });

/** A webhook delivery signed over exactly the body bytes, unless `signature` says otherwise (null: unsigned). */
function delivery(
  body: string | Buffer,
  spec: { readonly signature?: string | null; readonly contentType?: string; readonly provider?: string } = {},
): HttpRequest {
  const signature = spec.signature === undefined ? sign(body) : spec.signature;
  return {
    method: 'POST',
    path: `/webhooks/${at(spec.provider ?? 'acme')}`,
    options: {
      body,
      contentType: spec.contentType ?? 'application/json',
      headers: signature === null ? {} : { 'x-webhook-signature': signature },
    },
  };
}

async function send(req: HttpRequest) {
  return request(api, req.method, req.path, req.options);
}

/** Sets up what the cases refer to: tasks in two projects, sessions of two users, a webhook delivery. */
async function seedTable(): Promise<Seed> {
  const expectStatus = async (req: HttpRequest, status: number) => {
    const result = await send(req);
    if (result.status !== status) {
      throw new Error(`seeding: expected ${status}, got ${result.status} ${JSON.stringify(result.body)}`);
    }
    return result;
  };
  for (const [projectId, taskIds] of [
    ['alpha', ['a1', 'a2', 'a3', 'done']],
    ['beta', ['b1', 'b2', 'b3']],
  ] as const) {
    for (const taskId of taskIds) {
      await expectStatus(createWith({ body: JSON.stringify({ taskId, title: `Task ${taskId}` }) }, projectId)(), 201);
    }
  }
  await expectStatus(completeWith({}, 'alpha', 'done')(), 200);
  await expectStatus(
    createWith({
      body: JSON.stringify({ taskId: 'keyed', title: 'Keyed' }),
      headers: { 'idempotency-key': 'seed-key' },
      sub: SEED_USER,
    })(),
    201,
  );
  const firstPage = async (projectId: string) =>
    (await expectStatus(listWith({ query: { limit: '1' } }, projectId)(), 200)).body.nextCursor as string;
  const sessions: string[] = [];
  for (let i = 0; i < 2; i++) {
    sessions.push((await expectStatus(sessionsWith('POST', '/sessions')(), 201)).body.sessionId);
  }
  const other = (await expectStatus(sessionsWith('POST', '/sessions', { sub: OTHER_USER })(), 201)).body.sessionId;
  const sessionPage = await expectStatus(sessionsWith('GET', '/sessions', { query: { limit: '1' } })(), 200);
  await expectStatus(delivery(JSON.stringify({ id: 'evt-seed', type: 'task.created' })), 202);
  // The completed task's notification, recorded by the queue's worker, is part of the seed.
  await api.settled();
  return {
    alphaCursor: await firstPage('alpha'),
    betaCursor: await firstPage('beta'),
    sessionCursor: sessionPage.body.nextCursor,
    sessionId: sessions[0],
    otherUsersSessionId: other,
    items: await itemsExceptCounters(),
  };
}

const task = (name: string, refusal: Refusal, req: () => HttpRequest): BadCase => ({ name, ...refusal, request: req });
const badBody = (field: string): Refusal => ({ status: 400, detail: BODY_INVALID, field });
const unknownKey: Refusal = { status: 400, detail: /Unrecognized key/, field: 'body' };
const notJson: Refusal = { status: 400, detail: NOT_JSON };
const empty: Refusal = { status: 400, detail: EMPTY };
const tooLarge: Refusal = { status: 413, detail: TOO_LARGE };
const unsupported: Refusal = { status: 415, detail: CONTENT_TYPE };
const noBody: Refusal = { status: 400, detail: NO_BODY };
const badPath = (field: string): Refusal => ({ status: 400, detail: PATH_INVALID, field });
const badKey: Refusal = { status: 400, detail: IDEMPOTENCY_KEY, field: 'idempotency-key' };
const notACursor: Refusal = { status: 400, detail: NOT_A_CURSOR, field: 'cursor' };
const otherList: Refusal = { status: 400, detail: OTHER_LIST, field: 'cursor' };
const noCaller: Refusal = { status: 401, detail: CALLER };
const unsigned: Refusal = { status: 401, detail: SIGNATURE };
const listFrom =
  (cursor: () => string, projectId = 'alpha') =>
  () =>
    listWith({ query: { cursor: cursor() } }, projectId)();

const TASK_CASES: BadCase[] = [
  // POST /projects/{projectId}/tasks: the body
  task('malformed JSON', notJson, createWith({ body: '{"taskId": "x",' })),
  task('single quotes', notJson, createWith({ body: "{'taskId': 'x'}" })),
  task('trailing garbage', notJson, createWith({ body: `${newTask()}}` })),
  task('no body', empty, createWith({ contentType: 'application/json' })),
  task('empty body', empty, createWith({ body: '' })),
  task('whitespace body', empty, createWith({ body: ' \n\t ' })),
  task('array body', badBody('body'), createWith({ body: `[${newTask()}]` })),
  task('string body', badBody('body'), createWith({ body: '"a task"' })),
  task('number body', badBody('body'), createWith({ body: '42' })),
  task('null body', badBody('body'), createWith({ body: 'null' })),
  task('boolean body', badBody('body'), createWith({ body: 'true' })),
  task('empty object', badBody('body.taskId'), createWith({ body: '{}' })),
  task('missing taskId', badBody('body.taskId'), createWith({ body: withoutField('taskId') })),
  task('missing title', badBody('body.title'), createWith({ body: withoutField('title') })),
  task('extra field: status', unknownKey, createWith({ body: newTask({ status: 'DONE' }) })),
  task('extra field: version', unknownKey, createWith({ body: newTask({ version: 7 }) })),
  task('extra field: PK', unknownKey, createWith({ body: newTask({ PK: 'PROJECT#beta' }) })),
  task('extra field: _writeId', unknownKey, createWith({ body: newTask({ _writeId: 'w' }) })),
  task(
    'extra field: __proto__',
    unknownKey,
    createWith({ body: '{"taskId":"new-task","title":"x","__proto__":{"status":"DONE"}}' }),
  ),
  task('taskId a number', badBody('body.taskId'), createWith({ body: newTask({ taskId: 5 }) })),
  task('taskId an object', badBody('body.taskId'), createWith({ body: newTask({ taskId: { S: 'x' } }) })),
  task('taskId null', badBody('body.taskId'), createWith({ body: newTask({ taskId: null }) })),
  task('title a number', badBody('body.title'), createWith({ body: newTask({ title: 5 }) })),
  task('title an array', badBody('body.title'), createWith({ body: newTask({ title: ['x'] }) })),
  task('title a boolean', badBody('body.title'), createWith({ body: newTask({ title: false }) })),
  task('title of 201 characters', badBody('body.title'), createWith({ body: newTask({ title: 'x'.repeat(201) }) })),
  task(
    'title of 10,000 characters',
    badBody('body.title'),
    createWith({ body: newTask({ title: 'é'.repeat(10_000) }) }),
  ),
  task('empty title', badBody('body.title'), createWith({ body: newTask({ title: '' }) })),
  task('blank title', badBody('body.title'), createWith({ body: newTask({ title: ' \t\n ' }) })),
  task('taskId of 65 characters', badBody('body.taskId'), createWith({ body: newTask({ taskId: 'x'.repeat(65) }) })),
  task('empty taskId', badBody('body.taskId'), createWith({ body: newTask({ taskId: '' }) })),
  task('taskId with "#"', badBody('body.taskId'), createWith({ body: newTask({ taskId: 'a#b' }) })),
  task(
    'taskId with a control character',
    badBody('body.taskId'),
    createWith({ body: newTask({ taskId: 'a\u0000b' }) }),
  ),
  task('taskId with "/"', badBody('body.taskId'), createWith({ body: newTask({ taskId: '../b1' }) })),
  task('taskId with a space', badBody('body.taskId'), createWith({ body: newTask({ taskId: 'a b' }) })),
  task('body one byte over 64 KiB', tooLarge, createWith({ body: paddedTask(MAX_BODY_BYTES + 1) })),
  task('body of 1 MiB', tooLarge, createWith({ body: paddedTask(1024 * 1024) })),
  // A JSON media type API Gateway does not treat as text reaches the function base64-encoded.
  task(
    'base64 body over 64 KiB once decoded',
    tooLarge,
    createWith({ body: paddedTask(MAX_BODY_BYTES + 1), contentType: BASE64_JSON }),
  ),
  // Exactly at the limit, the size is fine and the body is judged on its content (the extra member).
  task('body of exactly 64 KiB', unknownKey, createWith({ body: paddedTask(MAX_BODY_BYTES) })),
  task('text/plain', unsupported, createWith({ body: newTask(), contentType: 'text/plain' })),
  task(
    'form-urlencoded',
    unsupported,
    createWith({ body: 'taskId=new-task&title=x', contentType: 'application/x-www-form-urlencoded' }),
  ),
  task('multipart', unsupported, createWith({ body: newTask(), contentType: 'multipart/form-data; boundary=x' })),
  task('application/jsonp', unsupported, createWith({ body: newTask(), contentType: 'application/jsonp' })),
  task('application/xml', unsupported, createWith({ body: '<task/>', contentType: 'application/xml' })),
  task('two content-types', unsupported, createWith({ body: newTask(), headers: [['Content-Type', 'text/plain']] })),
  task('base64 body of garbage bytes', notJson, createWith({ body: GARBAGE_BYTES, contentType: BASE64_JSON })),
  task(
    'base64 body of an invalid task',
    badBody('body.taskId'),
    createWith({ body: newTask({ taskId: 5 }), contentType: BASE64_JSON }),
  ),
  task('UTF-16 body', notJson, createWith({ body: Buffer.from(newTask(), 'utf16le'), contentType: BASE64_JSON })),
  // POST /projects/{projectId}/tasks: the path and the Idempotency-Key
  task('projectId with "#"', badPath('path.projectId'), createWith({ body: newTask() }, 'alpha#TASK#a1')),
  task('projectId with a control character', badPath('path.projectId'), createWith({ body: newTask() }, 'al\u0001pha')),
  task('projectId of 65 characters', badPath('path.projectId'), createWith({ body: newTask() }, 'p'.repeat(65))),
  task(
    'Idempotency-Key of 256 characters',
    badKey,
    createWith({ body: newTask(), headers: { 'idempotency-key': 'k'.repeat(256) } }),
  ),
  task(
    'Idempotency-Key with a space',
    badKey,
    createWith({ body: newTask(), headers: { 'idempotency-key': 'my key' } }),
  ),
  task('Idempotency-Key not ASCII', badKey, createWith({ body: newTask(), headers: { 'idempotency-key': 'clé' } })),
  task(
    'Idempotency-Key reused for another body',
    { status: 422, detail: KEY_REUSED },
    createWith({
      body: JSON.stringify({ taskId: 'keyed', title: 'Other' }),
      headers: { 'idempotency-key': 'seed-key' },
      sub: SEED_USER,
    }),
  ),
  task(
    'Idempotency-Key reused on another project',
    { status: 422, detail: KEY_REUSED },
    createWith(
      {
        body: JSON.stringify({ taskId: 'keyed', title: 'Keyed' }),
        headers: { 'idempotency-key': 'seed-key' },
        sub: SEED_USER,
      },
      'beta',
    ),
  ),
  // GET /projects/{projectId}/tasks
  ...['0', '-1', '101', '1.5', 'abc', '', ' ', 'Infinity', 'NaN', '1e400', '10 items'].map((limit) =>
    task(
      `limit ${JSON.stringify(limit)}`,
      { status: 400, detail: QUERY_INVALID, field: 'query.limit' },
      listWith({ query: { limit } }),
    ),
  ),
  task('empty cursor', notACursor, listWith({ query: { cursor: '' } })),
  task('cursor of plain text', notACursor, listWith({ query: { cursor: 'page-2' } })),
  task(
    'cursor with base64 (not base64url) characters',
    notACursor,
    listFrom(() => `${seed.alphaCursor}+/=`),
  ),
  task(
    'truncated cursor',
    notACursor,
    listFrom(() => seed.alphaCursor.slice(0, 40)),
  ),
  task(
    'cursor over 2,048 characters',
    notACursor,
    listFrom(() => seed.alphaCursor.repeat(40)),
  ),
  task('forged cursor: JSON null', notACursor, listWith({ query: { cursor: base64url(null) } })),
  task('forged cursor: an array', notACursor, listWith({ query: { cursor: base64url([1, 'b', {}]) } })),
  task(
    'forged cursor: a bare start key',
    notACursor,
    listWith({ query: { cursor: base64url({ PK: 'PROJECT#alpha', SK: 'TASK#a1' }) } }),
  ),
  task(
    'forged cursor: made-up binding',
    otherList,
    listWith({
      query: { cursor: base64url({ v: 1, b: 'AAAAAAAAAAAAAAAA', k: { PK: 'PROJECT#alpha', SK: 'TASK#a1' } }) },
    }),
  ),
  task(
    "project alpha's cursor on project beta",
    otherList,
    listFrom(() => seed.alphaCursor, 'beta'),
  ),
  task(
    "a session list's cursor on a task list",
    otherList,
    listFrom(() => seed.sessionCursor),
  ),
  task(
    "alpha's cursor edited to start in beta's partition",
    notACursor,
    listFrom(() => editCursor(seed.alphaCursor, (c) => (c.k.PK = 'PROJECT#beta'))),
  ),
  task(
    "alpha's cursor edited to start at another user's sessions",
    notACursor,
    listFrom(() => editCursor(seed.alphaCursor, (c) => (c.k = { PK: `USER#${OTHER_USER}`, SK: 'SESSION#' }))),
  ),
  task(
    "alpha's cursor edited to a sort key outside the list",
    notACursor,
    listFrom(() => editCursor(seed.alphaCursor, (c) => (c.k.SK = 'META'))),
  ),
  task(
    "alpha's cursor edited to a numeric sort key",
    notACursor,
    listFrom(() => editCursor(seed.alphaCursor, (c) => (c.k.SK = 5))),
  ),
  task(
    "alpha's cursor edited without its sort key",
    notACursor,
    listFrom(() => editCursor(seed.alphaCursor, (c) => delete c.k.SK)),
  ),
  task(
    "alpha's cursor edited with an extra attribute",
    notACursor,
    listFrom(() => editCursor(seed.alphaCursor, (c) => (c.k.title = 'x'))),
  ),
  task(
    "alpha's cursor edited with a nested value",
    notACursor,
    listFrom(() => editCursor(seed.alphaCursor, (c) => (c.k.SK = { S: 'TASK#a1' }))),
  ),
  task(
    "alpha's cursor edited to version 2",
    notACursor,
    listFrom(() => editCursor(seed.alphaCursor, (c) => (c.v = 2))),
  ),
  task('a list with a body', noBody, listWith({ body: '{}' })),
  task('a list of a projectId with "#"', badPath('path.projectId'), listWith({}, 'a#b')),
  // POST /projects/{projectId}/tasks/{taskId}/complete
  // Not "*" nor a list of entity tags (RFC 9110, section 13.1.1): a bare version is not an entity tag either.
  ...['abc', '**', '1.0', '-1', '1', '1234567890', '', '"1" "2"', 'W/', '0x1', '1"x'].map((ifMatch) =>
    task(
      `If-Match ${JSON.stringify(ifMatch)}`,
      { status: 400, detail: /`if-match` must be "\*" or a list of at most 100 entity tags/ },
      completeWith({ headers: { 'if-match': ifMatch } }),
    ),
  ),
  task(
    'If-Match of a stale version',
    { status: 412, detail: /is at version 1, not 7/ },
    completeWith({ headers: { 'if-match': '"7"' } }),
  ),
  // Well-formed tags that no version matches: a weak one (If-Match compares strongly) and ones no version has.
  ...['"0"', 'W/"1"', '"v1"'].map((ifMatch) =>
    task(
      `If-Match ${ifMatch}, which no version matches`,
      { status: 412, detail: /is at version 1, not any version given/ },
      completeWith({ headers: { 'if-match': ifMatch } }),
    ),
  ),
  task(
    'complete a task that does not exist',
    { status: 404, detail: /does not exist/ },
    completeWith({}, 'alpha', 'missing'),
  ),
  task(
    "complete a task in another project's id space",
    { status: 404, detail: /does not exist/ },
    completeWith({}, 'beta', 'a1'),
  ),
  task(
    'complete a task that is done',
    { status: 409, detail: /not in the expected state/ },
    completeWith({}, 'alpha', 'done'),
  ),
  task('complete with a body', noBody, completeWith({ body: '{"status":"DONE"}' })),
  task('complete with a base64 body', noBody, completeWith({ body: GARBAGE_BYTES, contentType: BASE64_JSON })),
  task('taskId with "#"', badPath('path.taskId'), completeWith({}, 'alpha', 'a1#x')),
  task('taskId with a newline', badPath('path.taskId'), completeWith({}, 'alpha', 'a1\n')),
  task('taskId of 65 characters', badPath('path.taskId'), completeWith({}, 'alpha', 't'.repeat(65))),
];

const SESSION_CASES: BadCase[] = [
  task('create with a body', noBody, sessionsWith('POST', '/sessions', { body: '{"userId":"other-user"}' })),
  task(
    'create with a base64 body',
    noBody,
    sessionsWith('POST', '/sessions', { body: GARBAGE_BYTES, contentType: BASE64_JSON }),
  ),
  task('create with a token that names no caller', noCaller, () => sessionsWith('POST', '/sessions', nobody())()),
  // The id comes from the verified token, not from the request: a value no session tag can hold is refused as
  // credentials that cannot be bound to a partition (403), and never reaches a key.
  task(
    'create for a caller whose id holds "#"',
    { status: 403, detail: /the caller's id cannot be a session tag value/ },
    sessionsWith('POST', '/sessions', { sub: `${SEED_USER}#SESSION#x` }),
  ),
  task(
    'create for a caller id of 300 characters',
    {
      status: 403,
      detail: /the caller's id cannot be a session tag value \(1 to 256 letters, digits, spaces and _.:\/=\+-@\)/,
    },
    sessionsWith('POST', '/sessions', { sub: 'u'.repeat(300) }),
  ),
  ...['0', '-1', '101', '1.5', 'abc', ''].map((limit) =>
    task(
      `list with limit ${JSON.stringify(limit)}`,
      { status: 400, detail: QUERY_INVALID, field: 'query.limit' },
      sessionsWith('GET', '/sessions', { query: { limit } }),
    ),
  ),
  task('list with a token that names no caller', noCaller, () => sessionsWith('GET', '/sessions', nobody())()),
  task('list with a body', noBody, sessionsWith('GET', '/sessions', { body: '[]' })),
  task('list with an empty cursor', notACursor, sessionsWith('GET', '/sessions', { query: { cursor: '' } })),
  task("list with another user's cursor", otherList, () =>
    sessionsWith('GET', '/sessions', { sub: OTHER_USER, query: { cursor: seed.sessionCursor } })(),
  ),
  task("list with a task list's cursor", otherList, () =>
    sessionsWith('GET', '/sessions', { query: { cursor: seed.alphaCursor } })(),
  ),
  task('list with a truncated cursor', notACursor, () =>
    sessionsWith('GET', '/sessions', { query: { cursor: seed.sessionCursor.slice(0, -7) } })(),
  ),
  task("list with a cursor edited into another user's partition", notACursor, () =>
    sessionsWith('GET', '/sessions', {
      query: { cursor: editCursor(seed.sessionCursor, (c) => (c.k.PK = `USER#${OTHER_USER}`)) },
    })(),
  ),
  task('list with a cursor edited to a task key', notACursor, () =>
    sessionsWith('GET', '/sessions', {
      query: { cursor: editCursor(seed.sessionCursor, (c) => (c.k.SK = 'TASK#a1')) },
    })(),
  ),
  ...(['GET', 'DELETE'] as const).flatMap((method): BadCase[] => {
    const verb = method === 'GET' ? 'get' : 'delete';
    const withId =
      (sessionId: () => string, options: RequestOptions = {}) =>
      () =>
        sessionsWith(method, `/sessions/${at(sessionId())}`, options)();
    return [
      ...[
        'not-a-uuid',
        `${'0'.repeat(8)}#`,
        'a\u0000b',
        'f'.repeat(300),
        '00000000-0000-0000-0000-00000000000g',
        `{"$ne":null}`,
      ].map((sessionId) =>
        task(
          `${verb} with sessionId ${JSON.stringify(sessionId.slice(0, 40))}`,
          badPath('path.sessionId'),
          withId(() => sessionId),
        ),
      ),
      task(
        `${verb} of a session that does not exist`,
        { status: 404, detail: /not found|does not exist/ },
        withId(() => '0f0e0d0c-0b0a-4909-8807-060504030201'),
      ),
      task(
        `${verb} of another user's session`,
        { status: 404, detail: /not found|does not exist/ },
        withId(() => seed.otherUsersSessionId),
      ),
      task(`${verb} with a token that names no caller`, noCaller, () => withId(() => seed.sessionId, nobody())()),
      task(
        `${verb} with a body`,
        noBody,
        withId(() => seed.sessionId, { body: '{}' }),
      ),
    ];
  }),
];

const EVENT = '{"id":"evt-1","type":"t"}';

const WEBHOOK_CASES: BadCase[] = [
  task('no signature', unsigned, () => delivery(EVENT, { signature: null })),
  task('a signature of another body', unsigned, () => delivery(EVENT, { signature: sign('{}') })),
  task('a signature with another secret', unsigned, () => delivery(EVENT, { signature: sign(EVENT, 'guess') })),
  task('a truncated signature', unsigned, () => delivery(EVENT, { signature: sign(EVENT).slice(0, 63) })),
  task('a signature that is not hex', unsigned, () => delivery(EVENT, { signature: 'z'.repeat(64) })),
  task('a signature in base64', unsigned, () =>
    delivery(EVENT, { signature: Buffer.from(sign(EVENT), 'hex').toString('base64') }),
  ),
  task('a sha256= prefixed signature', unsigned, () => delivery(EVENT, { signature: `sha256=${sign(EVENT)}` })),
  task('a signature of the base64 text, not of the bytes', unsigned, () =>
    delivery(EVENT, { contentType: BASE64_JSON, signature: sign(Buffer.from(EVENT).toString('base64')) }),
  ),
  task('unsigned garbage', unsigned, () => delivery(GARBAGE_BYTES, { contentType: BASE64_JSON, signature: null })),
  task('signed malformed JSON', notJson, () => delivery('{"id": "evt-1", "type": ')),
  task('signed empty body', empty, () => delivery('')),
  task('signed array', badBody('body'), () => delivery(`[${EVENT}]`)),
  task('signed null', badBody('body'), () => delivery('null')),
  task('signed string', badBody('body'), () => delivery('"evt-1"')),
  task('signed number', badBody('body'), () => delivery('1')),
  task('signed garbage bytes', notJson, () => delivery(GARBAGE_BYTES, { contentType: BASE64_JSON })),
  task('missing id', badBody('body.id'), () => delivery('{"type":"t"}')),
  task('missing type', badBody('body.type'), () => delivery('{"id":"evt-1"}')),
  task('id a number', badBody('body.id'), () => delivery('{"id":1,"type":"t"}')),
  task('id an object', badBody('body.id'), () => delivery('{"id":{"S":"x"},"type":"t"}')),
  task('empty id', badBody('body.id'), () => delivery('{"id":"","type":"t"}')),
  task('id of 257 characters', badBody('body.id'), () => delivery(JSON.stringify({ id: 'e'.repeat(257), type: 't' }))),
  task('id with "#"', badBody('body.id'), () => delivery(JSON.stringify({ id: 'evt#1', type: 't' }))),
  task('id with a control character', badBody('body.id'), () =>
    delivery(JSON.stringify({ id: 'evt\u00001', type: 't' })),
  ),
  task('type null', badBody('body.type'), () => delivery('{"id":"evt-1","type":null}')),
  task('empty type', badBody('body.type'), () => delivery('{"id":"evt-1","type":""}')),
  task('type of 129 characters', badBody('body.type'), () =>
    delivery(JSON.stringify({ id: 'evt-1', type: 't'.repeat(129) })),
  ),
  task('signed, text/plain', unsupported, () => delivery(EVENT, { contentType: 'text/plain' })),
  task('signed, form-urlencoded', unsupported, () =>
    delivery('id=evt-1&type=t', { contentType: 'application/x-www-form-urlencoded' }),
  ),
  task('signed, over 64 KiB', tooLarge, () =>
    delivery(JSON.stringify({ id: 'evt-big', type: 't', data: 'x'.repeat(MAX_BODY_BYTES) })),
  ),
  ...['ACME', 'a#b', 'a\u0000', 'p'.repeat(33), 'ácme'].map((provider) =>
    task(`provider ${JSON.stringify(provider.slice(0, 40))}`, badPath('path.provider'), () =>
      delivery(EVENT, { provider }),
    ),
  ),
  task('an event id already delivered with another body', { status: 422, detail: KEY_REUSED }, () =>
    delivery(JSON.stringify({ id: 'evt-seed', type: 'task.deleted' })),
  ),
];

describe.each([
  ['tasks', TASK_CASES],
  ['sessions', SESSION_CASES],
  ['webhooks', WEBHOOK_CASES],
])('%s: each bad request is a specific 4xx with a reason, and writes nothing', (_, cases) => {
  test.each(cases)('$name -> $status', async (badCase) => {
    // What an earlier case set off in the workers (a done task's notification, sent again) is done first.
    await api.settled();
    const req = badCase.request();
    const before = await itemsExceptCounters();

    await sendRefused(req, badCase);

    expect(await itemsExceptCounters()).toEqual(before);
  });
});

test('the bad requests left every item as seeded', async () => {
  expect(await itemsExceptCounters()).toEqual(seed.items);
});

describe('the cases are not refused for another reason: the same requests, made valid, succeed', () => {
  test.each([
    ['a task create', createWith({ body: newTask({ taskId: 'valid-1' }) }), 201],
    ['a base64 task create', createWith({ body: newTask({ taskId: 'valid-2' }), contentType: BASE64_JSON }), 201],
    [
      'a task create without content-type',
      createWith({ body: newTask({ taskId: 'valid-3' }), contentType: null }),
      201,
    ],
    [
      'a task create as application/json; charset=utf-8',
      createWith({ body: newTask({ taskId: 'valid-4' }), contentType: 'application/json; charset=utf-8' }),
      201,
    ],
    [
      'a task create with a 255-character Idempotency-Key',
      createWith({ body: newTask({ taskId: 'valid-5' }), headers: { 'idempotency-key': '~'.repeat(255) } }),
      201,
    ],
    [
      'a task create of a 64-character id and a 200-character title',
      createWith({ body: newTask({ taskId: 't'.repeat(64), title: 'x'.repeat(200) }) }, 'p'.repeat(64)),
      201,
    ],
    [
      'a task list with limit 100 and a real cursor',
      () => listWith({ query: { limit: '100', cursor: seed.alphaCursor } })(),
      200,
    ],
    [
      'a complete with If-Match W/"1", "1"',
      completeWith({ headers: { 'if-match': 'W/"1", "1"' } }, 'alpha', 'a2'),
      200,
    ],
    [
      'a session list with a real cursor',
      () => sessionsWith('GET', '/sessions', { query: { limit: '1', cursor: seed.sessionCursor } })(),
      200,
    ],
    ['a session read', () => sessionsWith('GET', `/sessions/${seed.sessionId}`)(), 200],
    [
      'a webhook delivery of a 256-character id',
      () => delivery(JSON.stringify({ id: 'e'.repeat(256), type: 't'.repeat(128) })),
      202,
    ],
    [
      'a webhook delivery with extra members',
      () => delivery(JSON.stringify({ id: 'evt-extra', type: 't', data: { any: ['thing'] } })),
      202,
    ],
    [
      'a base64 webhook delivery signed over its bytes',
      () => delivery('{"id":"evt-b64","type":"t"}', { contentType: BASE64_JSON }),
      202,
    ],
  ] as const)('%s', async (_, req, status) => {
    const result = await send(req());
    expect(result.status).toBe(status);
  });
});

describe('cursors whose start key is over DynamoDB key limits', () => {
  // DynamoDB refuses a Query whose start key is over its key limits (ValidationException): the toolkit refuses
  // such a cursor first, as the client's error.
  test.each([
    ['tasks', listFrom(() => editCursor(seed.alphaCursor, (c) => (c.k.SK = `TASK#${'x'.repeat(1100)}`)))],
    [
      'sessions',
      () =>
        sessionsWith('GET', '/sessions', {
          query: { cursor: editCursor(seed.sessionCursor, (c) => (c.k.SK = `SESSION#${'x'.repeat(1100)}`)) },
        })(),
    ],
  ] as const)('%s: a cursor whose start key is over 1,024 bytes is a 400, not a 500', async (_, req) => {
    const before = await itemsExceptCounters();

    await sendRefused(req(), { status: 400 });

    expect(await itemsExceptCounters()).toEqual(before);
  });
});
