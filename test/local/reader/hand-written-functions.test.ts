import * as fs from 'fs';
import { httpApi, lambdaFunction, role, writeAssembly } from './assembly';
import { temporaryDir } from './fixtures';
import { LocalAppModel } from '../../../src/local/model';
import { readLocalApp } from '../../../src/local/reader';

/**
 * Functions, roles and tables as other constructs write them, by hand: what CloudFormation and Lambda do with a
 * property left out, IAM policies attached in every way, and DynamoDB tables of the older resource type.
 */

let dir: string;
beforeEach(() => {
  dir = temporaryDir('reader-templates-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function read(template: { Resources: { [id: string]: unknown } }, options = {}): LocalAppModel {
  writeAssembly(dir, { Hand: { template } });
  return readLocalApp(dir, options);
}

const statement = (actions: string | string[], resource: unknown = '*') => ({
  Effect: 'Allow',
  Action: actions,
  Resource: resource,
});

describe('functions', () => {
  test('GIVEN a function without Timeout, MemorySize, Architectures or LoggingConfig THEN Lambda defaults apply', () => {
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html: 3 s, 128 MB,
    // x86_64; without a logging config, logs go to /aws/lambda/<function name>.
    const fn = read(httpApi()).functions.Fn;
    expect([fn.timeoutSeconds, fn.memorySize, fn.architecture]).toEqual([3, 128, 'x86_64']);
    expect(fn.reservedConcurrency).toBeUndefined();
    expect(fn.functionName).toBe('Hand-Fn');
    expect(fn.logGroupName).toBe('/aws/lambda/Hand-Fn');
    expect(fn.name).toBe('Fn');
  });

  test('GIVEN a literal FunctionName THEN it is the name, in its ARN too', () => {
    const app = read(
      httpApi({
        Fn: lambdaFunction({ FunctionName: 'orders-api' }),
        Role: role({
          Policies: [
            {
              PolicyName: 'self',
              PolicyDocument: { Statement: [statement('lambda:InvokeFunction', { 'Fn::GetAtt': ['Fn', 'Arn'] })] },
            },
          ],
        }),
        Other: lambdaFunction(),
      }),
    );
    expect(app.functions.Fn.functionName).toBe('orders-api');
    expect(app.functions.Fn.role.statements[0].Resource).toEqual([
      'arn:aws:lambda:us-east-1:123456789012:function:orders-api',
    ]);
    // Other is reached by no route, so it is not in the model.
    expect(Object.keys(app.functions)).toEqual(['Fn']);
  });

  test('GIVEN an SSM parameter in the environment THEN its value from secrets, else a placeholder', () => {
    const template = httpApi({
      Fn: lambdaFunction({ Environment: { Variables: { FLAG: '{{resolve:ssm:/app/flag:3}}' } } }),
    });
    expect(read(template, { secrets: { '/app/flag': 'on' } }).functions.Fn.environment.FLAG).toBe('on');
    const app = readLocalApp(dir);
    expect(app.functions.Fn.environment.FLAG).toBe('local-placeholder-/app/flag');
    expect(app.warnings).toEqual([
      'function Fn: environment variable FLAG reads SSM parameter /app/flag, which exists only in AWS: it is "local-placeholder-/app/flag" locally; give it a value with --secret /app/flag=<value> (serverless-api dev) or secrets: { "/app/flag": "<value>" } (LocalApi)',
    ]);
  });
});

describe("a secret read through a dynamic reference in a function's own template", () => {
  // A function the library does not build may still pass a secret through its environment; CloudFormation resolves
  // the reference at deploy time, and the local API reads it from `secrets`.
  const template = httpApi({
    Fn: lambdaFunction({
      Environment: {
        Variables: {
          API_TOKEN: {
            'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'ApiSecret' }, ':SecretString:token::}}']],
          },
        },
      },
    }),
    ApiSecret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
  });

  test("GIVEN a JSON secret's value THEN the variable holds the key's value, with no warning", () => {
    const app = read(template, { secrets: { ApiSecret: '{"token":"t0k"}' } });
    expect(app.functions.Fn.environment.API_TOKEN).toBe('t0k');
    expect(app.warnings).toEqual([]);
  });

  test('GIVEN a value that is not a JSON object with the key THEN a placeholder, and a warning', () => {
    const app = read(template, { secrets: { ApiSecret: 'plain' } });
    expect(app.functions.Fn.environment.API_TOKEN).toBe('local-placeholder-ApiSecret-token');
    expect(app.warnings).toEqual([
      'function Fn: environment variable API_TOKEN reads the key token of secret ApiSecret, but secrets["ApiSecret"] is not a JSON object with that string key: it is "local-placeholder-ApiSecret-token" locally',
    ]);
  });
});

describe("a function's role", () => {
  test('GIVEN statements inline, in a policy, a role policy and managed policies THEN all of them, normalized', () => {
    const app = read(
      httpApi({
        Role: role({
          Policies: [
            {
              PolicyName: 'inline',
              PolicyDocument: {
                Statement: {
                  Sid: 'Read',
                  Effect: 'Allow',
                  Action: 'dynamodb:GetItem',
                  Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
                },
              },
            },
          ],
          ManagedPolicyArns: [
            { Ref: 'Managed' },
            {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
              ],
            },
          ],
        }),
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: 'orders',
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          },
        },
        Policy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'extra',
            Roles: [{ Ref: 'Role' }],
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Deny',
                  NotAction: 'dynamodb:GetItem',
                  NotResource: ['arn:aws:dynamodb:*:*:table/orders'],
                  Condition: { Bool: { 'aws:SecureTransport': false } },
                },
              ],
            },
          },
        },
        RolePolicy: {
          Type: 'AWS::IAM::RolePolicy',
          Properties: {
            RoleName: { Ref: 'Role' },
            PolicyName: 'more',
            PolicyDocument: { Statement: [statement('sqs:SendMessage')] },
          },
        },
        Managed: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            PolicyDocument: {
              Statement: [statement(['s3:GetObject'], { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::bucket/*' })],
            },
          },
        },
      }),
    );
    expect(app.functions.Fn.role).toEqual({
      logicalId: 'Role',
      arn: 'arn:aws:iam::123456789012:role/Hand-Role',
      statements: [
        {
          Sid: 'Read',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem'],
          Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/orders'],
        },
        {
          Effect: 'Deny',
          NotAction: ['dynamodb:GetItem'],
          NotResource: ['arn:aws:dynamodb:*:*:table/orders'],
          Condition: { Bool: { 'aws:SecureTransport': ['false'] } },
        },
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['*'] },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::bucket/*'] },
      ],
    });
    expect(app.warnings).toEqual([
      'role Role (Role) has the AWS managed policy arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole, which is not in this template: its statements are not evaluated locally, so what only it allows is denied',
    ]);
  });

  test('GIVEN a role of another stack THEN no statements, with a warning', () => {
    const app = read(httpApi({ Fn: lambdaFunction({ Role: 'arn:aws:iam::123456789012:role/shared-lambda' }) }));
    expect(app.functions.Fn.role).toEqual({
      logicalId: 'shared-lambda',
      arn: 'arn:aws:iam::123456789012:role/shared-lambda',
      statements: [],
    });
    expect(app.warnings).toEqual([
      'function Fn runs with role arn:aws:iam::123456789012:role/shared-lambda, which is not in this template: it has no statements locally, so every AWS request it makes is denied',
    ]);
  });
});

describe('tables', () => {
  test('GIVEN an AWS::DynamoDB::Table with a name, an LSI and TTL turned off THEN its name and indexes, no TTL', () => {
    const app = read(
      httpApi({
        Orders: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: { 'Fn::Sub': '${AWS::StackName}-orders' },
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: 'N' },
              { AttributeName: 'createdAt', AttributeType: 'N' },
            ],
            LocalSecondaryIndexes: [
              {
                IndexName: 'byCreation',
                KeySchema: [
                  { AttributeName: 'pk', KeyType: 'HASH' },
                  { AttributeName: 'createdAt', KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'KEYS_ONLY' },
              },
            ],
            TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: false },
          },
        },
      }),
    );
    expect(app.tables).toEqual([
      {
        logicalId: 'Orders',
        tableName: 'Hand-orders',
        arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Hand-orders',
        partitionKey: { name: 'pk', type: 'S' },
        sortKey: { name: 'sk', type: 'N' },
        globalSecondaryIndexes: [],
        localSecondaryIndexes: [
          {
            indexName: 'byCreation',
            partitionKey: { name: 'pk', type: 'S' },
            sortKey: { name: 'createdAt', type: 'N' },
            projectionType: 'KEYS_ONLY',
          },
        ],
      },
    ]);
  });
});
