// eslint-disable-next-line import/no-extraneous-dependencies -- the AWS SDK v3 of the Lambda runtime (README: Dependencies)
import type { EventBridgeClient, EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { sendOptions } from './deadline';
import {
  jsonText,
  MESSAGE_ID_PATTERN,
  MessageTooLargeError,
  sendFailure,
  senderRequestHandler,
  type SenderClientOptions,
} from './senders';
import { nextMessageId } from './write-ids';
import { EVENTS_ENV } from '../shared/env';
import { MESSAGE_ID_ATTRIBUTE } from '../shared/messages';

/** One source the function may publish as, and its detail types. */
export interface Publication {
  readonly source: string;
  readonly detailTypes: readonly string[];
}

/** The event bus of a function and what it may publish, as `ServerlessApi` describes them in `SERVERLESS_API_EVENTS`. */
export interface EventsConfig {
  readonly bus: string;
  readonly publishes: readonly Publication[];
}

/**
 * The largest PutEvents entry: Source, DetailType, Detail and each of Resources in UTF-8 bytes (Time is not sent).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024;

/** Options of `EventBus.fromEnvironment()`. */
export interface EventBusOptions extends SenderClientOptions {
  /** An EventBridge client to use instead of the toolkit's own (tests, custom settings). */
  readonly client?: EventBridgeClient;
  /**
   * How the client retries throttling and network errors (an AWS SDK retry strategy).
   * @default the AWS SDK's standard strategy: 3 attempts, exponential backoff with jitter
   */
  readonly retryStrategy?: EventBridgeClientConfig['retryStrategy'];
}

/** Options of one `publish()`. */
export interface PublishOptions {
  /** The source, when the function declares the detail type under more than one. Default: the one declaring it. */
  readonly source?: string;
  /**
   * The event's id, instead of the toolkit's: one that names the occurrence wherever it is published from, 1 to 128
   * visible ASCII characters. Default: random, or derived from the idempotent request.
   */
  readonly id?: string;
  /** ARNs of the AWS resources the event concerns (the event's `resources`). */
  readonly resources?: readonly string[];
}

/** What `publish()` put on the bus. */
export interface PublishResult {
  /** The event's id (`detail._messageId`): a worker's `messageId`. */
  readonly id: string;
  /** The id EventBridge gave this copy of the event. */
  readonly eventId?: string;
  readonly source: string;
}

/** Reads the bus and publications `ServerlessApi` declared for the function from `SERVERLESS_API_EVENTS`. */
export function readEventsConfig(env: NodeJS.ProcessEnv = process.env): EventsConfig {
  const raw = env[EVENTS_ENV];
  if (raw === undefined || raw === '') {
    throw new Error(
      `environment variable ${EVENTS_ENV} is not set: ServerlessApi sets it on functions that declare what they publish`,
    );
  }
  let value: EventsConfig;
  try {
    value = JSON.parse(raw) as EventsConfig;
  } catch {
    throw new Error(`environment variable ${EVENTS_ENV} is not valid JSON`);
  }
  const valid =
    typeof value === 'object' &&
    value !== null &&
    typeof value.bus === 'string' &&
    Array.isArray(value.publishes) &&
    value.publishes.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        typeof p.source === 'string' &&
        Array.isArray(p.detailTypes) &&
        p.detailTypes.every((type: unknown) => typeof type === 'string'),
    );
  if (!valid) throw new Error(`environment variable ${EVENTS_ENV} does not hold what ServerlessApi sets`);
  return value;
}

/**
 * The event bus a function publishes to, limited to the sources and detail types the stack declared (its role may
 * put no others: `events:source` and `events:detail-type` conditions). Create it once at module scope.
 *
 * Every event's detail carries an id (`_messageId`): inside an idempotent request (or a message a worker processes
 * idempotently) the n-th event of a detail type a run publishes has the same id on every run, so a worker with
 * idempotency processes an event a retried request published again once.
 */
export class EventBus {
  /** Reads the bus and publications `ServerlessApi` declared for the function (`SERVERLESS_API_EVENTS`). */
  public static fromEnvironment(options: EventBusOptions = {}): EventBus {
    const client =
      options.client ??
      eventBridge().createEventBridgeClient({
        requestHandler: senderRequestHandler(options),
        retryStrategy: options.retryStrategy,
      });
    return new EventBus(readEventsConfig(), client);
  }

  public readonly config: EventsConfig;
  public readonly client: EventBridgeClient;

  constructor(config: EventsConfig, client: EventBridgeClient) {
    this.config = config;
    this.client = client;
  }

  /**
   * Puts an event of `detailType` with `detail` (a JSON object) on the bus. A detail type or source the function did
   * not declare, a `detail` that is not an object or holds `_messageId`, or an entry over 256 KB is a programming
   * error, thrown before anything is sent. An entry EventBridge fails is never ignored: a retryable failure
   * (throttling, an internal failure) is a 503 with `Retry-After`, like the service throttled or unreachable after the
   * SDK's retries; any other is an error naming its code.
   */
  public async publish(detailType: string, detail: object, options: PublishOptions = {}): Promise<PublishResult> {
    const source = this.sourceOf(detailType, options.source);
    const what = `the event "${detailType}" from ${source}`;
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html (Detail)
      throw new Error(
        `${what} needs a JSON object as its detail (EventBridge takes no other), got: ${Array.isArray(detail) ? 'an array' : String(detail)}`,
      );
    }
    if (Object.hasOwn(detail, MESSAGE_ID_ATTRIBUTE)) {
      throw new Error(`${what}: \`${MESSAGE_ID_ATTRIBUTE}\` is the toolkit's in a detail; pass your own id as \`id\``);
    }
    if (options.id !== undefined && !MESSAGE_ID_PATTERN.test(options.id)) {
      throw new Error(`\`id\` must be 1 to 128 visible ASCII characters, got: ${JSON.stringify(options.id)}`);
    }
    const id = options.id ?? nextMessageId(`events\n${this.config.bus}\n${detailType}`);
    const text = jsonText(`${what}'s detail`, { ...detail, [MESSAGE_ID_ATTRIBUTE]: id });
    const resources = options.resources ?? [];
    const bytes =
      Buffer.byteLength(source) +
      Buffer.byteLength(detailType) +
      Buffer.byteLength(text) +
      resources.reduce((sum, arn) => sum + Buffer.byteLength(arn), 0);
    if (bytes > MAX_EVENT_ENTRY_BYTES) {
      throw new MessageTooLargeError(what, bytes, MAX_EVENT_ENTRY_BYTES, 'source, detail type, detail and resources');
    }
    let result;
    try {
      result = await this.client.send(
        eventBridge().putEventsCommand({
          Entries: [
            {
              EventBusName: this.config.bus,
              Source: source,
              DetailType: detailType,
              Detail: text,
              Resources: resources.length ? [...resources] : undefined,
            },
          ],
        }),
        sendOptions(),
      );
    } catch (error) {
      throw sendFailure('the event bus', error);
    }
    const entry = result.Entries?.[0];
    // PutEvents answers 200 when an entry fails: only FailedEntryCount and the entry say so.
    if ((result.FailedEntryCount ?? 0) > 0 || entry?.ErrorCode !== undefined || entry?.EventId === undefined) {
      const failure = Object.assign(
        new Error(
          `EventBridge did not accept ${what}: ${entry?.ErrorCode ?? 'no event id'}: ${entry?.ErrorMessage ?? ''}`.trim(),
        ),
        { name: entry?.ErrorCode ?? 'PutEventsFailure' },
      );
      throw sendFailure('the event bus', failure);
    }
    return { id, eventId: entry.EventId, source };
  }

  /** The source to publish `detailType` as: the one given, or the only one declaring it. */
  private sourceOf(detailType: string, given: string | undefined): string {
    const declaring = this.config.publishes.filter((p) => p.detailTypes.includes(detailType)).map((p) => p.source);
    if (given !== undefined ? declaring.includes(given) : declaring.length === 1) return given ?? declaring[0];
    const declared = this.config.publishes.map((p) => `${p.source}: ${p.detailTypes.join(', ')}`).join('; ');
    if (declaring.length > 1 && given === undefined) {
      throw new Error(
        `detail type "${detailType}" is declared under several sources (${declaring.join(', ')}): pass \`source\``,
      );
    }
    const subject = given === undefined ? `detail type "${detailType}"` : `detail type "${detailType}" from ${given}`;
    throw new Error(
      `this function does not publish ${subject}: declare it among the function's publications in the stack (it publishes: ${declared || 'nothing'})`,
    );
  }
}

/** The EventBridge client's module, loaded with the first `EventBus` (see eventbridge-client.ts). */
function eventBridge(): typeof import('./eventbridge-client') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not with the toolkit
  return require('./eventbridge-client') as typeof import('./eventbridge-client');
}
