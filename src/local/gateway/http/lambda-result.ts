/**
 * Reading a function's payload format 2.0 result. With a `statusCode` the result describes the response
 * (`statusCode`, `headers`, `cookies`, `body`, `isBase64Encoded`); without one, API Gateway answers 200 with the
 * result as a JSON body. Anything it cannot read is an integration failure.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { validateHeaderName, validateHeaderValue } from 'http';

export interface IntegrationResponse {
  readonly statusCode: number;
  /** Lower-case names. */
  readonly headers: { readonly [name: string]: readonly string[] };
  readonly body: Buffer;
}

export type ResultReading =
  | { readonly ok: true; readonly response: IntegrationResponse }
  /** `problem` says what is wrong with the result, for the local log. */
  | { readonly ok: false; readonly problem: string };

/**
 * The content type of a response whose result names none. Undocumented; deployed HTTP APIs answer `text/plain`
 * (github.com/aws-powertools/powertools-lambda-python/issues/2464, github.com/awslabs/aws-lambda-go-api-proxy/issues/116).
 */
export const DEFAULT_RESULT_CONTENT_TYPE = 'text/plain; charset=utf-8';

function malformed(problem: string): ResultReading {
  return { ok: false, problem };
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isRecord(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Undefined when `name: value` can be sent; what is wrong with it otherwise. */
function headerProblem(name: string, value: string): string | undefined {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return undefined;
  } catch {
    return `"headers.${name}" is not a valid HTTP header (a token name, a value without line breaks), got: ${show(value)}`;
  }
}

function readStatusCode(value: unknown): number | undefined {
  const code = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : undefined;
}

/** A result without `statusCode`: 200, its text (a string result) or its JSON. */
function inferred(payload: unknown): ResultReading {
  const body = typeof payload === 'string' ? payload : (JSON.stringify(payload) ?? 'null');
  return {
    ok: true,
    response: {
      statusCode: 200,
      headers: { 'content-type': ['application/json'] },
      body: Buffer.from(body, 'utf8'),
    },
  };
}

export function readLambdaResult(payload: unknown): ResultReading {
  if (!isRecord(payload) || !('statusCode' in payload)) return inferred(payload);
  const statusCode = readStatusCode(payload.statusCode);
  if (statusCode === undefined) {
    return malformed(`"statusCode" must be an integer from 100 to 599, got: ${show(payload.statusCode)}`);
  }
  const headers: { [name: string]: string[] } = {};
  if (payload.headers !== undefined && payload.headers !== null) {
    if (!isRecord(payload.headers)) return malformed(`"headers" must be an object, got: ${show(payload.headers)}`);
    for (const [name, value] of Object.entries(payload.headers)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        return malformed(`"headers.${name}" must be a string, got: ${show(value)}`);
      }
      const problem = headerProblem(name, String(value));
      if (problem) return malformed(problem);
      headers[name.toLowerCase()] = [String(value)];
    }
  }
  if (payload.cookies !== undefined && payload.cookies !== null) {
    const cookies = payload.cookies;
    if (!Array.isArray(cookies) || cookies.some((c) => typeof c !== 'string' || headerProblem('set-cookie', c))) {
      return malformed(`"cookies" must be a list of strings without line breaks, got: ${show(cookies)}`);
    }
    // Each cookie becomes a set-cookie header of its own.
    if (cookies.length > 0) headers['set-cookie'] = [...(headers['set-cookie'] ?? []), ...cookies];
  }
  const isBase64Encoded = payload.isBase64Encoded ?? false;
  if (typeof isBase64Encoded !== 'boolean') {
    return malformed(`"isBase64Encoded" must be true or false, got: ${show(isBase64Encoded)}`);
  }
  const body = payload.body ?? '';
  if (typeof body !== 'string') return malformed(`"body" must be a string, got: ${show(body)}`);
  headers['content-type'] ??= [DEFAULT_RESULT_CONTENT_TYPE];
  return {
    ok: true,
    response: { statusCode, headers, body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8') },
  };
}
