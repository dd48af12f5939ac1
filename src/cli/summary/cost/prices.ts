/**
 * The price table the cost estimate uses: USD list prices of one region, each with the AWS pricing page it comes
 * from. Only US East (N. Virginia) is built in; `--prices FILE` overrides any number of it.
 */

import { UsageError } from '../../../assembly/assembly';
import { isObject } from '../../../assembly/template';

/** Prices by unit, named so that the unit is in the name; a tier list is `[up to this many units, price]` pairs. */
export interface PriceTable {
  readonly region: string;
  /** The day the numbers were read from the pages below (YYYY-MM-DD). */
  readonly asOf: string;
  /** HTTP API calls, per million, by monthly volume. */
  readonly httpApiPerMillion: Tier[];
  /** REST API calls, per million, by monthly volume. */
  readonly restApiPerMillion: Tier[];
  /** REST API cache, per hour, by cache size in GB. */
  readonly restApiCachePerHour: Record<string, number>;
  readonly lambdaRequestsPerMillion: number;
  /** GB-seconds by monthly volume, per architecture. */
  readonly lambdaGbSecondX86: Tier[];
  readonly lambdaGbSecondArm: Tier[];
  /** Ephemeral storage above the free 512 MB, per GB-second. */
  readonly lambdaEphemeralGbSecond: number;
  readonly dynamodbWriteRequestUnitsPerMillion: number;
  readonly dynamodbReadRequestUnitsPerMillion: number;
  readonly dynamodbWcuHour: number;
  readonly dynamodbRcuHour: number;
  readonly dynamodbStorageGbMonth: number;
  readonly dynamodbPitrGbMonth: number;
  readonly cloudwatchAlarmMetricStandard: number;
  readonly cloudwatchAlarmMetricHighResolution: number;
  readonly cloudwatchCompositeAlarm: number;
  readonly cloudwatchDashboard: number;
  readonly cloudwatchCustomMetric: number;
  readonly logsIngestionGb: number;
  readonly logsStorageGbMonth: number;
  readonly kmsKeyMonth: number;
  readonly kmsRequestsPer10k: number;
  readonly cognitoMauLite: Tier[];
  readonly cognitoMauEssentials: number;
  readonly cognitoMauPlus: number;
  readonly secretMonth: number;
  readonly secretsApiCallsPer10k: number;
  readonly sqsStandardPerMillion: number;
  readonly sqsFifoPerMillion: number;
  readonly eventBridgeCustomEventsPerMillion: number;
  readonly xrayTracesRecordedPerMillion: number;
}

/** `[upTo, price]`: the price of each unit up to `upTo` units a month (`Infinity` for the last tier). */
export type Tier = [number, number];

/** The AWS page each price of the table comes from. */
export const PRICE_SOURCES: Record<string, string> = {
  api: 'https://aws.amazon.com/api-gateway/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  dynamodbProvisioned: 'https://aws.amazon.com/dynamodb/pricing/provisioned/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  cognito: 'https://aws.amazon.com/cognito/pricing/',
  secrets: 'https://aws.amazon.com/secrets-manager/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  events: 'https://aws.amazon.com/eventbridge/pricing/',
  xray: 'https://aws.amazon.com/xray/pricing/',
};

const MILLION = 1_000_000;
const BILLION = 1_000_000_000;

/**
 * US East (N. Virginia) list prices, standard table class, symmetric KMS keys, standard log class.
 * Read on 2026-12-05 from the stored copies of the pages in `PRICE_SOURCES`; prices change: check them before
 * relying on a figure, and override with `--prices`.
 */
export const US_EAST_1: PriceTable = {
  region: 'us-east-1',
  asOf: '2026-12-05',
  // PRICE_SOURCES.api: "First 300 million $1.00, 300+ million $0.90" (HTTP); REST $3.50 / $2.80 / $2.38 / $1.51.
  httpApiPerMillion: [
    [300 * MILLION, 1.0],
    [Infinity, 0.9],
  ],
  restApiPerMillion: [
    [333 * MILLION, 3.5],
    [BILLION, 2.8],
    [20 * BILLION, 2.38],
    [Infinity, 1.51],
  ],
  // PRICE_SOURCES.api, "Caching": per hour by cache memory size.
  restApiCachePerHour: {
    '0.5': 0.02,
    '1.6': 0.038,
    '6.1': 0.2,
    '13.5': 0.25,
    '28.4': 0.5,
    '58.2': 1.0,
    '118': 1.9,
    '237': 3.8,
  },
  // PRICE_SOURCES.lambda: $0.20 per 1M requests; x86 $0.0000166667 (first 6B GB-s), $0.000015 (next 9B),
  // $0.0000133334 (over 15B); Arm $0.0000133334 (first 7.5B), $0.0000120001 (next 11.25B), $0.0000106667 (over 18.75B).
  lambdaRequestsPerMillion: 0.2,
  lambdaGbSecondX86: [
    [6 * BILLION, 0.0000166667],
    [15 * BILLION, 0.000015],
    [Infinity, 0.0000133334],
  ],
  lambdaGbSecondArm: [
    [7.5 * BILLION, 0.0000133334],
    [18.75 * BILLION, 0.0000120001],
    [Infinity, 0.0000106667],
  ],
  lambdaEphemeralGbSecond: 0.0000000309,
  // PRICE_SOURCES.dynamodb (on-demand, since 2024-11-01): $0.625 per million WRU, $0.125 per million RRU;
  // storage $0.25 per GB-month; continuous backups (PITR) $0.20 per GB-month.
  dynamodbWriteRequestUnitsPerMillion: 0.625,
  dynamodbReadRequestUnitsPerMillion: 0.125,
  // PRICE_SOURCES.dynamodbProvisioned: $0.00065 per WCU-hour, $0.00013 per RCU-hour.
  dynamodbWcuHour: 0.00065,
  dynamodbRcuHour: 0.00013,
  dynamodbStorageGbMonth: 0.25,
  dynamodbPitrGbMonth: 0.2,
  // PRICE_SOURCES.cloudwatch: $0.10 per standard-resolution alarm metric, $0.30 high resolution, $0.50 per composite
  // alarm, $3.00 per dashboard, $0.30 per custom metric (first 10,000), logs $0.50 per GB ingested (standard class),
  // $0.03 per GB-month stored (compressed).
  cloudwatchAlarmMetricStandard: 0.1,
  cloudwatchAlarmMetricHighResolution: 0.3,
  cloudwatchCompositeAlarm: 0.5,
  cloudwatchDashboard: 3.0,
  cloudwatchCustomMetric: 0.3,
  logsIngestionGb: 0.5,
  logsStorageGbMonth: 0.03,
  // PRICE_SOURCES.kms: "$1/month" per key; $0.03 per 10,000 symmetric requests.
  kmsKeyMonth: 1.0,
  kmsRequestsPer10k: 0.03,
  // PRICE_SOURCES.cognito (user pools, since 2024-11-22): Lite $0.0055 (10,001-100,000 MAUs), $0.0046 (next 900,000),
  // $0.00325 (next 9M), $0.0025 (over 10M); Essentials $0.015; Plus $0.02 per MAU.
  cognitoMauLite: [
    [100_000, 0.0055],
    [MILLION, 0.0046],
    [10 * MILLION, 0.00325],
    [Infinity, 0.0025],
  ],
  cognitoMauEssentials: 0.015,
  cognitoMauPlus: 0.02,
  // PRICE_SOURCES.secrets: $0.40 per secret per month, $0.05 per 10,000 API calls.
  secretMonth: 0.4,
  secretsApiCallsPer10k: 0.05,
  // PRICE_SOURCES.sqs: standard $0.40, FIFO $0.50 per million requests (1M-100B a month); 64 KB per request.
  sqsStandardPerMillion: 0.4,
  sqsFifoPerMillion: 0.5,
  // PRICE_SOURCES.events: custom events $1.00 per million (64 KB chunks).
  eventBridgeCustomEventsPerMillion: 1.0,
  // PRICE_SOURCES.xray: $5.00 per million traces recorded.
  xrayTracesRecordedPerMillion: 5.0,
};

const BUILT_IN: Record<string, PriceTable> = { [US_EAST_1.region]: US_EAST_1 };

/** The built-in table of a region; only us-east-1 has real numbers here. */
export function builtInPrices(region: string): PriceTable {
  const table = BUILT_IN[region];
  if (table === undefined) {
    throw new UsageError(
      `--region ${region}: only us-east-1 prices are built in; leave --region out and give that region's prices with --prices FILE (a JSON object of price-table fields, "region": "${region}" among them)`,
    );
  }
  return table;
}

/** Price-table fields an override may set, with the shape each takes. */
function shapeOf(value: unknown): 'number' | 'tiers' | 'record' | 'string' {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  return Array.isArray(value) ? 'tiers' : 'record';
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** One override field checked against the built-in field's shape; the error names the field, the value and the fix. */
function checkedField(file: string, field: string, builtIn: unknown, value: unknown): unknown {
  const where = `${file}: \`${field}\``;
  const got = JSON.stringify(value);
  switch (shapeOf(builtIn)) {
    case 'string':
      if (typeof value !== 'string') throw new UsageError(`${where} must be a string, got: ${got}`);
      return value;
    case 'number':
      if (!isPrice(value)) throw new UsageError(`${where} must be a price in USD (a number >= 0), got: ${got}`);
      return value;
    case 'record':
      if (!isObject(value) || !Object.values(value).every(isPrice)) {
        throw new UsageError(`${where} must be an object of prices in USD, got: ${got}`);
      }
      return { ...(builtIn as object), ...value };
    case 'tiers': {
      const tiers = Array.isArray(value) ? value : [];
      const valid =
        tiers.length > 0 &&
        tiers.every(
          (tier, i) => Array.isArray(tier) && tier.length === 2 && isPrice(tier[1]) && isTierEnd(tier[0], i, tiers),
        );
      if (!valid) {
        throw new UsageError(
          `${where} must be a list of [up to this many units a month, price] pairs with growing bounds and null for the last, got: ${got}`,
        );
      }
      return tiers.map(([upTo, price]) => [upTo === null ? Infinity : upTo, price]);
    }
  }
}

function isTierEnd(upTo: unknown, i: number, tiers: unknown[]): boolean {
  if (i === tiers.length - 1) return upTo === null;
  const previous = i === 0 ? 0 : (tiers[i - 1] as unknown[])[0];
  return typeof upTo === 'number' && typeof previous === 'number' && upTo > previous;
}

/** The table with a partial override (parsed JSON of `--prices FILE`) applied; unknown fields are refused. */
export function withOverrides(table: PriceTable, overrides: unknown, file: string): PriceTable {
  if (!isObject(overrides)) {
    throw new UsageError(`${file}: must be a JSON object of price-table fields, got: ${JSON.stringify(overrides)}`);
  }
  const result: Record<string, unknown> = { ...table };
  for (const [field, value] of Object.entries(overrides)) {
    if (!(field in table)) {
      throw new UsageError(`${file}: unknown price \`${field}\`: use one of ${Object.keys(table).join(', ')}`);
    }
    result[field] = checkedField(file, field, (table as unknown as Record<string, unknown>)[field], value);
  }
  return result as unknown as PriceTable;
}

/** The cost of `units` under a tier list. */
export function tiered(units: number, tiers: Tier[]): number {
  let cost = 0;
  let previous = 0;
  for (const [upTo, price] of tiers) {
    if (units <= previous) break;
    cost += (Math.min(units, upTo) - previous) * price;
    previous = upTo;
  }
  return cost;
}
