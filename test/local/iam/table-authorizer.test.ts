import { App } from 'aws-cdk-lib';
import { TaskBoardStack } from '../../../integ/task-board/stack';
import type { TableDecision } from '../../../src/local/contracts';
import { createTableAuthorizer, UNRECOGNIZED_CLIENT_MESSAGE } from '../../../src/local/iam';
import type { LocalAppModel } from '../../../src/local/model';
import { modelOf } from '../../helpers/iam/apps';
import { localAppOf } from '../../helpers/iam/local-app';

/**
 * The local table endpoint's authorizer on a real synthesized app (the task board): each function's requests are
 * evaluated against its own role, and refused with DynamoDB's exception and message.
 * AccessDeniedException text: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 * UnrecognizedClientException: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 * Transactions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 */

const APP: LocalAppModel = localAppOf(modelOf(new TaskBoardStack(new App(), 'TaskBoard', {})), 'TaskBoard');
const TASKS_ID = Object.keys(APP.functions).find((id) => id.includes('tasks'))!;
const SESSIONS_ID = Object.keys(APP.functions).find((id) => id.includes('sessions'))!;
const WEBHOOKS_ID = Object.keys(APP.functions).find((id) => id.includes('webhooks'))!;
const TASKS = APP.functions[TASKS_ID];
const TABLE = APP.tables[0];
const TASKS_SESSION = `arn:aws:sts::${APP.accountId}:assumed-role/${TASKS.role.arn.split('/').pop()}/${TASKS.functionName}`;
const identities = new Map([
  ['AKIDTASKS', TASKS_ID],
  ['AKIDSESSIONS', SESSIONS_ID],
  ['AKIDWEBHOOKS', WEBHOOKS_ID],
  ['AKIDGONE', 'FunctionNotInTheApp'],
]);
const authorizer = createTableAuthorizer(APP, identities);

const S = (value: string) => ({ S: value });
const key = (pk: string, sk = 'TASK#1') => ({ PK: S(pk), SK: S(sk) });
const put = (pk: string) => ({ TableName: TABLE.tableName, Item: { ...key(pk), title: S('x') } });
const denied = (decision: TableDecision) => {
  if (decision.allowed) throw new Error('expected a denial');
  return decision;
};

describe('GIVEN the tasks function, whose role allows its declared patterns on PROJECT#... keys', () => {
  test('WHEN it puts a task in a project THEN the request is allowed', () => {
    expect(authorizer.authorize({ accessKeyId: 'AKIDTASKS', operation: 'PutItem', input: put('PROJECT#p-1') })).toEqual(
      { allowed: true },
    );
  });

  test("WHEN it puts an item under another function's key THEN DynamoDB's AccessDeniedException text names the session, action and table", () => {
    const decision = denied(
      authorizer.authorize({ accessKeyId: 'AKIDTASKS', operation: 'PutItem', input: put('USER#bob') }),
    );
    expect(decision.errorType ?? 'AccessDeniedException').toBe('AccessDeniedException');
    expect(decision.message).toBe(
      `User: ${TASKS_SESSION} is not authorized to perform: dynamodb:PutItem on resource: ${TABLE.arn} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(decision.reason).toContain(
      `function ${TASKS.name} (${TASKS_ID}, role ${TASKS.role.logicalId}): no statement allows dynamodb:PutItem`,
    );
    expect(decision.reason).toContain('did not match ["USER#bob"]');
  });

  test('WHEN it scans the table THEN it is denied: no statement grants Scan', () => {
    const decision = denied(
      authorizer.authorize({ accessKeyId: 'AKIDTASKS', operation: 'Scan', input: { TableName: TABLE.tableName } }),
    );
    expect(decision.message).toContain('is not authorized to perform: dynamodb:Scan on resource: ');
    expect(decision.reason).toContain('no statement names the action');
  });

  test('WHEN the same key is used by the webhooks function THEN it is the other way round: each function has its own role', () => {
    expect(
      authorizer.authorize({ accessKeyId: 'AKIDWEBHOOKS', operation: 'PutItem', input: put('WEBHOOK#github') }),
    ).toEqual({ allowed: true });
    expect(
      authorizer.authorize({ accessKeyId: 'AKIDWEBHOOKS', operation: 'PutItem', input: put('PROJECT#p-1') }).allowed,
    ).toBe(false);
  });

  test("WHEN the sessions function uses its own role on a user's key THEN it is denied: sessions are bound to the caller, only its caller role's tagged sessions reach them", () => {
    const decision = denied(
      authorizer.authorize({ accessKeyId: 'AKIDSESSIONS', operation: 'PutItem', input: put('USER#bob') }),
    );
    expect(decision.reason).toContain('no statement allows dynamodb:PutItem');
  });
});

describe('GIVEN calls of several items', () => {
  test('WHEN one item of a transaction is outside the role THEN the whole call is denied, on that item', () => {
    const decision = denied(
      authorizer.authorize({
        accessKeyId: 'AKIDTASKS',
        operation: 'TransactWriteItems',
        input: {
          TransactItems: [
            { Put: put('PROJECT#p-1') },
            {
              ConditionCheck: {
                TableName: TABLE.tableName,
                Key: key('USER#bob'),
                ConditionExpression: 'attribute_exists(PK)',
              },
            },
          ],
        },
      }),
    );
    expect(decision.message).toContain('is not authorized to perform: dynamodb:ConditionCheckItem on resource:');
    expect(decision.reason).toContain('(request 2 of 2 of the TransactWriteItems)');
  });

  test('WHEN a BatchGetItem mixes a project and a user partition THEN ForAllValues refuses it', () => {
    const input = { RequestItems: { [TABLE.tableName]: { Keys: [key('PROJECT#p-1'), key('USER#bob')] } } };
    const decision = denied(authorizer.authorize({ accessKeyId: 'AKIDTASKS', operation: 'BatchGetItem', input }));
    expect(decision.reason).toContain('did not match ["PROJECT#p-1","USER#bob"]');
  });

  test('WHEN every item is inside THEN the batch is allowed', () => {
    const input = { RequestItems: { [TABLE.tableName]: { Keys: [key('PROJECT#p-1'), key('PROJECT#p-2')] } } };
    expect(authorizer.authorize({ accessKeyId: 'AKIDTASKS', operation: 'BatchGetItem', input })).toEqual({
      allowed: true,
    });
  });
});

describe('GIVEN requests DynamoDB refuses before IAM', () => {
  test('WHEN the access key is not one the local API gave a function THEN it is UnrecognizedClientException, and the reason says why', () => {
    for (const accessKeyId of ['AKIDUNKNOWN', 'AKIDGONE']) {
      const decision = denied(
        authorizer.authorize({
          accessKeyId,
          operation: 'GetItem',
          input: { TableName: TABLE.tableName, Key: key('PROJECT#p-1') },
        }),
      );
      expect(decision.errorType).toBe('UnrecognizedClientException');
      expect(decision.message).toBe(UNRECOGNIZED_CLIENT_MESSAGE);
      expect(decision.reason).toContain(`access key id "${accessKeyId}" belongs to no function of TaskBoard`);
    }
  });

  test('WHEN the key lacks its partition key THEN it is the ValidationException DynamoDB gives', () => {
    const decision = denied(
      authorizer.authorize({
        accessKeyId: 'AKIDTASKS',
        operation: 'GetItem',
        input: { TableName: TABLE.tableName, Key: { SK: S('x') } },
      }),
    );
    expect(decision).toMatchObject({
      errorType: 'ValidationException',
      message: 'The provided key element does not match the schema',
    });
  });

  test('WHEN the operation does not exist THEN it is UnknownOperationException', () => {
    expect(denied(authorizer.authorize({ accessKeyId: 'AKIDTASKS', operation: 'Nope', input: {} })).errorType).toBe(
      'UnknownOperationException',
    );
  });
});

describe('GIVEN a role with an explicit Deny', () => {
  test('WHEN the Deny matches THEN the message is the explicit-deny variant', () => {
    const withDeny: LocalAppModel = {
      ...APP,
      functions: {
        ...APP.functions,
        [TASKS_ID]: {
          ...TASKS,
          role: {
            ...TASKS.role,
            statements: [...TASKS.role.statements, { Effect: 'Deny', Action: ['dynamodb:PutItem'], Resource: ['*'] }],
          },
        },
      },
    };
    const decision = denied(
      createTableAuthorizer(withDeny, identities).authorize({
        accessKeyId: 'AKIDTASKS',
        operation: 'PutItem',
        input: put('PROJECT#p-1'),
      }),
    );
    expect(decision.message).toBe(
      `User: ${TASKS_SESSION} is not authorized to perform: dynamodb:PutItem on resource: ${TABLE.arn} with an explicit deny in an identity-based policy`,
    );
    expect(decision.reason).toContain(`statement ${TASKS.role.statements.length} denies dynamodb:PutItem`);
  });
});
