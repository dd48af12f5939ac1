import { Duration, Token } from 'aws-cdk-lib';
import {
  AgeAlarmOptions,
  AlarmEvaluationOptions,
  AlarmOptions,
  ApiAlarmOptions,
  CountAlarmOptions,
  FunctionAlarmOptions,
  LatencyAlarmOptions,
  PercentAlarmOptions,
  TableAlarmOptions,
} from './alarm-options';
import { METRIC_PERIOD } from './metrics';
import { checkInteger, checkOneOf, fail, isLiteral, numberText } from '../private/validation';
import { AlarmSeverity } from '../shared/alarm-severity';

/**
 * The documented defaults of every alarm, in one place, and the rules that turn the options users give
 * into thresholds the alarms and the dashboard share.
 */

/** What a threshold is measured in; decides how `max` is given and checked. */
export enum ThresholdUnit {
  PERCENT = 'percent',
  COUNT = 'count',
  MILLISECONDS = 'milliseconds',
  SECONDS = 'seconds',
}

/** One alarm with every default applied. */
export interface AlarmThreshold {
  readonly enabled: boolean;
  /** The alarm fires above this: a percentage, a count, or milliseconds. */
  readonly max: number;
  readonly unit: ThresholdUnit;
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** An alarm's documented defaults: its threshold, unit and evaluation. */
export interface DefaultThreshold {
  readonly enabled?: boolean;
  readonly max: number;
  readonly unit: ThresholdUnit;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

/** The shared alarm of a function: its expression is 1 when a signal breaches, so it fires above 0. */
const SHARED_ALARM: DefaultThreshold = { max: 0, unit: ThresholdUnit.COUNT };

/** CloudWatch evaluates at most one day of periods shorter than an hour, and at most 7 days of longer ones. */
const MAX_EVALUATION_SECONDS = 86400;
const MAX_HOURLY_EVALUATION_SECONDS = 7 * 86400;

export const DEFAULT_FUNCTION_ALARMS = {
  errorRate: { max: 1, unit: ThresholdUnit.PERCENT },
  throttles: { max: 0, unit: ThresholdUnit.COUNT },
  durationP99: { max: 80, unit: ThresholdUnit.PERCENT, evaluationPeriods: 3, datapointsToAlarm: 2 },
  concurrency: { max: 80, unit: ThresholdUnit.PERCENT },
} as const satisfies { [signal: string]: DefaultThreshold };

/**
 * A Lambda authorizer's alarms: those of a route function, but for its duration. API Gateway waits at most 10 seconds
 * for an authorizer (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html), and every
 * uncached request waits for it before its function runs: at 20% of the timeout (2 seconds of the 10-second one) it
 * fires before the API's own p99 latency alarm (3 seconds) and names the authorizer as the cause.
 */
export const DEFAULT_AUTHORIZER_ALARMS = {
  ...DEFAULT_FUNCTION_ALARMS,
  durationP99: { max: 20, unit: ThresholdUnit.PERCENT, evaluationPeriods: 3, datapointsToAlarm: 2 },
} as const satisfies { [signal: string]: DefaultThreshold };

/** A 429 is the API refusing traffic as configured (route, stage or usage-plan limits): a warning unless told otherwise. */
export const DEFAULT_THROTTLED_REQUEST_SEVERITY = AlarmSeverity.WARNING;

export const DEFAULT_API_ALARMS = {
  serverErrorRate: { max: 1, unit: ThresholdUnit.PERCENT },
  clientErrorRate: { max: 10, unit: ThresholdUnit.PERCENT, evaluationPeriods: 3, datapointsToAlarm: 3 },
  throttledRequestRate: { max: 1, unit: ThresholdUnit.PERCENT },
  latencyP99: { max: 3000, unit: ThresholdUnit.MILLISECONDS, evaluationPeriods: 3, datapointsToAlarm: 2 },
  integrationLatencyP99: { max: 2000, unit: ThresholdUnit.MILLISECONDS, evaluationPeriods: 3, datapointsToAlarm: 2 },
} as const satisfies { [signal: string]: DefaultThreshold };

export const DEFAULT_TABLE_ALARMS = {
  readThrottles: { max: 0, unit: ThresholdUnit.COUNT },
  writeThrottles: { max: 0, unit: ThresholdUnit.COUNT },
  systemErrors: { max: 0, unit: ThresholdUnit.COUNT },
  conditionalCheckFailures: { enabled: false, max: 10, unit: ThresholdUnit.COUNT },
  // Auto scaling acts after two minutes above its target and takes minutes more to raise capacity
  // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html): one period above is a spike
  // being handled, two of three are a limit being reached.
  readCapacityUtilization: { max: 80, unit: ThresholdUnit.PERCENT, evaluationPeriods: 3, datapointsToAlarm: 2 },
  writeCapacityUtilization: { max: 80, unit: ThresholdUnit.PERCENT, evaluationPeriods: 3, datapointsToAlarm: 2 },
} as const satisfies { [signal: string]: DefaultThreshold };

export type FunctionSignal = keyof typeof DEFAULT_FUNCTION_ALARMS;
/** The defaults of one kind of function's alarms: route functions and workers, or Lambda authorizers. */
type FunctionDefaults = { readonly [signal in FunctionSignal]: DefaultThreshold };
export type ApiSignal = keyof typeof DEFAULT_API_ALARMS;
export type TableSignal = keyof typeof DEFAULT_TABLE_ALARMS;

/** The thresholds of a function's alarms, and whether they share one alarm. */
export interface FunctionThresholds {
  readonly signals: { readonly [signal in FunctionSignal]: AlarmThreshold };
  readonly separateAlarms: boolean;
  /** The evaluation of the shared alarm. */
  readonly evaluation: AlarmThreshold;
}

export type ApiThresholds = { readonly [signal in ApiSignal]: AlarmThreshold };
export type TableThresholds = { readonly [signal in TableSignal]: AlarmThreshold };

export type AnyAlarmOptions = PercentAlarmOptions & CountAlarmOptions & LatencyAlarmOptions & AgeAlarmOptions;

/** The `max` the user gave, in the unit of the threshold. */
function givenMax(options: AnyAlarmOptions | undefined, unit: ThresholdUnit): number | undefined {
  if (unit === ThresholdUnit.PERCENT) return options?.maxPercent;
  if (unit === ThresholdUnit.COUNT) return options?.maxCount;
  if (unit === ThresholdUnit.SECONDS) return options?.maxAge?.toSeconds();
  return options?.maxLatency?.toMilliseconds();
}

function validateEvaluation(prop: string, options: AlarmEvaluationOptions | undefined, defaults: DefaultThreshold) {
  const period = options?.period;
  if (period && isLiteral(period)) {
    const seconds = period.toSeconds({ integral: false });
    if (seconds < 60 || seconds % 60 !== 0) fail(`${prop}.period`, 'be a whole number of minutes, at least 1', period);
  }
  checkInteger(`${prop}.evaluationPeriods`, options?.evaluationPeriods, 1, MAX_HOURLY_EVALUATION_SECONDS / 3600);
  const evaluationPeriods = options?.evaluationPeriods ?? defaults.evaluationPeriods ?? 1;
  checkInteger(`${prop}.datapointsToAlarm`, options?.datapointsToAlarm, 1, evaluationPeriods);
  const periodSeconds = period && isLiteral(period) ? period.toSeconds() : METRIC_PERIOD.toSeconds();
  const hourly = periodSeconds >= 3600;
  if (periodSeconds * evaluationPeriods > (hourly ? MAX_HOURLY_EVALUATION_SECONDS : MAX_EVALUATION_SECONDS)) {
    fail(
      `${prop}.evaluationPeriods`,
      `cover at most ${hourly ? '7 days' : 'one day'} with periods of ${Duration.seconds(periodSeconds).toHumanString()} (CloudWatch's limit)`,
      evaluationPeriods,
    );
  }
}

/** Checks one alarm's options against its unit's rules. */
export function validateAlarm(prop: string, options: AnyAlarmOptions | undefined, defaults: DefaultThreshold): void {
  if (!options) return;
  validateEvaluation(prop, options, defaults);
  if (defaults.unit === ThresholdUnit.PERCENT && isLiteral(options.maxPercent)) {
    const value = options.maxPercent!;
    if (!Number.isFinite(value) || value <= 0 || value >= 100) {
      fail(`${prop}.maxPercent`, 'be above 0 and below 100 (a share in percent)', value);
    }
  }
  if (defaults.unit === ThresholdUnit.COUNT) {
    const count = options.maxCount;
    if (isLiteral(count) && (!Number.isSafeInteger(count) || count! < 0)) {
      fail(`${prop}.maxCount`, 'be a whole number, 0 or more', count);
    }
  }
  const age = options.maxAge;
  if (defaults.unit === ThresholdUnit.SECONDS && age) {
    if (isLiteral(age) && (age.toMilliseconds() < 1000 || age.toMilliseconds() % 1000 !== 0)) {
      fail(`${prop}.maxAge`, 'be a whole number of seconds, at least 1', age);
    }
    if (!isLiteral(age)) {
      try {
        age.toSeconds();
      } catch {
        fail(`${prop}.maxAge`, 'be given with Duration.seconds() when its amount is a token', age.toString());
      }
    }
  }
  const latency = options.maxLatency;
  if (defaults.unit === ThresholdUnit.MILLISECONDS && latency) {
    if (isLiteral(latency) && latency.toMilliseconds() <= 0) {
      fail(`${prop}.maxLatency`, 'be a positive duration', latency);
    }
    if (!isLiteral(latency)) {
      try {
        latency.toMilliseconds();
      } catch {
        fail(`${prop}.maxLatency`, 'be given with Duration.millis() when its amount is a token', latency.toString());
      }
    }
  }
}

/** One alarm's options over its defaults. */
export function resolveThreshold(options: AnyAlarmOptions | undefined, defaults: DefaultThreshold): AlarmThreshold {
  const evaluationPeriods = options?.evaluationPeriods ?? defaults.evaluationPeriods ?? 1;
  return {
    enabled: options?.enabled ?? defaults.enabled ?? true,
    max: givenMax(options, defaults.unit) ?? defaults.max,
    unit: defaults.unit,
    period: options?.period ?? METRIC_PERIOD,
    evaluationPeriods,
    datapointsToAlarm:
      options?.datapointsToAlarm ??
      (options?.evaluationPeriods === undefined ? defaults.datapointsToAlarm : undefined) ??
      evaluationPeriods,
  };
}

/** One alarm's threshold: its options (checked with `validateAlarm`) over its defaults. */
export function alarmThreshold(options: AnyAlarmOptions | undefined, defaults: DefaultThreshold): AlarmThreshold {
  return resolveThreshold(options, defaults);
}

function validateGroup<K extends string>(
  prop: string,
  options: { readonly [signal in K]?: AnyAlarmOptions } | undefined,
  defaults: { readonly [signal in K]: DefaultThreshold },
): void {
  for (const signal of Object.keys(defaults) as K[]) {
    validateAlarm(`${prop}.${signal}`, options?.[signal], defaults[signal]);
  }
}

function resolveGroup<K extends string>(
  options: { readonly [signal in K]?: AnyAlarmOptions } | undefined,
  defaults: { readonly [signal in K]: DefaultThreshold },
): { readonly [signal in K]: AlarmThreshold } {
  const entries = (Object.keys(defaults) as K[]).map((signal) => [
    signal,
    resolveThreshold(options?.[signal], defaults[signal]),
  ]);
  return Object.fromEntries(entries);
}

/** Checks a `FunctionAlarmOptions`, at `prop` (the API's `alarms.functions` or a function's own `alarms`). */
export function validateFunctionAlarms(
  prop: string,
  options: FunctionAlarmOptions | undefined,
  defaults: FunctionDefaults = DEFAULT_FUNCTION_ALARMS,
): void {
  if (!options) return;
  validateGroup<FunctionSignal>(prop, options, defaults);
  validateEvaluation(`${prop}.evaluation`, options.evaluation, SHARED_ALARM);
}

/**
 * A function's own concurrency alarm needs a reservation to measure against; the API-wide one applies only to the
 * functions that have one, as documented.
 */
export function validateConcurrencyAlarm(
  prop: string,
  own: FunctionAlarmOptions | undefined,
  reservedConcurrentExecutions: number | undefined,
): void {
  const concurrency = own?.concurrency;
  if (concurrency && concurrency.enabled !== false && reservedConcurrentExecutions === undefined) {
    fail(
      `${prop}.concurrency`,
      'be left out on a function without `reservedConcurrentExecutions`: it measures concurrency as a share of the reservation',
      concurrency,
    );
  }
}

/**
 * A function's thresholds: its own `alarms` over the API's `alarms.functions`, signal by signal. A shared
 * alarm has one evaluation, so a signal's own evaluation is refused unless each signal has its own alarm.
 */
export function functionThresholds(
  prop: string,
  api: FunctionAlarmOptions | undefined,
  own: FunctionAlarmOptions | undefined,
  defaults: FunctionDefaults = DEFAULT_FUNCTION_ALARMS,
): FunctionThresholds {
  const separateAlarms = own?.separateAlarms ?? api?.separateAlarms ?? false;
  const merged = (signal: FunctionSignal): AnyAlarmOptions | undefined =>
    api?.[signal] || own?.[signal] ? { ...api?.[signal], ...own?.[signal] } : undefined;
  const signalNames = Object.keys(DEFAULT_FUNCTION_ALARMS) as FunctionSignal[];
  if (!separateAlarms) {
    for (const signal of signalNames) {
      for (const field of ['period', 'evaluationPeriods', 'datapointsToAlarm'] as const) {
        const value = merged(signal)?.[field];
        if (value !== undefined) {
          // Name the options that set it: the function's own, or the API's when the function only opted out.
          const at = own?.[signal]?.[field] !== undefined ? prop : 'alarms.functions';
          fail(
            `${at}.${signal}.${field}`,
            'not be set while the signals of a function share one alarm: set `evaluation` instead, or `separateAlarms: true`',
            value,
          );
        }
      }
    }
  }
  // Each side was checked alone; what they make together must hold too.
  const sharedEvaluation = { ...api?.evaluation, ...own?.evaluation };
  validateEvaluation(`${prop}.evaluation`, sharedEvaluation, SHARED_ALARM);
  if (separateAlarms) {
    for (const signal of signalNames) {
      validateEvaluation(`${prop}.${signal}`, merged(signal), defaults[signal]);
    }
  }
  const evaluation = resolveThreshold(sharedEvaluation, SHARED_ALARM);
  // A shared alarm looks at every signal with its own evaluation, and so does the dashboard.
  const shared = separateAlarms
    ? {}
    : {
        period: evaluation.period,
        evaluationPeriods: evaluation.evaluationPeriods,
        datapointsToAlarm: evaluation.datapointsToAlarm,
      };
  const signals = Object.fromEntries(
    signalNames.map((signal) => [signal, { ...resolveThreshold(merged(signal), defaults[signal]), ...shared }]),
  ) as FunctionThresholds['signals'];
  return { signals, separateAlarms, evaluation };
}

/** Every threshold the API-wide `alarms` give, resolved once. */
export interface AlarmThresholds {
  readonly api: ApiThresholds;
  readonly table: TableThresholds;
  /** The API-wide thresholds of the functions (a function's own may differ). */
  readonly functions: FunctionThresholds;
  /** The thresholds of every Lambda authorizer. */
  readonly authorizers: FunctionThresholds;
  /** Whether the 429 alarm pages. */
  readonly throttledRequestSeverity: AlarmSeverity;
}

/** Checks the API-wide `alarms` and resolves their thresholds. */
export function resolveAlarmThresholds(options: AlarmOptions | undefined): AlarmThresholds {
  validateFunctionAlarms('alarms.functions', options?.functions);
  validateFunctionAlarms('alarms.authorizers', options?.authorizers, DEFAULT_AUTHORIZER_ALARMS);
  const authorizerConcurrency = options?.authorizers?.concurrency;
  if (authorizerConcurrency && authorizerConcurrency.enabled !== false) {
    fail(
      'alarms.authorizers.concurrency',
      "be left out: an authorizer's concurrency has no reservation the library knows of to be measured against",
      authorizerConcurrency,
    );
  }
  validateGroup<ApiSignal>('alarms.api', options?.api, DEFAULT_API_ALARMS);
  validateGroup<TableSignal>('alarms.table', options?.table, DEFAULT_TABLE_ALARMS);
  const severities = Object.values(AlarmSeverity);
  const severity = options?.api?.throttledRequestRate?.severity;
  checkOneOf(
    'alarms.api.throttledRequestRate.severity',
    severity,
    severities,
    `be an AlarmSeverity (${severities.join(', ')})`,
  );
  return {
    functions: functionThresholds('alarms.functions', options?.functions, undefined),
    authorizers: functionThresholds('alarms.authorizers', undefined, options?.authorizers, DEFAULT_AUTHORIZER_ALARMS),
    throttledRequestSeverity: severity ?? DEFAULT_THROTTLED_REQUEST_SEVERITY,
    api: apiThresholds(options?.api),
    table: tableThresholds(options?.table),
  };
}

export function apiThresholds(options: ApiAlarmOptions | undefined): ApiThresholds {
  return resolveGroup<ApiSignal>(options, DEFAULT_API_ALARMS);
}

export function tableThresholds(options: TableAlarmOptions | undefined): TableThresholds {
  return resolveGroup<TableSignal>(options, DEFAULT_TABLE_ALARMS);
}

/** A threshold in words, for alarm descriptions and dashboard annotations: "1%", "3 seconds", "0". */
export function describeMax(threshold: AlarmThreshold): string {
  const max = numberText(threshold.max);
  if (threshold.unit === ThresholdUnit.PERCENT) return `${max}%`;
  if (threshold.unit === ThresholdUnit.SECONDS) {
    return Token.isUnresolved(threshold.max) ? `${max} seconds` : Duration.seconds(threshold.max).toHumanString();
  }
  if (threshold.unit === ThresholdUnit.MILLISECONDS) {
    const wholeSeconds = !Token.isUnresolved(threshold.max) && threshold.max % 1000 === 0;
    return wholeSeconds ? Duration.millis(threshold.max).toHumanString() : `${max} ms`;
  }
  return max;
}

/** The evaluation in words: "in 2 of 3 periods of 5 minutes". */
export function describeEvaluation(threshold: AlarmThreshold): string {
  const period = threshold.period.toHumanString();
  if (threshold.evaluationPeriods === 1) return `in one period of ${period}`;
  return `in ${threshold.datapointsToAlarm} of ${threshold.evaluationPeriods} periods of ${period}`;
}
