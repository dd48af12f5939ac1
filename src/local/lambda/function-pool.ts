/**
 * The execution environments of one function: an idle one takes the next invocation (warm); when all are busy a new
 * one starts (cold), up to the function's reserved concurrency, beyond which Lambda throttles (429
 * TooManyRequestsException, https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), or up to
 * the runner's own limit, beyond which invocations wait in order.
 */
import type { InvokeOutcome } from '../contracts';
import type { ExecutionEnvironment } from './execution-environment';

export interface FunctionStats {
  /** Environments alive (initializing, busy or idle). */
  readonly environments: number;
  /** Environments running an invocation. */
  readonly busy: number;
  /** Environments started so far. */
  readonly coldStarts: number;
  /** Invocations handed to an environment (throttled ones are not). */
  readonly invocations: number;
}

export interface PoolLimits {
  /** Most environments at once. */
  readonly maxEnvironments: number;
  /** Throttle beyond `maxEnvironments` (reserved concurrency) rather than queue. */
  readonly throttle: boolean;
}

type Waiter = (environment: ExecutionEnvironment | undefined) => void;

export class FunctionPool {
  private readonly environments = new Set<ExecutionEnvironment>();
  /** Most recently used last: reusing it keeps the fewest environments warm. */
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiting: Waiter[] = [];
  private busy = 0;
  private coldStarts = 0;
  private invocations = 0;
  private closed = false;

  constructor(
    private readonly limits: PoolLimits,
    private readonly create: (onLost: (environment: ExecutionEnvironment) => void) => ExecutionEnvironment,
  ) {}

  async invoke(eventJson: string): Promise<InvokeOutcome | 'closed'> {
    if (this.closed) return 'closed';
    const environment =
      this.idle.pop() ?? this.startIfAllowed() ?? (this.limits.throttle ? 'throttled' : await this.wait());
    if (environment === 'throttled') return { status: 'throttled' };
    if (!environment) return 'closed';

    this.busy++;
    this.invocations++;
    let discarded = true;
    try {
      const result = await environment.invoke(eventJson);
      discarded = result.discarded;
      return result.outcome;
    } finally {
      this.busy--;
      if (discarded) this.remove(environment);
      else this.release(environment);
    }
  }

  stats(): FunctionStats {
    return {
      environments: this.environments.size,
      busy: this.busy,
      coldStarts: this.coldStarts,
      invocations: this.invocations,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.splice(0).forEach((waiter) => waiter(undefined));
    this.idle.length = 0;
    await Promise.all([...this.environments].map((environment) => environment.terminate()));
    this.environments.clear();
  }

  private startIfAllowed(): ExecutionEnvironment | undefined {
    if (this.closed || this.environments.size >= this.limits.maxEnvironments) return undefined;
    const environment = this.create((lost) => this.remove(lost));
    this.environments.add(environment);
    this.coldStarts++;
    return environment;
  }

  private wait(): Promise<ExecutionEnvironment | undefined> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(environment: ExecutionEnvironment): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next(environment);
    else this.idle.push(environment);
  }

  private remove(environment: ExecutionEnvironment): void {
    if (!this.environments.delete(environment)) return;
    const index = this.idle.indexOf(environment);
    if (index >= 0) this.idle.splice(index, 1);
    // A queued invocation takes the place the discarded environment left.
    if (this.waiting.length > 0) {
      const replacement = this.startIfAllowed();
      if (replacement) this.waiting.shift()!(replacement);
    }
  }
}
