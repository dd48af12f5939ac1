import { localId } from '../../../src/local/reader/physical';
import { partitionOf, ResolveError, TemplateResolver } from '../../../src/local/reader/resolve';

/**
 * The intrinsic functions, evaluated as CloudFormation evaluates them:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

const ENV = { stackName: 'Shop', region: 'eu-west-1', accountId: '111122223333', ...partitionOf('eu-west-1') };

const template = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    Zones: { Type: 'CommaDelimitedList', Default: 'a,b' },
    Latest: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/app/version' },
    Required: { Type: 'String' },
  },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    Both: { 'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Or': [{ Condition: 'IsProd' }, true] }] },
    Loop: { 'Fn::Not': [{ Condition: 'Loop' }] },
  },
  Mappings: { Sizes: { dev: { memory: 256 } } },
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Named: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: { 'Fn::Sub': '${AWS::StackName}-${Stage}-orders' } },
    },
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Secret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
    Pool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
    Widget: { Type: 'Custom::Widget', Properties: {} },
    Thing: { Type: 'AWS::Acme::Thing', Properties: {} },
    SelfNamed: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::GetAtt': ['SelfNamed', 'TopicName'] } } },
  },
};
const resolver = new TemplateResolver(template, ENV);
const resolve = (value: unknown) => resolver.resolve(value);

describe('pseudo parameters and parameters', () => {
  test('GIVEN the pseudo parameters THEN the local stack, region, account, partition and URL suffix', () => {
    expect(
      resolve(
        ['AWS::StackName', 'AWS::Region', 'AWS::AccountId', 'AWS::Partition', 'AWS::URLSuffix'].map((Ref) => ({ Ref })),
      ),
    ).toEqual(['Shop', 'eu-west-1', '111122223333', 'aws', 'amazonaws.com']);
    expect(resolve({ Ref: 'AWS::StackId' })).toMatch(/^arn:aws:cloudformation:eu-west-1:111122223333:stack\/Shop\//);
  });

  test('GIVEN China and GovCloud regions THEN their partitions', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
    expect(partitionOf('cn-northwest-1')).toEqual({ partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' });
    expect(partitionOf('us-gov-west-1')).toEqual({ partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' });
  });

  test('GIVEN parameters THEN their defaults, a list parameter as a list', () => {
    expect(resolve({ Ref: 'Stage' })).toBe('dev');
    expect(resolve({ Ref: 'Zones' })).toEqual(['a', 'b']);
  });

  test('GIVEN a parameter without a default, or read from SSM THEN an error that says so', () => {
    expect(() => resolve({ Ref: 'Required' })).toThrow(new ResolveError('Ref Required: the parameter has no Default'));
    expect(() => resolve({ Ref: 'Latest' })).toThrow(
      new ResolveError('Ref Latest: the parameter reads SSM parameter "/app/version" at deploy time'),
    );
  });

  test('GIVEN AWS::NoValue THEN the property or list element disappears', () => {
    expect(resolve({ A: 1, B: { Ref: 'AWS::NoValue' }, C: ['x', { Ref: 'AWS::NoValue' }] })).toEqual({
      A: 1,
      C: ['x'],
    });
  });
});

describe('Ref and Fn::GetAtt of resources', () => {
  test('GIVEN no name property THEN <stack>-<logicalId>; GIVEN one THEN it, resolved', () => {
    expect(resolve({ Ref: 'Table' })).toBe('Shop-Table');
    expect(resolve({ Ref: 'Named' })).toBe('Shop-dev-orders');
    expect(resolve({ 'Fn::GetAtt': ['Named', 'Arn'] })).toBe(
      'arn:aws:dynamodb:eu-west-1:111122223333:table/Shop-dev-orders',
    );
  });

  test('GIVEN each service THEN its documented Ref and ARN formats', () => {
    expect(resolve({ 'Fn::GetAtt': 'Fn.Arn' })).toBe('arn:aws:lambda:eu-west-1:111122223333:function:Shop-Fn');
    expect(resolve({ Ref: 'Queue' })).toBe('https://sqs.eu-west-1.amazonaws.com/111122223333/Shop-Queue');
    expect(resolve({ Ref: 'Secret' })).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:111122223333:secret:Shop-Secret-[A-Za-z0-9]{6}$/,
    );
    expect(resolve({ Ref: 'Pool' })).toMatch(/^eu-west-1_[A-Za-z0-9]{9}$/);
    expect(resolve({ 'Fn::GetAtt': ['Thing', 'Arn'] })).toBe('arn:aws:acme:eu-west-1:111122223333:thing/Shop-Thing');
  });

  test('GIVEN the same stack and logical id THEN the same generated id, and another for another resource', () => {
    const again = new TemplateResolver(template, ENV);
    expect(again.resolve({ Ref: 'Pool' })).toBe(resolve({ Ref: 'Pool' }));
    expect(localId('Shop/A', 10)).not.toBe(localId('Shop/B', 10));
    expect(localId('Shop/A', 100)).toMatch(/^[a-z0-9]{100}$/);
  });

  test('GIVEN an attribute with no local value, a missing resource or a name that refers to itself THEN an error', () => {
    expect(() => resolve({ 'Fn::GetAtt': ['Widget', 'Endpoint'] })).toThrow(
      'Fn::GetAtt Widget.Endpoint: no local value for this attribute of Custom::Widget',
    );
    expect(() => resolve({ Ref: 'Gone' })).toThrow('Ref Gone: no such resource or parameter');
    expect(() => resolve({ Ref: 'SelfNamed' })).toThrow('circular reference through the name of SelfNamed');
  });
});

describe('the other functions', () => {
  test('GIVEN Fn::Join and Fn::Sub in both forms THEN the strings CloudFormation builds', () => {
    expect(resolve({ 'Fn::Join': ['-', ['a', { Ref: 'Stage' }, 3]] })).toBe('a-dev-3');
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Table}/${Fn.Arn}/${!Literal}' })).toBe(
      'arn:aws:s3:::Shop-Table/arn:aws:lambda:eu-west-1:111122223333:function:Shop-Fn/${Literal}',
    );
    expect(resolve({ 'Fn::Sub': ['${Name}@${AWS::Region}', { Name: { Ref: 'Stage' } }] })).toBe('dev@eu-west-1');
  });

  test('GIVEN Fn::Select over Fn::Split and Fn::GetAZs THEN the element', () => {
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(resolve({ 'Fn::Select': ['0', { 'Fn::GetAZs': '' }] })).toBe('eu-west-1a');
    expect(() => resolve({ 'Fn::Select': [3, ['a']] })).toThrow('Fn::Select index 3 is outside ["a"]');
  });

  test('GIVEN conditions THEN Fn::If takes the branch they choose', () => {
    expect(resolve({ 'Fn::If': ['IsProd', 'big', 'small'] })).toBe('small');
    expect(resolve({ 'Fn::If': ['Both', { Ref: 'Stage' }, { Ref: 'AWS::NoValue' }] })).toBe('dev');
    expect(resolve({ A: { 'Fn::If': ['IsProd', 1, { Ref: 'AWS::NoValue' }] } })).toEqual({});
    expect(() => resolve({ 'Fn::If': ['Loop', 1, 2] })).toThrow('circular reference through the condition Loop');
  });

  test('GIVEN Fn::FindInMap, Fn::Base64, Fn::ToJsonString and Fn::Length THEN their values', () => {
    expect(resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'memory'] })).toBe(256);
    expect(resolve({ 'Fn::Base64': 'hi' })).toBe('aGk=');
    expect(resolve({ 'Fn::ToJsonString': { table: { Ref: 'Table' } } })).toBe('{"table":"Shop-Table"}');
    expect(resolve({ 'Fn::Length': [1, 2, 3] })).toBe(3);
  });

  test('GIVEN Fn::ImportValue or an unknown function THEN an error naming where the value was read', () => {
    expect(() => resolver.string({ 'Fn::ImportValue': 'Shared:Url' }, 'function Fn: environment variable URL')).toThrow(
      new ResolveError(
        'function Fn: environment variable URL: Fn::ImportValue "Shared:Url": another stack\'s export is not known locally',
      ),
    );
    expect(() => resolve({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] })).toThrow('Fn::Cidr is not evaluated locally');
  });

  test('GIVEN a list where a string is needed THEN an error showing the value', () => {
    expect(() => resolver.string(['a'], 'Handler')).toThrow('Handler must be a string, got: ["a"]');
    expect(resolver.strings('single', 'Actions')).toEqual(['single']);
  });
});
