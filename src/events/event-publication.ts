/**
 * Events a function may put on the API's event bus: one source and the detail types it sends under it. Its role may
 * `events:PutEvents` on exactly that bus, for exactly these sources and detail types.
 */
export interface EventPublication {
  /**
   * The events' `source`, such as `com.example.orders`: 1 to 256 characters, not starting with `aws.`, which
   * EventBridge reserves for AWS services.
   */
  readonly source: string;
  /** The events' `detail-type` values under that source, such as `OrderPlaced`: at least one, 1 to 128 characters each. */
  readonly detailTypes: string[];
}
