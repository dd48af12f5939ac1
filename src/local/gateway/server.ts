/**
 * The HTTP server in front of a gateway of either API type: parses requests into `GatewayRequest`s, enforces API
 * Gateway's size quotas, writes the gateway's answers and the access log, and survives whatever a client sends.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 */
import { randomBytes } from 'crypto';
import * as http from 'http';
import type { Socket } from 'net';
import { formatAccessLog } from './access-log';
import type { Gateway, GatewayRequest, GatewayResponse } from '../contracts';
import { closeServer, listen } from '../listen';

/** API Gateway's payload quota: 10 MB. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** An HTTP API's quota on the request line and headers together: 10240 bytes. */
export const MAX_HEADER_BYTES = 10240;

export interface GatewayServerOptions {
  readonly gateway: Gateway;
  /** @default 127.0.0.1, reachable from this machine only */
  readonly host?: string;
  /** @default 0, a free port */
  readonly port?: number;
  /** The stage's access log: its format and where each line goes. */
  readonly accessLog?: { readonly format: string; readonly write: (line: string) => void };
  /** @default MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /** Where the server explains what it refused or what failed inside it; standard error by default. */
  readonly log?: (line: string) => void;
}

export interface GatewayServer {
  /** `http://127.0.0.1:<port>`, without a trailing "/". */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends every connection, idle, keep-alive or half-sent. */
  close(): Promise<void>;
}

/** An API Gateway request id: 16 base64 characters, `Mc7UVioPPHcEKPA=`. */
function newRequestId(): string {
  return randomBytes(11).toString('base64');
}

/** A response written straight to the socket, for requests too malformed for the HTTP parser to hand over. */
function rawAnswer(statusCode: number, message: string): string {
  const body = JSON.stringify({ message });
  return [
    `HTTP/1.1 ${statusCode} ${http.STATUS_CODES[statusCode]}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    `apigw-requestid: ${newRequestId()}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

function jsonAnswer(statusCode: number, message: string, requestId: string): GatewayResponse {
  return {
    statusCode,
    headers: { 'content-type': ['application/json'], 'apigw-requestid': [requestId] },
    body: Buffer.from(JSON.stringify({ message }), 'utf8'),
  };
}

/** `path` and query of a request target, also in absolute form (`GET http://host/path?q HTTP/1.1`). */
function splitTarget(target: string): { rawPath: string; rawQueryString: string } {
  const origin = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*/.exec(target);
  const rest = origin ? target.slice(origin[0].length) || '/' : target;
  const question = rest.indexOf('?');
  return question < 0
    ? { rawPath: rest, rawQueryString: '' }
    : { rawPath: rest.slice(0, question), rawQueryString: rest.slice(question + 1) };
}

function headerLists(rawHeaders: readonly string[]): { [name: string]: string[] } {
  const headers: { [name: string]: string[] } = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    (headers[name] ??= []).push(rawHeaders[i + 1]);
  }
  return headers;
}

function sourceIp(socket: Socket): string {
  return (socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  function send(res: http.ServerResponse, response: GatewayResponse, requestId: string): void {
    if (res.headersSent || res.destroyed) return;
    const headers: http.OutgoingHttpHeaders = { 'content-length': response.body.length };
    for (const [name, values] of Object.entries(response.headers)) {
      headers[name] = values.length === 1 ? values[0] : [...values];
    }
    try {
      res.writeHead(response.statusCode, headers);
    } catch (error) {
      log(`an answer with status ${response.statusCode} could not be written (${describe(error)}): 500 instead`);
      const fallback = jsonAnswer(500, 'Internal Server Error', requestId);
      res.writeHead(500, { 'content-type': 'application/json', 'apigw-requestid': requestId });
      res.end(fallback.body);
      return;
    }
    res.end(response.body);
  }

  async function dispatch(request: GatewayRequest, res: http.ServerResponse): Promise<void> {
    let result;
    try {
      result = await options.gateway.handle(request);
    } catch (error) {
      // An internal failure: API Gateway answers 500 and may not log it (http-api-monitor.html).
      log(
        `${request.method} ${request.rawPath} (request ${request.requestId}): the gateway failed: ${describe(error)}`,
      );
      send(res, jsonAnswer(500, 'Internal Server Error', request.requestId), request.requestId);
      return;
    }
    send(res, result.response, request.requestId);
    if (options.accessLog) {
      try {
        options.accessLog.write(formatAccessLog(options.accessLog.format, result.context));
      } catch (error) {
        log(`the access log could not be written: ${describe(error)}`);
      }
    }
  }

  /**
   * 413 before the body is read in full; what is still coming is read and dropped, up to one more quota, so that the
   * client sees the answer rather than a reset connection. Like API Gateway, no access-log line (http-api-monitor.html).
   */
  function refuseBody(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): void {
    log(`${req.method} ${req.url} (request ${requestId}): body over ${maxBodyBytes} bytes refused: 413`);
    res.setHeader('connection', 'close');
    send(res, jsonAnswer(413, 'Request Entity Too Large', requestId), requestId);
    let dropped = 0;
    req.removeAllListeners('data');
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > maxBodyBytes) req.socket.destroy();
    });
    req.resume();
  }

  function onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const requestId = newRequestId();
    const timeEpoch = Date.now();
    req.on('error', () => req.socket.destroy());
    res.on('error', () => res.destroy());
    const declared = Number(req.headers['content-length']);
    if (declared > maxBodyBytes) return refuseBody(req, res, requestId);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        return refuseBody(req, res, requestId);
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const request: GatewayRequest = {
        method: req.method ?? 'GET',
        ...splitTarget(req.url ?? '/'),
        headers: headerLists(req.rawHeaders),
        body: Buffer.concat(chunks),
        sourceIp: sourceIp(req.socket),
        requestId,
        timeEpoch,
      };
      void dispatch(request, res);
    });
  }

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, onRequest);
  // A client that asks before sending its body (curl does above 1 MB) learns of a body over the quota before sending it.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!(Number(req.headers['content-length']) > maxBodyBytes)) res.writeContinue();
    onRequest(req, res);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (socket.writable && error.code !== 'ECONNRESET') {
      // API Gateway answers 431 to a request line and headers over its quota (rest-api-monitor.html lists 431).
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      log(`malformed request from ${sourceIp(socket)} refused (${error.code ?? describe(error)})`);
      const answer = tooLarge ? rawAnswer(431, 'Request Header Fields Too Large') : rawAnswer(400, 'Bad Request');
      socket.end(answer, () => socket.destroy());
      return;
    }
    socket.destroy();
  });

  const { url, port } = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return { url, port, close: () => closeServer(server) };
}
