import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';

/** Which event bus the API's publishers put events on and its event workers' rules listen to. */
export enum ApiEventBusType {
  /** The account's default bus, in the stack's region: it also carries the events of AWS services. */
  DEFAULT = 'DEFAULT',
  /** A bus the API creates, carrying only the events put on it. */
  CREATED = 'CREATED',
  /** A bus that exists already, given to the API. */
  EXISTING = 'EXISTING',
}

/** A bus the API creates. */
export interface ApiEventBusProps {
  /**
   * The bus's name: 1 to 256 letters, digits and `.`, `-`, `_`, not `default`.
   *
   * @default - a name unique to the construct's path in the app
   */
  readonly eventBusName?: string;
  /**
   * Keep every event put on the bus for this long, in whole days, in an archive it can be replayed from.
   *
   * @default - no archive
   */
  readonly archiveRetention?: Duration;
}

/**
 * The event bus of the API's `events`.
 *
 * @example
 * ApiEventBus.create({ eventBusName: 'orders' });
 */
export class ApiEventBus {
  /** The account's default bus in the stack's region. */
  public static default(): ApiEventBus {
    return new ApiEventBus(ApiEventBusType.DEFAULT);
  }

  /**
   * A bus the API creates, so the API's events stay apart from the account's others.
   *
   * @param props its name and archive
   */
  public static create(props: ApiEventBusProps = {}): ApiEventBus {
    return new ApiEventBus(ApiEventBusType.CREATED, props);
  }

  /**
   * A bus that exists already, such as one shared by several applications.
   *
   * @param bus the bus, e.g. from `EventBus.fromEventBusName()`
   */
  public static fromBus(bus: events.IEventBus): ApiEventBus {
    return new ApiEventBus(ApiEventBusType.EXISTING, undefined, bus);
  }

  /** Which kind of bus. */
  public readonly type: ApiEventBusType;
  /** The options of a bus the API creates. */
  public readonly props?: ApiEventBusProps;
  /** The existing bus given. */
  public readonly bus?: events.IEventBus;

  private constructor(type: ApiEventBusType, props?: ApiEventBusProps, bus?: events.IEventBus) {
    this.type = type;
    this.props = props;
    this.bus = bus;
  }
}
