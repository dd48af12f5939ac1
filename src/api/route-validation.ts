import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { RouteFeatureContext, validateRouteFeatures } from './api-features';
import { ApiAuthorization } from './authorization/api-authorization';
import { RouteOptions } from './route';
import { validateThrottle } from './throttle-config';
import { checkOneOf, fail, isLiteral } from '../private/validation';

/** A literal segment, a `{param}`, or a greedy `{param+}` (last segment only). */
const LITERAL_SEGMENT = /^[A-Za-z0-9._~:@!$&'()*+,;=-]+$/;
const PARAM_SEGMENT = /^\{[A-Za-z_][A-Za-z0-9_]*\+?\}$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;

/** The API's route key, e.g. `GET /projects/{projectId}/tasks`. */
export function routeKey(route: RouteOptions): string {
  return `${route.method} ${route.path}`;
}

/** Two routes conflict when they differ only in path parameter names. */
export function routeShape(route: RouteOptions): string {
  return `${route.method} ${route.path.replace(/\{[^}]*?(\+?)\}/g, '{$1}')}`;
}

export function validatePath(prop: string, path: string): void {
  if (!isLiteral(path)) return;
  const rule =
    'start with "/" and be made of literal segments and {param} segments ({param+} last), with no empty segment or trailing "/"';
  if (!path.startsWith('/')) fail(prop, rule, path);
  if (path === '/') return;
  const segments = path.slice(1).split('/');
  const names = new Set<string>();
  segments.forEach((segment, i) => {
    if (PARAM_SEGMENT.test(segment)) {
      if (segment.endsWith('+}') && i !== segments.length - 1) fail(prop, rule, path);
      const name = segment.replace(/[{}+]/g, '');
      if (names.has(name)) fail(prop, `use each path parameter name once (${name} repeats)`, path);
      names.add(name);
    } else if (!LITERAL_SEGMENT.test(segment)) {
      fail(prop, rule, path);
    }
  });
}

export function validateRoute(
  prop: string,
  route: RouteOptions,
  apiAuthorization: ApiAuthorization,
  features: RouteFeatureContext,
): void {
  const methods = Object.values(apigwv2.HttpMethod);
  checkOneOf(`${prop}.method`, route.method, methods, `be one of ${methods.join(', ')}`);
  validatePath(`${prop}.path`, route.path);
  validateThrottle(`${prop}.throttle`, route.throttle);
  if (route.authorization) validateRouteAuthorization(`${prop}.authorization`, route.authorization, apiAuthorization);
  const authorization = route.authorization ?? apiAuthorization;
  validateRouteFeatures(prop, route, authorization, features);
  const scopes = route.authorizationScopes;
  if (scopes !== undefined) {
    // Checked first: "be empty on a public route" would be a contradictory answer to `[]`.
    if (scopes.length === 0) fail(`${prop}.authorizationScopes`, 'list at least one scope, or be left out', scopes);
    authorization._kind.validateScopes(`${prop}.authorizationScopes`, scopes);
    scopes.forEach((scope, i) => {
      if (isLiteral(scope) && !SCOPE.test(scope)) {
        fail(`${prop}.authorizationScopes[${i}]`, 'be 1 to 256 printable characters without spaces', scope);
      }
    });
  }
}

export function validateApiAuthorization(prop: string, authorization: ApiAuthorization | undefined): void {
  if (!authorization) {
    fail(
      prop,
      'be set, e.g. ApiAuthorization.jwt({ issuer, audience }): routes are never open by default',
      authorization,
    );
  }
  authorization._kind.validateApiWide(prop);
  authorization._kind.validate(prop);
}

/** A route's own authorization: its settings, and a user pool only the API-wide authorization may create. */
export function validateRouteAuthorization(
  prop: string,
  authorization: ApiAuthorization,
  apiAuthorization: ApiAuthorization,
): void {
  authorization._kind.validate(prop);
  authorization._kind.validateOnRoute(prop, authorization === apiAuthorization);
}
