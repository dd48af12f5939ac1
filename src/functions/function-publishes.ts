import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EventPublication } from '../events/event-publication';
import { EVENTBRIDGE_PUT_ACTIONS } from '../private/iam-actions';
import { fail, isLiteral } from '../private/validation';

/**
 * Events a declared function puts on the API's bus: its `publishes` name each source and its detail types, its role
 * may `events:PutEvents` on exactly that bus with exactly those sources and detail types (the `events:source` and
 * `events:detail-type` condition keys, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html
 * and https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html), and the handler
 * finds the bus and its publications in `SERVERLESS_API_EVENTS`.
 */

/**
 * A `source` and a `detail-type` of PutEvents: 1 to 256 and 1 to 128 characters, and no source starting with `aws.`,
 * which AWS services use (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html).
 */
const MAX_SOURCE_LENGTH = 256;
const MAX_DETAIL_TYPE_LENGTH = 128;
export const AWS_SOURCE_PREFIX = 'aws.';

/** What a function's handler finds in `SERVERLESS_API_EVENTS`: the bus and what it may put there. */
export interface EventsDescriptor {
  /** The bus's name (a token for a bus the API creates). */
  readonly bus: string;
  readonly publishes: readonly EventPublication[];
}

/** The bus a function publishing `publishes` puts its events on; undefined for a function that publishes nothing. */
export interface EventBusProvider {
  busFor(publishes: readonly EventPublication[] | undefined): events.IEventBus | undefined;
}

/** Checks a function's `publishes`, at `prop` (`functions.orders.publishes`). */
export function validatePublishes(prop: string, publishes: readonly EventPublication[] | undefined): void {
  if (publishes === undefined) return;
  // JavaScript callers get no type check: a single publication would otherwise be read as an empty list.
  if (!Array.isArray(publishes)) fail(prop, 'be a list of `{ source, detailTypes }`', publishes);
  const sources = new Map<string, number>();
  publishes.forEach((publication, i) => {
    const at = `${prop}[${i}]`;
    if (typeof publication !== 'object' || publication === null) {
      fail(at, 'be a `{ source, detailTypes }` publication', publication);
    }
    const { source, detailTypes } = publication;
    if (typeof source !== 'string') fail(`${at}.source`, 'be a string, such as "com.example.orders"', source);
    if (isLiteral(source)) {
      if (source.length < 1 || source.length > MAX_SOURCE_LENGTH) {
        fail(`${at}.source`, `be 1 to ${MAX_SOURCE_LENGTH} characters, as PutEvents requires`, source);
      }
      if (source.startsWith(AWS_SOURCE_PREFIX)) {
        fail(`${at}.source`, `not start with "${AWS_SOURCE_PREFIX}": EventBridge reserves it for AWS services`, source);
      }
      const first = sources.get(source);
      if (first !== undefined) {
        fail(
          `${at}.source`,
          `differ from \`${prop}[${first}].source\`: list all of a source's detail types once`,
          source,
        );
      }
      sources.set(source, i);
    }
    if (!Array.isArray(detailTypes) || detailTypes.length === 0) {
      fail(`${at}.detailTypes`, 'list at least one detail type the function sends under its source', detailTypes);
    }
    const seen = new Set<string>();
    detailTypes.forEach((detailType, j) => {
      if (typeof detailType !== 'string') fail(`${at}.detailTypes[${j}]`, 'be a string', detailType);
      if (!isLiteral(detailType)) return;
      if (detailType.length < 1 || detailType.length > MAX_DETAIL_TYPE_LENGTH) {
        fail(
          `${at}.detailTypes[${j}]`,
          `be 1 to ${MAX_DETAIL_TYPE_LENGTH} characters, as PutEvents requires`,
          detailType,
        );
      }
      if (seen.has(detailType)) fail(`${at}.detailTypes[${j}]`, 'be listed once', detailType);
      seen.add(detailType);
    });
  });
}

/** What a function that declares `publishes` may do, and what its handler finds; nothing for one that declares none. */
export function publishAccess(
  bus: events.IEventBus | undefined,
  publishes: readonly EventPublication[] | undefined,
): { statements: iam.PolicyStatement[]; descriptor?: EventsDescriptor } {
  if (!publishes?.length) return { statements: [] };
  if (!bus) throw new Error('A function that publishes events needs the API event bus: none was given');
  return {
    // One statement per source: a condition pairing a source with another source's detail types would allow both.
    statements: publishes.map(
      (publication) =>
        new iam.PolicyStatement({
          actions: [...EVENTBRIDGE_PUT_ACTIONS],
          resources: [bus.eventBusArn],
          conditions: {
            // Both keys are multivalued (ArrayOfString in the service authorization reference): every value must be
            // declared, and a request must carry them, or ForAllValues would hold for none.
            'ForAllValues:StringEquals': {
              'events:source': [publication.source],
              'events:detail-type': [...publication.detailTypes],
            },
            Null: { 'events:source': 'false', 'events:detail-type': 'false' },
          },
        }),
    ),
    descriptor: {
      bus: bus.eventBusName,
      publishes: publishes.map(({ source, detailTypes }) => ({ source, detailTypes: [...detailTypes] })),
    },
  };
}
