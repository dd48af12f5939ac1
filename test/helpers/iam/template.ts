/**
 * Turns a synthesized CloudFormation template into concrete policies and ARNs an offline IAM
 * evaluator can read: intrinsics are resolved with a fixed environment and realistic ARNs per
 * resource type. Anything it cannot resolve throws, so no statement escapes evaluation unread.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
}

export interface CfnTemplate {
  readonly Resources?: { [logicalId: string]: CfnResource };
  readonly Parameters?: { [name: string]: { Default?: Json } };
}

/** Values of the pseudo parameters; fixed for env-agnostic stacks, the stack's own otherwise. */
export interface Environment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
}

export const DEFAULT_ENVIRONMENT: Environment = {
  account: '123456789012',
  region: 'us-east-1',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
};

const TABLE_TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'];

/** The label of every table stream's ARN: when the stream was enabled. */
export const STREAM_LABEL = '2026-01-01T00:00:00.000';

/** Property holding a resource's physical name, where CloudFormation lets the template set one. */
const NAME_PROPERTIES: { [type: string]: string } = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Events::EventBus': 'Name',
};

/** Resource types whose `Ref` is their ARN rather than their name. */
const REF_IS_ARN = ['AWS::SNS::Topic', 'AWS::SecretsManager::Secret', 'AWS::IAM::ManagedPolicy'];

export class ResolvedTemplate {
  public readonly resources: { [logicalId: string]: CfnResource };

  constructor(
    private readonly template: CfnTemplate,
    public readonly env: Environment = DEFAULT_ENVIRONMENT,
  ) {
    this.resources = template.Resources ?? {};
  }

  /** Logical ids and resources of one type (or several). */
  public ofType(...types: string[]): [string, CfnResource][] {
    return Object.entries(this.resources).filter(([, r]) => types.includes(r.Type));
  }

  public isTable(logicalId: string): boolean {
    return TABLE_TYPES.includes(this.resource(logicalId).Type);
  }

  /** The physical name CloudFormation would give the resource: its name property, else its logical id. */
  public nameOf(logicalId: string): string {
    const resource = this.resource(logicalId);
    const property = NAME_PROPERTIES[resource.Type];
    const name = property ? resource.Properties?.[property] : undefined;
    return name === undefined ? logicalId : this.resolveString(name, `${logicalId}.${property}`);
  }

  /** A realistic ARN of the resource, as `Fn::GetAtt [id, 'Arn']` would give after deployment. */
  public arnOf(logicalId: string): string {
    const { partition, region, account } = this.env;
    const type = this.resource(logicalId).Type;
    const name = this.nameOf(logicalId);
    const arn = (service: string, rest: string, inRegion = region) =>
      `arn:${partition}:${service}:${inRegion}:${account}:${rest}`;
    switch (type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return arn('dynamodb', `table/${name}`);
      case 'AWS::KMS::Key':
        return arn('kms', `key/${logicalId}`);
      case 'AWS::Logs::LogGroup':
        return arn('logs', `log-group:${name}:*`);
      case 'AWS::Lambda::Function':
        return arn('lambda', `function:${name}`);
      case 'AWS::IAM::Role':
        return arn('iam', `role/${name}`, '');
      case 'AWS::IAM::ManagedPolicy':
        return arn('iam', `policy/${name}`, '');
      case 'AWS::SNS::Topic':
      case 'AWS::SQS::Queue':
        return arn(type === 'AWS::SNS::Topic' ? 'sns' : 'sqs', name);
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${name}-AbCdEf`);
      case 'AWS::Events::EventBus':
        return arn('events', `event-bus/${name}`);
      default: {
        const [, service, kind] = type.split('::');
        return arn(service.toLowerCase(), `${kind.toLowerCase()}/${name}`);
      }
    }
  }

  /** Resolves every intrinsic function in `value`; throws on one it does not know. */
  public resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], value[keys[0]]);
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(value[k])]));
  }

  public resolveString(value: Json, what: string): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') {
      throw new Error(`${what} must resolve to a string, got: ${JSON.stringify(value)}`);
    }
    return resolved;
  }

  /** The logical id a resolved `Ref` name or ARN points back to, if it is one of the template's resources. */
  public idOf(nameOrArn: string, ...types: string[]): string | undefined {
    return this.ofType(...types)
      .map(([id]) => id)
      .find((id) => this.arnOf(id) === nameOrArn || this.ref(id) === nameOrArn);
  }

  private resource(logicalId: string): CfnResource {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    return resource;
  }

  private ref(name: string): string {
    const pseudo: { [name: string]: string } = {
      'AWS::AccountId': this.env.account,
      'AWS::Region': this.env.region,
      'AWS::Partition': this.env.partition,
      'AWS::URLSuffix': this.env.urlSuffix,
      'AWS::StackName': 'Stack',
      'AWS::NoValue': '',
    };
    if (name in pseudo) return pseudo[name];
    const parameter = this.template.Parameters?.[name];
    if (parameter) return typeof parameter.Default === 'string' ? parameter.Default : name;
    const type = this.resource(name).Type;
    if (REF_IS_ARN.includes(type)) return this.arnOf(name);
    if (type === 'AWS::SQS::Queue') {
      const { region, urlSuffix, account } = this.env;
      return `https://sqs.${region}.${urlSuffix}/${account}/${this.nameOf(name)}`;
    }
    return this.nameOf(name);
  }

  private intrinsic(fn: string, args: Json): Json {
    const list = (): Json[] => {
      if (!Array.isArray(args)) throw new Error(`${fn} expects a list, got: ${JSON.stringify(args)}`);
      return args;
    };
    switch (fn) {
      case 'Ref':
        return this.ref(this.resolveString(args, 'Ref'));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(args) ? args : `${args}`.split('.');
        if (attribute === 'Arn') return this.arnOf(`${id}`);
        // A table's stream, labelled by the time it was enabled.
        if (attribute === 'StreamArn' && this.isTable(`${id}`)) return `${this.arnOf(`${id}`)}/stream/${STREAM_LABEL}`;
        return `${id}.${attribute}`;
      }
      case 'Fn::Join': {
        const [separator, parts] = list();
        const values = this.resolve(parts);
        if (!Array.isArray(values)) throw new Error(`Fn::Join parts must be a list, got: ${JSON.stringify(parts)}`);
        return values.map((v) => `${v}`).join(`${separator}`);
      }
      case 'Fn::Select': {
        const [index, values] = list();
        const resolved = this.resolve(values);
        if (!Array.isArray(resolved)) throw new Error(`Fn::Select needs a list, got: ${JSON.stringify(values)}`);
        return resolved[Number(this.resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, source] = list();
        return this.resolveString(source, 'Fn::Split').split(`${separator}`);
      }
      case 'Fn::Sub':
        return this.sub(args);
      default:
        throw new Error(`unsupported intrinsic ${fn}: ${JSON.stringify(args)}`);
    }
  }

  private sub(args: Json): string {
    const [text, variables] = Array.isArray(args) ? args : [args, {}];
    const vars = (variables ?? {}) as JsonObject;
    return `${text}`.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
      if (name in vars) return this.resolveString(vars[name], `Fn::Sub \${${name}}`);
      const [id, attribute] = name.split('.');
      return attribute ? this.resolveString({ 'Fn::GetAtt': [id, attribute] }, name) : this.ref(name);
    });
  }
}
