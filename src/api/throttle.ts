/** Request throttling with a token bucket: a steady rate and a burst. */
export interface ThrottleOptions {
  /**
   * Steady-state requests per second.
   *
   * @default 100 for the stage; the stage's rate for a route
   */
  readonly rateLimit?: number;
  /**
   * Requests that may arrive at once above the steady rate (the bucket size).
   *
   * @default 200 for the stage; the stage's burst for a route
   */
  readonly burstLimit?: number;
}
