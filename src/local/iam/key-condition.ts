/**
 * The partition key value a Query reads: the partition-key equality of its `KeyConditionExpression` (or of the
 * legacy `KeyConditions`), which DynamoDB requires and IAM reads as `dynamodb:LeadingKeys`.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.KeyConditions.html
 */
import type { KeyAttributeModel } from '../model';
import { ExpressionToken, resolveAlias, tokenize } from './expression-tokens';

const PARAMETER = 'KeyConditionExpression';

/** A key attribute value as IAM sees it: the text of an `S`, `N` or `B` value (binary as its base64 text). */
export function keyAttribute(value: unknown): { type: string; text: string } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as { [type: string]: unknown });
  if (entries.length !== 1) return undefined;
  const [type, text] = entries[0];
  return ['S', 'N', 'B'].includes(type) && typeof text === 'string' ? { type, text } : undefined;
}

export const keyText = (value: unknown): string | undefined => keyAttribute(value)?.text;

interface Comparison {
  readonly left: ExpressionToken;
  readonly operator: string;
  readonly right: ExpressionToken;
}

/**
 * The comparisons of a key condition: `a = :v`, `a < :v`..., `a BETWEEN :x AND :y` and `begins_with(a, :v)`,
 * joined by AND, with parentheses anywhere a condition can stand.
 */
class KeyConditionParser {
  private at = 0;
  public readonly comparisons: Comparison[] = [];

  constructor(private readonly tokens: readonly ExpressionToken[]) {}

  public parse(): string | undefined {
    const error = this.condition();
    if (error) return error;
    return this.at < this.tokens.length ? this.unexpected() : undefined;
  }

  private condition(): string | undefined {
    for (;;) {
      const error = this.term();
      if (error) return error;
      if (!this.keyword('and')) return undefined;
    }
  }

  private term(): string | undefined {
    if (this.symbol('(')) {
      const error = this.condition();
      if (error) return error;
      return this.symbol(')') ? undefined : this.unexpected();
    }
    const first = this.tokens[this.at];
    if (
      first?.kind === 'name' &&
      first.text.toLowerCase() === 'begins_with' &&
      this.tokens[this.at + 1]?.text === '('
    ) {
      this.at += 2;
      const left = this.operand();
      if (!left || !this.symbol(',')) return this.unexpected();
      const right = this.operand();
      if (!right || !this.symbol(')')) return this.unexpected();
      this.comparisons.push({ left, operator: 'begins_with', right });
      return undefined;
    }
    const left = this.operand();
    if (!left) return this.unexpected();
    if (this.keyword('between')) {
      const low = this.operand();
      if (!low || !this.keyword('and') || !this.operand()) return this.unexpected();
      this.comparisons.push({ left, operator: 'between', right: low });
      return undefined;
    }
    const operator = this.tokens[this.at];
    if (operator?.kind !== 'symbol' || !['=', '<', '<=', '>', '>='].includes(operator.text)) return this.unexpected();
    this.at++;
    const right = this.operand();
    if (!right) return this.unexpected();
    this.comparisons.push({ left, operator: operator.text, right });
    return undefined;
  }

  private operand(): ExpressionToken | undefined {
    const token = this.tokens[this.at];
    const isOperand =
      token && (token.kind === 'alias' || token.kind === 'value' || (token.kind === 'name' && !isKeyword(token)));
    if (!isOperand) return undefined;
    this.at++;
    return token;
  }

  private keyword(word: string): boolean {
    const token = this.tokens[this.at];
    if (token?.kind !== 'name' || token.text.toLowerCase() !== word) return false;
    this.at++;
    return true;
  }

  private symbol(text: string): boolean {
    if (this.tokens[this.at]?.text !== text || this.tokens[this.at].kind !== 'symbol') return false;
    this.at++;
    return true;
  }

  private unexpected(): string {
    const token = this.tokens[this.at];
    return token ? `Syntax error; token: "${token.text}"` : 'Syntax error; unexpected end of expression';
  }
}

const isKeyword = (token: ExpressionToken) => ['and', 'between'].includes(token.text.toLowerCase());

/** The Query's partition key value, read from its key condition; errors are DynamoDB's ValidationException texts. */
export function queryPartitionKey(
  input: { readonly [key: string]: unknown },
  partitionKey: KeyAttributeModel,
): string | { error: string } {
  if (typeof input.KeyConditionExpression === 'string') {
    return fromExpression(input.KeyConditionExpression, input, partitionKey);
  }
  const legacy = input.KeyConditions;
  if (legacy !== null && typeof legacy === 'object') {
    const condition = (legacy as { [name: string]: { ComparisonOperator?: unknown; AttributeValueList?: unknown } })[
      partitionKey.name
    ];
    if (condition?.ComparisonOperator !== 'EQ' || !Array.isArray(condition.AttributeValueList)) {
      return { error: `Query condition missed key schema element: ${partitionKey.name}` };
    }
    return typed(condition.AttributeValueList[0], partitionKey);
  }
  return { error: 'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.' };
}

/** The key value's text when its type is the key's; DynamoDB refuses any other. */
function typed(value: unknown, partitionKey: KeyAttributeModel): string | { error: string } {
  const attribute = keyAttribute(value);
  if (attribute === undefined || attribute.type !== partitionKey.type) {
    return { error: 'One or more parameter values were invalid: Condition parameter type does not match schema type' };
  }
  return attribute.text;
}

function fromExpression(
  expression: string,
  input: { readonly [key: string]: unknown },
  partitionKey: KeyAttributeModel,
): string | { error: string } {
  const tokens = tokenize(expression);
  if ('error' in tokens) return { error: `Invalid ${PARAMETER}: ${tokens.error}` };
  const parser = new KeyConditionParser(tokens);
  const syntax = parser.parse();
  if (syntax) return { error: `Invalid ${PARAMETER}: ${syntax}` };
  for (const { left, operator, right } of parser.comparisons) {
    if (operator !== '=') continue;
    const [path, value] = left.kind === 'value' ? [right, left] : [left, right];
    if (value.kind !== 'value') continue;
    const name =
      path.kind === 'alias' ? resolveAlias(path.text, input.ExpressionAttributeNames, PARAMETER) : { name: path.text };
    if ('error' in name) return name;
    if (name.name !== partitionKey.name) continue;
    const values = input.ExpressionAttributeValues as { [name: string]: unknown } | undefined;
    const attribute = values?.[value.text];
    if (attribute === undefined) {
      return {
        error: `Invalid ${PARAMETER}: An expression attribute value used in expression is not defined; attribute value: ${value.text}`,
      };
    }
    return typed(attribute, partitionKey);
  }
  return { error: `Query condition missed key schema element: ${partitionKey.name}` };
}
