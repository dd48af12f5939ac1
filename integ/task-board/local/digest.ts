import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { apiHandler, ok, requireCaller, route, Table } from '../../../src/runtime';

/**
 * A handler with a bug the local API catches: its function declares one access pattern (a project's tasks), but
 * the digest also reads the caller's sessions with a hand-written Query on `USER#<sub>`, a partition its role
 * does not reach. In AWS, IAM denies that Query; the local API evaluates the function's role the same way, so the
 * bug shows on the developer's machine, before any deploy. Only the example's local session declares it.
 */

const table = Table.fromEnvironment();
const projectTasks = table.query('listProjectTasks');

export const handler = apiHandler({
  table,
  routes: {
    'GET /projects/{projectId}/digest': route({
      handle: async ({ params, principal }) => {
        const caller = requireCaller(principal);
        const tasks = await projectTasks.page({ projectId: String(params.projectId) });
        // The bug: a key outside the function's access patterns.
        const sessions = await table.client.send(
          new QueryCommand({
            TableName: table.config.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': table.config.partitionKey },
            ExpressionAttributeValues: { ':pk': `USER#${caller.id}` },
          }),
        );
        return ok({ openTasks: tasks.items.length, activeSessions: sessions.Count ?? 0 });
      },
    }),
  },
});
