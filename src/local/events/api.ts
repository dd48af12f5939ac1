/**
 * EventBridge's PutEvents as the AWS SDK v3 client speaks it (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`):
 * each entry authorized against the calling function's role for `events:PutEvents` on its bus, with the
 * `events:source` and `events:detail-type` condition keys of that entry (one entry denied refuses the call), then
 * checked, turned into the event EventBridge delivers and routed to the bus's rules.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
import { randomUUID } from 'crypto';
import type { ServiceAuthorizer } from '../iam/service-authorizer';
import type { LocalEventBusModel } from '../workers-model';

type Input = { readonly [key: string]: unknown };

/** An event as EventBridge delivers it. */
export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601 to the second: `2026-01-31T12:00:00Z`. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** An error EventBridge answers for the whole call: `__type` names it. */
export class EventsError extends Error {
  constructor(
    public readonly type: string,
    message: string,
    public readonly status = 400,
  ) {
    super(message);
  }
}

export interface EventsApiOptions {
  /** The buses of the version being served. */
  readonly buses: () => readonly LocalEventBusModel[];
  readonly authorizer: () => ServiceAuthorizer | undefined;
  /** Calls signed with this key skip the authorizer (the test kit's). */
  readonly adminAccessKeyId: string;
  readonly region: () => string;
  readonly accountId: () => string;
  /** Hands an accepted event to the rules of its bus. */
  readonly route: (bus: LocalEventBusModel, event: EventBridgeEvent) => void;
  readonly log: (line: string) => void;
}

/** EventBridge's limit on a PutEvents request: 256 KB over all entries. */
const MAX_REQUEST_BYTES = 256 * 1024;

function entryError(code: string, message: string): Input {
  return { ErrorCode: code, ErrorMessage: message };
}

function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function createEventsApi(options: EventsApiOptions) {
  const busOf = (name: unknown): LocalEventBusModel | undefined => {
    const wanted = typeof name === 'string' && name !== '' ? name : 'default';
    return options.buses().find((bus) => bus.name === wanted || bus.arn === wanted);
  };
  const busArn = (name: unknown): string => {
    const wanted = typeof name === 'string' && name !== '' ? name : 'default';
    if (wanted.startsWith('arn:')) return wanted;
    return `arn:aws:events:${options.region()}:${options.accountId()}:event-bus/${wanted}`;
  };

  /** One entry: the event it makes, or the per-entry error EventBridge reports for it. */
  const prepare = (entry: Input): { event: EventBridgeEvent; bus: LocalEventBusModel } | { error: Input } => {
    for (const [name, label] of [
      ['Source', 'Source'],
      ['DetailType', 'DetailType'],
      ['Detail', 'Detail'],
    ] as const) {
      if (typeof entry[name] !== 'string' || entry[name] === '') {
        return {
          error: entryError(
            'InvalidArgument',
            `Parameter ${label} is not valid. Reason: ${label} is a required argument.`,
          ),
        };
      }
    }
    const source = entry.Source as string;
    if (source.startsWith('aws.')) {
      return { error: entryError('NotAuthorizedForSourceException', 'Not authorized for the source.') };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { error: entryError('MalformedDetail', 'Detail is malformed.') };
    }
    const bus = busOf(entry.EventBusName);
    if (!bus) {
      return {
        error: entryError('ResourceNotFoundException', `Event bus ${String(entry.EventBusName)} does not exist.`),
      };
    }
    const time = typeof entry.Time === 'number' ? entry.Time * 1000 : Date.now();
    const resources = Array.isArray(entry.Resources)
      ? entry.Resources.filter((r): r is string => typeof r === 'string')
      : [];
    return {
      bus,
      event: {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType as string,
        source,
        account: options.accountId(),
        time: isoSeconds(time),
        region: options.region(),
        resources,
        detail,
      },
    };
  };

  const putEvents = (input: Input, accessKeyId: string): Input => {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new EventsError(
        'ValidationException',
        "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
      );
    }
    if (entries.length > 10) {
      throw new EventsError(
        'ValidationException',
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
      );
    }
    if (Buffer.byteLength(JSON.stringify(entries)) > MAX_REQUEST_BYTES) {
      throw new EventsError('ValidationException', 'Total size of the entries in the request is over the limit.');
    }
    const authorizer = accessKeyId === options.adminAccessKeyId ? undefined : options.authorizer();
    if (authorizer) {
      const decision = authorizer.authorize(
        accessKeyId,
        (entries as Input[]).map((entry) => ({
          action: 'events:PutEvents',
          resource: busArn(entry.EventBusName),
          context: {
            'events:eventBusInvocation': 'false',
            ...(typeof entry.Source === 'string' ? { 'events:source': entry.Source } : {}),
            ...(typeof entry.DetailType === 'string' ? { 'events:detail-type': entry.DetailType } : {}),
          },
        })),
      );
      if (!decision.allowed) {
        options.log(`DENIED ${decision.reason}`);
        throw decision.errorType === 'UnrecognizedClient'
          ? new EventsError('UnrecognizedClientException', decision.message)
          : new EventsError('AccessDeniedException', decision.message);
      }
    }
    const results = (entries as Input[]).map((entry) => {
      const prepared = prepare(entry ?? {});
      if ('error' in prepared) return prepared.error;
      options.route(prepared.bus, prepared.event);
      return { EventId: prepared.event.id };
    });
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  };

  return {
    call(operation: string, input: Input, accessKeyId: string): Input {
      if (operation === 'PutEvents') return putEvents(input, accessKeyId);
      options.log(
        `The local EventBridge runs PutEvents only, which is what publishing events calls: ${operation || 'a request without X-Amz-Target'} is refused`,
      );
      throw new EventsError(
        'UnknownOperationException',
        `The local EventBridge runs PutEvents only, got: ${operation}`,
      );
    },
  };
}

export type EventsApi = ReturnType<typeof createEventsApi>;
