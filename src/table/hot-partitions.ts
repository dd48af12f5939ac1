import { ResolvedAccessPattern } from './access-model';

/**
 * What one partition can serve: 3,000 read units and 1,000 write units per second, whatever the table's capacity.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html
 */
export const PARTITION_LIMITS = '3,000 reads and 1,000 writes per second';

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
      `\`accessPatterns.${pattern.name}\` puts every item in one partition: its partition key ${JSON.stringify(shape)} has no parameter, and one partition serves at most ${PARTITION_LIMITS}. Put a parameter in it that spreads the load (such as ${JSON.stringify(`${shape}#{day}`)}), or set \`singleton: true\` if one partition is the design.`,
    );
  }
  return warnings;
}
