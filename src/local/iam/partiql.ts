/**
 * What IAM reads from a PartiQL statement: its verb (`dynamodb:PartiQLSelect`, `...Insert`, `...Update`,
 * `...Delete`), its table or index, and the partition key values it names.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.statements.html
 *
 * Key values are read from top-level equalities of the WHERE clause (`"PK" = 'x'`, `PK = ?`, `PK IN ['a', 'b']`)
 * and from the key of an INSERT's VALUE tuple; a WHERE clause with a top-level OR names no key (it can read any).
 */
import { keyText } from './key-condition';

type Token = { readonly kind: 'string' | 'ident' | 'quoted' | 'number' | 'symbol' | 'param'; readonly text: string };

const TOKEN =
  /\s+|'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_]*)|(-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|(\?)|(<<|>>|<>|!=|<=|>=|\|\||[=<>(),.[\]{}:*+\-/%])/y;

function tokenize(statement: string): Token[] | { error: string } {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < statement.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(statement);
    if (!m) return { error: `Statement wasn't well formed, can't be processed: Unexpected character at ${at}` };
    if (m[1] !== undefined) tokens.push({ kind: 'string', text: m[1].replace(/''/g, "'") });
    else if (m[2] !== undefined) tokens.push({ kind: 'quoted', text: m[2].replace(/""/g, '"') });
    else if (m[3] !== undefined) tokens.push({ kind: 'ident', text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'number', text: m[4] });
    else if (m[5] !== undefined) tokens.push({ kind: 'param', text: '?' });
    else if (m[6] !== undefined) tokens.push({ kind: 'symbol', text: m[6] });
  }
  return tokens;
}

export type PartiqlVerb = 'Select' | 'Insert' | 'Update' | 'Delete';

/** One statement as IAM sees it. */
export interface PartiqlTarget {
  readonly verb: PartiqlVerb;
  readonly table: string;
  readonly index?: string;
  /**
   * The partition key values the statement names: a function of the key attribute name, since only the table's
   * schema says which attribute that is. Undefined when the statement names none.
   */
  readonly keys: (partitionKey: string) => string[] | undefined;
}

const isWord = (token: Token | undefined, word: string) => token?.kind === 'ident' && token.text.toLowerCase() === word;
const isName = (token: Token | undefined) => token?.kind === 'ident' || token?.kind === 'quoted';

/** Parses the parts of a statement IAM needs; an error is DynamoDB's ValidationException text. */
export function parsePartiql(statement: string, parameters: readonly unknown[]): PartiqlTarget | { error: string } {
  const tokens = tokenize(statement);
  if ('error' in tokens) return tokens;
  // `?` placeholders take the parameters in the order they appear.
  let nextParameter = 0;
  const params = new Map<Token, unknown>();
  tokens.forEach((t) => t.kind === 'param' && params.set(t, parameters[nextParameter++]));
  const valueText = (t: Token | undefined): string | undefined => {
    if (t?.kind === 'string' || t?.kind === 'number') return t.text;
    return t?.kind === 'param' ? keyText(params.get(t)) : undefined;
  };
  const verbs: { [word: string]: [PartiqlVerb, string] } = {
    select: ['Select', 'from'],
    insert: ['Insert', 'into'],
    update: ['Update', ''],
    delete: ['Delete', 'from'],
  };
  const [verb, introducer] = verbs[tokens[0]?.kind === 'ident' ? tokens[0].text.toLowerCase() : ''] ?? [];
  if (!verb) {
    return { error: "Statement wasn't well formed, can't be processed: expected SELECT, INSERT, UPDATE or DELETE" };
  }
  let at = introducer ? tokens.findIndex((t, i) => i > 0 && isWord(t, introducer)) + 1 : 1;
  if (at === 0 || !isName(tokens[at])) {
    return {
      error: `Statement wasn't well formed, can't be processed: expected a table name after ${(introducer || verb).toUpperCase()}`,
    };
  }
  const table = tokens[at].text;
  let index: string | undefined;
  if (tokens[at + 1]?.text === '.' && isName(tokens[at + 2])) {
    index = tokens[at + 2].text;
    at += 2;
  }
  const rest = tokens.slice(at + 1);
  const keys =
    verb === 'Insert' ? (pk: string) => insertKey(rest, pk, valueText) : (pk: string) => whereKeys(rest, pk, valueText);
  return { verb, table, ...(index ? { index } : {}), keys };
}

/** Splits tokens at top-level (outside brackets) words such as AND. */
function splitTopLevel(tokens: readonly Token[], word: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'symbol' && ['(', '[', '{', '<<'].includes(t.text)) depth++;
    if (t.kind === 'symbol' && [')', ']', '}', '>>'].includes(t.text)) depth--;
    if (depth === 0 && isWord(t, word)) parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts;
}

function whereKeys(
  tokens: readonly Token[],
  partitionKey: string,
  valueText: (t: Token | undefined) => string | undefined,
): string[] | undefined {
  const where = tokens.findIndex((t) => isWord(t, 'where'));
  if (where === -1) return undefined;
  const returning = tokens.findIndex((t, i) => i > where && isWord(t, 'returning'));
  const clause = tokens.slice(where + 1, returning === -1 ? undefined : returning);
  if (splitTopLevel(clause, 'or').length > 1) return undefined;
  const keys: string[] = [];
  for (let term of splitTopLevel(clause, 'and')) {
    while (term[0]?.text === '(' && term[term.length - 1]?.text === ')') term = term.slice(1, -1);
    const isKey = (t: Token | undefined) => isName(t) && t!.text === partitionKey;
    if (term.length === 3 && term[1].text === '=') {
      const value = isKey(term[0]) ? valueText(term[2]) : isKey(term[2]) ? valueText(term[0]) : undefined;
      if (value !== undefined) keys.push(value);
    } else if (isKey(term[0]) && isWord(term[1], 'in') && ['[', '('].includes(term[2]?.text)) {
      const listed = term.slice(3, -1).filter((t) => t.text !== ',');
      const values = listed.map(valueText);
      if (values.every((v): v is string => v !== undefined)) keys.push(...values);
    }
  }
  return keys.length ? [...new Set(keys)] : undefined;
}

function insertKey(
  tokens: readonly Token[],
  partitionKey: string,
  valueText: (t: Token | undefined) => string | undefined,
): string[] | undefined {
  const open = tokens.findIndex((t) => t.text === '{');
  if (open === -1) return undefined;
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'symbol' && ['(', '[', '{', '<<'].includes(t.text)) depth++;
    if (t.kind === 'symbol' && [')', ']', '}', '>>'].includes(t.text)) depth--;
    if (depth === 1 && t.kind === 'string' && t.text === partitionKey && tokens[i + 1]?.text === ':') {
      const value = valueText(tokens[i + 2]);
      return value === undefined ? undefined : [value];
    }
  }
  return undefined;
}
