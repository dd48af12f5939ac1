/**
 * The monthly cost estimate: one line per cost driver, priced from a price table, and the total. Free tiers are per
 * account, so they are left out unless asked for; then each service's always-free allowance is one negative line.
 */

import { CostFunction, CostInputs } from './inputs';
import { PRICE_SOURCES, PriceTable, tiered } from './prices';
import { count } from './traffic';
import { Usage } from './usage';

export interface CostLine {
  readonly service: string;
  readonly driver: string;
  /** The usage priced, in words with its unit. */
  readonly usage: string;
  readonly monthlyUsd: number;
}

export interface CostEstimate {
  readonly region: string;
  readonly pricesAsOf: string;
  /** The traffic profile in one sentence. */
  readonly traffic: string;
  readonly freeTiersIncluded: boolean;
  readonly lines: CostLine[];
  readonly totalUsd: number;
  /** What the estimate assumed or left out. */
  readonly notes: string[];
  /** The AWS pricing page of each service. */
  readonly sources: Record<string, string>;
}

/** Hours in a month, as AWS pricing examples count them. */
export const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const MILLION = 1_000_000;

export function gbSeconds(fn: Pick<CostFunction, 'memoryMb'>, invocations: number, durationMs: number): number {
  // Duration is billed in 1 ms increments.
  return invocations * (Math.ceil(durationMs) / 1000) * (fn.memoryMb / 1024);
}

export function lambdaComputeUsd(prices: PriceTable, architecture: string, seconds: number): number {
  return tiered(seconds, architecture === 'arm64' ? prices.lambdaGbSecondArm : prices.lambdaGbSecondX86);
}

export function apiRequestsUsd(prices: PriceTable, type: string, requests: number): number {
  return tiered(requests, type === 'REST' ? prices.restApiPerMillion : prices.httpApiPerMillion) / MILLION;
}

/** Traces recorded under X-Ray's default sampling rule: the first request each second and 5% of the others. */
export function tracesRecorded(requests: number): number {
  return Math.min(requests, SECONDS_PER_MONTH) + 0.05 * Math.max(0, requests - SECONDS_PER_MONTH);
}

/** Steady-state stored GB of a log group: a month of logs, compressed, kept for its retention (12 months if never). */
export function storedLogGb(ingestedGb: number, compression: number, retentionDays: number | undefined): number {
  const months = retentionDays === undefined ? 12 : retentionDays / (365 / 12);
  return ingestedGb * compression * months;
}

export function cognitoUsd(prices: PriceTable, tier: string, users: number): number {
  if (tier === 'LITE') return tiered(users, prices.cognitoMauLite);
  return users * (tier === 'PLUS' ? prices.cognitoMauPlus : prices.cognitoMauEssentials);
}

function n(value: number): string {
  return count(value >= 100 ? Math.round(value) : Math.round(value * 100) / 100);
}

function plural(k: number, noun: string): string {
  return `${k} ${noun}${k === 1 ? '' : 's'}`;
}

function gb(value: number): string {
  return value < 0.01 ? `${value.toPrecision(2)} GB` : `${value.toFixed(2)} GB`;
}

export interface EstimateOptions {
  readonly prices: PriceTable;
  readonly trafficDescription: string;
  readonly includeFreeTiers: boolean;
  readonly logCompressionRatio: number;
  readonly monthlyActiveUsers: number;
  readonly kmsRequestsPerKey: number;
}

/** Prices the usage. */
export function estimateCost(inputs: CostInputs, usage: Usage, options: EstimateOptions): CostEstimate {
  const p = options.prices;
  const lines: CostLine[] = [];
  const line = (service: string, driver: string, used: string, monthlyUsd: number) =>
    lines.push({ service, driver, usage: used, monthlyUsd });
  const notes: string[] = [];

  for (const api of inputs.apis) {
    const requests = usage.apiRequests.get(api.name) ?? 0;
    line(
      'API Gateway',
      `${api.type} API ${api.name} requests`,
      `${n(requests)} requests`,
      apiRequestsUsd(p, api.type, requests),
    );
    if (api.cacheGb !== undefined) {
      const hourly = p.restApiCachePerHour[api.cacheGb] ?? 0;
      line(
        'API Gateway',
        `REST API ${api.name} cache ${api.cacheGb} GB`,
        `${HOURS_PER_MONTH} hours`,
        hourly * HOURS_PER_MONTH,
      );
    }
  }

  const totalInvocations = [...usage.invocations.values()].reduce((a, b) => a + b, 0);
  line(
    'Lambda',
    'requests',
    `${n(totalInvocations)} invocations`,
    (totalInvocations * p.lambdaRequestsPerMillion) / MILLION,
  );
  const secondsByArch = new Map<string, number>();
  for (const fn of inputs.functions) {
    const seconds = gbSeconds(fn, usage.invocations.get(fn.name) ?? 0, usage.durationMs.get(fn.name) ?? 0);
    secondsByArch.set(fn.architecture, (secondsByArch.get(fn.architecture) ?? 0) + seconds);
  }
  for (const fn of inputs.functions) {
    const invocations = usage.invocations.get(fn.name) ?? 0;
    const duration = usage.durationMs.get(fn.name) ?? 0;
    const seconds = gbSeconds(fn, invocations, duration);
    const archSeconds = secondsByArch.get(fn.architecture) ?? 0;
    // Tiers count the account's GB-seconds per architecture: each function pays its share of the total.
    const compute = archSeconds > 0 ? (lambdaComputeUsd(p, fn.architecture, archSeconds) * seconds) / archSeconds : 0;
    const ephemeral = Math.max(0, fn.ephemeralMb - 512) / 1024;
    const storage = invocations * (Math.ceil(duration) / 1000) * ephemeral * p.lambdaEphemeralGbSecond;
    const detail = `${n(seconds)} GB-s (${n(invocations)} x ${duration} ms x ${fn.memoryMb} MB, ${fn.architecture})`;
    line('Lambda', `function ${fn.name} duration`, detail, compute + storage);
  }

  for (const table of inputs.tables) {
    const used = usage.tables.find((t) => t.name === table.name)!;
    if (table.provisioned) {
      const { rcu, wcu, autoScaled } = table.provisioned;
      const hourly = (rcu * p.dynamodbRcuHour + wcu * p.dynamodbWcuHour) * table.replicas;
      const scaled = autoScaled ? ', at the auto scaling minimum' : '';
      line(
        'DynamoDB',
        `table ${table.name} provisioned capacity`,
        `${rcu} RCU + ${wcu} WCU x ${HOURS_PER_MONTH} h${scaled}`,
        hourly * HOURS_PER_MONTH,
      );
    } else {
      line(
        'DynamoDB',
        `table ${table.name} reads (on-demand)`,
        `${n(used.readUnits)} RRU`,
        (used.readUnits * p.dynamodbReadRequestUnitsPerMillion) / MILLION,
      );
      line(
        'DynamoDB',
        `table ${table.name} writes (on-demand)`,
        `${n(used.writeUnits)} WRU`,
        (used.writeUnits * p.dynamodbWriteRequestUnitsPerMillion) / MILLION,
      );
    }
    line(
      'DynamoDB',
      `table ${table.name} storage`,
      `${used.storedGb} GB-month`,
      used.storedGb * p.dynamodbStorageGbMonth,
    );
    if (table.pointInTimeRecovery) {
      line(
        'DynamoDB',
        `table ${table.name} point-in-time recovery`,
        `${used.storedGb} GB-month`,
        used.storedGb * p.dynamodbPitrGbMonth,
      );
    }
  }

  const standard = inputs.alarms
    .filter((a) => a.kind === 'metric' && !a.highResolution)
    .reduce((s, a) => s + a.metrics, 0);
  const high = inputs.alarms.filter((a) => a.kind === 'metric' && a.highResolution).reduce((s, a) => s + a.metrics, 0);
  const composites = inputs.alarms.filter((a) => a.kind === 'composite').length;
  if (standard) {
    line(
      'CloudWatch',
      'alarms, standard resolution',
      `${plural(standard, 'alarm metric')} (a math alarm: each metric it reads)`,
      standard * p.cloudwatchAlarmMetricStandard,
    );
  }
  if (high) {
    line(
      'CloudWatch',
      'alarms, high resolution',
      plural(high, 'alarm metric'),
      high * p.cloudwatchAlarmMetricHighResolution,
    );
  }
  if (composites) {
    line('CloudWatch', 'composite alarms', plural(composites, 'alarm'), composites * p.cloudwatchCompositeAlarm);
  }
  if (inputs.dashboards) {
    line(
      'CloudWatch',
      'dashboards',
      `${plural(inputs.dashboards, 'dashboard')} (the account's first 3 are free)`,
      inputs.dashboards * p.cloudwatchDashboard,
    );
  }
  if (inputs.customMetrics) {
    line(
      'CloudWatch',
      'custom metrics (metric filters)',
      plural(inputs.customMetrics, 'metric'),
      inputs.customMetrics * p.cloudwatchCustomMetric,
    );
  }
  const ingested = usage.logs.reduce((s, l) => s + l.ingestedGb, 0);
  const stored = usage.logs.reduce(
    (s, l) => s + storedLogGb(l.ingestedGb, options.logCompressionRatio, l.retentionDays),
    0,
  );
  const retentions = [
    ...new Set(usage.logs.map((l) => (l.retentionDays === undefined ? 'never expires' : `${l.retentionDays} days`))),
  ];
  line(
    'CloudWatch',
    'log ingestion',
    `${gb(ingested)} into ${usage.logs.length} log groups`,
    ingested * p.logsIngestionGb,
  );
  line(
    'CloudWatch',
    'log storage',
    `${gb(stored)}-month compressed, retention ${retentions.join(', ')}`,
    stored * p.logsStorageGbMonth,
  );
  if (usage.logs.some((l) => l.retentionDays === undefined)) {
    notes.push('log groups that never expire are priced after 12 months of logs');
  }

  if (usage.tracedInvocations > 0) {
    const traces = tracesRecorded(usage.tracedInvocations);
    line(
      'X-Ray',
      'traces recorded (default sampling)',
      `${n(traces)} traces`,
      (traces * p.xrayTracesRecordedPerMillion) / MILLION,
    );
  }
  if (inputs.kmsKeys) {
    const requests = inputs.kmsKeys * options.kmsRequestsPerKey;
    line('KMS', 'customer managed keys', plural(inputs.kmsKeys, 'key'), inputs.kmsKeys * p.kmsKeyMonth);
    line('KMS', 'requests', `${n(requests)} requests`, (requests / 10_000) * p.kmsRequestsPer10k);
  }
  for (const pool of inputs.userPools) {
    const tier = pool.tier.charAt(0) + pool.tier.slice(1).toLowerCase();
    line(
      'Cognito',
      `user pool ${pool.name} (${tier} tier)`,
      `${n(options.monthlyActiveUsers)} MAUs`,
      cognitoUsd(p, pool.tier, options.monthlyActiveUsers),
    );
  }
  if (inputs.secrets) {
    line('Secrets Manager', 'secrets', plural(inputs.secrets, 'secret'), inputs.secrets * p.secretMonth);
    line(
      'Secrets Manager',
      'API calls',
      `${n(usage.secretCalls)} calls`,
      (usage.secretCalls / 10_000) * p.secretsApiCallsPer10k,
    );
  }
  for (const queue of usage.queues) {
    const price = queue.fifo ? p.sqsFifoPerMillion : p.sqsStandardPerMillion;
    const kind = queue.fifo ? 'FIFO' : 'standard';
    line(
      'SQS',
      `${kind} queue ${queue.name}`,
      `${n(queue.requests)} requests (64 KB each)`,
      (queue.requests * price) / MILLION,
    );
  }
  if (usage.events > 0) {
    line(
      'EventBridge',
      'custom events',
      `${n(usage.events)} events`,
      (usage.events * p.eventBridgeCustomEventsPerMillion) / MILLION,
    );
  }
  if (options.includeFreeTiers) {
    lines.push(...freeTierLines(inputs, usage, options, totalInvocations, secondsByArch, ingested));
  }

  notes.push(
    'not included: data transfer out, API Gateway and Secrets Manager trials, X-Ray retrieval, SNS notifications, taxes',
  );
  return {
    region: p.region,
    pricesAsOf: p.asOf,
    traffic: options.trafficDescription,
    freeTiersIncluded: options.includeFreeTiers,
    lines,
    totalUsd: lines.reduce((sum, l) => sum + l.monthlyUsd, 0),
    notes,
    sources: PRICE_SOURCES,
  };
}

/** The always-free allowances (per account and month), each priced at the first tier and taken off. */
function freeTierLines(
  inputs: CostInputs,
  usage: Usage,
  options: EstimateOptions,
  invocations: number,
  secondsByArch: Map<string, number>,
  ingestedGb: number,
): CostLine[] {
  const p = options.prices;
  const free: CostLine[] = [];
  const take = (service: string, driver: string, units: number, unitPrice: number) => {
    if (units > 0) {
      free.push({ service, driver: `free tier: ${driver}`, usage: n(units), monthlyUsd: -units * unitPrice });
    }
  };
  take('Lambda', '1M requests', Math.min(invocations, MILLION), p.lambdaRequestsPerMillion / MILLION);
  let freeSeconds = 400_000;
  for (const [arch, seconds] of secondsByArch) {
    const taken = Math.min(seconds, freeSeconds);
    freeSeconds -= taken;
    take(
      'Lambda',
      `400,000 GB-s (${arch})`,
      taken,
      (arch === 'arm64' ? p.lambdaGbSecondArm : p.lambdaGbSecondX86)[0][1],
    );
  }
  const stored = usage.tables.reduce((s, t) => s + t.storedGb, 0);
  take('DynamoDB', '25 GB storage', Math.min(stored, 25), p.dynamodbStorageGbMonth);
  const standard = inputs.alarms
    .filter((a) => a.kind === 'metric' && !a.highResolution)
    .reduce((s, a) => s + a.metrics, 0);
  take('CloudWatch', '10 alarm metrics', Math.min(standard, 10), p.cloudwatchAlarmMetricStandard);
  take('CloudWatch', '3 dashboards', Math.min(inputs.dashboards, 3), p.cloudwatchDashboard);
  take('CloudWatch', '10 custom metrics', Math.min(inputs.customMetrics, 10), p.cloudwatchCustomMetric);
  take('CloudWatch', '5 GB of logs', Math.min(ingestedGb, 5), p.logsIngestionGb);
  take(
    'X-Ray',
    '100,000 traces',
    Math.min(tracesRecorded(usage.tracedInvocations), 100_000),
    p.xrayTracesRecordedPerMillion / MILLION,
  );
  take(
    'KMS',
    '20,000 requests',
    Math.min(inputs.kmsKeys * options.kmsRequestsPerKey, 20_000),
    p.kmsRequestsPer10k / 10_000,
  );
  const sqs = usage.queues.reduce((sum, q) => sum + q.requests, 0);
  take('SQS', '1M requests', Math.min(sqs, MILLION), p.sqsStandardPerMillion / MILLION);
  // Lite and Essentials pools share the account's 10,000 free MAUs; Plus has none.
  const pool = inputs.userPools.find((up) => up.tier !== 'PLUS');
  if (pool !== undefined) {
    const users = Math.min(options.monthlyActiveUsers, 10_000);
    take('Cognito', `10,000 MAUs (${pool.name})`, users, cognitoUsd(p, pool.tier, users) / Math.max(users, 1));
  }
  return free;
}
