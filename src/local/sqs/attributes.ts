/**
 * Message attributes as SQS takes and checksums them: each a `DataType` (`String`, `Number` or `Binary`, with an
 * optional custom suffix) and a value; at most 10; and the MD5 digests SQS returns for the body and the attributes,
 * which the AWS SDK checks.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 */
import { createHash } from 'crypto';

/** A message attribute in the JSON protocol's shape; a binary value travels as base64. */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export type MessageAttributes = { readonly [name: string]: MessageAttributeValue };

const MAX_ATTRIBUTES = 10;
const NAME = /^[A-Za-z0-9_\-.]{1,256}$/;

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** Why SQS refuses the attributes (`InvalidParameterValue`), or undefined when they are valid. */
export function attributesProblem(attributes: unknown): string | undefined {
  if (attributes === undefined) return undefined;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    return 'MessageAttributes must be a map of attribute names to values.';
  }
  const entries = Object.entries(attributes as { [name: string]: unknown });
  if (entries.length > MAX_ATTRIBUTES) {
    return `Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`;
  }
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!NAME.test(name) || name.includes('..') || name.startsWith('.') || name.endsWith('.')) {
      return `Message attribute name '${name}' is invalid.`;
    }
    if (lower.startsWith('aws.') || lower.startsWith('amazon.')) {
      return `Message attribute name '${name}' is reserved for use by SQS.`;
    }
    const { DataType, StringValue, BinaryValue } = (value ?? {}) as MessageAttributeValue;
    const base = typeof DataType === 'string' ? DataType.split('.')[0] : undefined;
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      return `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`;
    }
    const present = base === 'Binary' ? BinaryValue : StringValue;
    if (present === undefined || present === '') {
      return `Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`;
    }
    if (base === 'Number' && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(String(StringValue))) {
      return `Value ${StringValue} for parameter MessageAttribute ${name} is invalid. Reason: Can't parse the number.`;
    }
  }
  return undefined;
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * The MD5 of the attributes as SQS computes it: sorted by name, each name, data type, a transport byte (1 for
 * strings and numbers, 2 for binary) and value, every part prefixed by its 4-byte length.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
 */
export function md5OfAttributes(attributes: MessageAttributes | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes![name];
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(DataType, 'utf8')));
    if (DataType.startsWith('Binary')) {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(BinaryValue ?? '', 'base64')));
    } else {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(StringValue ?? '', 'utf8')));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

/** The bytes a message counts against the size limit: its body, and each attribute's name, type and value. */
export function messageSize(body: string, attributes: MessageAttributes | undefined): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size +=
      value.BinaryValue !== undefined
        ? Buffer.from(value.BinaryValue, 'base64').length
        : Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}

/**
 * The body as SQS stores it: characters outside XML's (`#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
 * #x10000-#x10FFFF`) become U+FFFD; undefined when no valid character is left.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export function storedBody(body: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const invalid = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
  const stored = body.replace(invalid, '\uFFFD');
  return stored.replace(/\uFFFD/g, '').length === 0 && body.length > 0 && stored !== body ? undefined : stored;
}
