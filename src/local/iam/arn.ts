/**
 * ARN matching for the `Resource` element and the `Arn*` condition operators.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 */
import type { RequestContext } from './types';
import { resolvePolicyString } from './variables';
import { matchesSegments, matchesWildcard } from './wildcards';

/** How one policy value compared: `invalid` when it cannot be compared (a variable without a value, not an ARN). */
export type Comparison = 'match' | 'nomatch' | 'invalid';

/** Positions of `char` outside policy variables: the colon of `${aws:username}` separates nothing. */
function indexesOutsideVariables(text: string, chars: string): number[] {
  const found: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end !== -1) {
        i = end;
        continue;
      }
    }
    if (chars.includes(text[i])) found.push(i);
  }
  return found;
}

/**
 * `arn:partition:service:region:account:resource` -> the five parts after `arn`; the resource part keeps any
 * further colons. Undefined when the text is not an ARN.
 */
export function splitArn(arn: string): string[] | undefined {
  const colons = indexesOutsideVariables(arn, ':');
  if (colons.length < 5 || arn.slice(0, colons[0]) !== 'arn') return undefined;
  return [0, 1, 2, 3].map((i) => arn.slice(colons[i] + 1, colons[i + 1])).concat(arn.slice(colons[4] + 1));
}

/**
 * Whether the statement's resource covers the request's. Each of partition, service, region and account is matched
 * on its own (wildcards allowed, variables not); the resource part takes wildcards and variables, its resource type
 * (`table/`) is literal text, as the docs allow no wildcard there. A short policy ARN reads its missing
 * segments as `*`. A request on `*` (actions without resource-level permissions) is covered only by `*`.
 */
export function resourceMatches(policyResource: string, requestResource: string, context: RequestContext): Comparison {
  if (policyResource === '*') return 'match';
  if (requestResource === '*') return 'nomatch';
  const colons = indexesOutsideVariables(policyResource, ':').length;
  const policy = splitArn(colons < 5 ? `${policyResource}${':*'.repeat(5 - colons)}` : policyResource);
  if (!policy) return 'nomatch';
  const request = splitArn(requestResource);
  if (!request) return 'nomatch';
  for (let i = 0; i < 4; i++) {
    if (!matchesWildcard(policy[i], request[i])) return 'nomatch';
  }
  const [type, id] = resourceType(policy[4]);
  if (!request[4].startsWith(type)) return 'nomatch';
  const resolved = resolvePolicyString(id, context, { variables: true });
  if ('unresolved' in resolved) return 'invalid';
  return matchesSegments(resolved.segments, request[4].slice(type.length), { wildcards: true }) ? 'match' : 'nomatch';
}

/** `table/Tasks/index/*` -> [`table/`, `Tasks/index/*`]; a resource part without a separator has no type. */
function resourceType(resource: string): [string, string] {
  const [separator] = indexesOutsideVariables(resource, '/:');
  if (separator === undefined) return ['', resource];
  return [resource.slice(0, separator + 1), resource.slice(separator + 1)];
}

/**
 * `ArnLike` / `ArnEquals` (the docs give both the same meaning): each of the six colon-separated parts is
 * compared on its own, with wildcards and variables; case-sensitive.
 */
export function arnLike(policyArn: string, requestArn: string, context: RequestContext): Comparison {
  const policy = splitArn(policyArn);
  const request = splitArn(requestArn);
  if (!policy || !request) return 'invalid';
  let matches = true;
  for (let i = 0; i < 5; i++) {
    const resolved = resolvePolicyString(policy[i], context, { variables: true });
    if ('unresolved' in resolved) return 'invalid';
    matches &&= matchesSegments(resolved.segments, request[i], { wildcards: true });
  }
  return matches ? 'match' : 'nomatch';
}
