/**
 * REST request validation, before the integration runs: the method's required query strings and headers must be
 * present and not blank, and a JSON body must satisfy the method's model (JSON Schema draft 4). The model is the
 * one for `application/json`, which is also what API Gateway assumes when a request has no `Content-Type`; a body of
 * another content type is not validated.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
 */
import { isIP } from 'net';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import { GatewayError, gatewayError } from './gateway-responses';
import { headerOf, mediaTypeOf } from './request-parts';
import type { GatewayRequest } from '../../contracts';
import type { LocalRouteModel } from '../../model';

/** The draft 4 formats, which API Gateway's validator checks; other formats are ignored. */
const FORMATS: { [name: string]: (value: string) => boolean } = {
  'date-time': (v) =>
    /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v) && !isNaN(Date.parse(v)),
  email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
  hostname: (v) => v.length <= 253 && /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/.test(v),
  ipv4: (v) => isIP(v) === 4,
  ipv6: (v) => isIP(v) === 6,
  uri: (v) => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(v),
};

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, logger: false });
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
  return ajv;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** One schema error in the words of API Gateway's validator log (`object has missing required properties ...`). */
function describe(errors: readonly ErrorObject[]): string {
  const missing = new Map<string, string[]>();
  const lines: string[] = [];
  for (const e of errors) {
    const p = e.params as { [key: string]: any };
    switch (e.keyword) {
      case 'required':
        missing.set(e.instancePath, [...(missing.get(e.instancePath) ?? []), p.missingProperty]);
        break;
      case 'type':
        lines.push(
          `instance type (${typeOf(e.data)}) does not match any allowed primitive type (allowed: ${JSON.stringify([p.type].flat())})`,
        );
        break;
      case 'enum':
        lines.push(
          `instance value (${JSON.stringify(e.data)}) not found in enum (possible values: ${JSON.stringify(p.allowedValues)})`,
        );
        break;
      case 'minimum':
      case 'maximum':
        lines.push(
          `numeric instance is ${e.keyword === 'minimum' ? 'lower than the required minimum' : 'greater than the required maximum'} (${e.keyword}: ${p.limit}, found: ${e.data})`,
        );
        break;
      case 'pattern':
        lines.push(`ECMA 262 regex "${p.pattern}" does not match input string ${JSON.stringify(e.data)}`);
        break;
      case 'additionalProperties':
        lines.push(
          `object instance has properties which are not allowed by the schema: ${JSON.stringify([p.additionalProperty])}`,
        );
        break;
      default:
        lines.push(`${e.instancePath || 'instance'} ${e.message ?? e.keyword}`);
    }
  }
  for (const names of missing.values()) {
    lines.unshift(`object has missing required properties (${JSON.stringify(names)})`);
  }
  return `[${lines.join(', ')}]`;
}

/** The outcome of validating one request. */
export type ValidationVerdict = { readonly ok: true } | { readonly ok: false; readonly error: GatewayError };

/** The request validators of a REST API: each route's model compiled once. */
export class RequestValidation {
  private readonly ajv = newAjv();
  private readonly models = new Map<LocalRouteModel, ValidateFunction>();

  /** Compiles every route's model; a model that is not a valid draft 4 schema is an error naming the route. */
  constructor(routes: readonly LocalRouteModel[]) {
    for (const route of routes) {
      if (!route.requestModel) continue;
      try {
        this.models.set(route, this.ajv.compile(route.requestModel));
      } catch (e) {
        throw new Error(
          `The request model of route "${route.method} ${route.path}" is not a valid JSON Schema (draft 4): ${(e as Error).message}. Fix the route's \`requestModel\`.`,
        );
      }
    }
  }

  /** Required parameters first (as API Gateway checks them), then the body. */
  public validate(
    route: LocalRouteModel,
    request: GatewayRequest,
    query: ReadonlyMap<string, readonly string[]>,
  ): ValidationVerdict {
    const missing = missingParameters(route, request, query);
    if (missing.length > 0) {
      const message = `Missing required request parameters: [${missing.join(', ')}]`;
      return {
        ok: false,
        error: gatewayError('BAD_REQUEST_PARAMETERS', message, 'BadRequestException', { validationError: message }),
      };
    }
    const model = this.models.get(route);
    const contentType = headerOf(request, 'content-type');
    if (!model || mediaTypeOf(contentType ?? 'application/json') !== 'application/json') return { ok: true };
    const text = request.body.toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text.trim() === '' ? '{}' : text);
    } catch (e) {
      return invalidBody(`Invalid JSON in request body: ${(e as Error).message}`);
    }
    return model(body) ? { ok: true } : invalidBody(describe(model.errors ?? []));
  }
}

function invalidBody(validationError: string): ValidationVerdict {
  return {
    ok: false,
    error: gatewayError('BAD_REQUEST_BODY', 'Invalid request body', 'BadRequestException', { validationError }),
  };
}

/** Required query strings and headers that are absent or blank, in the order API Gateway lists them. */
function missingParameters(
  route: LocalRouteModel,
  request: GatewayRequest,
  query: ReadonlyMap<string, readonly string[]>,
): string[] {
  const blank = (values: readonly string[] | undefined) => !values || values.every((v) => v.trim() === '');
  const required = [
    ...route.requiredParameters.headers.map((name) => ({
      key: `method.request.header.${name}`,
      name,
      missing: blank(request.headers[name.toLowerCase()]),
    })),
    ...route.requiredParameters.querystrings.map((name) => ({
      key: `method.request.querystring.${name}`,
      name,
      missing: blank(query.get(name)),
    })),
  ];
  // API Gateway lists them by their parameter key: headers, then path, then query strings (LocalStack's
  // AWS-validated `test_api_gateway_request_validator`: "[x-header-param, issuer, qs1]").
  return required
    .filter((p) => p.missing)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p) => p.name);
}
