import { dynamoDbIamRequests } from '../../../src/local/iam';
import type { IamRequest } from '../../../src/local/iam';
import type { LocalTableModel } from '../../../src/local/model';

/** A tasks table (a global and a local index) and a function session, for the DynamoDB mapping's tests. */

export const ACCOUNT = '123456789012';
export const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Tasks`;
export const S = (value: string) => ({ S: value });
export const TASKS: LocalTableModel = {
  logicalId: 'Table',
  tableName: 'Tasks',
  arn: TABLE,
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalSecondaryIndexes: [
    { indexName: 'byStatus', partitionKey: { name: 'GSI1PK', type: 'S' }, projectionType: 'ALL' },
  ],
  localSecondaryIndexes: [{ indexName: 'byDue', partitionKey: { name: 'PK', type: 'S' }, projectionType: 'KEYS_ONLY' }],
};
export const PRINCIPAL = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/tasksRole/tasks-fn`,
  region: 'us-east-1',
  accountId: ACCOUNT,
};
export const KEY = { PK: S('USER#bob'), SK: S('TASK#1') };

export function map(operation: string, input: object): IamRequest[] {
  const requests = dynamoDbIamRequests(operation, input, [TASKS], PRINCIPAL);
  if ('error' in requests) throw new Error(requests.error);
  return requests;
}

/** The request's own keys (the session's are tested in session-context.test.ts). */
export const dynamoKeys = (request: IamRequest) =>
  Object.fromEntries(Object.entries(request.context).filter(([key]) => key.startsWith('dynamodb:')));

export const summary = (requests: IamRequest[]) =>
  requests.map((r) => ({ action: r.action, resource: r.resource, keys: dynamoKeys(r) }));
