import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  AlarmThreshold,
  ApiThresholds,
  describeEvaluation,
  describeMax,
  FunctionThresholds,
  TableThresholds,
} from './alarm-thresholds';
import { ApiMetrics, FunctionMetrics, TableMetrics } from './metrics';
import { AlarmSeverity, AlarmSpec } from '../private/alarm-factory';
import { isLiteral, numberText } from '../private/validation';

/**
 * Every alarm the library creates, as specs for the one alarm factory: which metric, which threshold,
 * and a description that says what breached, on which resource, and what to look at first.
 */

const withPeriod = (t: AlarmThreshold) => ({ period: t.period });
const breach = (t: AlarmThreshold) => `above ${describeMax(t)} ${describeEvaluation(t)}`;

/** The API stage's alarms; the 429 alarm with the severity `alarms.api.throttledRequestRate` chose. */
export function apiAlarmSpecs(
  metrics: ApiMetrics,
  t: ApiThresholds,
  throttledSeverity: AlarmSeverity = AlarmSeverity.WARNING,
): AlarmSpec[] {
  const specs: (AlarmSpec & { enabled: boolean })[] = [
    {
      enabled: t.serverErrorRate.enabled,
      id: 'ApiServerErrorRate',
      name: 'Api-5xxRate',
      metric: metrics.serverErrorRate(withPeriod(t.serverErrorRate)),
      threshold: t.serverErrorRate,
      severity: AlarmSeverity.CRITICAL,
      description:
        `API: share of requests answered 5xx ${breach(t.serverErrorRate)}. Look first at the access log ` +
        '(status, integrationError, authorizerError), then at the alarms of the functions.',
    },
    {
      enabled: t.throttledRequestRate.enabled,
      id: 'ApiThrottledRequestRate',
      name: 'Api-429Rate',
      metric: metrics.throttledRequestRate(withPeriod(t.throttledRequestRate)),
      threshold: t.throttledRequestRate,
      severity: throttledSeverity,
      description:
        `API: share of requests answered 429 Too Many Requests ${breach(t.throttledRequestRate)} (usage-plan ` +
        'quotas not counted). Look first at the access log for the routes and callers (ip, principalId, apiKeyId) ' +
        'refused, then raise the stage, route or usage-plan throttling if the traffic is legitimate.',
    },
    {
      enabled: t.latencyP99.enabled,
      id: 'ApiLatency',
      name: 'Api-LatencyP99',
      metric: metrics.latency(withPeriod(t.latencyP99)),
      threshold: t.latencyP99,
      severity: AlarmSeverity.CRITICAL,
      description:
        `API: p99 latency ${breach(t.latencyP99)}. Look first at integrationLatency in the access log ` +
        '(the functions) against responseLatency (authorizer and gateway), then at function durations and table throttles.',
    },
    {
      enabled: t.clientErrorRate.enabled,
      id: 'ApiClientErrorRate',
      name: 'Api-4xxRate',
      metric: metrics.clientErrorRate(withPeriod(t.clientErrorRate)),
      threshold: t.clientErrorRate,
      severity: AlarmSeverity.WARNING,
      description:
        `API: share of requests answered 4xx ${breach(t.clientErrorRate)}. Look first at the access log's ` +
        'status by routeKey: 401/403 point at tokens or the authorizer, 400/404 at a client release.',
    },
    {
      enabled: t.integrationLatencyP99.enabled,
      id: 'ApiIntegrationLatency',
      name: 'Api-IntegrationLatencyP99',
      metric: metrics.integrationLatency(withPeriod(t.integrationLatencyP99)),
      threshold: t.integrationLatencyP99,
      severity: AlarmSeverity.WARNING,
      description:
        `API: p99 integration latency (time the functions take to answer) ${breach(t.integrationLatencyP99)}. ` +
        "Look first at the functions' p99 durations and their X-Ray traces, then at table throttles.",
    },
  ];
  return specs.filter((spec) => spec.enabled);
}

interface FunctionSignalSpec {
  readonly id: string;
  readonly suffix: string;
  readonly metric: (props: cloudwatch.MathExpressionOptions) => cloudwatch.IMetric;
  readonly threshold: AlarmThreshold;
  /** The breach in words, without the evaluation: "error rate above 1%". */
  readonly what: string;
  readonly lookFirst: string;
}

function functionSignals(
  metrics: FunctionMetrics,
  timeout: Duration,
  t: FunctionThresholds,
  kind: FunctionKind,
): FunctionSignalSpec[] {
  const s = t.signals;
  const authorizer = kind === FunctionKind.AUTHORIZER;
  const signals: (FunctionSignalSpec | undefined)[] = [
    s.errorRate.enabled
      ? {
          id: 'ErrorRateAlarm',
          suffix: 'ErrorRate',
          metric: (props) => metrics.errorRate(props),
          threshold: s.errorRate,
          what: `share of invocations failed above ${describeMax(s.errorRate)}`,
          lookFirst: authorizer
            ? "ERROR lines in the authorizer's log group, and authorizerError in the access log"
            : "ERROR lines in the function's log group, by requestId",
        }
      : undefined,
    s.throttles.enabled
      ? {
          id: 'ThrottlesAlarm',
          suffix: 'Throttles',
          metric: (props) => metrics.throttles(props),
          threshold: s.throttles,
          what: `throttled invocations above ${describeMax(s.throttles)}`,
          lookFirst: "concurrent executions against the function's reservation or the account's unreserved pool",
        }
      : undefined,
    s.durationP99.enabled
      ? {
          id: 'DurationAlarm',
          suffix: 'DurationP99',
          metric: (props) => metrics.durationP99Percent(props),
          threshold: s.durationP99,
          what: `p99 duration above ${describeMax(s.durationP99)} of the ${isLiteral(timeout) ? `${timeout.toHumanString()} ` : ''}timeout`,
          lookFirst: authorizer
            ? 'slow calls to the identity provider or user store in its X-Ray traces, then its results cache TTL'
            : 'slow table calls in its X-Ray traces, then its memory size (CPU grows with it)',
        }
      : undefined,
  ];
  const concurrency = metrics.concurrencyPercent();
  if (concurrency && s.concurrency.enabled) {
    signals.push({
      id: 'ConcurrencyAlarm',
      suffix: 'Concurrency',
      metric: (props) => metrics.concurrencyPercent(props)!,
      threshold: s.concurrency,
      what: `peak concurrency above ${describeMax(s.concurrency)} of its reserved executions`,
      lookFirst: 'traffic per route in the access log; raise the reservation or lower the throttling',
    });
  }
  return signals.filter((signal): signal is FunctionSignalSpec => signal !== undefined);
}

/** The names of the throttle alarms of the table (no index) or of an index, after the API's prefix. */
export function tableAlarmNames(indexName?: string): [read: string, write: string] {
  const name = indexName ? `Index-${indexName}` : 'Table';
  return [`${name}-ReadThrottles`, `${name}-WriteThrottles`];
}

/** What a watched function is, in alarm names and descriptions. */
export enum FunctionKind {
  /** A route function: alarms `Function-<name>`. */
  FUNCTION = 'Function',
  /** A worker: alarms `Worker-<name>`. */
  WORKER = 'Worker',
  /** A Lambda authorizer: alarms `Authorizer-<name>`. */
  AUTHORIZER = 'Authorizer',
}

/** The dashboard row each kind of function is drawn on. */
const DASHBOARD_ROW: { readonly [kind in FunctionKind]: string } = {
  [FunctionKind.FUNCTION]: 'function',
  [FunctionKind.WORKER]: 'worker',
  [FunctionKind.AUTHORIZER]: 'authorizer',
};

/**
 * A function's alarms: one metric-math alarm over all its signals (1 when any breaches), or with
 * `separateAlarms` one alarm per signal. Critical either way: a failing function fails its routes, a failing worker
 * its work, a failing authorizer every route it guards.
 */
export function functionAlarmSpecs(
  metrics: FunctionMetrics,
  name: string,
  timeout: Duration,
  t: FunctionThresholds,
  kind: FunctionKind = FunctionKind.FUNCTION,
): AlarmSpec[] {
  const signals = functionSignals(metrics, timeout, t, kind);
  if (t.separateAlarms) {
    return signals.map((signal) => ({
      id: signal.id,
      name: `${kind}-${name}-${signal.suffix}`,
      metric: signal.metric({ period: signal.threshold.period }),
      threshold: signal.threshold,
      severity: AlarmSeverity.CRITICAL,
      description: `${kind} ${name}: ${signal.what} ${describeEvaluation(signal.threshold)}. Look first at ${signal.lookFirst}.`,
    }));
  }
  if (!signals.length) return [];
  const usingMetrics = Object.fromEntries(
    signals.map((signal) => [signal.suffix.charAt(0).toLowerCase() + signal.suffix.slice(1), signal]),
  );
  const condition = Object.entries(usingMetrics)
    .map(([id, signal]) => `FILL(${id}, 0) > ${numberText(signal.threshold.max)}`)
    .join(' OR ');
  const evaluation = t.evaluation;
  return [
    {
      id: 'Alarm',
      name: `${kind}-${name}`,
      metric: new cloudwatch.MathExpression({
        expression: `IF(${condition}, 1, 0)`,
        usingMetrics: Object.fromEntries(
          Object.entries(usingMetrics).map(([id, signal]) => [id, signal.metric({ period: evaluation.period })]),
        ),
        period: evaluation.period,
        label: `${name}: 1 when a signal breaches`,
      }),
      threshold: evaluation,
      severity: AlarmSeverity.CRITICAL,
      description:
        `${kind} ${name}: ${signals.map((signal) => signal.what).join(', or ')} ${describeEvaluation(evaluation)}. ` +
        `Look first at the dashboard's ${DASHBOARD_ROW[kind]} row for the signal, then at ${signals.map((signal) => signal.lookFirst).join('; or ')}.`,
    },
  ];
}

export function tableAlarmSpecs(
  metrics: TableMetrics,
  indexNames: readonly string[],
  operations: string[],
  t: TableThresholds,
): AlarmSpec[] {
  const specs: AlarmSpec[] = [];
  for (const indexName of [undefined, ...indexNames]) {
    const on = indexName ? `Index ${indexName} of the table` : 'Table';
    const id = indexName ? `Index-${indexName}-` : 'Table';
    const [readName, writeName] = tableAlarmNames(indexName);
    if (t.readThrottles.enabled) {
      specs.push({
        id: `${id}ReadThrottles`,
        name: readName,
        metric: metrics.readThrottleEvents(indexName, withPeriod(t.readThrottles)),
        threshold: t.readThrottles,
        severity: AlarmSeverity.CRITICAL,
        description:
          `${on}: read throttle events ${breach(t.readThrottles)}. On-demand capacity throttles hot partition ` +
          'keys: look first at CloudWatch Contributor Insights for the most-read keys, then spread them.',
      });
    }
    if (t.writeThrottles.enabled) {
      specs.push({
        id: `${id}WriteThrottles`,
        name: writeName,
        metric: metrics.writeThrottleEvents(indexName, withPeriod(t.writeThrottles)),
        threshold: t.writeThrottles,
        severity: AlarmSeverity.CRITICAL,
        description:
          `${on}: write throttle events ${breach(t.writeThrottles)}. Look first at CloudWatch Contributor ` +
          "Insights for the most-written keys; an index's throttling also throttles the table's writes.",
      });
    }
  }
  if (t.systemErrors.enabled) {
    specs.push({
      id: 'TableSystemErrors',
      name: 'Table-SystemErrors',
      metric: metrics.systemErrors(operations, withPeriod(t.systemErrors)),
      threshold: t.systemErrors,
      severity: AlarmSeverity.CRITICAL,
      description:
        `Table: DynamoDB system errors (HTTP 500) ${breach(t.systemErrors)}, over ${operations.join(', ') || 'every operation'}. ` +
        'The SDK retries them: look first at the AWS Health Dashboard for DynamoDB in the region.',
    });
  }
  if (t.conditionalCheckFailures.enabled) {
    specs.push({
      id: 'TableConditionalCheckFailures',
      name: 'Table-ConditionalCheckFailures',
      metric: metrics.conditionalCheckFailures(withPeriod(t.conditionalCheckFailures)),
      threshold: t.conditionalCheckFailures,
      severity: AlarmSeverity.WARNING,
      description:
        `Table: conditional writes that failed their condition ${breach(t.conditionalCheckFailures)}. Look first ` +
        'at which writers race on the same items (409 and 412 responses in the access log, by routeKey).',
    });
  }
  return specs;
}
