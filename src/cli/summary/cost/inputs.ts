/**
 * What the cost estimate needs from one template, beyond what the stack summary already read: REST methods, Lambda
 * authorizers, tracing and ephemeral storage, provisioned capacity in numbers, alarm metrics, keys, user pools,
 * secrets and the REST cache.
 */

import { getAttOf, joinParts, list, num, obj, refOf, str, T, TemplateIndex } from '../../../assembly/template';
import { TABLE_ACCESS_PATTERNS_ENV, TABLE_NAME_ENV } from '../../../shared/env';
import { StackSummary } from '../stack';

export type ApiType = 'HTTP' | 'REST';

export interface CostRoute {
  readonly api: string;
  readonly apiType: ApiType;
  /** `METHOD /path`, as the traffic profile names it. */
  readonly key: string;
  readonly function?: string;
  /** The Lambda authorizer invoked for each request of the route. */
  readonly authorizerFunction?: string;
}

export interface CostApi {
  readonly name: string;
  readonly type: ApiType;
  /** REST stage cache size in GB; undefined without a cache. */
  readonly cacheGb?: string;
  readonly accessLog?: { readonly name: string; readonly retentionDays?: number };
}

export interface CostFunction {
  readonly name: string;
  readonly architecture: string;
  readonly memoryMb: number;
  readonly ephemeralMb: number;
  readonly tracing: boolean;
  readonly logGroup?: string;
  readonly logRetentionDays?: number;
  /** The access patterns its environment declares, and the table they run on. */
  readonly patterns?: string[];
  readonly table?: string;
}

export interface CostTable {
  readonly name: string;
  readonly onDemand: boolean;
  readonly pointInTimeRecovery: boolean;
  /** Regions the table is in: each replica is written. */
  readonly replicas: number;
  readonly globalIndexes: number;
  /** Provisioned capacity summed over the table and its indexes (the minimum when auto scaled). */
  readonly provisioned?: { readonly rcu: number; readonly wcu: number; readonly autoScaled: boolean };
}

export interface CostAlarm {
  readonly name: string;
  readonly kind: 'metric' | 'composite';
  /** Metrics the alarm reads: a metric-math alarm is billed per metric. */
  readonly metrics: number;
  readonly highResolution: boolean;
}

export interface CostInputs {
  readonly apis: CostApi[];
  readonly routes: CostRoute[];
  readonly functions: CostFunction[];
  readonly tables: CostTable[];
  readonly alarms: CostAlarm[];
  readonly dashboards: number;
  readonly customMetrics: number;
  readonly kmsKeys: number;
  readonly userPools: { readonly name: string; readonly tier: string }[];
  readonly secrets: number;
}

function restRoutes(index: TemplateIndex): CostRoute[] {
  const pathOf = (resourceId: string | undefined): string => {
    const props = index.props(resourceId);
    if (resourceId === undefined || props.PathPart === undefined) return '';
    return `${pathOf(refOf(props.ParentId))}/${index.render(props.PathPart)}`;
  };
  return index
    .ofType(T.restMethod)
    .map(([, method]) => method.Properties ?? {})
    .filter((props) => str(props.HttpMethod) !== 'OPTIONS' || obj(props.Integration).Type !== 'MOCK')
    .map((props) => {
      const apiId = refOf(props.RestApiId) ?? '?';
      const fn = index.functionIn(obj(props.Integration).Uri);
      const authorizer = index.functionIn(index.props(refOf(props.AuthorizerId)).AuthorizerUri);
      return {
        api: index.render(index.props(apiId).Name ?? index.name(apiId)),
        apiType: 'REST' as const,
        key: `${str(props.HttpMethod) ?? 'ANY'} ${pathOf(refOf(props.ResourceId)) || '/'}`,
        function: fn === undefined ? undefined : index.name(fn),
        authorizerFunction: authorizer === undefined ? undefined : index.name(authorizer),
      };
    });
}

function httpRoutes(index: TemplateIndex): CostRoute[] {
  return index.ofType(T.route).map(([, route]) => {
    const props = route.Properties ?? {};
    const apiId = refOf(props.ApiId) ?? '?';
    const integrationId = (joinParts(props.Target) ?? []).map(refOf).find((id) => id !== undefined);
    const fn = index.functionIn(index.props(integrationId).IntegrationUri);
    const authorizer = index.functionIn(index.props(refOf(props.AuthorizerId)).AuthorizerUri);
    return {
      api: index.render(index.props(apiId).Name ?? index.name(apiId)),
      apiType: 'HTTP' as const,
      key: index.render(props.RouteKey),
      function: fn === undefined ? undefined : index.name(fn),
      authorizerFunction: authorizer === undefined ? undefined : index.name(authorizer),
    };
  });
}

function restApis(index: TemplateIndex): CostApi[] {
  return index.ofType(T.restApi).map(([id, api]) => {
    const stage = index
      .ofType(T.restStage)
      .map(([, s]) => s.Properties ?? {})
      .find((s) => refOf(s.RestApiId) === id);
    const logGroupId = getAttOf(obj(stage?.AccessLogSetting).DestinationArn)?.[0];
    const cached = String(stage?.CacheClusterEnabled) === 'true';
    return {
      name: index.render(api.Properties?.Name ?? index.name(id)),
      type: 'REST' as const,
      cacheGb: cached ? String(index.render(stage?.CacheClusterSize ?? '0.5')) : undefined,
      accessLog:
        logGroupId === undefined
          ? undefined
          : { name: index.name(logGroupId), retentionDays: num(index.props(logGroupId).RetentionInDays) },
    };
  });
}

/** Provisioned units of a `Table` or `GlobalTable` and its indexes; undefined for on-demand. */
function provisionedOf(props: Record<string, unknown>): CostTable['provisioned'] {
  let rcu = 0;
  let wcu = 0;
  let autoScaled = false;
  const add = (kind: 'Read' | 'Write', settings: unknown) => {
    const auto = obj(obj(settings)[`${kind}CapacityAutoScalingSettings`]);
    const units = num(auto.MinCapacity) ?? num(obj(settings)[`${kind}CapacityUnits`]) ?? 0;
    if (auto.MinCapacity !== undefined) autoScaled = true;
    if (kind === 'Read') rcu += units;
    else wcu += units;
  };
  const replica = obj(list(props.Replicas)[0]);
  for (const owner of [props, ...list(props.GlobalSecondaryIndexes).map(obj)]) {
    const name = str(owner.IndexName);
    const replicaIndex = list(replica.GlobalSecondaryIndexes)
      .map(obj)
      .find((i) => name !== undefined && str(i.IndexName) === name);
    const onReplica = name === undefined ? replica : (replicaIndex ?? {});
    add(
      'Read',
      obj(owner.ProvisionedThroughput).ReadCapacityUnits !== undefined
        ? owner.ProvisionedThroughput
        : onReplica.ReadProvisionedThroughputSettings,
    );
    add(
      'Write',
      obj(owner.ProvisionedThroughput).WriteCapacityUnits !== undefined
        ? owner.ProvisionedThroughput
        : owner.WriteProvisionedThroughputSettings,
    );
  }
  return { rcu, wcu, autoScaled };
}

function tablesOf(index: TemplateIndex, summary: StackSummary): CostTable[] {
  return summary.tables.map((table) => {
    const props = index.props(table.logicalId);
    const onDemand = table.billingMode === 'PAY_PER_REQUEST';
    return {
      name: table.name,
      onDemand,
      pointInTimeRecovery: table.pointInTimeRecovery,
      replicas: Math.max(1, table.replicas.length),
      globalIndexes: table.indexes.filter((i) => i.kind === 'GSI').length,
      ...(onDemand ? {} : { provisioned: provisionedOf(props) }),
    };
  });
}

function alarmsOf(index: TemplateIndex): CostAlarm[] {
  const metricAlarms = index.ofType(T.alarm).map(([id, alarm]) => {
    const props = alarm.Properties ?? {};
    const queries = list(props.Metrics).map(obj);
    const stats = queries.map((q) => obj(q.MetricStat)).filter((s) => s.Metric !== undefined);
    const periods = [num(props.Period), ...stats.map((s) => num(s.Period))].filter((p): p is number => p !== undefined);
    // An anomaly detection band is billed as 3 metrics.
    const anomaly = props.ThresholdMetricId !== undefined ? 3 : 1;
    return {
      name: index.render(props.AlarmName ?? id),
      kind: 'metric' as const,
      metrics: Math.max(1, stats.length) * anomaly,
      highResolution: periods.some((p) => p < 60),
    };
  });
  const composites = index.ofType(T.compositeAlarm).map(([id, alarm]) => ({
    name: index.render(alarm.Properties?.AlarmName ?? id),
    kind: 'composite' as const,
    metrics: 0,
    highResolution: false,
  }));
  return [...metricAlarms, ...composites];
}

/** The access patterns a function's environment declares (their names), and its table's display name. */
function patternsOf(index: TemplateIndex, env: Record<string, unknown>): Pick<CostFunction, 'patterns' | 'table'> {
  const declared = str(env[TABLE_ACCESS_PATTERNS_ENV]);
  if (declared === undefined) return {};
  let patterns: string[] = [];
  try {
    patterns = Object.keys(obj(JSON.parse(declared)));
  } catch {
    // Not JSON: the function declares no pattern this estimate can read.
  }
  const tableId = refOf(env[TABLE_NAME_ENV]);
  return { patterns, ...(tableId === undefined ? {} : { table: index.name(tableId) }) };
}

/** Reads what the estimate needs from the template the summary came from. */
export function costInputsOf(index: TemplateIndex, summary: StackSummary): CostInputs {
  const httpApis: CostApi[] = summary.apis
    .filter((api) => api.protocol !== 'REST')
    .map((api) => {
      const stage = api.stages[0];
      return {
        name: api.name,
        type: 'HTTP',
        accessLog: stage?.accessLogGroup
          ? { name: stage.accessLogGroup, retentionDays: stage.accessLogRetentionDays }
          : undefined,
      };
    });
  const functions = index.ofType(T.function).map(([id, fn]) => {
    const props = fn.Properties ?? {};
    const summarized = summary.functions.find((f) => f.logicalId === id);
    return {
      name: index.name(id),
      architecture: summarized?.architecture ?? 'x86_64',
      memoryMb: summarized?.memoryMb ?? 128,
      ephemeralMb: num(obj(props.EphemeralStorage).Size) ?? 512,
      tracing: obj(props.TracingConfig).Mode === 'Active',
      logGroup: summarized?.logGroup,
      logRetentionDays: summarized?.logRetentionDays,
      ...patternsOf(index, obj(obj(props.Environment).Variables)),
    };
  });
  return {
    apis: [...httpApis, ...restApis(index)],
    routes: [...httpRoutes(index), ...restRoutes(index)],
    functions,
    tables: tablesOf(index, summary),
    alarms: alarmsOf(index),
    dashboards: summary.monitoring.dashboards.length,
    customMetrics: summary.monitoring.metricFilters.reduce((sum, filter) => sum + filter.metrics.length, 0),
    kmsKeys: index.ofType(T.kmsKey).length,
    userPools: index.ofType(T.userPool).map(([id, pool]) => ({
      name: index.name(id),
      // Pools created since 2024-11-22 default to Essentials.
      tier: str(pool.Properties?.UserPoolTier) ?? 'ESSENTIALS',
    })),
    secrets: index.ofType(T.secret).length,
  };
}
