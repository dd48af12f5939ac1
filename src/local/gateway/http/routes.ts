/**
 * How an HTTP API picks the route of a request: a full match of path and method first, then a route with a greedy
 * path variable, then `$default`; `ANY` takes the methods the path does not define itself.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */
import type { LocalRouteModel } from '../../model';

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

/** Rank of a segment kind: the lower, the more specific. */
const RANK = { literal: 0, variable: 1, greedy: 2 } as const;

interface CompiledRoute {
  readonly route: LocalRouteModel;
  readonly segments: readonly Segment[];
  readonly greedy: boolean;
}

export interface RouteMatch {
  readonly route: LocalRouteModel;
  /** Values of the route's path variables, from the decoded path. */
  readonly pathParameters: { readonly [name: string]: string };
}

/** The `$default` route's key. */
export const DEFAULT_ROUTE_KEY = '$default';

function compile(route: LocalRouteModel): CompiledRoute {
  const segments: Segment[] = route.path === '/' ? [] : route.path.slice(1).split('/').map(parseSegment);
  return { route, segments, greedy: segments.some((s) => s.kind === 'greedy') };
}

function parseSegment(text: string): Segment {
  const variable = /^\{([^{}+]+)(\+?)\}$/.exec(text);
  if (!variable) return { kind: 'literal', text };
  return variable[2] ? { kind: 'greedy', name: variable[1] } : { kind: 'variable', name: variable[1] };
}

/** Path parameters when `segments` (of the decoded request path) fit the route; a variable never matches empty. */
function fit(route: CompiledRoute, segments: readonly string[]): { [name: string]: string } | undefined {
  const parameters: { [name: string]: string } = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i];
    if (segment.kind === 'greedy') {
      // The greedy variable takes the rest of the path, without its leading "/".
      const rest = segments.slice(i).join('/');
      if (rest === '') return undefined;
      parameters[segment.name] = rest;
      return parameters;
    }
    const value = segments[i];
    if (value === undefined || value === '') return undefined;
    if (segment.kind === 'literal' && segment.text !== value) return undefined;
    if (segment.kind === 'variable') parameters[segment.name] = value;
  }
  return segments.length === route.segments.length ? parameters : undefined;
}

/** Negative when `a` is the more specific route: no greedy variable, then literal before variable, segment by segment. */
function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  if (a.greedy !== b.greedy) return a.greedy ? 1 : -1;
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const rankA = a.segments[i] ? RANK[a.segments[i].kind] : -1;
    const rankB = b.segments[i] ? RANK[b.segments[i].kind] : -1;
    if (rankA !== rankB) return rankA - rankB;
  }
  // Same shape: the path's own method beats ANY.
  return (a.route.method === 'ANY' ? 1 : 0) - (b.route.method === 'ANY' ? 1 : 0);
}

/** The routes of one HTTP API, ready to match requests. */
export class HttpRouteTable {
  private readonly routes: readonly CompiledRoute[];
  private readonly defaultRoute?: LocalRouteModel;

  constructor(routes: readonly LocalRouteModel[]) {
    this.routes = routes.filter((r) => r.routeKey !== DEFAULT_ROUTE_KEY).map(compile);
    this.defaultRoute = routes.find((r) => r.routeKey === DEFAULT_ROUTE_KEY);
  }

  /**
   * The route for `method` on `path` (decoded, without the stage), or undefined when neither a route nor `$default`
   * takes it. A path ending in "/" does not match the route without it: route keys cannot end in "/".
   */
  public match(method: string, path: string): RouteMatch | undefined {
    const segments = path === '/' ? [] : path.slice(1).split('/');
    let best: { route: CompiledRoute; parameters: { [name: string]: string } } | undefined;
    for (const route of this.routes) {
      if (route.route.method !== method && route.route.method !== 'ANY') continue;
      const parameters = fit(route, segments);
      if (parameters && (!best || compareSpecificity(route, best.route) < 0)) best = { route, parameters };
    }
    if (best) return { route: best.route.route, pathParameters: best.parameters };
    return this.defaultRoute ? { route: this.defaultRoute, pathParameters: {} } : undefined;
  }
}
