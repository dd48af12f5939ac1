/**
 * EventBridge event patterns, which Lambda's event filtering shares: a pattern is a JSON object whose fields name the
 * event's fields; a field's value is an object (a nested pattern) or a list of the values it may take (any one
 * matches, see `values.ts`); every field must match; `$or` takes a list of patterns of which one must match. An
 * array in the event matches when any of its elements does.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
import { compileValue, type ValueTest } from './values';

/** A compiled pattern: whether an event matches it. */
export type EventMatcher = (event: unknown) => boolean;

export interface CompiledPattern {
  readonly matches: EventMatcher;
  /**
   * What in the pattern the local matcher cannot use (an unknown operator, a malformed value): each such part
   * matches nothing, which is what keeps a rule from firing on events it would not match in AWS.
   */
  readonly problems: readonly string[];
}

const isPlainObject = (value: unknown): value is { [key: string]: unknown } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The leaf values at a field: an array's elements (flattened), or the value itself; none for an absent field. */
function leaves(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(leaves);
  return [value];
}

/** A field's value list: `exists` tests the field; the other elements test its values. */
function compileList(list: readonly unknown[], path: string, problems: string[]): (value: unknown) => boolean {
  if (list.length === 0) {
    problems.push(`${path}: an empty value list matches nothing`);
    return () => false;
  }
  const tests: ValueTest[] = [];
  const fieldTests: ((value: unknown) => boolean)[] = [];
  for (const element of list) {
    if (isPlainObject(element) && Object.keys(element).length === 1 && 'exists' in element) {
      const wanted = element.exists;
      if (typeof wanted !== 'boolean') {
        problems.push(`${path}: exists must be true or false, got: ${JSON.stringify(wanted)}`);
        continue;
      }
      // `exists` concerns leaf fields: an object is not a value that exists, an absent field or an empty array does
      // not either.
      fieldTests.push((value) => {
        const present = leaves(value).some((leaf) => !isPlainObject(leaf));
        return present === wanted;
      });
      continue;
    }
    const compiled = compileValue(element);
    if ('problem' in compiled) problems.push(`${path}: ${compiled.problem}`);
    else tests.push(compiled.test);
  }
  return (value) =>
    fieldTests.some((test) => test(value)) || leaves(value).some((leaf) => tests.some((test) => test(leaf)));
}

function compileObject(pattern: { [key: string]: unknown }, path: string, problems: string[]): EventMatcher {
  const fields: EventMatcher[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    const where = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
        problems.push(`${where} must be a list of at least two patterns`);
        fields.push(() => false);
        continue;
      }
      const alternatives = value.map((alternative) => compileObject(alternative, path, problems));
      fields.push((event) => alternatives.some((alternative) => alternative(event)));
      continue;
    }
    if (isPlainObject(value)) {
      const nested = compileObject(value, where, problems);
      // A nested pattern over an array of objects matches when one of the objects matches it.
      fields.push((event) => {
        const field = isPlainObject(event) ? event[key] : undefined;
        return leaves(field).some((element) => nested(element)) || (field === undefined && nested(undefined));
      });
      continue;
    }
    if (Array.isArray(value)) {
      const list = compileList(value, where, problems);
      fields.push((event) => list(isPlainObject(event) ? event[key] : undefined));
      continue;
    }
    problems.push(`${where} must be a list of values or a nested pattern, got: ${JSON.stringify(value)}`);
    fields.push(() => false);
  }
  return (event) => fields.every((field) => field(event));
}

export function compilePattern(pattern: unknown): CompiledPattern {
  const problems: string[] = [];
  if (!isPlainObject(pattern)) {
    return { matches: () => false, problems: [`a pattern must be a JSON object, got: ${JSON.stringify(pattern)}`] };
  }
  return { matches: compileObject(pattern, '', problems), problems };
}

/** What the local matcher cannot use in a pattern, for the reader's warnings. */
export function patternProblems(pattern: unknown): readonly string[] {
  return compilePattern(pattern).problems;
}
