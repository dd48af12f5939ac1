import * as path from 'path';
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AccessPattern,
  ApiAuthorization,
  ApiFunctionOptions,
  RouteOptions,
  ServerlessApi,
  ServerlessApiProps,
  TableEncryption,
} from '../../src';

// aws-cdk-lib 2.257's own TableV2 passes two deprecated TableGrantsProps to itself: not ours to fix, and it would
// print a warning with a stack trace for every table in every test. Any other deprecation warning still shows.
const consoleWarn = console.warn;
console.warn = (...args: unknown[]) => {
  if (
    args[0] === '[WARNING]' &&
    /TableGrantsProps#(encryptedResource|policyResource) is deprecated/.test(`${args[1]}`)
  ) {
    return;
  }
  consoleWarn(...args);
};

/** The one route handler every test function bundles; esbuild output is cached per stack. */
export const HANDLER_ENTRY = path.join(__dirname, '..', 'fixtures', 'handler.ts');

export const ISSUER = 'https://issuer.example.com';
export const AUDIENCE = ['web-client'];

/** A concrete environment, needed where aws-cdk-lib renders region-specific values (customer-managed table keys). */
export const ENV = { account: '123456789012', region: 'eu-west-1' };

/** The API-wide JWT authorization used by most tests. */
export function jwt(): ApiAuthorization {
  return ApiAuthorization.jwt({ issuer: ISSUER, audience: AUDIENCE });
}

export function newStack(props?: StackProps): Stack {
  return new Stack(new App(), 'Test', props);
}

export function route(method: HttpMethod, routePath: string, options: Partial<RouteOptions> = {}): RouteOptions {
  return { method, path: routePath, ...options };
}

/** A route function of the fixture handler. */
export function fn(routes: RouteOptions[], options: Partial<ApiFunctionOptions> = {}): ApiFunctionOptions {
  return { entry: HANDLER_ENTRY, routes, ...options };
}

/** Item patterns on `ITEM#{itemId}` / `DETAIL#{detailId}`, one per item operation, named like the operation. */
export function itemPatterns(): { [name: string]: AccessPattern } {
  const key = { partitionKey: 'ITEM#{itemId}', sortKey: 'DETAIL#{detailId}' };
  return {
    getItem: AccessPattern.getItem(key),
    putItem: AccessPattern.putItem(key),
    updateItem: AccessPattern.updateItem(key),
    deleteItem: AccessPattern.deleteItem(key),
    listItems: AccessPattern.query({ partitionKey: 'ITEM#{itemId}', sortKeyPrefix: 'DETAIL#' }),
  };
}

/** The smallest useful API: the required props and one function with one route that gets items. */
export function defaultProps(): ServerlessApiProps {
  return {
    authorization: jwt(),
    accessPatterns: itemPatterns(),
    functions: {
      items: fn([route(HttpMethod.GET, '/items/{itemId}')], { accessPatterns: ['getItem'] }),
    },
  };
}

/** The fully configured API: customer-managed key, an index, a public webhook, a route throttle and alarm actions. */
export function fullyConfigured(): { stack: Stack; api: ServerlessApi } {
  const stack = newStack({ env: ENV });
  const topic = new sns.Topic(stack, 'Oncall', { enforceSSL: true });
  const api = new ServerlessApi(stack, 'Api', {
    authorization: jwt(),
    table: {
      encryption: TableEncryption.customerManaged(),
      globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' }],
    },
    accessPatterns: {
      listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{projectId}', sortKeyPrefix: 'TASK#' }),
      createTask: AccessPattern.putItem({ partitionKey: 'PROJECT#{projectId}', sortKey: 'TASK#{taskId}' }),
      tasksByStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
      recordDelivery: AccessPattern.putItem({ partitionKey: 'WEBHOOK#{deliveryId}', sortKey: 'DELIVERY' }),
    },
    alarms: { topic },
    functions: {
      tasks: fn(
        [
          route(HttpMethod.GET, '/projects/{projectId}/tasks'),
          route(HttpMethod.POST, '/projects/{projectId}/tasks', {
            authorizationScopes: ['tasks:write'],
            throttle: { rateLimit: 5, burstLimit: 10 },
          }),
        ],
        { accessPatterns: ['listTasks', 'createTask', 'tasksByStatus'] },
      ),
      webhooks: fn([route(HttpMethod.POST, '/webhooks/{provider}', { authorization: ApiAuthorization.none() })], {
        accessPatterns: ['recordDelivery'],
      }),
    },
  });
  return { stack, api };
}

export interface BuiltApi {
  readonly stack: Stack;
  readonly api: ServerlessApi;
  readonly template: Template;
}

/** Builds a `ServerlessApi` from `defaultProps()` with `props` on top, and synthesizes its stack. */
export function buildApi(props: Partial<ServerlessApiProps> = {}, stack: Stack = newStack()): BuiltApi {
  const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), ...props });
  return { stack, api, template: Template.fromStack(stack) };
}

/** Constructing with these props must throw exactly `message` (jest compares an Error's message for equality). */
export function expectError(props: Partial<ServerlessApiProps>, message: string): void {
  expect(() => new ServerlessApi(newStack(), 'Api', { ...defaultProps(), ...props })).toThrow(new Error(message));
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly DependsOn?: string[];
  readonly Metadata?: any;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** The key of the cost-allocation tag the API puts on every resource it creates, unless told otherwise. */
export const COST_TAG_KEY = 'serverless-api';

/**
 * The template's resources, without the cost-allocation tag every resource of the API carries (tested on its own in
 * test/monitoring/cost-allocation-tag.test.ts), so that properties compare as the resource's own.
 */
export function resources(template: Template): { [logicalId: string]: CfnResource } {
  const all: { [logicalId: string]: CfnResource } = template.toJSON().Resources ?? {};
  return Object.fromEntries(Object.entries(all).map(([id, resource]) => [id, withoutCostTag(resource)]));
}

function withoutCostTag(resource: CfnResource): CfnResource {
  if (!resource.Properties) return resource;
  const strip = (props: any): any => {
    const result = { ...props };
    for (const property of ['Tags', 'UserPoolTags']) {
      const tags = result[property];
      if (tags === undefined) continue;
      const kept = Array.isArray(tags)
        ? tags.filter((tag: { Key: string }) => tag.Key !== COST_TAG_KEY)
        : Object.fromEntries(Object.entries(tags).filter(([key]) => key !== COST_TAG_KEY));
      if (Object.keys(kept).length === 0) delete result[property];
      else result[property] = kept;
    }
    return result;
  };
  const properties = strip(resource.Properties);
  // A TableV2 keeps its tags on each replica.
  if (resource.Type === 'AWS::DynamoDB::GlobalTable' && Array.isArray(properties.Replicas)) {
    properties.Replicas = properties.Replicas.map(strip);
  }
  return { ...resource, Properties: properties };
}

export function resourceTypeCounts(template: Template): { [type: string]: number } {
  const counts: { [type: string]: number } = {};
  Object.values(resources(template)).forEach((r) => (counts[r.Type] = (counts[r.Type] ?? 0) + 1));
  return counts;
}

/** Logical id of the one resource of `type` whose logical id starts with `prefix` (construct path without separators). */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} with a logical id starting ${prefix}, found: ${ids}`);
  return ids[0];
}

/**
 * The logical ids of the KMS keys other than the one encrypting the alarm topic the API creates (with its
 * alarms on), i.e. the keys the table's encryption decides.
 */
export function tableKeyIds(template: Template): string[] {
  return Object.keys(template.findResources('AWS::KMS::Key')).filter(
    (id) => !id.startsWith('ApiMonitoringAlarmTopicKey'),
  );
}

/**
 * The key policy statement through which only AWS services, for the resources they run on the key, may create grants
 * on a key the API creates: what AWS Control Tower's CT.KMS.PR.3 asks of a key policy
 * (https://docs.aws.amazon.com/controltower/latest/userguide/kms-rules.html#ct-kms-pr-3-description).
 */
export const GRANTS_ONLY_FOR_AWS_SERVICES = {
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};

export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
export const ref = (id: string) => ({ Ref: id });

/** The URI through which API Gateway invokes a function (an integration or a Lambda authorizer). */
export const invocationUri = (functionArn: unknown) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':apigateway:',
      { Ref: 'AWS::Region' },
      ':lambda:path/2015-03-31/functions/',
      functionArn,
      '/invocations',
    ],
  ],
});

/** The logical id of the role through which API Gateway invokes the functions of the API `Api`. */
export function invokeRoleId(template: Template): string {
  return logicalId(template, 'AWS::IAM::Role', 'ApiInvokeRole');
}

export interface FunctionIds {
  readonly function: string;
  readonly role: string;
  readonly logGroup: string;
  readonly integration: string;
  readonly alarm?: string;
}

/** The logical ids of the resources of the route function `name` of the API with construct id `Api`. */
export function functionIds(template: Template, name: string): FunctionIds {
  const prefix = `ApiFunctions${name}`;
  const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter((id) =>
    id.startsWith(`${prefix}Alarm`),
  );
  return {
    function: logicalId(template, 'AWS::Lambda::Function', `${prefix}Function`),
    role: logicalId(template, 'AWS::IAM::Role', `${prefix}Role`),
    logGroup: logicalId(template, 'AWS::Logs::LogGroup', `${prefix}Logs`),
    integration: logicalId(template, 'AWS::ApiGatewayV2::Integration', `${prefix}Integration`),
    alarm: alarms[0],
  };
}

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: any;
}

/** The statements of every inline policy of a role. */
export function inlineStatements(template: Template, roleId: string): PolicyStatementJson[] {
  const role = resources(template)[roleId];
  return (role.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return ([] as string[]).concat(statement.Action);
}

/** Every IAM statement in the template: inline role policies and any policy resources. */
export function allStatements(template: Template): PolicyStatementJson[] {
  return Object.values(resources(template)).flatMap((r) => {
    if (r.Type === 'AWS::IAM::Role') {
      return (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
    }
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      return r.Properties.PolicyDocument.Statement;
    }
    return [];
  });
}
