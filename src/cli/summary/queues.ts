/** SQS queues: their kind, dead-letter queue, timings and encryption, which functions send to them and which work them. */

import { roleStatements } from './iam';
import { getAttOf, JsonObject, list, num, obj, refOf, T, TemplateIndex } from '../../assembly/template';

/** SQS's defaults for a queue that does not set them. */
const DEFAULT_VISIBILITY_SECONDS = 30;
const DEFAULT_RETENTION_SECONDS = 4 * 86400;

export interface QueueWorkerSummary {
  readonly function: string;
  readonly batchSize?: number;
  readonly maxBatchingWindowSeconds?: number;
  readonly maxConcurrency?: number;
  /** Whether the function reports failed messages one by one (partial batch responses). */
  readonly reportsBatchItemFailures: boolean;
}

export interface QueueSummary {
  readonly logicalId: string;
  readonly name: string;
  readonly fifo: boolean;
  /** Its dead-letter queue and after how many receives a message goes there; undefined without one. */
  readonly deadLetterQueue?: {
    readonly name: string;
    readonly maxReceiveCount?: number;
    readonly retentionSeconds: number;
  };
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly encryption: string;
  /** The functions whose role may send to it. */
  readonly senders: string[];
  /** The functions its event source mappings invoke. */
  readonly workers: QueueWorkerSummary[];
  readonly warnings: string[];
}

/** Which functions send to and work each queue, by the queue's logical id. */
export interface QueueLinks {
  readonly senders: ReadonlyMap<string, string[]>;
  readonly workers: ReadonlyMap<string, QueueWorkerSummary[]>;
}

/** Whether an IAM action allows `sqs:SendMessage`. */
function allowsSend(action: string): boolean {
  const lower = action.toLowerCase();
  return lower === '*' || lower === 'sqs:*' || lower === 'sqs:sendmessage' || lower === 'sqs:send*';
}

/** The queues a statement's resources name (`Fn::GetAtt [queue, Arn]`), or every queue for `*`. */
function queuesOf(index: TemplateIndex, resource: unknown): string[] {
  if (resource === '*') return index.ofType(T.queue).map(([id]) => id);
  const id = getAttOf(resource)?.[0];
  return id !== undefined && index.get(id)?.Type === T.queue ? [id] : [];
}

export function queueLinks(index: TemplateIndex): QueueLinks {
  const senders = new Map<string, string[]>();
  const workers = new Map<string, QueueWorkerSummary[]>();
  for (const [fnId, fn] of index.ofType(T.function)) {
    const roleId = getAttOf(fn.Properties?.Role)?.[0];
    if (roleId === undefined || index.get(roleId)?.Type !== T.role) continue;
    const sendsTo = new Set<string>();
    for (const statement of roleStatements(index, roleId).statements) {
      if (statement.Effect !== 'Allow' || !list(statement.Action).some((a) => allowsSend(index.render(a)))) continue;
      for (const resource of list(statement.Resource)) queuesOf(index, resource).forEach((q) => sendsTo.add(q));
    }
    for (const queue of sendsTo) senders.set(queue, [...(senders.get(queue) ?? []), index.name(fnId)]);
  }
  for (const [, mapping] of index.ofType(T.eventSourceMapping)) {
    const props = mapping.Properties ?? {};
    const queue = getAttOf(props.EventSourceArn)?.[0];
    const fnId = refOf(props.FunctionName) ?? getAttOf(props.FunctionName)?.[0];
    if (queue === undefined || index.get(queue)?.Type !== T.queue || fnId === undefined) continue;
    const summary: QueueWorkerSummary = {
      function: index.name(fnId),
      batchSize: num(props.BatchSize),
      maxBatchingWindowSeconds: num(props.MaximumBatchingWindowInSeconds),
      maxConcurrency: num(obj(props.ScalingConfig).MaximumConcurrency),
      reportsBatchItemFailures: list(props.FunctionResponseTypes).includes('ReportBatchItemFailures'),
    };
    workers.set(queue, [...(workers.get(queue) ?? []), summary]);
  }
  return { senders, workers };
}

function encryptionOf(index: TemplateIndex, props: JsonObject): string {
  if (props.KmsMasterKeyId !== undefined) return `KMS key ${index.render(props.KmsMasterKeyId)}`;
  // SQS encrypts new queues with SSE-SQS unless told not to.
  return String(props.SqsManagedSseEnabled) === 'false' ? 'NONE' : 'SSE-SQS';
}

/** Every queue that is not another queue's dead-letter queue (those show with their queue). */
export function summarizeQueues(index: TemplateIndex, links: QueueLinks): QueueSummary[] {
  const redrives = index.ofType(T.queue).flatMap(([id, queue]) => {
    const redrive = obj(queue.Properties?.RedrivePolicy);
    const target = getAttOf(redrive.deadLetterTargetArn)?.[0];
    return target === undefined ? [] : [{ id, target, maxReceiveCount: num(redrive.maxReceiveCount) }];
  });
  // Dead-letter queues: the redrive targets of queues, and where rules, asynchronous invocations and stream mappings
  // send what failed (event and stream workers): none of them is worked by a function.
  const failureTargets = [
    ...index
      .ofType(T.rule)
      .flatMap(([, rule]) =>
        (Array.isArray(rule.Properties?.Targets) ? rule.Properties.Targets : []).map(
          (target: unknown) => obj(obj(target).DeadLetterConfig).Arn,
        ),
      ),
    ...[T.eventInvokeConfig, T.eventSourceMapping].flatMap((type) =>
      index.ofType(type).map(([, resource]) => obj(obj(resource.Properties?.DestinationConfig).OnFailure).Destination),
    ),
  ].flatMap((arn) => getAttOf(arn)?.[0] ?? []);
  const deadLetterQueues = new Set([...redrives.map((r) => r.target), ...failureTargets]);
  return index
    .ofType(T.queue)
    .filter(([id]) => !deadLetterQueues.has(id))
    .map(([id, queue]) => {
      const props = queue.Properties ?? {};
      const redrive = redrives.find((r) => r.id === id);
      const workers = links.workers.get(id) ?? [];
      const warnings: string[] = [];
      if (!redrive) {
        warnings.push('WARNING: no dead-letter queue: a message that keeps failing is retried until it expires');
      }
      if (workers.length === 0) warnings.push('no function of this template works it');
      for (const worker of workers.filter((w) => !w.reportsBatchItemFailures)) {
        warnings.push(`${worker.function} does not report failed messages: one failure returns its whole batch`);
      }
      return {
        logicalId: id,
        name: index.name(id),
        fifo: String(props.FifoQueue) === 'true',
        ...(redrive
          ? {
              deadLetterQueue: {
                name: index.name(redrive.target),
                maxReceiveCount: redrive.maxReceiveCount,
                retentionSeconds: num(index.props(redrive.target).MessageRetentionPeriod) ?? DEFAULT_RETENTION_SECONDS,
              },
            }
          : {}),
        visibilityTimeoutSeconds: num(props.VisibilityTimeout) ?? DEFAULT_VISIBILITY_SECONDS,
        retentionSeconds: num(props.MessageRetentionPeriod) ?? DEFAULT_RETENTION_SECONDS,
        encryption: encryptionOf(index, props),
        senders: links.senders.get(id) ?? [],
        workers,
        warnings,
      };
    });
}

/** The queues a function works and sends to, by name. */
export function functionQueues(
  index: TemplateIndex,
  links: QueueLinks,
  fnName: string,
): { worksQueues: string[]; sendsTo: string[] } {
  const names = (map: ReadonlyMap<string, unknown[]>, has: (entry: unknown) => boolean) =>
    [...map].filter(([, entries]) => entries.some(has)).map(([queue]) => index.name(queue));
  return {
    worksQueues: names(links.workers, (w) => (w as QueueWorkerSummary).function === fnName),
    sendsTo: names(links.senders, (s) => s === fnName),
  };
}

/** Seconds as people write them: `90 s`, `5 minutes`, `4 days`. */
export function humanSeconds(seconds: number): string {
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size} ${unit}${seconds === size ? '' : 's'}`;
  }
  return `${seconds} s`;
}
