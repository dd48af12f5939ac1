/**
 * The task board's asynchronous path, end to end on the local API: completing a task enqueues its notification, the
 * notifier worker takes it from the queue and records it exactly once. Runs the synthesized example (the integ
 * snapshot), its real bundles, queue, event source mapping and roles.
 */
import * as path from 'path';
import { LocalApi } from '../../src/testing';

const TASK_BOARD = path.join(__dirname, '..', '..', 'integ', 'integ.task-board.ts.snapshot');

describe('task board notifications, through the queue and its worker', () => {
  let api: LocalApi;
  let token: string;
  beforeAll(async () => {
    api = await LocalApi.start({ assembly: TASK_BOARD });
    token = await api.token({ sub: 'alice' });
  });
  afterAll(() => api.stop());

  const call = (method: string, route: string, body?: unknown) =>
    fetch(`${api.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const notifications = async (projectId: string) => {
    const res = await call('GET', `/projects/${projectId}/notifications`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: { taskId: string }[] }).items;
  };
  const storedNotifications = async (projectId: string) =>
    (await api.table.items()).filter((item) => item.PK === `NOTIFICATIONS#${projectId}`);

  test('GIVEN an open task WHEN it is completed THEN 200, and once the queue settles the worker has recorded one notification', async () => {
    expect((await call('POST', '/projects/p1/tasks', { taskId: 't1', title: 'Ship it' })).status).toBe(201);
    const completed = await call('POST', '/projects/p1/tasks/t1/complete');
    expect(completed.status).toBe(200);

    await api.settled({ timeoutMs: 20_000 });
    expect(await notifications('p1')).toEqual([
      { taskId: 't1', kind: 'TaskCompleted', completedBy: 'alice', completedAt: expect.any(String) },
    ]);
    const invocations = api.workerInvocations.filter((i) => i.worker === 'notifications');
    expect(invocations.length).toBeGreaterThanOrEqual(1);
    expect(invocations.every((i) => i.outcome === 'ok')).toBe(true);
  });

  test('GIVEN a completed task WHEN it is completed again THEN 409, its notification is sent again under the same id, and still recorded once', async () => {
    expect((await call('POST', '/projects/p2/tasks', { taskId: 't2', title: 'Twice' })).status).toBe(201);
    expect((await call('POST', '/projects/p2/tasks/t2/complete')).status).toBe(200);
    await api.settled({ timeoutMs: 20_000 });
    const before = api.workerInvocations.length;

    expect((await call('POST', '/projects/p2/tasks/t2/complete')).status).toBe(409);
    await api.settled({ timeoutMs: 20_000 });

    // The second message reached the worker, which skipped it: its id was already processed.
    expect(api.workerInvocations.slice(before).map((i) => [i.worker, i.outcome])).toEqual([['notifications', 'ok']]);
    expect(await storedNotifications('p2')).toHaveLength(1);
    expect(api.logs.some((line) => line.includes('t2') && /already|duplicate|skip/i.test(line))).toBe(true);
  });

  test('GIVEN the same message delivered twice THEN the notification is recorded once', async () => {
    const body = { projectId: 'p3', taskId: 't3', completedBy: 'bob', completedAt: '2026-12-01T10:00:00.000Z' };
    const queue = api.queue('notifications');
    await queue.send(body, { attributes: { _messageId: 'task-completed:p3:t3' } });
    await queue.send(body, { attributes: { _messageId: 'task-completed:p3:t3' } });
    await api.settled({ timeoutMs: 20_000 });

    const stored = await storedNotifications('p3');
    expect(stored).toEqual([expect.objectContaining({ SK: 'TASK#t3', completedBy: 'bob' })]);
  });

  test('GIVEN a message that is not a TaskCompleted THEN the worker reports it alone as failed, and it stays for the redrive', async () => {
    const queue = api.queue('notifications');
    const before = api.workerInvocations.length;
    await queue.send({ projectId: 'p4' });
    const deadline = Date.now() + 20_000;
    while (api.workerInvocations.length === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(api.workerInvocations.slice(before)[0]).toMatchObject({
      worker: 'notifications',
      outcome: 'partial',
      failures: 1,
    });
    // In flight until its visibility timeout, then received again until `maxReceiveCount` sends it to the DLQ.
    expect(queue.messages()).toEqual([expect.objectContaining({ receiveCount: 1, state: 'in flight' })]);
    await queue.purge();
  });
});
