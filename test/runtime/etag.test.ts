/**
 * Versions as entity tags: the `ETag` a response carries for an item (RFC 9110, section 8.8.3,
 * https://www.rfc-editor.org/rfc/rfc9110#name-etag) and the versions a request's `If-Match` names (section 13.1.1,
 * https://www.rfc-editor.org/rfc/rfc9110#name-if-match).
 */
import { httpApiEvent, parse, quietLogger, startRuntimeTable, type RuntimeTable } from './util';
import { apiHandler, route } from '../../src/runtime/handler';
import { ifMatchVersion, MAX_IF_MATCH_TAGS } from '../../src/runtime/if-match';
import { HttpError } from '../../src/runtime/problem';
import { entityTag, entityTagOf, viewOf, withVersionOf } from '../../src/runtime/representation';
import { readApiEvent } from '../../src/runtime/request';
import { created, json, ok, toProxyResult } from '../../src/runtime/response';

const GET = 'GET /projects/{projectId}/tasks/{taskId}';
const LIST = 'GET /projects/{projectId}/tasks';
const COMPLETE = 'POST /projects/{projectId}/tasks/{taskId}/complete';

/** `ifMatchVersion()` of a request carrying `If-Match: value`. */
function versionsOf(value: string | undefined) {
  return ifMatchVersion(
    readApiEvent(httpApiEvent(COMPLETE, value === undefined ? {} : { headers: { 'if-match': value } })),
  );
}

function refusalOf(value: string): HttpError {
  try {
    versionsOf(value);
  } catch (error) {
    return error as HttpError;
  }
  throw new Error(`If-Match: ${value} was accepted`);
}

describe('ifMatchVersion', () => {
  it.each([
    ['absent', undefined, undefined],
    ['"*" (any current representation: the item must exist, as update() and delete() require anyway)', '*', undefined],
    ['one strong tag', '"3"', [3]],
    ['a list, in any spacing, with empty elements (RFC 9110, section 5.6.1)', ' "3" ,"4",, "3"', [3, 4]],
    ['the largest safe version', '"999999999999999"', [999999999999999]],
  ])('reads %s', (_, value, expected) => {
    expect(versionsOf(value)).toEqual(expected);
  });

  it.each([
    ['a weak tag: If-Match compares strongly, so it never matches', 'W/"3"'],
    ['a tag that is no version of the toolkit', '"v1"'],
    ['a tag with a leading zero', '"03"'],
    ['zero, which no item is at', '"0"'],
    ['an empty tag', '""'],
  ])('reads %s as matching no version (412 for an existing item)', (_, value) => {
    expect(versionsOf(value)).toEqual([]);
  });

  it('keeps the strong versions of a list that also holds weak and foreign tags', () => {
    expect(versionsOf('W/"1", "2", "abc", "3"')).toEqual([2, 3]);
  });

  it.each(['3', 'abc', '"3', '"3"x', '"a b"', 'W/3', '"3";"4"', '', ' '])(
    'refuses If-Match: %j with 400 naming the header',
    (value) => {
      const error = refusalOf(value);
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(400);
      expect(error.message).toBe(
        `\`if-match\` must be "*" or a list of at most ${MAX_IF_MATCH_TAGS} entity tags such as "3" (RFC 9110), got: ${value}`,
      );
      expect(error.extensions).toEqual({
        errors: [{ field: 'if-match', message: `"*" or at most ${MAX_IF_MATCH_TAGS} entity tags such as "3"` }],
      });
    },
  );

  it(`refuses a list of more than ${MAX_IF_MATCH_TAGS} tags (DynamoDB's IN takes at most 100 values)`, () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `"${i + 1}"`).join(',');
    expect(versionsOf(tags(MAX_IF_MATCH_TAGS))).toHaveLength(MAX_IF_MATCH_TAGS);
    expect(refusalOf(tags(MAX_IF_MATCH_TAGS + 1)).status).toBe(400);
  });

  it('reads another header when named', () => {
    const request = readApiEvent(httpApiEvent(COMPLETE, { headers: { 'x-version': '"7"' } }));
    expect(ifMatchVersion(request, 'X-Version')).toEqual([7]);
  });
});

/** An item at `version`, as the toolkit returns one it read. */
function itemAt(version: number): object {
  const config = { tableName: 't', partitionKey: 'PK', sortKey: 'SK', ttlAttribute: 'expiresAt', accessPatterns: {} };
  return viewOf({ PK: 'PROJECT#p', SK: 'TASK#t', version }, config);
}

describe('ETag', () => {
  it('is a strong, quoted entity tag of the version', () => {
    expect(entityTag(3)).toBe('"3"');
  });

  it('is sent by ok(), created() and json() for a 2xx body carrying a version, never inside the body', () => {
    const item = withVersionOf({ taskId: 't' }, itemAt(4));
    for (const result of [ok(item), created(item, '/t'), json(202, item)]) {
      const rendered = toProxyResult(result);
      expect(rendered.headers.etag).toBe('"4"');
      expect(rendered.body).toBe('{"taskId":"t"}');
    }
  });

  it('is not sent for a body without a version, an error status, or when the route set its own', () => {
    expect(toProxyResult(ok({ taskId: 't' })).headers.etag).toBeUndefined();
    expect(toProxyResult(ok(withVersionOf({ taskId: 't' }, {}))).headers.etag).toBeUndefined();
    expect(toProxyResult(json(409, withVersionOf({}, itemAt(2)))).headers.etag).toBeUndefined();
    expect(toProxyResult(json(200, withVersionOf({}, itemAt(2)), { ETag: '"custom"' })).headers.etag).toBe('"custom"');
  });

  it('is not sent for a list: its items carry theirs, shown through entityTagOf()', () => {
    const items = [withVersionOf({ taskId: 'a' }, itemAt(1)), withVersionOf({ taskId: 'b' }, itemAt(5))];
    expect(toProxyResult(ok({ items })).headers.etag).toBeUndefined();
    expect(items.map(entityTagOf)).toEqual(['"1"', '"5"']);
    expect(entityTagOf({})).toBeUndefined();
  });
});

describe('a route answering with items the toolkit read', () => {
  let rt: RuntimeTable;

  beforeAll(async () => {
    rt = await startRuntimeTable();
    await rt.local.put({
      PK: 'PROJECT#p',
      SK: 'TASK#t',
      title: 'T',
      version: 3,
      _writeId: 'w.000001',
      expiresAt: 4102444800,
    });
    await rt.local.put({ PK: 'PROJECT#p', SK: 'TASK#u', title: 'U', version: 1 });
  });

  afterAll(async () => {
    await rt.close();
  });

  it('shows no keys, write id or version, and sends the version as the ETag; a list sends none', async () => {
    // GIVEN routes answering with the toolkit's items as they are
    const tasks = rt.table.item('getTask');
    const list = rt.table.query('listTasks');
    const handler = apiHandler({
      logger: quietLogger(),
      routes: {
        [GET]: route({
          handle: async ({ params }) => ok(await tasks.get({ projectId: params.projectId!, taskId: params.taskId! })),
        }),
        [LIST]: route({ handle: async ({ params }) => ok(await list.page({ projectId: params.projectId! })) }),
      },
    });

    // WHEN a task and the list are read
    const one = parse(await handler(httpApiEvent(GET, { pathParameters: { projectId: 'p', taskId: 't' } })));
    const all = parse(await handler(httpApiEvent(LIST, { pathParameters: { projectId: 'p' } })));

    // THEN the bodies hold the items' own attributes (the expiry included) and the task's version is its ETag
    expect(one).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', etag: '"3"' },
      body: { title: 'T', expiresAt: 4102444800 },
    });
    expect(all).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: { items: [{ title: 'T', expiresAt: 4102444800 }, { title: 'U' }] },
    });
  });
});
