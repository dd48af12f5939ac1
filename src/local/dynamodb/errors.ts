/**
 * The errors the local DynamoDB answers itself, byte for byte as DynamoDB sends them (AWS JSON 1.0): HTTP 400, a
 * `__type` naming the Coral exception, `x-amzn-RequestId` and `x-amz-crc32` headers.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
import { randomBytes } from 'crypto';
import type { ServerResponse } from 'http';

/** The AWS JSON 1.0 content type DynamoDB answers with. */
export const AMZ_JSON = 'application/x-amz-json-1.0';

/** A DynamoDB error answer. */
export interface DynamoDbErrorBody {
  readonly status: number;
  readonly body: { readonly [key: string]: string };
}

/**
 * An IAM denial. DynamoDB spells this one's message `Message` (the Coral services' own exceptions say `message`);
 * the AWS SDK reads either, and names the error after what follows `#` in `__type`.
 */
export function accessDenied(message: string): DynamoDbErrorBody {
  return { status: 400, body: { __type: 'com.amazon.coral.service#AccessDeniedException', Message: message } };
}

/** The Coral namespace of each error a `TableAuthorizer` may answer with (DynamoDB's own `__type` values). */
const DECISION_TYPES = {
  AccessDeniedException: 'com.amazon.coral.service#AccessDeniedException',
  UnrecognizedClientException: 'com.amazon.coral.service#UnrecognizedClientException',
  ExpiredTokenException: 'com.amazon.coral.service#ExpiredTokenException',
  ValidationException: 'com.amazon.coral.validate#ValidationException',
  UnknownOperationException: 'com.amazon.coral.service#UnknownOperationException',
} as const;

/** A refusal of the table authorizer, as the error it names. */
export function refused(errorType: keyof typeof DECISION_TYPES | undefined, message: string): DynamoDbErrorBody {
  if (errorType === undefined || errorType === 'AccessDeniedException') return accessDenied(message);
  return { status: 400, body: { __type: DECISION_TYPES[errorType], message } };
}

/** A request without any signature. */
export function missingAuthenticationToken(): DynamoDbErrorBody {
  return {
    status: 400,
    body: {
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    },
  };
}

/** A SigV4 signature whose credential scope cannot be read. */
export function incompleteSignature(message: string): DynamoDbErrorBody {
  return { status: 400, body: { __type: 'com.amazon.coral.service#IncompleteSignatureException', message } };
}

/** A body that is JSON but not the object every DynamoDB operation takes. */
export function serializationError(message: string): DynamoDbErrorBody {
  return { status: 400, body: { __type: 'com.amazon.coral.service#SerializationException', Message: message } };
}

/** Something failed on the server's side; the SDK retries these. */
export function internalServerError(): DynamoDbErrorBody {
  return {
    status: 500,
    body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
  };
}

/** Writes `error` as DynamoDB would, unless an answer has already started. */
export function sendError(response: ServerResponse, error: DynamoDbErrorBody): void {
  if (response.headersSent || response.destroyed) return;
  const body = Buffer.from(JSON.stringify(error.body), 'utf8');
  response.writeHead(error.status, {
    'x-amzn-RequestId': requestId(),
    'x-amz-crc32': String(crc32(body)),
    'Content-Type': AMZ_JSON,
    'Content-Length': String(body.length),
  });
  response.end(body);
}

/** DynamoDB's request ids: 52 characters of upper-case letters and digits. */
export function requestId(): string {
  return randomBytes(39).toString('base64').toUpperCase().replace(/[+/]/g, '0');
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE) of the body, which DynamoDB sends in `x-amz-crc32` and older SDKs check. */
export function crc32(data: Buffer): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    // eslint-disable-next-line no-bitwise
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let crc = 0xffffffff;
  // eslint-disable-next-line no-bitwise
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  // eslint-disable-next-line no-bitwise
  return (crc ^ 0xffffffff) >>> 0;
}
