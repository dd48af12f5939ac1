/**
 * The IAM requests AWS authorizes for one DynamoDB API call: one per table of a batch (all its partition keys in one
 * `dynamodb:LeadingKeys`), one per item of a transaction (a ConditionCheck is `dynamodb:ConditionCheckItem`), one per
 * PartiQL statement (`dynamodb:PartiQLSelect`...), and the table (or `*`) for control-plane calls.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
 */
import type { LocalTableModel } from '../model';
import {
  attributesOf,
  Caller,
  iamRequest,
  Input,
  isError,
  ItemAction,
  itemRequest,
  Mapped,
  partitionValue,
  readRequest,
  recordOf,
  returnConsumedCapacity,
  selectOf,
} from './dynamodb-items';
import { resolveIndex, resolveTable } from './dynamodb-tables';
import { parsePartiql } from './partiql';
import { parseSessionArn, sessionContext } from './session-context';
import type { IamRequest } from './types';

/** The function's role session, and where its calls go. */
export interface DynamoDbPrincipal {
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<function name>`. */
  readonly arn: string;
  readonly region: string;
  readonly accountId: string;
  /** The role's ARN with its path; derived from the session ARN when absent. */
  readonly roleArn?: string;
  /** The session's tags, when it was assumed with some. */
  readonly tags?: { readonly [key: string]: string };
}

/** Why a call cannot be authorized: DynamoDB refuses it before any item is read, with this exception. */
export interface DynamoDbRequestError {
  readonly error: string;
  readonly errorType: 'ValidationException' | 'UnknownOperationException';
}

/** Control-plane calls on the table `TableName` names. */
const TABLE_OPERATIONS = new Set([
  'CreateTable',
  'DeleteTable',
  'DescribeTable',
  'UpdateTable',
  'DescribeTimeToLive',
  'UpdateTimeToLive',
  'DescribeContinuousBackups',
  'UpdateContinuousBackups',
  'DescribeContributorInsights',
  'UpdateContributorInsights',
  'DescribeKinesisStreamingDestination',
  'EnableKinesisStreamingDestination',
  'DisableKinesisStreamingDestination',
  'UpdateKinesisStreamingDestination',
  'DescribeTableReplicaAutoScaling',
  'UpdateTableReplicaAutoScaling',
  'CreateBackup',
]);
/** Calls on the resource `ResourceArn` names. */
const RESOURCE_ARN_OPERATIONS = new Set([
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'GetResourcePolicy',
  'PutResourcePolicy',
  'DeleteResourcePolicy',
]);
/** Calls without resource-level permissions: authorized on `*`. */
const ACCOUNT_OPERATIONS = new Set([
  'ListTables',
  'DescribeLimits',
  'DescribeEndpoints',
  'ListBackups',
  'ListGlobalTables',
  'ListExports',
  'ListImports',
  'ListContributorInsights',
]);

type Handler = (caller: Caller, input: Input) => Mapped<IamRequest[]>;

const single = (request: Mapped<IamRequest>): Mapped<IamRequest[]> => (isError(request) ? request : [request]);

/** Collects mapped requests, stopping at the first error. */
function all(requests: Iterable<Mapped<IamRequest>>): Mapped<IamRequest[]> {
  const out: IamRequest[] = [];
  for (const request of requests) {
    if (isError(request)) return request;
    out.push(request);
  }
  return out;
}

const listOf = (value: unknown): Input[] => (Array.isArray(value) ? value.map(recordOf) : []);

function batchGet(caller: Caller, input: Input): Mapped<IamRequest[]> {
  return all(
    Object.entries(recordOf(input.RequestItems)).map(([tableName, value]): Mapped<IamRequest> => {
      const entry = recordOf(value);
      const target = resolveTable(tableName, caller.tables, caller.scope);
      if (isError(target)) return target;
      const keys = new Set<string>();
      for (const key of listOf(entry.Keys)) {
        const text = partitionValue(target.partitionKey, key, 'Key');
        if (isError(text)) return text;
        if (text !== undefined) keys.add(text);
      }
      const attributes = attributesOf(entry, [...listOf(entry.Keys), entry.AttributesToGet], ['ProjectionExpression']);
      if (isError(attributes)) return attributes;
      return iamRequest(caller, 'BatchGetItem', target.arn, {
        'dynamodb:LeadingKeys': keys.size ? [...keys] : undefined,
        'dynamodb:Attributes': attributes,
        'dynamodb:Select': selectOf(entry, false),
        'dynamodb:ReturnConsumedCapacity': returnConsumedCapacity(input),
      });
    }),
  );
}

function batchWrite(caller: Caller, input: Input): Mapped<IamRequest[]> {
  return all(
    Object.entries(recordOf(input.RequestItems)).map(([tableName, value]): Mapped<IamRequest> => {
      const target = resolveTable(tableName, caller.tables, caller.scope);
      if (isError(target)) return target;
      const keys = new Set<string>();
      const records: Input[] = [];
      for (const write of listOf(value)) {
        const put = write.PutRequest !== undefined;
        const record = put ? recordOf(write.PutRequest).Item : recordOf(write.DeleteRequest).Key;
        const text = partitionValue(target.partitionKey, record, put ? 'Item' : 'Key');
        if (isError(text)) return text;
        if (text !== undefined) keys.add(text);
        records.push(recordOf(record));
      }
      const attributes = attributesOf({}, records, []);
      if (isError(attributes)) return attributes;
      return iamRequest(caller, 'BatchWriteItem', target.arn, {
        'dynamodb:LeadingKeys': keys.size ? [...keys] : undefined,
        'dynamodb:Attributes': attributes,
        'dynamodb:ReturnConsumedCapacity': returnConsumedCapacity(input),
      });
    }),
  );
}

const TRANSACT_WRITE_ACTIONS: { readonly [member: string]: ItemAction } = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/** Each item of a transaction is authorized as its own item action. */
function transactWrite(caller: Caller, input: Input): Mapped<IamRequest[]> {
  return all(
    listOf(input.TransactItems).map((item) => {
      const [member, action] = Object.entries(TRANSACT_WRITE_ACTIONS).find(([m]) => item[m] !== undefined) ?? [];
      if (!member || !action) {
        return { error: 'TransactItems can only contain one of Check, Put, Update or Delete' };
      }
      return itemRequest(caller, action, recordOf(item[member]), {
        'dynamodb:ReturnConsumedCapacity': returnConsumedCapacity(input),
        // The service authorization reference lists EnclosingOperation for the item actions but ConditionCheckItem.
        'dynamodb:EnclosingOperation': action === 'ConditionCheckItem' ? undefined : 'TransactWriteItems',
      });
    }),
  );
}

function transactGet(caller: Caller, input: Input): Mapped<IamRequest[]> {
  return all(
    listOf(input.TransactItems).map((item) =>
      itemRequest(caller, 'GetItem', recordOf(item.Get), {
        'dynamodb:ReturnConsumedCapacity': returnConsumedCapacity(input),
        'dynamodb:EnclosingOperation': 'TransactGetItems',
      }),
    ),
  );
}

/** One PartiQL statement: its verb's action on its table or index, with the partition keys it names. */
function statement(caller: Caller, input: Input): Mapped<IamRequest> {
  if (typeof input.Statement !== 'string') {
    return {
      error:
        "1 validation error detected: Value null at 'statement' failed to satisfy constraint: Member must not be null",
    };
  }
  const parsed = parsePartiql(input.Statement, Array.isArray(input.Parameters) ? input.Parameters : []);
  if (isError(parsed)) return parsed;
  const table = resolveTable(parsed.table, caller.tables, caller.scope);
  if (isError(table)) return table;
  const target = resolveIndex(table, parsed.index);
  if (isError(target)) return target;
  const keys = target.partitionKey ? parsed.keys(target.partitionKey.name) : undefined;
  if (target.partitionKey && !keys && (parsed.verb === 'Update' || parsed.verb === 'Delete')) {
    return { error: 'Where clause does not contain a mandatory equality on all key attributes' };
  }
  if (target.partitionKey && !keys && parsed.verb === 'Insert') {
    return {
      error: `One or more parameter values were invalid: Missing the key ${target.partitionKey.name} in the item`,
    };
  }
  return iamRequest(caller, `PartiQL${parsed.verb}`, target.arn, {
    'dynamodb:LeadingKeys': keys,
    'dynamodb:FullTableScan': parsed.verb === 'Select' ? String(keys === undefined) : undefined,
  });
}

const HANDLERS: { readonly [operation: string]: Handler } = {
  GetItem: (caller, input) => single(itemRequest(caller, 'GetItem', input)),
  PutItem: (caller, input) => single(itemRequest(caller, 'PutItem', input)),
  UpdateItem: (caller, input) => single(itemRequest(caller, 'UpdateItem', input)),
  DeleteItem: (caller, input) => single(itemRequest(caller, 'DeleteItem', input)),
  Query: (caller, input) => single(readRequest(caller, 'Query', input)),
  Scan: (caller, input) => single(readRequest(caller, 'Scan', input)),
  BatchGetItem: batchGet,
  BatchWriteItem: batchWrite,
  TransactGetItems: transactGet,
  TransactWriteItems: transactWrite,
  ExecuteStatement: (caller, input) => single(statement(caller, input)),
  BatchExecuteStatement: (caller, input) => all(listOf(input.Statements).map((s) => statement(caller, s))),
  ExecuteTransaction: (caller, input) => all(listOf(input.TransactStatements).map((s) => statement(caller, s))),
};

function controlPlane(operation: string, caller: Caller, input: Input): Mapped<IamRequest[]> | undefined {
  if (ACCOUNT_OPERATIONS.has(operation)) return [iamRequest(caller, operation, '*', {})];
  if (TABLE_OPERATIONS.has(operation)) {
    const target = resolveTable(input.TableName, caller.tables, caller.scope);
    return isError(target) ? target : [iamRequest(caller, operation, target.arn, {})];
  }
  if (RESOURCE_ARN_OPERATIONS.has(operation)) {
    if (typeof input.ResourceArn !== 'string' || !input.ResourceArn) {
      return {
        error:
          "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null",
      };
    }
    return [iamRequest(caller, operation, input.ResourceArn, {})];
  }
  return undefined;
}

/**
 * The IAM requests DynamoDB authorizes for `operation` (`PutItem`, from `X-Amz-Target`) with `input` in DynamoDB
 * JSON, made by `principal`. A call DynamoDB would refuse before reading anything (no table name, a key without its
 * partition key, an unreadable key condition, an unknown operation) gives `{ error, errorType }` instead.
 */
export function dynamoDbIamRequests(
  operation: string,
  input: object,
  tables: readonly LocalTableModel[],
  principal: DynamoDbPrincipal,
): IamRequest[] | DynamoDbRequestError {
  const { partition } = parseSessionArn(principal.arn);
  const caller: Caller = {
    tables,
    scope: { partition, region: principal.region, accountId: principal.accountId },
    principalArn: principal.arn,
    session: sessionContext(principal),
  };
  const body = recordOf(input);
  const handler = HANDLERS[operation];
  const mapped = handler ? handler(caller, body) : controlPlane(operation, caller, body);
  if (mapped === undefined) {
    return { error: `Unknown operation: ${operation}`, errorType: 'UnknownOperationException' };
  }
  return isError(mapped) ? { error: mapped.error, errorType: 'ValidationException' } : mapped;
}
