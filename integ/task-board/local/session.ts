/**
 * The task board, running locally: starts the example with `LocalApi` (the test kit users get) and prints a short
 * session against it, every answer real: a task created, the same create answered 409 by the handler, a request
 * without a token answered 401 by the gateway, a signed webhook, and a handler that reaches outside its key
 * patterns denied by IAM.
 *
 * The app is the example stack plus one route declared only here (`digest`, see ./digest.ts): its handler has the
 * bug the local API exists to catch.
 */
import { createHmac } from 'crypto';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { LocalApi } from '../../../src/testing';
import { WEBHOOK_SIGNATURE_HEADER } from '../handlers/lib/webhook-signature';
import { TaskBoardStack } from '../stack';

const WEBHOOK_SECRET = 'local-webhook-secret';

interface Step {
  readonly title: string;
  readonly method: string;
  readonly path: string;
  readonly token?: string;
  readonly body?: string;
  readonly headers?: { readonly [name: string]: string };
  /** Wait until the queues' workers are done first, and show what they did. */
  readonly afterWorkers?: boolean;
}

async function main(): Promise<void> {
  const started = Date.now();
  const app = new App({ outdir: process.env.CDK_OUTDIR ?? path.join('cdk.out', 'example-local') });
  const stack = new TaskBoardStack(app, 'TaskBoard');
  stack.api.addFunction('digest', {
    entry: path.join(__dirname, 'digest.ts'),
    accessPatterns: ['listProjectTasks'],
    routes: [{ method: HttpMethod.GET, path: '/projects/{projectId}/digest' }],
  });

  const logs: string[] = [];
  const api = await LocalApi.start({
    app,
    secrets: { WebhookSigningSecret: WEBHOOK_SECRET },
    log: (line) => logs.push(line),
  });
  try {
    const token = await api.token({ sub: 'alice' });
    console.log(`Local API of ${api.model.stackName} at ${api.url} (started in ${Date.now() - started} ms)`);
    console.log(`  ${api.model.api.type} API, ${api.model.api.routes.length} routes, table ${api.table.tableName}`);
    console.log(`  tokens signed with the local dev key (api.token(), or serverless-api token)\n`);

    const task = JSON.stringify({ taskId: 'readme', title: 'Write the README' });
    const webhook = JSON.stringify({ id: 'evt-1', type: 'task.created' });
    const steps: Step[] = [
      { title: 'create a task', method: 'POST', path: '/projects/demo/tasks', token, body: task },
      {
        title: 'create it again: create-once, answered by the handler',
        method: 'POST',
        path: '/projects/demo/tasks',
        token,
        body: task,
      },
      { title: 'list without a token: refused by the gateway', method: 'GET', path: '/projects/demo/tasks' },
      {
        title: 'a signed webhook on the public route',
        method: 'POST',
        path: '/webhooks/acme',
        body: webhook,
        headers: { [WEBHOOK_SIGNATURE_HEADER]: createHmac('sha256', WEBHOOK_SECRET).update(webhook).digest('hex') },
      },
      {
        title: "a session, bound to its caller: the toolkit writes it with alice's tagged session of the caller role",
        method: 'POST',
        path: '/sessions',
        token,
      },
      {
        title: "complete it: answered at once, its notification enqueued for the queue's worker",
        method: 'POST',
        path: '/projects/demo/tasks/readme/complete',
        token,
      },
      {
        title: 'the notifications, once the worker has taken the queue: recorded exactly once',
        method: 'GET',
        path: '/projects/demo/notifications',
        token,
        afterWorkers: true,
      },
      {
        title: 'a handler reaching outside its key patterns (digest reads USER#alice)',
        method: 'GET',
        path: '/projects/demo/digest',
        token,
      },
    ];
    for (const step of steps) {
      const invoked = api.workerInvocations.length;
      if (step.afterWorkers) await api.settled();
      const worked = api.workerInvocations.slice(invoked);
      const before = logs.length;
      const response = await fetch(`${api.url}${step.path}`, {
        method: step.method,
        headers: {
          ...(step.body ? { 'content-type': 'application/json' } : {}),
          ...(step.token ? { authorization: `Bearer ${step.token}` } : {}),
          ...step.headers,
        },
        body: step.body,
      });
      const text = await response.text();
      console.log(`# ${step.title}`);
      for (const w of worked) {
        console.log(
          `  [worker ${w.worker}] ${w.source}: ${w.batchSize} message(s), ${w.outcome}, ${w.failures} failed`,
        );
      }
      console.log(
        `> ${step.method} ${step.path}${step.token ? '  (Bearer token of alice)' : ''}${step.body ? `  ${step.body}` : ''}`,
      );
      console.log(`< ${response.status} ${text}`);
      const challenge = response.headers.get('www-authenticate');
      if (challenge) console.log(`< www-authenticate: ${challenge}`);
      for (const line of logs.slice(before).filter((l) => l.includes('DENIED'))) console.log(`  ${line}`);
      console.log('');
    }
    const items = await api.table.items();
    console.log(`The table holds ${items.length} items: ${items.map((item) => `${item.PK} ${item.SK}`).join(', ')}`);
  } finally {
    await api.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
