/**
 * The HTTP server in front of a gateway: requests handed over as API Gateway receives them, its quotas enforced, and
 * malformed HTTP answered rather than crashing the server.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 */
import * as net from 'net';
import { FakeAuthorizer, FakeInvoker, httpApp, route } from './fixtures';
import type { Gateway, GatewayRequest, GatewayResult } from '../../../src/local/contracts';
import { createHttpGateway } from '../../../src/local/gateway/http';
import { startGatewayServer, type GatewayServer } from '../../../src/local/gateway/server';

/** Answers 200 with the request it received, or what `answer` returns. */
class EchoGateway implements Gateway {
  public readonly requests: GatewayRequest[] = [];
  public answer?: (request: GatewayRequest) => Promise<GatewayResult>;

  public async handle(request: GatewayRequest): Promise<GatewayResult> {
    this.requests.push(request);
    if (this.answer) return this.answer(request);
    return {
      response: {
        statusCode: 200,
        headers: { 'content-type': ['application/json'], 'set-cookie': ['a=1', 'b=2'] },
        body: Buffer.from(JSON.stringify({ path: request.rawPath })),
      },
      context: { status: 200, requestId: request.requestId, routeKey: 'GET /echo' },
    };
  }
}

/** Sends `data` on a raw connection and collects what comes back until the server closes it. */
function rawExchange(port: number, data: string | Buffer, options: { keepOpen?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(data);
    if (!options.keepOpen) socket.setTimeout(5000, () => socket.destroy());
  });
}

describe('startGatewayServer', () => {
  let server: GatewayServer;
  let gateway: EchoGateway;
  let logLines: string[];
  let accessLines: string[];

  beforeEach(async () => {
    gateway = new EchoGateway();
    logLines = [];
    accessLines = [];
    server = await startGatewayServer({
      gateway,
      maxBodyBytes: 1024,
      accessLog: { format: '$context.requestId $context.status $context.routeKey', write: (l) => accessLines.push(l) },
      log: (l) => logLines.push(l),
    });
  });

  afterEach(async () => {
    await server.close();
  });

  test('GIVEN a request THEN the gateway gets it as sent: path still encoded, headers as lists, a request id', async () => {
    // WHEN
    const response = await fetch(`${server.url}/files/a%2Fb?x=1&x=2`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'hello',
    });

    // THEN
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ path: '/files/a%2Fb' });
    const [received] = gateway.requests;
    expect(received).toMatchObject({
      method: 'POST',
      rawPath: '/files/a%2Fb',
      rawQueryString: 'x=1&x=2',
      sourceIp: '127.0.0.1',
    });
    expect(received.headers['content-type']).toEqual(['text/plain']);
    expect(received.headers.host).toEqual([`127.0.0.1:${server.port}`]);
    expect(received.body.toString()).toBe('hello');
    expect(received.requestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(Math.abs(received.timeEpoch - Date.now())).toBeLessThan(5000);
    expect(accessLines).toEqual([`${received.requestId} 200 GET /echo`]);
  });

  test('GIVEN a repeated header THEN the gateway gets every value, in order', async () => {
    // WHEN
    await rawExchange(
      server.port,
      'GET /echo HTTP/1.1\r\nHost: h\r\nX-Repeat: one\r\nx-repeat: two\r\nConnection: close\r\n\r\n',
    );

    // THEN
    expect(gateway.requests[0].headers['x-repeat']).toEqual(['one', 'two']);
  });

  test('GIVEN an absolute-form request target THEN the path and query are taken from it', async () => {
    await rawExchange(server.port, 'GET http://h/items?a=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');

    expect(gateway.requests[0]).toMatchObject({ rawPath: '/items', rawQueryString: 'a=1' });
  });

  test('GIVEN the gateway throws THEN 500 Internal Server Error, a log line, and the server keeps serving', async () => {
    // GIVEN
    gateway.answer = () => Promise.reject(new Error('boom'));

    // WHEN
    const failed = await fetch(`${server.url}/x`);
    gateway.answer = undefined;
    const next = await fetch(`${server.url}/y`);

    // THEN
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    expect(failed.headers.get('apigw-requestid')).toMatch(/=$/);
    expect(logLines).toEqual([expect.stringMatching(/^GET \/x \(request .+\): the gateway failed: boom$/)]);
    expect(next.status).toBe(200);
  });

  test('GIVEN an answer with a header node cannot send THEN 500 rather than a crash', async () => {
    gateway.answer = async () => ({
      response: { statusCode: 200, headers: { 'bad header': ['x'] }, body: Buffer.from('') },
      context: {},
    });

    const response = await fetch(`${server.url}/x`);

    expect(response.status).toBe(500);
    expect(logLines[0]).toContain('could not be written');
  });

  test('GIVEN a garbage request line THEN 400 and the connection closed, and the server still answers', async () => {
    // WHEN
    const answer = await rawExchange(server.port, 'HELLO THERE\r\n\r\n');
    const next = await fetch(`${server.url}/ok`);

    // THEN
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('{"message":"Bad Request"}');
    expect(next.status).toBe(200);
    expect(gateway.requests).toHaveLength(1);
  });

  test('GIVEN a malformed header line THEN 400', async () => {
    const answer = await rawExchange(server.port, 'GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(gateway.requests).toHaveLength(0);
  });

  test('GIVEN a request line and headers over 10240 bytes THEN 431, and under the quota they pass', async () => {
    // GIVEN "Total combined size of request line and header values: 10240 bytes" (http-api-quotas.html); API
    // Gateway answers 431 Request Header Fields Too Large (rest-api-monitor.html names the error)
    const big = 'x'.repeat(11_000);
    const small = 'x'.repeat(9_000);

    // WHEN
    const over = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${big}\r\n\r\n`);
    const under = await fetch(`${server.url}/`, { headers: { 'X-Big': small } });

    // THEN
    expect(over).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(under.status).toBe(200);
  });

  test('GIVEN a declared body over the quota THEN 413 before it is read, no gateway call, no access-log line', async () => {
    // GIVEN the payload quota (10 MB by default, 1 KB here); "API Gateway might not generate logs ... 413 Request
    // Entity Too Large errors" (http-api-monitor.html)
    const body = Buffer.alloc(4096, 1);

    // WHEN
    const response = await fetch(`${server.url}/upload`, { method: 'POST', body });

    // THEN
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(gateway.requests).toHaveLength(0);
    expect(accessLines).toEqual([]);
  });

  test('GIVEN Expect: 100-continue with a body over the quota THEN 413 before the client sends it', async () => {
    // WHEN the client sends its headers only, waiting for "100 Continue"
    const answer = await rawExchange(
      server.port,
      'POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n',
    );

    // THEN
    expect(answer).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(answer).not.toContain('100 Continue');
    expect(gateway.requests).toHaveLength(0);
  });

  test('GIVEN Expect: 100-continue within the quota THEN the client is told to continue and the body is read', async () => {
    const answer = await rawExchange(
      server.port,
      'POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nhello',
    );

    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(gateway.requests[0].body.toString()).toBe('hello');
  });

  test('GIVEN a chunked body that grows over the quota THEN 413 once it passes it', async () => {
    // GIVEN no Content-Length: the size is only known as the chunks arrive
    const chunk = Buffer.alloc(600, 2);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });

    // WHEN
    const response = await fetch(`${server.url}/upload`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);

    // THEN
    expect(response.status).toBe(413);
    expect(gateway.requests).toHaveLength(0);
  });

  test('GIVEN a body at the quota THEN it reaches the gateway whole', async () => {
    const response = await fetch(`${server.url}/upload`, { method: 'POST', body: Buffer.alloc(1024, 3) });

    expect(response.status).toBe(200);
    expect(gateway.requests[0].body.length).toBe(1024);
  });

  test('GIVEN a request that never finishes its headers THEN close() ends it at once', async () => {
    // GIVEN a slowloris-like client: half a request, then silence
    const ended = rawExchange(server.port, 'GET /slow HTTP/1.1\r\nHost: h\r\nX-Part: ', { keepOpen: true });
    await new Promise((resolve) => setTimeout(resolve, 50));

    // WHEN
    const started = Date.now();
    await server.close();

    // THEN
    await ended;
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('GIVEN an idle keep-alive connection THEN close() does not wait for it', async () => {
    // GIVEN fetch keeps its connection open for the next request
    await (await fetch(`${server.url}/a`)).text();

    // WHEN
    const started = Date.now();
    await server.close();

    // THEN
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the HTTP API gateway behind the server', () => {
  test('GIVEN 200 concurrent requests THEN each is answered, 404s included, with its own apigw-requestid', async () => {
    // GIVEN
    const app = httpApp({ routes: [route('GET /items/{id}')] });
    const gateway = createHttpGateway({
      app,
      invoker: new FakeInvoker(),
      authorizer: new FakeAuthorizer(),
      log: () => {},
    });
    const server = await startGatewayServer({ gateway, log: () => {} });

    try {
      // WHEN
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) => fetch(`${server.url}/${i % 10 === 0 ? 'nothing' : `items/${i}`}`)),
      );
      const bodies = await Promise.all(responses.map((r) => r.text()));

      // THEN
      expect(responses.filter((r) => r.status === 200)).toHaveLength(180);
      expect(responses.filter((r) => r.status === 404)).toHaveLength(20);
      expect(bodies.filter((b) => b === '{"message":"Not Found"}')).toHaveLength(20);
      expect(new Set(responses.map((r) => r.headers.get('apigw-requestid'))).size).toBe(200);
    } finally {
      await server.close();
    }
  });
});
