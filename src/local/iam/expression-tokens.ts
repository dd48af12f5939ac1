/**
 * Tokens of DynamoDB's expressions (key condition, condition, filter, projection, update) and the attribute names
 * an expression refers to.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html
 */

export type ExpressionToken =
  | { readonly kind: 'name'; readonly text: string } // an attribute name or keyword: `PK`, `AND`, `begins_with`
  | { readonly kind: 'alias'; readonly text: string } // `#pk`
  | { readonly kind: 'value'; readonly text: string } // `:pk`
  | { readonly kind: 'number'; readonly text: string } // a list index
  | { readonly kind: 'symbol'; readonly text: string };

const TOKEN = /\s+|(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|([0-9]+)|(<>|<=|>=|[=<>(),.[\]+-])/y;

/** Splits an expression; an error names the first character DynamoDB would not accept. */
export function tokenize(expression: string): ExpressionToken[] | { error: string } {
  const tokens: ExpressionToken[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match) return { error: `Syntax error; token: "${expression[at]}", near: "${expression.slice(at, at + 10)}"` };
    const [, alias, value, name, number, symbol] = match;
    if (alias) tokens.push({ kind: 'alias', text: alias });
    else if (value) tokens.push({ kind: 'value', text: value });
    else if (name) tokens.push({ kind: 'name', text: name });
    else if (number) tokens.push({ kind: 'number', text: number });
    else if (symbol) tokens.push({ kind: 'symbol', text: symbol });
  }
  return tokens;
}

/** Words of the expression grammar, never attribute names (a reserved word must be aliased with `#`). */
const KEYWORDS = new Set(['and', 'or', 'not', 'between', 'in', 'set', 'remove', 'add', 'delete']);

/** The name an alias stands for; an error in DynamoDB's words when `ExpressionAttributeNames` lacks it. */
export function resolveAlias(alias: string, names: unknown, parameter: string): { name: string } | { error: string } {
  const name = names !== null && typeof names === 'object' ? (names as { [alias: string]: unknown })[alias] : undefined;
  if (typeof name !== 'string') {
    return {
      error: `Invalid ${parameter}: An expression attribute name used in the document path is not defined; attribute name: ${alias}`,
    };
  }
  return { name };
}

/**
 * The top-level attribute names an expression reads or writes: the first element of each document path
 * (`a` of `a.b[0]`), aliases resolved; function names and keywords are not attributes.
 */
export function attributeNames(expression: unknown, names: unknown, parameter: string): string[] | { error: string } {
  if (typeof expression !== 'string') return [];
  const tokens = tokenize(expression);
  if ('error' in tokens) return { error: `Invalid ${parameter}: ${tokens.error}` };
  const found: string[] = [];
  tokens.forEach((token, i) => {
    const previous = tokens[i - 1];
    const next = tokens[i + 1];
    if (token.kind !== 'name' && token.kind !== 'alias') return;
    if (previous?.kind === 'symbol' && previous.text === '.') return;
    if (token.kind === 'name' && (KEYWORDS.has(token.text.toLowerCase()) || next?.text === '(')) return;
    found.push(token.text);
  });
  const resolved: string[] = [];
  for (const text of found) {
    if (!text.startsWith('#')) {
      resolved.push(text);
      continue;
    }
    const alias = resolveAlias(text, names, parameter);
    if ('error' in alias) return alias;
    resolved.push(alias.name);
  }
  return resolved;
}
