import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StreamWorkerOptions, TableStreamOptions } from './stream-options';
import { WorkerModel } from '../functions/worker-function';
import { AlarmThreshold, alarmThreshold, validateAlarm } from '../monitoring/alarm-thresholds';
import { DEFAULT_ITERATOR_AGE_ALARM } from '../monitoring/source-alarms';
import {
  checkInteger,
  checkOneOf,
  checkPattern,
  checkSeconds,
  checkUnique,
  fail,
  IDENTIFIER_NAME,
  IDENTIFIER_NAME_RULE,
  isLiteral,
} from '../private/validation';
import { ExistingTableOptions } from '../table/table-options';

/**
 * The table's stream and its workers, checked and resolved before anything is built: the limits of Lambda's DynamoDB
 * event source mappings (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html) and of event filtering
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
 */

export const STREAM_WORKER_DEFAULTS = {
  /** Lambda's own default for DynamoDB streams. */
  batchSize: 100,
  startingPosition: lambda.StartingPosition.TRIM_HORIZON,
  retryAttempts: 3,
  bisectBatchOnError: true,
  parallelizationFactor: 1,
  viewType: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
};

const MAX_BATCH_SIZE = 10000;
const MAX_BATCHING_WINDOW_SECONDS = 300;
const MAX_RETRY_ATTEMPTS = 10000;
const MAX_RECORD_AGE_SECONDS = 7 * 86400;
const MAX_PARALLELIZATION_FACTOR = 10;
/** Lambda's default quota of filters per event source mapping. */
const MAX_FILTERS = 5;
/**
 * DynamoDB advises at most two processes reading one shard at a time, or they are throttled
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.Processing).
 */
export const MAX_STREAM_READERS = 2;

/** The images each view type puts in a record, for the filters that read them. */
const IMAGES: { [viewType: string]: string[] } = {
  [dynamodb.StreamViewType.KEYS_ONLY]: [],
  [dynamodb.StreamViewType.NEW_IMAGE]: ['NewImage'],
  [dynamodb.StreamViewType.OLD_IMAGE]: ['OldImage'],
  [dynamodb.StreamViewType.NEW_AND_OLD_IMAGES]: ['NewImage', 'OldImage'],
};

/** A stream worker, resolved: what its event source mapping and dead-letter queue are built from. */
export interface StreamWorkerModel {
  readonly name: string;
  /** Where it is declared, for messages: `tableStream.workers.<name>`. */
  readonly prop: string;
  readonly filters: { [key: string]: any }[];
  readonly batchSize: number;
  readonly maxBatchingWindow?: Duration;
  readonly startingPosition: lambda.StartingPosition;
  readonly retryAttempts: number;
  readonly maxRecordAge?: Duration;
  readonly bisectBatchOnError: boolean;
  readonly parallelizationFactor: number;
  readonly iteratorAge: AlarmThreshold;
  readonly worker: WorkerModel;
}

/** The API's `tableStream`, resolved. */
export interface TableStreamModel {
  /** The view type of the stream the API creates; undefined on an existing table, whose stream is its own. */
  readonly viewType?: dynamodb.StreamViewType;
  readonly workers: StreamWorkerModel[];
  /** What synth warns about: more readers than DynamoDB advises. */
  readonly warnings: string[];
}

/**
 * Checks the table's stream and its workers and resolves them; `addWorker` checks each worker against the API (its
 * name, its function options, its alarms) and declares it.
 */
export function resolveTableStream(
  options: TableStreamOptions | undefined,
  existing: ExistingTableOptions | undefined,
  addWorker: (name: string, prop: string, worker: StreamWorkerOptions) => WorkerModel,
): TableStreamModel | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    fail('tableStream', 'be the options of the table stream and its workers, `{ viewType, workers }`', options);
  }
  const viewTypes = Object.values(dynamodb.StreamViewType);
  checkOneOf(
    'tableStream.viewType',
    options.viewType,
    viewTypes,
    `be a dynamodb.StreamViewType (${viewTypes.join(', ')})`,
  );
  if (existing) {
    if (options.viewType !== undefined) {
      fail(
        'tableStream.viewType',
        "be left out with `existingTable`: an existing table's stream keeps the view type it was created with",
        options.viewType,
      );
    }
    if (existing.table.tableStreamArn === undefined) {
      fail(
        'tableStream',
        'be used with an existing table that has a stream: bring it with `TableV2.fromTableAttributes({ tableName, tableStreamArn })`',
        existing.table.tableName,
      );
    }
  }
  const names = Object.keys(options.workers ?? {});
  if (names.length === 0) {
    fail('tableStream.workers', 'declare at least one worker consuming the stream', options.workers ?? {});
  }
  const viewType = existing ? undefined : (options.viewType ?? STREAM_WORKER_DEFAULTS.viewType);
  const workers = Object.entries(options.workers).map(([name, worker]) => {
    const prop = `tableStream.workers.${name}`;
    checkPattern('tableStream.workers', name, IDENTIFIER_NAME, IDENTIFIER_NAME_RULE);
    // JavaScript callers get no type check: a missing worker would otherwise fail deep inside the model.
    if (typeof worker !== 'object' || worker === null) {
      fail(prop, "be the worker's options, with at least its `entry`", worker);
    }
    return resolveStreamWorker(name, prop, worker, viewType, addWorker(name, prop, worker));
  });
  const warnings =
    workers.length > MAX_STREAM_READERS
      ? [
          `\`tableStream.workers\` declares ${workers.length} workers: DynamoDB advises at most ${MAX_STREAM_READERS} readers of a stream's shard at a time, and throttles the others; let one worker fan the changes out (publish events, send to queues)`,
        ]
      : [];
  return { ...(viewType ? { viewType } : {}), workers, warnings };
}

function resolveStreamWorker(
  name: string,
  prop: string,
  worker: StreamWorkerOptions,
  viewType: dynamodb.StreamViewType | undefined,
  model: WorkerModel,
): StreamWorkerModel {
  const filters = checkFilters(`${prop}.filters`, worker.filters, viewType);
  checkInteger(`${prop}.batchSize`, worker.batchSize, 1, MAX_BATCH_SIZE);
  checkSeconds(
    `${prop}.maxBatchingWindow`,
    worker.maxBatchingWindow,
    0,
    MAX_BATCHING_WINDOW_SECONDS,
    'at most 5 minutes',
  );
  const positions = [lambda.StartingPosition.TRIM_HORIZON, lambda.StartingPosition.LATEST];
  checkOneOf(
    `${prop}.startingPosition`,
    worker.startingPosition,
    positions,
    'be TRIM_HORIZON or LATEST, the positions Lambda takes for a DynamoDB stream',
  );
  checkInteger(`${prop}.retryAttempts`, worker.retryAttempts, 0, MAX_RETRY_ATTEMPTS);
  checkSeconds(
    `${prop}.maxRecordAge`,
    worker.maxRecordAge,
    60,
    MAX_RECORD_AGE_SECONDS,
    "between 1 minute and 7 days (Lambda's limits)",
  );
  if (isLiteral(worker.bisectBatchOnError) && typeof worker.bisectBatchOnError !== 'boolean') {
    fail(`${prop}.bisectBatchOnError`, 'be true or false', worker.bisectBatchOnError);
  }
  checkInteger(`${prop}.parallelizationFactor`, worker.parallelizationFactor, 1, MAX_PARALLELIZATION_FACTOR);
  validateAlarm(`${prop}.iteratorAgeAlarm`, worker.iteratorAgeAlarm, DEFAULT_ITERATOR_AGE_ALARM);
  return {
    name,
    prop,
    filters,
    batchSize: worker.batchSize ?? STREAM_WORKER_DEFAULTS.batchSize,
    ...(worker.maxBatchingWindow ? { maxBatchingWindow: worker.maxBatchingWindow } : {}),
    startingPosition: worker.startingPosition ?? STREAM_WORKER_DEFAULTS.startingPosition,
    retryAttempts: worker.retryAttempts ?? STREAM_WORKER_DEFAULTS.retryAttempts,
    ...(worker.maxRecordAge ? { maxRecordAge: worker.maxRecordAge } : {}),
    bisectBatchOnError: worker.bisectBatchOnError ?? STREAM_WORKER_DEFAULTS.bisectBatchOnError,
    parallelizationFactor: worker.parallelizationFactor ?? STREAM_WORKER_DEFAULTS.parallelizationFactor,
    iteratorAge: alarmThreshold(worker.iteratorAgeAlarm, DEFAULT_ITERATOR_AGE_ALARM),
    worker: model,
  };
}

/**
 * The worker's filters, as `lambda.FilterCriteria.filter()` writes them (`{ pattern: '<JSON>' }`), at most 5; a filter
 * on an image the stream's view type leaves out of its records would never match.
 */
function checkFilters(
  prop: string,
  filters: { [key: string]: any }[] | undefined,
  viewType: dynamodb.StreamViewType | undefined,
): { [key: string]: any }[] {
  if (filters === undefined) return [];
  if (!Array.isArray(filters)) fail(prop, 'be a list of `lambda.FilterCriteria.filter()` patterns', filters);
  if (filters.length > MAX_FILTERS) {
    fail(
      prop,
      `list at most ${MAX_FILTERS} filters, Lambda's quota per event source mapping`,
      `${filters.length} filters`,
    );
  }
  filters.forEach((filter, i) => {
    const pattern = filter?.pattern;
    if (pattern !== undefined && !isLiteral(pattern)) return;
    let parsed: unknown;
    try {
      parsed = typeof pattern === 'string' ? JSON.parse(pattern) : undefined;
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      fail(`${prop}[${i}]`, 'be a `{ pattern }` of a JSON object, as `lambda.FilterCriteria.filter()` makes', filter);
    }
    const record = (parsed as { dynamodb?: unknown }).dynamodb;
    if (viewType === undefined || typeof record !== 'object' || record === null) return;
    for (const image of ['NewImage', 'OldImage']) {
      if (image in record && !IMAGES[viewType].includes(image)) {
        fail(
          `${prop}[${i}]`,
          `not filter on dynamodb.${image}: the stream's ${viewType} records carry no ${image}, so the filter would never match`,
          pattern,
        );
      }
    }
  });
  // CloudFormation refuses a mapping whose filters repeat one another.
  checkUnique(prop, filters, (filter) =>
    typeof filter?.pattern === 'string' ? filter.pattern : JSON.stringify(filter),
  );
  return filters;
}
