/**
 * The `Condition` element: operators, set prefixes, `...IfExists` and `Null`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 *
 * Values listed under one key are OR-ed; keys under one operator, and operators, are AND-ed. Date, IP address and
 * binary operators are not evaluated (nothing the local API's requests carry uses them): a condition with one of
 * them never matches, and the reason says so.
 */
import { arnLike, Comparison } from './arn';
import type { ContextValue, RequestContext } from './types';
import { contextValue, resolvePolicyString } from './variables';
import { matchesSegments } from './wildcards';

/** A statement's conditions: operator -> condition key -> values. */
export interface ConditionBlock {
  readonly [operator: string]: { readonly [key: string]: readonly string[] };
}

/** A condition that did not match, for the verdict's reason. */
export interface ConditionFailure {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  /** The request's value; undefined when the request does not carry the key. */
  readonly requestValue?: ContextValue;
  /** Set when the operator is one this evaluator does not know. */
  readonly unsupported?: true;
}

interface Operator {
  /** Compares one policy value with one request value, as the positive form of the operator. */
  readonly compare: (policyValue: string, requestValue: string, context: RequestContext) => Comparison;
  /** `StringNotEquals`, `ArnNotLike`...: true when no policy value matches. */
  readonly negated: boolean;
}

const compareString =
  (wildcards: boolean, ignoreCase: boolean) =>
  (policyValue: string, requestValue: string, context: RequestContext): Comparison => {
    const resolved = resolvePolicyString(policyValue, context, { variables: true });
    if ('unresolved' in resolved) return 'invalid';
    return matchesSegments(resolved.segments, requestValue, { wildcards, ignoreCase }) ? 'match' : 'nomatch';
  };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const compareNumber =
  (test: (policy: number, request: number) => boolean) =>
  (policyValue: string, requestValue: string): Comparison => {
    if (!NUMBER.test(policyValue.trim()) || !NUMBER.test(requestValue.trim())) return 'invalid';
    return test(Number(policyValue), Number(requestValue)) ? 'match' : 'nomatch';
  };

/** Booleans compare as text, case-insensitively; the docs allow no variables in `Bool`. */
const compareBool = (policyValue: string, requestValue: string): Comparison => {
  const p = policyValue.toLowerCase();
  const r = requestValue.toLowerCase();
  if (!['true', 'false'].includes(p) || !['true', 'false'].includes(r)) return 'invalid';
  return p === r ? 'match' : 'nomatch';
};

const positive = (compare: Operator['compare']): Operator => ({ compare, negated: false });
const negative = (compare: Operator['compare']): Operator => ({ compare, negated: true });

const OPERATORS: { readonly [lowerCaseName: string]: Operator } = {
  stringequals: positive(compareString(false, false)),
  stringnotequals: negative(compareString(false, false)),
  stringequalsignorecase: positive(compareString(false, true)),
  stringnotequalsignorecase: negative(compareString(false, true)),
  stringlike: positive(compareString(true, false)),
  stringnotlike: negative(compareString(true, false)),
  numericequals: positive(compareNumber((p, r) => r === p)),
  numericnotequals: negative(compareNumber((p, r) => r === p)),
  numericlessthan: positive(compareNumber((p, r) => r < p)),
  numericlessthanequals: positive(compareNumber((p, r) => r <= p)),
  numericgreaterthan: positive(compareNumber((p, r) => r > p)),
  numericgreaterthanequals: positive(compareNumber((p, r) => r >= p)),
  bool: positive(compareBool),
  arnequals: positive(arnLike),
  arnlike: positive(arnLike),
  arnnotequals: negative(arnLike),
  arnnotlike: negative(arnLike),
};

interface ParsedOperator {
  readonly set?: 'forallvalues' | 'foranyvalue';
  readonly base: string;
  readonly ifExists: boolean;
}

function parseOperator(name: string): ParsedOperator {
  let rest = name.toLowerCase();
  let set: ParsedOperator['set'];
  for (const prefix of ['forallvalues', 'foranyvalue'] as const) {
    if (rest.startsWith(`${prefix}:`)) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
    }
  }
  const ifExists = rest.endsWith('ifexists') && rest !== 'ifexists';
  return { set, base: ifExists ? rest.slice(0, -'ifexists'.length) : rest, ifExists };
}

/**
 * One policy value list against one request value: a positive operator matches when any value matches; a negated
 * one when none does. A value that cannot be compared (a variable without a value) makes either form fail, as a
 * statement with an unresolvable variable never applies.
 */
function matchesValue(operator: Operator, values: readonly string[], requestValue: string, context: RequestContext) {
  const results = values.map((v) => operator.compare(v, requestValue, context));
  return operator.negated ? results.every((r) => r === 'nomatch') : results.includes('match');
}

/** Whether one operator's condition on one key holds for the request. */
export function conditionMatches(
  operatorName: string,
  key: string,
  values: readonly string[],
  context: RequestContext,
): boolean | 'unsupported' {
  const parsed = parseOperator(operatorName);
  const requestValue = contextValue(context, key);
  if (parsed.base === 'null') {
    // `true`: the key must be absent; `false`: present.
    const wanted = requestValue === undefined ? 'true' : 'false';
    return values.some((v) => v.toLowerCase() === wanted);
  }
  const operator = OPERATORS[parsed.base];
  if (!operator) return 'unsupported';
  if (requestValue === undefined) {
    // ForAllValues holds vacuously over an absent key; ForAnyValue has nothing to match; a negated operator is
    // true when the key is absent, a positive one false; IfExists makes an absent key true.
    if (parsed.ifExists) return true;
    if (parsed.set) return parsed.set === 'forallvalues';
    return operator.negated;
  }
  if (parsed.set) {
    const requestValues = typeof requestValue === 'string' ? [requestValue] : requestValue;
    const each = requestValues.map((v) => matchesValue(operator, values, v, context));
    return parsed.set === 'forallvalues' ? each.every(Boolean) : each.some(Boolean);
  }
  // An operator without a set prefix compares one value: it never matches a multivalued key.
  if (typeof requestValue !== 'string') return false;
  return matchesValue(operator, values, requestValue, context);
}

/** The first condition of the block that does not hold, or undefined when every one holds (or there are none). */
export function failedCondition(
  block: ConditionBlock | undefined,
  context: RequestContext,
): ConditionFailure | undefined {
  for (const [operator, keys] of Object.entries(block ?? {})) {
    for (const [key, values] of Object.entries(keys)) {
      const result = conditionMatches(operator, key, values, context);
      if (result === true) continue;
      const requestValue = contextValue(context, key);
      return {
        operator,
        key,
        values,
        ...(requestValue === undefined ? {} : { requestValue }),
        ...(result === 'unsupported' ? { unsupported: true } : {}),
      };
    }
  }
  return undefined;
}

/** `ForAllValues:StringLike dynamodb:LeadingKeys ["USER#*"] did not match ["USER#bob"]`. */
export function describeFailure(failure: ConditionFailure): string {
  const condition = `${failure.operator} ${failure.key} ${JSON.stringify(failure.values)}`;
  if (failure.unsupported) return `${condition} uses an operator the local evaluator does not support`;
  if (failure.requestValue === undefined) return `${condition} did not match: the request carries no ${failure.key}`;
  return `${condition} did not match ${JSON.stringify(failure.requestValue)}`;
}
