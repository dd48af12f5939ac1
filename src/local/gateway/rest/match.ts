/**
 * The REST API's resource tree and how API Gateway picks a resource and method for a request: a static path part
 * beats a variable sibling, a greedy `{proxy+}` takes the rest of the path, a resource that lacks the method gives
 * way to another matching resource (a greedy sibling) that has it, and `ANY` stands for the seven methods API
 * Gateway knows. Path parameters keep their percent-encoding, as the proxy event carries them.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
 */
import { safeDecode } from './request-parts';
import type { LocalRouteModel } from '../../model';

/** The methods `ANY` covers (LocalStack's AWS-validated router, `handlers/resource_router.py`). */
const ANY_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);

type PartKind = 0 | 1 | 2;
const STATIC: PartKind = 0;
const VARIABLE: PartKind = 1;
const GREEDY: PartKind = 2;

interface Part {
  readonly kind: PartKind;
  /** The static text, or the parameter's name. */
  readonly name: string;
}

/** One resource: a path of the tree, with the methods declared on it. */
export interface RestResource {
  /** `/items/{itemId}`; `/` for the root. */
  readonly path: string;
  readonly parts: readonly Part[];
  readonly methods: ReadonlyMap<string, LocalRouteModel>;
  /** Whether the resource has the OPTIONS mock method that answers CORS preflights. */
  readonly preflight: boolean;
}

export type RestMatch =
  | {
      readonly kind: 'route';
      readonly resource: RestResource;
      readonly route: LocalRouteModel;
      /** As sent: still percent-encoded. */
      readonly pathParameters: { readonly [name: string]: string };
    }
  | { readonly kind: 'preflight'; readonly resource: RestResource; readonly pathParameters: { [name: string]: string } }
  | { readonly kind: 'none' };

function partOf(text: string): Part {
  const variable = /^\{(.+?)(\+?)\}$/.exec(text);
  if (!variable) return { kind: STATIC, name: text };
  return { kind: variable[2] ? GREEDY : VARIABLE, name: variable[1] };
}

function partsOf(path: string): Part[] {
  return path
    .split('/')
    .filter((p) => p !== '')
    .map(partOf);
}

/** Lower sorts first: at the first part where two resources differ, static beats variable beats greedy. */
function compareResources(a: RestResource, b: RestResource): number {
  const n = Math.min(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    if (a.parts[i].kind !== b.parts[i].kind) return a.parts[i].kind - b.parts[i].kind;
  }
  return b.parts.length - a.parts.length;
}

/** The path parameters when `resource` matches the segments, else undefined. */
function bind(resource: RestResource, segments: readonly string[]): { [name: string]: string } | undefined {
  const params: { [name: string]: string } = {};
  const parts = resource.parts;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.kind === GREEDY) {
      const rest = segments.slice(i).join('/');
      if (rest === '') return undefined;
      params[part.name] = rest;
      return params;
    }
    const segment = segments[i];
    if (segment === undefined || segment === '') return undefined;
    if (part.kind === STATIC && safeDecode(segment) !== part.name) return undefined;
    if (part.kind === VARIABLE) params[part.name] = segment;
  }
  return parts.length === segments.length ? params : undefined;
}

/** The resources of a REST API, built from its routes as API Gateway creates one resource per path part. */
export class ResourceTree {
  private readonly resources: RestResource[];

  /** @param preflight whether every resource has the CORS OPTIONS mock method (`defaultCorsPreflightOptions`) */
  constructor(routes: readonly LocalRouteModel[], preflight: boolean) {
    const byPath = new Map<string, Map<string, LocalRouteModel>>([['/', new Map()]]);
    for (const route of routes) {
      const parts = route.path.split('/').filter((p) => p !== '');
      for (let i = 1; i <= parts.length; i++) {
        const path = `/${parts.slice(0, i).join('/')}`;
        if (!byPath.has(path)) byPath.set(path, new Map());
      }
      byPath.get(parts.length ? `/${parts.join('/')}` : '/')!.set(route.method.toUpperCase(), route);
    }
    this.resources = [...byPath.entries()]
      .map(([path, methods]) => ({ path, parts: partsOf(path), methods, preflight }))
      .sort(compareResources);
  }

  /** Every resource, most specific first. */
  public get all(): readonly RestResource[] {
    return this.resources;
  }

  /** The resource and method that answer `method` on `segments` (the stage's path split at `/`). */
  public match(method: string, segments: readonly string[]): RestMatch {
    const upper = method.toUpperCase();
    for (const resource of this.resources) {
      const pathParameters = bind(resource, segments);
      if (!pathParameters) continue;
      const route = resource.methods.get(upper);
      if (route) return { kind: 'route', resource, route, pathParameters };
      if (upper === 'OPTIONS' && resource.preflight) return { kind: 'preflight', resource, pathParameters };
      const any = ANY_METHODS.has(upper) ? resource.methods.get('ANY') : undefined;
      if (any) return { kind: 'route', resource, route: any, pathParameters };
    }
    return { kind: 'none' };
  }
}
