/** Per-request timing of several handler variants, interleaved so that they share the same conditions. */

/** One way of serving the request under test. */
export interface Variant<Input = unknown> {
  readonly label: string;
  /** Nanoseconds the last `invoke` spent inside the DynamoDB client's `send()`, when the variant tracks it. */
  readonly timeInSend?: () => number;
  /** The input of request `index` (unique ids, keys), built outside the timed section. */
  prepare(index: number): Input;
  /** Serves one request; the timed section. */
  invoke(input: Input): Promise<unknown>;
  /** Throws unless the result is the expected success, so a failing variant cannot look fast. */
  check(result: unknown): void;
}

/** How many requests to run and how to interleave them. */
export interface LatencyPlan {
  /** Timed requests per variant. */
  readonly requests: number;
  /** Untimed requests per variant first, interleaved the same way: JIT, connection pool, caches. */
  readonly warmup: number;
  /** Requests of one variant in a row before switching to the next. */
  readonly block: number;
}

/** Timings of one variant, in nanoseconds, in the order they were taken. */
export interface VariantTimings {
  readonly label: string;
  readonly nanoseconds: Float64Array;
  /** Per request, the part spent outside `send()`: the handler's own work, in place (when tracked). */
  readonly outsideSend?: Float64Array;
}

/**
 * Runs the variants round-robin in blocks, all requests sequential (one Lambda instance serves one request at a
 * time). Each round starts with a different variant, so none always runs first after the others (warm sockets,
 * pending GC, the table growing): drift over the run lands on every variant alike.
 */
export async function measureInterleaved(
  variants: readonly Variant<any>[],
  plan: LatencyPlan,
): Promise<VariantTimings[]> {
  const next = variants.map(() => 0);
  const timings = variants.map((variant) => ({
    label: variant.label,
    nanoseconds: new Float64Array(plan.requests),
    outsideSend: variant.timeInSend ? new Float64Array(plan.requests) : undefined,
  }));
  const taken = variants.map(() => 0);

  const runRounds = async (perVariant: number, record: boolean) => {
    const rounds = Math.ceil(perVariant / plan.block);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = (round + k) % variants.length;
        const variant = variants[v];
        const count = Math.min(plan.block, perVariant - round * plan.block);
        const inputs = Array.from({ length: count }, () => variant.prepare(next[v]++));
        for (const input of inputs) {
          const start = process.hrtime.bigint();
          const result = await variant.invoke(input);
          const elapsed = Number(process.hrtime.bigint() - start);
          const inSend = variant.timeInSend?.() ?? 0;
          variant.check(result);
          if (!record) continue;
          const t = taken[v]++;
          timings[v].nanoseconds[t] = elapsed;
          if (timings[v].outsideSend) timings[v].outsideSend[t] = elapsed - inSend;
        }
      }
    }
  };

  await runRounds(plan.warmup, false);
  await runRounds(plan.requests, true);
  return timings;
}

/** A variant expecting a proxy result with `statusCode`. */
export function expectStatus(label: string, status: number): (result: unknown) => void {
  return (result) => {
    const actual = (result as { statusCode?: unknown } | undefined)?.statusCode;
    if (actual !== status) {
      throw new Error(`${label}: expected ${status}, got ${JSON.stringify(result).slice(0, 500)}`);
    }
  };
}

/** A document client whose `send()` also reports how long it took, for the split of a request's time. */
export interface TimedClient<C> {
  readonly client: C;
  /** Nanoseconds spent in `send()` since the last call of this function. */
  takeTimeInSend(): number;
}

/**
 * Wraps `client.send` to add up its duration: everything from building the HTTP request (marshalling, signing) to
 * parsing the answer, dynalite's own work included. Requests run one at a time, so the sum belongs to one request.
 */
export function timedClient<C extends { send: (...args: any[]) => Promise<unknown> }>(client: C): TimedClient<C> {
  const send = client.send.bind(client);
  let spent = 0;
  client.send = (async (...args: unknown[]) => {
    const start = process.hrtime.bigint();
    try {
      return await send(...args);
    } finally {
      spent += Number(process.hrtime.bigint() - start);
    }
  }) as C['send'];
  return {
    client,
    takeTimeInSend: () => {
      const value = spent;
      spent = 0;
      return value;
    },
  };
}
