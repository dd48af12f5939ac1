import { Stack, Token } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BudgetOptions } from './budget-options';
import { CostTag } from './cost-allocation-tag';
import { BUDGETS_TOPIC_KEY_ACTIONS, SNS_PUBLISH_ACTIONS } from '../private/iam-actions';
import { checkUnique, fail, isLiteral } from '../private/validation';

/** The documented defaults of `BudgetOptions`. */
export const DEFAULT_ACTUAL_THRESHOLDS = [80, 100];
export const DEFAULT_FORECASTED_THRESHOLDS = [100];

/**
 * AWS Budgets' limits: ten notifications per budget, and per notification one SNS topic and ten email addresses
 * (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Notification.html,
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_NotificationWithSubscribers.html).
 */
export const MAX_NOTIFICATIONS = 10;
export const MAX_EMAILS = 10;

/** The shares of the limit a notification may fire at, in percent: from a first sign to ten times over. */
const MIN_THRESHOLD = 1;
const MAX_THRESHOLD = 1000;

/** An address Budgets can mail: one `@`, a dot in the domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What a budget's notifications can reach, besides its own `topic` and `emails`. */
export interface BudgetContext {
  /** The API's cost-allocation tag, which scopes the budget; undefined when it was turned off. */
  readonly tag?: CostTag;
  /** Whether the API has an alarm topic the budget notifies by default. */
  readonly hasAlarmTopic: boolean;
}

function checkThresholds(prop: string, thresholds: number[]): void {
  thresholds.forEach((threshold, i) => {
    if (isLiteral(threshold) && !(threshold >= MIN_THRESHOLD && threshold <= MAX_THRESHOLD)) {
      fail(`${prop}[${i}]`, `be a share of the limit in percent, from ${MIN_THRESHOLD} to ${MAX_THRESHOLD}`, threshold);
    }
  });
  // Budgets refuses two notifications of the same type at the same threshold.
  checkUnique(prop, thresholds, (threshold) => `${threshold}`);
}

/** Checks `budget` against the API's tag and alarm topic. */
export function validateBudget(budget: BudgetOptions | undefined, context: BudgetContext): void {
  if (!budget) return;
  if (!context.tag) {
    fail(
      'budget',
      'be left out with `costAllocationTag: CostAllocationTag.none()`: the budget counts the costs of the resources carrying that tag',
      'a budget',
    );
  }
  const limit = budget.monthlyLimitUsd;
  if (isLiteral(limit) && !(Number.isFinite(limit) && limit > 0)) {
    fail('budget.monthlyLimitUsd', 'be an amount of US dollars above 0', limit);
  }
  const actual = budget.actualThresholds ?? DEFAULT_ACTUAL_THRESHOLDS;
  const forecasted = budget.forecastedThresholds ?? DEFAULT_FORECASTED_THRESHOLDS;
  checkThresholds('budget.actualThresholds', actual);
  checkThresholds('budget.forecastedThresholds', forecasted);
  const notifications = actual.length + forecasted.length;
  if (notifications === 0) {
    fail('budget', 'have at least one threshold in `actualThresholds` or `forecastedThresholds`', 'none');
  }
  if (notifications > MAX_NOTIFICATIONS) {
    fail(
      'budget',
      `have at most ${MAX_NOTIFICATIONS} thresholds in \`actualThresholds\` and \`forecastedThresholds\` together (AWS Budgets' limit of notifications per budget)`,
      notifications,
    );
  }
  const emails = budget.emails ?? [];
  if (emails.length > MAX_EMAILS) {
    fail('budget.emails', `list at most ${MAX_EMAILS} addresses (AWS Budgets' limit per notification)`, emails.length);
  }
  emails.forEach((email, i) => {
    if (isLiteral(email) && !EMAIL.test(email)) fail(`budget.emails[${i}]`, 'be an email address', email);
  });
  checkUnique('budget.emails', emails, (email) => email.toLowerCase());
  if (!budget.topic && !context.hasAlarmTopic && emails.length === 0) {
    fail(
      'budget',
      'name a subscriber (`topic` or `emails`) while alarms are off: without the alarm topic a notification would reach nobody',
      'none',
    );
  }
}

export interface ApiBudgetProps {
  readonly apiName: string;
  readonly budget: BudgetOptions;
  readonly tag: CostTag;
  /** The topic notified unless the budget names its own; undefined when alarms are off. */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A monthly COST budget over the resources carrying the API's cost-allocation tag, with one notification per threshold
 * to the topic and the email addresses. The topic's policy, and its key's when the library can change it, let AWS
 * Budgets publish on behalf of this account's budgets only (`aws:SourceAccount`, `aws:SourceArn`), as AWS documents
 * (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html).
 */
export class ApiBudget extends Construct {
  public readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: ApiBudgetProps) {
    super(scope, id);
    const { budget, tag } = props;
    const topic = budget.topic ?? props.alarmTopic;
    const stack = Stack.of(this);
    if (topic) {
      const principal = new iam.ServicePrincipal('budgets.amazonaws.com');
      const conditions = {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:budgets::${stack.account}:*` },
      };
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [principal],
          actions: [...SNS_PUBLISH_ACTIONS],
          resources: [topic.topicArn],
          conditions,
        }),
      );
      topic.masterKey?.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [principal],
          actions: [...BUDGETS_TOPIC_KEY_ACTIONS],
          resources: ['*'],
          conditions,
        }),
      );
    }
    const subscribers: budgets.CfnBudget.SubscriberProperty[] = [
      ...(topic ? [{ subscriptionType: 'SNS', address: topic.topicArn }] : []),
      ...(budget.emails ?? []).map((address) => ({ subscriptionType: 'EMAIL', address })),
    ];
    const notification = (notificationType: string) => (threshold: number) => ({
      notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers,
    });
    this.budget = new budgets.CfnBudget(this, 'Resource', {
      budget: {
        budgetName: budgetName(props.apiName),
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: budget.monthlyLimitUsd, unit: 'USD' },
        // Cost Explorer's form of a user-defined tag: `user:<key>$<value>`.
        costFilters: { TagKeyValue: [`user:${tag.key}$${tag.value}`] },
      },
      notificationsWithSubscribers: [
        ...(budget.actualThresholds ?? DEFAULT_ACTUAL_THRESHOLDS).map(notification('ACTUAL')),
        ...(budget.forecastedThresholds ?? DEFAULT_FORECASTED_THRESHOLDS).map(notification('FORECASTED')),
      ],
      resourceTags: [{ key: tag.key, value: tag.value }],
    });
  }
}

/** Budget names are unique in the account, at most 100 characters, without `:` or `\`; else CloudFormation names it. */
function budgetName(apiName: string): string | undefined {
  if (Token.isUnresolved(apiName)) return undefined;
  const name = `${apiName}-monthly-cost`;
  return name.length <= 100 && !/[:\\]/.test(name) ? name : undefined;
}
