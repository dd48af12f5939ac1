import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ServerlessApi } from '../../../src';
import { CfnTemplate, summarizeTemplate } from '../../../src/cli/summary';
import { defaultProps, fn, HANDLER_ENTRY, newStack, route } from '../../helpers/api';
import { removeTempDirs, runCli, synthesize } from '../run';

/**
 * The summary's queues: each queue with its kind, dead-letter queue, timings and encryption, who works it and who sends
 * to it, and the queues a function works and sends to, as read back from the synthesized template.
 */

afterAll(removeTempDirs);

describe('GIVEN an API with a standard and a FIFO queue, a route function sending to both and a worker to one', () => {
  let out: string;
  beforeAll(async () => {
    const dir = synthesize(
      (app) => {
        new ServerlessApi(new Stack(app, 'Shop'), 'Api', {
          ...defaultProps(),
          functions: { items: fn([route(HttpMethod.POST, '/items')], { queues: ['thumbnails', 'receipts'] }) },
          queues: {
            thumbnails: {
              visibilityTimeout: Duration.minutes(5),
              worker: {
                entry: HANDLER_ENTRY,
                queues: ['receipts'],
                batchSize: 50,
                maxBatchingWindow: Duration.seconds(10),
              },
            },
            receipts: { fifo: true, maxReceiveCount: 3, worker: { entry: HANDLER_ENTRY, maxConcurrency: 4 } },
          },
        });
      },
      { 'aws:cdk:enable-path-metadata': true },
    );
    ({ out } = await runCli(['summary', dir]));
  });

  test('THEN the queue section shows each queue, its dead-letter queue, timings, worker and senders', () => {
    expect(out).toContain(
      [
        'Queues (2)',
        '  thumbnails (standard, ApiQueuesthumbnailsQueue2A723926)',
        '    dead-letter queue: thumbnails/DeadLetterQueue after 5 receives, kept 14 days',
        '    visibility timeout 5 minutes, retention 4 days, encryption SSE-SQS',
        '    worked by: thumbnails (batches of 50, gathered up to 10 s, failed messages reported one by one)',
        '    sent to by: items',
        '  receipts (FIFO, ApiQueuesreceiptsQueue889C7B06)',
        '    dead-letter queue: receipts/DeadLetterQueue after 3 receives, kept 14 days',
        '    visibility timeout 1 minute, retention 4 days, encryption SSE-SQS',
        '    worked by: receipts (batches of 10, at most 4 at once, failed messages reported one by one)',
        '    sent to by: items, thumbnails',
      ].join('\n'),
    );
  });

  test('THEN the functions say which queue each works and which it sends to', () => {
    const block = (name: string) =>
      out.slice(
        out.indexOf(`\n  ${name} (`),
        out.indexOf('\n', out.indexOf('other actions', out.indexOf(`\n  ${name} (`))),
      );
    expect(block('items')).toContain('    sends to queues: thumbnails, receipts');
    expect(block('items')).not.toContain('worker of queue');
    expect(block('thumbnails')).toContain('    worker of queue thumbnails\n    sends to queues: receipts');
    expect(block('receipts')).toContain('    worker of queue receipts');
    expect(block('receipts')).not.toContain('sends to queues');
  });

  test('THEN the section comes after the functions and no warning is raised', () => {
    expect(out.indexOf('Queues (2)')).toBeGreaterThan(out.indexOf('Functions (3)'));
    expect(out.indexOf('Queues (2)')).toBeLessThan(out.indexOf('Access patterns'));
    expect(out).toContain('Warnings (0)');
  });
});

describe('GIVEN queues written by hand', () => {
  test('WHEN a queue has no dead-letter queue, none works it, or its worker returns whole batches THEN the summary warns', () => {
    // GIVEN
    const stack = newStack();
    new sqs.Queue(stack, 'Orphan', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const jobs = new sqs.Queue(stack, 'Jobs');
    const handler = new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    handler.addEventSourceMapping('Mapping', { eventSourceArn: jobs.queueArn, batchSize: 5 });
    jobs.grantSendMessages(handler);

    // WHEN
    const summary = summarizeTemplate(Template.fromStack(stack).toJSON() as CfnTemplate, 'Test');

    // THEN
    expect(summary.queues.map((q) => [q.logicalId.replace(/[0-9A-F]{8}$/, ''), q.encryption, q.senders])).toEqual([
      ['Orphan', 'NONE', []],
      ['Jobs', 'SSE-SQS', [summary.functions[0].name]],
    ]);
    expect(summary.warnings.filter((w) => w.startsWith('queue '))).toEqual([
      `queue ${summary.queues[0].name}: WARNING: no dead-letter queue: a message that keeps failing is retried until it expires`,
      `queue ${summary.queues[0].name}: no function of this template works it`,
      `queue ${summary.queues[1].name}: WARNING: no dead-letter queue: a message that keeps failing is retried until it expires`,
      `queue ${summary.queues[1].name}: ${summary.functions[0].name} does not report failed messages: one failure returns its whole batch`,
    ]);
    expect(summary.queues[1].workers).toEqual([
      { function: summary.functions[0].name, batchSize: 5, reportsBatchItemFailures: false },
    ]);
  });
});
