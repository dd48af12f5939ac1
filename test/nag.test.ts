import { CfnResource, Duration, NestedStack, Size, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NagRuleCompliance, rules, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  AccessPattern,
  ApiAuthorization,
  ApiStacks,
  ApiType,
  OAuthGrant,
  ServerlessApi,
  TableBilling,
  TableEncryption,
  UserPoolMfa,
  UserPoolSignInDomain,
} from '../src';
import {
  defaultProps,
  ENV,
  fn,
  fullyConfigured,
  HANDLER_ENTRY,
  itemPatterns,
  jwt,
  logicalId,
  newStack,
  route,
} from './helpers/api';

/** Every finding of both packs that no acknowledgement covers, as "rule: construct path". */
function unacknowledgedFindings(stack: Stack): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(stack)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`)),
  );
}

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** The acknowledgements recorded under `scope`, with paths relative to it. */
function acknowledgements(scope: IConstruct): Acknowledgement[] {
  const found = new Map<string, Acknowledgement>();
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as { [id: string]: string })) {
        const id = qualifiedId.replace(/^annotation::/i, '');
        const path = construct.node.path.slice(scope.node.path.length + 1);
        found.set(`${path} ${id}`, { path, id, reason });
      }
    }
  }
  return [...found.values()];
}

/** What every traced function the API bundles (route function or Lambda authorizer) acknowledges, and why it may. */
const TRACED_FUNCTION_ACKNOWLEDGEMENTS = (path: string) => [
  { path: `${path}/Role`, id: 'AwsSolutions-IAM5[Resource::*]' },
  { path: `${path}/Role`, id: 'Serverless-LambdaStarPermissions' },
  { path: `${path}/Function`, id: 'Serverless-LambdaDLQ' },
];

/** What every route function acknowledges, and why it may. */
const FUNCTION_ACKNOWLEDGEMENTS = (name: string) => TRACED_FUNCTION_ACKNOWLEDGEMENTS(`Functions/${name}`);

/**
 * What a route function with tracing off acknowledges: the missing tracing, which the caller chose. Its role
 * holds no X-Ray wildcard, so there is nothing to acknowledge there.
 */
const UNTRACED_FUNCTION_ACKNOWLEDGEMENTS = (path: string) => [
  { path: `${path}/Function`, id: 'Serverless-LambdaTracing' },
  { path: `${path}/Function`, id: 'Serverless-LambdaDLQ' },
];

/** What a Lambda authorizer bundled from its entry acknowledges: the same as a route function. */
const AUTHORIZER_FUNCTION_ACKNOWLEDGEMENTS = TRACED_FUNCTION_ACKNOWLEDGEMENTS('LambdaAuthorizerFunction');

const byPathAndId = (a: { path: string; id: string }, b: { path: string; id: string }) =>
  `${a.path} ${a.id}`.localeCompare(`${b.path} ${b.id}`);

/** The REST API's resource and its stage's, relative to the construct. */
const REST_API = 'RestApi/Resource';
const REST_STAGE = 'RestApi/DeploymentStage.prod/Resource';

/**
 * The REST rules a fully configured API must pass on its own, with the resource each checks: request validation,
 * the WAF association and execution logging.
 */
const REST_RULES_PASSED_WITHOUT_ACKNOWLEDGEMENT: [string, (node: CfnResource) => NagRuleCompliance, string][] = [
  ['AwsSolutions-APIG2', rules.apigw.APIGWRequestValidation, REST_API],
  ['AwsSolutions-APIG3', rules.apigw.APIGWAssociatedWithWAF, REST_STAGE],
  ['AwsSolutions-APIG6', rules.apigw.APIGWExecutionLoggingEnabled, REST_STAGE],
];

/** What `rule` answers for the resource at `path` under `api`, whatever is acknowledged. */
function ruleResult(
  api: ServerlessApi,
  rule: (node: CfnResource) => NagRuleCompliance,
  path: string,
): NagRuleCompliance {
  const resource = api.node.findAll().find((c) => c.node.path === `${api.node.path}/${path}`);
  if (!CfnResource.isCfnResource(resource)) throw new Error(`no CloudFormation resource at ${path}`);
  return rule(resource);
}

const WEB_ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

/**
 * A REST API with every feature on: Cognito API-wide; a Lambda token, a Lambda request, an IAM and a public route
 * without API key; a usage plan with an API key; a POST with a request model and a required header; a web ACL;
 * compression; a cache with a cached, throttled GET; execution logging; the account's CloudWatch role; CORS; a budget.
 */
function fullyConfiguredRest(): { stack: Stack; api: ServerlessApi } {
  const stack = newStack();
  const api = new ServerlessApi(stack, 'Api', {
    apiType: ApiType.REST,
    authorization: ApiAuthorization.cognito(),
    accessPatterns: itemPatterns(),
    usagePlans: {
      partners: { throttle: { rateLimit: 10, burstLimit: 20 }, quota: { limit: 10000 }, apiKeys: ['acme'] },
    },
    webAclArn: WEB_ACL_ARN,
    minCompressionSize: Size.kibibytes(1),
    cache: {},
    executionLogging: {},
    setAccountCloudWatchRole: true,
    cors: { allowOrigins: ['https://app.example.com'] },
    budget: { monthlyLimitUsd: 200, emails: ['finance@example.com'] },
    functions: {
      items: fn(
        [
          route(HttpMethod.GET, '/items/{itemId}', {
            cache: { ttl: Duration.minutes(1) },
            throttle: { rateLimit: 50 },
          }),
          route(HttpMethod.POST, '/items', {
            requestModel: {
              type: apigateway.JsonSchemaType.OBJECT,
              required: ['title'],
              properties: { title: { type: apigateway.JsonSchemaType.STRING } },
            },
            requiredParameters: { headers: ['Idempotency-Key'] },
          }),
          route(HttpMethod.GET, '/reports', { authorization: ApiAuthorization.lambdaToken({ entry: HANDLER_ENTRY }) }),
          route(HttpMethod.GET, '/exports', {
            authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
          }),
          route(HttpMethod.GET, '/admin/items', { authorization: ApiAuthorization.iam() }),
          route(HttpMethod.GET, '/health', { authorization: ApiAuthorization.none(), apiKeyRequired: false }),
        ],
        { accessPatterns: ['getItem', 'putItem'] },
      ),
    },
  });
  return { stack, api };
}

describe('cdk-nag AwsSolutions and Serverless checks', () => {
  test('the packs do report findings and honour acknowledgements (so zero findings below means something)', () => {
    // GIVEN a topic that allows plain HTTP
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Plain');
    expect(unacknowledgedFindings(stack)).toContain('AwsSolutions-SNS3: Test/Plain/Resource');

    // WHEN the finding is acknowledged
    Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS3', reason: 'test' });

    // THEN it is gone
    expect(unacknowledgedFindings(stack)).not.toContain('AwsSolutions-SNS3: Test/Plain/Resource');
  });

  describe('the default API', () => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      stack = newStack();
      api = new ServerlessApi(stack, 'Api', defaultProps());
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test('acknowledges only what route functions cannot avoid, each with a reason', () => {
      const found = acknowledgements(api);
      expect(found.map(({ path, id }) => ({ path, id })).sort(byPathAndId)).toEqual(
        FUNCTION_ACKNOWLEDGEMENTS('items').sort(byPathAndId),
      );
      found.forEach((ack) => expect(ack.reason.length).toBeGreaterThan(30));
    });
  });

  describe.each([ApiType.HTTP, ApiType.REST])(
    'a %s API with a custom domain, its certificate and records',
    (apiType) => {
      test('has no unacknowledged finding and acknowledges nothing for the domain', () => {
        // GIVEN a domain with a created certificate, alias records and the execute-api endpoint off
        const stack = newStack({ env: ENV });
        const hostedZone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
        const api = new ServerlessApi(stack, 'Api', {
          ...defaultProps(),
          apiType,
          ...(apiType === ApiType.REST ? { authorization: ApiAuthorization.iam() } : {}),
          domain: {
            domainName: 'api.example.com',
            hostedZone,
            basePaths: ['', 'v1', 'orders/v1'],
            disableExecuteApiEndpoint: true,
          },
        });

        // THEN
        expect(unacknowledgedFindings(stack)).toEqual([]);
        expect(acknowledgements(api).filter((ack) => ack.path.startsWith('Domain'))).toEqual([]);
      });
    },
  );

  describe.each([ApiType.HTTP, ApiType.REST])('a %s API whose route functions are in nested stacks', (apiType) => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      stack = newStack();
      api = new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        apiType,
        ...(apiType === ApiType.REST ? { authorization: ApiAuthorization.iam() } : {}),
        stacks: ApiStacks.nested({ stackCount: 3 }),
        functions: Object.fromEntries(
          ['items', 'orders', 'users', 'carts'].map((name) => [
            name,
            fn([route(HttpMethod.GET, `/${name}/{itemId}`)], { accessPatterns: ['getItem'] }),
          ]),
        ),
      });
    });

    test('has no unacknowledged finding, the nested stacks checked too', () => {
      expect(NestedStack.isNestedStack(Stack.of(api.functions[0]))).toBe(true);
      expect(unacknowledgedFindings(stack)).toEqual([]);
      // a finding planted in a nested stack is found: the packs do look there
      new sns.Topic(Stack.of(api.functions[0]), 'Plain');
      expect(unacknowledgedFindings(stack).filter((f) => f.startsWith('AwsSolutions-SNS3'))).toHaveLength(1);
    });
  });

  test('a REST API whose path resources, with their CORS preflights, are in path stacks has no unacknowledged finding', () => {
    // GIVEN 460 path resources (two functions of 115 routes, each on a path of its own), over the API stack's budget
    const stack = newStack();
    new ServerlessApi(stack, 'Api', {
      ...defaultProps(),
      apiType: ApiType.REST,
      authorization: ApiAuthorization.iam(),
      cors: { allowOrigins: ['https://app.example.com'] },
      functions: Object.fromEntries(
        ['items', 'orders'].map((name) => [
          name,
          fn(
            Array.from({ length: 115 }, (_, i) => route(HttpMethod.GET, `/${name}${i}/{itemId}`)),
            { accessPatterns: ['getItem'] },
          ),
        ]),
      ),
    });
    expect(stack.node.findAll().some((c) => NestedStack.isNestedStack(c) && c.node.path.includes('/Paths/'))).toBe(
      true,
    );
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  describe('the fully configured API', () => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      ({ stack, api } = fullyConfigured());
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test('acknowledges, besides the route functions, only the public route, each with a reason', () => {
      const found = acknowledgements(api);
      expect(found.map(({ path, id }) => ({ path, id })).sort(byPathAndId)).toEqual(
        [
          ...FUNCTION_ACKNOWLEDGEMENTS('tasks'),
          ...FUNCTION_ACKNOWLEDGEMENTS('webhooks'),
          { path: 'Routes/POST --webhooks--{provider}', id: 'AwsSolutions-APIG4' },
        ].sort(byPathAndId),
      );
      found.forEach((ack) => expect(ack.reason.length).toBeGreaterThan(30));
      expect(found.find((ack) => ack.id === 'AwsSolutions-APIG4')!.reason).toContain('POST /webhooks/{provider}');
    });

    test('keeps point-in-time recovery on (cdk-nag DDB3 only looks at AWS::DynamoDB::Table, not GlobalTable)', () => {
      const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable');
      const replicas = Object.values(tables).flatMap((t) => t.Properties.Replicas);
      expect(replicas).toHaveLength(1);
      replicas.forEach((replica) =>
        expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true }),
      );
    });
  });

  describe('an API with a provisioned table (auto scaling on the table and on its index)', () => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      // GIVEN
      stack = newStack();
      api = new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        table: {
          billing: TableBilling.provisioned({
            readCapacity: { minCapacity: 5, maxCapacity: 100 },
            writeCapacity: { minCapacity: 5, maxCapacity: 50 },
          }),
        },
        accessPatterns: {
          ...itemPatterns(),
          byStatus: AccessPattern.query({ partitionKey: 'STATUS#{status}', indexName: 'byStatus' }),
        },
      });
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test('acknowledges only what route functions cannot avoid', () => {
      expect(
        acknowledgements(api)
          .map(({ path, id }) => ({ path, id }))
          .sort(byPathAndId),
      ).toEqual(FUNCTION_ACKNOWLEDGEMENTS('items').sort(byPathAndId));
    });

    test("scales every capacity (cdk-nag's DynamoDBAutoScalingEnabled only looks at AWS::DynamoDB::Table)", () => {
      // the HIPAA and NIST packs' rule cannot see a GlobalTable, whose auto scaling lives in its own properties
      expect(ruleResult(api, rules.dynamodb.DynamoDBAutoScalingEnabled, 'Table/Resource')).toBe(
        NagRuleCompliance.NOT_APPLICABLE,
      );
      const [table] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable'));
      const props = table.Properties;
      const replica = props.Replicas[0];
      const settings = [
        props.WriteProvisionedThroughputSettings,
        replica.ReadProvisionedThroughputSettings,
        ...props.GlobalSecondaryIndexes.map((index: any) => index.WriteProvisionedThroughputSettings),
        ...replica.GlobalSecondaryIndexes.map((index: any) => index.ReadProvisionedThroughputSettings),
      ];
      expect(props.BillingMode).toBe('PROVISIONED');
      expect(settings).toHaveLength(4);
      settings.forEach((setting) =>
        expect(Object.keys(setting)).toEqual([expect.stringMatching(/^(Read|Write)CapacityAutoScalingSettings$/)]),
      );
    });
  });

  describe('an API with tracing off in functionDefaults, one function turning it back on, and a bundled Lambda authorizer', () => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      // GIVEN
      stack = newStack();
      api = new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        authorization: ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
        functionDefaults: { tracing: false },
        functions: {
          items: fn([route(HttpMethod.GET, '/items')]),
          traced: fn([route(HttpMethod.GET, '/traced')], { tracing: true }),
        },
      });
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test('acknowledges the missing tracing where it is off, and the X-Ray wildcard only where it is on', () => {
      const found = acknowledgements(api);
      expect(found.map(({ path, id }) => ({ path, id })).sort(byPathAndId)).toEqual(
        [
          ...UNTRACED_FUNCTION_ACKNOWLEDGEMENTS('Functions/items'),
          ...FUNCTION_ACKNOWLEDGEMENTS('traced'),
          ...UNTRACED_FUNCTION_ACKNOWLEDGEMENTS('LambdaAuthorizerFunction'),
        ].sort(byPathAndId),
      );
      found.forEach((ack) => expect(ack.reason.length).toBeGreaterThan(30));
    });
  });

  describe.each<[string, (stack: Stack) => ApiAuthorization, { path: string; id: string }[]]>([
    ['ApiAuthorization.jwt()', () => jwt(), []],
    ['ApiAuthorization.cognito() creating a pool', () => ApiAuthorization.cognito(), []],
    [
      'ApiAuthorization.cognito() creating a pool without threat protection',
      () => ApiAuthorization.cognito({ threatProtection: false }),
      [{ path: 'UserPool', id: 'AwsSolutions-COG8' }],
    ],
    [
      'ApiAuthorization.cognito() creating a pool with MFA optional',
      () => ApiAuthorization.cognito({ mfa: UserPoolMfa.OPTIONAL }),
      [{ path: 'UserPool', id: 'AwsSolutions-COG2' }],
    ],
    [
      'ApiAuthorization.cognito() creating a pool with MFA off',
      () => ApiAuthorization.cognito({ mfa: UserPoolMfa.OFF }),
      [{ path: 'UserPool', id: 'AwsSolutions-COG2' }],
    ],
    [
      'ApiAuthorization.cognito() creating a pool with a sign-in domain and OAuth clients',
      () =>
        ApiAuthorization.cognito({
          signInDomain: UserPoolSignInDomain.cognitoPrefix('my-shop'),
          clients: {
            web: { callbackUrls: ['https://shop.example.com/callback'] },
            backOffice: {
              oauthGrant: OAuthGrant.AUTHORIZATION_CODE,
              callbackUrls: ['myapp://callback'],
              generateSecret: true,
            },
          },
        }),
      [],
    ],
    [
      'ApiAuthorization.cognito() with an imported pool',
      (stack) =>
        ApiAuthorization.cognito({
          userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abc123'),
          userPoolClients: [cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', 'client-id')],
        }),
      [],
    ],
    [
      'ApiAuthorization.lambdaRequest() bundled from an entry',
      () => ApiAuthorization.lambdaRequest({ entry: HANDLER_ENTRY }),
      AUTHORIZER_FUNCTION_ACKNOWLEDGEMENTS,
    ],
    [
      'ApiAuthorization.lambdaRequest() with an existing function',
      (stack) =>
        ApiAuthorization.lambdaRequest({
          authorizerFunction: lambda.Function.fromFunctionName(stack, 'Authorizer', 'authorizer'),
        }),
      [],
    ],
    ['ApiAuthorization.iam()', () => ApiAuthorization.iam(), []],
  ])('an API authorized by %s', (_, authorization, expected) => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      stack = newStack();
      api = new ServerlessApi(stack, 'Api', { ...defaultProps(), authorization: authorization(stack) });
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test('acknowledges, besides the route functions, only what this authorizer cannot avoid, each with a reason', () => {
      const found = acknowledgements(api);
      expect(found.map(({ path, id }) => ({ path, id })).sort(byPathAndId)).toEqual(
        [...FUNCTION_ACKNOWLEDGEMENTS('items'), ...expected].sort(byPathAndId),
      );
      found.forEach((ack) => expect(ack.reason.length).toBeGreaterThan(30));
    });
  });

  describe('the fully configured REST API', () => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      ({ stack, api } = fullyConfiguredRest());
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test.each(REST_RULES_PASSED_WITHOUT_ACKNOWLEDGEMENT)(
      '%s passes without acknowledgement: the rule finds its resource compliant and nothing acknowledges it',
      (id, rule, path) => {
        expect(ruleResult(api, rule, path)).toBe(NagRuleCompliance.COMPLIANT);
        // cdk-nag honours an acknowledgement on the resource or any of its scopes: none in the stack may name the rule
        expect(acknowledgements(stack).filter((ack) => ack.id === id)).toEqual([]);
      },
    );

    test('acknowledges, besides the functions, only the account role and the routes not authorized by Cognito, each with a reason', () => {
      const found = acknowledgements(api);
      // No APIG2, APIG3 or APIG6: request validation, the web ACL and execution logging are all on
      expect(found.map(({ path, id }) => ({ path, id })).sort(byPathAndId)).toEqual(
        [
          ...FUNCTION_ACKNOWLEDGEMENTS('items'),
          ...AUTHORIZER_FUNCTION_ACKNOWLEDGEMENTS,
          ...TRACED_FUNCTION_ACKNOWLEDGEMENTS('LambdaTokenAuthorizerFunction'),
          { path: 'AccountCloudWatchRole', id: 'AwsSolutions-IAM5[Resource::arn:*:logs:*:*:log-group:*]' },
          { path: 'RestApi/Default/reports/GET/Resource', id: 'AwsSolutions-COG4' },
          { path: 'RestApi/Default/exports/GET/Resource', id: 'AwsSolutions-COG4' },
          { path: 'RestApi/Default/admin/items/GET/Resource', id: 'AwsSolutions-COG4' },
          { path: 'RestApi/Default/health/GET/Resource', id: 'AwsSolutions-COG4' },
          { path: 'RestApi/Default/health/GET/Resource', id: 'AwsSolutions-APIG4' },
        ].sort(byPathAndId),
      );
      found.forEach((ack) => expect(ack.reason.length).toBeGreaterThan(30));
      expect(found.find((ack) => ack.id === 'AwsSolutions-APIG4')!.reason).toContain('GET /health');
    });
  });

  describe('the REST API with defaults only', () => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      stack = newStack();
      api = new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        apiType: ApiType.REST,
        authorization: ApiAuthorization.cognito(),
      });
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test.each(REST_RULES_PASSED_WITHOUT_ACKNOWLEDGEMENT)(
      '%s fails without its opt-in, so its acknowledgement is needed',
      (_, rule, path) => {
        expect(ruleResult(api, rule, path)).toBe(NagRuleCompliance.NON_COMPLIANT);
      },
    );

    test('acknowledges, besides the route function, only the missing validation, WAF and execution logging, each with a reason', () => {
      const found = acknowledgements(api);
      expect(found.map(({ path, id }) => ({ path, id })).sort(byPathAndId)).toEqual(
        [
          ...FUNCTION_ACKNOWLEDGEMENTS('items'),
          { path: REST_API, id: 'AwsSolutions-APIG2' },
          { path: REST_STAGE, id: 'AwsSolutions-APIG3' },
          { path: REST_STAGE, id: 'AwsSolutions-APIG6' },
        ].sort(byPathAndId),
      );
      found.forEach((ack) => expect(ack.reason.length).toBeGreaterThan(30));
    });
  });

  describe('an API with a standard queue on SSE-SQS and a FIFO queue on the table key, and a sender', () => {
    let stack: Stack;
    let api: ServerlessApi;
    beforeAll(() => {
      stack = newStack({ env: ENV });
      api = new ServerlessApi(stack, 'Api', {
        ...defaultProps(),
        table: { encryption: TableEncryption.customerManaged() },
        functions: { items: fn([route(HttpMethod.POST, '/items')], { queues: ['thumbnails', 'orders'] }) },
        queues: {
          thumbnails: { worker: { entry: HANDLER_ENTRY, accessPatterns: ['getItem'] } },
          orders: { fifo: true, worker: { entry: HANDLER_ENTRY, queues: ['thumbnails'] } },
        },
      });
    });

    test('has no unacknowledged finding', () => {
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test.each<[string, (node: CfnResource) => NagRuleCompliance]>([
      ['AwsSolutions-SQS2', rules.sqs.SQSQueueSSE],
      ['AwsSolutions-SQS3', rules.sqs.SQSQueueDLQ],
      ['AwsSolutions-SQS4', rules.sqs.SQSQueueSSLRequestsOnly],
    ])('passes %s on every queue, dead-letter queues included, without acknowledgement', (_, rule) => {
      for (const name of ['thumbnails', 'orders']) {
        for (const kind of ['Queue', 'DeadLetterQueue']) {
          expect(ruleResult(api, rule, `Queues/${name}/${kind}/Resource`)).toBe(NagRuleCompliance.COMPLIANT);
        }
      }
    });

    test("acknowledges, besides the functions, only the dead-letter queues' own redrive and the mappings' destinations", () => {
      const found = acknowledgements(api);
      expect(found.map(({ path, id }) => ({ path, id })).sort(byPathAndId)).toEqual(
        [
          ...FUNCTION_ACKNOWLEDGEMENTS('items'),
          ...TRACED_FUNCTION_ACKNOWLEDGEMENTS('Workers/thumbnails'),
          ...TRACED_FUNCTION_ACKNOWLEDGEMENTS('Workers/orders'),
          { path: 'Workers/thumbnails/EventSource', id: 'Serverless-LambdaEventSourceMappingDestination' },
          { path: 'Workers/orders/EventSource', id: 'Serverless-LambdaEventSourceMappingDestination' },
          { path: 'Queues/thumbnails/DeadLetterQueue', id: 'Serverless-SQSRedrivePolicy' },
          { path: 'Queues/orders/DeadLetterQueue', id: 'Serverless-SQSRedrivePolicy' },
        ].sort(byPathAndId),
      );
      found.forEach((ack) => expect(ack.reason.length).toBeGreaterThan(30));
      const workerDlq = found.find(
        (ack) => ack.path === 'Workers/orders/Function' && ack.id === 'Serverless-LambdaDLQ',
      );
      expect(workerDlq!.reason).toContain("goes to that queue's dead-letter queue after 5 receives");
    });
  });

  describe('grantInvoke() to a role on an API with IAM routes', () => {
    /** Finding ids of the IAM5 rule itself on a policy, acknowledged or not. */
    const iam5Findings = (policy: IConstruct) => {
      const result = rules.iam.IAMNoWildcardPermissions(policy.node.defaultChild as CfnResource);
      return Array.isArray(result) ? result.map((finding) => `AwsSolutions-IAM5[${finding}]`) : [];
    };
    const ackIds = (scope: IConstruct) =>
      acknowledgements(scope)
        .filter((ack) => ack.path === '')
        .map((ack) => ack.id)
        .sort();

    test.each([
      ['an HTTP API', ApiType.HTTP, 'ApiHttpApi', 'AWS::ApiGatewayV2::Api', '$default'],
      ['a REST API', ApiType.REST, 'ApiRestApi', 'AWS::ApiGateway::RestApi', 'prod'],
    ])(
      'on %s has no unacknowledged finding: each ARN with a * is acknowledged on the grantee, and nothing more',
      (_, apiType, prefix, type, stage) => {
        // GIVEN an IAM API with a parameterized route, a plain one, and a greedy ANY route added after the grant
        const stack = newStack();
        const api = new ServerlessApi(stack, 'Api', {
          ...defaultProps(),
          apiType,
          authorization: ApiAuthorization.iam(),
        });
        api.addFunction('status', fn([route(HttpMethod.GET, '/status')]));
        const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });

        // WHEN
        api.grantInvoke(caller);
        api.addFunction('files', fn([route(HttpMethod.ANY, '/files/{path+}')]));

        // THEN cdk-nag's rule raises one finding per ARN with a *, each acknowledged on the caller exactly
        const apiId = logicalId(Template.fromStack(stack), type, prefix);
        const arn = (resource: string) =>
          `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${stage}/${resource}`;
        const expected = [
          `AwsSolutions-IAM5[Resource::${arn('GET/items/*')}]`,
          `AwsSolutions-IAM5[Resource::${arn('*/files/*')}]`,
        ].sort();
        expect(iam5Findings(caller.node.findChild('DefaultPolicy')).sort()).toEqual(expected);
        expect(ackIds(caller)).toEqual(expected);
        expect(unacknowledgedFindings(stack)).toEqual([]);
        // with the reason, naming the route and what the * stands for
        const reasons = acknowledgements(caller).map((ack) => ack.reason);
        expect(reasons).toEqual(
          expect.arrayContaining([
            expect.stringContaining('call GET /items/{itemId}, a route authorized with ApiAuthorization.iam()'),
            expect.stringContaining('call ANY /files/{path+}'),
            expect.stringContaining('stands for any method and the values of the path parameters'),
          ]),
        );
        // and the API's own constructs acknowledge nothing for the grant
        expect(acknowledgements(api).filter((ack) => ack.id.includes('execute-api'))).toEqual([]);
      },
    );

    test('in a stack with an account and a region, the acknowledgement names the ARN as cdk-nag renders it there', () => {
      // GIVEN an environment-bound stack, where aws-cdk-lib writes the region and account literally
      const stack = newStack({ env: ENV });
      const api = new ServerlessApi(stack, 'Api', { ...defaultProps(), authorization: ApiAuthorization.iam() });
      const caller = new iam.User(stack, 'Caller');

      // WHEN
      api.grantInvoke(caller);

      // THEN
      const apiId = logicalId(Template.fromStack(stack), 'AWS::ApiGatewayV2::Api', 'ApiHttpApi');
      const finding = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${ENV.region}:${ENV.account}:<${apiId}>/$default/GET/items/*]`;
      expect(iam5Findings(caller.node.findChild('DefaultPolicy'))).toEqual([finding]);
      expect(ackIds(caller)).toEqual([finding]);
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });

    test('a grantee granted only routes without a * gets no acknowledgement', () => {
      // GIVEN a JWT API whose only IAM route has no path parameter
      const stack = newStack();
      const api = new ServerlessApi(stack, 'Api', defaultProps());
      api.addFunction('status', fn([route(HttpMethod.GET, '/status', { authorization: ApiAuthorization.iam() })]));
      const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });

      // WHEN
      api.grantInvoke(caller);

      // THEN
      expect(iam5Findings(caller.node.findChild('DefaultPolicy'))).toEqual([]);
      expect(acknowledgements(caller)).toEqual([]);
      expect(unacknowledgedFindings(stack)).toEqual([]);
    });
  });
});
