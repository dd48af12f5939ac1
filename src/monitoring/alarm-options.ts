import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The alarms `ServerlessApi` creates on every layer, and their thresholds. */
export interface AlarmOptions {
  /**
   * Whether alarms are created at all.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Actions run when an alarm goes off, e.g. an SNS topic action.
   *
   * @default - no actions: alarms show in the CloudWatch console only
   */
  readonly actions?: cloudwatch.IAlarmAction[];
  /**
   * A function's alarm fires when more than this share of its invocations fail, in percent.
   *
   * @default 1
   */
  readonly functionErrorRatePercent?: number;
  /**
   * A function's alarm fires when it is throttled more than this many times in 5 minutes.
   *
   * @default 0
   */
  readonly functionThrottles?: number;
  /**
   * The API's server-error alarm fires when more than this share of requests get a 5xx, in percent.
   *
   * @default 1
   */
  readonly apiServerErrorRatePercent?: number;
  /**
   * The API's latency alarm fires when the p99 latency is above this.
   *
   * @default Duration.seconds(3)
   */
  readonly apiLatencyP99?: Duration;
  /**
   * The table's alarm fires when more than this many requests are throttled in 5 minutes.
   *
   * @default 0
   */
  readonly tableThrottledRequests?: number;
}
