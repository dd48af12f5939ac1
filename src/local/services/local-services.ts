/**
 * One local endpoint for the services whose state lives as long as the local run: SQS (AWS JSON 1.0,
 * `X-Amz-Target: AmazonSQS.*`), EventBridge (AWS JSON 1.1, `AWSEvents.*`) and Secrets Manager (`secretsmanager.*`),
 * told apart by the target header as AWS's own front ends route them. The functions reach it through
 * `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_EVENTBRIDGE` and `AWS_ENDPOINT_URL_SECRETS_MANAGER`; queue URLs point at
 * it too. DynamoDB and STS keep their own endpoint, which is restarted with the tables.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import { readSignature } from '../dynamodb/signature';
import { EventsError, type EventsApi } from '../events/api';
import { closeServer, listen } from '../listen';
import type { SqsApi } from '../sqs/api';
import { SqsError } from '../sqs/errors';

/** An SQS message may be 1 MiB, a batch too; a request this large is none of theirs. */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

export interface LocalServicesOptions {
  readonly sqs: SqsApi;
  readonly events: EventsApi;
  readonly secretsManager: http.RequestListener;
  readonly log: (line: string) => void;
  /** @default 127.0.0.1 */
  readonly host?: string;
}

export interface LocalServices {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: { readonly [name: string]: string };
}

const SQS_TARGET = 'AmazonSQS.';
const EVENTS_TARGET = 'AWSEvents.';

function sqsError(error: SqsError): Answer {
  return {
    status: error.status,
    body: { __type: `${error.namespace}#${error.code}`, message: error.message },
    headers: { 'x-amzn-query-error': `${error.queryCode};${error.status >= 500 ? 'Receiver' : 'Sender'}` },
  };
}

function eventsError(error: EventsError): Answer {
  return { status: error.status, body: { __type: error.type, message: error.message } };
}

export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const answer = async (target: string, request: http.IncomingMessage, body: Buffer): Promise<Answer> => {
    const sqs = target.startsWith(SQS_TARGET);
    const fail = (code: string, message: string): Answer =>
      sqs
        ? sqsError(new SqsError(code, message, code, 400, 'com.amazon.coral.service'))
        : eventsError(new EventsError(code, message));
    const signature = readSignature(
      request.headers.authorization,
      new URL(request.url ?? '/', 'http://local').searchParams,
    );
    if (signature.kind === 'missing') {
      return fail('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
    }
    if (signature.kind === 'incomplete') return fail('IncompleteSignatureException', signature.message);
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return fail('SerializationException', 'Start of structure or map found where not expected.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return fail('SerializationException', 'Start of structure or map expected.');
    }
    const parameters = input as { [key: string]: unknown };
    try {
      if (sqs) {
        return {
          status: 200,
          body: await options.sqs.call(target.slice(SQS_TARGET.length), parameters, signature.accessKeyId),
        };
      }
      return {
        status: 200,
        body: options.events.call(target.slice(EVENTS_TARGET.length), parameters, signature.accessKeyId),
      };
    } catch (error) {
      if (error instanceof SqsError) return sqsError(error);
      if (error instanceof EventsError) return eventsError(error);
      throw error;
    }
  };

  const server = http.createServer((request, response) => {
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target.startsWith('secretsmanager.')) return options.secretsManager(request, response);
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      const known = target.startsWith(SQS_TARGET) || target.startsWith(EVENTS_TARGET);
      const pending: Promise<Answer> = !known
        ? Promise.resolve(unknownService(target, request, options.log))
        : size > MAX_REQUEST_BYTES
          ? Promise.resolve(
              eventsError(new EventsError('ValidationException', `Request body exceeds ${MAX_REQUEST_BYTES} bytes`)),
            )
          : answer(target, request, Buffer.concat(chunks));
      void pending
        .catch((failure: unknown): Answer => {
          options.log(
            `The local services endpoint failed on ${target}: ${failure instanceof Error ? failure.stack : String(failure)}`,
          );
          return { status: 500, body: { __type: 'InternalFailure', message: 'An internal error occurred.' } };
        })
        .then((result) => {
          const payload = Buffer.from(JSON.stringify(result.body), 'utf8');
          response.writeHead(result.status, {
            'Content-Type': target.startsWith(SQS_TARGET) ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
            'Content-Length': String(payload.length),
            'x-amzn-RequestId': randomUUID(),
            ...result.headers,
          });
          response.end(payload);
        });
    });
  });
  const { url } = await listen(server, options.host ?? '127.0.0.1');
  return { endpoint: url, close: () => closeServer(server) };
}

/**
 * A request for none of the three: most likely SQS's older query protocol (a form with `Action=SendMessage`), which
 * AWS SDK v3 clients no longer speak.
 */
function unknownService(target: string, request: http.IncomingMessage, log: (line: string) => void): Answer {
  const form = /^application\/x-www-form-urlencoded/i.test(request.headers['content-type'] ?? '');
  const message = form
    ? 'The local SQS speaks the AWS JSON protocol of the AWS SDK v3 (@aws-sdk/client-sqs), not the query protocol: update the client'
    : `The local services endpoint answers SQS, EventBridge and Secrets Manager, got: ${target || 'a request without X-Amz-Target'}`;
  log(message);
  return { status: 400, body: { __type: 'UnknownOperationException', message } };
}
