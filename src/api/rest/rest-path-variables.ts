import { fail, isLiteral } from '../../private/validation';

/** A variable path part (`{id}`, `{proxy+}`) of a route, under the resource path it is a child of. */
export interface PathVariable {
  /** The parent resource's path: `/things` for `/things/{id}`. */
  readonly parent: string;
  /** The path part as written, greedy marker included: `{id}`, `{proxy+}`. */
  readonly part: string;
  /** Where the route's path is declared, for messages: `functions.items.routes[0].path`. */
  readonly prop: string;
  readonly path: string;
}

/** The variable path parts of a literal `path`, each with its parent resource; none for a token. */
export function pathVariables(prop: string, path: string): PathVariable[] {
  if (!isLiteral(path)) return [];
  const segments = path.split('/').slice(1);
  return segments.flatMap((segment, i) =>
    segment.startsWith('{') ? [{ parent: `/${segments.slice(0, i).join('/')}`, part: segment, prop, path }] : [],
  );
}

/**
 * Throws when `variable` sits beside a different variable part declared earlier. A REST API resource has at most one
 * variable child: API Gateway refuses `/things/{b}` beside `/things/{a}`, and `{proxy+}` beside `{id}`, at deploy
 * time ("only one is allowed"). HTTP APIs document no such rule, so only REST APIs are checked.
 */
export function checkSiblingVariables(variable: PathVariable, declared: readonly PathVariable[]): void {
  const sibling = declared.find((other) => other.parent === variable.parent && other.part !== variable.part);
  if (sibling) {
    fail(
      variable.prop,
      `use ${sibling.part} after "${variable.parent}", as \`${sibling.prop}\` does: a REST API resource has at most one variable path part below it`,
      variable.path,
    );
  }
}
