import * as z from 'zod';

/** The message the tasks function enqueues when a task is completed, and the notifier worker validates. */
export const TaskCompleted = z.strictObject({
  projectId: z.string().min(1),
  taskId: z.string().min(1),
  completedBy: z.string().min(1),
  completedAt: z.string().datetime(),
});
export type TaskCompleted = z.infer<typeof TaskCompleted>;

/** The queue the notifications travel through, as the stack names it. */
export const NOTIFICATIONS_QUEUE = 'notifications';

/**
 * The message id of a task's completion: the same for every send of it, so the worker records it once however
 * often it is sent (a retried request, a completion sent again after a lost one).
 */
export function completionMessageId(projectId: string, taskId: string): string {
  return `task-completed:${projectId}:${taskId}`;
}
