/**
 * The value matchers of an event pattern: what one element of a pattern's value array says about one value of the
 * event (exact values, `prefix`, `suffix`, `anything-but`, `numeric`, `equals-ignore-case`, `wildcard`, `cidr`).
 * `exists` concerns the field rather than a value and lives with the field matching (`compile.ts`).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 */
import { cidrMatcher } from './cidr';
import type { Compiled, ValueTest } from './types';

export type { Compiled, ValueTest } from './types';

function problem(text: string): Compiled {
  return { problem: text };
}

const isPlainObject = (value: unknown): value is { [key: string]: unknown } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `"*"` matches any run of characters; `\*` is a literal star and `\\` a backslash. */
function wildcardTest(pattern: string, ignoreCase = false): Compiled {
  if (/(^|[^\\])\*\*/.test(pattern)) return problem(`wildcard "${pattern}" has consecutive wildcard characters`);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      source += `\\${pattern[++i]}`;
    } else if (c === '*') {
      source += '[\\s\\S]*';
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const regex = new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
  return { test: (value) => typeof value === 'string' && regex.test(value) };
}

/** `prefix` / `suffix`: a string, or `{ "equals-ignore-case": string }`. */
function affixTest(kind: 'prefix' | 'suffix', argument: unknown): Compiled {
  let text = argument;
  let ignoreCase = false;
  if (isPlainObject(argument) && Object.keys(argument).length === 1 && 'equals-ignore-case' in argument) {
    text = argument['equals-ignore-case'];
    ignoreCase = true;
  }
  if (typeof text !== 'string') return problem(`${kind} must be a string, got: ${JSON.stringify(argument)}`);
  const wanted = ignoreCase ? text.toLowerCase() : text;
  return {
    test: (value) => {
      if (typeof value !== 'string') return false;
      const subject = ignoreCase ? value.toLowerCase() : value;
      return kind === 'prefix' ? subject.startsWith(wanted) : subject.endsWith(wanted);
    },
  };
}

const NUMERIC_OPERATORS: { readonly [op: string]: (a: number, b: number) => boolean } = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
};

/** `[">", 0, "<=", 5]`: every comparison holds, on a JSON number. */
function numericTest(argument: unknown): Compiled {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0) {
    return problem(`numeric must be a list of operator and number pairs, got: ${JSON.stringify(argument)}`);
  }
  const checks: ValueTest[] = [];
  for (let i = 0; i < argument.length; i += 2) {
    const compare = NUMERIC_OPERATORS[String(argument[i])];
    const bound = argument[i + 1];
    if (!compare || typeof bound !== 'number') {
      return problem(`numeric has an unknown operator or a bound that is not a number: ${JSON.stringify(argument)}`);
    }
    checks.push((value) => compare(value as number, bound));
  }
  return { test: (value) => typeof value === 'number' && checks.every((check) => check(value)) };
}

/** Strings compared ignoring case: `"equals-ignore-case": "name"` or a list of them. */
function ignoreCaseTest(argument: unknown): Compiled {
  const values = Array.isArray(argument) ? argument : [argument];
  if (values.length === 0 || values.some((v) => typeof v !== 'string')) {
    return problem(`equals-ignore-case must be a string, got: ${JSON.stringify(argument)}`);
  }
  const wanted = new Set(values.map((v: string) => v.toLowerCase()));
  return { test: (value) => typeof value === 'string' && wanted.has(value.toLowerCase()) };
}

/**
 * `anything-but`: a value or list of values, or one of `prefix`, `suffix`, `equals-ignore-case`, `wildcard`;
 * matches a value none of them matches (a field the event lacks is matched by nothing but `exists: false`).
 */
function anythingButTest(argument: unknown): Compiled {
  let inner: Compiled;
  if (isPlainObject(argument)) {
    const keys = Object.keys(argument);
    const key = keys[0];
    if (keys.length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(key)) {
      return problem(`anything-but does not take ${JSON.stringify(argument)}`);
    }
    inner =
      key === 'prefix' || key === 'suffix'
        ? affixTest(key, argument[key])
        : key === 'equals-ignore-case'
          ? ignoreCaseTest(argument[key])
          : anyOf((Array.isArray(argument[key]) ? argument[key] : [argument[key]]) as unknown[], wildcardTest);
  } else {
    const values = Array.isArray(argument) ? argument : [argument];
    if (values.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
      return problem(`anything-but takes strings or numbers, got: ${JSON.stringify(argument)}`);
    }
    inner = { test: (value) => values.includes(value) };
  }
  if ('problem' in inner) return inner;
  const test = inner.test;
  return { test: (value) => !test(value) };
}

function anyOf(items: readonly unknown[], each: (item: string) => Compiled): Compiled {
  const compiled: ValueTest[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return problem(`wildcard must be a string, got: ${JSON.stringify(item)}`);
    const c = each(item);
    if ('problem' in c) return c;
    compiled.push(c.test);
  }
  return { test: (value) => compiled.some((test) => test(value)) };
}

const OPERATORS: { readonly [name: string]: (argument: unknown) => Compiled } = {
  prefix: (argument) => affixTest('prefix', argument),
  suffix: (argument) => affixTest('suffix', argument),
  'anything-but': anythingButTest,
  numeric: numericTest,
  'equals-ignore-case': ignoreCaseTest,
  wildcard: (argument) =>
    typeof argument === 'string' ? wildcardTest(argument) : problem(`wildcard must be a string`),
  cidr: (argument) =>
    typeof argument === 'string' ? cidrMatcher(argument) : problem(`cidr must be a string, got: ${argument}`),
};

/** One element of a value array: an exact value (string, number, boolean, null) or an operator object. */
export function compileValue(element: unknown): Compiled {
  if (element === null || ['string', 'number', 'boolean'].includes(typeof element)) {
    return { test: (value) => value === element };
  }
  if (isPlainObject(element)) {
    const keys = Object.keys(element);
    if (keys.length !== 1) return problem(`a matcher takes one operator, got: ${JSON.stringify(element)}`);
    const operator = OPERATORS[keys[0]];
    if (!operator) {
      return problem(`the operator "${keys[0]}" is not supported locally, so this value matches nothing`);
    }
    return operator(element[keys[0]]);
  }
  return problem(`a value list takes strings, numbers, booleans, null or operators, got: ${JSON.stringify(element)}`);
}
