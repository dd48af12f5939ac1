import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** Alarm defaults shared by every alarm the library creates. */
export const ALARM_PERIOD = Duration.minutes(5);

/** What differs from one alarm to the next; everything else comes from the factory. */
export interface AlarmSpec {
  /** The metric or metric-math expression watched. */
  readonly metric: cloudwatch.IMetric;
  /** What breached, on which resource, and what to look at first. */
  readonly description: string;
  readonly threshold: number;
  /** @default GREATER_THAN_THRESHOLD */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
}

/**
 * The one place alarms are built, so every alarm gets the same actions, missing-data treatment and
 * shape; monitoring grows by adding specs, never by copying alarm code per metric.
 */
export class AlarmFactory {
  private readonly actions: cloudwatch.IAlarmAction[];

  constructor(actions: cloudwatch.IAlarmAction[] = []) {
    this.actions = actions;
  }

  public create(scope: Construct, id: string, spec: AlarmSpec): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric: spec.metric,
      alarmDescription: spec.description,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods ?? 1,
      // No traffic is not a failure: an idle API must not page anyone.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(...this.actions);
    return alarm;
  }
}
