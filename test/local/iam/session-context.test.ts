import { sessionContext } from '../../../src/local/iam';
import { localRoleId, parseSessionArn } from '../../../src/local/iam/session-context';

/**
 * The global condition keys of a Lambda function's role session.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * aws:userid and aws:username per principal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
 */

const SESSION = 'arn:aws:sts::123456789012:assumed-role/tasksRole/tasks-fn';

describe('GIVEN a function running as its role session', () => {
  test('THEN the context names the role (not the session) as aws:PrincipalArn, and the account, type and region', () => {
    expect(sessionContext({ arn: SESSION, accountId: '123456789012', region: 'eu-west-1' })).toEqual({
      'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/tasksRole',
      'aws:PrincipalAccount': '123456789012',
      'aws:PrincipalType': 'AssumedRole',
      'aws:userid': `${localRoleId('arn:aws:iam::123456789012:role/tasksRole')}:tasks-fn`,
      'aws:SecureTransport': 'true',
      'aws:RequestedRegion': 'eu-west-1',
    });
  });

  test('THEN aws:username is absent: a role session has none', () => {
    expect(sessionContext({ arn: SESSION, accountId: '123456789012' })).not.toHaveProperty('aws:username');
  });

  test('WHEN the role has a path THEN aws:PrincipalArn keeps it', () => {
    const context = sessionContext({
      arn: SESSION,
      accountId: '123456789012',
      roleArn: 'arn:aws:iam::123456789012:role/app/tasksRole',
    });
    expect(context['aws:PrincipalArn']).toBe('arn:aws:iam::123456789012:role/app/tasksRole');
  });

  test('THEN the stand-in role id looks like one (AROA and 17 characters) and is the same on every run', () => {
    const id = localRoleId('arn:aws:iam::123456789012:role/tasksRole');
    expect(id).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(localRoleId('arn:aws:iam::123456789012:role/tasksRole')).toBe(id);
    expect(localRoleId('arn:aws:iam::123456789012:role/other')).not.toBe(id);
  });

  test('WHEN the principal is not a role session THEN the error shows the expected form and the value', () => {
    expect(() => parseSessionArn('arn:aws:iam::123456789012:role/tasksRole')).toThrow(
      'principal ARN must be a role session, arn:<partition>:sts::<account>:assumed-role/<role>/<session>, got: arn:aws:iam::123456789012:role/tasksRole',
    );
    expect(parseSessionArn('arn:aws-cn:sts::1:assumed-role/r/s')).toEqual({
      partition: 'aws-cn',
      roleName: 'r',
      sessionName: 's',
    });
  });
});
