/**
 * The apps the Control Tower guard rules run over: the task-board example and a ServerlessApi in each configuration
 * that changes what it synthesizes (API kind, each authorizer kind, the table's encryption and billing, an existing
 * table, the alarm wiring, the log retention, the REST-only features).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TemplateUnderCheck } from './conformance';
import { TaskBoardStack } from '../../../integ/task-board/stack';
import {
  AccessPattern,
  ApiAuthorization,
  ApiEventBus,
  ApiStacks,
  ApiType,
  CostAllocationTag,
  ServerlessApi,
  ServerlessApiProps,
  TableBilling,
  TableEncryption,
} from '../../../src';
import { loadStackArtifacts } from '../../../src/assembly/assembly';
import { limitGrantsToAwsServices } from '../../../src/private/key-policy';
import { defaultProps, ENV, fn, HANDLER_ENTRY, itemPatterns, jwt, route } from '../api';

/** One app of the conformance set. */
export interface ConformanceApp {
  /** A short name, stable across runs: the figures and the findings name the app by it. */
  readonly name: string;
  /** What the app exercises. */
  readonly description: string;
  /** Builds the app's stack in `app`. */
  build(app: App): Stack;
}

const WEB_ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

/** A ServerlessApi with `defaultProps()` and `props` on top, alone in a stack. */
function api(props: Partial<ServerlessApiProps>, stackProps?: StackProps): ConformanceApp['build'] {
  return (app) => {
    const stack = new Stack(app, 'Api', stackProps);
    new ServerlessApi(stack, 'Api', { ...defaultProps(), ...props });
    return stack;
  };
}

/** One function with two routes behind the API's authorizer and a public health route. */
function itemsWithPublicHealth(): ServerlessApiProps['functions'] {
  return {
    items: fn([
      route(HttpMethod.GET, '/items/{itemId}'),
      route(HttpMethod.POST, '/items/{itemId}/details/{detailId}'),
      route(HttpMethod.GET, '/health', { authorization: ApiAuthorization.none() }),
    ]),
  };
}

export const CONFORMANCE_APPS: ConformanceApp[] = [
  {
    name: 'task-board',
    description: 'the example app: HTTP API, JWT, a public webhook route, a secret, three functions',
    build: (app) => new TaskBoardStack(app, 'TaskBoard'),
  },
  {
    name: 'http-jwt',
    description: 'HTTP API with a JWT authorizer and every default',
    build: api({}),
  },
  {
    name: 'http-customer-key',
    description: 'HTTP API, customer-managed table key, an index, a route throttle, the alarms on your own topic',
    build: (app) => {
      const stack = new Stack(app, 'Api', { env: ENV });
      new ServerlessApi(stack, 'Api', {
        authorization: jwt(),
        table: {
          encryption: TableEncryption.customerManaged(),
          globalSecondaryIndexes: [{ indexName: 'byStatus', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' }],
        },
        accessPatterns: {
          listTasks: AccessPattern.query({ partitionKey: 'PROJECT#{projectId}', sortKeyPrefix: 'TASK#' }),
          tasksByStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
        },
        alarms: { topic: new sns.Topic(stack, 'Oncall', { enforceSSL: true }) },
        functions: {
          tasks: fn(
            [route(HttpMethod.GET, '/projects/{projectId}/tasks', { throttle: { rateLimit: 5, burstLimit: 10 } })],
            { accessPatterns: ['listTasks', 'tasksByStatus'] },
          ),
        },
      });
      return stack;
    },
  },
  {
    name: 'http-aws-managed-key',
    description: 'HTTP API, AWS-managed table key, one alarm per signal (no composite alarm)',
    build: api({
      table: { encryption: TableEncryption.awsManaged() },
      alarms: { compositeAlarm: false },
    }),
  },
  {
    name: 'http-provisioned',
    description:
      'HTTP API, a provisioned table with auto scaling (an index with its own read capacity), capacity alarms',
    build: api({
      table: {
        billing: TableBilling.provisioned({
          readCapacity: { minCapacity: 5, maxCapacity: 100 },
          writeCapacity: { minCapacity: 2, maxCapacity: 20, targetUtilizationPercent: 60 },
          indexes: { byStatus: { readCapacity: { minCapacity: 1, maxCapacity: 10 } } },
        }),
      },
      accessPatterns: {
        ...itemPatterns(),
        byStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
      },
    }),
  },
  {
    name: 'http-on-demand-maximum',
    description: 'HTTP API, an on-demand table with read and write maximums and their alarms',
    build: api({ table: { billing: TableBilling.onDemand({ maxReadRequestUnits: 500, maxWriteRequestUnits: 100 }) } }),
  },
  {
    name: 'http-lambda-request',
    description: 'HTTP API with a Lambda request authorizer and a public route',
    build: api({
      authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY, resultsCacheTtl: Duration.minutes(1) }),
      functions: itemsWithPublicHealth(),
    }),
  },
  {
    name: 'http-iam',
    description: 'HTTP API with IAM authorization, CORS, tracing off',
    build: api({
      authorization: ApiAuthorization.iam(),
      cors: { allowOrigins: ['https://app.example.com'] },
      functionDefaults: { tracing: false },
    }),
  },
  {
    name: 'http-cognito',
    description: 'HTTP API with a Cognito user pool the API creates',
    build: api({ authorization: ApiAuthorization.cognito() }),
  },
  {
    name: 'http-existing-table',
    description: 'HTTP API on an existing table, logs kept a year',
    build: (app) => {
      const stack = new Stack(app, 'Api', { env: ENV });
      new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        existingTable: { table: dynamodb.TableV2.fromTableName(stack, 'Orders', 'orders') },
        logRetention: logs.RetentionDays.ONE_YEAR,
      });
      return stack;
    },
  },
  {
    name: 'rest-iam',
    description: 'REST API with IAM authorization and every default',
    build: api({ apiType: ApiType.REST, authorization: ApiAuthorization.iam() }),
  },
  {
    name: 'rest-lambda-token',
    description: 'REST API with a Lambda token authorizer, a Lambda request authorizer on one route, a public route',
    build: api({
      apiType: ApiType.REST,
      authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY }),
      accessPatterns: itemPatterns(),
      functions: {
        items: fn([
          route(HttpMethod.GET, '/items/{itemId}'),
          route(HttpMethod.GET, '/devices', {
            authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
          }),
          route(HttpMethod.GET, '/health', { authorization: ApiAuthorization.none() }),
        ]),
      },
    }),
  },
  {
    name: 'rest-cognito',
    description: 'REST API with a Cognito user pool the API creates',
    build: api({ apiType: ApiType.REST, authorization: ApiAuthorization.cognito() }),
  },
  {
    name: 'http-queues',
    description:
      'HTTP API with a standard queue on SSE-SQS sent to by a route function, and a FIFO queue under its own key sent to by its worker',
    build: (app) => {
      const stack = new Stack(app, 'Api', { env: ENV });
      const ordersKey = new kms.Key(stack, 'OrdersKey', { enableKeyRotation: true });
      limitGrantsToAwsServices(ordersKey);
      new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        functions: { items: fn([route(HttpMethod.POST, '/items')], { queues: ['thumbnails'] }) },
        queues: {
          thumbnails: { worker: { entry: HANDLER_ENTRY, accessPatterns: ['getItem'], queues: ['orders'] } },
          orders: {
            fifo: true,
            encryptionKey: ordersKey,
            worker: { entry: HANDLER_ENTRY, batchSize: 5 },
          },
        },
      });
      return stack;
    },
  },
  {
    name: 'rest-features',
    description: 'REST API with usage plans and API keys, a cache, execution logging, compression and a web ACL',
    build: api(
      {
        apiType: ApiType.REST,
        authorization: ApiAuthorization.lambdaRequest({
          entry: HANDLER_ENTRY,
          identitySource: ['$request.header.X-Session'],
        }),
        usagePlans: {
          basic: { throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 1000 }, apiKeys: ['partner'] },
          premium: { quota: { limit: 100000, period: apigateway.Period.MONTH } },
        },
        cache: {},
        executionLogging: { level: apigateway.MethodLoggingLevel.INFO },
        minCompressionSize: Size.kibibytes(1),
        webAclArn: WEB_ACL_ARN,
        functions: {
          items: fn([
            route(HttpMethod.GET, '/items/{itemId}', { cache: { ttl: Duration.minutes(1) } }),
            route(HttpMethod.GET, '/health', { apiKeyRequired: false, authorization: ApiAuthorization.none() }),
          ]),
        },
      },
      { env: ENV },
    ),
  },
  {
    name: 'http-budget',
    description:
      'HTTP API with a monthly budget notifying its encrypted alarm topic and two email addresses, under a cost-allocation tag of its own',
    build: api(
      {
        costAllocationTag: CostAllocationTag.of('cost-center', 'web-shop'),
        budget: {
          monthlyLimitUsd: 100,
          forecastedThresholds: [100, 150],
          emails: ['finance@example.com', 'ops@example.com'],
        },
      },
      { env: ENV },
    ),
  },
  {
    name: 'http-events',
    description:
      'HTTP API with a bus the API creates and archives, a route function publishing to it, and two event workers (one publishing in turn)',
    build: api({
      functions: {
        items: fn([route(HttpMethod.POST, '/items')], {
          publishes: [{ source: 'com.example.orders', detailTypes: ['OrderPlaced'] }],
        }),
      },
      events: {
        bus: ApiEventBus.create({ archiveRetention: Duration.days(30) }),
        workers: {
          fulfil: {
            entry: HANDLER_ENTRY,
            sources: ['com.example.orders'],
            accessPatterns: ['getItem'],
            publishes: [{ source: 'com.example.shipping', detailTypes: ['ShipmentRequested'] }],
          },
          ship: { entry: HANDLER_ENTRY, sources: ['com.example.shipping'], functionRetryAttempts: 0 },
        },
      },
    }),
  },
  {
    name: 'http-table-stream',
    description:
      'HTTP API whose customer-managed table streams to two workers, one filtered, and an event worker on the default bus',
    build: api(
      {
        table: { encryption: TableEncryption.customerManaged() },
        tableStream: {
          workers: {
            changes: { entry: HANDLER_ENTRY },
            inserts: {
              entry: HANDLER_ENTRY,
              filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })],
              publishes: [{ source: 'com.example.items', detailTypes: ['ItemCreated'] }],
            },
          },
        },
        events: { workers: { notify: { entry: HANDLER_ENTRY, sources: ['com.example.items', 'aws.s3'] } } },
      },
      { env: ENV },
    ),
  },
  {
    name: 'http-nested-stacks',
    description:
      'HTTP API whose route functions, roles, alarms and routes are in nested stacks, checked as one template',
    build: api({
      stacks: ApiStacks.nested({ stackCount: 3 }),
      functions: Object.fromEntries(
        ['items', 'orders', 'users', 'carts'].map((name) => [
          name,
          fn([route(HttpMethod.GET, `/${name}/{itemId}`)], { accessPatterns: ['getItem'] }),
        ]),
      ),
    }),
  },
  {
    name: 'rest-nested-stacks',
    description:
      'REST API whose route functions, roles, alarms and methods are in nested stacks, its path resources and deployment in its own, checked as one template',
    build: api({
      apiType: ApiType.REST,
      authorization: ApiAuthorization.iam(),
      stacks: ApiStacks.nested({ stackCount: 3 }),
      functions: Object.fromEntries(
        ['items', 'orders', 'users', 'carts'].map((name) => [
          name,
          fn([route(HttpMethod.GET, `/${name}/{itemId}`)], { accessPatterns: ['getItem'] }),
        ]),
      ),
    }),
  },
];

/** A synthesized conformance app: its template as synth wrote it, named after the app. */
export interface SynthesizedApp extends TemplateUnderCheck {
  readonly app: ConformanceApp;
}

/** Synthesizes each app, without bundling, into `outdir/<name>`. */
export function synthesizeApps(outdir: string, apps: ConformanceApp[] = CONFORMANCE_APPS): SynthesizedApp[] {
  return apps.map((conformanceApp) => {
    const app = new App({
      outdir: path.join(outdir, conformanceApp.name),
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = conformanceApp.build(app);
    const assembly = app.synth();
    const artifact = assembly.getStackByName(stack.stackName);
    const concrete = (value: string) => (value.startsWith('unknown-') ? undefined : value);
    // With nested stacks, the template as the readers see it: the nested stacks' resources in it.
    let templatePath = artifact.templateFullPath;
    const read = loadStackArtifacts(assembly.directory).find((s) => s.artifactId === artifact.id)!;
    if (read.hasNestedStacks) {
      templatePath = path.join(assembly.directory, `${artifact.id}.flattened.json`);
      fs.writeFileSync(templatePath, JSON.stringify(read.template, undefined, 1));
    }
    return {
      app: conformanceApp,
      name: conformanceApp.name,
      templatePath,
      body: fs.readFileSync(templatePath, 'utf-8'),
      region: concrete(artifact.environment.region),
      account: concrete(artifact.environment.account),
    };
  });
}
