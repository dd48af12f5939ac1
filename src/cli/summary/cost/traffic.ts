/**
 * The traffic profile a cost estimate assumes: a stated default, a JSON file (`--traffic FILE`) checked field by
 * field, and `--requests N` for the common case.
 */

import { UsageError } from '../../../assembly/assembly';
import { isObject, JsonObject } from '../../../assembly/template';

export type Consistency = 'eventual' | 'strong' | 'transactional';

export interface RouteTraffic {
  /** Requests a month on this route; wins over `share`. */
  readonly requestsPerMonth?: number;
  /** Share of `requestsPerMonth` (0-1); routes without one split what the others leave. */
  readonly share?: number;
  readonly payloadKb?: number;
}

export interface FunctionTraffic {
  readonly durationMs?: number;
  /** Invocations a month from sources the template does not show (a schedule, another account). */
  readonly invocationsPerMonth?: number;
  readonly logBytesPerInvocation?: number;
}

export interface AccessPatternTraffic {
  /** Calls per invocation of each function using the pattern. */
  readonly callsPerInvocation?: number;
  /** Items read or written per call. */
  readonly items?: number;
  readonly itemKb?: number;
  readonly consistency?: Consistency;
}

export interface QueueTraffic {
  readonly messagesPerMonth?: number;
  readonly messageKb?: number;
}

export interface TrafficProfile {
  readonly requestsPerMonth: number;
  readonly routes: Readonly<Record<string, RouteTraffic>>;
  /** Request plus response size through API Gateway (HTTP APIs meter 512 KB per request). */
  readonly payloadKb: number;
  readonly durationMs: number;
  readonly functions: Readonly<Record<string, FunctionTraffic>>;
  /** Function log bytes per invocation, Lambda's START/END/REPORT lines included. */
  readonly logBytesPerInvocation: number;
  readonly accessLogBytesPerRequest: number;
  /** Stored size over ingested size of CloudWatch Logs (storage is billed compressed). */
  readonly logCompressionRatio: number;
  readonly accessPatterns: Readonly<Record<string, AccessPatternTraffic>>;
  readonly itemKb: number;
  /** Items a Query or Scan returns per call; other operations touch one item. */
  readonly itemsPerQuery: number;
  /** Writes spread on-demand, reads eventually consistent unless a pattern says otherwise. */
  readonly readConsistency: Consistency;
  readonly queues: Readonly<Record<string, QueueTraffic>>;
  /** Messages each invocation of a function allowed to send to a queue sends to it. */
  readonly messagesPerSenderInvocation: number;
  readonly messageKb: number;
  /** Events each invocation of a function allowed to publish puts. */
  readonly eventsPerPublisherInvocation: number;
  readonly monthlyActiveUsers: number;
  /** Stored GB per table (PITR is billed on the same size). */
  readonly storedGb: number;
  readonly tables: Readonly<Record<string, { readonly storedGb?: number }>>;
  /** Secrets Manager calls per invocation of a function allowed to read a secret (it caches the value). */
  readonly secretCallsPerInvocation: number;
  readonly kmsRequestsPerKey: number;
  /** Peak over average request rate, to size provisioned capacity in the what-if block. */
  readonly peakToAverage: number;
}

export const DEFAULT_TRAFFIC: TrafficProfile = {
  requestsPerMonth: 1_000_000,
  routes: {},
  payloadKb: 2,
  durationMs: 100,
  functions: {},
  logBytesPerInvocation: 1000,
  accessLogBytesPerRequest: 600,
  logCompressionRatio: 0.2,
  accessPatterns: {},
  itemKb: 1,
  itemsPerQuery: 10,
  readConsistency: 'eventual',
  queues: {},
  messagesPerSenderInvocation: 1,
  messageKb: 1,
  eventsPerPublisherInvocation: 1,
  monthlyActiveUsers: 10_000,
  storedGb: 1,
  tables: {},
  secretCallsPerInvocation: 0.01,
  kmsRequestsPerKey: 10_000,
  peakToAverage: 2,
};

/** One line stating the profile, for the head of the estimate. */
export function describeTraffic(traffic: TrafficProfile, source: string): string {
  const routes = Object.keys(traffic.routes).length;
  return [
    `at ${source}: ${count(traffic.requestsPerMonth)} requests/month${routes ? ` (${routes} route${routes === 1 ? '' : 's'} set)` : ' spread evenly over the routes'}`,
    `${traffic.payloadKb} KB payload`,
    `${traffic.durationMs} ms per invocation`,
    `one DynamoDB call per invocation over the function's access patterns (${traffic.itemKb} KB items, ${traffic.itemsPerQuery} per query, ${traffic.readConsistency} reads)`,
    `${traffic.logBytesPerInvocation} log bytes per invocation, ${traffic.accessLogBytesPerRequest} per access log line`,
    `${count(traffic.monthlyActiveUsers)} monthly active users`,
    `${traffic.storedGb} GB stored per table`,
  ].join(', ');
}

export function count(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 1_000 === 0 && n < 1_000_000) return `${n / 1_000}k`;
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

const CONSISTENCIES: Consistency[] = ['eventual', 'strong', 'transactional'];

type Check = (where: string, value: unknown) => unknown;

const nonNegative: Check = (where, value) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${where} must be a number >= 0, got: ${JSON.stringify(value)}`);
  }
  return value;
};

const positive: Check = (where, value) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${where} must be a number > 0, got: ${JSON.stringify(value)}`);
  }
  return value;
};

const fraction: Check = (where, value) => {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new UsageError(`${where} must be a number from 0 to 1, got: ${JSON.stringify(value)}`);
  }
  return value;
};

const consistency: Check = (where, value) => {
  if (!CONSISTENCIES.includes(value as Consistency)) {
    throw new UsageError(`${where} must be one of ${CONSISTENCIES.join(', ')}, got: ${JSON.stringify(value)}`);
  }
  return value;
};

/** A map of named entries (`routes`, `functions`, ...), each an object of known fields. */
function entries(fields: Record<string, Check>): Check {
  return (where, value) => {
    if (!isObject(value)) {
      throw new UsageError(`${where} must be an object keyed by name, got: ${JSON.stringify(value)}`);
    }
    return Object.fromEntries(
      Object.entries(value).map(([name, entry]) => [
        name,
        checkObject(`${where.slice(0, -1)}.${name}\``, entry, fields),
      ]),
    );
  };
}

function checkObject(where: string, value: unknown, fields: Record<string, Check>): JsonObject {
  if (!isObject(value)) throw new UsageError(`${where} must be an object, got: ${JSON.stringify(value)}`);
  const result: JsonObject = {};
  for (const [field, fieldValue] of Object.entries(value)) {
    const path = where === '' ? `\`${field}\`` : `${where.slice(0, -1)}.${field}\``;
    const check = fields[field];
    if (check === undefined) {
      throw new UsageError(`${path} is not a traffic field: use one of ${Object.keys(fields).join(', ')}`);
    }
    result[field] = check(path, fieldValue);
  }
  return result;
}

const PROFILE_FIELDS: Record<string, Check> = {
  requestsPerMonth: nonNegative,
  routes: entries({ requestsPerMonth: nonNegative, share: fraction, payloadKb: positive }),
  payloadKb: positive,
  durationMs: positive,
  functions: entries({ durationMs: positive, invocationsPerMonth: nonNegative, logBytesPerInvocation: nonNegative }),
  logBytesPerInvocation: nonNegative,
  accessLogBytesPerRequest: nonNegative,
  logCompressionRatio: fraction,
  accessPatterns: entries({ callsPerInvocation: nonNegative, items: nonNegative, itemKb: positive, consistency }),
  itemKb: positive,
  itemsPerQuery: nonNegative,
  readConsistency: consistency,
  queues: entries({ messagesPerMonth: nonNegative, messageKb: positive }),
  messagesPerSenderInvocation: nonNegative,
  messageKb: positive,
  eventsPerPublisherInvocation: nonNegative,
  monthlyActiveUsers: nonNegative,
  storedGb: nonNegative,
  tables: entries({ storedGb: nonNegative }),
  secretCallsPerInvocation: nonNegative,
  kmsRequestsPerKey: nonNegative,
  peakToAverage: positive,
};

/**
 * A traffic profile from parsed JSON, over the default: every field is optional, unknown fields and bad values are
 * refused with the field, the value and the fix. `file` prefixes each message.
 */
export function parseTraffic(json: unknown, file: string): TrafficProfile {
  try {
    if (!isObject(json)) throw new UsageError(`must be a JSON object of traffic fields, got: ${JSON.stringify(json)}`);
    const given = checkObject('', json, PROFILE_FIELDS);
    const profile = { ...DEFAULT_TRAFFIC, ...given } as TrafficProfile;
    const shares = Object.values(profile.routes).reduce((sum, route) => sum + (route.share ?? 0), 0);
    if (shares > 1 + 1e-9) {
      throw new UsageError(`\`routes.*.share\` must add up to at most 1, got: ${round(shares)}: lower the shares`);
    }
    return profile;
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
