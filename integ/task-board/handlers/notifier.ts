import { TaskCompleted } from './lib/task-completed';
import { HttpError, sqsWorker, Table } from '../../../src/runtime';

/**
 * Works the `notifications` queue: records one notification per completed task, off the request path.
 *
 * Exactly once, twice over: the message id is claimed in the idempotency store before the work runs (a message
 * delivered again is skipped), and the record is a create-once write (a task's notification exists at most once,
 * whichever message carried it). A message that is not a `TaskCompleted` is reported failed alone, and reaches the
 * dead-letter queue after the queue's retries.
 */
const table = Table.fromEnvironment();
const notifications = table.item('recordNotification');

export const handler = sqsWorker({
  table,
  idempotency: { putPattern: 'putNotificationDelivery', getPattern: 'getNotificationDelivery' },
  body: TaskCompleted,
  handle: async ({ body, messageId, logger }) => {
    try {
      await notifications.create(
        { projectId: body.projectId, taskId: body.taskId },
        {
          entityType: 'Notification',
          kind: 'TaskCompleted',
          taskId: body.taskId,
          completedBy: body.completedBy,
          completedAt: body.completedAt,
          messageId,
        },
      );
    } catch (error) {
      // Already recorded, under another message: the notification exists once, which is the point.
      if (error instanceof HttpError && error.status === 409) {
        logger.info('notification already recorded', { projectId: body.projectId, taskId: body.taskId });
        return;
      }
      throw error;
    }
  },
});
