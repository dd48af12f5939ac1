import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Options of a table metric: the metric's own, and which index it is about. */
export interface TableMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The index the metric is about.
   *
   * @default - the table itself
   */
  readonly indexName?: string;
}
