/**
 * A REST stage's usage plans and their API keys (`AWS::ApiGateway::UsagePlan`, `UsagePlanKey`, `ApiKey`).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-usageplan.html
 */

import { booleanOf, describeResource, numberOf, propsOf, ReadContext, refersTo } from './context';
import { localId } from './physical';
import { throttleOf } from './throttle';
import { UsageError } from '../../assembly/assembly';
import { isObject, JsonObject, list, obj, T } from '../../assembly/template';
import { LocalApiKeyModel, LocalUsagePlanModel, ThrottleModel } from '../model';

const PERIODS = ['DAY', 'WEEK', 'MONTH'] as const;

/** The stage a usage plan's `ApiStages` entry names: by reference to the stage, or by its name. */
export interface PlanStage {
  readonly apiId: string;
  readonly stageId: string;
  readonly stageName: string;
}

function coversStage(ctx: ReadContext, entry: JsonObject, stage: PlanStage): boolean {
  if (!refersTo(ctx, entry.ApiId, stage.apiId)) return false;
  return refersTo(ctx, entry.Stage, stage.stageId) || ctx.resolver.resolve(entry.Stage) === stage.stageName;
}

function quotaOf(ctx: ReadContext, value: unknown, where: string): LocalUsagePlanModel['quota'] {
  if (value === undefined) return undefined;
  const quota = obj(ctx.resolver.resolve(value));
  const limit = numberOf(ctx, quota.Limit, `${where} Quota.Limit`);
  const period = ctx.resolver.optionalString(quota.Period, `${where} Quota.Period`);
  const found = PERIODS.find((known) => known === period);
  if (limit === undefined || found === undefined) {
    throw new UsageError(
      `${where} Quota must have a Limit and a Period of DAY, WEEK or MONTH, got: ${JSON.stringify(quota)}`,
    );
  }
  return { limit, period: found, offset: numberOf(ctx, quota.Offset, `${where} Quota.Offset`) ?? 0 };
}

function methodThrottlesOf(
  ctx: ReadContext,
  value: unknown,
  where: string,
): { [resourceMethod: string]: ThrottleModel } {
  const throttles: { [resourceMethod: string]: ThrottleModel } = {};
  for (const [resourceMethod, settings] of Object.entries(obj(ctx.resolver.resolve(value)))) {
    const throttle = throttleOf(ctx, obj(settings).RateLimit, obj(settings).BurstLimit, `${where} ${resourceMethod}`);
    if (throttle !== undefined) throttles[resourceMethod] = throttle;
  }
  return throttles;
}

/** The API key a value refers to, among the stack's keys. */
function apiKeyOf(ctx: ReadContext, value: unknown): string | undefined {
  return ctx.index
    .ofType(T.apiKey)
    .map(([id]) => id)
    .find((id) => refersTo(ctx, value, id));
}

function apiKeyModel(ctx: ReadContext, id: string): LocalApiKeyModel {
  const props = propsOf(ctx, id);
  const where = `API key ${describeResource(ctx, id)}`;
  return {
    id,
    name: ctx.resolver.physicalName(id),
    // API Gateway generates a key's value when the template gives none: locally the same stack and key always get
    // the same value, so a test can read it from the model.
    value:
      ctx.resolver.optionalString(props.Value, `${where} Value`) ??
      localId(
        `${ctx.resolver.env.stackName}/${id}/value`,
        40,
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
      ),
    // CloudFormation creates a key disabled unless `Enabled` says otherwise.
    enabled: booleanOf(ctx, props.Enabled) ?? false,
  };
}

/** The usage plans on the stage, and the API keys they hold. */
export function readUsagePlans(
  ctx: ReadContext,
  stage: PlanStage,
): { usagePlans: LocalUsagePlanModel[]; apiKeys: LocalApiKeyModel[] } {
  const usagePlans: LocalUsagePlanModel[] = [];
  const keyIds = new Set<string>();
  for (const [id, plan] of ctx.index.ofType(T.usagePlan)) {
    const props = plan.Properties ?? {};
    const where = `usage plan ${describeResource(ctx, id)}`;
    const entry = list(props.ApiStages)
      .filter(isObject)
      .find((candidate) => coversStage(ctx, candidate, stage));
    if (entry === undefined) continue;
    const throttle = obj(ctx.resolver.resolve(props.Throttle));
    const apiKeyIds = ctx.index
      .ofType(T.usagePlanKey)
      .map(([, key]) => key.Properties ?? {})
      .filter((key) => refersTo(ctx, key.UsagePlanId, id) && ctx.resolver.resolve(key.KeyType) === 'API_KEY')
      .map((key) => apiKeyOf(ctx, key.KeyId))
      .filter((keyId): keyId is string => keyId !== undefined);
    apiKeyIds.forEach((keyId) => keyIds.add(keyId));
    usagePlans.push({
      id,
      name: ctx.resolver.physicalName(id),
      throttle: throttleOf(ctx, throttle.RateLimit, throttle.BurstLimit, `${where} Throttle`),
      quota: quotaOf(ctx, props.Quota, where),
      apiKeyIds,
      methodThrottles: methodThrottlesOf(ctx, entry.Throttle, `${where} ApiStages Throttle`),
    });
  }
  return { usagePlans, apiKeys: [...keyIds].map((id) => apiKeyModel(ctx, id)) };
}
