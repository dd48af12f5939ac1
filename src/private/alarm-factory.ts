import { Lazy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmSeverity } from '../shared/alarm-severity';

/** Critical alarms roll up into the API's composite alarm; warnings notify on their own. */
export { AlarmSeverity };

/** When an alarm fires: what the factory needs of a threshold (monitoring's `AlarmThreshold` is one). */
export interface AlarmCondition {
  /** The alarm fires when the metric is above this. */
  readonly max: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** What differs from one alarm to the next; everything else comes from the factory. */
export interface AlarmSpec {
  /** Construct id of the alarm. */
  readonly id: string;
  /** The alarm's name after the API's prefix, naming the resource and the signal: `Function-tasks-ErrorRate`. */
  readonly name: string;
  /** The metric or metric-math expression watched, with the threshold's period. */
  readonly metric: cloudwatch.IMetric;
  /** The alarm fires when the metric is above `threshold.max`. */
  readonly threshold: AlarmCondition;
  /** What breached, on which resource, and what to look at first. */
  readonly description: string;
  readonly severity: AlarmSeverity;
  /**
   * How the alarm treats a period without data.
   *
   * @default cloudwatch.TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

export interface AlarmFactoryProps {
  /** Every alarm name starts with this and a dash. */
  readonly namePrefix: string;
  /** Run when an alarm (or the composite alarm) fires. */
  readonly actions: cloudwatch.IAlarmAction[];
  readonly okActions: boolean;
  readonly insufficientDataActions: boolean;
  /** Whether critical alarms roll up into a composite alarm, which alone runs the actions for them. */
  readonly composite: boolean;
}

/** CloudWatch allows 255 characters in an alarm name. */
const MAX_ALARM_NAME = 255;
/**
 * CloudWatch allows a composite alarm's rule to name at most 100 alarms, in at most 10,240 characters
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html).
 */
const MAX_COMPOSITE_CHILDREN = 100;
const MAX_COMPOSITE_RULE = 10240;
/**
 * What a rule spends on each alarm besides its name, at most: `ALARM("arn:aws:cloudwatch:<region>:<account>:alarm:")`
 * in the `aws` partition with a 14-character region and a 12-digit account, and ` OR `.
 */
const RULE_CHARACTERS_PER_ALARM = 'ALARM("arn:aws:cloudwatch:ap-southeast-5:123456789012:alarm:") OR '.length;

/**
 * The one place alarms are built, so every alarm gets the same name scheme, comparison, missing-data
 * treatment and actions; monitoring grows by adding specs, never by copying alarm code per metric.
 */
export class AlarmFactory {
  /** The full name of an alarm: the API's prefix, a dash, its name. Fails when CloudWatch would refuse it. */
  public static alarmName(prefix: string, name: string): string {
    const alarmName = `${prefix}-${name}`;
    if (alarmName.length > MAX_ALARM_NAME) {
      throw new Error(
        `Alarm name ${JSON.stringify(alarmName)} is ${alarmName.length} characters, CloudWatch allows ${MAX_ALARM_NAME}: shorten \`apiName\` or the name of the function or index it watches`,
      );
    }
    return alarmName;
  }

  private readonly created: cloudwatch.IAlarm[] = [];
  /** The alarms created here and the composite alarms of its subgroups: what a status row shows. */
  private readonly own: cloudwatch.IAlarm[] = [];
  private readonly critical: { alarm: cloudwatch.IAlarm; name: string }[] = [];

  constructor(
    private readonly props: AlarmFactoryProps,
    private readonly parent?: AlarmFactory,
  ) {}

  /** Every alarm created so far, in subgroups too (their composite alarms included), the composite alarm aside. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.created];
  }

  /** The alarms created by this factory itself, and the composite alarm of each subgroup instead of its alarms. */
  public get ownAlarms(): cloudwatch.IAlarm[] {
    return [...this.own];
  }

  /**
   * A factory whose critical alarms roll up into a composite alarm of their own, `<prefix>-Unhealthy-<name>` in
   * `scope`, which rolls up into this factory's composite alarm: a tree, so that no rule names more than 100 alarms.
   * The subgroup's composite alarm runs no action (the root's does); its other alarms notify as this factory's do.
   */
  public subgroup(scope: Construct, name: string, description: string): AlarmFactory {
    const child = new AlarmFactory(this.props, this);
    const composite = child.createComposite(scope, 'Unhealthy', description, `Unhealthy-${name}`, false);
    this.register(composite, child.alarmName(`Unhealthy-${name}`), AlarmSeverity.CRITICAL);
    return child;
  }

  public alarmName(name: string): string {
    return AlarmFactory.alarmName(this.props.namePrefix, name);
  }

  public create(scope: Construct, spec: AlarmSpec): cloudwatch.Alarm {
    const t = spec.threshold;
    const alarm = new cloudwatch.Alarm(scope, spec.id, {
      alarmName: this.alarmName(spec.name),
      metric: spec.metric,
      alarmDescription: spec.description,
      threshold: t.max,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: t.evaluationPeriods,
      datapointsToAlarm: t.datapointsToAlarm,
      // No traffic is not a failure: an idle API must not page anyone.
      treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (!this.register(alarm, this.alarmName(spec.name), spec.severity)) this.addActions(alarm);
    return alarm;
  }

  /** Records an alarm here and in the parent's list; true when it rolls up into the composite alarm. */
  private register(alarm: cloudwatch.IAlarm, name: string, severity: AlarmSeverity): boolean {
    this.own.push(alarm);
    for (let factory: AlarmFactory | undefined = this; factory; factory = factory.parent) factory.created.push(alarm);
    const rolledUp = this.props.composite && severity === AlarmSeverity.CRITICAL;
    if (rolledUp) this.critical.push({ alarm, name });
    return rolledUp;
  }

  /**
   * The composite alarm over every critical alarm, including those created after it (its rule is
   * rendered at synth). Fails synth when there is no critical alarm to roll up, or too many.
   */
  public createComposite(
    scope: Construct,
    id: string,
    description: string,
    name: string = 'Unhealthy',
    actions: boolean = true,
  ): cloudwatch.CompositeAlarm {
    const composite = new cloudwatch.CompositeAlarm(scope, id, {
      compositeAlarmName: this.alarmName(name),
      alarmDescription: description,
      alarmRule: {
        renderAlarmRule: () =>
          Lazy.string({
            // With no critical alarm the validation below fails synth; FALSE only keeps resolution going until then.
            produce: () =>
              (this.critical.length
                ? cloudwatch.AlarmRule.anyOf(
                    ...this.critical.map(({ alarm }) =>
                      cloudwatch.AlarmRule.fromAlarm(alarm, cloudwatch.AlarmState.ALARM),
                    ),
                  )
                : cloudwatch.AlarmRule.fromBoolean(false)
              ).renderAlarmRule(),
          }),
      },
    });
    if (actions) this.addActions(composite);
    composite.node.addValidation({
      validate: () => {
        // A subgroup without a critical alarm (its functions' alarms turned off) is FALSE, never in ALARM.
        if (this.critical.length === 0 && actions) {
          return [
            '`alarms.compositeAlarm` must have a critical alarm to roll up (all are disabled): set `compositeAlarm: false`, got: true',
          ];
        }
        if (this.critical.length > MAX_COMPOSITE_CHILDREN) {
          return [
            `\`alarms.compositeAlarm\` can roll up at most ${MAX_COMPOSITE_CHILDREN} alarms (CloudWatch's limit): set \`compositeAlarm: false\`, disable per-function alarms, or put the functions in nested stacks (\`stacks: ApiStacks.nested()\`), whose alarms roll up per stack, got: ${this.critical.length} critical alarms`,
          ];
        }
        const characters = this.critical.reduce(
          (sum, child) =>
            sum + (Token.isUnresolved(child.name) ? MAX_ALARM_NAME : child.name.length) + RULE_CHARACTERS_PER_ALARM,
          0,
        );
        if (characters > MAX_COMPOSITE_RULE) {
          return [
            `\`alarms.compositeAlarm\` must have a rule of at most ${MAX_COMPOSITE_RULE} characters (CloudWatch's limit): shorten \`apiName\` or the function names, or set \`compositeAlarm: false\`, got: up to ${characters} characters for ${this.critical.length} alarms`,
          ];
        }
        return [];
      },
    });
    return composite;
  }

  private addActions(alarm: cloudwatch.AlarmBase): void {
    const actions = this.props.actions;
    if (!actions.length) return;
    alarm.addAlarmAction(...actions);
    if (this.props.okActions) alarm.addOkAction(...actions);
    if (this.props.insufficientDataActions) alarm.addInsufficientDataAction(...actions);
  }
}
