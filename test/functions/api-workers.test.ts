import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { ApiWorkers, SendAccess } from '../../src/functions/api-workers';
import { WorkerSource } from '../../src/functions/worker-source';
import { ServerlessApiModel } from '../../src/serverless-api-model';
import { buildTable } from '../../src/table/table-builder';
import { defaultProps, HANDLER_ENTRY, newStack } from '../helpers/api';

/** The workers' scope refuses to build a worker without access to a queue it names: it would fail only when sending. */

class NoSource implements WorkerSource {
  public readonly description = 'Worker of nothing';
  public readonly noDeadLetterQueueReason = 'The test source keeps no events.';
  public readonly statements: iam.PolicyStatement[] = [];
  public bind(_scope: IConstruct, _fn: lambda.IFunction): void {}
}

/** Access to no queue: what a worker naming queues must never be built with. */
const NO_SENDS: SendAccess = { queues: {}, statements: [] };

function setUp() {
  const stack = newStack();
  const model = new ServerlessApiModel(stack, defaultProps());
  const worker = model.addWorker('events.workers', 'fulfil', 'events.workers.fulfil', { entry: HANDLER_ENTRY });
  const workers = new ApiWorkers(stack, 'Workers', {
    table: buildTable(stack, model.tableKeys, undefined, undefined),
    logRetention: logs.RetentionDays.ONE_WEEK,
    monitoring: { addWorker: () => [] },
  });
  return { workers, naming: { ...worker, options: { ...worker.options, queues: ['jobs'] } } };
}

test('GIVEN a worker naming a queue WHEN it is given no access to it THEN it is not built', () => {
  const { workers, naming } = setUp();
  expect(() => workers.add(naming, new NoSource(), NO_SENDS)).toThrow(
    new Error('Worker fulfil has no access to its queues jobs'),
  );
  expect(workers.workers).toEqual([]);
});

test('GIVEN a worker naming a queue WHEN it is given access to it THEN it is built', () => {
  const { workers, naming } = setUp();
  workers.add(naming, new NoSource(), { queues: { jobs: { url: 'https://queue', fifo: false } }, statements: [] });
  expect(workers.workers.map((w) => w.name)).toEqual(['fulfil']);
});
