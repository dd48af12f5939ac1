import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

/**
 * Provisioned capacity units of reads or of writes, which DynamoDB auto scaling (Application Auto Scaling target
 * tracking) keeps between `minCapacity` and `maxCapacity` so that consumption stays near the target utilization.
 */
export interface AutoScaledCapacity {
  /** The fewest capacity units auto scaling keeps provisioned, paid for every hour even when idle (1 or more). */
  readonly minCapacity: number;
  /** The most capacity units auto scaling may provision; requests beyond them are throttled (at least `minCapacity`). */
  readonly maxCapacity: number;
  /**
   * Consumed capacity as a share of provisioned capacity that auto scaling aims at, in percent (20 to 90, the range
   * DynamoDB auto scaling accepts). Lower leaves more headroom for spikes, higher costs less.
   *
   * @default 70
   */
  readonly targetUtilizationPercent?: number;
  /**
   * The capacity units the table starts with when it switches from on-demand to provisioned billing, until auto
   * scaling takes over (between `minCapacity` and `maxCapacity`). Set it near the table's current consumption when
   * switching a busy table.
   *
   * @default - `minCapacity`
   */
  readonly seedCapacity?: number;
}

/** The read and write capacity of one global secondary index, when it should scale apart from the table. */
export interface IndexCapacity {
  /**
   * The index's read capacity.
   *
   * @default - the table's `readCapacity` settings, scaled on the index's own consumption
   */
  readonly readCapacity?: AutoScaledCapacity;
  /**
   * The index's write capacity. Every table write that touches the index's attributes also writes the index, and a
   * write the index cannot take is throttled on the table.
   *
   * @default - the table's `writeCapacity` settings, scaled on the index's own consumption
   */
  readonly writeCapacity?: AutoScaledCapacity;
}

/** Provisioned read and write capacity with auto scaling, for the table and its indexes. */
export interface ProvisionedBillingOptions {
  /** The table's read capacity. */
  readonly readCapacity: AutoScaledCapacity;
  /** The table's write capacity. */
  readonly writeCapacity: AutoScaledCapacity;
  /**
   * Capacity of some global secondary indexes, by index name (the names the access patterns use).
   *
   * @default - every index scales with the table's settings (as AWS recommends), on its own consumption
   */
  readonly indexes?: { [indexName: string]: IndexCapacity };
}

/** The most an on-demand table may serve per second; requests beyond it are throttled. */
export interface OnDemandBillingOptions {
  /**
   * The most read request units the table serves per second (1 or more).
   *
   * @default - no maximum: DynamoDB's per-table quota bounds reads
   */
  readonly maxReadRequestUnits?: number;
  /**
   * The most write request units the table serves per second (1 or more).
   *
   * @default - no maximum: DynamoDB's per-table quota bounds writes
   */
  readonly maxWriteRequestUnits?: number;
}

/**
 * How the table's reads and writes are paid for.
 *
 * On-demand (the default) bills each request and needs no capacity planning: it suits new, spiky or unknown traffic
 * and costs nothing while idle. Provisioned capacity with auto scaling bills capacity units by the hour: it can cost
 * less for steady, predictable traffic, but its minimum is paid for even at zero traffic and sudden spikes are
 * throttled until auto scaling catches up.
 *
 * @example
 * TableBilling.provisioned({
 *   readCapacity: { minCapacity: 5, maxCapacity: 200 },
 *   writeCapacity: { minCapacity: 5, maxCapacity: 50, targetUtilizationPercent: 60 },
 * });
 */
export class TableBilling {
  /**
   * Pay per request, with no capacity to plan; optionally capped.
   *
   * @param options the most the table may serve per second
   */
  public static onDemand(options: OnDemandBillingOptions = {}): TableBilling {
    return new TableBilling(dynamodb.BillingMode.PAY_PER_REQUEST, options, undefined);
  }

  /**
   * Provisioned capacity units, scaled by DynamoDB auto scaling between a minimum and a maximum.
   *
   * @param options the read and write capacity of the table and, optionally, of each index
   */
  public static provisioned(options: ProvisionedBillingOptions): TableBilling {
    return new TableBilling(dynamodb.BillingMode.PROVISIONED, undefined, options);
  }

  /** The billing mode: `PAY_PER_REQUEST` (on-demand) or `PROVISIONED`. */
  public readonly mode: dynamodb.BillingMode;
  /** The most an on-demand table may serve; undefined with provisioned billing. */
  public readonly maxThroughput?: OnDemandBillingOptions;
  /** The provisioned capacity and its auto scaling; undefined with on-demand billing. */
  public readonly capacity?: ProvisionedBillingOptions;

  private constructor(
    mode: dynamodb.BillingMode,
    maxThroughput: OnDemandBillingOptions | undefined,
    capacity: ProvisionedBillingOptions | undefined,
  ) {
    this.mode = mode;
    this.maxThroughput = maxThroughput;
    this.capacity = capacity;
  }
}
