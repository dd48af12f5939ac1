/** The banner's lines about an app's asynchronous side: its queues, and which worker each queue, rule or stream feeds. */

import type { LocalAppModel } from '../../local/model';

/** `Queues:` and `Workers:` sections, none when the app has neither. */
export function workerLines(app: LocalAppModel, table: (rows: string[][]) => string[]): string[] {
  const workers = app.workers;
  if (!workers) return [];
  const lines: string[] = [];
  if (workers.queues.length > 0) {
    lines.push(
      'Queues (in memory, lost at stop):',
      ...table(
        workers.queues.map((queue) => {
          const dlq = queue.redrive && workers.queues.find((q) => q.arn === queue.redrive!.deadLetterQueueArn);
          const traits = [
            queue.fifo ? 'FIFO' : 'standard',
            `visibility ${queue.visibilityTimeoutSeconds} s`,
            ...(queue.redrive
              ? [`to ${dlq?.name ?? queue.redrive.deadLetterQueueArn} after ${queue.redrive.maxReceiveCount} receives`]
              : []),
          ];
          return [queue.name, traits.join(', ')];
        }),
      ),
    );
  }
  const name = (functionId: string) => app.functions[functionId]?.name ?? functionId;
  const rows: string[][] = [];
  for (const mapping of workers.mappings) {
    const off = mapping.enabled ? '' : ' (disabled)';
    if (mapping.kind === 'sqs') {
      const queue = workers.queues.find((q) => q.arn === mapping.queueArn);
      rows.push([
        name(mapping.functionId),
        `<- queue ${queue?.name ?? mapping.queueArn}`,
        `batch ${mapping.batchSize}${off}`,
      ]);
    } else {
      const source = app.tables.find((t) => t.logicalId === mapping.tableId);
      rows.push([
        name(mapping.functionId),
        `<- stream of ${source?.tableName ?? mapping.tableId}`,
        `batch ${mapping.batchSize}${off}`,
      ]);
    }
  }
  for (const rule of workers.rules) {
    for (const target of rule.targets.filter((t) => t.functionId)) {
      rows.push([
        name(target.functionId!),
        `<- rule ${rule.name} on ${rule.busName}`,
        rule.enabled ? 'async' : 'async (disabled)',
      ]);
    }
  }
  if (rows.length > 0) lines.push('Workers:', ...table(rows));
  return lines;
}
