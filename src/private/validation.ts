import { Duration, Size, Token, Tokenization } from 'aws-cdk-lib';

/**
 * Validation helpers shared by every part of the library.
 *
 * Every message names the prop, shows the bad value and says the fix, in the form
 * `` `prop` must be ..., got: value ``. Unresolved tokens are never validated as literals.
 */

/** Renders a value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  if (value instanceof Duration || value instanceof Size) return readable(value) as string;
  if (typeof value === 'string') return JSON.stringify(value);
  // JSON.stringify renders NaN and Infinity as null, which hides the bad value.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_key, v) => readable(v)) ?? String(value);
}

/** Durations and sizes as people write them, inside objects too; other values as they are. */
function readable(value: unknown): unknown {
  if (value instanceof Duration) return value.toHumanString();
  if (value instanceof Size) return value.isUnresolved() ? 'a token' : `${value.toBytes()} bytes`;
  return value;
}

/** Throws `` `prop` must <requirement>, got: <value> ``. */
export function fail(prop: string, requirement: string, value: unknown): never {
  throw new Error(`\`${prop}\` must ${requirement}, got: ${show(value)}`);
}

/** True when the value is a literal that can be checked at synth time. */
export function isLiteral(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (value instanceof Duration) return !value.isUnresolved();
  return !Token.isUnresolved(value);
}

/** A literal value among `allowed` (the values of an enum), with `requirement` naming them in words. */
export function checkOneOf(
  prop: string,
  value: string | undefined,
  allowed: readonly string[],
  requirement: string,
): void {
  if (!isLiteral(value)) return;
  if (!allowed.includes(value as string)) fail(prop, requirement, value);
}

/** A number written into a string (a description, a metric-math expression), tokens included. */
export function numberText(value: number): string {
  return Token.isUnresolved(value) ? Tokenization.stringifyNumber(value) : `${value}`;
}

/** A positive finite number (for example a throttling rate). */
export function checkPositive(prop: string, value: number | undefined): void {
  if (!isLiteral(value)) return;
  if (!Number.isFinite(value) || (value as number) <= 0) fail(prop, 'be a positive number', value);
}

/** A whole number within [min, max]. */
export function checkInteger(prop: string, value: number | undefined, min: number, max: number): void {
  if (!isLiteral(value)) return;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    fail(prop, `be a whole number between ${min} and ${max}`, value);
  }
}

/** A literal duration of whole seconds between `min` and `max` seconds, `range` in words; tokens are not checked. */
export function checkSeconds(prop: string, value: Duration | undefined, min: number, max: number, range: string): void {
  if (value === undefined || !isLiteral(value)) return;
  const ms = value.toMilliseconds();
  if (ms % 1000 !== 0 || ms < min * 1000 || ms > max * 1000) fail(prop, `be whole seconds, ${range}`, value);
}

/** A literal string matching a pattern, described in words for the message. */
export function checkPattern(prop: string, value: string | undefined, pattern: RegExp, requirement: string): void {
  if (!isLiteral(value)) return;
  if (!pattern.test(value as string)) fail(prop, requirement, value);
}

/** Throws when two values have the same `key`, naming both positions. */
export function checkUnique<T>(prop: string, values: readonly T[], key: (value: T) => string): void {
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const k = key(value);
    const first = seen.get(k);
    if (first !== undefined) {
      throw new Error(`\`${prop}[${index}]\` duplicates \`${prop}[${first}]\`: ${show(k)} is declared twice`);
    }
    seen.set(k, index);
  });
}

/**
 * The names of functions and access patterns: they become construct ids, environment variable keys and metric ids,
 * so letters and digits only, starting with a letter.
 */
export const IDENTIFIER_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
export const IDENTIFIER_NAME_RULE = 'have names of 1 to 64 letters and digits, starting with a letter';
