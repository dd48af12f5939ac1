/**
 * A write whose condition fails can ask DynamoDB for the item as it stands
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), which DynamoDB returns as `Item` in the
 * ConditionalCheckFailedException; dynalite ignores the parameter. The endpoint adds the item, read from the engine
 * right after the failure, so code that relies on it (the runtime toolkit's create-once and idempotency) takes the
 * same path locally as in AWS.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnValuesOnConditionCheckFailure
 */

const SINGLE_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

type Input = { readonly [key: string]: unknown };

/** The key of the item a single write that asked for it failed on, when it asked; else undefined. */
export function oldItemKey(
  operation: string,
  input: Input,
  keyNames: (tableName: string) => readonly string[] | undefined,
): { readonly TableName: string; readonly Key: Input } | undefined {
  if (!SINGLE_WRITES.has(operation) || input.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD') return undefined;
  if (typeof input.TableName !== 'string') return undefined;
  if (operation !== 'PutItem') {
    return isObject(input.Key) ? { TableName: input.TableName, Key: input.Key } : undefined;
  }
  const names = keyNames(input.TableName);
  if (!names || !isObject(input.Item)) return undefined;
  const item = input.Item;
  if (!names.every((name) => name in item)) return undefined;
  return { TableName: input.TableName, Key: Object.fromEntries(names.map((name) => [name, item[name]])) };
}

/** `ConditionalCheckFailedException` from an error body's `com.amazonaws.dynamodb.v20120810#...` type. */
export function errorTypeOfBody(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { __type?: unknown };
    return typeof parsed.__type === 'string' ? parsed.__type.slice(parsed.__type.indexOf('#') + 1) : undefined;
  } catch {
    return undefined;
  }
}

/** The error body with the old item added, as DynamoDB sends it; unchanged when there is no item or already one. */
export function withOldItem(body: Buffer, item: Input | undefined): Buffer {
  if (!item) return body;
  const parsed = JSON.parse(body.toString('utf8')) as Input;
  if ('Item' in parsed) return body;
  return Buffer.from(JSON.stringify({ ...parsed, Item: item }), 'utf8');
}

function isObject(value: unknown): value is Input {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
