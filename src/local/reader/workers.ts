/**
 * A stack's asynchronous parts, together: queues, buses and rules, event source mappings and asynchronous invocation
 * settings, and the functions they invoke (workers), which join the functions the local API runs.
 */

import { ReadContext } from './context';
import { readAsyncConfigs, readMappings } from './event-sources';
import { readBuses, readRules } from './events';
import { readQueues } from './queues';
import { UsageError } from '../../assembly/assembly';
import type { LocalTableModel } from '../model';
import type { LocalWorkersModel } from '../workers-model';

export interface WorkersReading {
  readonly workers: LocalWorkersModel;
  /** The functions a mapping or a rule invokes. */
  readonly functionIds: ReadonlySet<string>;
}

export function readWorkers(ctx: ReadContext, tables: readonly LocalTableModel[]): WorkersReading {
  const queues = readQueues(ctx);
  for (const queue of queues) {
    const dlq = queue.redrive && queues.find((candidate) => candidate.arn === queue.redrive!.deadLetterQueueArn);
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
    if (dlq && dlq.fifo !== queue.fifo) {
      throw new UsageError(
        `queue ${queue.name} (${queue.logicalId}) is ${queue.fifo ? 'a FIFO' : 'a standard'} queue whose dead-letter queue ${dlq.name} is not: SQS requires the dead-letter queue of a FIFO queue to be FIFO, and of a standard queue to be standard`,
      );
    }
    if (queue.redrive && !dlq) {
      ctx.warnings.push(
        `queue ${queue.name} (${queue.logicalId}) redrives to ${queue.redrive.deadLetterQueueArn}, which is not a queue of this stack: locally its messages are dropped after ${queue.redrive.maxReceiveCount} receives`,
      );
    }
  }
  const buses = readBuses(ctx);
  const rules = readRules(ctx, buses, queues);
  const mappings = readMappings(ctx, queues, tables);
  const asyncConfigs = readAsyncConfigs(ctx, queues);
  const functionIds = new Set<string>([
    ...mappings.map((mapping) => mapping.functionId),
    ...rules.flatMap((rule) => rule.targets.flatMap((target) => (target.functionId ? [target.functionId] : []))),
  ]);
  return { workers: { queues, buses, rules, mappings, asyncConfigs }, functionIds };
}
