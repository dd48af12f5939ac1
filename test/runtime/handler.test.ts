import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  httpApiEvent,
  jwtAuthorizer,
  parse,
  PATTERNS,
  quietLogger,
  RecordingMetrics,
  rejectionOf,
  restApiEvent,
  within,
} from './util';
import { apiHandler, route, type RouteInput } from '../../src/runtime/handler';
import { HttpError } from '../../src/runtime/problem';
import { created, json, noContent, ok } from '../../src/runtime/response';
import { Table } from '../../src/runtime/table';

const CREATE = 'POST /projects/{projectId}/tasks';
const GET = 'GET /projects/{projectId}/tasks/{taskId}';
const FAIL = 'POST /fail';

const Task = z.object({ taskId: z.string().regex(/^[a-z0-9-]+$/), title: z.string().min(1).max(100) });

/** A handler with a body route, a parameter route and a route that throws `failure()`. */
function makeHandler(failure: () => unknown = () => new Error('unset')) {
  const logger = quietLogger();
  const inputs: RouteInput<any, any, any>[] = [];
  const handler = apiHandler({
    logger,
    routes: {
      [CREATE]: route({
        body: Task,
        params: z.object({ projectId: z.string().startsWith('p-') }),
        handle: async (input) => {
          inputs.push(input);
          return created(
            { ...input.params, ...input.body },
            `/projects/${input.params.projectId}/tasks/${input.body.taskId}`,
          );
        },
      }),
      [GET]: route({
        query: z.object({ fields: z.enum(['all', 'summary']).default('all') }),
        handle: async (input) => {
          inputs.push(input);
          return ok({ params: input.params, query: input.query, principal: input.principal });
        },
      }),
      [FAIL]: route({
        handle: async () => {
          throw failure();
        },
      }),
    },
  });
  return { handler, logger, inputs };
}

describe('routing and input', () => {
  it('passes the validated body, params, query, principal and logger to the route', async () => {
    // GIVEN a valid create request from a JWT caller
    const { handler, inputs, logger } = makeHandler();
    const event = httpApiEvent(CREATE, {
      pathParameters: { projectId: 'p-1' },
      body: { taskId: 't-1', title: 'Write tests', ignored: true },
      authorizer: jwtAuthorizer('user-1'),
    });

    // WHEN it is handled
    const result = parse(await handler(event));

    // THEN the route got the parsed parts and its result is rendered
    expect(result).toEqual({
      statusCode: 201,
      headers: { location: '/projects/p-1/tasks/t-1', 'content-type': 'application/json' },
      body: { projectId: 'p-1', taskId: 't-1', title: 'Write tests' },
    });
    expect(inputs).toHaveLength(1);
    expect(inputs[0].body).toEqual({ taskId: 't-1', title: 'Write tests' });
    expect(inputs[0].params).toEqual({ projectId: 'p-1' });
    expect(inputs[0].principal).toMatchObject({ kind: 'jwt', id: 'user-1' });
    expect(inputs[0].request.routeKey).toBe(CREATE);
    expect(inputs[0].logger).toBe(logger);
  });

  it('passes raw query and path parameters when the route has no schema for them, defaults applied when it has', async () => {
    const { handler } = makeHandler();
    const result = parse(await handler(restApiEvent(GET, { pathParameters: { projectId: 'p-1', taskId: 't-2' } })));
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({
      params: { projectId: 'p-1', taskId: 't-2' },
      query: { fields: 'all' },
      principal: { kind: 'anonymous' },
    });
  });

  it("logs with the function's service name and its Lambda context when it makes its own logger", async () => {
    // GIVEN the service name the construct sets, and a handler with the default logger
    // (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/#capturing-lambda-context-info)
    const saved = process.env.POWERTOOLS_SERVICE_NAME;
    process.env.POWERTOOLS_SERVICE_NAME = 'tasks';
    const lines: string[] = [];
    // Warnings go to stderr, as console.warn writes them.
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const handler = apiHandler({ routes: { [GET]: route({ handle: async () => ok({}) }) } });
      const context = {
        functionName: 'TaskBoard-tasks',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:TaskBoard-tasks',
        memoryLimitInMB: '512',
        awsRequestId: 'lambda-request-1',
        getRemainingTimeInMillis: () => 10_000,
      };

      // WHEN it logs (an unknown route is logged as a warning)
      await handler(httpApiEvent('DELETE /nowhere', { requestId: 'r-log' }), context);
    } finally {
      write.mockRestore();
      if (saved === undefined) delete process.env.POWERTOOLS_SERVICE_NAME;
      else process.env.POWERTOOLS_SERVICE_NAME = saved;
    }

    // THEN the line names the service and the invocation, not "service_undefined"
    const line = JSON.parse(lines.find((l) => l.includes('no route matches'))!);
    expect(line).toEqual(
      expect.objectContaining({
        service: 'tasks',
        function_name: 'TaskBoard-tasks',
        function_request_id: 'lambda-request-1',
        function_memory_size: '512',
        cold_start: expect.any(Boolean),
      }),
    );
  });

  it('answers an unknown route with a 404 problem and logs a warning', async () => {
    // GIVEN a request for a route the handler does not declare
    const { handler, logger } = makeHandler();
    const warn = jest.spyOn(logger, 'warn');

    // WHEN it is handled
    const result = parse(
      await handler(
        httpApiEvent('DELETE /projects/{projectId}', { pathParameters: { projectId: 'p-1' }, requestId: 'r-404' }),
      ),
    );

    // THEN it is a 404 problem naming the request
    expect(result).toEqual({
      statusCode: 404,
      headers: { 'content-type': 'application/problem+json' },
      body: {
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: 'no route matches DELETE /projects/p-1',
        requestId: 'r-404',
      },
    });
    expect(warn).toHaveBeenCalledWith('no route matches the request', {
      requestId: 'r-404',
      routeKey: 'DELETE /projects/{projectId}',
    });
  });

  it('does not match inherited object members as routes', async () => {
    // GIVEN events whose route key names a member every object inherits
    const { handler } = makeHandler();
    for (const routeKey of ['constructor', 'toString', '__proto__']) {
      // WHEN one is handled THEN it is an unknown route
      const result = parse(await handler({ ...httpApiEvent('GET /x'), routeKey }));
      expect(result.statusCode).toBe(404);
    }
  });

  it('refuses a body sent to a route without a body schema with 400', async () => {
    // GIVEN a GET route without a body schema, and a request carrying a body
    const { handler, inputs } = makeHandler();
    const event = httpApiEvent(GET, {
      pathParameters: { projectId: 'p-1', taskId: 't-1' },
      body: { sneaky: true },
      requestId: 'r-body',
    });

    // WHEN it is handled
    const result = parse(await handler(event));

    // THEN it is a 400 and the route does not run
    expect(result.statusCode).toBe(400);
    expect(result.headers).toEqual({ 'content-type': 'application/problem+json' });
    expect(result.body).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: `${GET} takes no request body: send none`,
      requestId: 'r-body',
    });
    expect(inputs).toHaveLength(0);
  });

  it('refuses an invalid body with 400 listing the fields', async () => {
    const { handler, inputs } = makeHandler();
    const result = parse(
      await handler(
        httpApiEvent(CREATE, { pathParameters: { projectId: 'p-1' }, body: { taskId: 'BAD ID', title: '' } }),
      ),
    );
    expect(result.statusCode).toBe(400);
    expect(result.body.errors).toEqual([
      { field: 'body.taskId', message: expect.any(String) },
      { field: 'body.title', message: expect.any(String) },
    ]);
    expect(result.body.detail).toMatch(/^the request body is invalid: /);
    expect(inputs).toHaveLength(0);
  });

  it('refuses invalid path and query parameters with 400 naming path.* and query.*', async () => {
    const { handler } = makeHandler();
    const badPath = parse(
      await handler(httpApiEvent(CREATE, { pathParameters: { projectId: 'x-1' }, body: { taskId: 't', title: 't' } })),
    );
    const badQuery = parse(
      await handler(
        httpApiEvent(GET, {
          pathParameters: { projectId: 'p', taskId: 't' },
          queryStringParameters: { fields: 'every' },
        }),
      ),
    );
    expect(badPath.statusCode).toBe(400);
    expect(badPath.body.errors).toEqual([{ field: 'path.projectId', message: expect.any(String) }]);
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.body.errors).toEqual([{ field: 'query.fields', message: expect.any(String) }]);
  });

  it('answers 415, 413 and 400 for a wrong content type, a large body and malformed JSON', async () => {
    const logger = quietLogger();
    const handler = apiHandler({
      logger,
      maxBodyBytes: 50,
      routes: { [CREATE]: route({ body: Task, handle: async () => noContent() }) },
    });
    const params = { projectId: 'p-1' };
    const wrongType = await handler(
      httpApiEvent(CREATE, { pathParameters: params, body: '{}', headers: { 'content-type': 'text/plain' } }),
    );
    const tooLarge = await handler(
      httpApiEvent(CREATE, { pathParameters: params, body: { taskId: 't', title: 'x'.repeat(60) } }),
    );
    const malformed = await handler(httpApiEvent(CREATE, { pathParameters: params, body: '{"taskId":' }));
    const empty = await handler(
      httpApiEvent(CREATE, { pathParameters: params, headers: { 'content-type': 'application/json' } }),
    );
    expect([wrongType, tooLarge, malformed, empty].map((r) => r.statusCode)).toEqual([415, 413, 400, 400]);
    const size = Buffer.byteLength(JSON.stringify({ taskId: 't', title: 'x'.repeat(60) }));
    expect(parse(tooLarge).body.detail).toBe(`the request body is ${size} bytes; send at most 50 bytes`);
    expect(parse(empty).body.detail).toBe('the request body is empty: send a JSON document');
  });

  it('renders noContent() as an empty 204', async () => {
    const handler = apiHandler({
      logger: quietLogger(),
      routes: { 'DELETE /x': route({ handle: async () => noContent() }) },
    });
    expect(await handler(httpApiEvent('DELETE /x'))).toEqual({ statusCode: 204, headers: {}, body: '' });
  });

  it('rejects an event that is not from API Gateway (a wiring mistake) instead of answering', async () => {
    const { handler } = makeHandler();
    const error = await rejectionOf(handler({ Records: [] }));
    expect(error.message).toBe('the event is not an API Gateway proxy event (HTTP API payload 2.0 or REST API proxy)');
  });
});

describe('ANY routes', () => {
  // The stack may declare a route for every method (`ANY /path`, `HttpMethod.ANY`), on either API type.
  function anyHandler() {
    const handle = jest.fn(async ({ request }: RouteInput<any, any, any>) => ok({ method: request.method }));
    const handler = apiHandler({ logger: quietLogger(), routes: { 'ANY /files/{name}': route({ handle }) } });
    return { handler, handle };
  }

  it('answers an HTTP API request for an ANY route (the event carries the declared route key)', async () => {
    const { handler } = anyHandler();
    const event = httpApiEvent('ANY /files/{name}', { pathParameters: { name: 'a.txt' } });
    event.requestContext.http.method = 'DELETE';
    const result = parse(await handler(event));
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({ method: 'DELETE' });
  });

  it('answers a REST API request for an ANY route (the event carries the actual method)', async () => {
    // GIVEN a REST event for the ANY method of /files/{name}: API Gateway sends the request's own method
    const { handler, handle } = anyHandler();
    const event = restApiEvent('GET /files/{name}', { pathParameters: { name: 'a.txt' } });

    // WHEN it is handled
    const result = parse(await handler(event));

    // THEN the ANY route answers it
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({ method: 'GET' });
    expect(handle).toHaveBeenCalledTimes(1);
  });
});

describe('route declarations', () => {
  it.each(['post /x', 'GET x', 'GET  /x', 'GET /a b', '$default', 'ANY', '/x', 'GET'])(
    'refuses route key %j at creation',
    (routeKey) => {
      expect(() =>
        apiHandler({ logger: quietLogger(), routes: { [routeKey]: route({ handle: async () => ok(1) }) } }),
      ).toThrow(`apiHandler: route key must be "METHOD /path" as declared in the stack, got: ${routeKey}`);
    },
  );

  it.each(['GET /', 'ANY /{proxy+}', 'POST /projects/{projectId}/tasks'])('accepts route key %j', (routeKey) => {
    expect(() =>
      apiHandler({ logger: quietLogger(), routes: { [routeKey]: route({ handle: async () => ok(1) }) } }),
    ).not.toThrow();
  });

  it('refuses an idempotent route without idempotency options', () => {
    expect(() =>
      apiHandler({
        logger: quietLogger(),
        routes: { 'POST /x': route({ idempotent: true, handle: async () => ok(1) }) },
      }),
    ).toThrow('apiHandler: route "POST /x" is idempotent: pass `idempotency` (and `table`)');
  });

  it('refuses idempotency or rate limiting without a table', () => {
    expect(() => apiHandler({ routes: {}, idempotency: {} })).toThrow(
      'apiHandler: `idempotency` needs `table` (Table.fromEnvironment())',
    );
    expect(() => apiHandler({ routes: {}, rateLimit: { limit: 1, windowSeconds: 1 } })).toThrow(
      'apiHandler: `rateLimit` needs `table` (Table.fromEnvironment())',
    );
  });
});

describe('authenticate', () => {
  it('runs before the body is parsed and refuses with its HttpError', async () => {
    // GIVEN a route whose authenticate hook refuses, and a request with a malformed body
    const handle = jest.fn(async () => ok(1));
    const handler = apiHandler({
      logger: quietLogger(),
      routes: {
        'POST /hook': route({
          body: z.object({}),
          authenticate: (request) => {
            if (request.headers['x-signature'] !== 'good') {
              throw new HttpError(401, 'bad signature', { headers: { 'WWW-Authenticate': 'Signature' } });
            }
          },
          handle,
        }),
      },
    });

    // WHEN it is called without a good signature
    const refused = parse(
      await handler(httpApiEvent('POST /hook', { body: '{broken', headers: { 'content-type': 'application/json' } })),
    );

    // THEN it is the hook's 401, not the body's 400, and the route does not run
    expect(refused.statusCode).toBe(401);
    expect(refused.headers).toEqual({ 'www-authenticate': 'Signature', 'content-type': 'application/problem+json' });
    expect(handle).not.toHaveBeenCalled();

    // AND with a good signature the request goes through
    const accepted = await handler(httpApiEvent('POST /hook', { body: '{}', headers: { 'x-signature': 'good' } }));
    expect(accepted.statusCode).toBe(200);
    expect(handle).toHaveBeenCalledTimes(1);
  });
});

describe('error mapping', () => {
  it.each([
    [400, 'Bad Request'],
    [401, 'Unauthorized'],
    [403, 'Forbidden'],
    [404, 'Not Found'],
    [409, 'Conflict'],
    [412, 'Precondition Failed'],
    [422, 'Unprocessable Content'],
    [429, 'Too Many Requests'],
    [418, 'Client Error'],
    [502, 'Server Error'],
  ])('renders an HttpError %d as a problem document', async (status, title) => {
    // GIVEN a route that throws an HttpError with extensions and headers
    const { handler, logger } = makeHandler(
      () => new HttpError(status, `detail of ${status}`, { extensions: { hint: 'h' }, headers: { 'X-Reason': 'r' } }),
    );
    const error = jest.spyOn(logger, 'error');

    // WHEN it is called
    const result = parse(await handler(httpApiEvent(FAIL, { requestId: `r-${status}` })));

    // THEN the response is the problem document, with the error's headers
    expect(result).toEqual({
      statusCode: status,
      headers: { 'x-reason': 'r', 'content-type': 'application/problem+json' },
      body: { hint: 'h', type: 'about:blank', title, status, detail: `detail of ${status}`, requestId: `r-${status}` },
    });
    expect(error).not.toHaveBeenCalled();
  });

  it('answers any other error with a 500 that reveals nothing, and logs it with the request id', async () => {
    // GIVEN a route failing with an error whose message holds internals
    const failure = new Error('connection string postgres://admin:hunter2@db is wrong');
    const { handler, logger } = makeHandler(() => failure);
    const logged = jest.spyOn(logger, 'error');

    // WHEN it is called through a REST API
    const result = await handler(restApiEvent(FAIL, { requestId: 'r-500' }));

    // THEN the caller gets a generic 500 problem
    expect(result.statusCode).toBe(500);
    expect(result.headers).toEqual({ 'content-type': 'application/problem+json' });
    expect(JSON.parse(result.body)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'the request failed; quote the request id when reporting it',
      requestId: 'r-500',
    });
    expect(result.body).not.toContain('hunter2');
    expect(result.body).not.toContain('postgres');

    // AND the log has the full error with the request id
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledWith('request failed', { requestId: 'r-500', routeKey: FAIL, error: failure });
  });

  it('answers a thrown non-Error value with a 500', async () => {
    const { handler, logger } = makeHandler(() => 'just a string');
    const logged = jest.spyOn(logger, 'error');
    const result = parse(await handler(httpApiEvent(FAIL)));
    expect(result.statusCode).toBe(500);
    expect(JSON.stringify(result.body)).not.toContain('just a string');
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it.each([
    [
      'ProvisionedThroughputExceededException',
      () => new ProvisionedThroughputExceededException({ message: 'throughput', $metadata: {} }),
    ],
    [
      'an Error named ProvisionedThroughputExceededException',
      () => Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException' }),
    ],
    ['ECONNRESET', () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['ThrottlingException', () => Object.assign(new Error('x'), { name: 'ThrottlingException' })],
  ])('answers a transient error (%s) with 503 and retry-after, logged as a warning', async (_, failure) => {
    // GIVEN a route failing with a transient database error
    const thrown = failure();
    const { handler, logger } = makeHandler(() => thrown);
    const warn = jest.spyOn(logger, 'warn');
    const error = jest.spyOn(logger, 'error');

    // WHEN it is called
    const result = parse(await handler(httpApiEvent(FAIL, { requestId: 'r-503' })));

    // THEN it is a 503 telling the client when to retry
    expect(result).toEqual({
      statusCode: 503,
      headers: { 'retry-after': '1', 'content-type': 'application/problem+json' },
      body: {
        retryAfterSeconds: 1,
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'the database is busy or unreachable; retry the request after the time in Retry-After',
        requestId: 'r-503',
      },
    });
    expect(warn).toHaveBeenCalledWith('answered 503: a dependency stayed throttled or unreachable after retries', {
      requestId: 'r-503',
      routeKey: FAIL,
      error: thrown,
    });
    expect(error).not.toHaveBeenCalled();
  });

  describe('with a real failing database connection', () => {
    let failing: Server;
    let resetting: Server;

    beforeAll(async () => {
      // GIVEN a server answering every request with a DynamoDB 500, and one dropping every connection
      failing = createServer((_, response) => {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'boom' }),
        );
      });
      resetting = createServer((request) => request.socket.destroy());
      await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => failing.close(() => resolve()));
      await new Promise<void>((resolve) => resetting.close(() => resolve()));
    });

    async function getThrough(server: Server) {
      const { port } = server.address() as AddressInfo;
      const client = DynamoDBDocumentClient.from(
        new DynamoDBClient({
          endpoint: `http://127.0.0.1:${port}`,
          region: 'us-east-1',
          maxAttempts: 1,
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        }),
      );
      const table = new Table(
        { tableName: 't', partitionKey: 'PK', sortKey: 'SK', ttlAttribute: 'expiresAt', accessPatterns: PATTERNS },
        client,
      );
      const tasks = table.item('getTask');
      const handler = apiHandler({
        logger: quietLogger(),
        routes: {
          [GET]: route({
            handle: async ({ params }) => ok(await tasks.get({ projectId: params.projectId!, taskId: params.taskId! })),
          }),
        },
      });
      try {
        return parse(await handler(httpApiEvent(GET, { pathParameters: { projectId: 'p', taskId: 't' } })));
      } finally {
        client.destroy();
      }
    }

    it('answers 503 when DynamoDB answers with a server error', async () => {
      const result = await getThrough(failing);
      expect(result.statusCode).toBe(503);
      expect(result.headers['retry-after']).toBe('1');
      expect(JSON.stringify(result.body)).not.toContain('boom');
    });

    it('answers 503, not a hang, when DynamoDB stops answering (the toolkit client bounds each attempt)', async () => {
      // GIVEN a server that accepts requests and never answers, and the toolkit's own client with a short timeout
      const stalled = createServer(() => undefined);
      await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
      const saved = { ...process.env };
      Object.assign(process.env, {
        TABLE_NAME: 't',
        TABLE_PARTITION_KEY: 'PK',
        TABLE_SORT_KEY: 'SK',
        TABLE_TTL_ATTRIBUTE: 'expiresAt',
        TABLE_ACCESS_PATTERNS: JSON.stringify({ getTask: PATTERNS.getTask }),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`,
      });
      // (the SDK resolves endpoint and credentials at the first request: the variables stay until the end)
      const table = Table.fromEnvironment({ requestTimeoutMs: 150 });
      const tasks = table.item('getTask');
      const handler = apiHandler({
        logger: quietLogger(),
        routes: {
          [GET]: route({
            handle: async ({ params }) => ok(await tasks.get({ projectId: params.projectId!, taskId: params.taskId! })),
          }),
        },
      });
      let answer: Promise<unknown> | undefined;
      try {
        // WHEN a request reads through it (given 3 s, far more than the SDK's attempts of 150 ms each need)
        answer = handler(httpApiEvent(GET, { pathParameters: { projectId: 'p', taskId: 't' } })).then(parse);
        const outcome = await within(answer, 3000, 'no answer after 3 s: the request hangs');

        // THEN it is a 503 once the SDK's attempts have timed out
        expect(outcome).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
      } finally {
        process.env = saved;
        table.client.destroy();
        stalled.closeAllConnections();
        await new Promise<void>((resolve) => stalled.close(() => resolve()));
        // let a request still in flight end (its connection is gone) before the next test
        if (answer) await within(answer, 3000, undefined);
      }
    }, 15_000);

    it('answers 503 when the connection is dropped', async () => {
      const result = await getThrough(resetting);
      expect(result.statusCode).toBe(503);
      expect(result.headers['retry-after']).toBe('1');
    });
  });

  it('keeps a route-set status and headers for non-error results', async () => {
    const handler = apiHandler({
      logger: quietLogger(),
      routes: { 'GET /teapot': route({ handle: async () => json(418, { short: true }, { 'Retry-After': '3' }) }) },
    });
    expect(parse(await handler(httpApiEvent('GET /teapot')))).toEqual({
      statusCode: 418,
      headers: { 'retry-after': '3', 'content-type': 'application/json' },
      body: { short: true },
    });
  });
});

describe('metrics', () => {
  function handlerCounting(metrics: RecordingMetrics, failure: () => unknown) {
    return apiHandler({
      logger: quietLogger(),
      metrics,
      routes: {
        'GET /ok': route({ handle: async () => ok(1) }),
        'GET /fail': route({
          handle: async () => {
            throw failure();
          },
        }),
      },
    });
  }

  it('counts an unhandled error and publishes it at once', async () => {
    const metrics = new RecordingMetrics();
    const handler = handlerCounting(metrics, () => new Error('boom'));
    expect((await handler(httpApiEvent('GET /fail'))).statusCode).toBe(500);
    expect(metrics.added).toEqual([{ name: 'UnhandledError', unit: 'Count', value: 1 }]);
    expect(metrics.published).toEqual([1]);
  });

  it('counts a database that stayed unavailable', async () => {
    const metrics = new RecordingMetrics();
    const handler = handlerCounting(metrics, () => Object.assign(new Error('x'), { name: 'ThrottlingException' }));
    expect((await handler(httpApiEvent('GET /fail'))).statusCode).toBe(503);
    expect(metrics.names()).toEqual(['DatabaseUnavailable']);
  });

  it('counts nothing for a success, a client error or an unknown route', async () => {
    const metrics = new RecordingMetrics();
    const handler = handlerCounting(metrics, () => new HttpError(409, 'conflict'));
    await handler(httpApiEvent('GET /ok'));
    await handler(httpApiEvent('GET /fail'));
    await handler(httpApiEvent('GET /nowhere'));
    expect(metrics.added).toEqual([]);
    expect(metrics.published).toEqual([]);
  });
});
