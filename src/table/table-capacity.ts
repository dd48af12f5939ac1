import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AutoScaledCapacity, TableBilling } from './table-billing';
import { fail, isLiteral } from '../private/validation';

/**
 * The table's billing checked, rendered for `TableV2`, and resolved into the capacity limits its alarms and dashboard
 * measure consumption against.
 */

/**
 * The target utilizations DynamoDB auto scaling accepts, in percent, and the one it suggests
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html).
 */
export const MIN_TARGET_UTILIZATION = 20;
export const MAX_TARGET_UTILIZATION = 90;
export const DEFAULT_TARGET_UTILIZATION = 70;

/** Reads or writes: the two capacities DynamoDB meters, named as its metrics name them. */
export enum CapacityKind {
  READ = 'Read',
  WRITE = 'Write',
}

/** Auto scaling of one capacity with its defaults applied, and the prop that set it (for messages). */
export interface ResolvedAutoScaling {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetUtilizationPercent: number;
  readonly prop: string;
}

/** What consumption of one capacity of the table, or of one index, is measured against. */
export interface CapacityLimit {
  readonly kind: CapacityKind;
  /** The index it is about; undefined for the table itself. */
  readonly indexName?: string;
  /** Provisioned capacity with its auto scaling; undefined for an on-demand maximum. */
  readonly autoScaling?: ResolvedAutoScaling;
  /** The on-demand maximum in request units per second; undefined for provisioned capacity. */
  readonly maxRequestUnits?: number;
}

const CAPACITY_PROPS = { [CapacityKind.READ]: 'readCapacity', [CapacityKind.WRITE]: 'writeCapacity' } as const;

/** Checks `table.billing` against the table's indexes (the declared ones and those the access patterns name). */
export function validateTableBilling(billing: TableBilling | undefined, indexNames: readonly string[]): void {
  const capacity = billing?.capacity;
  if (capacity) {
    for (const key of Object.values(CAPACITY_PROPS)) {
      if (!capacity[key]) {
        fail(`table.billing.${key}`, 'be set: provisioned billing needs read and write capacity', undefined);
      }
      validateAutoScaled(`table.billing.${key}`, capacity[key]);
    }
    for (const [indexName, index] of Object.entries(capacity.indexes ?? {})) {
      if (!indexNames.includes(indexName)) {
        fail(
          'table.billing.indexes',
          `name only indexes of the table, which the access patterns use (${indexNames.join(', ') || 'none'})`,
          indexName,
        );
      }
      const at = `table.billing.indexes.${indexName}`;
      if (!index.readCapacity && !index.writeCapacity) {
        fail(
          at,
          'set `readCapacity` or `writeCapacity`: leave the index out to scale it with the table settings',
          index,
        );
      }
      for (const key of Object.values(CAPACITY_PROPS)) {
        if (index[key]) validateAutoScaled(`${at}.${key}`, index[key]);
      }
    }
  }
  for (const key of ['maxReadRequestUnits', 'maxWriteRequestUnits'] as const) {
    checkWholeNumber(`table.billing.${key}`, billing?.maxThroughput?.[key], 1);
  }
}

/**
 * The API does not own an existing table, so it has no say in its billing. `ExistingTableOptions` has no such prop:
 * only untyped callers can pass one, and it must not be ignored silently.
 */
export function refuseExistingTableBilling(existing: object | undefined): void {
  const billing = (existing as { billing?: unknown } | undefined)?.billing;
  if (billing !== undefined) {
    fail(
      'existingTable.billing',
      'be left out: an existing table keeps the billing of the stack that defines it, set it there',
      billing,
    );
  }
}

function validateAutoScaled(prop: string, capacity: AutoScaledCapacity): void {
  const { minCapacity, maxCapacity, targetUtilizationPercent, seedCapacity } = capacity;
  checkWholeNumber(`${prop}.minCapacity`, minCapacity, 1);
  checkWholeNumber(`${prop}.maxCapacity`, maxCapacity, 1);
  if (isLiteral(minCapacity) && isLiteral(maxCapacity) && maxCapacity < minCapacity) {
    fail(`${prop}.maxCapacity`, `be at least \`minCapacity\` (${minCapacity})`, maxCapacity);
  }
  if (isLiteral(targetUtilizationPercent)) {
    const target = targetUtilizationPercent!;
    if (!Number.isFinite(target) || target < MIN_TARGET_UTILIZATION || target > MAX_TARGET_UTILIZATION) {
      fail(
        `${prop}.targetUtilizationPercent`,
        `be between ${MIN_TARGET_UTILIZATION} and ${MAX_TARGET_UTILIZATION} (the target utilizations DynamoDB auto scaling accepts)`,
        target,
      );
    }
  }
  checkWholeNumber(`${prop}.seedCapacity`, seedCapacity, 1);
  if (isLiteral(seedCapacity) && isLiteral(minCapacity) && isLiteral(maxCapacity)) {
    if (seedCapacity! < minCapacity || seedCapacity! > maxCapacity) {
      fail(
        `${prop}.seedCapacity`,
        `be between \`minCapacity\` (${minCapacity}) and \`maxCapacity\` (${maxCapacity})`,
        seedCapacity,
      );
    }
  }
}

function checkWholeNumber(prop: string, value: number | undefined, min: number): void {
  if (!isLiteral(value)) return;
  if (!Number.isSafeInteger(value) || value! < min) fail(prop, `be a whole number, ${min} or more`, value);
}

/** The table's billing as `TableV2` takes it. */
export function cdkBilling(billing: TableBilling | undefined): dynamodb.Billing {
  const capacity = billing?.capacity;
  if (capacity) {
    return dynamodb.Billing.provisioned({
      readCapacity: autoscaled(capacity.readCapacity),
      writeCapacity: autoscaled(capacity.writeCapacity),
    });
  }
  return dynamodb.Billing.onDemand({ ...billing?.maxThroughput });
}

/** An index's own capacity as `TableV2` takes it; what is left out, `TableV2` copies from the table. */
export function cdkIndexCapacity(
  billing: TableBilling | undefined,
  indexName: string,
): { readCapacity?: dynamodb.Capacity; writeCapacity?: dynamodb.Capacity } {
  const own = billing?.capacity?.indexes?.[indexName];
  return {
    ...(own?.readCapacity ? { readCapacity: autoscaled(own.readCapacity) } : {}),
    ...(own?.writeCapacity ? { writeCapacity: autoscaled(own.writeCapacity) } : {}),
  };
}

function autoscaled(capacity: AutoScaledCapacity): dynamodb.Capacity {
  return dynamodb.Capacity.autoscaled({
    minCapacity: capacity.minCapacity,
    maxCapacity: capacity.maxCapacity,
    targetUtilizationPercent: capacity.targetUtilizationPercent ?? DEFAULT_TARGET_UTILIZATION,
    // CloudFormation needs a seed to switch a table between on-demand and provisioned billing, in either direction
    // (the rollback of a switch to on-demand is a switch back): with one always set, changing `billing` is one deploy.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-dynamodb-globaltable-capacityautoscalingsettings.html
    // aws-cdk-lib compares a seed with 1 at synth, which a token fails: a minimum that is a token seeds nothing.
    seedCapacity: capacity.seedCapacity ?? (isLiteral(capacity.minCapacity) ? capacity.minCapacity : undefined),
  });
}

/**
 * The limits the table's consumption is measured against: with provisioned billing, the read and write capacity of
 * the table and of every index; on demand, the maximums that are set (on the table only). None for an existing table.
 */
export function capacityLimits(billing: TableBilling | undefined, indexNames: readonly string[]): CapacityLimit[] {
  const capacity = billing?.capacity;
  if (capacity) {
    return [undefined, ...indexNames].flatMap((indexName) =>
      [CapacityKind.READ, CapacityKind.WRITE].map((kind) => {
        const key = CAPACITY_PROPS[kind];
        const own = indexName ? capacity.indexes?.[indexName]?.[key] : undefined;
        const settings = own ?? capacity[key];
        return {
          kind,
          indexName,
          autoScaling: {
            minCapacity: settings.minCapacity,
            maxCapacity: settings.maxCapacity,
            targetUtilizationPercent: settings.targetUtilizationPercent ?? DEFAULT_TARGET_UTILIZATION,
            prop: own ? `table.billing.indexes.${indexName}.${key}` : `table.billing.${key}`,
          },
        };
      }),
    );
  }
  const max = billing?.maxThroughput;
  const limits: CapacityLimit[] = [];
  if (max?.maxReadRequestUnits !== undefined) {
    limits.push({ kind: CapacityKind.READ, maxRequestUnits: max.maxReadRequestUnits });
  }
  if (max?.maxWriteRequestUnits !== undefined) {
    limits.push({ kind: CapacityKind.WRITE, maxRequestUnits: max.maxWriteRequestUnits });
  }
  return limits;
}
