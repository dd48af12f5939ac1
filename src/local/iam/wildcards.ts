/**
 * IAM wildcard matching: `*` matches any run of characters (none included), `?` exactly one character.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
 *
 * A character is a Unicode code point and line breaks are characters like any other: the docs describe `?` as
 * "a single character" and `*` as "any combination of characters", with no exception.
 */
import type { PolicySegment } from './variables';

/** Compiled patterns by flags and source: a role's handful of patterns are compiled once per process. */
const compiled = new Map<string, RegExp>();
const MAX_CACHED = 5000;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Whether `value` matches the segments, with wildcards active (`Like`) or literal (`Equals`). */
export function matchesSegments(
  segments: readonly PolicySegment[],
  value: string,
  options: { readonly wildcards: boolean; readonly ignoreCase?: boolean },
): boolean {
  if (!options.ignoreCase && segments.every((s) => 'literal' in s || !options.wildcards)) {
    // No wildcard in play: a plain comparison, the common case of StringEquals.
    return segments.map((s) => ('literal' in s ? s.literal : s.wildcard)).join('') === value;
  }
  const source = segments
    .map((s) => {
      if ('literal' in s) return escapeRegExp(s.literal);
      if (!options.wildcards) return escapeRegExp(s.wildcard);
      return s.wildcard === '*' ? '.*' : '.';
    })
    .join('');
  return regExp(source, options.ignoreCase ? 'isu' : 'su').test(value);
}

/** Matches a pattern that has no variables (an action, an ARN segment): `*` and `?` are wildcards. */
export function matchesWildcard(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  const source = pattern
    .split(/([*?])/)
    .map((part) => (part === '*' ? '.*' : part === '?' ? '.' : escapeRegExp(part)))
    .join('');
  return regExp(source, ignoreCase ? 'isu' : 'su').test(value);
}

function regExp(source: string, flags: string): RegExp {
  const id = `${flags}/${source}`;
  let re = compiled.get(id);
  if (!re) {
    if (compiled.size >= MAX_CACHED) compiled.clear();
    re = new RegExp(`^(?:${source})$`, flags);
    compiled.set(id, re);
  }
  return re;
}
