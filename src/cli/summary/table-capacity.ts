/**
 * The throughput settings of a table or a global secondary index, in words: provisioned capacity (auto scaled or fixed)
 * or on-demand maximums. A `GlobalTable` keeps write settings on the table and read settings on each replica (the first
 * one is read); a `Table` keeps both in `ProvisionedThroughput` or `OnDemandThroughput`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-globaltable.html
 */

import { JsonObject, list, obj, str, TemplateIndex } from '../../assembly/template';

type Kind = 'Read' | 'Write';

/** "5-100 units, target 70%" for auto scaling, "10 units" for fixed capacity. */
function provisionedOf(index: TemplateIndex, settings: unknown, kind: Kind): string | undefined {
  const auto = obj(obj(settings)[`${kind}CapacityAutoScalingSettings`]);
  if (auto.MinCapacity !== undefined || auto.MaxCapacity !== undefined) {
    const target = obj(auto.TargetTrackingScalingPolicyConfiguration).TargetValue;
    const range = `${index.render(auto.MinCapacity)}-${index.render(auto.MaxCapacity)} units`;
    return target === undefined ? `${range}, auto scaled` : `${range}, auto scaled to ${index.render(target)}%`;
  }
  const fixed = obj(settings)[`${kind}CapacityUnits`];
  return fixed === undefined ? undefined : `${index.render(fixed)} units`;
}

function maximumOf(index: TemplateIndex, settings: unknown, kind: Kind): string | undefined {
  const max = obj(settings)[`Max${kind}RequestUnits`];
  return max === undefined ? undefined : `at most ${index.render(max)} units per second`;
}

function inWords(read: string | undefined, write: string | undefined): string | undefined {
  const parts = [...(read ? [`reads ${read}`] : []), ...(write ? [`writes ${write}`] : [])];
  return parts.length ? parts.join('; ') : undefined;
}

/** A `Table`'s (or one of its indexes') `ProvisionedThroughput` and `OnDemandThroughput`. */
function throughputOf(index: TemplateIndex, props: JsonObject): string | undefined {
  const describe = (kind: Kind) => {
    const fixed = obj(props.ProvisionedThroughput)[`${kind}CapacityUnits`];
    return fixed === undefined ? maximumOf(index, props.OnDemandThroughput, kind) : `${index.render(fixed)} units`;
  };
  return inWords(describe('Read'), describe('Write'));
}

/** The settings of a `GlobalTable` (or of one index): writes on the resource, reads on the replica. */
function globalThroughputOf(index: TemplateIndex, writes: JsonObject, reads: JsonObject): string | undefined {
  return inWords(
    provisionedOf(index, reads.ReadProvisionedThroughputSettings, 'Read') ??
      maximumOf(index, reads.ReadOnDemandThroughputSettings, 'Read'),
    provisionedOf(index, writes.WriteProvisionedThroughputSettings, 'Write') ??
      maximumOf(index, writes.WriteOnDemandThroughputSettings, 'Write'),
  );
}

/** The table's own throughput settings; undefined when there are none (on-demand without maximums). */
export function tableCapacityOf(
  index: TemplateIndex,
  isGlobal: boolean,
  props: JsonObject,
  replicas: JsonObject[],
): string | undefined {
  return isGlobal ? globalThroughputOf(index, props, replicas[0] ?? {}) : throughputOf(index, props);
}

/** A global secondary index's throughput settings; undefined when there are none. */
export function indexCapacityOf(
  index: TemplateIndex,
  isGlobal: boolean,
  gsi: JsonObject,
  replicas: JsonObject[],
): string | undefined {
  if (!isGlobal) return throughputOf(index, gsi);
  const name = str(gsi.IndexName);
  const onReplica = list(obj(replicas[0]).GlobalSecondaryIndexes)
    .map(obj)
    .find((replicaIndex) => str(replicaIndex.IndexName) === name);
  return globalThroughputOf(index, gsi, onReplica ?? {});
}
