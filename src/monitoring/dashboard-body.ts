import {
  DefaultTokenResolver,
  Fn,
  IPostProcessor,
  IResolvable,
  IResolveContext,
  ITokenResolver,
  Stack,
  StringConcat,
  Tokenization,
  TokenizedStringFragments,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';

/** A string token kept by `KeepStringTokens`, renamed so resolving does not take it up again. */
const KEPT_TOKEN = /\uE000\{Token\[[A-Za-z0-9:._-]+\]\}/g;

/**
 * A dashboard body: the rows laid out top to bottom as `cloudwatch.Dashboard` lays them out, rendered as one
 * `Fn::Sub` whose template is the JSON text and whose variables are the tokens in it (function names, the API id,
 * the region), each once.
 *
 * `cloudwatch.Dashboard` renders the same JSON as an `Fn::Join` of hundreds of fragments, one pair per token
 * occurrence, which synth resolves twice (references, then the template): for an API with 50 functions that
 * was the largest single cost of synth. The deployed body is the same text.
 */
export function dashboardBody(scope: IConstruct, rows: cloudwatch.IWidget[][]): string {
  const column = new cloudwatch.Column(...rows.map((row) => (row.length > 1 ? new cloudwatch.Row(...row) : row[0])));
  column.position(0, 0);
  const body = { widgets: column.toJson() };
  // Widgets hold lazy values (metric lists) as well as string tokens: resolve the former, keep the latter as text.
  const resolved = Tokenization.resolve(body, { scope, resolver: new KeepStringTokens(), preparing: false });
  const text = JSON.stringify(resolved);
  // A token that resolved to something other than a string (a number, an intrinsic object) cannot be a variable.
  if (/"(Ref|Fn::[A-Za-z]+)":/.test(text)) return Stack.of(scope).toJsonString(body);
  const variables: { [name: string]: string } = {};
  const names = new Map<IResolvable, string>();
  let template = '';
  let last = 0;
  for (const match of text.matchAll(KEPT_TOKEN)) {
    template += escapeSub(text.slice(last, match.index));
    const encoded = `$${match[0].slice(1)}`;
    const token = Tokenization.reverseString(encoded).firstToken!;
    let name = names.get(token);
    if (!name) {
      name = `t${names.size}`;
      names.set(token, name);
      variables[name] = encoded;
    }
    template += `\${${name}}`;
    last = match.index! + match[0].length;
  }
  template += escapeSub(text.slice(last));
  return names.size ? Fn.sub(template, variables) : text;
}

/** Literal text in an `Fn::Sub` template: `${` must be written `${!`. */
function escapeSub(text: string): string {
  return text.replace(/\$\{/g, '${!');
}

/** Resolves lazy values and leaves string tokens in place, renamed (`${Token[` becomes `\uE000{Token[`). */
class KeepStringTokens implements ITokenResolver {
  private readonly inner = new DefaultTokenResolver(new StringConcat());

  public resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
    return this.inner.resolveToken(token, context, postProcessor);
  }

  public resolveString(fragments: TokenizedStringFragments, context: IResolveContext): any {
    // A token that resolves to nothing (a metric's account or region when they are the stack's) leaves its key out,
    // as `Stack.toJsonString()` does: kept as text, it would be a variable with no value, which CloudFormation refuses.
    const token = fragments.length === 1 ? fragments.firstToken : undefined;
    if (token && context.resolve(token) === undefined) return undefined;
    return fragments.join(new StringConcat()).replace(/\$\{Token\[/g, '\uE000{Token[');
  }

  public resolveList(list: string[], _context: IResolveContext): any {
    return list;
  }
}
