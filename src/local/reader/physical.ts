/**
 * What `Ref` and `Fn::GetAtt` return for a resource once deployed, made up locally: deterministic names, ids and
 * ARNs in the format each service documents, for the local region and account. A name property written in the
 * template wins; otherwise the name is `<stack>-<logicalId>`, CloudFormation's pattern without its random suffix.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-getatt.html
 */

import * as crypto from 'crypto';

/** Where the stack is deployed, as the pseudo parameters say. */
export interface LocalEnvironment {
  /** The CloudFormation stack name (`AWS::StackName`). */
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
}

/** One resource as a `Ref` or `Fn::GetAtt` sees it. */
export interface ResourceSubject {
  readonly logicalId: string;
  readonly type: string;
  readonly env: LocalEnvironment;
  /** The physical name: the name property, else `<stack>-<logicalId>`. */
  name(): string;
  /** Another property, resolved (a REST stage's `StageName`). */
  property(name: string): string | undefined;
}

/** The property that names a resource of each type, where the template may set it. */
export const NAME_PROPERTIES: { readonly [type: string]: string } = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::Policy': 'PolicyName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::ApiGateway::Model': 'Name',
  'AWS::ApiGateway::ApiKey': 'Name',
  'AWS::ApiGateway::UsagePlan': 'UsagePlanName',
};

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of `alphabet`, the same for the same seed on every run and machine. */
export function localId(seed: string, length: number, alphabet = LOWER): string {
  let out = '';
  for (let round = 0; out.length < length; round++) {
    for (const byte of crypto.createHash('sha256').update(`${round}\0${seed}`).digest()) {
      out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

function uuid(seed: string): string {
  const hex = crypto.createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const seedOf = (s: ResourceSubject, purpose = '') => `${s.env.stackName}/${s.logicalId}${purpose}`;
const id =
  (length: number, alphabet = LOWER) =>
  (s: ResourceSubject) =>
    localId(seedOf(s), length, alphabet);
const arn = (s: ResourceSubject, service: string, resource: string, regional = true) =>
  `arn:${s.env.partition}:${service}:${regional ? s.env.region : ''}:${s.env.accountId}:${resource}`;

type Produce = (subject: ResourceSubject) => string;

interface Identity {
  readonly ref: Produce;
  readonly attributes: { readonly [attribute: string]: Produce };
}

const userPoolId: Produce = (s) => `${s.env.region}_${localId(seedOf(s), 9, MIXED)}`;
const tableArn: Produce = (s) => arn(s, 'dynamodb', `table/${s.name()}`);
const secretArn: Produce = (s) => arn(s, 'secretsmanager', `secret:${s.name()}-${localId(seedOf(s), 6, MIXED)}`);
const functionArn: Produce = (s) => arn(s, 'lambda', `function:${s.name()}`);
const roleArn: Produce = (s) => arn(s, 'iam', `role${s.property('Path') ?? '/'}${s.name()}`, false);
/** A rule on a custom bus has the bus in its ARN: `rule/<bus>/<rule>`. */
const ruleArn: Produce = (s) => {
  const bus = s.property('EventBusName');
  const busName = bus === undefined ? 'default' : bus.slice(bus.lastIndexOf('/') + 1);
  return arn(s, 'events', busName === 'default' ? `rule/${s.name()}` : `rule/${busName}/${s.name()}`);
};
const table: Identity = {
  ref: (s) => s.name(),
  attributes: {
    Arn: tableArn,
    StreamArn: (s) => `${tableArn(s)}/stream/1970-01-01T00:00:00.000`,
    TableId: (s) => uuid(seedOf(s)),
  },
};

const IDENTITIES: { readonly [type: string]: Identity } = {
  'AWS::Lambda::Function': { ref: (s) => s.name(), attributes: { Arn: functionArn } },
  'AWS::DynamoDB::Table': table,
  'AWS::DynamoDB::GlobalTable': table,
  'AWS::IAM::Role': {
    ref: (s) => s.name(),
    attributes: { Arn: roleArn, RoleId: (s) => `AROA${localId(seedOf(s), 17, UPPER)}` },
  },
  'AWS::IAM::User': { ref: (s) => s.name(), attributes: { Arn: (s) => arn(s, 'iam', `user/${s.name()}`, false) } },
  'AWS::IAM::ManagedPolicy': {
    ref: (s) => arn(s, 'iam', `policy/${s.name()}`, false),
    attributes: { PolicyArn: (s) => arn(s, 'iam', `policy/${s.name()}`, false) },
  },
  'AWS::Logs::LogGroup': {
    ref: (s) => s.name(),
    attributes: { Arn: (s) => arn(s, 'logs', `log-group:${s.name()}:*`) },
  },
  'AWS::SecretsManager::Secret': { ref: secretArn, attributes: { Id: secretArn } },
  'AWS::SNS::Topic': {
    ref: (s) => arn(s, 'sns', s.name()),
    attributes: { TopicArn: (s) => arn(s, 'sns', s.name()), TopicName: (s) => s.name() },
  },
  'AWS::SQS::Queue': {
    ref: (s) => `https://sqs.${s.env.region}.${s.env.urlSuffix}/${s.env.accountId}/${s.name()}`,
    attributes: {
      Arn: (s) => arn(s, 'sqs', s.name()),
      QueueName: (s) => s.name(),
      QueueUrl: (s) => `https://sqs.${s.env.region}.${s.env.urlSuffix}/${s.env.accountId}/${s.name()}`,
    },
  },
  'AWS::S3::Bucket': {
    ref: (s) => s.name().toLowerCase(),
    attributes: {
      Arn: (s) => `arn:${s.env.partition}:s3:::${s.name().toLowerCase()}`,
      DomainName: (s) => `${s.name().toLowerCase()}.s3.${s.env.urlSuffix}`,
      RegionalDomainName: (s) => `${s.name().toLowerCase()}.s3.${s.env.region}.${s.env.urlSuffix}`,
    },
  },
  'AWS::KMS::Key': {
    ref: (s) => uuid(seedOf(s)),
    attributes: { Arn: (s) => arn(s, 'kms', `key/${uuid(seedOf(s))}`), KeyId: (s) => uuid(seedOf(s)) },
  },
  'AWS::Cognito::UserPool': {
    ref: userPoolId,
    attributes: {
      Arn: (s) => arn(s, 'cognito-idp', `userpool/${userPoolId(s)}`),
      UserPoolId: userPoolId,
      ProviderName: (s) => `cognito-idp.${s.env.region}.${s.env.urlSuffix}/${userPoolId(s)}`,
      ProviderURL: (s) => `https://cognito-idp.${s.env.region}.${s.env.urlSuffix}/${userPoolId(s)}`,
    },
  },
  'AWS::Cognito::UserPoolClient': { ref: id(26), attributes: { ClientId: id(26) } },
  'AWS::ApiGatewayV2::Api': {
    ref: id(10),
    attributes: {
      ApiId: id(10),
      ApiEndpoint: (s) => `https://${id(10)(s)}.execute-api.${s.env.region}.${s.env.urlSuffix}`,
    },
  },
  'AWS::ApiGatewayV2::Stage': { ref: (s) => s.property('StageName') ?? s.name(), attributes: {} },
  'AWS::ApiGatewayV2::Integration': { ref: id(7), attributes: { IntegrationId: id(7) } },
  'AWS::ApiGatewayV2::Route': { ref: id(7), attributes: { RouteId: id(7) } },
  'AWS::ApiGatewayV2::Authorizer': { ref: id(7), attributes: { AuthorizerId: id(7) } },
  'AWS::ApiGateway::RestApi': {
    ref: id(10),
    attributes: { RestApiId: id(10), RootResourceId: (s) => localId(seedOf(s, '/'), 10) },
  },
  'AWS::ApiGateway::Resource': { ref: id(6), attributes: { ResourceId: id(6) } },
  'AWS::ApiGateway::Stage': { ref: (s) => s.property('StageName') ?? s.name(), attributes: {} },
  'AWS::ApiGateway::Deployment': { ref: id(6), attributes: { DeploymentId: id(6) } },
  'AWS::ApiGateway::Authorizer': { ref: id(6), attributes: { AuthorizerId: id(6) } },
  'AWS::ApiGateway::ApiKey': { ref: id(10, MIXED), attributes: { APIKeyId: id(10, MIXED) } },
  'AWS::ApiGateway::UsagePlan': { ref: id(6), attributes: { Id: id(6) } },
  'AWS::ApiGateway::RequestValidator': { ref: id(6), attributes: { RequestValidatorId: id(6) } },
  'AWS::ApiGateway::Model': { ref: (s) => s.name().replace(/[^A-Za-z0-9]/g, ''), attributes: {} },
  'AWS::CloudWatch::Alarm': {
    ref: (s) => s.name(),
    attributes: { Arn: (s) => arn(s, 'cloudwatch', `alarm:${s.name()}`) },
  },
  'AWS::Events::Rule': { ref: (s) => s.name(), attributes: { Arn: ruleArn } },
  'AWS::Events::EventBus': {
    ref: (s) => s.name(),
    attributes: { Arn: (s) => arn(s, 'events', `event-bus/${s.name()}`), Name: (s) => s.name() },
  },
  'AWS::StepFunctions::StateMachine': {
    ref: (s) => arn(s, 'states', `stateMachine:${s.name()}`),
    attributes: { Arn: (s) => arn(s, 'states', `stateMachine:${s.name()}`), Name: (s) => s.name() },
  },
};

/** What `Ref` returns for the resource. */
export function refValue(subject: ResourceSubject): string {
  return (IDENTITIES[subject.type]?.ref ?? ((s: ResourceSubject) => s.name()))(subject);
}

/**
 * What `Fn::GetAtt` returns for the attribute, or undefined when there is no local value for it. An `Arn` of a
 * type without its own format follows the common `arn:<partition>:<service>:<region>:<account>:<type>/<name>`.
 */
export function attributeValue(subject: ResourceSubject, attribute: string): string | undefined {
  const produce = IDENTITIES[subject.type]?.attributes[attribute];
  if (produce !== undefined) return produce(subject);
  const [, service, kind] = subject.type.split('::');
  if (attribute === 'Arn' && service !== undefined && kind !== undefined) {
    return arn(subject, service.toLowerCase(), `${kind.toLowerCase()}/${subject.name()}`);
  }
  return undefined;
}
