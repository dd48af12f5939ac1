/** The shapes of compiled pattern parts. Types only. */

/** Tests one leaf value of the event (a string, number, boolean or null). */
export type ValueTest = (value: unknown) => boolean;

/** A compiled element of a value array, or the problem that keeps it from matching anything. */
export type Compiled = { readonly test: ValueTest } | { readonly problem: string };
