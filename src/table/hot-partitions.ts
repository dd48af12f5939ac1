import { ResolvedAccessPattern } from './access-model';
import { PARTITION_LIMITS } from '../shared/key-shape';

/**
 * The warnings for patterns whose every item lands in one partition (a partition key without parameters, such as
 * `ORDERS` or `GLOBAL`) and that do not say it is deliberate (`singleton: true`): under load that one partition
 * throttles while the table looks idle.
 */
export function hotPartitionWarnings(patterns: Iterable<ResolvedAccessPattern>): string[] {
  const warnings: string[] = [];
  for (const pattern of patterns) {
    if (!pattern.singlePartition || pattern.pattern.singleton) continue;
    const shape = pattern.pattern.partitionKey;
    warnings.push(
      `\`accessPatterns.${pattern.name}\` puts every item in one partition: its partition key ${JSON.stringify(shape)} has no parameter, and one partition serves at most ${PARTITION_LIMITS}. Put a parameter in it that spreads the load (such as ${JSON.stringify(`${shape}#{day}`)}), spread its writes over shards (\`shards: 10\` with the partition key ${JSON.stringify(`${shape}#{shard}`)}), or set \`singleton: true\` if one partition is the design.`,
    );
  }
  return warnings;
}
