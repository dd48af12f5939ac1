import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * The cost-allocation tag the API puts on every resource it creates, which Cost Explorer and AWS Budgets filter on
 * once it is activated in the Billing console
 * (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html).
 */
export class CostAllocationTag {
  /** The key of the library's tag, valued with the API's name unless told otherwise. */
  public static readonly DEFAULT_KEY = 'serverless-api';

  /**
   * A tag `key` with `value`, on every resource the API creates.
   *
   * @param key the tag's key: 1 to 128 letters, digits, spaces and `_ . : / = + - @`, not starting with `aws:`
   * @param value the tag's value, up to 256 of the same characters; the API's name (`apiName`) when left out
   */
  public static of(key: string, value?: string): CostAllocationTag {
    return new CostAllocationTag(key, value);
  }

  /** No tag: the API's costs cannot be told apart from the account's, and `budget` is refused. */
  public static none(): CostAllocationTag {
    return new CostAllocationTag(undefined, undefined);
  }

  private constructor(
    /** The tag's key; undefined for `none()`. */
    public readonly key?: string,
    /** The tag's value; undefined for the API's name. */
    public readonly value?: string,
  ) {}
}

/**
 * A monthly AWS Budgets cost budget over the resources that carry the API's cost-allocation tag, notifying when the
 * month's actual or forecasted cost passes shares of its limit. The tag must be activated as a cost-allocation tag in
 * the Billing console before the budget sees any cost.
 */
export interface BudgetOptions {
  /** The month's cost limit, in US dollars (above 0). */
  readonly monthlyLimitUsd: number;
  /**
   * Notify when the month's actual cost passes each of these shares of the limit, in percent (1 to 1000).
   *
   * @default [80, 100]
   */
  readonly actualThresholds?: number[];
  /**
   * Notify when the month's forecasted cost passes each of these shares of the limit, in percent (1 to 1000). Budgets
   * forecasts after about five weeks of usage data.
   *
   * @default [100]
   */
  readonly forecastedThresholds?: number[];
  /**
   * The topic notified (one per notification, AWS Budgets' limit); its policy must let `budgets.amazonaws.com` publish,
   * which the library adds to a topic of this app, and use its key when it is encrypted.
   *
   * @default - the alarm topic (`ServerlessApi.alarmTopic`), whose policies the library extends; none when alarms
   * are off
   */
  readonly topic?: sns.ITopic;
  /**
   * Email addresses notified as well, at most 10 (AWS Budgets' limit per notification).
   *
   * @default - no email
   */
  readonly emails?: string[];
}
