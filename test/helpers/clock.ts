import type { Clock } from '../../src/runtime/clock';

/** 2027-01-15T08:00:00Z: the start of a minute and of an hour, far from any test's real time. */
export const TEST_EPOCH_MS = 1_800_000_000_000;

/**
 * A clock that stands still until a test moves it, so a test sets the time it needs instead of waiting for it.
 * Without a time it tells the system's, which lets handlers loaded once serve tests with and without a set time.
 */
export class TestClock {
  /** A clock telling the system time until a test sets it. */
  public static systemUntilSet(): TestClock {
    const clock = new TestClock();
    clock.useSystemTime();
    return clock;
  }

  private ms: number | undefined;

  /** @param startMs where the clock stands */
  constructor(startMs: number = TEST_EPOCH_MS) {
    this.ms = startMs;
  }

  /** The `Clock` to give the toolkit. */
  public readonly now: Clock = () => this.ms ?? Date.now();

  /** Now, in epoch seconds (the unit of the TTL attribute). */
  public epochSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves the clock forward by `ms`, from where it stands (or from the system time). */
  public advance(ms: number): void {
    this.ms = this.now() + ms;
  }

  public set(ms: number): void {
    this.ms = ms;
  }

  /** Tells the system time again. */
  public useSystemTime(): void {
    this.ms = undefined;
  }
}
