import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BudgetOptions, CostAllocationTag, ServerlessApiProps } from '../../src';
import { buildApi, ENV, expectError, logicalId, newStack } from '../helpers/api';

/**
 * The optional AWS Budgets budget: a monthly COST budget scoped by the API's cost-allocation tag, notifying the alarm
 * topic (or its own topic and email addresses) with AWS Budgets' own limits enforced at synth.
 */

const BUDGET = 'AWS::Budgets::Budget';
const ACCOUNT = ENV.account;

function buildShop(props: Partial<ServerlessApiProps> = {}, stack: Stack = newStack({ env: ENV })) {
  return buildApi({ apiName: 'shop', ...props }, stack);
}

function budgetProps(template: Template): any {
  const budgets = Object.values(template.findResources(BUDGET));
  expect(budgets).toHaveLength(1);
  return budgets[0].Properties;
}

function alarmTopic(template: Template): object {
  return { Ref: logicalId(template, 'AWS::SNS::Topic', 'ApiMonitoringAlarmTopic') };
}

/** The statement AWS documents for letting Budgets publish to a topic, on behalf of this account's budgets only. */
const BUDGETS_CONDITIONS = {
  StringEquals: { 'aws:SourceAccount': ACCOUNT },
  ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:budgets::${ACCOUNT}:*`]] } },
};

/** The notification Budgets sends when cost passes `threshold` percent of the limit. */
function notification(type: 'ACTUAL' | 'FORECASTED', threshold: number, subscribers: object[]): object {
  return {
    Notification: {
      NotificationType: type,
      ComparisonOperator: 'GREATER_THAN',
      Threshold: threshold,
      ThresholdType: 'PERCENTAGE',
    },
    Subscribers: subscribers,
  };
}

describe('without budget', () => {
  test('no budget is created', () => {
    buildShop().template.resourceCountIs(BUDGET, 0);
  });
});

describe('a budget with the defaults', () => {
  const { template } = buildShop({ budget: { monthlyLimitUsd: 50 } });
  const props = budgetProps(template);

  test('is a monthly COST budget of the limit in USD, named after the API', () => {
    expect(props.Budget).toEqual({
      BudgetName: 'shop-monthly-cost',
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      BudgetLimit: { Amount: 50, Unit: 'USD' },
      CostFilters: { TagKeyValue: ['user:serverless-api$shop'] },
    });
  });

  test('notifies the alarm topic at 80% and 100% of actual cost and 100% of forecasted cost', () => {
    const topic = [{ SubscriptionType: 'SNS', Address: alarmTopic(template) }];
    expect(props.NotificationsWithSubscribers).toEqual([
      notification('ACTUAL', 80, topic),
      notification('ACTUAL', 100, topic),
      notification('FORECASTED', 100, topic),
    ]);
  });

  test('carries the cost-allocation tag itself', () => {
    expect(props.ResourceTags).toEqual([{ Key: 'serverless-api', Value: 'shop' }]);
  });

  test("lets AWS Budgets publish to the alarm topic, for this account's budgets only (budgets-sns-policy)", () => {
    // https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [alarmTopic(template)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: alarmTopic(template),
            Condition: BUDGETS_CONDITIONS,
          }),
        ]),
      },
    });
  });

  test("lets AWS Budgets use the alarm topic's key, under the same conditions", () => {
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    const keyId = logicalId(template, 'AWS::KMS::Key', 'ApiMonitoringAlarmTopicKey');
    const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'budgets.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: BUDGETS_CONDITIONS,
    });
  });
});

describe('a budget with its own settings', () => {
  test('notifies at the thresholds given, of actual and forecasted cost', () => {
    // GIVEN
    const { template } = buildShop({
      budget: { monthlyLimitUsd: 1200.5, actualThresholds: [50], forecastedThresholds: [90, 150] },
    });

    // THEN
    const props = budgetProps(template);
    const topic = [{ SubscriptionType: 'SNS', Address: alarmTopic(template) }];
    expect(props.Budget.BudgetLimit).toEqual({ Amount: 1200.5, Unit: 'USD' });
    expect(props.NotificationsWithSubscribers).toEqual([
      notification('ACTUAL', 50, topic),
      notification('FORECASTED', 90, topic),
      notification('FORECASTED', 150, topic),
    ]);
  });

  test('with no forecasted threshold notifies on actual cost only', () => {
    // GIVEN
    const { template } = buildShop({ budget: { monthlyLimitUsd: 10, forecastedThresholds: [] } });

    // THEN
    const types = budgetProps(template).NotificationsWithSubscribers.map((n: any) => n.Notification.NotificationType);
    expect(types).toEqual(['ACTUAL', 'ACTUAL']);
  });

  test('notifies the email addresses besides the alarm topic', () => {
    // GIVEN
    const { template } = buildShop({
      budget: { monthlyLimitUsd: 10, emails: ['finance@example.com', 'ops@example.com'] },
    });

    // THEN
    for (const n of budgetProps(template).NotificationsWithSubscribers) {
      expect(n.Subscribers).toEqual([
        { SubscriptionType: 'SNS', Address: alarmTopic(template) },
        { SubscriptionType: 'EMAIL', Address: 'finance@example.com' },
        { SubscriptionType: 'EMAIL', Address: 'ops@example.com' },
      ]);
    }
  });

  test('notifies its own topic instead of the alarm topic, and lets Budgets publish there and use its key', () => {
    // GIVEN
    const stack = newStack({ env: ENV });
    const key = new kms.Key(stack, 'FinanceKey', { enableKeyRotation: true });
    const finance = new sns.Topic(stack, 'Finance', { masterKey: key, enforceSSL: true });

    // WHEN
    const { template } = buildShop({ budget: { monthlyLimitUsd: 10, topic: finance } }, stack);

    // THEN
    const financeRef = { Ref: logicalId(template, 'AWS::SNS::Topic', 'Finance') };
    for (const n of budgetProps(template).NotificationsWithSubscribers) {
      expect(n.Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: financeRef }]);
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [financeRef],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'budgets.amazonaws.com' }, Condition: BUDGETS_CONDITIONS }),
        ]),
      },
    });
    const keyStatements =
      template.toJSON().Resources[logicalId(template, 'AWS::KMS::Key', 'FinanceKey')].Properties.KeyPolicy.Statement;
    expect(keyStatements).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'budgets.amazonaws.com' }, Condition: BUDGETS_CONDITIONS }),
    );
  });

  test('with alarms off notifies the email addresses alone', () => {
    // GIVEN
    const { template } = buildShop({
      alarms: { enabled: false },
      budget: { monthlyLimitUsd: 10, emails: ['finance@example.com'] },
    });

    // THEN
    for (const n of budgetProps(template).NotificationsWithSubscribers) {
      expect(n.Subscribers).toEqual([{ SubscriptionType: 'EMAIL', Address: 'finance@example.com' }]);
    }
  });

  test('is scoped by a tag given its own key and value', () => {
    // GIVEN
    const { template } = buildShop({
      costAllocationTag: CostAllocationTag.of('cost-center', 'shop-team'),
      budget: { monthlyLimitUsd: 10 },
    });

    // THEN
    expect(budgetProps(template).Budget.CostFilters).toEqual({ TagKeyValue: ['user:cost-center$shop-team'] });
  });

  test('leaves the name to CloudFormation when the API name would make a name Budgets refuses', () => {
    // GIVEN
    const { template } = buildShop({ apiName: 'a'.repeat(90), budget: { monthlyLimitUsd: 10 } });

    // THEN
    expect(budgetProps(template).Budget.BudgetName).toBeUndefined();
  });
});

describe('budget validation', () => {
  const budget = (options: Partial<BudgetOptions>): Partial<ServerlessApiProps> => ({
    budget: { monthlyLimitUsd: 10, ...options },
  });

  test.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a limit of %s', (limit) => {
    expectError(
      budget({ monthlyLimitUsd: limit }),
      `\`budget.monthlyLimitUsd\` must be an amount of US dollars above 0, got: ${limit}`,
    );
  });

  test.each([0, 0.5, 1001])('refuses an actual threshold of %s percent', (threshold) => {
    expectError(
      budget({ actualThresholds: [80, threshold] }),
      `\`budget.actualThresholds[1]\` must be a share of the limit in percent, from 1 to 1000, got: ${threshold}`,
    );
  });

  test.each([1, 1000])('accepts a threshold of %s percent', (threshold) => {
    expect(() => buildShop(budget({ forecastedThresholds: [threshold] }))).not.toThrow();
  });

  test('refuses a threshold twice for the same kind of cost', () => {
    expectError(
      budget({ forecastedThresholds: [100, 100] }),
      '`budget.forecastedThresholds[1]` duplicates `budget.forecastedThresholds[0]`: "100" is declared twice',
    );
  });

  test('refuses more than 10 notifications, AWS Budgets limit per budget', () => {
    // https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Notification.html
    expectError(
      budget({ actualThresholds: [10, 20, 30, 40, 50, 60, 70, 80], forecastedThresholds: [90, 100, 110] }),
      "`budget` must have at most 10 thresholds in `actualThresholds` and `forecastedThresholds` together (AWS Budgets' limit of notifications per budget), got: 11",
    );
  });

  test('accepts 10 notifications', () => {
    expect(() =>
      buildShop(budget({ actualThresholds: [10, 20, 30, 40, 50, 60, 70, 80], forecastedThresholds: [90, 100] })),
    ).not.toThrow();
  });

  test('refuses a budget without any threshold', () => {
    expectError(
      budget({ actualThresholds: [], forecastedThresholds: [] }),
      '`budget` must have at least one threshold in `actualThresholds` or `forecastedThresholds`, got: "none"',
    );
  });

  test('refuses more than 10 email addresses, AWS Budgets limit per notification', () => {
    // https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_NotificationWithSubscribers.html
    const emails = Array.from({ length: 11 }, (_, i) => `person${i}@example.com`);
    expectError(
      budget({ emails }),
      "`budget.emails` must list at most 10 addresses (AWS Budgets' limit per notification), got: 11",
    );
  });

  test.each(['finance', 'finance@example', 'fin ance@example.com', '@example.com'])(
    'refuses the email address %s',
    (email) => {
      expectError(
        budget({ emails: ['ops@example.com', email] }),
        `\`budget.emails[1]\` must be an email address, got: ${JSON.stringify(email)}`,
      );
    },
  );

  test('refuses an email address twice, whatever its case', () => {
    expectError(
      budget({ emails: ['ops@example.com', 'OPS@example.com'] }),
      '`budget.emails[1]` duplicates `budget.emails[0]`: "ops@example.com" is declared twice',
    );
  });

  test('refuses a budget that would notify nobody: alarms off, no topic, no email', () => {
    expectError(
      { alarms: { enabled: false }, ...budget({}) },
      '`budget` must name a subscriber (`topic` or `emails`) while alarms are off: without the alarm topic a notification would reach nobody, got: "none"',
    );
  });

  test('refuses a budget without the cost-allocation tag that scopes it', () => {
    expectError(
      { costAllocationTag: CostAllocationTag.none(), ...budget({}) },
      '`budget` must be left out with `costAllocationTag: CostAllocationTag.none()`: the budget counts the costs of the resources carrying that tag, got: "a budget"',
    );
  });
});
