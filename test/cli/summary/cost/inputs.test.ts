import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { TemplateIndex } from '../../../../src/assembly/template';
import { CfnTemplate, summarizeTemplate } from '../../../../src/cli/summary';
import { CostLine, estimateStack } from '../../../../src/cli/summary/cost';
import { costInputsOf, CostInputs } from '../../../../src/cli/summary/cost/inputs';
import { US_EAST_1 } from '../../../../src/cli/summary/cost/prices';
import { DEFAULT_TRAFFIC } from '../../../../src/cli/summary/cost/traffic';

/** A stack of what the estimate reads from templates, built with aws-cdk-lib alone (not through ServerlessApi). */
function template(): CfnTemplate {
  // Construct paths in the template name resources as they were declared, as in a real assembly.
  const stack = new Stack(new App({ context: { 'aws:cdk:enable-path-metadata': true } }), 'Test');
  const fn = new lambda.Function(stack, 'Items', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    memorySize: 1024,
    ephemeralStorageSize: Size.mebibytes(2048),
    tracing: lambda.Tracing.ACTIVE,
  });
  const api = new apigateway.RestApi(stack, 'Rest', {
    restApiName: 'items',
    deployOptions: { cacheClusterEnabled: true, cacheClusterSize: '1.6' },
    defaultCorsPreflightOptions: { allowOrigins: ['https://app.example.com'] },
  });
  api.root.addResource('items').addMethod('GET', new apigateway.LambdaIntegration(fn));
  const table = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PROVISIONED,
    readCapacity: 5,
    writeCapacity: 3,
  });
  table.addGlobalSecondaryIndex({
    indexName: 'byStatus',
    partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
    readCapacity: 2,
    writeCapacity: 1,
  });
  const fast = new cloudwatch.Alarm(stack, 'Fast', {
    metric: fn.metricErrors({ period: Duration.seconds(10) }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  const rate = new cloudwatch.Alarm(stack, 'Rate', {
    metric: new cloudwatch.MathExpression({
      expression: 'errors / invocations',
      usingMetrics: { errors: fn.metricErrors(), invocations: fn.metricInvocations() },
    }),
    threshold: 0.01,
    evaluationPeriods: 1,
  });
  new cloudwatch.CompositeAlarm(stack, 'Any', { alarmRule: cloudwatch.AlarmRule.anyOf(fast, rate) });
  new kms.Key(stack, 'Key');
  new secretsmanager.Secret(stack, 'Secret');
  new cognito.UserPool(stack, 'Users', { featurePlan: cognito.FeaturePlan.LITE });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

describe('the cost estimate reads a synthesized template', () => {
  const cfn = template();
  const summary = summarizeTemplate(cfn, 'Test');
  const inputs: CostInputs = costInputsOf(new TemplateIndex(cfn), summary);
  const { estimate } = estimateStack(cfn, summary, {
    traffic: DEFAULT_TRAFFIC,
    trafficSource: 'the default traffic profile',
    prices: US_EAST_1,
    includeFreeTiers: false,
  });
  const line = (driver: string): CostLine => {
    const found = estimate.lines.find((l) => l.driver === driver);
    if (found === undefined) throw new Error(`no line ${driver}: ${estimate.lines.map((l) => l.driver).join(', ')}`);
    return found;
  };

  test('REST methods as routes with their function, the CORS preflight left out', () => {
    expect(inputs.routes).toEqual([
      { api: 'items', apiType: 'REST', key: 'GET /items', function: 'Items', authorizerFunction: undefined },
    ]);
    expect(inputs.apis).toEqual([expect.objectContaining({ name: 'items', type: 'REST', cacheGb: '1.6' })]);
  });

  test('the REST cache is priced by the hour for its size', () => {
    // https://aws.amazon.com/api-gateway/pricing/ (Caching): 1.6 GB at $0.038 an hour.
    expect(line('REST API items cache 1.6 GB')).toEqual(expect.objectContaining({ usage: '730 hours' }));
    expect(line('REST API items cache 1.6 GB').monthlyUsd).toBeCloseTo(730 * 0.038, 6);
  });

  test("the function's memory, architecture, ephemeral storage and tracing", () => {
    expect(inputs.functions).toEqual([
      expect.objectContaining({
        name: 'Items',
        memoryMb: 1024,
        architecture: 'x86_64',
        ephemeralMb: 2048,
        tracing: true,
      }),
    ]);
    // 1M invocations x 0.1 s: 100,000 GB-s of compute, and 150,000 GB-s of storage above the free 512 MB.
    expect(line('function Items duration').monthlyUsd).toBeCloseTo(100_000 * 0.0000166667 + 150_000 * 0.0000000309, 6);
    expect(line('traces recorded (default sampling)').monthlyUsd).toBeCloseTo(5, 6);
  });

  test('provisioned capacity of the table and its index, in hours', () => {
    expect(inputs.tables).toEqual([
      {
        name: 'Orders',
        onDemand: false,
        pointInTimeRecovery: false,
        replicas: 1,
        globalIndexes: 1,
        provisioned: { rcu: 7, wcu: 4, autoScaled: false },
      },
    ]);
    expect(line('table Orders provisioned capacity').monthlyUsd).toBeCloseTo(730 * (7 * 0.00013 + 4 * 0.00065), 6);
  });

  test('alarms by kind and resolution, a math alarm counted per metric', () => {
    expect(inputs.alarms.map(({ kind, metrics, highResolution }) => ({ kind, metrics, highResolution }))).toEqual([
      { kind: 'metric', metrics: 1, highResolution: true },
      { kind: 'metric', metrics: 2, highResolution: false },
      { kind: 'composite', metrics: 0, highResolution: false },
    ]);
    expect(line('alarms, high resolution').monthlyUsd).toBeCloseTo(0.3, 6);
    expect(line('alarms, standard resolution').monthlyUsd).toBeCloseTo(0.2, 6);
    expect(line('composite alarms').monthlyUsd).toBeCloseTo(0.5, 6);
  });

  test('the key, the secret and the user pool on its tier', () => {
    expect(inputs).toEqual(
      expect.objectContaining({ kmsKeys: 1, secrets: 1, userPools: [{ name: 'Users', tier: 'LITE' }] }),
    );
    expect(line('user pool Users (Lite tier)').monthlyUsd).toBeCloseTo(10_000 * 0.0055, 6);
  });
});
