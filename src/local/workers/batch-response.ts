/**
 * A partial batch response (`FunctionResponseTypes: [ReportBatchItemFailures]`): the function returns
 * `{ batchItemFailures: [{ itemIdentifier }] }` naming the items that failed. Lambda counts the batch a success when
 * the response, or its list, is null or empty; and a complete failure when the response is not that shape, or an
 * identifier is empty, null, misspelled or not an item of the batch.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 */

export type BatchResponse =
  /** The identifiers of the items that failed (none: all succeeded). */
  | { readonly failed: ReadonlySet<string> }
  /** The whole batch counts as failed, for this reason. */
  | { readonly invalid: string };

export function readBatchResponse(payload: unknown, identifiers: ReadonlySet<string>): BatchResponse {
  if (payload === null || payload === undefined) return { failed: new Set() };
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return { invalid: `the response ${JSON.stringify(payload)} is not a batch response` };
  }
  const list = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === null || list === undefined) return { failed: new Set() };
  if (!Array.isArray(list)) return { invalid: 'batchItemFailures is not a list' };
  const failed = new Set<string>();
  for (const entry of list) {
    const id =
      typeof entry === 'object' && entry !== null ? (entry as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') {
      return { invalid: `batchItemFailures holds ${JSON.stringify(entry)}, which has no itemIdentifier` };
    }
    if (!identifiers.has(id)) return { invalid: `batchItemFailures names ${id}, which is not an item of the batch` };
    failed.add(id);
  }
  return { failed };
}
