/**
 * DynamoDB's JSON data format (`{ "S": "a" }`, `{ "N": "1" }`, ...) to and from plain values, for the test kit's
 * table access. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
 * Numbers become JavaScript numbers, sets become `Set`s, binary values `Uint8Array`s, as the AWS SDK's document
 * client gives them.
 */

/** A value of DynamoDB JSON. */
export type AttributeValue = { readonly [type: string]: unknown };

/** A plain item: what a document client reads and writes. */
export type PlainItem = { [attribute: string]: unknown };

export function fromAttributeValue(value: AttributeValue): unknown {
  const [type, inner] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
      return inner;
    case 'N':
      return Number(inner);
    case 'BOOL':
      return inner;
    case 'NULL':
      return null;
    case 'B':
      return Buffer.from(String(inner), 'base64');
    case 'SS':
      return new Set(inner as string[]);
    case 'NS':
      return new Set((inner as string[]).map(Number));
    case 'BS':
      return new Set((inner as string[]).map((b) => Buffer.from(b, 'base64')));
    case 'L':
      return (inner as AttributeValue[]).map(fromAttributeValue);
    case 'M':
      return fromItem(inner as { [name: string]: AttributeValue });
    default:
      throw new Error(`not a DynamoDB attribute value: ${JSON.stringify(value)}`);
  }
}

export function fromItem(item: { readonly [name: string]: AttributeValue }): PlainItem {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, fromAttributeValue(value)]));
}

export function toAttributeValue(value: unknown, path: string): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`\`${path}\` must be a finite number, got: ${value}`);
    return { N: String(value) };
  }
  if (typeof value === 'bigint') return { N: value.toString() };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value instanceof Uint8Array) return { B: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return { L: value.map((element, i) => toAttributeValue(element, `${path}[${i}]`)) };
  if (value instanceof Set) return setValue(value, path);
  if (typeof value === 'object') return { M: toItem(value as PlainItem, path) };
  throw new Error(
    `\`${path}\` must be a string, number, boolean, null, binary, list, set or map, got: ${typeof value}`,
  );
}

export function toItem(item: PlainItem, path = 'item'): { [name: string]: AttributeValue } {
  return Object.fromEntries(
    Object.entries(item)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, toAttributeValue(value, `${path}.${name}`)]),
  );
}

function setValue(set: Set<unknown>, path: string): AttributeValue {
  const values = [...set];
  if (values.length === 0) throw new Error(`\`${path}\` must not be an empty set: DynamoDB has no empty sets`);
  if (values.every((v) => typeof v === 'string')) return { SS: values as string[] };
  if (values.every((v) => typeof v === 'number')) return { NS: values.map(String) };
  if (values.every((v) => v instanceof Uint8Array)) {
    return { BS: values.map((v) => Buffer.from(v as Uint8Array).toString('base64')) };
  }
  throw new Error(`\`${path}\` must be a set of strings, numbers or binary values only`);
}
