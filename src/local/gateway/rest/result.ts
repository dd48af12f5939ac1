/**
 * Reading a Lambda proxy integration's result (payload 1.0) into the REST API's response. The result may hold only
 * `statusCode` (a number, or digits in a string), `headers`, `multiValueHeaders`, `body` and `isBase64Encoded`;
 * anything else (a bare string, an unknown key, a non-numeric status, a `multiValueHeaders` value that is not a
 * list) is a malformed proxy response, answered 502. `{ headers }` alone is a 200. The two header maps are merged,
 * `multiValueHeaders` first and naming the header. The body is base64-decoded only when the request's first `Accept`
 * type is a binary media type. Cases recorded against AWS in LocalStack's `test_apigateway_lambda.py`
 * (`test_aws_proxy_response_payload_format_validation`).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html
 */
import { isBinaryMediaType } from './request-parts';

const RESULT_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/** Headers of the integration's response that API Gateway renames to `x-amzn-Remapped-<name>` (LocalStack). */
const REMAPPED = ['Connection', 'Content-Length', 'Date', 'Server'];
const DROPPED = new Set(['transfer-encoding']);

export type ProxyResult =
  | {
      readonly ok: true;
      /** The function's `statusCode`: `$context.integration.status` and the response's status. */
      readonly statusCode: number;
      readonly headers: { [name: string]: string[] };
      readonly body: Buffer;
    }
  /** `malformed`: answered 502; `undecodable`: a base64 body that does not decode, answered 500. */
  | { readonly ok: false; readonly problem: 'malformed' | 'undecodable'; readonly reason: string };

function malformed(reason: string): ProxyResult {
  return { ok: false, problem: 'malformed', reason };
}

/** A header value as API Gateway reads it: booleans (AWS-validated) and numbers become their text. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return undefined;
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function statusCodeOf(value: unknown): number | undefined {
  if (value === undefined || value === null) return 200;
  const code = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : undefined;
}

/** `multiValueHeaders` then `headers`: a name in both keeps the multi-value spelling and gets both values. */
function mergeHeaders(result: { [key: string]: unknown }): { [name: string]: string[] } | string {
  const merged: { [name: string]: string[] } = {};
  const spelling = new Map<string, string>();
  const multi = result.multiValueHeaders ?? {};
  if (!isObject(multi)) return '`multiValueHeaders` is not an object';
  for (const [name, values] of Object.entries(multi)) {
    if (!Array.isArray(values)) return `\`multiValueHeaders.${name}\` is not a list`;
    const texts = values.map(scalar);
    if (texts.some((t) => t === undefined)) return `\`multiValueHeaders.${name}\` holds a value that is not a string`;
    merged[name] = texts as string[];
    spelling.set(name.toLowerCase(), name);
  }
  const single = result.headers ?? {};
  if (!isObject(single)) return '`headers` is not an object';
  for (const [name, value] of Object.entries(single)) {
    if (value === null) continue;
    const text = scalar(value);
    if (text === undefined) return `\`headers.${name}\` is not a string`;
    const existing = spelling.get(name.toLowerCase());
    if (existing) {
      merged[existing].push(text);
    } else {
      merged[name] = [text];
      spelling.set(name.toLowerCase(), name);
    }
  }
  return merged;
}

/** Renames and drops the headers API Gateway does not pass on from an integration, and sets the default type. */
function finishHeaders(headers: { [name: string]: string[] }): { [name: string]: string[] } {
  const out: { [name: string]: string[] } = {};
  for (const [name, values] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (DROPPED.has(lower)) continue;
    const remapped = REMAPPED.find((r) => r.toLowerCase() === lower);
    out[remapped ? `x-amzn-Remapped-${remapped}` : name] = values;
  }
  if (!Object.keys(out).some((name) => name.toLowerCase() === 'content-type')) {
    out['Content-Type'] = ['application/json'];
  }
  return out;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The response a Lambda proxy result gives. `accept` is the request's `Accept` header: its first type decides whether
 * a base64 body is decoded.
 */
export function readProxyResult(
  payload: unknown,
  accept: string | undefined,
  binaryMediaTypes: readonly string[],
): ProxyResult {
  if (!isObject(payload)) {
    return malformed(
      `the function returned ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : `a ${typeof payload}`}, not an object`,
    );
  }
  const unknown = Object.keys(payload).filter((key) => !RESULT_KEYS.has(key));
  if (unknown.length > 0) return malformed(`the result has keys a proxy result cannot have: ${unknown.join(', ')}`);
  const statusCode = statusCodeOf(payload.statusCode);
  if (statusCode === undefined) {
    return malformed(`\`statusCode\` is not an HTTP status code: ${JSON.stringify(payload.statusCode)}`);
  }
  const headers = mergeHeaders(payload);
  if (typeof headers === 'string') return malformed(headers);
  const body = payload.body === undefined || payload.body === null ? '' : scalar(payload.body);
  if (body === undefined) return malformed('`body` is not a string: serialize it (JSON.stringify) before returning');
  const base64Flag = payload.isBase64Encoded ?? false;
  if (typeof base64Flag !== 'boolean') return malformed('`isBase64Encoded` is not a boolean');
  const firstAccept = accept?.split(',')[0];
  if (base64Flag && isBinaryMediaType(firstAccept, binaryMediaTypes)) {
    const compact = body.replace(/\s+/g, '');
    if (!BASE64.test(compact)) {
      return { ok: false, problem: 'undecodable', reason: 'the body is marked `isBase64Encoded` but is not base64' };
    }
    return { ok: true, statusCode, headers: finishHeaders(headers), body: Buffer.from(compact, 'base64') };
  }
  return { ok: true, statusCode, headers: finishHeaders(headers), body: Buffer.from(body, 'utf8') };
}
