import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessPattern, CallerAttribute, ServerlessApi, ServerlessApiProps, TableEncryption } from '../../src';
import { ENV, fn, jwt, newStack, route } from '../helpers/api';

/**
 * Caller-bound access patterns: the function's own role never reaches them; a caller role does, through session tags.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */

const session = {
  partitionKey: 'USER#{userId}',
  sortKey: 'SESSION#{sessionId}',
  callerBound: { userId: CallerAttribute.id() },
};

function props(overrides: Partial<ServerlessApiProps> = {}): ServerlessApiProps {
  return {
    authorization: jwt(),
    accessPatterns: {
      getSession: AccessPattern.getItem(session),
      putSession: AccessPattern.putItem(session),
      listSessions: AccessPattern.query({
        partitionKey: 'USER#{userId}',
        sortKeyPrefix: 'SESSION#',
        callerBound: { userId: CallerAttribute.id() },
      }),
      getTask: AccessPattern.getItem({ partitionKey: 'PROJECT#{projectId}', sortKey: 'TASK#{taskId}' }),
    },
    functions: {
      sessions: fn([route(HttpMethod.GET, '/sessions')], {
        accessPatterns: ['getSession', 'putSession', 'listSessions', 'getTask'],
      }),
    },
    ...overrides,
  };
}

function synth(overrides: Partial<ServerlessApiProps> = {}, env?: typeof ENV) {
  const stack = newStack(env ? { env } : undefined);
  const api = new ServerlessApi(stack, 'Api', props(overrides));
  return { api, template: Template.fromStack(stack) };
}

const roleOf = (template: Template, fragment: string) => {
  const roles = template.findResources('AWS::IAM::Role');
  const id = Object.keys(roles).find((logicalId) => logicalId.includes(fragment))!;
  return { id, role: roles[id] };
};

interface RoleResource {
  readonly Properties: { readonly Policies: { readonly PolicyDocument: { readonly Statement: unknown[] } }[] };
}
const statementsOf = (role: { [key: string]: unknown }) =>
  (role as unknown as RoleResource).Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement);

describe('GIVEN a function with caller-bound patterns', () => {
  test('THEN its own role reaches only its unbound patterns', () => {
    const { template } = synth();
    const { role } = roleOf(template, 'sessionsRole');
    const dynamodb = statementsOf(role).filter((s) => JSON.stringify(s).includes('dynamodb:'));
    expect(dynamodb).toHaveLength(1);
    expect(JSON.stringify(dynamodb)).toContain('PROJECT#?*');
    expect(JSON.stringify(statementsOf(role))).not.toContain('USER#');
  });

  test('THEN its caller role limits every leading key to the session tag, which must be present and non-empty', () => {
    const { template } = synth();
    const { role } = roleOf(template, 'sessionsCallerRole');
    const statements = statementsOf(role) as { Action: string[]; Condition: object }[];
    expect(
      statements
        .map((s) => s.Action)
        .flat()
        .sort(),
    ).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    for (const statement of statements) {
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#${aws:PrincipalTag/userId}'] },
        Null: { 'dynamodb:LeadingKeys': 'false', 'aws:PrincipalTag/userId': 'false' },
        StringLike: { 'aws:PrincipalTag/userId': '?*' },
      });
    }
  });

  test('THEN only the function role may assume the caller role, with TagSession and exactly its tag keys', () => {
    const { template } = synth();
    const { role } = roleOf(template, 'sessionsCallerRole');
    const functionRole = roleOf(template, 'sessionsRole').id;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [functionRole, 'Arn'] } },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['userId'] },
          Null: { 'aws:RequestTag/userId': 'false' },
          StringLike: { 'aws:RequestTag/userId': '?*' },
        },
      },
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: functionRole }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Resource: { 'Fn::GetAtt': [roleOf(template, 'sessionsCallerRole').id, 'Arn'] },
            Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['userId'] } },
          },
        ],
      },
    });
  });

  test('THEN the function learns its caller role and which parameters are bound, and starts after it may assume it', () => {
    const { template } = synth();
    const callerRole = roleOf(template, 'sessionsCallerRole').id;
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { TABLE_CALLER_ROLE_ARN: { 'Fn::GetAtt': [callerRole, 'Arn'] } } } },
    });
    const [fnResource] = Object.values(functions) as {
      Properties: { Environment: { Variables: { TABLE_ACCESS_PATTERNS: string } } };
      DependsOn: string[];
    }[];
    const patterns = JSON.parse(fnResource.Properties.Environment.Variables.TABLE_ACCESS_PATTERNS);
    expect(patterns.getSession.caller).toEqual({ userId: 'id' });
    expect(patterns.getTask.caller).toBeUndefined();
    expect(fnResource.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/sessionsCallerRoleAssumePolicy/)]),
    );
  });

  test('THEN a customer-managed table key is usable by the caller role through DynamoDB only', () => {
    const { template } = synth({ table: { encryption: TableEncryption.customerManaged() } }, ENV);
    const statements = statementsOf(roleOf(template, 'sessionsCallerRole').role) as {
      Action: string[];
      Condition: object;
    }[];
    const kms = statements.find((s) => s.Action.includes('kms:Decrypt'))!;
    expect(kms.Action).toEqual(expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey']));
    expect(kms.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } });
  });

  test('THEN a claim and an authorizer context field bind as their descriptors', () => {
    const { template } = synth({
      accessPatterns: {
        tenantItems: AccessPattern.query({
          partitionKey: 'TENANT#{tenantId}#USER#{userId}',
          callerBound: { tenantId: CallerAttribute.claim('custom:tenant') },
        }),
      },
      functions: { items: fn([route(HttpMethod.GET, '/items')], { accessPatterns: ['tenantItems'] }) },
    });
    const role = roleOf(template, 'itemsCallerRole').role;
    expect(JSON.stringify(statementsOf(role))).toContain('TENANT#${aws:PrincipalTag/tenantId}#USER#?*');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: { TABLE_ACCESS_PATTERNS: Match.stringLikeRegexp('"caller":\\{"tenantId":"claim:custom:tenant"\\}') },
      },
    });
  });
});

describe('GIVEN a function without caller-bound patterns', () => {
  test('THEN it has no caller role and no caller role variable', () => {
    const { template } = synth({
      functions: { tasks: fn([route(HttpMethod.GET, '/t')], { accessPatterns: ['getTask'] }) },
    });
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.includes('CallerRole'))).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('TABLE_CALLER_ROLE_ARN');
  });
});

describe('GIVEN bad caller bindings', () => {
  const bad =
    (patterns: ServerlessApiProps['accessPatterns'], accessPatterns = Object.keys(patterns ?? {})) =>
    () =>
      synth({ accessPatterns: patterns, functions: { f: fn([route(HttpMethod.GET, '/f')], { accessPatterns }) } });

  test('WHEN a bound parameter is not in the partition key THEN synth names it and the parameters there are', () => {
    expect(bad({ p: AccessPattern.getItem({ ...session, callerBound: { sessionId: CallerAttribute.id() } }) })).toThrow(
      '`accessPatterns.p.callerBound` must name parameters of the partition key "USER#{userId}" (its parameters: {userId}); sort keys cannot be bound, IAM conditions only see partition keys, got: "sessionId"',
    );
  });

  test('WHEN a binding is not a CallerAttribute THEN synth says what it must be', () => {
    expect(
      bad({ p: AccessPattern.getItem({ ...session, callerBound: { userId: 'sub' as unknown as CallerAttribute } }) }),
    ).toThrow(
      '`accessPatterns.p.callerBound.userId` must be a CallerAttribute, such as CallerAttribute.id() or CallerAttribute.claim("tenantId"), got: "sub"',
    );
  });

  test('WHEN a claim name is empty THEN synth refuses it', () => {
    expect(
      bad({ p: AccessPattern.getItem({ ...session, callerBound: { userId: CallerAttribute.claim('') } }) }),
    ).toThrow(
      '`accessPatterns.p.callerBound.userId` must name a claim of 1 to 128 letters, digits or _.:/=+@-, got: ""',
    );
  });

  test('WHEN a function uses a shape both bound and unbound THEN synth refuses it: its own role would reach every caller', () => {
    expect(
      bad({
        getSession: AccessPattern.getItem(session),
        adminGet: AccessPattern.getItem({ partitionKey: 'USER#{userId}', sortKey: 'PROFILE' }),
      }),
    ).toThrow(
      '`functions.f.accessPatterns` must not use "adminGet" unbound beside the caller-bound "getSession" on the same partition key USER#{userId}: the function\'s own role would reach every caller\'s partition; bind both, or give the unbound use its own function, got: ["getSession","adminGet"]',
    );
  });

  test('WHEN one function binds a parameter two ways THEN synth refuses it, through props and addFunction alike', () => {
    const patterns = {
      a: AccessPattern.getItem({ ...session, callerBound: { userId: CallerAttribute.id() } }),
      b: AccessPattern.putItem({ ...session, callerBound: { userId: CallerAttribute.claim('uid') } }),
    };
    const message =
      '`functions.f.accessPatterns` must bind each caller parameter one way, as one session tag: "a" binds {userId} to the caller id, "b" binds {userId} to the claim "uid"; give one of them another parameter name, got: ["a","b"]';
    expect(bad(patterns)).toThrow(message);
    const stack = newStack();
    const api = new ServerlessApi(stack, 'Api', {
      ...props(),
      accessPatterns: { ...props().accessPatterns, ...patterns },
    });
    expect(() => api.addFunction('f', fn([route(HttpMethod.GET, '/g')], { accessPatterns: ['a', 'b'] }))).toThrow(
      message,
    );
  });
});
