/** DynamoDB streams: the functions Lambda hands a table's stream records to, and how. */

import { getAttOf, isObject, JsonObject, list, num, obj, refOf, str, T, TemplateIndex } from '../../assembly/template';

export interface StreamWorkerSummary {
  readonly logicalId: string;
  /** The function the mapping invokes. */
  readonly function: string;
  /** The table whose stream it reads (its name in the template), or the stream's ARN as written. */
  readonly table: string;
  /** What each record carries, from the table's StreamSpecification; undefined for a table outside the template. */
  readonly viewType?: string;
  /** The filter patterns; empty means every record. */
  readonly filters: string[];
  readonly batchSize?: number;
  readonly startingPosition?: string;
  /** Undefined or -1: retried until the records expire. */
  readonly retryAttempts?: number;
  readonly bisectBatchOnError: boolean;
  readonly reportsBatchItemFailures: boolean;
  /** Where a batch the function keeps failing on is described. */
  readonly onFailure?: string;
  readonly warnings: string[];
}

/**
 * DynamoDB advises at most two processes reading one shard at a time
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.Processing).
 */
const MAX_READERS = 2;

function isDynamoStream(index: TemplateIndex, source: unknown): boolean {
  const att = getAttOf(source);
  if (att !== undefined) {
    return att[1] === 'StreamArn' && [T.globalTable, T.table].some((t) => index.get(att[0])?.Type === t);
  }
  return /:dynamodb:.*\/stream\//.test(index.render(source));
}

/** A queue of the template by its construct path (its short name, `DeadLetterQueue`, says little), or as written. */
function queuePath(index: TemplateIndex, value: unknown): string {
  const id = getAttOf(value)?.[0] ?? refOf(value);
  return id !== undefined && index.get(id) ? index.path(id) : index.render(value);
}

function summarizeMapping(index: TemplateIndex, id: string, props: JsonObject): StreamWorkerSummary {
  const source = props.EventSourceArn;
  const tableId = getAttOf(source)?.[0];
  const functionId = index.functionIn(props.FunctionName) ?? refOf(props.FunctionName);
  const retryAttempts = num(props.MaximumRetryAttempts);
  const onFailure = obj(obj(props.DestinationConfig).OnFailure).Destination;
  const warnings: string[] = [];
  if (retryAttempts === undefined || retryAttempts < 0) {
    warnings.push('WARNING: retries a failing batch until its records expire, holding up its shard for up to 24 hours');
  }
  if (onFailure === undefined) warnings.push('WARNING: no on-failure destination: batches it gives up on are dropped');
  return {
    logicalId: id,
    function: functionId === undefined ? index.render(props.FunctionName) : index.name(functionId),
    table: tableId === undefined ? index.render(source) : index.name(tableId),
    viewType: tableId === undefined ? undefined : str(obj(index.props(tableId).StreamSpecification).StreamViewType),
    filters: list(obj(props.FilterCriteria).Filters)
      .filter(isObject)
      .map((filter) => index.render(filter.Pattern)),
    batchSize: num(props.BatchSize),
    startingPosition: str(props.StartingPosition),
    retryAttempts,
    bisectBatchOnError: props.BisectBatchOnFunctionError === true,
    reportsBatchItemFailures: list(props.FunctionResponseTypes).includes('ReportBatchItemFailures'),
    onFailure: onFailure === undefined ? undefined : queuePath(index, onFailure),
    warnings,
  };
}

export function summarizeStreams(index: TemplateIndex): StreamWorkerSummary[] {
  const workers = index
    .ofType(T.eventSourceMapping)
    .filter(([, mapping]) => isDynamoStream(index, mapping.Properties?.EventSourceArn))
    .map(([id, mapping]) => summarizeMapping(index, id, mapping.Properties ?? {}));
  const readers = new Map<string, number>();
  workers.forEach((worker) => readers.set(worker.table, (readers.get(worker.table) ?? 0) + 1));
  return workers.map((worker) => {
    const count = readers.get(worker.table)!;
    return count > MAX_READERS
      ? {
          ...worker,
          warnings: [
            ...worker.warnings,
            `WARNING: one of ${count} readers of the stream of ${worker.table}: DynamoDB advises at most ${MAX_READERS}`,
          ],
        }
      : worker;
  });
}
