import { Case, ContextValues, Expected } from './evaluate';
import { TableUnderTest } from './model';
import { dynamoDbIamRequests } from '../../../src/local/iam';
import type { LocalTableModel } from '../../../src/local/model';

/**
 * Keyed cases made the way a function makes them: a real DynamoDB call (GetItem, BatchGetItem, a TransactWriteItems
 * ConditionCheck, a PartiQL statement...), turned into its IAM request by the package's own mapping
 * (`dynamoDbIamRequests`), the one the local API enforces with. So the cases evaluated here are the requests the
 * local API evaluates, with every condition key the mapping sets.
 */

type Key = { [attribute: string]: { S: string } };

/** The table (or index) a resource ARN names, with the key attributes a call on it needs. */
interface Target {
  readonly tableArn: string;
  readonly tableName: string;
  readonly index?: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** The key schema the mapping reads: the table with the index the call uses. */
  readonly model: LocalTableModel;
}

const DEFAULT_PARTITION_KEY = 'PK';

/**
 * The key schema of `resource`: the function's table's own, or, for a table or index it does not use (another table,
 * a replica, an undeclared index), the function's table's attributes under that name, since a call on it carries
 * the same kind of key.
 */
function targetOf(resource: string, tables: readonly TableUnderTest[], own: TableUnderTest): Target {
  const [tableArn, index] = resource.split('/index/');
  const tableName = tableArn.slice(tableArn.indexOf(':table/') + ':table/'.length);
  const table = tables.find((t) => t.arn === tableArn) ?? tables.find((t) => t.name === tableName) ?? own;
  const partitionKey = table.partitionKey ?? own.partitionKey ?? DEFAULT_PARTITION_KEY;
  const sortKey = table.partitionKey ? table.sortKey : own.sortKey;
  const indexKey =
    index === undefined ? undefined : (table.indexes[index] ?? Object.values(own.indexes)[0] ?? 'GSI1PK');
  const attribute = (name: string) => ({ name, type: 'S' });
  const model: LocalTableModel = {
    logicalId: table.logicalId,
    tableName,
    arn: tableArn,
    partitionKey: attribute(partitionKey),
    ...(sortKey ? { sortKey: attribute(sortKey) } : {}),
    globalSecondaryIndexes:
      index === undefined ? [] : [{ indexName: index, partitionKey: attribute(indexKey!), projectionType: 'ALL' }],
    localSecondaryIndexes: [],
  };
  return { tableArn, tableName, index, partitionKey: index ? indexKey! : partitionKey, sortKey, model };
}

/** The DynamoDB call that asks for `action` on the target with these partition keys; undefined when none does. */
function callFor(
  action: string,
  target: Target,
  keys: readonly string[],
): { operation: string; input: { [key: string]: unknown } } | undefined {
  const { tableArn: TableName, partitionKey: pk, sortKey: sk } = target;
  const key = (value: string, n = 0): Key => ({ [pk]: { S: value }, ...(sk ? { [sk]: { S: `x${n}` } } : {}) });
  const one = keys.length === 1 ? keys[0] : undefined;
  const onTable = target.index === undefined;
  const quoted = `"${target.tableName}"${target.index ? `."${target.index}"` : ''}`;
  const params = keys.map((k) => ({ S: k }));
  const where = keys.length === 1 ? `"${pk}" = ?` : `"${pk}" IN [${keys.map(() => '?').join(', ')}]`;
  const skClause = sk ? ` AND "${sk}" = 'x0'` : '';
  switch (action) {
    case 'dynamodb:GetItem':
      return one !== undefined && onTable ? { operation: 'GetItem', input: { TableName, Key: key(one) } } : undefined;
    case 'dynamodb:BatchGetItem':
      return onTable
        ? { operation: 'BatchGetItem', input: { RequestItems: { [TableName]: { Keys: keys.map(key) } } } }
        : undefined;
    case 'dynamodb:ConditionCheckItem':
      return one !== undefined && onTable
        ? {
            operation: 'TransactWriteItems',
            input: {
              TransactItems: [
                {
                  ConditionCheck: {
                    TableName,
                    Key: key(one),
                    ConditionExpression: 'attribute_exists(#pk)',
                    ExpressionAttributeNames: { '#pk': pk },
                  },
                },
              ],
            },
          }
        : undefined;
    case 'dynamodb:Query':
      return one !== undefined
        ? {
            operation: 'Query',
            input: {
              TableName,
              ...(target.index ? { IndexName: target.index } : {}),
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': pk },
              ExpressionAttributeValues: { ':pk': { S: one } },
            },
          }
        : undefined;
    case 'dynamodb:PutItem':
      return one !== undefined && onTable
        ? { operation: 'PutItem', input: { TableName, Item: { ...key(one), v: { N: '1' } } } }
        : undefined;
    case 'dynamodb:UpdateItem':
      return one !== undefined && onTable
        ? {
            operation: 'UpdateItem',
            input: {
              TableName,
              Key: key(one),
              UpdateExpression: 'SET #v = :v',
              ExpressionAttributeNames: { '#v': 'v' },
              ExpressionAttributeValues: { ':v': { N: '1' } },
            },
          }
        : undefined;
    case 'dynamodb:DeleteItem':
      return one !== undefined && onTable
        ? { operation: 'DeleteItem', input: { TableName, Key: key(one) } }
        : undefined;
    case 'dynamodb:BatchWriteItem':
      return onTable
        ? {
            operation: 'BatchWriteItem',
            input: { RequestItems: { [TableName]: keys.map((k, n) => ({ PutRequest: { Item: key(k, n) } })) } },
          }
        : undefined;
    case 'dynamodb:PartiQLSelect':
      return {
        operation: 'ExecuteStatement',
        input: { Statement: `SELECT * FROM ${quoted} WHERE ${where}`, Parameters: params },
      };
    case 'dynamodb:PartiQLInsert':
      return one !== undefined && onTable
        ? {
            operation: 'ExecuteStatement',
            input: {
              Statement: `INSERT INTO ${quoted} VALUE {'${pk}': ?${sk ? `, '${sk}': 'x0'` : ''}}`,
              Parameters: params,
            },
          }
        : undefined;
    case 'dynamodb:PartiQLUpdate':
      return one !== undefined && onTable
        ? {
            operation: 'ExecuteStatement',
            input: { Statement: `UPDATE ${quoted} SET "v" = 1 WHERE ${where}${skClause}`, Parameters: params },
          }
        : undefined;
    case 'dynamodb:PartiQLDelete':
      return one !== undefined && onTable
        ? {
            operation: 'ExecuteStatement',
            input: { Statement: `DELETE FROM ${quoted} WHERE ${where}${skClause}`, Parameters: params },
          }
        : undefined;
    default:
      return undefined;
  }
}

/** Where the calls are made: the stack's region and account. */
export interface CallScope {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
}

/**
 * The case of `action` on `resource` with these partition keys. When a DynamoDB call makes that request, the case is
 * the mapping's IAM request for it (which must name the same action, resource and keys, or this throws); when
 * none does (one item action with two partition keys, which only a forged request carries), it is the IAM request
 * written out, so the policy is still probed with it.
 */
export function keyedCase(
  scope: CallScope,
  tables: readonly TableUnderTest[],
  own: TableUnderTest,
  request: { readonly action: string; readonly resource: string; readonly keys: readonly string[] },
  expected: Expected,
  why: string,
): Case {
  const { action, resource, keys } = request;
  const written: Case = { action, resource, context: { 'dynamodb:LeadingKeys': [...keys] }, expected, why };
  const target = targetOf(resource, tables, own);
  const call = callFor(action, target, keys);
  const sameRegion = resource.split(':')[3] === scope.region;
  if (!call || (action.startsWith('dynamodb:PartiQL') && !sameRegion)) return written;
  const principal = {
    arn: `arn:${scope.partition}:sts::${scope.account}:assumed-role/cases/session`,
    region: scope.region,
    accountId: scope.account,
  };
  const mapped = dynamoDbIamRequests(call.operation, call.input, [target.model], principal);
  const describe = `${call.operation} ${JSON.stringify(call.input)}`;
  if ('error' in mapped) throw new Error(`the mapping refused ${describe}: ${mapped.error}`);
  if (mapped.length !== 1) throw new Error(`the mapping made ${mapped.length} requests of ${describe}`);
  const [iam] = mapped;
  const leadingKeys = iam.context['dynamodb:LeadingKeys'];
  if (iam.action !== action || iam.resource !== resource || JSON.stringify(leadingKeys) !== JSON.stringify(keys)) {
    throw new Error(`the mapping made ${JSON.stringify(iam)} of ${describe}, not ${action} on ${resource} for ${keys}`);
  }
  // The session's own keys are the evaluator's to add; the case keeps what the call itself carries.
  const context: ContextValues = {};
  for (const [name, value] of Object.entries(iam.context)) {
    if (name.startsWith('dynamodb:')) context[name] = typeof value === 'string' ? value : [...value];
  }
  return { action, resource, context, expected, why, call };
}
