/** Order statistics and fixed-width formatting for the benchmark's tables. */

/** Median, p90 and p99 of a sample, in the sample's unit. */
export interface Summary {
  readonly count: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
}

/**
 * The `q` quantile (0..1) of an ascending sample, by the nearest-rank method: always a value that was actually
 * observed, which keeps p99 honest on a few thousand samples instead of interpolating between outliers.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(sample: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(sample).sort();
  return {
    count: sorted.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
  };
}

export function median(sample: ArrayLike<number>): number {
  return quantile(Float64Array.from(sample).sort(), 0.5);
}

/** `+3.1%` style, for overheads. */
export function percent(ratio: number): string {
  const value = ratio * 100;
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
}

/** A plain text table: the first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Bytes as `12,345 B (12.1 KiB)`. */
export function bytes(count: number): string {
  return `${count.toLocaleString('en-US')} B (${(count / 1024).toFixed(1)} KiB)`;
}
