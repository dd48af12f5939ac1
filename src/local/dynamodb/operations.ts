/**
 * Which DynamoDB operations the local engine (dynalite 4) runs. The others reach it all the same and it answers
 * UnknownOperationException; the endpoint says so once per operation rather than pretend.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 */

/** The `X-Amz-Target` prefix of the DynamoDB API version the AWS SDKs speak. */
export const TARGET_PREFIX = 'DynamoDB_20120810.';

/** What dynalite implements (its own list of valid operations). */
const ENGINE_OPERATIONS: ReadonlySet<string> = new Set([
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateItem',
  'UpdateTable',
]);

/** DynamoDB operations dynalite does not implement. */
const MISSING_OPERATIONS: ReadonlySet<string> = new Set([
  'BatchExecuteStatement',
  'CreateBackup',
  'CreateGlobalTable',
  'DeleteBackup',
  'DeleteResourcePolicy',
  'DescribeBackup',
  'DescribeContinuousBackups',
  'DescribeContributorInsights',
  'DescribeEndpoints',
  'DescribeExport',
  'DescribeGlobalTable',
  'DescribeGlobalTableSettings',
  'DescribeImport',
  'DescribeKinesisStreamingDestination',
  'DescribeLimits',
  'DescribeTableReplicaAutoScaling',
  'DisableKinesisStreamingDestination',
  'EnableKinesisStreamingDestination',
  'ExecuteStatement',
  'ExecuteTransaction',
  'ExportTableToPointInTime',
  'GetResourcePolicy',
  'ImportTable',
  'ListBackups',
  'ListContributorInsights',
  'ListExports',
  'ListGlobalTables',
  'ListImports',
  'PutResourcePolicy',
  'RestoreTableFromBackup',
  'RestoreTableToPointInTime',
  'TransactGetItems',
  'TransactWriteItems',
  'UpdateContinuousBackups',
  'UpdateContributorInsights',
  'UpdateGlobalTable',
  'UpdateGlobalTableSettings',
  'UpdateKinesisStreamingDestination',
  'UpdateTableReplicaAutoScaling',
  'UpdateTimeToLive',
]);

/** How the local DynamoDB stands with an operation named in `X-Amz-Target`. */
export type OperationSupport = 'supported' | 'unsupported' | 'unknown';

export function operationSupport(operation: string): OperationSupport {
  if (ENGINE_OPERATIONS.has(operation)) return 'supported';
  return MISSING_OPERATIONS.has(operation) ? 'unsupported' : 'unknown';
}

/**
 * The operation of an `X-Amz-Target` header (`DynamoDB_20120810.PutItem` gives `PutItem`), if it names one. The
 * 2011-12-05 API version counts too: the engine still runs it, so it must be authorized like the current one.
 */
export function operationOf(target: string | string[] | undefined): string | undefined {
  const match = typeof target === 'string' ? /^DynamoDB_(?:20120810|20111205)\.([A-Za-z]+)$/.exec(target) : null;
  return match?.[1];
}
