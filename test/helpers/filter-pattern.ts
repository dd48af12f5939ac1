/**
 * A strict, offline evaluator of the JSON subset of CloudWatch Logs filter patterns, so tests can prove which
 * log lines a metric filter counts without calling the TestMetricFilter API.
 *
 * Semantics follow the CloudWatch Logs "Filter and pattern syntax" documentation (matching terms in JSON log events):
 * - `{ SELECTOR OP VALUE }`, selectors `$.a.b` (names of letters, digits, `-` and `_`);
 * - strings, quoted or not, with `=` and `!=`: exact and case-sensitive; a `*` at the start or end matches any
 *   text there, a `*` elsewhere is a literal character; unquoted strings only of letters, digits, `_`, `.`, `-`, `*`
 *   (the documentation requires quotes around other characters);
 * - numbers (optional sign, decimals, exponent) with `= != < <= > >=`;
 * - `*` alone matches any string or number value (`{ $.latency = * }`);
 * - `&&`, `||` and parentheses, `()` before `&&` before `||`;
 * - a selector on a missing field, an object or an array matches with no operator, `!=` included;
 * - a log event that is not JSON matches no JSON pattern.
 *
 * Anything else throws instead of matching nothing: other syntax (`IS NULL`, `NOT EXISTS`, `IS TRUE`, `%regex%`,
 * array selectors `$.a[0]`, escapes in quoted strings, text and space-delimited patterns), and comparisons the
 * documentation leaves open (a number against a string value or the reverse, any comparison with null or a boolean).
 */

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

type Literal = { readonly kind: 'string'; readonly text: string } | { readonly kind: 'number'; readonly value: number };

type Expression =
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression }
  | {
      readonly kind: 'compare';
      readonly selector: string;
      readonly path: string[];
      readonly op: Operator;
      readonly literal: Literal;
    };

interface Token {
  readonly type: 'punct' | 'op' | 'selector' | 'quoted' | 'word';
  readonly text: string;
  readonly offset: number;
}

const OPERATORS: readonly string[] = ['!=', '<=', '>=', '=', '<', '>'];
const SELECTOR = /^\$(\.[A-Za-z0-9_-]+)+/;
const WORD = /^[A-Za-z0-9_.*+-]+/;
const NUMBER = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const UNQUOTED_STRING = /^[A-Za-z0-9_.*-]+$/;

function unsupported(pattern: string, offset: number): Error {
  return new Error(`unsupported filter pattern syntax at offset ${offset}: ${pattern}`);
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const rest = pattern.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const twoChars = rest.slice(0, 2);
    if (twoChars === '&&' || twoChars === '||') {
      tokens.push({ type: 'punct', text: twoChars, offset: i });
      i += 2;
      continue;
    }
    if ('{}()'.includes(rest[0])) {
      tokens.push({ type: 'punct', text: rest[0], offset: i });
      i += 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op) {
      tokens.push({ type: 'op', text: op, offset: i });
      i += op.length;
      continue;
    }
    const selector = SELECTOR.exec(rest);
    if (selector) {
      // Array selectors (`$.a[0]`) and names with other characters are outside the subset.
      if (/^[[A-Za-z0-9_$]/.test(rest.slice(selector[0].length))) throw unsupported(pattern, i + selector[0].length);
      tokens.push({ type: 'selector', text: selector[0], offset: i });
      i += selector[0].length;
      continue;
    }
    if (rest[0] === '"') {
      const end = rest.indexOf('"', 1);
      const backslash = rest.indexOf('\\', 1);
      // The documentation does not say how to escape inside quotes.
      if (backslash !== -1 && (end === -1 || backslash < end)) throw unsupported(pattern, i + backslash);
      if (end === -1) throw unsupported(pattern, i);
      tokens.push({ type: 'quoted', text: rest.slice(1, end), offset: i });
      i += end + 1;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      tokens.push({ type: 'word', text: word[0], offset: i });
      i += word[0].length;
      continue;
    }
    throw unsupported(pattern, i);
  }
  return tokens;
}

/** Recursive descent over `{ or }`, where or := and ('||' and)*, and := primary ('&&' primary)*. */
class Parser {
  private position = 0;

  constructor(
    private readonly pattern: string,
    private readonly tokens: Token[],
  ) {}

  public parsePattern(): Expression {
    this.expect('{');
    const expression = this.parseOr();
    this.expect('}');
    if (this.position < this.tokens.length) throw this.unexpected();
    return expression;
  }

  private parseOr(): Expression {
    let left = this.parseAnd();
    while (this.accept('||')) left = { kind: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parsePrimary();
    while (this.accept('&&')) left = { kind: 'and', left, right: this.parsePrimary() };
    return left;
  }

  private parsePrimary(): Expression {
    if (this.accept('(')) {
      const inner = this.parseOr();
      this.expect(')');
      return inner;
    }
    const selector = this.next('selector');
    const op = this.next('op').text as Operator;
    const literalToken = this.peek();
    const literal = this.parseLiteral();
    if (literal.kind === 'string' && op !== '=' && op !== '!=') throw unsupported(this.pattern, literalToken!.offset);
    return { kind: 'compare', selector: selector.text, path: selector.text.split('.').slice(1), op, literal };
  }

  private parseLiteral(): Literal {
    const token = this.peek();
    if (token?.type === 'quoted') {
      this.position++;
      return { kind: 'string', text: token.text };
    }
    if (token?.type === 'word') {
      this.position++;
      if (NUMBER.test(token.text)) return { kind: 'number', value: Number(token.text) };
      if (UNQUOTED_STRING.test(token.text)) return { kind: 'string', text: token.text };
    }
    throw this.unexpected(token);
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private accept(punct: string): boolean {
    const token = this.peek();
    if (token?.type === 'punct' && token.text === punct) {
      this.position++;
      return true;
    }
    return false;
  }

  private expect(punct: string): void {
    if (!this.accept(punct)) throw this.unexpected();
  }

  private next(type: Token['type']): Token {
    const token = this.peek();
    if (token?.type !== type) throw this.unexpected();
    this.position++;
    return token;
  }

  private unexpected(token = this.peek()): Error {
    return unsupported(this.pattern, token?.offset ?? this.pattern.length);
  }
}

/** Parses a pattern of the supported subset; throws on anything else. */
function parseFilterPattern(pattern: string): Expression {
  return new Parser(pattern, tokenize(pattern)).parsePattern();
}

function resolve(event: unknown, path: string[]): unknown {
  let node = event;
  for (const name of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, name)) {
      return undefined;
    }
    node = (node as { [key: string]: unknown })[name];
  }
  return node;
}

function matchesString(text: string, value: string): boolean {
  if (text === '*') return true;
  const leading = text.startsWith('*');
  const trailing = text.length > 1 && text.endsWith('*');
  const core = text.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (leading && trailing) return value.includes(core);
  if (leading) return value.endsWith(core);
  if (trailing) return value.startsWith(core);
  return value === core;
}

function compareNumbers(op: Operator, value: number, literal: number): boolean {
  switch (op) {
    case '=':
      return value === literal;
    case '!=':
      return value !== literal;
    case '<':
      return value < literal;
    case '<=':
      return value <= literal;
    case '>':
      return value > literal;
    case '>=':
      return value >= literal;
  }
}

function undocumented(selector: string, value: unknown, literal: Literal): Error {
  const compared = literal.kind === 'number' ? `the number ${literal.value}` : `the string "${literal.text}"`;
  return new Error(`undocumented comparison: ${selector} is ${JSON.stringify(value)}, compared with ${compared}`);
}

function evaluate(expression: Expression, event: unknown): boolean {
  if (expression.kind !== 'compare') {
    const left = evaluate(expression.left, event);
    return expression.kind === 'and'
      ? left && evaluate(expression.right, event)
      : left || evaluate(expression.right, event);
  }

  const { selector, path, op, literal } = expression;
  const value = resolve(event, path);
  if (value === undefined || (typeof value === 'object' && value !== null)) return false;
  if (literal.kind === 'string' && literal.text === '*' && op === '=') {
    if (typeof value === 'string' || typeof value === 'number') return true;
    throw undocumented(selector, value, literal);
  }
  if (literal.kind === 'string' && typeof value === 'string') {
    return matchesString(literal.text, value) === (op === '=');
  }
  if (literal.kind === 'number' && typeof value === 'number') return compareNumbers(op, value, literal.value);
  throw undocumented(selector, value, literal);
}

/**
 * Whether CloudWatch Logs would match `logEvent` with the JSON filter `pattern`.
 *
 * Throws if the pattern leaves the supported subset, even when the event is not JSON.
 */
export function matchesFilterPattern(pattern: string, logEvent: string): boolean {
  const expression = parseFilterPattern(pattern);
  let event: unknown;
  try {
    event = JSON.parse(logEvent);
  } catch {
    return false;
  }
  return evaluate(expression, event);
}

/** The JSON value a selector such as a metric filter dimension (`$.apiId`) picks from `logEvent`, if any. */
export function selectJsonValue(selector: string, logEvent: string): unknown {
  if (!SELECTOR.test(selector) || SELECTOR.exec(selector)![0] !== selector) {
    throw new Error(`unsupported selector: ${selector}`);
  }
  return resolve(JSON.parse(logEvent), selector.split('.').slice(1));
}
