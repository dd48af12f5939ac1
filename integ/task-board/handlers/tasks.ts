import * as z from 'zod';
import { completionMessageId, NOTIFICATIONS_QUEUE, type TaskCompleted } from './lib/task-completed';
import {
  apiHandler,
  created,
  entityTagOf,
  HttpError,
  ifMatchVersion,
  ok,
  Queues,
  route,
  Table,
  withVersionOf,
  type Item,
} from '../../../src/runtime';

/**
 * Task board: one partition per project (`PROJECT#<projectId>`), one item per task (`TASK#<taskId>`), so
 * listing a project's tasks is a single Query and the function's role never needs Scan.
 *
 * Creating a task is create-once (a second create of the same id is a 409, never an overwrite) and accepts an
 * `Idempotency-Key`, so a client retrying after a lost answer gets the first answer back. Completing is a state
 * transition (OPEN to DONE, else 409) that also honours `If-Match` with the task's entity tag (else 412).
 *
 * A task is answered with its `ETag`, and shows the same entity tag as `etag`, so a board can complete a task it
 * only saw in a list without reading it first.
 *
 * Completing a task also enqueues its notification, which the notifier worker records off the request path. The
 * message id names the completion, so a completion sent twice is recorded once; and completing a task that is already
 * done sends it again before the 409, so a notification lost between the write and the send is not lost for good.
 */

export const TASK_ROUTES = {
  list: 'GET /projects/{projectId}/tasks',
  create: 'POST /projects/{projectId}/tasks',
  complete: 'POST /projects/{projectId}/tasks/{taskId}/complete',
  notifications: 'GET /projects/{projectId}/notifications',
} as const;

const table = Table.fromEnvironment();
const projectTasks = table.query('listProjectTasks');
const newTask = table.item('createTask');
const existingTask = table.item('completeTask');
const currentTask = table.item('getTask');
const projectNotifications = table.query('listNotifications');
const queues = Queues.fromEnvironment();

/** Enqueues the notification of a completed task, under the completion's own message id. */
async function notifyCompleted(projectId: string, taskId: string, completedBy: string, completedAt: string) {
  const message: TaskCompleted = { projectId, taskId, completedBy, completedAt };
  await queues.enqueue(NOTIFICATIONS_QUEUE, message, { id: completionMessageId(projectId, taskId) });
}

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, "_" or "-"');
const ProjectPath = z.object({ projectId: Id });
const TaskPath = z.object({ projectId: Id, taskId: Id });
const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(projectTasks.maxLimit).optional(),
  cursor: z.string().optional(),
});
const NewTask = z.strictObject({ taskId: Id, title: z.string().trim().min(1).max(200) });

/** A task as the API shows it, carrying its version for the `ETag` header. */
function toTask(item: Item) {
  const task = {
    taskId: item.taskId,
    title: item.title,
    status: item.status,
    etag: entityTagOf(item),
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    completedAt: item.completedAt,
  };
  return withVersionOf(task, item);
}

export const handler = apiHandler({
  table,
  idempotency: { putPattern: 'putTaskRequest', getPattern: 'getTaskRequest' },
  rateLimit: { pattern: 'countTaskRequests', limit: 300, windowSeconds: 60 },
  routes: {
    [TASK_ROUTES.list]: route({
      params: ProjectPath,
      query: ListQuery,
      handle: async ({ params, query }) => {
        const page = await projectTasks.page(params, { limit: query.limit, cursor: query.cursor });
        return ok({ items: page.items.map(toTask), nextCursor: page.nextCursor });
      },
    }),
    [TASK_ROUTES.create]: route({
      params: ProjectPath,
      body: NewTask,
      idempotent: true,
      handle: async ({ params, body, principal }) => {
        const item = await newTask.create(
          { projectId: params.projectId, taskId: body.taskId },
          {
            entityType: 'Task',
            taskId: body.taskId,
            title: body.title,
            status: 'OPEN',
            createdAt: new Date().toISOString(),
            createdBy: principal.id,
          },
        );
        return created(toTask(item));
      },
    }),
    [TASK_ROUTES.complete]: route({
      params: TaskPath,
      handle: async ({ params, request, principal }) => {
        const completedAt = new Date().toISOString();
        // The JWT authorizer guarantees a subject on this route.
        const completedBy = principal.id ?? 'unknown';
        let item: Item;
        try {
          item = await existingTask.update(params, {
            set: { status: 'DONE', completedAt, completedBy },
            expect: { status: 'OPEN' },
            ifVersion: ifMatchVersion(request),
          });
        } catch (error) {
          if (error instanceof HttpError && error.status === 409) {
            const done = await currentTask.get(params);
            if (done?.status === 'DONE') {
              await notifyCompleted(
                params.projectId,
                params.taskId,
                String(done.completedBy ?? completedBy),
                String(done.completedAt),
              );
            }
          }
          throw error;
        }
        await notifyCompleted(params.projectId, params.taskId, completedBy, completedAt);
        return ok(toTask(item));
      },
    }),
    [TASK_ROUTES.notifications]: route({
      params: ProjectPath,
      query: ListQuery,
      handle: async ({ params, query }) => {
        const page = await projectNotifications.page(params, { limit: query.limit, cursor: query.cursor });
        return ok({
          items: page.items.map((item) => ({
            taskId: item.taskId,
            kind: item.kind,
            completedBy: item.completedBy,
            completedAt: item.completedAt,
          })),
          nextCursor: page.nextCursor,
        });
      },
    }),
  },
});
