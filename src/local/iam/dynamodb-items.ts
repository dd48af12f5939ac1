/**
 * The IAM request of each item-level DynamoDB call (GetItem, PutItem, UpdateItem, DeleteItem, ConditionCheck, Query,
 * Scan) with the DynamoDB condition keys it carries:
 * - `dynamodb:LeadingKeys`: the partition key values of the items (of the index, on an index);
 * - `dynamodb:Attributes`: the attribute names the request reads, writes or tests, key attributes included;
 * - `dynamodb:Select`: a read's `Select`, which "always has a value (ALL_ATTRIBUTES, unless otherwise specified)";
 * - `dynamodb:ReturnValues`: a write's `ReturnValues`, which "always has a value (NONE unless otherwise specified)";
 * - `dynamodb:ReturnConsumedCapacity`, when the request sets it;
 * - `dynamodb:EnclosingOperation`: `TransactWriteItems` / `TransactGetItems` for an item of a transaction.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 */
import type { KeyAttributeModel, LocalTableModel } from '../model';
import { resolveIndex, resolveTable, TableScope, TargetResource } from './dynamodb-tables';
import { attributeNames } from './expression-tokens';
import { keyAttribute, queryPartitionKey } from './key-condition';
import type { ContextValue, IamRequest, RequestContext } from './types';

export type Input = { readonly [key: string]: unknown };
export type Mapped<T> = T | { readonly error: string };

/** What every request of one call shares: the tables, where the caller is, and the session's context keys. */
export interface Caller {
  readonly tables: readonly LocalTableModel[];
  readonly scope: TableScope;
  readonly principalArn: string;
  readonly session: RequestContext;
}

export const isError = (value: unknown): value is { readonly error: string } =>
  value !== null && typeof value === 'object' && 'error' in value;

const recordOf = (value: unknown): Input =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Input) : {};

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** One IAM request; keys without a value are left out of the context. */
export function iamRequest(
  caller: Caller,
  action: string,
  resource: string,
  keys: { readonly [key: string]: ContextValue | undefined },
): IamRequest {
  const context: { [key: string]: ContextValue } = { ...caller.session };
  for (const [key, value] of Object.entries(keys)) {
    if (value !== undefined) context[key] = value;
  }
  return { action: `dynamodb:${action}`, resource, principalArn: caller.principalArn, context };
}

/** The text of the partition key in a `Key` or `Item`, checked as DynamoDB checks it; undefined for unknown tables. */
export function partitionValue(
  partitionKey: KeyAttributeModel | undefined,
  record: unknown,
  parameter: 'Key' | 'Item',
): Mapped<string | undefined> {
  if (!partitionKey) return undefined;
  const value = recordOf(record)[partitionKey.name];
  const attribute = keyAttribute(value);
  if (parameter === 'Item' && value === undefined) {
    return { error: `One or more parameter values were invalid: Missing the key ${partitionKey.name} in the item` };
  }
  if (attribute === undefined || attribute.type !== partitionKey.type) {
    if (parameter === 'Key') return { error: 'The provided key element does not match the schema' };
    const actual = Object.keys(recordOf(value))[0] ?? typeof value;
    return {
      error: `One or more parameter values were invalid: Type mismatch for key ${partitionKey.name} expected: ${partitionKey.type} actual: ${actual}`,
    };
  }
  if (attribute.text === '') {
    return {
      error: `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${partitionKey.name}`,
    };
  }
  return attribute.text;
}

/**
 * The attribute names of a request: `listed` holds lists of names (`AttributesToGet`) and maps keyed by name (`Key`,
 * `Item`, `Expected`); `expressions` names the parameters whose expressions are read with the request's
 * `ExpressionAttributeNames`.
 */
export function attributesOf(
  input: Input,
  listed: readonly unknown[],
  expressions: readonly string[],
): Mapped<string[] | undefined> {
  const names = new Set<string>();
  for (const source of listed) {
    if (Array.isArray(source)) stringList(source).forEach((n) => names.add(n));
    else Object.keys(recordOf(source)).forEach((n) => names.add(n));
  }
  for (const parameter of expressions) {
    const found = attributeNames(input[parameter], input.ExpressionAttributeNames, parameter);
    if (isError(found)) return found;
    found.forEach((n) => names.add(n));
  }
  return names.size ? [...names] : undefined;
}

const returnConsumedCapacity = (input: Input) =>
  typeof input.ReturnConsumedCapacity === 'string' ? input.ReturnConsumedCapacity : undefined;

const hasProjection = (input: Input) =>
  typeof input.ProjectionExpression === 'string' || stringList(input.AttributesToGet).length > 0;

/** `Select` as given; else what DynamoDB defaults to: specific attributes with a projection, else all (projected). */
export function selectOf(input: Input, onIndex: boolean): string {
  if (typeof input.Select === 'string') return input.Select;
  if (hasProjection(input)) return 'SPECIFIC_ATTRIBUTES';
  return onIndex ? 'ALL_PROJECTED_ATTRIBUTES' : 'ALL_ATTRIBUTES';
}

export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem';

/** What each item action reads from its input besides the key. */
const ITEM_SHAPES: {
  readonly [action in ItemAction]: {
    readonly key: 'Key' | 'Item';
    readonly listed: readonly string[];
    readonly expressions: readonly string[];
  };
} = {
  GetItem: { key: 'Key', listed: ['Key', 'AttributesToGet'], expressions: ['ProjectionExpression'] },
  PutItem: { key: 'Item', listed: ['Item', 'Expected'], expressions: ['ConditionExpression'] },
  UpdateItem: {
    key: 'Key',
    listed: ['Key', 'AttributeUpdates', 'Expected'],
    expressions: ['UpdateExpression', 'ConditionExpression'],
  },
  DeleteItem: { key: 'Key', listed: ['Key', 'Expected'], expressions: ['ConditionExpression'] },
  ConditionCheckItem: { key: 'Key', listed: ['Key'], expressions: ['ConditionExpression'] },
};

/**
 * One item action on one table. `shared` carries what the enclosing call sets for all its items (a transaction's
 * `ReturnConsumedCapacity` and `EnclosingOperation`).
 */
export function itemRequest(
  caller: Caller,
  action: ItemAction,
  input: Input,
  shared: { readonly [key: string]: string | undefined } = {},
): Mapped<IamRequest> {
  const target = resolveTable(input.TableName, caller.tables, caller.scope);
  if (isError(target)) return target;
  const shape = ITEM_SHAPES[action];
  const key = partitionValue(target.partitionKey, input[shape.key], shape.key);
  if (isError(key)) return key;
  const attributes = attributesOf(
    input,
    shape.listed.map((p) => input[p]),
    shape.expressions,
  );
  if (isError(attributes)) return attributes;
  const reads = action === 'GetItem';
  const writes = action !== 'GetItem' && action !== 'ConditionCheckItem';
  return iamRequest(caller, action, target.arn, {
    'dynamodb:LeadingKeys': key === undefined ? undefined : [key],
    'dynamodb:Attributes': attributes,
    'dynamodb:Select': reads ? selectOf(input, false) : undefined,
    'dynamodb:ReturnValues': writes
      ? typeof input.ReturnValues === 'string'
        ? input.ReturnValues
        : 'NONE'
      : undefined,
    'dynamodb:ReturnConsumedCapacity': returnConsumedCapacity(input),
    ...shared,
  });
}

/** A Query or Scan, of the table or of one of its indexes. */
export function readRequest(caller: Caller, action: 'Query' | 'Scan', input: Input): Mapped<IamRequest> {
  const table = resolveTable(input.TableName, caller.tables, caller.scope);
  if (isError(table)) return table;
  const target: TargetResource | { error: string } = resolveIndex(table, input.IndexName);
  if (isError(target)) return target;
  let key: string | undefined;
  if (action === 'Query' && target.partitionKey) {
    const found = queryPartitionKey(input, target.partitionKey);
    if (isError(found)) return found;
    key = found;
  }
  const listed = [
    input.AttributesToGet,
    action === 'Query' ? input.QueryFilter : input.ScanFilter,
    input.KeyConditions,
  ];
  const expressions = [
    'ProjectionExpression',
    'FilterExpression',
    ...(action === 'Query' ? ['KeyConditionExpression'] : []),
  ];
  const attributes = attributesOf(input, listed, expressions);
  if (isError(attributes)) return attributes;
  return iamRequest(caller, action, target.arn, {
    'dynamodb:LeadingKeys': key === undefined ? undefined : [key],
    'dynamodb:Attributes': attributes,
    'dynamodb:Select': selectOf(input, input.IndexName !== undefined),
    'dynamodb:ReturnConsumedCapacity': returnConsumedCapacity(input),
  });
}

export { recordOf, returnConsumedCapacity };
