import { outsideKeys, parseAccessPatterns, sampleKey, sampleTags } from './access-patterns';
import { grantedKeys } from './cases';
import { requestTagsOf, sessionTagsOf, withSessionTags } from './cases-caller';
import { Case } from './evaluate';
import { RoleUnderTest } from './model';
import { ResolvedTemplate } from './template';

const template = new ResolvedTemplate({
  Resources: {
    Table: { Type: 'AWS::DynamoDB::GlobalTable' },
    Named: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'audit' } },
    Key: { Type: 'AWS::KMS::Key' },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Sub': '/aws/lambda/${AWS::StackName}' } } },
    Fn: { Type: 'AWS::Lambda::Function' },
    Queue: { Type: 'AWS::SQS::Queue' },
    Bucket: { Type: 'AWS::S3::Bucket' },
  },
});

describe('GIVEN an env-agnostic template', () => {
  test.each([
    ['Table', 'arn:aws:dynamodb:us-east-1:123456789012:table/Table'],
    ['Named', 'arn:aws:dynamodb:us-east-1:123456789012:table/audit'],
    ['Key', 'arn:aws:kms:us-east-1:123456789012:key/Key'],
    ['Logs', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/Stack:*'],
    ['Fn', 'arn:aws:lambda:us-east-1:123456789012:function:Fn'],
    ['Queue', 'arn:aws:sqs:us-east-1:123456789012:Queue'],
    ['Bucket', 'arn:aws:s3:us-east-1:123456789012:bucket/Bucket'],
  ])('THEN GetAtt %s.Arn is %s', (id, arn) => {
    expect(template.resolve({ 'Fn::GetAtt': [id, 'Arn'] })).toBe(arn);
  });

  test('THEN Ref, Join, Sub, Select and Split resolve with the fixed pseudo parameters', () => {
    expect(
      template.resolve({
        'Fn::Join': [
          '',
          [
            { 'Fn::Sub': 'dynamodb.${AWS::Region}.${AWS::URLSuffix}/${Named}/${Table.Arn}' },
            { 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] },
            { Ref: 'AWS::Partition' },
          ],
        ],
      }),
    ).toBe('dynamodb.us-east-1.amazonaws.com/audit/arn:aws:dynamodb:us-east-1:123456789012:table/Tablebaws');
  });

  test('THEN an intrinsic it does not know throws, so no statement is evaluated half-resolved', () => {
    expect(() => template.resolve({ 'Fn::If': ['IsProd', 'a', 'b'] })).toThrow('unsupported intrinsic Fn::If');
  });

  test('THEN a Ref to a resource not in the template throws', () => {
    expect(() => template.resolve({ Ref: 'Missing' })).toThrow('no resource Missing in the template');
  });
});

describe('GIVEN key shapes', () => {
  test('THEN samples fill each placeholder', () => {
    expect(sampleKey('ORG#{orgId}#TEAM#{teamId}')).toBe('ORG#o-123#TEAM#t-123');
    expect(sampleKey('PROJECT#{projectId}', 1)).toBe('PROJECT#p-124');
  });

  test('THEN outside keys are lookalikes no declared shape describes', () => {
    expect(outsideKeys('PROJECT#{projectId}', ['PROJECT#{projectId}'])).toEqual([
      'OTHER#p-123',
      'PROJECTX#p-123',
      'project#p-123',
      'XPROJECT#p-123',
      'PROJECT#',
    ]);
    expect(outsideKeys('ORG#{o}#TEAM#{t}', ['ORG#{o}#TEAM#{t}'])).toContain('ORG#o-123Zt-123');
  });

  test('THEN a lookalike that another declared shape describes is not called outside', () => {
    expect(outsideKeys('PROJECT#{projectId}', ['PROJECT#{projectId}', 'PROJECTX#{id}'])).not.toContain(
      'PROJECTX#p-123',
    );
  });

  test('THEN a declaration outside the contract is rejected with the function and pattern named', () => {
    const parse = (patterns: object) => () =>
      parseAccessPatterns('Fn', { TABLE_ACCESS_PATTERNS: JSON.stringify(patterns) });
    expect(parse({ p: { operation: 'BatchWriteItem' } })).toThrow('function Fn pattern "p": operation must be one of');
    expect(parse({ p: { operation: 'PutItem', index: 'byX', partitionKey: ['PK', 'A#{a}'] } })).toThrow(
      'only Query and Scan can target an index',
    );
    expect(parse({ p: { operation: 'GetItem', partitionKey: ['PK', '{a}#A'] } })).toThrow(
      'must start with a literal prefix',
    );
    expect(parse({ p: { operation: 'Query' } })).toThrow('partitionKey is required but for Scan');
    expect(parseAccessPatterns('Fn', {})).toBeUndefined();
  });
});

describe('GIVEN caller-bound declarations', () => {
  const parse = (pattern: object) => () =>
    parseAccessPatterns('Fn', { TABLE_ACCESS_PATTERNS: JSON.stringify({ p: { operation: 'GetItem', ...pattern } }) });

  test('THEN alice (0) and bob (1) have tags whose partitions are the shape samples, and values pin parameters', () => {
    expect(sampleTags(['tenantId', 'userId'])).toEqual({ tenantId: 't-123', userId: 'u-123' });
    expect(sampleTags(['userId'], 1)).toEqual({ userId: 'u-124' });
    expect(sampleKey('TENANT#{tenantId}#USER#{userId}', 1, { tenantId: 't-123' })).toBe('TENANT#t-123#USER#u-124');
  });

  test('THEN a caller binding outside the contract is rejected with the function and pattern named', () => {
    const key = { partitionKey: ['PK', 'USER#{userId}'] };
    expect(parse({ ...key, caller: { userId: 'id' } })()).toEqual([
      { name: 'p', operation: 'GetItem', ...key, caller: { userId: 'id' } },
    ]);
    expect(parse({ ...key, caller: { orgId: 'id' } })).toThrow(
      'function Fn pattern "p": caller parameter "orgId" is not a parameter of the partition key, got: ',
    );
    expect(parse({ ...key, caller: { userId: 'header:x-user' } })).toThrow(
      'caller parameter "userId" must come from id, claim:<name> or context:<name>',
    );
    expect(parse({ ...key, caller: {} })).toThrow('caller must map partition key parameters to their source');
  });

  test("THEN a caller role's LeadingKeys are probed with the session's own partition", () => {
    const role = {
      policies: [
        {
          name: 'inline:access',
          document: {
            Statement: [
              {
                Condition: {
                  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#${aws:PrincipalTag/tenantId}#*'] },
                },
              },
            ],
          },
        },
      ],
    } as unknown as RoleUnderTest;
    expect(grantedKeys(role, { tenantId: 't-123' })).toEqual(['TENANT#t-123#x1']);
  });

  test('THEN the tags of a session and of an AssumeRole request read back from a case', () => {
    const c: Case = { action: 'dynamodb:GetItem', resource: '*', context: {}, expected: 'Denied', why: '' };
    expect(sessionTagsOf(withSessionTags(c, { userId: 'u-123', tenantId: '' }))).toEqual({
      userId: 'u-123',
      tenantId: '',
    });
    const assume = {
      ...c,
      context: { 'aws:TagKeys': ['userId', 'role'], 'aws:RequestTag/userId': 'u-123', 'aws:RequestTag/role': 'admin' },
    };
    expect(requestTagsOf(assume)).toEqual([
      ['userId', 'u-123'],
      ['role', 'admin'],
    ]);
  });
});
