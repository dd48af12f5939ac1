import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import * as z from 'zod';
import { lambdaContext } from './aws-events';
import { quietLogger, rejectionOf, startRuntimeTable, thrownBy, type RuntimeTable } from './util';
import { HttpError } from '../../src/runtime/problem';
import { EventBus, MAX_EVENT_ENTRY_BYTES, readEventsConfig } from '../../src/runtime/publish';
import { MessageTooLargeError } from '../../src/runtime/senders';
import { eventWorker } from '../../src/runtime/worker-events';
import { withIdempotentWrites } from '../../src/runtime/write-ids';
import { EVENTS_ENV } from '../../src/shared/env';
import { MESSAGE_ID_ATTRIBUTE } from '../../src/shared/messages';
import { startLocalMessaging, type LocalMessaging } from '../helpers/local-messaging';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let rt: RuntimeTable;
let events: LocalMessaging;
let saved: NodeJS.ProcessEnv;
let bus: EventBus;

beforeAll(async () => {
  saved = { ...process.env };
  rt = await startRuntimeTable();
  events = await startLocalMessaging({});
  // The variable ServerlessApi sets: the bus, and the sources and detail types the role may put.
  process.env[EVENTS_ENV] = JSON.stringify({
    bus: 'task-board',
    publishes: [
      { source: 'task-board.tasks', detailTypes: ['TaskCreated', 'TaskCompleted'] },
      { source: 'task-board.audit', detailTypes: ['TaskCreated'] },
      { source: 'task-board.sessions', detailTypes: ['SessionStarted'] },
    ],
  });
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = events.endpoint;
  bus = EventBus.fromEnvironment({ retryStrategy: new ConfiguredRetryStrategy(3, () => 0) });
});

afterAll(async () => {
  bus.client.destroy();
  await events.close();
  await rt.close();
  process.env = saved;
});

beforeEach(() => events.clear());

describe('EventBus.publish', () => {
  it('puts the event on the bus with the source that declares its detail type, the message id in its detail', async () => {
    const published = await bus.publish('SessionStarted', { sessionId: 's-1' });

    expect(published.id).toMatch(UUID_V4);
    expect(published.source).toBe('task-board.sessions');
    const [event] = events.events();
    expect(published.eventId).toBe(event.id);
    expect(event).toEqual(
      expect.objectContaining({
        bus: 'task-board',
        source: 'task-board.sessions',
        detailType: 'SessionStarted',
        resources: [],
      }),
    );
    expect(JSON.parse(event.detail)).toEqual({ sessionId: 's-1', [MESSAGE_ID_ATTRIBUTE]: published.id });
    expect(events.requests.map((r) => [r.operation, r.input.Entries.length])).toEqual([['PutEvents', 1]]);
  });

  it('takes the source given when several declare the detail type, and resources and an id of your own', async () => {
    const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/tasks';
    const published = await bus.publish(
      'TaskCreated',
      { taskId: 't' },
      { source: 'task-board.audit', id: 'task-t-created', resources: [arn] },
    );
    expect(published).toEqual(expect.objectContaining({ id: 'task-t-created', source: 'task-board.audit' }));
    expect(events.events()[0].resources).toEqual([arn]);
  });

  it('refuses a detail type declared under several sources without `source`', async () => {
    expect((await rejectionOf(bus.publish('TaskCreated', {}))).message).toBe(
      'detail type "TaskCreated" is declared under several sources (task-board.tasks, task-board.audit): pass `source`',
    );
  });

  it('refuses a detail type or a source the function does not declare, naming what it publishes', async () => {
    const declared =
      'task-board.tasks: TaskCreated, TaskCompleted; task-board.audit: TaskCreated; task-board.sessions: SessionStarted';
    expect((await rejectionOf(bus.publish('TaskDeleted', {}))).message).toBe(
      `this function does not publish detail type "TaskDeleted": declare it among the function's publications in the stack (it publishes: ${declared})`,
    );
    expect((await rejectionOf(bus.publish('TaskCompleted', {}, { source: 'task-board.audit' }))).message).toBe(
      `this function does not publish detail type "TaskCompleted" from task-board.audit: declare it among the function's publications in the stack (it publishes: ${declared})`,
    );
    expect(events.requests).toEqual([]);
  });

  it('refuses a detail that is not an object, or that holds the toolkit’s `_messageId`', async () => {
    expect((await rejectionOf(bus.publish('SessionStarted', [1] as object))).message).toBe(
      'the event "SessionStarted" from task-board.sessions needs a JSON object as its detail (EventBridge takes no other), got: an array',
    );
    expect((await rejectionOf(bus.publish('SessionStarted', { _messageId: 'x' }))).message).toBe(
      'the event "SessionStarted" from task-board.sessions: `_messageId` is the toolkit\'s in a detail; pass your own id as `id`',
    );
    expect(events.requests).toEqual([]);
  });

  it('counts the entry as EventBridge does: source, detail type, detail and resources, up to 256 KB', async () => {
    // GIVEN a detail sized so that the entry is exactly at the limit
    const id = 'fixed-id';
    const overhead =
      'task-board.sessions'.length +
      'SessionStarted'.length +
      JSON.stringify({ pad: '', [MESSAGE_ID_ATTRIBUTE]: id }).length;
    const pad = (extra: number) => ({ pad: 'x'.repeat(MAX_EVENT_ENTRY_BYTES - overhead + extra) });

    // WHEN it is published, and one a byte larger
    await bus.publish('SessionStarted', pad(0), { id });
    const error = await rejectionOf(bus.publish('SessionStarted', pad(1), { id }));

    // THEN the first is sent, the second refused before sending
    expect(events.events()).toHaveLength(1);
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error.message).toBe(
      'the event "SessionStarted" from task-board.sessions is 262145 bytes (source, detail type, detail and resources); at most 262144 bytes are accepted: send a reference to the data (an item\'s key, an S3 object) instead',
    );
    expect(events.requests).toHaveLength(1);
  });
});

describe('PutEvents failures', () => {
  it('answers 503 with Retry-After when the entry failed with a retryable code (FailedEntryCount 1)', async () => {
    events.inject('PutEvents', { kind: 'failEntry', errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' });
    const error = await rejectionOf(bus.publish('SessionStarted', {}));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(503);
    expect(error.headers).toEqual({ 'retry-after': '1' });
    expect(error.message).toBe('the event bus is busy or unreachable; retry the request after the time in Retry-After');
    expect(error.cause.message).toBe(
      'EventBridge did not accept the event "SessionStarted" from task-board.sessions: ThrottlingException: Rate exceeded',
    );
  });

  it('throws an error naming the code of an entry failed for good', async () => {
    events.inject('PutEvents', {
      kind: 'failEntry',
      errorCode: 'NotAuthorizedForDetailTypeException',
      errorMessage: 'not authorized',
    });
    const error = await rejectionOf(bus.publish('SessionStarted', {}));
    expect(error).not.toBeInstanceOf(HttpError);
    expect(error.name).toBe('NotAuthorizedForDetailTypeException');
    expect(error.message).toBe(
      'EventBridge did not accept the event "SessionStarted" from task-board.sessions: NotAuthorizedForDetailTypeException: not authorized',
    );
  });

  it('answers 503 when the service still throttles after the SDK retried', async () => {
    events.inject('PutEvents', { kind: 'error', type: 'ThrottlingException', status: 400 }, 3);
    const error = await rejectionOf(bus.publish('SessionStarted', {}));
    expect(error.status).toBe(503);
    expect(error.cause.name).toBe('ThrottlingException');
    expect(events.requests).toHaveLength(3);
  });
});

describe('events published by an idempotent request', () => {
  it('carry the same message id on every run, per detail type, and a worker with idempotency processes them once', async () => {
    // GIVEN a request that publishes two events, run twice (its first answer lost)
    const run = () =>
      withIdempotentWrites('request-1', async () => {
        await bus.publish('TaskCreated', { taskId: 't-1' }, { source: 'task-board.tasks' });
        await bus.publish('TaskCompleted', { taskId: 't-1' });
      });
    await run();
    await run();
    const put = events.events();
    const ids = put.map((event) => JSON.parse(event.detail)[MESSAGE_ID_ATTRIBUTE]);
    expect(ids[2]).toBe(ids[0]);
    expect(ids[3]).toBe(ids[1]);
    expect(ids[1]).not.toBe(ids[0]);

    // WHEN a worker with idempotency gets each of the four events
    const handled: unknown[] = [];
    const worker = eventWorker({
      table: rt.table,
      idempotency: {},
      logger: quietLogger(),
      detail: z.strictObject({ taskId: z.string() }),
      handle: async ({ detailType, detail }) => {
        handled.push([detailType, detail]);
      },
    });
    for (const event of put) await worker(events.eventBridgeEvent(event), lambdaContext());

    // THEN each occurrence is processed once
    expect(handled).toEqual([
      ['TaskCreated', { taskId: 't-1' }],
      ['TaskCompleted', { taskId: 't-1' }],
    ]);
  });
});

describe('readEventsConfig', () => {
  it('needs the variable ServerlessApi sets', () => {
    expect(thrownBy(() => readEventsConfig({})).message).toBe(
      'environment variable SERVERLESS_API_EVENTS is not set: ServerlessApi sets it on functions that declare what they publish',
    );
    expect(thrownBy(() => readEventsConfig({ [EVENTS_ENV]: '[' })).message).toBe(
      'environment variable SERVERLESS_API_EVENTS is not valid JSON',
    );
    expect(thrownBy(() => readEventsConfig({ [EVENTS_ENV]: '{"bus":"b","publishes":[{"source":"s"}]}' })).message).toBe(
      'environment variable SERVERLESS_API_EVENTS does not hold what ServerlessApi sets',
    );
  });
});
