import { z } from 'zod';
import { errorOf, httpApiEvent, restApiEvent, thrownBy } from './util';
import { HttpError } from '../../src/runtime/problem';
import {
  DEFAULT_MAX_BODY_BYTES,
  parseJsonBody,
  readApiEvent,
  validate,
  type ApiRequest,
} from '../../src/runtime/request';
import type { StandardSchemaV1 } from '../../src/runtime/standard-schema';

/** A request read from an HTTP API event with `body` and `headers`. */
function requestWith(
  body: string | undefined,
  headers?: { [name: string]: string },
  isBase64Encoded = false,
): ApiRequest {
  return readApiEvent(httpApiEvent('POST /things', { body, headers: headers ?? {}, isBase64Encoded }));
}

describe('readApiEvent', () => {
  describe('HTTP API payload 2.0', () => {
    it('reads route key, method, path, request id, source IP, query and path parameters', () => {
      // GIVEN an HTTP API event for a templated route
      const event = httpApiEvent('GET /projects/{projectId}/tasks/{taskId}', {
        pathParameters: { projectId: 'p-1', taskId: 't-9' },
        queryStringParameters: { limit: '5', cursor: 'abc' },
        requestId: 'req-http-1',
        sourceIp: '203.0.113.5',
      });

      // WHEN it is read
      const request = readApiEvent(event);

      // THEN every part is taken from where payload 2.0 puts it
      expect(request.format).toBe('http');
      expect(request.routeKey).toBe('GET /projects/{projectId}/tasks/{taskId}');
      expect(request.method).toBe('GET');
      expect(request.path).toBe('/projects/p-1/tasks/t-9');
      expect(request.requestId).toBe('req-http-1');
      expect(request.sourceIp).toBe('203.0.113.5');
      expect(request.query).toEqual({ limit: '5', cursor: 'abc' });
      expect(request.pathParameters).toEqual({ projectId: 'p-1', taskId: 't-9' });
      expect(request.principal).toEqual({ kind: 'anonymous' });
      expect(request.rawBody).toEqual(Buffer.alloc(0));
      expect(request.event).toBe(event);
    });

    it('reads headers as API Gateway sends them (lower case), cookies included', () => {
      // GIVEN a payload 2.0 event: lower-case names, repeats joined with ",", cookies apart
      const event = httpApiEvent('GET /things', {
        headers: { 'content-type': 'application/json', 'x-trace': 'a,b', origin: 'https://app.example.com' },
      });
      event.cookies = ['session=abc', 'theme=dark'];

      // WHEN it is read
      const request = readApiEvent(event);

      // THEN the headers are as sent, cookies joined into a cookie header
      expect(request.headers).toEqual({
        host: 'api.example.com',
        'user-agent': 'jest',
        'content-type': 'application/json',
        'x-trace': 'a,b',
        origin: 'https://app.example.com',
        cookie: 'session=abc; theme=dark',
      });
    });

    it('decodes a base64 body to its raw bytes', () => {
      // GIVEN a body API Gateway base64-encoded in transit, holding bytes that are not valid UTF-8 text
      const bytes = Buffer.from([0x7b, 0x7d, 0xff, 0x00, 0x10]);
      const event = httpApiEvent('POST /things', { body: bytes.toString('base64'), isBase64Encoded: true });

      // WHEN it is read
      const request = readApiEvent(event);

      // THEN the raw body is the original bytes
      expect(request.rawBody).toEqual(bytes);
    });

    it('keeps a plain body as its UTF-8 bytes', () => {
      // GIVEN a plain text body with a multi-byte character
      const request = readApiEvent(httpApiEvent('POST /things', { body: '{"name":"é"}' }));

      // THEN the raw body is its UTF-8 encoding (é is two bytes)
      expect(request.rawBody).toEqual(Buffer.from('{"name":"é"}', 'utf8'));
      expect(request.rawBody.length).toBe(13);
    });

    it('reads absent query and path parameters as empty', () => {
      const bare = readApiEvent(httpApiEvent('GET /things'));
      expect(bare.query).toEqual({});
      expect(bare.pathParameters).toEqual({});
    });

    it('reads the method from the request context when the route key does not name it (ANY)', () => {
      const event = httpApiEvent('ANY /things');
      event.requestContext.http.method = 'PATCH';
      const request = readApiEvent(event);
      expect(request.method).toBe('PATCH');
      expect(request.routeKey).toBe('ANY /things');
    });
  });

  describe('REST API proxy', () => {
    it('builds the route key from httpMethod and resource, and reads the other parts', () => {
      // GIVEN a REST proxy event
      const event = restApiEvent('PATCH /projects/{projectId}/tasks/{taskId}', {
        pathParameters: { projectId: 'p-2', taskId: 't-3' },
        queryStringParameters: { dryRun: 'true' },
        requestId: 'req-rest-1',
        sourceIp: '198.51.100.99',
        body: { title: 'x' },
      });

      // WHEN it is read
      const request = readApiEvent(event);

      // THEN it is the same request shape as an HTTP API one
      expect(request.format).toBe('rest');
      expect(request.routeKey).toBe('PATCH /projects/{projectId}/tasks/{taskId}');
      expect(request.method).toBe('PATCH');
      expect(request.path).toBe('/projects/p-2/tasks/t-3');
      expect(request.requestId).toBe('req-rest-1');
      expect(request.sourceIp).toBe('198.51.100.99');
      expect(request.query).toEqual({ dryRun: 'true' });
      expect(request.pathParameters).toEqual({ projectId: 'p-2', taskId: 't-3' });
      expect(request.rawBody.toString('utf8')).toBe('{"title":"x"}');
      expect(request.principal).toEqual({ kind: 'anonymous' });
    });

    it('lower-cases REST header names (REST keeps the client spelling)', () => {
      // GIVEN REST headers in the client's spelling
      const request = readApiEvent(
        restApiEvent('GET /things', { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1' } }),
      );

      // THEN they are looked up in lower case
      expect(request.headers).toEqual({
        host: 'abc123.execute-api.us-east-1.amazonaws.com',
        'user-agent': 'jest',
        'content-type': 'application/json',
        'idempotency-key': 'k-1',
      });
    });

    it('joins repeated REST headers with ", " and repeated query parameters with ","', () => {
      // GIVEN a REST event whose multi-value maps hold repeats (the single-value maps keep only the last)
      const event = restApiEvent('GET /things', {
        headers: { Accept: 'text/html' },
        queryStringParameters: { tag: 'b' },
      });
      event.multiValueHeaders = { Accept: ['text/html', 'application/json'], 'X-Forwarded-For': ['203.0.113.1'] };
      event.multiValueQueryStringParameters = { tag: ['a', 'b'], page: ['2'] };

      // WHEN it is read
      const request = readApiEvent(event);

      // THEN every value is kept, joined the way HTTP APIs join them
      expect(request.headers).toEqual({ accept: 'text/html, application/json', 'x-forwarded-for': '203.0.113.1' });
      expect(request.query).toEqual({ tag: 'a,b', page: '2' });
    });

    it('reads the single-value maps when a REST event has no multi-value ones', () => {
      const event = restApiEvent('GET /things', { headers: { 'X-Key': 'v' }, queryStringParameters: { q: '1' } });
      delete (event as any).multiValueHeaders;
      delete (event as any).multiValueQueryStringParameters;
      const request = readApiEvent(event);
      expect(request.headers).toEqual({
        host: 'abc123.execute-api.us-east-1.amazonaws.com',
        'user-agent': 'jest',
        'x-key': 'v',
      });
      expect(request.query).toEqual({ q: '1' });
    });

    it('upper-cases a lower-case httpMethod in the route key', () => {
      const event = restApiEvent('GET /things');
      event.httpMethod = 'get';
      expect(readApiEvent(event).routeKey).toBe('GET /things');
    });

    it('reads null query, path parameters and body as empty', () => {
      // GIVEN a REST event with every optional part null
      const request = readApiEvent(restApiEvent('GET /things'));

      // THEN they read as empty
      expect(request.query).toEqual({});
      expect(request.pathParameters).toEqual({});
      expect(request.rawBody.length).toBe(0);
    });

    it('decodes a base64 REST body', () => {
      const request = readApiEvent(
        restApiEvent('POST /things', { body: Buffer.from('{"a":1}').toString('base64'), isBase64Encoded: true }),
      );
      expect(request.rawBody.toString('utf8')).toBe('{"a":1}');
    });
  });

  describe('events that are not API Gateway proxy events', () => {
    it.each([
      ['an SQS event', { Records: [{ eventSource: 'aws:sqs', body: '{}' }] }],
      ['an EventBridge event', { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }],
      ['a payload 2.0 event without a route key', { version: '2.0', rawPath: '/things', requestContext: {} }],
      ['a REST-like event without a resource', { httpMethod: 'GET', path: '/things' }],
      ['null', null],
      ['a string', 'GET /things'],
      ['undefined', undefined],
    ])('throws for %s', (_, event) => {
      // WHEN it is read THEN it is refused as a wiring mistake
      expect(() => readApiEvent(event)).toThrow(
        'the event is not an API Gateway proxy event (HTTP API payload 2.0 or REST API proxy)',
      );
    });
  });
});

describe('parseJsonBody', () => {
  it('parses an application/json body', () => {
    const request = requestWith('{"title":"Write tests","n":[1,2]}', { 'content-type': 'application/json' });
    expect(parseJsonBody(request, 1000)).toEqual({ title: 'Write tests', n: [1, 2] });
  });

  it.each([
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'Application/JSON',
    'application/merge-patch+json',
    'application/problem+json; charset=utf-8',
    'application/vnd.api+json',
  ])('accepts content-type %s', (contentType) => {
    const request = requestWith('{"a":1}', { 'content-type': contentType });
    expect(parseJsonBody(request, 1000)).toEqual({ a: 1 });
  });

  it('accepts a body without content-type', () => {
    expect(parseJsonBody(requestWith('[true]', {}), 1000)).toEqual([true]);
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonx',
    'text/json',
    'application/xml+json2',
  ])('refuses content-type %s with 415', (contentType) => {
    // GIVEN a JSON body labelled as something else
    const request = requestWith('{"a":1}', { 'content-type': contentType });

    // WHEN it is parsed
    const error = thrownBy(() => parseJsonBody(request, 1000));

    // THEN it is a 415 naming the content type
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(415);
    expect(error.title).toBe('Unsupported Media Type');
    expect(error.message).toBe(`\`content-type\` must be application/json, got: ${contentType}`);
  });

  it('truncates a long content type in the 415 detail', () => {
    const contentType = `text/${'x'.repeat(300)}`;
    const error = thrownBy(() => parseJsonBody(requestWith('{}', { 'content-type': contentType }), 1000));
    expect(error.status).toBe(415);
    expect(error.message).toBe(`\`content-type\` must be application/json, got: ${contentType.slice(0, 100)}`);
  });

  it('accepts a body of exactly the limit and refuses one byte more with 413', () => {
    // GIVEN a limit of 20 bytes and bodies of 20 and 21 bytes
    const exact = `{"s":"${'a'.repeat(12)}"}`;
    const over = `{"s":"${'a'.repeat(13)}"}`;
    expect(Buffer.byteLength(exact)).toBe(20);

    // THEN 20 bytes parse and 21 bytes are a 413 stating both sizes
    expect(parseJsonBody(requestWith(exact), 20)).toEqual({ s: 'a'.repeat(12) });
    const error = thrownBy(() => parseJsonBody(requestWith(over), 20));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(413);
    expect(error.title).toBe('Content Too Large');
    expect(error.message).toBe('the request body is 21 bytes; send at most 20 bytes');
  });

  it('counts the limit in bytes, not characters', () => {
    // GIVEN 10 characters that are 20 bytes in UTF-8
    const body = `"${'é'.repeat(9)}"`;
    expect(body.length).toBe(11);
    expect(Buffer.byteLength(body)).toBe(20);

    // THEN a 19-byte limit refuses it
    expect(thrownBy(() => parseJsonBody(requestWith(body), 19)).status).toBe(413);
  });

  it('checks the size before the content type', () => {
    const error = thrownBy(() => parseJsonBody(requestWith('x'.repeat(50), { 'content-type': 'text/plain' }), 10));
    expect(error.status).toBe(413);
  });

  it('has a default limit of 64 KiB', () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(65536);
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '  \n\t '],
  ])('refuses an %s body with 400', (_, body) => {
    const error = thrownBy(() => parseJsonBody(requestWith(body, { 'content-type': 'application/json' }), 1000));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('the request body is empty: send a JSON document');
  });

  it.each(['{"title":', "{'a':1}", 'undefined', '{"a":1}}', 'NaN'])('refuses malformed JSON %s with 400', (body) => {
    const error = thrownBy(() => parseJsonBody(requestWith(body, { 'content-type': 'application/json' }), 1000));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^the request body is not valid JSON: .+/);
  });

  it('parses a base64-encoded JSON body', () => {
    const request = requestWith(
      Buffer.from('{"b64":true}').toString('base64'),
      { 'content-type': 'application/json' },
      true,
    );
    expect(parseJsonBody(request, 1000)).toEqual({ b64: true });
  });
});

describe('validate', () => {
  const Task = z.object({
    title: z.string().min(1, 'must not be empty'),
    priority: z.number().int().min(1).max(5),
    tags: z.array(z.string().max(3)).optional(),
  });

  it('returns the parsed value of a valid input', async () => {
    const value = await validate(Task, { title: 'a', priority: 3, extra: 'dropped' }, 'body');
    expect(value).toEqual({ title: 'a', priority: 3 });
  });

  it('refuses an invalid input with 400 listing every bad field by its path', async () => {
    // GIVEN a body with an empty title, a priority out of range and a tag too long
    const error = await errorOf(() => validate(Task, { title: '', priority: 9, tags: ['ok', 'toolong'] }, 'body'));

    // THEN the 400 names each field under `body.` with zod's message
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(400);
    expect(error.extensions.errors).toEqual([
      { field: 'body.title', message: 'must not be empty' },
      { field: 'body.priority', message: expect.stringMatching(/5/) },
      { field: 'body.tags.1', message: expect.stringMatching(/3/) },
    ]);
    expect(error.message).toMatch(
      /^the request body is invalid: `body\.title`: must not be empty; `body\.priority`: .+; `body\.tags\.1`: .+$/,
    );
  });

  it('names a missing field and a wrong top-level type', async () => {
    const missing = await errorOf(() => validate(Task, { priority: 1 }, 'body'));
    expect(missing.extensions.errors).toEqual([{ field: 'body.title', message: expect.any(String) }]);

    const wrongType = await errorOf(() => validate(Task, ['not', 'an', 'object'], 'body'));
    expect(wrongType.extensions.errors).toEqual([{ field: 'body', message: expect.any(String) }]);
  });

  it('prefixes query and path fields with where they came from', async () => {
    const Query = z.object({ limit: z.coerce.number().int().max(100) });
    const error = await errorOf(() => validate(Query, { limit: '500' }, 'query'));
    expect(error.extensions.errors).toEqual([{ field: 'query.limit', message: expect.any(String) }]);
    expect(await validate(Query, { limit: '7' }, 'query')).toEqual({ limit: 7 });
  });

  it('lists at most 20 field errors', async () => {
    const Wide = z.object(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, z.string()])));
    const error = await errorOf(() => validate(Wide, {}, 'body'));
    expect(error.extensions.errors).toHaveLength(20);
    expect(error.extensions.errors[0].field).toBe('body.f0');
  });

  it('accepts any Standard Schema, including async ones with path segments as objects', async () => {
    // GIVEN a hand-written Standard Schema validator that answers asynchronously
    const schema: StandardSchemaV1<unknown, string> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) =>
          value === 'ok'
            ? { value: 'OK' }
            : { issues: [{ message: 'not ok', path: [{ key: 'items' }, 2, { key: 'name' }] }] },
      },
    };

    // THEN its value and its issues come through
    expect(await validate(schema, 'ok', 'body')).toBe('OK');
    const error = await errorOf(() => validate(schema, 'bad', 'body'));
    expect(error.extensions.errors).toEqual([{ field: 'body.items.2.name', message: 'not ok' }]);
  });
});
