/** What surrounds the alarms: dashboards, notification topics and the metric filters that feed custom metrics. */

import { getAttOf, list, obj, refOf, T, TemplateIndex } from '../../assembly/template';

export interface DashboardSummary {
  readonly logicalId: string;
  /** DashboardName; the construct path when CloudFormation generates the name. */
  readonly name: string;
}

export interface TopicSummary {
  readonly logicalId: string;
  /** Construct path: a topic's own id (`Topic`) says too little. */
  readonly name: string;
  /** `KMS key <path> (rotation on)`, `KMS key alias/aws/sns` or `none`. */
  readonly encryption: string;
  /** `<protocol> <endpoint>` of the subscriptions this template declares. */
  readonly subscriptions: string[];
}

export interface MetricFilterSummary {
  readonly logicalId: string;
  readonly logGroup: string;
  /** As written; empty matches every event. */
  readonly pattern: string;
  /** `<namespace> <metric> (<dimension>=<value>)`, with ` value <v>` when it does not count matches. */
  readonly metrics: string[];
}

export interface MonitoringSummary {
  readonly dashboards: DashboardSummary[];
  readonly topics: TopicSummary[];
  readonly metricFilters: MetricFilterSummary[];
}

function encryptionOf(index: TemplateIndex, keyId: unknown): string {
  if (keyId === undefined) return 'none';
  const id = refOf(keyId) ?? getAttOf(keyId)?.[0];
  const key = index.get(id);
  if (id === undefined || key?.Type !== T.kmsKey) return `KMS key ${index.render(keyId)}`;
  const rotation = String(key.Properties?.EnableKeyRotation) === 'true' ? 'on' : 'off';
  return `KMS key ${index.path(id)} (rotation ${rotation})`;
}

function subscriptionsOf(index: TemplateIndex, topicId: string): string[] {
  const describe = (subscription: unknown) =>
    `${index.render(obj(subscription).Protocol)} ${index.render(obj(subscription).Endpoint)}`;
  const inline = list(index.props(topicId).Subscription).map(describe);
  const separate = index
    .ofType(T.subscription)
    .map(([, subscription]) => subscription.Properties ?? {})
    .filter((props) => refOf(props.TopicArn) === topicId)
    .map(describe);
  return [...inline, ...separate];
}

function metricOf(index: TemplateIndex, transformation: unknown): string {
  const t = obj(transformation);
  const dimensions = list(t.Dimensions)
    .map(obj)
    .map((d) => `${index.render(d.Key)}=${index.render(d.Value)}`);
  const suffix = dimensions.length > 0 ? ` (${dimensions.join(', ')})` : '';
  const value = t.MetricValue === undefined || t.MetricValue === '1' ? '' : ` value ${index.render(t.MetricValue)}`;
  return `${index.render(t.MetricNamespace)} ${index.render(t.MetricName)}${suffix}${value}`;
}

export function summarizeMonitoring(index: TemplateIndex): MonitoringSummary {
  return {
    dashboards: index.ofType(T.dashboard).map(([id, dashboard]) => ({
      logicalId: id,
      name:
        dashboard.Properties?.DashboardName === undefined
          ? index.path(id)
          : index.render(dashboard.Properties.DashboardName),
    })),
    topics: index.ofType(T.topic).map(([id, topic]) => ({
      logicalId: id,
      name: index.path(id),
      encryption: encryptionOf(index, topic.Properties?.KmsMasterKeyId),
      subscriptions: subscriptionsOf(index, id),
    })),
    metricFilters: index.ofType(T.metricFilter).map(([id, filter]) => {
      const props = filter.Properties ?? {};
      const logGroupId = refOf(props.LogGroupName);
      return {
        logicalId: id,
        logGroup:
          logGroupId !== undefined && index.get(logGroupId) ? index.name(logGroupId) : index.render(props.LogGroupName),
        pattern: index.render(props.FilterPattern ?? ''),
        metrics: list(props.MetricTransformations).map((t) => metricOf(index, t)),
      };
    }),
  };
}
