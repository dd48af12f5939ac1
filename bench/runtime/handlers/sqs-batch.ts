import { randomUUID } from 'crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { sendOptions, sqsWorker, Table, readTableConfig, type SqsWorkerHandler } from '../../../src/runtime';

/**
 * A queue worker that creates a task per message, twice: written by hand (the baseline) and with the toolkit's
 * `sqsWorker`. Both validate each body with the same zod schema and send the same conditional PutItem through the
 * same client, so the difference between them is the wrapper's own work: reading the event, per-message log keys,
 * the deadline, the outcome bookkeeping (and, with idempotency, the claim and the completion of each message).
 */

export const TASK_MESSAGE = z.object({
  projectId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  taskId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  title: z.string().trim().min(1).max(200),
});

type TaskMessage = z.infer<typeof TASK_MESSAGE>;

/** The client a hand-written handler typically creates at module scope. */
export function createClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
}

/** The write both handlers make for one message: create the task unless it exists. */
function putTask(client: DynamoDBDocumentClient, task: TaskMessage) {
  return client.send(
    new PutCommand({
      TableName: process.env.TABLE_NAME,
      Item: {
        PK: `PROJECT#${task.projectId}`,
        SK: `TASK#${task.taskId}`,
        _writeId: randomUUID(),
        title: task.title,
        status: 'OPEN',
        version: 1,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
    sendOptions(),
  );
}

/** The baseline: a loop over the records, a try/catch each, failures reported for a partial batch response. */
export function createBareHandler(client: DynamoDBDocumentClient = createClient()) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        await putTask(client, TASK_MESSAGE.parse(JSON.parse(record.body)));
      } catch (error) {
        console.error('message failed', record.messageId, error);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

/** The same work through `sqsWorker`, with or without idempotency by message id. */
export function createToolkitHandler(
  client: DynamoDBDocumentClient = createClient(),
  idempotent = false,
): SqsWorkerHandler {
  return sqsWorker({
    body: TASK_MESSAGE,
    ...(idempotent ? { table: new Table(readTableConfig(), client), idempotency: {} } : {}),
    handle: async ({ body }) => {
      await putTask(client, body);
    },
  });
}
