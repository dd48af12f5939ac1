/**
 * API keys and usage plans of a REST stage. A method that requires an API key reads it from the `x-api-key` header
 * (the construct's `apiKeySourceType: HEADER`) and answers 403 Forbidden unless the key exists, is enabled and is in
 * a usage plan of the stage (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
 * The plan then throttles the key, per method ("a per-method throttling target for all methods", overridden per
 * method: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html) and
 * counts it against the plan's quota, per day, week or month in UTC.
 */
import type { LocalApiKeyModel, LocalApiModel, LocalUsagePlanModel } from '../../model';
import { TokenBuckets } from '../token-bucket';
import { GatewayError, gatewayError } from './gateway-responses';

type Quota = NonNullable<LocalUsagePlanModel['quota']>;

const DAY_MS = 86_400_000;

/**
 * When the quota period holding `nowMs` began, in UTC. `offset` is the day the period starts: for WEEK 0 is Sunday
 * and 1 Monday, for MONTH the days after the 1st (the CloudFormation and API references' `QuotaSettings.offset`).
 */
export function quotaPeriodStart(quota: Pick<Quota, 'period' | 'offset'>, nowMs: number): number {
  const now = new Date(nowMs);
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (quota.period === 'DAY') return midnight;
  if (quota.period === 'WEEK') {
    const daysSince = (now.getUTCDay() - (quota.offset % 7) + 7) % 7;
    return midnight - daysSince * DAY_MS;
  }
  const startDay = 1 + quota.offset;
  const thisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), startDay);
  return thisMonth <= nowMs ? thisMonth : Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, startDay);
}

/** A key API Gateway accepted for a method, for `$context.identity.apiKey` and `apiKeyId`. */
export interface AcceptedKey {
  readonly key: LocalApiKeyModel;
  readonly plan: LocalUsagePlanModel;
}

export type KeyVerdict =
  | { readonly ok: true; readonly accepted: AcceptedKey }
  | { readonly ok: false; readonly error: GatewayError; readonly reason: string };

const FORBIDDEN = (): GatewayError => gatewayError('INVALID_API_KEY', 'Forbidden', 'ForbiddenException');

/** The stage's API keys and usage plans, with the throttle buckets and quota counts of each key. */
export class UsagePlans {
  private readonly quotaUse = new Map<string, { periodStart: number; count: number }>();

  constructor(
    private readonly api: LocalApiModel,
    private readonly buckets: TokenBuckets,
    private readonly now: () => number,
  ) {}

  /** The key with this value and the stage's plan that holds it, whether or not the key is enabled. */
  public lookup(value: string | undefined): AcceptedKey | undefined {
    if (!value) return undefined;
    const key = this.api.apiKeys.find((k) => k.value === value);
    const plan = key && this.api.usagePlans.find((p) => p.apiKeyIds.includes(key.id));
    return key && plan ? { key, plan } : undefined;
  }

  /**
   * Admits a request to a method that requires an API key: the key must be known, enabled and in a plan; then the
   * plan's throttle for the method and its quota must leave room. `resourceMethod` is `/items/{id}/GET`.
   */
  public admit(value: string | undefined, resourceMethod: string): KeyVerdict {
    if (!value) return { ok: false, error: FORBIDDEN(), reason: 'the request has no x-api-key header' };
    const key = this.api.apiKeys.find((k) => k.value === value);
    if (!key) return { ok: false, error: FORBIDDEN(), reason: 'no API key of the stage has the x-api-key value sent' };
    if (!key.enabled) return { ok: false, error: FORBIDDEN(), reason: `the API key "${key.name}" is disabled` };
    const plan = this.api.usagePlans.find((p) => p.apiKeyIds.includes(key.id));
    if (!plan) {
      return { ok: false, error: FORBIDDEN(), reason: `the API key "${key.name}" is in no usage plan of the stage` };
    }
    const throttle = plan.methodThrottles[resourceMethod] ?? plan.throttle;
    if (throttle && !this.buckets.tryTake(`plan ${plan.id} ${key.id} ${resourceMethod}`, throttle)) {
      return {
        ok: false,
        error: gatewayError('THROTTLED', 'Too Many Requests', 'TooManyRequestsException'),
        reason: `the usage plan "${plan.name}" throttles the API key "${key.name}" (rate ${throttle.rateLimit}/s, burst ${throttle.burstLimit})`,
      };
    }
    if (plan.quota && !this.count(plan, key, plan.quota)) {
      return {
        ok: false,
        error: gatewayError('QUOTA_EXCEEDED', 'Limit Exceeded', 'LimitExceededException'),
        reason: `the API key "${key.name}" used the ${plan.quota.limit} requests per ${plan.quota.period} of the usage plan "${plan.name}"`,
      };
    }
    return { ok: true, accepted: { key, plan } };
  }

  /** Counts one request against the key's quota; false when the period's quota is used up. */
  private count(plan: LocalUsagePlanModel, key: LocalApiKeyModel, quota: Quota): boolean {
    const id = `${plan.id} ${key.id}`;
    const periodStart = quotaPeriodStart(quota, this.now());
    let use = this.quotaUse.get(id);
    if (!use || use.periodStart !== periodStart) {
      use = { periodStart, count: 0 };
      this.quotaUse.set(id, use);
    }
    if (use.count >= quota.limit) return false;
    use.count += 1;
    return true;
  }
}
