import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Aws, Duration, RemovalPolicies, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ApiAuthorization, ApiType, ServerlessApi } from '../src';

/**
 * Deploys a REST API and checks what only a deployed one can show: API Gateway refuses a request without an API
 * key (403) and a body that does not match the route's model (400) before the function runs, lets a valid one
 * through (201), and its 401 for a missing Cognito token carries the CORS headers a browser needs to read it; the
 * same API answers at its custom domain name, under a base path of two levels. Its monthly budget exists, scoped by
 * the API's cost-allocation tag and notifying an encrypted topic of its own.
 *
 * Deploying needs a public hosted zone Route 53 answers for (the domain's certificate is validated through it): give it
 * with `-c domainZoneId=<id> -c domainZoneName=<name>`. The defaults only synthesize.
 */
const ORIGIN = 'https://app.example.com';
const API_KEY = 'integ';
const API_NAME = 'rest-api-integ';
const BUDGET_NAME = `${API_NAME}-monthly-cost`;

const app = new App({
  // Creation stack traces would write this machine's absolute paths into the snapshot's metadata files.
  context: { 'aws:cdk:disable-creation-stack-traces': true },
});
const stack = new Stack(app, 'RestApiIntegStack');
// With alarms off the budget notifies a topic of its own, encrypted like the alarm topic would be.
const costKey = new kms.Key(stack, 'CostKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
const costTopic = new sns.Topic(stack, 'CostTopic', { masterKey: costKey, enforceSSL: true });
const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
  hostedZoneId: app.node.tryGetContext('domainZoneId') ?? 'Z0123456789EXAMPLEZONE',
  zoneName: app.node.tryGetContext('domainZoneName') ?? 'integ.example.com',
});
const api = new ServerlessApi(stack, 'Api', {
  apiType: ApiType.REST,
  apiName: API_NAME,
  // Routes need a Cognito token unless they say otherwise; the pool goes with the stack.
  authorization: ApiAuthorization.cognito({ removalPolicy: RemovalPolicy.DESTROY }),
  // A REST stage with an access log deploys only once the account has an API Gateway CloudWatch role, through
  // which API Gateway writes the log; a fresh test account has none. The role and the setting outlive the stack on
  // purpose (other APIs of the account log through them).
  setAccountCloudWatchRole: true,
  table: { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false },
  usagePlans: { integ: { apiKeys: [API_KEY] } },
  cors: { allowOrigins: [ORIGIN] },
  // The execute-api endpoint stays on: the assertions below call it too.
  domain: { domainName: `rest-api.${hostedZone.zoneName}`, hostedZone, basePaths: ['shop/v1'] },
  // Alarms and the dashboard have nothing to show in a test that lives for minutes.
  alarms: { enabled: false },
  dashboard: false,
  budget: { monthlyLimitUsd: 20, topic: costTopic },
  functions: {
    items: {
      entry: path.join(__dirname, 'rest-api', 'handler.ts'),
      routes: [
        {
          method: HttpMethod.POST,
          path: '/items',
          // Public but for the API key: the deploy-time assertions below cannot sign in to get a token.
          authorization: ApiAuthorization.none(),
          requestModel: {
            type: apigateway.JsonSchemaType.OBJECT,
            required: ['title'],
            properties: { title: { type: apigateway.JsonSchemaType.STRING, minLength: 1 } },
          },
        },
        // Cognito, and no API key, so that a request without a token meets the authorizer's 401 and nothing else.
        { method: HttpMethod.GET, path: '/items', apiKeyRequired: false },
      ],
    },
  },
});
// CloudFormation keeps log groups unless told otherwise; this test's go with it.
RemovalPolicies.of(stack).destroy({ applyToResourceTypes: ['AWS::Logs::LogGroup'] });

const integ = new IntegTest(app, 'RestApiInteg', {
  testCases: [stack],
  cdkCommandOptions: { destroy: { args: { force: true } } },
});

const itemsUrl = `${api.url}items`;
const post = (body: unknown, headers: { [name: string]: string } = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
  body: JSON.stringify(body),
});

// Without the x-api-key header the usage plan refuses the request.
integ.assertions.httpApiCall(itemsUrl, post({ title: 'no key' })).expect(ExpectedResult.objectLike({ status: 403 }));

// The key's value never enters a template: read it from API Gateway. The policy the assertion derives names
// apigateway:GetApiKey, which is no IAM action; reading a key is apigateway:GET on its path.
const keyId = api.apiKeys[API_KEY].keyId;
const getApiKey = integ.assertions.awsApiCall('APIGateway', 'getApiKey', { apiKey: keyId, includeValue: true });
getApiKey.provider.addToRolePolicy({
  Effect: 'Allow',
  Action: ['apigateway:GET'],
  Resource: [`arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::/apikeys/${keyId}`],
});
const withKey = { 'x-api-key': getApiKey.getAttString('value') };
// A new key can take a little while to reach every API Gateway node: retry rather than fail on its first 403.
const waitForKey = { totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) };

// With the key, a body without `title` fails the request model before the function runs. "Invalid request body" is
// API Gateway's message for a failed body validation (the access log's validationError says which rule failed).
integ.assertions
  .httpApiCall(itemsUrl, post({}, withKey))
  .expect(ExpectedResult.objectLike({ status: 400, body: { message: Match.stringLikeRegexp('Invalid request body') } }))
  .waitForAssertions(waitForKey);

// With the key and a valid body the function answers, with the CORS header it adds itself.
integ.assertions
  .httpApiCall(itemsUrl, post({ title: 'Ship the REST API' }, withKey))
  .expect(
    ExpectedResult.objectLike({
      status: 201,
      headers: Match.objectLike({ 'access-control-allow-origin': [ORIGIN] }),
    }),
  )
  .waitForAssertions(waitForKey);

// The Cognito authorizer's 401 carries the CORS header, so a browser script sees a 401, not a network error.
integ.assertions.httpApiCall(itemsUrl, { headers: { origin: ORIGIN } }).expect(
  ExpectedResult.objectLike({
    status: 401,
    headers: Match.objectLike({ 'access-control-allow-origin': [ORIGIN] }),
  }),
);

// The budget counts the costs of what carries the API's cost-allocation tag. Reading a budget is budgets:ViewBudget,
// not the budgets:DescribeBudget the assertion derives (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbudgetservice.html).
const describeBudget = integ.assertions.awsApiCall('Budgets', 'describeBudget', {
  AccountId: Aws.ACCOUNT_ID,
  BudgetName: BUDGET_NAME,
});
describeBudget.provider.addToRolePolicy({
  Effect: 'Allow',
  Action: ['budgets:ViewBudget'],
  Resource: [`arn:${Aws.PARTITION}:budgets::${Aws.ACCOUNT_ID}:budget/${BUDGET_NAME}`],
});
describeBudget.expect(
  ExpectedResult.objectLike({
    Budget: Match.objectLike({
      BudgetName: BUDGET_NAME,
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      CostFilters: { TagKeyValue: [`user:serverless-api$${API_NAME}`] },
    }),
  }),
);

// The same 401 through the custom domain and its base path, once its alias records are answered.
integ.assertions
  .httpApiCall(`${api.domainUrl}items`, { headers: { origin: ORIGIN } })
  .expect(ExpectedResult.objectLike({ status: 401 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });

app.synth();
