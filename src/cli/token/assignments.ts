/** `NAME=VALUE` arguments of repeatable options (`--claim`, `--secret`), checked once for every command. */

import { ArgumentError, Command } from '../command';

/** Splits each `NAME=VALUE` at its first `=`; a value without `=` or without a name is refused with the flag's usage. */
export function assignments(flag: string, values: readonly string[], command: Command): [string, string][] {
  return values.map((value) => {
    const at = value.indexOf('=');
    if (at <= 0) {
      throw new ArgumentError(`--${flag} must be NAME=VALUE, got: ${JSON.stringify(value)}`, command);
    }
    return [value.slice(0, at), value.slice(at + 1)];
  });
}

/**
 * A claim's value: JSON when it reads as JSON (numbers, booleans, null, arrays, objects, quoted strings), else the
 * text. A value that opens an array or an object but is not JSON is refused: taken as text, it would make a claim of
 * another type than meant.
 */
export function claimValue(name: string, text: string, command: Command): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/^\s*[[{]/.test(text)) return text;
    throw new ArgumentError(
      `--claim ${name} must be valid JSON when it starts with [ or {, got: ${text} (${(error as Error).message}); quote strings inside it, e.g. --claim '${name}=["a","b"]'`,
      command,
    );
  }
}
