/**
 * The DynamoDB endpoint the functions reach: it reads who signed each request and what it asks, lets the table
 * authorizer decide as IAM would for that function's role, answers a denial as DynamoDB does, and forwards the rest
 * to the engine unchanged.
 */
import * as http from 'http';
import { pipeline } from 'stream';
import type { TableAuthorizer } from '../contracts';
import { errorTypeOfBody, oldItemKey, withOldItem } from './condition-failure';
import { KEEP_ALIVE_MS, MAX_REQUEST_BYTES } from './engine';
import {
  AMZ_JSON,
  crc32,
  refused,
  incompleteSignature,
  internalServerError,
  missingAuthenticationToken,
  sendError,
  serializationError,
  type DynamoDbErrorBody,
} from './errors';
import { operationOf, operationSupport } from './operations';
import { readSignature } from './signature';
import type { StreamCapture } from './stream-capture';
import { closeServer, listen } from '../listen';
import { stsError, type StsAnswer } from '../sts/query-protocol';

/** Answers an STS request signed with `accessKeyId`. */
export type StsHandler = (accessKeyId: string, form: URLSearchParams) => StsAnswer;

export interface EndpointOptions {
  /** `http://host:port` of the engine. */
  readonly engine: string;
  readonly host: string;
  readonly authorizer?: TableAuthorizer;
  /** Answers STS requests (the query protocol: a form-encoded body) sent to this endpoint. */
  readonly sts?: StsHandler;
  /** Requests signed with this key skip the authorizer. */
  readonly adminAccessKeyId: string;
  /** The name to log for a caller's access key id (its function's), when known. */
  readonly callerName?: (accessKeyId: string) => string | undefined;
  /** Told of every DynamoDB call a caller other than the admin made, once it is answered. */
  readonly onCall?: (call: TableCall) => void;
  /** Reads the items a write changes in a table with a stream, before and after it. */
  readonly capture?: StreamCapture;
  /** The key attribute names of a table, to find the item a failed PutItem asked for. */
  readonly keyNames?: (tableName: string) => readonly string[] | undefined;
  readonly log: (line: string) => void;
}

/** One DynamoDB call as the endpoint answered it. */
export interface TableCall {
  readonly accessKeyId: string;
  /** `Query`, `PutItem`, ... */
  readonly operation: string;
  /** The request, DynamoDB JSON. */
  readonly input: { readonly [key: string]: unknown };
  /** The HTTP status answered: 200, or 400 for an error DynamoDB names (denied, a failed condition...). */
  readonly status: number;
  /** The error answered, by DynamoDB's name: `AccessDeniedException`, `ConditionalCheckFailedException`... */
  readonly errorType?: string;
}

/** What to do with a complete request: answer it here, or forward it; and the call it is, when it is one. */
interface Decision {
  readonly answer?: DynamoDbErrorBody;
  readonly call?: Omit<TableCall, 'status' | 'errorType'>;
  /** The operation and input of a request the engine will run, whoever signed it (for the tables' streams). */
  readonly write?: { readonly operation: string; readonly input: { readonly [key: string]: unknown } };
}

export interface Endpoint {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Connection headers concern one hop only: each side of the endpoint has its own connection (and the body is sent
 * whole, so nothing waits for a `100 Continue`).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'expect',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export async function startEndpoint(options: EndpointOptions): Promise<Endpoint> {
  const engine = new URL(options.engine);
  const pool = new http.Agent({ keepAlive: true });
  const warned = new Set<string>();

  const decide = (request: http.IncomingMessage, body: Buffer): Decision => {
    const operation = operationOf(request.headers['x-amz-target']);
    // Not a DynamoDB operation (or a health check): the engine answers as DynamoDB does, and it changes nothing.
    if (operation === undefined || operationSupport(operation) === 'unknown' || request.method !== 'POST') {
      return {};
    }
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      // Empty or unreadable: the engine answers SerializationException as DynamoDB does, and it changes nothing.
      return {};
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return {
        answer: serializationError(
          `Start of structure or map expected for ${operation}, got: ${JSON.stringify(input).slice(0, 40)}`,
        ),
      };
    }
    const query = new URL(request.url ?? '/', 'http://local').searchParams;
    const signature = readSignature(request.headers.authorization, query);
    if (signature.kind === 'missing') return { answer: missingAuthenticationToken() };
    if (signature.kind === 'incomplete') return { answer: incompleteSignature(signature.message) };
    const call =
      signature.accessKeyId === options.adminAccessKeyId
        ? undefined
        : { accessKeyId: signature.accessKeyId, operation, input: input as { [key: string]: unknown } };
    if (signature.accessKeyId !== options.adminAccessKeyId && options.authorizer) {
      const decision = options.authorizer.authorize({
        accessKeyId: signature.accessKeyId,
        operation,
        input: input as { [key: string]: unknown },
      });
      if (!decision.allowed) {
        // The authorizer's reason may name the caller itself; a name given here goes first.
        const caller = options.callerName?.(signature.accessKeyId);
        options.log(caller === undefined ? `DENIED ${decision.reason}` : `DENIED ${caller} ${decision.reason}`);
        return { answer: refused(decision.errorType, decision.message), call };
      }
    }
    if (operationSupport(operation) === 'unsupported' && !warned.has(operation)) {
      warned.add(operation);
      options.log(
        `The local DynamoDB (dynalite) does not support ${operation}: it answers UnknownOperationException, where DynamoDB in AWS runs it. Code that needs ${operation} cannot be exercised locally.`,
      );
    }
    return { call, write: { operation, input: input as { [key: string]: unknown } } };
  };

  const forward = (
    request: http.IncomingMessage,
    body: Buffer,
    response: http.ServerResponse,
    call: Decision['call'],
    answered: (status: number, errorType?: string) => void,
  ) => {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!HOP_BY_HOP.has(name) && name !== 'content-length' && value !== undefined) headers[name] = value;
    }
    headers['content-length'] = body.length;
    const upstream = http.request({
      agent: pool,
      hostname: engine.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: engine.port,
      method: request.method,
      path: request.url,
      headers,
    });
    upstream.on('response', (answer) => {
      const status = answer.statusCode ?? 502;
      const raw: string[] = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(answer.rawHeaders[i].toLowerCase())) {
          raw.push(answer.rawHeaders[i], answer.rawHeaders[i + 1]);
        }
      }
      if (status < 400) {
        response.writeHead(status, raw);
        answered(status);
        // A caller that hangs up only stops the copy; the engine's answer is read to its end either way.
        pipeline(answer, response, () => answer.resume());
        return;
      }
      // An error is small: read it whole, to name it and to add what DynamoDB adds that the engine leaves out.
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('error', () => response.destroy());
      answer.on('end', () => {
        void completeError(request, Buffer.concat(chunks), call).then((errorBody) => {
          // The body may have grown: its length and checksum are the new body's.
          const kept: string[] = [];
          for (let i = 0; i < raw.length; i += 2) {
            if (!['content-length', 'x-amz-crc32'].includes(raw[i].toLowerCase())) kept.push(raw[i], raw[i + 1]);
          }
          kept.push('Content-Length', String(errorBody.length), 'x-amz-crc32', String(crc32(errorBody)));
          response.writeHead(status, kept);
          response.end(errorBody);
          answered(status, errorTypeOfBody(errorBody));
        });
      });
    });
    upstream.on('error', (error) => {
      options.log(`The local DynamoDB engine did not answer: ${error.message}`);
      if (response.headersSent) response.destroy();
      else sendError(response, internalServerError());
      answered(500);
    });
    // The whole body is sent at once: the engine never sees a request cut short.
    upstream.end(body);
  };

  /** The engine's error body, with the failed write's item when it asked for it (see condition-failure.ts). */
  const completeError = async (request: http.IncomingMessage, body: Buffer, call: Decision['call']) => {
    if (!call || errorTypeOfBody(body) !== 'ConditionalCheckFailedException') return body;
    const key = oldItemKey(call.operation, call.input, options.keyNames ?? (() => undefined));
    if (!key) return body;
    try {
      const read = await engineCall(request, 'GetItem', { ...key, ConsistentRead: true });
      return withOldItem(body, (read as { Item?: { [key: string]: unknown } }).Item);
    } catch (error) {
      options.log(`Could not read the item a failed condition asked for: ${(error as Error).message}`);
      return body;
    }
  };

  /** One call to the engine, signed as the request it serves (the engine reads the signature's shape only). */
  const engineCall = (request: http.IncomingMessage, operation: string, input: object) =>
    new Promise<unknown>((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(input), 'utf8');
      const call = http.request(
        {
          agent: pool,
          hostname: engine.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: engine.port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': AMZ_JSON,
            'content-length': payload.length,
            'x-amz-target': `DynamoDB_20120810.${operation}`,
            ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
            ...(request.headers['x-amz-date'] ? { 'x-amz-date': request.headers['x-amz-date'] } : {}),
          },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('error', reject);
          answer.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((answer.statusCode ?? 500) >= 400) {
              reject(new Error(`${operation} answered ${answer.statusCode}: ${text}`));
            } else {
              resolve(JSON.parse(text));
            }
          });
        },
      );
      call.on('error', reject);
      call.end(payload);
    });

  /** STS shares the endpoint (the functions reach it through `AWS_ENDPOINT_URL_STS`): its requests are forms. */
  const answerSts = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => {
    const signature = readSignature(
      request.headers.authorization,
      new URL(request.url ?? '/', 'http://local').searchParams,
    );
    const answer =
      signature.kind !== 'signed'
        ? stsError(400, 'MissingAuthenticationToken', 'Request is missing Authentication Token')
        : options.sts
          ? options.sts(signature.accessKeyId, new URLSearchParams(body.toString('utf8')))
          : stsError(400, 'InvalidAction', 'STS is not served by this endpoint');
    const payload = Buffer.from(answer.body, 'utf8');
    response.writeHead(answer.status, { 'content-type': 'text/xml', 'content-length': payload.length });
    response.end(payload);
  };

  const server = http.createServer((request, response) => {
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    const declared = Number(request.headers['content-length']);
    if (declared > MAX_REQUEST_BYTES) return tooLarge(request, response);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        request.off('data', onData);
        request.off('end', onEnd);
        return tooLarge(request, response);
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const body = Buffer.concat(chunks);
      if (/^application\/x-www-form-urlencoded/i.test(request.headers['content-type'] ?? '')) {
        return answerSts(request, body, response);
      }
      let decision: Decision;
      try {
        decision = decide(request, body);
      } catch (error) {
        options.log(
          `The local DynamoDB endpoint failed on a request: ${error instanceof Error ? error.stack : String(error)}`,
        );
        decision = { answer: internalServerError() };
      }
      const { answer, call, write } = decision;
      if (answer) {
        sendError(response, answer);
        if (call) options.onCall?.({ ...call, status: answer.status, errorType: errorTypeOf(answer) });
      } else {
        const send = (complete?: (status: number) => Promise<void>) =>
          forward(request, body, response, call, (status, errorType) => {
            complete?.(status).catch((error: Error) =>
              options.log(`A stream record could not be written: ${error.message}`),
            );
            if (call) options.onCall?.({ ...call, status, ...(errorType ? { errorType } : {}) });
          });
        if (!write || !options.capture) return send();
        options.capture.begin(write.operation, write.input).then(send, (error: Error) => {
          options.log(`The item a write changes could not be read for its stream: ${error.message}`);
          sendError(response, internalServerError());
        });
      }
    };
    request.on('data', onData);
    request.on('end', onEnd);
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  const { url } = await listen(server, options.host);
  return {
    url,
    close: async () => {
      await closeServer(server);
      pool.destroy();
    },
  };
}

/** `AccessDeniedException` from `com.amazon.coral.service#AccessDeniedException`. */
function errorTypeOf(answer: DynamoDbErrorBody): string | undefined {
  const type = answer.body.__type;
  return type === undefined ? undefined : type.slice(type.indexOf('#') + 1);
}

/**
 * Over DynamoDB's 16 MiB: answered 413 as the engine answers it, and the connection closed rather than the rest of
 * the body read.
 */
function tooLarge(request: http.IncomingMessage, response: http.ServerResponse): void {
  if (response.headersSent) return;
  response.writeHead(413, { Connection: 'close', 'Content-Length': '0' });
  response.end(() => request.destroy());
}
