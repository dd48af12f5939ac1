/**
 * Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}` and the escapes `${*}`, `${?}`,
 * `${$}`, replaced with values from the request context.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 *
 * Policies are read as `Version: 2012-10-17` (the version CDK writes), the one that has variables.
 */
import type { ContextValue, RequestContext } from './types';

/** A piece of a policy string: literal text, or an IAM wildcard (`*` any run of characters, `?` one character). */
export type PolicySegment = { readonly literal: string } | { readonly wildcard: '*' | '?' };

/** A policy string split into segments, or the variable that had no value (the string then matches nothing). */
export type ResolvedPolicyString =
  | { readonly segments: readonly PolicySegment[] }
  | { readonly unresolved: string; readonly why: 'missing' | 'multivalued' };

/** The escapes the docs define: they stand for the character itself, never a wildcard. */
const ESCAPES: { readonly [inner: string]: string } = { '*': '*', '?': '?', $: '$' };

/** Looks a key up the way IAM does: condition key names are case-insensitive. */
export function contextValue(context: RequestContext, key: string): ContextValue | undefined {
  if (Object.prototype.hasOwnProperty.call(context, key)) return context[key];
  const lower = key.toLowerCase();
  for (const name of Object.keys(context)) {
    if (name.toLowerCase() === lower) return context[name];
  }
  return undefined;
}

/**
 * Splits `value` into literal text and wildcards, replacing each variable with its context value. With
 * `variables: false` (operators the docs exclude from variables), `${...}` stays literal text.
 */
export function resolvePolicyString(
  value: string,
  context: RequestContext,
  options: { readonly variables: boolean },
): ResolvedPolicyString {
  const segments: PolicySegment[] = [];
  let literal = '';
  const flush = () => {
    if (literal) segments.push({ literal });
    literal = '';
  };
  let i = 0;
  while (i < value.length) {
    const char = value[i];
    if (char === '*' || char === '?') {
      flush();
      segments.push({ wildcard: char });
      i++;
      continue;
    }
    const end = char === '$' && value[i + 1] === '{' ? value.indexOf('}', i + 2) : -1;
    if (end === -1 || !options.variables) {
      literal += char;
      i++;
      continue;
    }
    const replaced = replaceVariable(value.slice(i + 2, end), context);
    if ('unresolved' in replaced) return replaced;
    literal += replaced.text;
    i = end + 1;
  }
  flush();
  return { segments };
}

/**
 * One variable's text. A key the request does not carry, or a multivalued one, resolves to nothing unless the
 * variable names a default (`${aws:PrincipalTag/team, 'company-wide'}`).
 */
function replaceVariable(
  inner: string,
  context: RequestContext,
): { readonly text: string } | { readonly unresolved: string; readonly why: 'missing' | 'multivalued' } {
  if (inner in ESCAPES) return { text: ESCAPES[inner] };
  const comma = inner.indexOf(', ');
  const name = (comma === -1 ? inner : inner.slice(0, comma)).trim();
  const rest = comma === -1 ? undefined : inner.slice(comma + 2);
  const fallback = rest !== undefined && /^'.*'$/s.test(rest) ? rest.slice(1, -1) : undefined;
  const found = contextValue(context, name);
  if (typeof found === 'string') return { text: found };
  if (fallback !== undefined) return { text: fallback };
  return { unresolved: name, why: found === undefined ? 'missing' : 'multivalued' };
}
