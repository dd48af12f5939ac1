import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// The namespace import lets esbuild keep only the parts of zod in use: `import { z } from 'zod'` bundles all of
// it, locales included (about 450 KB minified instead of about 85 KB).
import * as z from 'zod';
import { apiHandler, created, route, Table, type ApiHandler } from '../../../src/runtime';

/**
 * `POST /projects/{projectId}/tasks` with the runtime toolkit: zod schemas for the body and the path, the
 * toolkit's create-once write, and (as deployed) idempotency on the `Idempotency-Key` header.
 */

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, "_" or "-"');
const CreateTask = z.object({
  taskId: Id,
  title: z.string().max(200).regex(/\S/, 'must not be blank'),
});
const ProjectPath = z.object({ projectId: Id });

/** Options of `createHandler()`: the benchmark injects its client and chooses idempotency per variant. */
export interface ToolkitHandlerOptions {
  readonly client?: DynamoDBDocumentClient;
  /** Run the route once per `Idempotency-Key`. Default true, as in the bundle. */
  readonly idempotent?: boolean;
}

export function createHandler(options: ToolkitHandlerOptions = {}): ApiHandler {
  const table = Table.fromEnvironment({ client: options.client });
  const tasks = table.item('createTask');
  const idempotent = options.idempotent ?? true;
  return apiHandler({
    table,
    idempotency: idempotent ? {} : undefined,
    routes: {
      'POST /projects/{projectId}/tasks': route({
        params: ProjectPath,
        body: CreateTask,
        idempotent,
        handle: async ({ params, body, principal }) => {
          const task = {
            taskId: body.taskId,
            title: body.title,
            status: 'OPEN',
            createdAt: new Date().toISOString(),
            createdBy: principal.id,
          };
          await tasks.create({ projectId: params.projectId, taskId: body.taskId }, { entityType: 'Task', ...task });
          return created(task);
        },
      }),
    },
  });
}

export const handler = createHandler();
