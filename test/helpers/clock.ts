import type { Clock } from '../../src/runtime/clock';

/** 2027-01-15T08:00:00Z: the start of a minute and of an hour, far from any test's real time. */
export const TEST_EPOCH_MS = 1_800_000_000_000;

/** A clock that stands still until a test moves it, so a test sets the time it needs instead of waiting for it. */
export class TestClock {
  private ms: number;

  constructor(startMs: number = TEST_EPOCH_MS) {
    this.ms = startMs;
  }

  /** The `Clock` to give the toolkit. */
  public readonly now: Clock = () => this.ms;

  /** Now, in epoch seconds (the unit of the TTL attribute). */
  public epochSeconds(): number {
    return Math.floor(this.ms / 1000);
  }

  public advance(ms: number): void {
    this.ms += ms;
  }

  public set(ms: number): void {
    this.ms = ms;
  }
}
